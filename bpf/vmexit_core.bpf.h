/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The per-thread exit state machine and the in-kernel aggregation.
 *
 * Every handler takes the event's thread, time and fields as arguments
 * instead of reading them from a tracepoint context, so the same code runs
 * from the live tracepoints (vmexit.bpf.c) and from synthetic events driven
 * through BPF_PROG_TEST_RUN (tests/bpf/vmexit_synth.bpf.c).  That is how the
 * exit->entry pairing is tested on hosts where kvm_exit never fires.
 *
 * Ordering facts the machine relies on (arch/x86/kvm/x86.c):
 *  - kvm_pio fires before the exit for OUT, but for IN that went to user
 *    space only after the VMM answered, on the next KVM_RUN;
 *  - kvm_mmio fires READ_UNSATISFIED before a read goes to user space and
 *    READ once the value is known; WRITE before the write is attempted;
 *  - kvm_userspace_exit fires on every return of KVM_RUN, errors included;
 *    an error return leaves exit_reason as the previous exit set it.
 * Which address a user-space exit was for is therefore taken from the
 * vCPU's struct kvm_run when the VMM calls KVM_RUN again, not from the
 * order of kvm_pio events.
 */
#ifndef VMEXIT_CORE_BPF_H
#define VMEXIT_CORE_BPF_H

#include "vmexit.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the collector between open and load. */
const volatile __u32 target_tgid = 0;
const volatile __s32 target_vcpu = -1;
const volatile struct vp_port_span marker_ports[VP_MARKER_SPANS] = {};

/* Marker port accesses so far (vmexit.h, vp_guest_stat). */
__u64 fw_epoch = 0;

/* Values of struct kvm_run (UAPI, stable). */
#define VP_KVM_EXIT_IO	   2
#define VP_KVM_EXIT_MMIO   6
#define VP_RUN_EXIT_REASON 8
#define VP_RUN_UNION	   32

struct vp_thread {
	__u64 exit_ts;	    /* when the kernel clock of the exit in progress last started */
	__u64 kern_ns;	    /* kernel time of the exit in progress so far */
	__u64 user_exit_ts; /* kvm_userspace_exit not yet followed by KVM_RUN */
	__u64 run_enter_ts;
	__u64 acc_addr; /* the device access of the exit in progress */
	__u32 exit_reason;
	__u32 user_reason;
	__u16 vcpu;
	__u8 isa;
	__u8 in_exit;
	__u8 acc_kind;
	__u8 acc_dir;
	__u8 acc_size;
	__u8 in_run;
	__u8 kclock;  /* exit_ts is running: not paused for the VMM */
	__u8 in_user; /* user_exit_ts is set: the VMM is handling an exit */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct vp_thread);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VP_MAX_STATS);
	__type(key, struct vp_key);
	__type(value, struct vp_stat);
} stats SEC(".maps");

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

/* fd of the target -> vCPU, filled by the collector from /proc/PID/fd and maps. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_MAX_VCPU_FDS);
	__type(key, __u32);
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

struct vp_ev {
	__u32 tgid;
	__u32 tid;
	__u64 now;
#ifndef VP_LIVE
	const __u8 *comm; /* synthetic events carry the thread name */
#endif
};

static __always_inline void count_event(__u32 c)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &c);

	if (v)
		(*v)++;
}

/* "CPU 3/KVM" -> 3: QEMU's vCPU thread names, when nothing better is known. */
static __always_inline __u16 vcpu_from_comm(const __u8 *comm)
{
	__u32 n = 0;
	int i;

	if (!comm || comm[0] != 'C' || comm[1] != 'P' || comm[2] != 'U' || comm[3] != ' ')
		return VP_VCPU_UNKNOWN;
	for (i = 4; i < 9; i++) {
		__u8 c = comm[i];

		if (c == '/')
			return i > 4 ? n : VP_VCPU_UNKNOWN;
		if (c < '0' || c > '9')
			return VP_VCPU_UNKNOWN;
		n = n * 10 + (c - '0');
	}
	return VP_VCPU_UNKNOWN;
}

