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

/* Attaching by pid already filters, but a binary shared by several QEMUs
 * would also count for the others if attached without one. */
const volatile int target_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_REGIONS);
	__type(key, struct vp_usdt_key);
	__type(value, struct vp_usdt_value);
} mr_counts SEC(".maps");

/* The name is read once per region, not on every access: the string copy
 * from user memory is the probe's most expensive part. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_REGIONS);
	__type(key, __u64);
	__type(value, char[VP_USDT_NAME_LEN]);
} mr_names SEC(".maps");

/* The marker regions (fw_cfg), found by name when first seen. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_MARKERS);
	__type(key, __u64);
	__type(value, __u32);
} mr_markers SEC(".maps");

/* vCPU index -> where QEMU mapped its struct kvm_run (filled by the
 * collector from /proc/PID/fd and maps; empty under TCG). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VP_USDT_MAX_VCPUS);
	__type(key, __u32);
	__type(value, __u64);
} vcpu_runs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, struct vp_usdt_access);
	__type(value, __u64);
} access_mr SEC(".maps");

/* The region each thread wrote last (or the PCI function it configures):
 * the device whose register write is being handled when QEMU registers an
 * ioeventfd or sets a virtio status. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, __u32);
	__type(value, __u64);
} thread_last_mr SEC(".maps");

/* VirtIODevice pointer -> the region of its status write. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, __u64);
	__type(value, __u64);
} vdev_mr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, struct vp_usdt_event_key);
	__type(value, struct vp_usdt_value);
} event_counts SEC(".maps");

/* VirtIODevice pointer -> enum vp_usdt_vdev_type. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, __u64);
	__type(value, __u32);
} vdev_type SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, struct vp_usdt_irq_key);
	__type(value, struct vp_usdt_irq_value);
} irq_counts SEC(".maps");

/* Accesses to marker regions so far (qemu_usdt.h). */
__u64 mark_epoch = 0;

/* Accesses not counted because mr_counts was full; names not recorded. */
__u64 dropped_counts = 0;
__u64 dropped_names = 0;

static __always_inline bool is_marker_name(const char *buf)
{
	const char prefix[] = VP_USDT_MARKER_PREFIX;

	for (int i = 0; i < (int)sizeof(prefix) - 1; i++)
		if (buf[i] != prefix[i])
			return false;
	return true;
}

/* The name is recorded before counting so a marker is known at its first access. */
static __always_inline void record_name(__u64 mr, const char *name)
{
	char buf[VP_USDT_NAME_LEN] = {};
	__u32 one = 1;

	if (bpf_map_lookup_elem(&mr_names, &mr))
		return;
	/* A failed read still records the region (empty name) so the user side
	 * can show its pointer rather than lose it. */
	bpf_probe_read_user_str(buf, sizeof(buf), name);
	if (bpf_map_update_elem(&mr_names, &mr, buf, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&mr_names, &mr))
		__sync_fetch_and_add(&dropped_names, 1);
	if (is_marker_name(buf))
		bpf_map_update_elem(&mr_markers, &mr, &one, BPF_ANY);
}

/* struct kvm_run (UAPI): exit_reason at 8, the exit's union at 32. */
#define VP_RUN_EXIT_IO	 2
#define VP_RUN_EXIT_MMIO 6

/*
 * Which port or address the vCPU's exit in progress is for, from its
 * kvm_run, so the region being dispatched names it.  Coalesced MMIO that
 * QEMU replays at the start of an exit is dispatched before the exit's own
 * access, so the last region seen for an address is the right one.
 */
static __always_inline void join_exit(int cpu_index, __u64 mr)
{
	struct vp_usdt_access key = {};
	__u32 idx = (__u32)cpu_index;
	__u64 *run, *old;
	__u32 reason;

	if (cpu_index < 0 || idx >= VP_USDT_MAX_VCPUS)
		return;
	run = bpf_map_lookup_elem(&vcpu_runs, &idx);
	if (!run || !*run)
		return;
	if (bpf_probe_read_user(&reason, sizeof(reason), (void *)(*run + 8)))
		return;
	if (reason == VP_RUN_EXIT_IO) {
		__u16 port;

		if (bpf_probe_read_user(&port, sizeof(port), (void *)(*run + 32 + 2)))
			return;
		key.kind = VP_UA_PIO;
		key.addr = port;
	} else if (reason == VP_RUN_EXIT_MMIO) {
		if (bpf_probe_read_user(&key.addr, sizeof(key.addr), (void *)(*run + 32)))
			return;
		key.kind = VP_UA_MMIO;
	} else {
		return;
	}
	old = bpf_map_lookup_elem(&access_mr, &key);
	if (!old || *old != mr)
		bpf_map_update_elem(&access_mr, &key, &mr, BPF_ANY);
}

