// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A recording's replay aggregates as the kernel does: the same events,
 * random but shaped like a VM's (exits with their accesses, returns to the
 * VMM, noise between), sent to the kernel's state machine and to the
 * replay, give the same rows, times and counters to the last nanosecond,
 * with and without counting at kvm_entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "replay.h"
#include "synth_fixture.h"
#include "vmexit_source.h"

#define NTHREADS 3
#define NEVENTS	 4000

struct gen {
	uint64_t seed, ts;
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
	g->seed = g->seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(g->seed >> 33) % n;
}

static const char *const comms[NTHREADS] = { "CPU 0/KVM", "CPU 1/KVM", "qemu-worker" };

struct pair {
	struct fixture *f;
	struct vp_replay *rp;
};

/* One event to both: the kernel's synthetic event and the recording's. */
static void both(struct pair *p, struct vp_synth_event *e, const struct vp_replay_ev *r)
{
	struct vp_replay_ev ev = *r;

	ev.tid = e->tid;
	ev.ts = e->ts;
	e->tgid = TGID;
	memcpy(e->comm, comms[e->tid - TID], strlen(comms[e->tid - TID]) + 1);
	send_ev(p->f, e);
	assert_int_equal(vp_replay_event(p->rp, &ev), 0);
}

static void random_event(struct pair *p, struct gen *g, uint32_t tid)
{
	static const uint16_t ports[] = { 0x1f0, 0x1f7, 0x3f8, 0x510, 0xcf8 };
	struct vp_synth_event e = { .tid = tid, .ts = g->ts };
	struct vp_replay_ev r = { 0 };
	uint32_t kind = rnd(g, 14);

	switch (kind) {
	case 0:
	case 1: {
		uint32_t reason = rnd(g, 3) ? 30 : 48, vcpu = tid - TID;

		e.type = VP_SYN_EXIT;
		e.a[0] = r.a[0] = reason;
		e.a[1] = r.a[1] = VP_ISA_VMX_CODE;
		e.a[2] = r.a[2] = vcpu;
		r.type = VP_REC_EXIT;
		r.flags = VP_REC_F_VCPU;
		break;
	}
	case 2:
	case 3:
		e.type = VP_SYN_ENTRY;
		e.a[0] = r.a[0] = tid - TID;
		r.type = VP_REC_ENTRY;
		r.flags = VP_REC_F_VCPU;
		break;
	case 4: {
		int err = rnd(g, 8) ? 0 : -4;

		e.type = VP_SYN_USER_EXIT;
		e.a[0] = r.a[0] = rnd(g, 2) ? 2 : 6;
		e.a[1] = (uint64_t)(int64_t)err;
		r.a[1] = (uint32_t)err;
		r.type = VP_REC_USER_EXIT;
		break;
	}
	case 5:
		e.type = VP_SYN_PIO;
		e.a[0] = r.a[0] = rnd(g, 2);
		e.a[1] = r.a[1] = ports[rnd(g, 5)];
		e.a[2] = r.a[2] = 1u << rnd(g, 3);
		e.a[3] = 1;
		r.type = VP_REC_PIO;
		break;
	case 6:
		e.type = VP_SYN_MMIO;
		e.a[0] = r.a[0] = rnd(g, 3);
		e.a[1] = r.a[1] = 4;
		e.a[2] = r.a[2] = 0xfebf0000ULL + 4 * rnd(g, 8);
		r.type = VP_REC_MMIO;
		break;
	case 7: {
		struct kvm_run run;

		if (rnd(g, 2))
			io_run(&run, rnd(g, 2), ports[rnd(g, 5)], 1);
		else
			mmio_run(&run, rnd(g, 2), 0xfebf0000ULL + 4 * rnd(g, 8), 4);
		e.type = VP_SYN_RUN_ENTER;
		e.a[0] = 99; /* no vCPU fd the kernel was told of */
		memcpy(e.run, &run, sizeof(e.run));
		e.run_valid = rnd(g, 10) != 0;
		r.type = VP_REC_RUN_ENTER;
		if (e.run_valid) {
			r.flags = VP_REC_F_RUN;
			r.a[1] = run.exit_reason;
			memcpy(r.u, (const uint8_t *)&run + 32, sizeof(r.u));
		}
		break;
	}
	case 8:
		e.type = VP_SYN_RUN_EXIT;
		r.type = VP_REC_RUN_EXIT;
		break;
	case 9:
		e.type = VP_SYN_CPUID;
		e.a[0] = r.a[0] = rnd(g, 4);
		r.type = VP_REC_CPUID;
		break;
	case 10:
		e.type = VP_SYN_MSR;
		e.a[0] = r.a[0] = rnd(g, 2);
		e.a[1] = r.a[1] = 0x10 + rnd(g, 3);
		r.type = VP_REC_MSR;
		break;
	case 11:
		e.type = VP_SYN_FAST_MMIO;
		e.a[0] = r.a[0] = 0xfe003000ULL;
		r.type = VP_REC_FAST_MMIO;
		break;
	case 12:
		/* the recorder keeps rising edges only (vmexit.bpf.c) */
		e.type = VP_SYN_SET_IRQ;
		e.a[0] = r.a[0] = 10 + rnd(g, 3);
		e.a[1] = 1;
		r.type = VP_REC_IRQ;
		break;
	default:
		e.type = VP_SYN_MSI;
		e.a[0] = r.a[0] = 0xfee00000ULL;
		e.a[1] = r.a[1] = 0x40 + rnd(g, 2);
		r.type = VP_REC_MSI;
		break;
	}
	both(p, &e, &r);
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct vp_row *)a)->key, &((const struct vp_row *)b)->key,
		      sizeof(struct vp_key));
}