static __always_inline struct vp_thread *thread_of(const struct vp_ev *ev)
{
	struct vp_thread *t, fresh = {};
	long err;

	if (ev->tgid != target_tgid)
		return NULL;
	t = bpf_map_lookup_elem(&threads, &ev->tid);
	if (t)
		return t;
#ifdef VP_LIVE
	{
		/* Only a new thread pays for reading its name. */
		__u8 comm[16];

		bpf_get_current_comm(comm, sizeof(comm));
		fresh.vcpu = vcpu_from_comm(comm);
	}
#else
	fresh.vcpu = vcpu_from_comm(ev->comm);
#endif
	err = bpf_map_update_elem(&threads, &ev->tid, &fresh, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */) {
		count_event(VP_C_THREADS_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&threads, &ev->tid);
}

static __always_inline int vcpu_wanted(const struct vp_thread *t)
{
	return target_vcpu < 0 || t->vcpu == (__u16)target_vcpu;
}

static __always_inline struct vp_stat *stat_of(const struct vp_key *key)
{
	struct vp_stat *s = bpf_map_lookup_elem(&stats, key);
	__u32 zero = 0;
	long err;

	if (s)
		return s;
	s = bpf_map_lookup_elem(&zero_stat, &zero);
	if (!s)
		return NULL;
	err = bpf_map_update_elem(&stats, key, s, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */) {
		__u32 kind = key->kind;

		count_event(VP_C_STATS_FULL);
		return bpf_map_lookup_elem(&stats_overflow, &kind);
	}
	return bpf_map_lookup_elem(&stats, key);
}

static __always_inline int is_marker_port(__u32 port)
{
	for (int i = 0; i < VP_MARKER_SPANS; i++)
		if (port >= marker_ports[i].first && port <= marker_ports[i].last)
			return 1;
	return 0;
}

/* key's part after the firmware, restarted when a newer marker came; none
 * for the marker ports, whose every access is the firmware's. */
static __always_inline struct vp_guest_stat *guest_stat_of(const struct vp_key *key)
{
	__u64 epoch = fw_epoch;
	struct vp_guest_stat *g;

	if (key->kind == VP_K_PIO && is_marker_port(key->addr))
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

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0;

	/* Branch-free-ish binary search keeps the verifier's path count low. */
	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1) {
		r += 1;
	}
	return r < VP_HIST_SLOTS ? r : VP_HIST_SLOTS - 1;
}

static __always_inline void stat_time(struct vp_stat *s, __u64 ns)
{
	__u32 slot = log2_slot(ns);

	if (!s->min_ns || ns < s->min_ns)
		s->min_ns = ns ? ns : 1;
	if (ns > s->max_ns)
		s->max_ns = ns;
	if (slot < VP_HIST_SLOTS)
		s->slots[slot]++;
}

static __always_inline void key_device(struct vp_key *k, __u8 kind, __u8 dir, __u8 size, __u64 addr)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->dir = dir;
	k->size = size;
	k->vcpu = VP_VCPU_ANY;
	if ((kind == VP_K_MMIO || kind == VP_K_FAST_MMIO) && addr >= VP_VGA_WINDOW_START &&
	    addr < VP_VGA_WINDOW_END)
		addr &= ~(VP_PAGE_SIZE - 1);
	k->addr = addr;
}

static __always_inline void count_key(struct vp_key *k)
{
	struct vp_stat *s = stat_of(k);

	if (s)
		s->count++;
}

/* A device's access or interrupt: its key, and its part after the firmware. */
static __always_inline void count_device(struct vp_key *k)
{
	struct vp_guest_stat *g;

	count_key(k);
	g = guest_stat_of(k);
	if (g)
		g->count++;
}

/* Remember the access of the exit in progress, so kernel time can reach it. */
static __always_inline void note_access(struct vp_thread *t, const struct vp_key *k)
{
	t->acc_kind = k->kind;
	t->acc_dir = k->dir;
	t->acc_size = k->size;
	t->acc_addr = k->addr;
}

static __always_inline void exit_key(struct vp_key *k, const struct vp_thread *t)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->kind = VP_K_EXIT;
	k->isa = t->isa;
	k->vcpu = t->vcpu;
	k->code = t->exit_reason;
}

static __always_inline void handle_exit(const struct vp_ev *ev, __u32 reason, __u32 isa,
					__u32 vcpu_id, int has_vcpu)
{
	struct vp_thread *t;
	struct vp_key k;

	count_event(VP_C_EV_EXIT);
	t = thread_of(ev);
	if (!t)
		return;
	if (has_vcpu)
		t->vcpu = vcpu_id;
	t->exit_ts = ev->now;
	t->kclock = 1;
	t->kern_ns = 0;
	t->in_exit = 1;
	t->exit_reason = reason;
	t->isa = isa;
	t->acc_kind = 0;
	if (!vcpu_wanted(t))
		return;
	/* Counted now, timed at kvm_entry: the exit that ends the VM (a HLT or
	 * shutdown the VMM does not resume) has no entry but was still taken. */
	exit_key(&k, t);
	count_key(&k);
}

