// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flat_hash.h"

/* What the kernel's threads map holds, and what the replay adds to time
 * each exit as a whole.  The state machine holds a pointer to `t`. */
struct rp_thread {
	struct vp_thread t;
	uint64_t span_start; /* kvm_exit of the exit in progress; 0: none */
	bool went_user;	     /* it went to the VMM */
};

/* A thread's process and name, from its VP_REC_THREAD record. */
struct rp_thread_info {
	uint32_t tgid;
	uint8_t comm[16];
};

struct vp_replay {
	struct vp_replay_opts o;
	/* The kernel programs' tables (vmexit_maps.bpf.h), as big as theirs. */
	struct vp_fhash threads, stats, vcpu_stats, info;
	struct vp_stat overflow[VP_K_NKINDS];
	uint64_t counters[VP_C_MAX];
	uint64_t fw_epoch;
	bool saw_exits;		   /* kvm_exit fires: exits are timed from it */
	struct vp_slow_exit *slow; /* a min-heap of o.nslowest by total_ns */
	struct vp_slow_exit *sorted;
	size_t nslow;
	struct vp_timeline tl;
	uint64_t next_sample_ns;
	struct vp_result sample;
	uint64_t nevents, last_ns;
	int err;
};

/* The state machine's view of the tables: the replay being driven. */
static struct vp_replay *cur;

struct vp_ev {
	__u32 tgid;
	__u32 tid;
	__u64 now;
	const __u8 *comm;
};

#define count_at_entry	(cur->o.count_at_entry)
#define keep_guest_part 0
#define target_vcpu	(cur->o.vcpu_filter)
#define marker_ports	(cur->o.marker_ports)
#define fw_epoch	(cur->fw_epoch)

static inline void count_event(__u32 c)
{
	if (c < VP_C_MAX)
		cur->counters[c]++;
}

static inline int is_vm(__u32 tgid)
{
	return tgid == cur->o.tgid;
}

#include "vmexit_keys.h"

static inline struct vp_thread *thread_of(const struct vp_ev *ev)
{
	struct rp_thread *t;
	int full;

	if (!is_vm(ev->tgid))
		return NULL;
	t = vp_fhash_lookup(&cur->threads, &ev->tid);
	if (t)
		return &t->t;
	t = vp_fhash_get(&cur->threads, &ev->tid, &full);
	if (!t) {
		if (full)
			count_event(VP_C_THREADS_FULL);
		else
			cur->err = -ENOMEM;
		return NULL;
	}
	t->t.vcpu = vcpu_from_comm(ev->comm);
	t->t.tgid = ev->tgid;
	return &t->t;
}

static inline struct vp_stat *stat_of(const struct vp_key *key, __u64 events)
{
	struct vp_fhash *h = key->vcpu < VP_VCPU_ANY ? &cur->vcpu_stats : &cur->stats;
	struct vp_stat *s;
	int full;

	s = vp_fhash_get(h, key, &full);
	if (s)
		return s;
	if (!full) {
		cur->err = -ENOMEM;
		return NULL;
	}
	cur->counters[VP_C_STATS_FULL] += events;
	return key->kind < VP_K_NKINDS ? &cur->overflow[key->kind] : NULL;
}

/* The part after the firmware is the workload comparison's, never a
 * recording's. */
