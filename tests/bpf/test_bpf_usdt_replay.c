// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A recording's QEMU probe events count as the kernel's probes count them:
 * the same random events (named regions, accesses joined to exits, PCI
 * configuration writes, ioeventfd registrations, virtio status, interrupt
 * lines and notifications, device events, the firmware's marker region)
 * sent to the probes' state machine in the kernel and to the replay give
 * the same counts, names, joins and drops, read through the one reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "qemu_events.h"
#include "qemu_usdt.h"
#include "qemu_usdt_source.h"
#include "usdt_replay.h"
#include "usdt_synth.skel.h"

#define NTHREADS 3
#define TID	 5000
#define NEVENTS	 6000
#define MARKER	 0x7000 /* the region named "fwcfg" */

struct gen {
	uint64_t seed;
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
	g->seed = g->seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(g->seed >> 33) % n;
}

struct pair {
	struct usdt_synth *skel;
	struct vp_usdt_replay *ur;
};

static void both(struct pair *p, const struct vp_synth_qemu *e)
{
	struct vp_synth_qemu k = *e;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &k, .ctx_size_in = sizeof(k));
	struct vp_replay_ev r = { .type = VP_REC_QEMU, .flags = (uint8_t)e->flags, .tid = e->tid };

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(p->skel->progs.synth_qemu), &opts),
			 0);
	assert_int_equal(opts.retval, 0);
	memcpy(r.a, e->a, sizeof(r.a));
	memcpy(r.name, e->name, sizeof(r.name));
	assert_int_equal(vp_usdt_replay_event(p->ur, &r), 0);
}

static uint64_t region(struct gen *g, uint32_t nregions)
{
	return rnd(g, 50) == 0 ? MARKER : 0x10000 + 0x40 * (uint64_t)rnd(g, nregions);
}

static void qemu_ev(struct pair *p, uint32_t tid, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct vp_synth_qemu e = { .tid = tid, .a = { a0, a1, a2 } };

	both(p, &e);
}

static void random_event(struct pair *p, struct gen *g, uint32_t nregions)
{
	static const uint64_t vdevs[] = { 0xa000, 0xa100, 0xa200 };
	uint32_t tid = TID + rnd(g, NTHREADS), kind = rnd(g, 12);
	uint64_t vdev = vdevs[rnd(g, 3)];

	switch (kind) {
	case 0:
	case 1:
	case 2:
	case 3: {
		uint64_t mr = region(g, nregions);
		uint32_t join = rnd(g, 3); /* none, VP_UA_PIO, VP_UA_MMIO */

		if (rnd(g, 3) == 0) {
			struct vp_synth_qemu n = { .flags = VP_REC_F_NAME,
						   .tid = tid,
						   .a = { mr } };

			if (mr == MARKER)
				snprintf(n.name, sizeof(n.name), "fwcfg");
			else if (rnd(g, 5))
				snprintf(n.name, sizeof(n.name), "%s-%llx",
					 rnd(g, 2) ? "virtio-pci-common" : "ide",
					 (unsigned long long)mr);
			both(p, &n);
		}
		qemu_ev(p, tid, VP_UO_A0(kind & 1 ? VP_UO_WRITE : VP_UO_READ, join, 0), mr,
			join ? 0x1f0 + rnd(g, 8) : 0);
		break;
	}
	case 4: qemu_ev(p, tid, VP_UO_A0(VP_UO_CFG_WRITE, 0, 0), 0xb000 + rnd(g, 2), 0); break;
	case 5:
		qemu_ev(p, tid,
			VP_UO_A0(VP_UO_IOEVENTFD,
				 rnd(g, 2) ? VP_UA_IOEVENTFD_MMIO : VP_UA_IOEVENTFD_PIO, 0),
			0, 0xfe000000 + 4 * rnd(g, 6));
		break;
	case 6: qemu_ev(p, tid, VP_UO_A0(VP_UO_VIRTIO_STATUS, 0, 0), vdev, 0); break;
	case 7:
		qemu_ev(p, tid, VP_UO_A0(VP_UO_IRQ, VP_UI_IOAPIC, (int)rnd(g, 2)), 0, rnd(g, 4));
		break;
	case 8:
		qemu_ev(p, tid, VP_UO_A0(VP_UO_IRQ, rnd(g, 2) ? VP_UI_VIRTIO : VP_UI_STOPWATCH, -1),
			vdev, 0);
		break;
	case 9: qemu_ev(p, tid, VP_UO_A0(VP_UO_VDEV_TYPE, VP_VDEV_BLK, 0), vdev, 0); break;
	default:
		/* an index past the catalogue is one of a later version's */
		qemu_ev(p, tid,
			VP_UO_A0(VP_UO_EVENT, 0, rnd(g, (uint32_t)vp_qemu_events_count + 2)),
			rnd(g, 2) ? vdev : 0, 0);
		break;
	}
}

