/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What QEMU's probes count and join, over the tables of qemu_usdt.h.
 *
 * A probe only reads what lives in QEMU's memory (a region's name, the
 * vCPU's struct kvm_run) and states its event as three words (enum
 * vp_usdt_op); everything from there is here, so the same code counts in
 * the kernel (qemu_usdt.bpf.c), on synthetic events driven through
 * BPF_PROG_TEST_RUN, and in the collector's replay of a recording.
 *
 * The includer provides the tables by the names below (mr_counts,
 * mr_names, mr_markers, access_mr, thread_last_mr, vdev_mr, event_counts,
 * vdev_type, irq_counts), the counters mark_epoch, dropped_counts and
 * dropped_names, and bpf_map_lookup_elem/bpf_map_update_elem with a BPF
 * hash map's meaning.
 */
#ifndef QEMU_USDT_CORE_BPF_H
#define QEMU_USDT_CORE_BPF_H

#include "qemu_usdt.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

static __always_inline int usdt_is_marker_name(const char *buf)
{
	const char prefix[] = VP_USDT_MARKER_PREFIX;

	for (int i = 0; i < (int)sizeof(prefix) - 1; i++)
		if (buf[i] != prefix[i])
			return 0;
	return 1;
}

/* A region's name is read from QEMU once, not on every access: the string
 * copy is the probe's most expensive part. */
static __always_inline int usdt_name_known(__u64 obj)
{
	return bpf_map_lookup_elem(&mr_names, &obj) != 0;
}

/* buf: VP_USDT_NAME_LEN bytes, "" when QEMU's memory could not be read, so
 * the region is still kept and shown by its pointer.  Learnt before the
 * region is counted, so a marker is known at its first access. */
static __always_inline void usdt_learn_name(__u64 obj, const char *buf)
{
	__u32 one = 1;

	if (bpf_map_update_elem(&mr_names, &obj, buf, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&mr_names, &obj))
		__sync_fetch_and_add(&dropped_names, 1);
	if (usdt_is_marker_name(buf))
		bpf_map_update_elem(&mr_markers, &obj, &one, BPF_ANY);
}

static __always_inline void usdt_join(__u32 kind, __u64 addr, __u64 mr)
{
	struct vp_usdt_access key = { .kind = kind, .addr = addr };
	__u64 *old = bpf_map_lookup_elem(&access_mr, &key);

	if (!old || *old != mr)
		bpf_map_update_elem(&access_mr, &key, &mr, BPF_ANY);
}

/*
 * One register access dispatched to region mr.  join: the port or address
 * of the vCPU's exit in progress (its kvm_run), so the region names it.
 * Coalesced MMIO that QEMU replays at the start of an exit is dispatched
 * before the exit's own access, so the last region seen for an address is
 * the right one.
 */
static __always_inline void usdt_access(__u32 tid, __u32 dir, __u64 mr, __u32 join, __u64 addr)
{
	struct vp_usdt_key key = { .mr = mr, .dir = dir };
	__u64 epoch = mark_epoch;
	struct vp_usdt_value *v, init = { .total = 1, .since_mark = 1, .epoch = epoch };

	if (join)
		usdt_join(join, addr, mr);
	if (dir == VP_USDT_WRITE)
		bpf_map_update_elem(&thread_last_mr, &tid, &mr, BPF_ANY);
	v = bpf_map_lookup_elem(&mr_counts, &key);
	if (!v && bpf_map_update_elem(&mr_counts, &key, &init, BPF_NOEXIST)) {
		/* Another vCPU (MTTCG) may have created it meanwhile. */
		v = bpf_map_lookup_elem(&mr_counts, &key);
		if (!v)
			__sync_fetch_and_add(&dropped_counts, 1);
	}
	if (v) {
		__sync_fetch_and_add(&v->total, 1);
		/* Lazily restart the since-marker count of a region first
		 * touched after a newer marker (the guest has one vCPU, so
		 * this read-modify-write does not race in practice). */
		if (v->epoch != epoch) {
			v->epoch = epoch;
			v->since_mark = 0;
		}
		__sync_fetch_and_add(&v->since_mark, 1);
	}
	if (bpf_map_lookup_elem(&mr_markers, &mr))
		__sync_fetch_and_add(&mark_epoch, 1);
}