static inline struct vp_guest_stat *guest_stat_of(const struct vp_key *key)
{
	(void)key;
	return NULL;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vmexit_core.bpf.h"
#pragma GCC diagnostic pop
#undef count_at_entry
#undef keep_guest_part
#undef target_vcpu
#undef marker_ports
#undef fw_epoch

struct vp_replay *vp_replay_new(const struct vp_replay_opts *o)
{
	struct vp_replay *rp = calloc(1, sizeof(*rp));

	if (!rp)
		return NULL;
	rp->o = *o;
	if (o->interval_s > 0 && o->interval_s < VP_REPLAY_MIN_INTERVAL_S)
		rp->o.interval_s = VP_REPLAY_MIN_INTERVAL_S;
	vp_fhash_init(&rp->threads, sizeof(__u32), sizeof(struct rp_thread), VP_MAX_THREADS);
	vp_fhash_init(&rp->stats, sizeof(struct vp_key), sizeof(struct vp_stat), o->stats_entries);
	vp_fhash_init(&rp->vcpu_stats, sizeof(struct vp_key), sizeof(struct vp_stat),
		      VP_MAX_VCPU_STATS);
	vp_fhash_init(&rp->info, sizeof(__u32), sizeof(struct rp_thread_info), SIZE_MAX);
	if (o->nslowest && (!(rp->slow = calloc(o->nslowest, sizeof(*rp->slow))) ||
			    !(rp->sorted = calloc(o->nslowest, sizeof(*rp->sorted))))) {
		free(rp->slow);
		free(rp);
		return NULL;
	}
	rp->tl.interval_s = rp->o.interval_s;
	rp->next_sample_ns = o->start_ns + (uint64_t)(rp->o.interval_s * 1e9);
	vp_result_init(&rp->sample);
	return rp;
}

void vp_replay_free(struct vp_replay *rp)
{
	if (!rp)
		return;
	vp_fhash_free(&rp->threads);
	vp_fhash_free(&rp->stats);
	vp_fhash_free(&rp->vcpu_stats);
	vp_fhash_free(&rp->info);
	vp_timeline_free(&rp->tl);
	vp_result_free(&rp->sample);
	free(rp->slow);
	free(rp->sorted);
	free(rp);
}

/* Keeps the o.nslowest longest: the heap's root is the shortest kept. */
static void heap_down(struct vp_slow_exit *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct vp_slow_exit tmp;

		if (l < n && h[l].total_ns < h[m].total_ns)
			m = l;
		if (l + 1 < n && h[l + 1].total_ns < h[m].total_ns)
			m = l + 1;
		if (m == i)
			return;
		tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

static void offer_slow(struct vp_replay *rp, const struct vp_slow_exit *x)
{
	size_t i;

	if (!rp->o.nslowest)
		return;
	if (rp->nslow < rp->o.nslowest) {
		i = rp->nslow++;
		rp->slow[i] = *x;
		while (i && rp->slow[(i - 1) / 2].total_ns > rp->slow[i].total_ns) {
			struct vp_slow_exit tmp = rp->slow[i];

			rp->slow[i] = rp->slow[(i - 1) / 2];
			rp->slow[(i - 1) / 2] = tmp;
			i = (i - 1) / 2;
		}
		return;
	}
	if (x->total_ns <= rp->slow[0].total_ns)
		return;
	rp->slow[0] = *x;
	heap_down(rp->slow, rp->nslow, 0);
}

static uint64_t since_start(const struct vp_replay *rp, uint64_t ts)
{
	return ts > rp->o.start_ns ? ts - rp->o.start_ns : 0;
}

/* kvm_entry ends the exit the thread is in: its whole time, and the
 * kernel's part as the state machine counts it. */
static void end_span(struct vp_replay *rp, struct rp_thread *x, uint32_t tid, uint64_t now)
{
	const struct vp_thread *t = &x->t;
	struct vp_slow_exit s = { 0 };

	if (!x->span_start || !t->in_exit || !vcpu_wanted(t))
		goto done;
	s.start_ns = since_start(rp, x->span_start);
	s.total_ns = now - x->span_start;
	s.kern_ns = t->kern_ns + (t->kclock ? now - t->exit_ts : 0);
	s.tid = tid;
	s.vcpu = t->vcpu;
	s.isa = t->isa;
	s.reason = t->exit_reason;
	s.to_user = x->went_user;
	s.user_reason = x->went_user ? t->user_reason : 0;
	if (t->acc_kind)
		key_device(&s.access, t->acc_kind, t->acc_dir, t->acc_size, t->acc_addr);
	offer_slow(rp, &s);
done:
	x->span_start = 0;
	x->went_user = false;
}

/* Where kvm_exit never fires: the VMM's time of one exit, from the exit to
 * user space to the next KVM_RUN, with the device its kvm_run names. */
static void user_span(struct vp_replay *rp, const struct rp_thread *x, uint32_t tid, uint64_t now,
		      const __u8 *run)
{
	const struct vp_thread *t = &x->t;
	struct vp_slow_exit s = { 0 };

	if (rp->saw_exits || !t->in_user || !vcpu_wanted(t))
		return;
	s.start_ns = since_start(rp, t->user_exit_ts);
	s.total_ns = now - t->user_exit_ts;
	s.tid = tid;
	s.vcpu = t->vcpu;
	s.to_user = true;
	s.user_reason = t->user_reason;
	if (run && key_from_run(&s.access, run, t->user_reason))
		memset(&s.access, 0, sizeof(s.access));
	offer_slow(rp, &s);
}

static int sample_timeline(struct vp_replay *rp, uint64_t ts)
{
	uint64_t step = (uint64_t)(rp->o.interval_s * 1e9);
	int err;

	if (rp->o.interval_s <= 0 || !step)
		return 0;
	if (ts < rp->next_sample_ns)
		return 0;
	/* Everything replayed so far came before this boundary; the intervals
	 * up to ts saw nothing, and an idle interval has no sample. */
	err = vp_replay_result(rp, &rp->sample);
	if (!err)
		err = vp_timeline_add(&rp->tl, &rp->sample,
				      (double)since_start(rp, rp->next_sample_ns) / 1e9);
	rp->next_sample_ns += step * ((ts - rp->next_sample_ns) / step + 1);
	return err;
}

static void thread_told(struct vp_replay *rp, const struct vp_replay_ev *ev)
{
	struct rp_thread_info *i;
	int full;

	i = vp_fhash_get(&rp->info, &ev->tid, &full);
	if (!i) {
		rp->err = -ENOMEM;
		return;
	}
	i->tgid = (uint32_t)ev->a[0];
	memcpy(i->comm, ev->comm, sizeof(i->comm));
}

static void run_enter(struct vp_replay *rp, const struct vp_ev *e, const struct vp_replay_ev *ev)
{
	struct vp_vcpu_fd vf = { .vcpu = (__u32)ev->a[0] };
	__u8 run[64] = { 0 };
	struct rp_thread *x;
	bool have_run = ev->flags & VP_REC_F_RUN;

	if (have_run) {
		__u32 reason = (__u32)ev->a[1];

		memcpy(run + VP_RUN_EXIT_REASON, &reason, sizeof(reason));
		memcpy(run + VP_RUN_UNION, ev->u, sizeof(ev->u));
	}
	x = vp_fhash_lookup(&rp->threads, &e->tid);
	if (x)
		user_span(rp, x, e->tid, e->now, have_run ? run : NULL);
	handle_run_enter(e, ev->flags & VP_REC_F_VCPU ? &vf : NULL, have_run ? run : NULL);
}

int vp_replay_event(struct vp_replay *rp, const struct vp_replay_ev *ev)
{
	const struct rp_thread_info *info;
	struct vp_ev e = { .tgid = rp->o.tgid, .tid = ev->tid, .now = ev->ts };
	struct rp_thread *x;
	int err;

	cur = rp;
	rp->err = 0;
	err = sample_timeline(rp, ev->ts);
	if (err)
		return err;
	rp->nevents++;
	if (ev->ts > rp->last_ns)
		rp->last_ns = ev->ts;
	info = vp_fhash_lookup(&rp->info, &ev->tid);
	if (info) {
		e.tgid = info->tgid;
		e.comm = info->comm;
	}
	switch (ev->type) {
	case VP_REC_THREAD: thread_told(rp, ev); break;
	case VP_REC_EXIT:
		handle_exit(&e, ev->a[0], ev->a[1], ev->a[2], ev->flags & VP_REC_F_VCPU);
		x = vp_fhash_lookup(&rp->threads, &e.tid);
		if (x) {
			x->span_start = e.now;
			x->went_user = false;
		}
		rp->saw_exits = true;
		break;
	case VP_REC_ENTRY:
		x = vp_fhash_lookup(&rp->threads, &e.tid);
		if (x) {
			if (ev->flags & VP_REC_F_VCPU)
				x->t.vcpu = (__u16)ev->a[0];
			end_span(rp, x, e.tid, e.now);
		}
		handle_entry(&e, ev->a[0], ev->flags & VP_REC_F_VCPU);
		break;
	case VP_REC_USER_EXIT:
		handle_user_exit(&e, ev->a[0], (int)(int32_t)ev->a[1]);
		x = vp_fhash_lookup(&rp->threads, &e.tid);
		if (x && x->t.in_exit)
			x->went_user = true;
		break;
	case VP_REC_PIO: handle_pio(&e, ev->a[0], ev->a[1], ev->a[2]); break;
	case VP_REC_MMIO: handle_mmio(&e, ev->a[0], ev->a[1], ev->a[2]); break;
	case VP_REC_FAST_MMIO: handle_fast_mmio(&e, ev->a[0]); break;
	case VP_REC_MSR: handle_msr(&e, ev->a[0], ev->a[1]); break;
	case VP_REC_CPUID: handle_cpuid(&e, ev->a[0]); break;
	case VP_REC_HYPERCALL: handle_hypercall(&e, ev->a[0]); break;
	case VP_REC_IRQ: handle_irq(&e, VP_K_IRQ, ev->a[0], 0); break;
	case VP_REC_MSI: handle_msi(&e, ev->a[0], ev->a[1]); break;
	case VP_REC_RUN_ENTER: run_enter(rp, &e, ev); break;
	case VP_REC_RUN_EXIT: handle_run_exit(&e); break;
	default: break; /* a type of a later version: its events are not known here */
	}
	return rp->err;
}

static int append_table(const struct vp_fhash *h, struct vp_result *r)
{
	const void *key;
	size_t pos = 0;
	void *val;

	while ((val = vp_fhash_next(h, &pos, &key))) {
		int err = vp_result_append(r, key, val);

		if (err)
			return err;
	}
	return 0;
}

int vp_replay_result(struct vp_replay *rp, struct vp_result *r)
{
	struct vp_result held;
	const struct rp_thread *x;
	const void *key;
	size_t pos = 0;
	int err;

	vp_result_clear(r);
	memcpy(r->counters, rp->counters, sizeof(r->counters));
	err = append_table(&rp->stats, r);
	if (!err)
		err = append_table(&rp->vcpu_stats, r);
	for (uint32_t kind = 1; !err && kind < VP_K_NKINDS; kind++) {
		const struct vp_stat *s = &rp->overflow[kind];
		struct vp_key k = vp_key_folded((enum vp_key_kind)kind);

		if (s->count || s->user_count || s->kern_count)
			err = vp_result_append(r, &k, s);
	}
	vp_result_init(&held);
	while (!err && (x = vp_fhash_next(&rp->threads, &pos, &key)))
		err = vp_result_add_thread(&held, &x->t, rp->o.vcpu_filter, false,
					   rp->o.count_at_entry);
	if (!err)
		err = vp_result_merge(r, &held);
	vp_result_free(&held);
	return err;
}

static int slower_first(const void *a, const void *b)
{
	const struct vp_slow_exit *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

const struct vp_slow_exit *vp_replay_slowest(struct vp_replay *rp, size_t *n)
{
	if (rp->nslow)
		memcpy(rp->sorted, rp->slow, rp->nslow * sizeof(*rp->slow));
	qsort(rp->sorted, rp->nslow, sizeof(*rp->sorted), slower_first);
	*n = rp->nslow;
	return rp->sorted;
}

const struct vp_timeline *vp_replay_timeline(struct vp_replay *rp)
{
	return &rp->tl;
}

uint64_t vp_replay_events(const struct vp_replay *rp)
{
	return rp->nevents;
}

uint64_t vp_replay_last_ns(const struct vp_replay *rp)
{
	return rp->last_ns;
}