static int by_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line per count, sorted: the two readings' orders differ. */
static char *canon(const struct vp_usdt_counts *c)
{
	size_t n = c->n + c->njoins + c->nirqs + c->nevents + 1, k = 0;
	char **lines = calloc(n, sizeof(*lines)), *out;
	size_t len = 0;

	assert_non_null(lines);
	for (size_t i = 0; i < c->n; i++)
		assert_true(asprintf(&lines[k++], "region %llx %s %llu %llu %llu %llu",
				     (unsigned long long)c->r[i].mr, c->r[i].name,
				     (unsigned long long)c->r[i].reads,
				     (unsigned long long)c->r[i].writes,
				     (unsigned long long)c->r[i].guest_reads,
				     (unsigned long long)c->r[i].guest_writes) > 0);
	for (size_t i = 0; i < c->njoins; i++)
		assert_true(asprintf(&lines[k++], "join %u %llx %s", c->joins[i].kind,
				     (unsigned long long)c->joins[i].addr, c->joins[i].region) > 0);
	for (size_t i = 0; i < c->nirqs; i++)
		assert_true(asprintf(&lines[k++], "irq %u %u %llx %s %s %llu %llu", c->irqs[i].kind,
				     c->irqs[i].line, (unsigned long long)c->irqs[i].obj,
				     c->irqs[i].region, c->irqs[i].device_id ?: "-",
				     (unsigned long long)c->irqs[i].raised,
				     (unsigned long long)c->irqs[i].guest_raised) > 0);
	for (size_t i = 0; i < c->nevents; i++)
		assert_true(asprintf(&lines[k++], "event %s %llx %s %s %llu %llu",
				     c->events[i].e->name, (unsigned long long)c->events[i].obj,
				     c->events[i].region, c->events[i].device_id ?: "-",
				     (unsigned long long)c->events[i].total,
				     (unsigned long long)c->events[i].guest) > 0);
	assert_true(asprintf(&lines[k++], "dropped %llu %llu marks %llu",
			     (unsigned long long)c->dropped_counts,
			     (unsigned long long)c->dropped_names,
			     (unsigned long long)c->fw_cfg_accesses) > 0);
	qsort(lines, k, sizeof(*lines), by_line);
	for (size_t i = 0; i < k; i++)
		len += strlen(lines[i]) + 1;
	out = calloc(1, len + 1);
	assert_non_null(out);
	for (size_t i = 0; i < k; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
		free(lines[i]);
	}
	free(lines);
	return out;
}

static void run_seed(uint64_t seed, uint32_t nregions, int nevents, struct vp_usdt_counts *kc)
{
	struct gen g = { seed };
	struct pair p = { usdt_synth__open_and_load(), vp_usdt_replay_new() };
	struct vp_usdt_counts rc;
	struct vp_usdt_maps m;
	char *ktext, *rtext;

	assert_non_null(p.skel);
	assert_non_null(p.ur);
	for (int i = 0; i < nevents; i++)
		random_event(&p, &g, nregions);
	m = VP_USDT_MAPS_OF(p.skel, 0); /* no QEMU to name VirtIODevices */
	assert_int_equal(vp_usdt_read_maps(&m, kc), 0);
	assert_int_equal(vp_usdt_replay_counts(p.ur, &rc), 0);
	ktext = canon(kc);
	rtext = canon(&rc);
	assert_string_equal(ktext, rtext);
	free(ktext);
	free(rtext);
	vp_usdt_counts_free(&rc);
	vp_usdt_replay_free(p.ur);
	usdt_synth__destroy(p.skel);
}

static int skip_unless_root(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: loading BPF programs needs root\n");
		return 1;
	}
	return 0;
}

static void replay_equals_kernel(void **state)
{
	(void)state;
	if (skip_unless_root())
		return;
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct vp_usdt_counts c;
		uint64_t guest = 0, all = 0;

		run_seed(seed, 40, NEVENTS, &c);
		/* The stream reached every part of the machine. */
		assert_true(c.n > 30);
		assert_true(c.njoins > 10);
		assert_true(c.nirqs > 3);
		assert_true(c.nevents > 5);
		assert_true(c.fw_cfg_accesses > 0);
		for (size_t i = 0; i < c.n; i++) {
			guest += c.r[i].guest_reads + c.r[i].guest_writes;
			all += c.r[i].reads + c.r[i].writes;
		}
		assert_true(guest > 0 && guest < all);
		assert_int_equal(c.dropped_counts, 0);
		vp_usdt_counts_free(&c);
	}
}

/* More regions than the kernel's tables hold: both drop the same ones. */
static void replay_overflows_as_kernel(void **state)
{
	struct vp_usdt_counts c;

	(void)state;
	if (skip_unless_root())
		return;
	run_seed(99, 3000, 4 * NEVENTS, &c);
	assert_true(c.dropped_counts > 0);
	assert_true(c.dropped_names > 0);
	vp_usdt_counts_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replay_equals_kernel),
		cmocka_unit_test(replay_overflows_as_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