static void same(struct vp_result *kernel, struct vp_result *replay)
{
	qsort(kernel->rows, kernel->nrows, sizeof(*kernel->rows), key_cmp);
	qsort(replay->rows, replay->nrows, sizeof(*replay->rows), key_cmp);
	assert_int_equal(kernel->nrows, replay->nrows);
	for (size_t i = 0; i < kernel->nrows; i++) {
		assert_memory_equal(&kernel->rows[i].key, &replay->rows[i].key,
				    sizeof(struct vp_key));
		assert_memory_equal(&kernel->rows[i].st, &replay->rows[i].st,
				    sizeof(struct vp_stat));
	}
	assert_memory_equal(kernel->counters, replay->counters, sizeof(kernel->counters));
}

static void run_seed(uint64_t seed, int at_entry)
{
	struct vp_replay_opts o = { .tgid = TGID,
				    .vcpu_filter = -1,
				    .count_at_entry = at_entry,
				    .stats_entries = VP_MAX_STATS,
				    .nslowest = 8 };
	struct gen g = { seed, 1000 };
	struct pair p;
	struct vp_result r;

	vp_marker_ports(o.marker_ports);
	p.f = load_counting_at_entry(-1, at_entry);
	p.f->count_at_entry = at_entry;
	p.rp = vp_replay_new(&o);
	assert_non_null(p.rp);
	for (uint32_t t = 0; t < NTHREADS; t++) {
		struct vp_replay_ev th = { .type = VP_REC_THREAD, .tid = TID + t, .a = { TGID } };

		memcpy(th.comm, comms[t], strlen(comms[t]) + 1);
		assert_int_equal(vp_replay_event(p.rp, &th), 0);
	}
	for (int i = 0; i < NEVENTS; i++) {
		g.ts += 1 + rnd(&g, 5000);
		random_event(&p, &g, TID + rnd(&g, NTHREADS));
	}
	read_back(p.f);
	vp_result_init(&r);
	assert_int_equal(vp_replay_result(p.rp, &r), 0);
	assert_true(r.nrows > 10);
	same(&p.f->res, &r);
	vp_result_free(&r);
	vp_replay_free(p.rp);
	unload(p.f);
}

static void replay_equals_kernel(void **state)
{
	(void)state;
	if (skip_unless_root())
		return;
	for (uint64_t seed = 1; seed <= 4; seed++)
		run_seed(seed, 0);
}

static void replay_equals_kernel_counting_at_entry(void **state)
{
	(void)state;
	if (skip_unless_root())
		return;
	for (uint64_t seed = 11; seed <= 14; seed++)
		run_seed(seed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replay_equals_kernel),
		cmocka_unit_test(replay_equals_kernel_counting_at_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