static __always_inline void handle_entry(const struct vp_ev *ev, __u32 vcpu_id, int has_vcpu)
{
	struct vp_guest_stat *g;
	struct vp_thread *t;
	struct vp_key k;
	struct vp_stat *s;
	__u64 kern;

	count_event(VP_C_EV_ENTRY);
	t = thread_of(ev);
	if (!t)
		return;
	if (has_vcpu)
		t->vcpu = vcpu_id;
	if (!t->in_exit)
		return;
	t->in_exit = 0;
	kern = t->kern_ns + (t->kclock ? ev->now - t->exit_ts : 0);
	if (!vcpu_wanted(t))
		goto done;
	exit_key(&k, t);
	s = stat_of(&k);
	if (s) {
		s->kern_count++;
		s->kern_ns += kern;
		stat_time(s, kern);
	}
	if (t->acc_kind) {
		/* Which device the exit was for, beside its reason: an npf exit of
		 * an ioeventfd kick never reaches the VMM to be told apart there. */
		k.kind = VP_K_EXIT_ACCESS;
		k.dir = t->acc_kind;
		k.addr = t->acc_addr;
		s = stat_of(&k);
		if (s) {
			s->count++;
			s->kern_count++;
			s->kern_ns += kern;
		}
		key_device(&k, t->acc_kind, t->acc_dir, t->acc_size, t->acc_addr);
		s = stat_of(&k);
		if (s) {
			s->kern_count++;
			s->kern_ns += kern;
		}
		g = guest_stat_of(&k);
		if (g) {
			g->kern_count++;
			g->kern_ns += kern;
		}
	}
done:
	t->acc_kind = 0;
}

static __always_inline void handle_user_exit(const struct vp_ev *ev, __u32 reason, int err)
{
	struct vp_thread *t;
	struct vp_key k = {};

	if (err == -VP_EINTR)
		reason = VP_KVM_EXIT_INTR;
	else if (err < 0)
		reason = VP_USER_ERROR | (__u32)-err;
	count_event(VP_C_EV_USER_EXIT);
	t = thread_of(ev);
	if (!t)
		return;
	t->user_exit_ts = ev->now;
	t->in_user = 1;
	t->user_reason = reason;
	if (t->in_exit && t->kclock) {
		t->kern_ns += ev->now - t->exit_ts;
		t->kclock = 0; /* the kernel clock pauses while the VMM works */
	}
	if (!vcpu_wanted(t))
		return;
	k.kind = VP_K_USER;
	k.vcpu = t->vcpu;
	k.code = reason;
	count_key(&k);
}

/* The device key a user-space exit was for, read from the VMM's kvm_run. */
static __always_inline int key_from_run(struct vp_key *k, const __u8 *run, __u32 reason)
{
	const __u8 *u = run + VP_RUN_UNION;

	if (*(const __u32 *)(run + VP_RUN_EXIT_REASON) != reason)
		return -1;
	if (reason == VP_KVM_EXIT_IO) {
		/* io: __u8 direction (0 in, 1 out), __u8 size, __u16 port */
		key_device(k, VP_K_PIO, u[0] ? VP_DIR_WRITE : VP_DIR_READ, u[1],
			   *(const __u16 *)(u + 2));
		return 0;
	}
	if (reason == VP_KVM_EXIT_MMIO) {
		/* mmio: __u64 phys_addr, __u8 data[8], __u32 len, __u8 is_write */
		key_device(k, VP_K_MMIO, u[20] ? VP_DIR_WRITE : VP_DIR_READ,
			   *(const __u32 *)(u + 16), *(const __u64 *)u);
		return 0;
	}
	return -1;
}

static __always_inline void add_user_time(struct vp_stat *s, __u64 ns)
{
	s->user_count++;
	s->user_ns += ns;
	stat_time(s, ns);
}

/*
 * `vf` is what the collector told about the fd KVM_RUN was called on (NULL:
 * not a vCPU fd it knows); `run` is the head of that vCPU's struct kvm_run,
 * or NULL when unreadable.
 */
