/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The per-thread exit state machine, over the tables of vmexit_maps.bpf.h.
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

/*
 * The tables are the includer's: vmexit_maps.bpf.h in the kernel, the
 * collector's replay of a recording in user space.  Either provides
 * struct vp_ev, the settings (count_at_entry, keep_guest_part,
 * target_vcpu, marker_ports, fw_epoch) and count_event, thread_of,
 * stat_of, guest_stat_of and is_vm.
 */
#include "vmexit_keys.h"

static __always_inline int vcpu_wanted(const struct vp_thread *t)
{
	return target_vcpu < 0 || t->vcpu == (__u16)target_vcpu;
}

static __always_inline void count_key(struct vp_key *k)
{
	struct vp_stat *s = stat_of(k, 1);

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

/* The row thread t holds for role, made to hold key k (vmexit.h,
 * vp_held): what it held under another key goes to the table first. */
static __always_inline struct vp_stat *held_stat(struct vp_thread *t, __u32 role,
						 const struct vp_key *k)
{
	struct vp_held *h;
	struct vp_stat *s;

	if (role >= VP_HELD_N)
		return NULL;
	h = &t->held[role];
	if (keys_equal(&h->key, k))
		return &h->st;
	if (h->key.kind) {
		/* a row of times alone is one update folded */
		s = stat_of(&h->key, h->st.count ? h->st.count : 1);
		if (s)
			stat_merge(s, &h->st);
	}
	h->key = *k;
	__builtin_memset(&h->st, 0, sizeof(h->st));
	return &h->st;
}

static __always_inline void count_held(struct vp_thread *t, __u32 role, const struct vp_key *k)
{
	struct vp_stat *s = held_stat(t, role, k);

	if (s)
		s->count++;
}

static __always_inline void exit_key(struct vp_key *k, const struct vp_thread *t)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->kind = VP_K_EXIT;
	k->isa = t->isa;
	k->vcpu = t->vcpu;
	k->code = t->exit_reason;
}

static __always_inline void add_user_time(struct vp_stat *s, __u64 ns)
{
	s->user_count++;
	s->user_ns += ns;
	stat_time(s, ns);
}

/* The access of the exit in progress as a device key. */
static __always_inline void access_key(struct vp_key *k, const struct vp_thread *t)
{
	key_device(k, t->acc_kind, t->acc_dir, t->acc_size, t->acc_addr);
}

/* Adds what the thread holds of its access and not yet counted: with
 * count_at_entry, the accesses since the last entry and one VMM time. */
static __always_inline void add_pending(struct vp_stat *s, struct vp_guest_stat *g,
					const struct vp_thread *t)
{
	if (s) {
		s->count += t->acc_n;
		if (t->acc_timed)
			add_user_time(s, t->acc_user_ns);
	}
	if (g) {
		g->count += t->acc_n;
		if (t->acc_timed) {
			g->user_count++;
			g->user_ns += t->acc_user_ns;
		}
	}
}

static __always_inline void flush_access(struct vp_thread *t)
{
	struct vp_key k;

	if (t->acc_kind && (t->acc_n || t->acc_timed)) {
		access_key(&k, t);
		add_pending(held_stat(t, VP_HELD_ACCESS, &k), guest_stat_of(&k), t);
	}
	t->acc_n = 0;
	t->acc_timed = 0;
}

/* The access of the exit in progress, so kernel and VMM time can reach it;
 * `counted`: this event is the access itself (an MMIO read is counted
 * once, when its value is known). */
static __always_inline void note_access(struct vp_thread *t, struct vp_key *k, int counted)
{
	if (!count_at_entry) {
		if (counted) {
			struct vp_guest_stat *g = guest_stat_of(k);

			count_held(t, VP_HELD_ACCESS, k);
			if (g)
				g->count++;
		}
	} else if (t->acc_kind != k->kind || t->acc_dir != k->dir || t->acc_size != k->size ||
		   t->acc_addr != k->addr) {
		flush_access(t);
	}
	if (count_at_entry && counted)
		t->acc_n++;
	t->acc_kind = k->kind;
	t->acc_dir = k->dir;
	t->acc_size = k->size;
	t->acc_addr = k->addr;
}

/*
 * With count_at_entry, the VMM's time ends at the vCPU thread's next kvm
 * event: the answer of an IN or MMIO read (kvm_pio, kvm_mmio), the next
 * exit to user space (a KVM_RUN that returned before entering, or the next
 * piece of a string instruction), or kvm_entry.  What KVM does between
 * KVM_RUN and that event is counted as the VMM's, a few hundred ns.
 */
static __always_inline void end_user(struct vp_thread *t, __u64 now)
{
	__u64 user = now - t->user_exit_ts;
	struct vp_key k = {};
	struct vp_stat *s;

	t->in_user = 0;
	if (t->in_exit) {
		t->exit_ts = now;
		t->kclock = 1;
	}
	if (!vcpu_wanted(t))
		return;
	k.kind = VP_K_USER;
	k.vcpu = t->vcpu;
	k.code = t->user_reason;
	s = held_stat(t, VP_HELD_USER, &k);
	if (s) {
		s->count++;
		add_user_time(s, user);
	}
	if (t->user_reason != VP_KVM_EXIT_IO && t->user_reason != VP_KVM_EXIT_MMIO)
		return;
	if (!t->acc_kind) {
		count_event(VP_C_RUN_UNREAD);
		return;
	}
	if (t->acc_timed)
		flush_access(t);
	t->acc_user_ns = user;
	t->acc_timed = 1;
}