/* What a thread registers while handling its last write (a doorbell's
 * ioeventfd) is that write's device. */
static __always_inline void usdt_join_last_write(__u32 tid, __u32 kind, __u64 addr)
{
	__u64 *mr = bpf_map_lookup_elem(&thread_last_mr, &tid);

	if (mr)
		usdt_join(kind, addr, *mr);
}

static __always_inline void usdt_virtio_status(__u32 tid, __u64 vdev)
{
	__u64 *mr = bpf_map_lookup_elem(&thread_last_mr, &tid);

	if (mr)
		bpf_map_update_elem(&vdev_mr, &vdev, mr, BPF_ANY);
}

/* level < 0: a notification, always counted; else a line's new level,
 * counted on its rising edge. */
static __always_inline void usdt_irq(__u32 kind, __u32 line, __u64 obj, int level)
{
	struct vp_usdt_irq_key key = { .kind = kind, .line = line, .obj = obj };
	__u64 epoch = mark_epoch;
	struct vp_usdt_irq_value *v, init = { .epoch = epoch };

	v = bpf_map_lookup_elem(&irq_counts, &key);
	if (!v) {
		bpf_map_update_elem(&irq_counts, &key, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&irq_counts, &key);
		if (!v)
			return;
	}
	if (level >= 0) {
		__u32 was = v->level;

		v->level = level != 0;
		if (was || !level)
			return;
	}
	__sync_fetch_and_add(&v->raised, 1);
	if (v->epoch != epoch) {
		v->epoch = epoch;
		v->since_mark = 0;
	}
	__sync_fetch_and_add(&v->since_mark, 1);
}

static __always_inline void usdt_vdev_type(__u64 vdev, __u32 type)
{
	if (!bpf_map_lookup_elem(&vdev_type, &vdev))
		bpf_map_update_elem(&vdev_type, &vdev, &type, BPF_ANY);
}

static __always_inline void usdt_event(__u32 event, __u64 obj)
{
	struct vp_usdt_event_key key = { .event = event, .obj = obj };
	__u64 epoch = mark_epoch;
	struct vp_usdt_value *v, init = { .epoch = epoch };

	v = bpf_map_lookup_elem(&event_counts, &key);
	if (!v) {
		bpf_map_update_elem(&event_counts, &key, &init, BPF_NOEXIST);
		if (!(v = bpf_map_lookup_elem(&event_counts, &key)))
			return;
	}
	__sync_fetch_and_add(&v->total, 1);
	if (v->epoch != epoch) {
		v->epoch = epoch;
		v->since_mark = 0;
	}
	__sync_fetch_and_add(&v->since_mark, 1);
}

/* One event of thread tid, as its probe stated it. */
static __always_inline void usdt_apply(__u32 tid, __u64 a0, __u64 a1, __u64 a2)
{
	__u32 sub = VP_UO_SUB(a0), x = VP_UO_X(a0);

	switch (VP_UO_OP(a0)) {
	case VP_UO_READ: usdt_access(tid, VP_USDT_READ, a1, sub, a2); break;
	case VP_UO_WRITE: usdt_access(tid, VP_USDT_WRITE, a1, sub, a2); break;
	case VP_UO_CFG_WRITE: bpf_map_update_elem(&thread_last_mr, &tid, &a1, BPF_ANY); break;
	case VP_UO_IOEVENTFD: usdt_join_last_write(tid, sub, a2); break;
	case VP_UO_VIRTIO_STATUS: usdt_virtio_status(tid, a1); break;
	case VP_UO_IRQ: usdt_irq(sub, (__u32)a2, a1, (int)x); break;
	case VP_UO_VDEV_TYPE: usdt_vdev_type(a1, sub); break;
	case VP_UO_EVENT: usdt_event(x, a1); break;
	default: break;
	}
}

#endif
