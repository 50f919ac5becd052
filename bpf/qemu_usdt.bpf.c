// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * QEMU's own account of each device register access: the USDT probes
 * memory_region_ops_read/write fire in the thread that dispatches the access
 * to the device model, with the MemoryRegion and its name.  Unlike kvm_mmio
 * they also fire under TCG, and they name the device instead of an address.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#include "qemu_usdt.h"
#include "vmexit.h"

/* Attaching by pid already filters, but a binary shared by several QEMUs
 * would also count for the others if attached without one. */
const volatile int target_tgid = 0;

/* vCPU index -> where QEMU mapped its struct kvm_run (filled by the
 * collector from /proc/PID/fd and maps; empty under TCG). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VP_USDT_MAX_VCPUS);
	__type(key, __u32);
	__type(value, __u64);
} vcpu_runs SEC(".maps");

#include "qemu_usdt_maps.bpf.h"

/* Recording: the probes' events are counted by the collector's replay,
 * not here.  Only which regions were named stays in the kernel, so a name
 * is read and recorded once. */
#include "record_ring.bpf.h"

static __always_inline void rec_head(struct vp_rec_ev *r, __u8 flags, __u32 tid)
{
	r->type = VP_REC_QEMU;
	r->flags = flags;
	r->pad = 0;
	r->tid = tid;
	r->ts = bpf_ktime_get_ns();
}

/* The probes fire far less often than exits, and each already costs a
 * trap: the reader is woken for every one. */
static __always_inline void emit(__u64 a0, __u64 a1, __u64 a2)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vp_rec_ev *r;

	if (!record_events) {
		usdt_apply(tid, a0, a1, a2);
		return;
	}
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		rec_lost_one(VP_REC_QEMU);
		return;
	}
	rec_head(r, 0, tid);
	r->a[0] = a0;
	r->a[1] = a1;
	r->a[2] = a2;
	bpf_ringbuf_submit(r, 0);
}

/* A name the ring had no room for is not learnt either: it is read and
 * recorded again at the object's next event.  The name is read onto the
 * stack, not into the ring: older kernels take no ring memory as a map
 * value. */
static __always_inline void name_of(__u64 obj, const char *name)
{
	char buf[VP_USDT_NAME_LEN] = {};
	struct vp_rec_name *r;

	if (usdt_name_known(obj))
		return;
	bpf_probe_read_user_str(buf, sizeof(buf), name);
	if (record_events) {
		r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
		if (!r) {
			rec_lost_one(VP_REC_QEMU);
			return;
		}
		rec_head(&r->ev, VP_REC_F_NAME, (__u32)bpf_get_current_pid_tgid());
		r->ev.a[0] = obj;
		r->ev.a[1] = 0;
		r->ev.a[2] = 0;
		__builtin_memcpy(r->name, buf, sizeof(buf));
		bpf_ringbuf_submit(r, 0);
	}
	usdt_learn_name(obj, buf);
}

/* Which port or address the vCPU's exit in progress is for, from its
 * kvm_run; *kind stays 0 when there is none (TCG, or not a device exit). */
static __always_inline void exit_access(int cpu_index, __u32 *kind, __u64 *addr)
{
	__u32 idx = (__u32)cpu_index;
	__u64 *run;
	__u32 reason;

	if (cpu_index < 0 || idx >= VP_USDT_MAX_VCPUS)
		return;
	run = bpf_map_lookup_elem(&vcpu_runs, &idx);
	if (!run || !*run)
		return;
	if (bpf_probe_read_user(&reason, sizeof(reason), (void *)(*run + VP_RUN_EXIT_REASON)))
		return;
	if (reason == VP_KVM_EXIT_IO) {
		__u16 port;

		if (bpf_probe_read_user(&port, sizeof(port),
					(void *)(*run + VP_RUN_UNION + VP_RUN_IO_PORT)))
			return;
		*kind = VP_UA_PIO;
		*addr = port;
	} else if (reason == VP_KVM_EXIT_MMIO) {
		if (bpf_probe_read_user(addr, sizeof(*addr), (void *)(*run + VP_RUN_UNION)))
			return;
		*kind = VP_UA_MMIO;
	}
}

