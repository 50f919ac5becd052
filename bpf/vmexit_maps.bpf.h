/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live programs' state and tables: what the collector sets before
 * load, the per-thread exit state, the aggregation maps, and the helpers
 * that find or make a key's entry and add an event to it.  The state
 * machine that drives them is vmexit_core.bpf.h.
 */
#ifndef VMEXIT_MAPS_BPF_H
#define VMEXIT_MAPS_BPF_H

#include "vmexit.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the collector between open and load. */
const volatile __u32 target_tgid = 0;
/* A host-wide profile: the VMs are the processes in vms, and each key
 * carries its VM's process (vp_key.vm); target_tgid is then 0. */
const volatile __u8 all_vms = 0;
const volatile __s32 target_vcpu = -1;
const volatile struct vp_port_span marker_ports[VP_MARKER_SPANS] = {};
/* Keep each device key's part after the firmware (guest_stats): only the
 * workload comparison reads it, so a live profile does not pay for it. */
const volatile __u8 keep_guest_part = 0;
/* No KVM_RUN hook is attached and kvm_entry fires: each exit, its return
 * to the VMM and its device access are counted and timed when the vCPU
 * enters the guest again, in one lookup per key; what is still open at a
 * read stays in threads, where the collector counts it (vmexit.h). */
const volatile __u8 count_at_entry = 0;

/* Marker port accesses so far (vmexit.h, vp_guest_stat). */
__u64 fw_epoch = 0;

#include "vmexit_keys.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct vp_thread);
} threads SEC(".maps");

/* The keys any thread updates: a copy per CPU (vmexit.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VP_MAX_STATS);
	__type(key, struct vp_key);
	__type(value, struct vp_stat);
} stats SEC(".maps");

/* A vCPU's own keys, updated by its thread only: one copy (vmexit.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_MAX_VCPU_STATS);
	__type(key, struct vp_key);
	__type(value, struct vp_stat);
} vcpu_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VP_C_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Per key kind, the events whose own key did not fit in stats: a full
 * table folds them here instead of dropping them, keeping counts and
 * times.  An array, so the slot always exists. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VP_K_NKINDS);
	__type(key, __u32);
	__type(value, struct vp_stat);
} stats_overflow SEC(".maps");

/* The VMM processes of a host-wide profile (the collector adds and removes
 * them as VMs start and stop). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_MAX_VMS);
	__type(key, __u32);
	__type(value, __u32);
} vms SEC(".maps");

/* (process, fd) -> vCPU, filled by the collector from /proc/PID/fd and maps. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_MAX_VCPU_FDS);
	__type(key, struct vp_vcpu_fd_key);
	__type(value, struct vp_vcpu_fd);
} vcpu_fds SEC(".maps");

/* Device keys' events after the firmware (vmexit.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VP_MAX_GUEST_STATS);
	__type(key, struct vp_key);
	__type(value, struct vp_guest_stat);
} guest_stats SEC(".maps");

/* Zero-filled template for new stats entries (too big for the BPF stack to spare). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vp_stat);
} zero_stat SEC(".maps");

/* Zero-filled template for new threads (too big for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vp_thread);
} zero_thread SEC(".maps");

/* tid's entry in threads, made from zero_thread if new; NULL when full. */
static __always_inline struct vp_thread *new_thread(__u32 tid, __u32 tgid, __u16 vcpu)
{
	struct vp_thread *z, *t;
	__u32 zero = 0;
	long err;

	z = bpf_map_lookup_elem(&zero_thread, &zero);
	if (!z)
		return NULL;
	err = bpf_map_update_elem(&threads, &tid, z, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */)
		return NULL;
	t = bpf_map_lookup_elem(&threads, &tid);
	if (t && !err) {
		t->tgid = tgid;
		t->vcpu = vcpu;
	}
	return t;
}

#ifndef VP_LIVE
/* The process of the synthetic event being driven (one at a time). */
__u32 synth_tgid = 0;
#endif