/* An exit whose kvm_entry was not seen (count_at_entry): counted now. */
static __always_inline void count_open_exit(struct vp_thread *t)
{
	struct vp_key k;

	flush_access(t);
	if (!vcpu_wanted(t))
		return;
	exit_key(&k, t);
	count_held(t, VP_HELD_EXIT, &k);
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
	if (count_at_entry && t->in_exit)
		count_open_exit(t);
	if (has_vcpu)
		t->vcpu = vcpu_id;
	t->exit_ts = ev->now;
	t->kclock = 1;
	t->kern_ns = 0;
	t->in_exit = 1;
	t->exit_reason = reason;
	t->isa = isa;
	t->acc_kind = 0;
	if (count_at_entry || !vcpu_wanted(t))
		return;
	/* Counted now, timed at kvm_entry: the exit that ends the VM (a HLT or
	 * shutdown the VMM does not resume) has no entry but was still taken. */
	exit_key(&k, t);
	count_held(t, VP_HELD_EXIT, &k);
}

static __always_inline void handle_entry(const struct vp_ev *ev, __u32 vcpu_id, int has_vcpu)
{
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
	if (count_at_entry && t->in_user)
		end_user(t, ev->now);
	if (!t->in_exit) {
		flush_access(t); /* an exit begun before the programs were attached */
		goto done;
	}
	t->in_exit = 0;
	kern = t->kern_ns + (t->kclock ? ev->now - t->exit_ts : 0);
	if (!vcpu_wanted(t))
		goto done;
	exit_key(&k, t);
	s = held_stat(t, VP_HELD_EXIT, &k);
	if (s) {
		if (count_at_entry)
			s->count++;
		s->kern_count++;
		s->kern_ns += kern;
		stat_time(s, kern);
	}
	if (t->acc_kind) {
		struct vp_guest_stat *g;

		/* Which device the exit was for, beside its reason: an npf exit of
		 * an ioeventfd kick never reaches the VMM to be told apart there. */
		k.kind = VP_K_EXIT_ACCESS;
		k.dir = t->acc_kind;
		k.addr = t->acc_addr;
		s = held_stat(t, VP_HELD_EXIT_ACCESS, &k);
		if (s) {
			s->count++;
			s->kern_count++;
			s->kern_ns += kern;
		}
		access_key(&k, t);
		s = held_stat(t, VP_HELD_ACCESS, &k);
		g = guest_stat_of(&k);
		add_pending(s, g, t);
		if (s) {
			s->kern_count++;
			s->kern_ns += kern;
		}
		if (g) {
			g->kern_count++;
			g->kern_ns += kern;
		}
	}
done:
	t->acc_kind = 0;
	t->acc_n = 0;
	t->acc_timed = 0;
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
	if (count_at_entry && t->in_user)
		end_user(t, ev->now);
	t->user_exit_ts = ev->now;
	t->in_user = 1;
	t->user_reason = reason;
	if (t->in_exit && t->kclock) {
		t->kern_ns += ev->now - t->exit_ts;
		t->kclock = 0; /* the kernel clock pauses while the VMM works */
	}
	if (count_at_entry || !vcpu_wanted(t))
		return;
	k.kind = VP_K_USER;
	k.vcpu = t->vcpu;
	k.code = reason;
	count_held(t, VP_HELD_USER, &k);
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
			   *(const __u16 *)(u + VP_RUN_IO_PORT));
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
	s = held_stat(t, VP_HELD_USER, &k);
	if (s)
		add_user_time(s, user);
	if (t->user_reason != VP_KVM_EXIT_IO && t->user_reason != VP_KVM_EXIT_MMIO)
		return;
	if (!run || key_from_run(&k, run, t->user_reason)) {
		count_event(VP_C_RUN_UNREAD);
		return;
	}
	s = held_stat(t, VP_HELD_ACCESS, &k);
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
	s = stat_of(&k, 1);
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
	note_access(t, &k, 1);
	if (count_at_entry && t->in_user)
		end_user(t, ev->now);
	if (keep_guest_part && is_marker_port(port))
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
	note_access(t, &k, type != VP_MMIO_READ_UNSATISFIED);
	if (count_at_entry && t->in_user)
		end_user(t, ev->now);
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
	count_held(t, VP_HELD_EVENT, &k);
}

/* Interrupts are VM-wide: any thread of the target may raise them. */
static __always_inline void handle_irq(const struct vp_ev *ev, __u8 kind, __u32 code, __u64 addr)
{
	struct vp_key k;

	count_event(VP_C_EV_IRQ);
	if (!is_vm(ev->tgid))
		return;
	key_device(&k, kind, VP_DIR_NONE, 0, addr);
	k.code = code;
	count_device(&k);
}

/* The events whose arguments need a word of translation first, so the
 * kernel's programs and the replay of a recording say it once. */
static __always_inline void handle_msr(const struct vp_ev *ev, __u32 write, __u32 ecx)
{
	handle_simple(ev, VP_C_EV_MSR, VP_K_MSR, write ? VP_DIR_WRITE : VP_DIR_READ, ecx, 0);
}

static __always_inline void handle_cpuid(const struct vp_ev *ev, __u32 function)
{
	handle_simple(ev, VP_C_EV_CPUID, VP_K_CPUID, VP_DIR_NONE, function, 0);
}

static __always_inline void handle_hypercall(const struct vp_ev *ev, __u64 nr)
{
	handle_simple(ev, VP_C_EV_HYPERCALL, VP_K_HYPERCALL, VP_DIR_NONE, nr, 0);
}

static __always_inline void handle_msi(const struct vp_ev *ev, __u64 address, __u64 data)
{
	handle_irq(ev, VP_K_MSI, data & 0xff, address);
}

#endif