static __always_inline bool is_target(void)
{
	return (int)(bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline void access(void *mr, __u32 op, const char *name, int cpu_index)
{
	__u32 kind = 0;
	__u64 addr = 0;

	if (!is_target())
		return;
	name_of((__u64)mr, name);
	exit_access(cpu_index, &kind, &addr);
	emit(VP_UO_A0(op, kind, 0), (__u64)mr, kind ? addr : 0);
}

SEC("usdt")
int BPF_USDT(vp_mr_read, int cpu_index, void *mr, __u64 addr, __u64 value, unsigned size,
	     const char *name)
{
	access(mr, VP_UO_READ, name, cpu_index);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_mr_write, int cpu_index, void *mr, __u64 addr, __u64 value, unsigned size,
	     const char *name)
{
	access(mr, VP_UO_WRITE, name, cpu_index);
	return 0;
}

/*
 * A configuration write maps the BARs of the PCI function written: what
 * QEMU registers while handling it (a doorbell's ioeventfd) is that
 * function's.  Its name (the QEMU device type, a stable array in the
 * PCIDevice) stands in for a region as the thread's last write.
 */
SEC("usdt")
int BPF_USDT(vp_pci_cfg_write, const char *dev, __u32 bus, __u32 slot, __u32 func, unsigned offs,
	     unsigned val)
{
	if (!is_target())
		return 0;
	name_of((__u64)dev, dev);
	emit(VP_UO_A0(VP_UO_CFG_WRITE, 0, 0), (__u64)dev, 0);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_ioeventfd_mmio, int fd, __u64 addr, __u32 val, bool assign, __u32 size,
	     bool datamatch)
{
	if (assign && is_target())
		emit(VP_UO_A0(VP_UO_IOEVENTFD, VP_UA_IOEVENTFD_MMIO, 0), 0, addr);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_ioeventfd_pio, int fd, __u16 addr, __u32 val, bool assign, __u32 size,
	     bool datamatch)
{
	if (assign && is_target())
		emit(VP_UO_A0(VP_UO_IOEVENTFD, VP_UA_IOEVENTFD_PIO, 0), 0, addr);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_virtio_status, void *vdev, __u8 val)
{
	if (is_target())
		emit(VP_UO_A0(VP_UO_VIRTIO_STATUS, 0, 0), (__u64)vdev, 0);
	return 0;
}

static __always_inline void irq(__u32 kind, __u32 line, __u64 obj, int level)
{
	if (is_target())
		emit(VP_UO_A0(VP_UO_IRQ, kind, level), obj, line);
}

SEC("usdt")
int BPF_USDT(vp_ioapic_irq, int vector, int level)
{
	irq(VP_UI_IOAPIC, (__u32)vector, 0, level);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_virtio_notify, void *vdev, void *vq)
{
	irq(VP_UI_VIRTIO, 0, (__u64)vdev, -1);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_virtio_notify_irqfd, void *vdev, void *vq)
{
	irq(VP_UI_VIRTIO, 0, (__u64)vdev, -1);
	return 0;
}

/* Every completion is an event; only the first one teaches the type. */
SEC("usdt")
int BPF_USDT(vp_virtio_blk_complete, void *vdev, void *req, int status)
{
	__u64 key = (__u64)vdev;

	if (!is_target() || (!record_events && bpf_map_lookup_elem(&vdev_type, &key)))
		return 0;
	emit(VP_UO_A0(VP_UO_VDEV_TYPE, VP_VDEV_BLK, 0), key, 0);
	return 0;
}

SEC("usdt")
int vp_event(struct pt_regs *ctx)
{
	__u64 cookie = bpf_usdt_cookie(ctx);
	__u32 argno = cookie & ((1 << VP_USDT_COOKIE_SHIFT) - 1);
	long obj = 0;

	if (!is_target())
		return 0;
	if (argno && bpf_usdt_arg(ctx, argno - 1, &obj))
		obj = 0;
	emit(VP_UO_A0(VP_UO_EVENT, 0, cookie >> VP_USDT_COOKIE_SHIFT), (__u64)obj, 0);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_stopwatch_irq, __u32 status, const char *via)
{
	irq(VP_UI_STOPWATCH, 0, 0, -1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