static __always_inline void handle_run_enter(const struct vp_ev *ev, const struct vp_vcpu_fd *vf,
					     const __u8 *run)
{
	struct vp_guest_stat *g;
	struct vp_thread *t;
	struct vp_key k = {};
	struct vp_stat *s;
	__u64 user;

	count_event(VP_C_EV_RUN_ENTER);
	t = thread_of(ev);
	if (!t)
		return;
	if (vf)
		t->vcpu = vf->vcpu;
	t->in_run = 1;
	t->run_enter_ts = ev->now;
	if (t->in_exit) {
		t->exit_ts = ev->now;
		t->kclock = 1;
	}
	if (!t->in_user)
		return;
	user = ev->now - t->user_exit_ts;
	t->in_user = 0;
	if (!vcpu_wanted(t))
		return;
	k.kind = VP_K_USER;
	k.vcpu = t->vcpu;
	k.code = t->user_reason;
	s = stat_of(&k);
	if (s)
		add_user_time(s, user);
	if (t->user_reason != VP_KVM_EXIT_IO && t->user_reason != VP_KVM_EXIT_MMIO)
		return;
	if (!run || key_from_run(&k, run, t->user_reason)) {
		count_event(VP_C_RUN_UNREAD);
		return;
	}
	s = stat_of(&k);
	if (s)
		add_user_time(s, user);
	g = guest_stat_of(&k);
	if (g) {
		g->user_count++;
		g->user_ns += user;
	}
}

static __always_inline void handle_run_exit(const struct vp_ev *ev)
{
	struct vp_thread *t;
	struct vp_key k = {};
	struct vp_stat *s;

	count_event(VP_C_EV_RUN_EXIT);
	t = thread_of(ev);
	if (!t || !t->in_run)
		return;
	t->in_run = 0;
	if (!vcpu_wanted(t))
		return;
	k.kind = VP_K_RUN;
	k.vcpu = t->vcpu;
	s = stat_of(&k);
	if (s) {
		__u64 d = ev->now - t->run_enter_ts;

		s->count++;
		s->kern_count++; /* guest and kernel time together */
		s->kern_ns += d;
		stat_time(s, d);
	}
}

static __always_inline void handle_pio(const struct vp_ev *ev, __u32 rw, __u32 port, __u32 size)
{
	struct vp_thread *t;
	struct vp_key k;

	count_event(VP_C_EV_PIO);
	t = thread_of(ev);
	if (!t || !vcpu_wanted(t))
		return;
	key_device(&k, VP_K_PIO, rw == VP_KVM_PIO_OUT ? VP_DIR_WRITE : VP_DIR_READ, size, port);
	count_device(&k);
	note_access(t, &k);
	if (is_marker_port(port))
		__sync_fetch_and_add(&fw_epoch, 1);
}

#define VP_MMIO_READ_UNSATISFIED 0
#define VP_MMIO_READ		 1
#define VP_MMIO_WRITE		 2

static __always_inline void handle_mmio(const struct vp_ev *ev, __u32 type, __u32 len, __u64 gpa)
{
	struct vp_thread *t;
	struct vp_key k;

	count_event(VP_C_EV_MMIO);
	t = thread_of(ev);
	if (!t || !vcpu_wanted(t))
		return;
	key_device(&k, VP_K_MMIO, type == VP_MMIO_WRITE ? VP_DIR_WRITE : VP_DIR_READ, len, gpa);
	/* A read is counted once, when its value is known. */
	if (type != VP_MMIO_READ_UNSATISFIED)
		count_device(&k);
	note_access(t, &k);
}

/* A write an ioeventfd served: the kernel signalled QEMU, no exit to it. */
static __always_inline void handle_fast_mmio(const struct vp_ev *ev, __u64 gpa)
{
	struct vp_thread *t;
	struct vp_key k;

	count_event(VP_C_EV_FAST_MMIO);
	t = thread_of(ev);
	if (!t || !vcpu_wanted(t))
		return;
	key_device(&k, VP_K_FAST_MMIO, VP_DIR_WRITE, 0, gpa);
	count_device(&k);
}

/* Events with no exit state: count them per key for the target's threads. */
static __always_inline void handle_simple(const struct vp_ev *ev, __u32 counter, __u8 kind,
					  __u8 dir, __u32 code, __u64 addr)
{
	struct vp_thread *t;
	struct vp_key k;

	count_event(counter);
	t = thread_of(ev);
	if (!t || !vcpu_wanted(t))
		return;
	key_device(&k, kind, dir, 0, addr);
	k.code = code;
	count_key(&k);
}

/* Interrupts are VM-wide: any thread of the target may raise them. */
static __always_inline void handle_irq(const struct vp_ev *ev, __u8 kind, __u32 code, __u64 addr)
{
	struct vp_key k;

	count_event(VP_C_EV_IRQ);
	if (ev->tgid != target_tgid)
		return;
	key_device(&k, kind, VP_DIR_NONE, 0, addr);
	k.code = code;
	count_device(&k);
}

#endif
