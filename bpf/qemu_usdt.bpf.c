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

static __always_inline void count(void *mr, __u32 dir, const char *name)
{
	struct vp_usdt_key key = { .mr = (__u64)mr, .dir = dir };
	__u64 epoch = mark_epoch;
	struct vp_usdt_value *v, init = { .total = 1, .since_mark = 1, .epoch = epoch };

	if ((int)(bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return;
	record_name(key.mr, name);
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
	count(mr, VP_USDT_READ, name);
	return 0;
}

SEC("usdt")
int BPF_USDT(vp_mr_write, int cpu_index, void *mr, __u64 addr, __u64 value, unsigned size,
	     const char *name)
{
	count(mr, VP_USDT_WRITE, name);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