static __always_inline int is_vm(__u32 tgid)
{
	if (!all_vms)
		return tgid == target_tgid;
	return bpf_map_lookup_elem(&vms, &tgid) != NULL;
}

/* The VM the current event belongs to: every key is made on one of its
 * threads, in the program the event runs. */
static __always_inline __u32 current_vm(void)
{
#ifdef VP_LIVE
	return bpf_get_current_pid_tgid() >> 32;
#else
	return synth_tgid;
#endif
}

struct vp_ev {
	__u32 tgid;
	__u32 tid;
	__u64 now;
#ifndef VP_LIVE
	const __u8 *comm; /* synthetic events carry the thread name */
#endif
};

static __always_inline void count_events(__u32 c, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &c);

	if (v)
		*v += n;
}

static __always_inline void count_event(__u32 c)
{
	count_events(c, 1);
}

static __always_inline struct vp_thread *thread_of(const struct vp_ev *ev)
{
	struct vp_thread *t;

	if (!is_vm(ev->tgid))
		return NULL;
	t = bpf_map_lookup_elem(&threads, &ev->tid);
	if (t)
		return t;
#ifdef VP_LIVE
	{
		/* Only a new thread pays for reading its name. */
		__u8 comm[16];

		bpf_get_current_comm(comm, sizeof(comm));
		t = new_thread(ev->tid, ev->tgid, vcpu_from_comm(comm));
	}
#else
	t = new_thread(ev->tid, ev->tgid, vcpu_from_comm(ev->comm));
#endif
	if (!t)
		count_event(VP_C_THREADS_FULL);
	return t;
}

static __always_inline struct vp_stat *stat_in(void *map, const struct vp_key *key, __u64 events)
{
	struct vp_stat *s = bpf_map_lookup_elem(map, key);
	__u32 zero = 0;
	long err;

	if (s)
		return s;
	s = bpf_map_lookup_elem(&zero_stat, &zero);
	if (!s)
		return NULL;
	err = bpf_map_update_elem(map, key, s, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */) {
		__u32 kind = key->kind;

		count_events(VP_C_STATS_FULL, events);
		return bpf_map_lookup_elem(&stats_overflow, &kind);
	}
	return bpf_map_lookup_elem(map, key);
}

/* key's entry, made if new: in vcpu_stats when the key is one vCPU's;
 * `events` are what the caller adds, counted as folded if it does not fit. */
static __always_inline struct vp_stat *stat_of(const struct vp_key *key, __u64 events)
{
	void *map = key->vcpu < VP_VCPU_ANY ? (void *)&vcpu_stats : (void *)&stats;

	if (all_vms) {
		struct vp_key k = *key;

		k.vm = current_vm();
		return stat_in(map, &k, events);
	}
	return stat_in(map, key, events);
}

/* key's part after the firmware, restarted when a newer marker came; none
 * for the marker ports, whose every access is the firmware's. */
static __always_inline struct vp_guest_stat *guest_stat_of(const struct vp_key *key)
{
	__u64 epoch = fw_epoch;
	struct vp_guest_stat *g;

	if (!keep_guest_part || (key->kind == VP_K_PIO && is_marker_port(key->addr)))
		return NULL;
	g = bpf_map_lookup_elem(&guest_stats, key);
	if (!g) {
		struct vp_guest_stat fresh = { .epoch = epoch };
		long err = bpf_map_update_elem(&guest_stats, key, &fresh, BPF_NOEXIST);

		if (err && err != -17 /* EEXIST */) {
			count_event(VP_C_GUEST_FULL);
			return NULL;
		}
		g = bpf_map_lookup_elem(&guest_stats, key);
		if (!g)
			return NULL;
	}
	if (g->epoch != epoch) {
		__builtin_memset(g, 0, sizeof(*g));
		g->epoch = epoch;
	}
	return g;
}

#endif