static __always_inline bool is_target(void)
{
	return (int)(bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline void count(void *mr, __u32 dir, const char *name, int cpu_index)
{
	struct vp_usdt_key key = { .mr = (__u64)mr, .dir = dir };
	__u64 epoch = mark_epoch;
	struct vp_usdt_value *v, init = { .total = 1, .since_mark = 1, .epoch = epoch };

	if (!is_target())
		return;
	record_name(key.mr, name);
	join_exit(cpu_index, key.mr);
	if (dir == VP_USDT_WRITE) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();

		bpf_map_update_elem(&thread_last_mr, &tid, &key.mr, BPF_ANY);
	}
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
	if (bpf_map_lookup_elem(&mr_markers, &key.mr))
		__sync_fetch_and_add(&mark_epoch, 1);
}

SEC("usdt")
int BPF_USDT(vp_mr_read, int cpu_index, void *mr, __u64 addr, __u64 value, unsigned size,
	     const char *name)
{
	count(mr, VP_USDT_READ, name, cpu_index);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_mr_write, int cpu_index, void *mr, __u64 addr, __u64 value, unsigned size,
	     const char *name)
{
	count(mr, VP_USDT_WRITE, name, cpu_index);
	return 0;
}

static __always_inline void join_last_write(__u32 kind, __u64 addr)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vp_usdt_access key = { .kind = kind, .addr = addr };
	__u64 *mr;

	if (!is_target())
		return;
	mr = bpf_map_lookup_elem(&thread_last_mr, &tid);
	if (mr)
		bpf_map_update_elem(&access_mr, &key, mr, BPF_ANY);
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
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 key = (__u64)dev;

	if (!is_target())
		return 0;
	record_name(key, dev);
	bpf_map_update_elem(&thread_last_mr, &tid, &key, BPF_ANY);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_ioeventfd_mmio, int fd, __u64 addr, __u32 val, bool assign, __u32 size,
	     bool datamatch)
{
	if (assign)
		join_last_write(VP_UA_IOEVENTFD_MMIO, addr);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_ioeventfd_pio, int fd, __u16 addr, __u32 val, bool assign, __u32 size,
	     bool datamatch)
{
	if (assign)
		join_last_write(VP_UA_IOEVENTFD_PIO, addr);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_virtio_status, void *vdev, __u8 val)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 key = (__u64)vdev, *mr;

	if (!is_target())
		return 0;
	mr = bpf_map_lookup_elem(&thread_last_mr, &tid);
	if (mr)
		bpf_map_update_elem(&vdev_mr, &key, mr, BPF_ANY);
	return 0;
}

/* level < 0: a notification, always counted; else a line's new level,
 * counted on its rising edge. */
static __always_inline void irq(__u32 kind, __u32 line, __u64 obj, int level)
{
	struct vp_usdt_irq_key key = { .kind = kind, .line = line, .obj = obj };
	struct vp_usdt_irq_value *v, init = { .epoch = mark_epoch };
	__u64 epoch = mark_epoch;

	if (!is_target())
		return;
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

SEC("usdt")
int BPF_USDT(vp_virtio_blk_complete, void *vdev, void *req, int status)
{
	__u64 key = (__u64)vdev;
	__u32 type = VP_VDEV_BLK;

	if (is_target() && !bpf_map_lookup_elem(&vdev_type, &key))
		bpf_map_update_elem(&vdev_type, &key, &type, BPF_ANY);
	return 0;
}

SEC("usdt")
int vp_event(struct pt_regs *ctx)
{
	__u64 cookie = bpf_usdt_cookie(ctx), epoch = mark_epoch;
	__u32 argno = cookie & ((1 << VP_USDT_COOKIE_SHIFT) - 1);
	struct vp_usdt_event_key key = { .event = (__u32)(cookie >> VP_USDT_COOKIE_SHIFT) };
	struct vp_usdt_value *v, init = { .epoch = epoch };
	long obj;

	if (!is_target())
		return 0;
	if (argno && !bpf_usdt_arg(ctx, argno - 1, &obj))
		key.obj = (__u64)obj;
	v = bpf_map_lookup_elem(&event_counts, &key);
	if (!v) {
		bpf_map_update_elem(&event_counts, &key, &init, BPF_NOEXIST);
		if (!(v = bpf_map_lookup_elem(&event_counts, &key)))
			return 0;
	}
	__sync_fetch_and_add(&v->total, 1);
	if (v->epoch != epoch) {
		v->epoch = epoch;
		v->since_mark = 0;
	}
	__sync_fetch_and_add(&v->since_mark, 1);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_stopwatch_irq, __u32 status, const char *via)
{
	irq(VP_UI_STOPWATCH, 0, 0, -1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
