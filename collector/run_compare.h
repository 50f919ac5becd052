/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof run --compare W1,W2[,W3]`: the emulated and paravirtual paths
 * of one kind of work side by side, per operation (issue 6). */
#ifndef VP_RUN_COMPARE_H
#define VP_RUN_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include "devices.h"
#include "guest_runner.h"
#include "run_cmd.h"

#define VP_COMPARE_MAX 8

struct vp_compare_row {
	const struct vp_workload *w;
	const struct vp_device *dev; /* the device under test (devices.h) */
	bool ran;                    /* QEMU ran and was profiled */
	char status[VP_GUEST_WORD];  /* the guest's, or "error" */
	char error[512];             /* why it did not run or has no result */
	uint64_t ops, bytes, cycles, tsc_khz; /* bytes: payload moved, all ops */
	/* QEMU's (USDT) on dev: after the firmware, and the firmware's before */
	uint64_t qemu_reads, qemu_writes, fw_reads, fw_writes;
	uint64_t guest_reads, guest_writes; /* the guest's own regions of dev */
	/* Guest-measured time per op (TSC cycles / tsc_khz), < 0 if unknown.
	 * Every probed access costs a uprobe trap, which would inflate the
	 * path with more accesses, so the time comes from a second run without
	 * probes; the profiled run's time is kept beside it. */
	double us_per_op, us_per_op_profiled;
	char timing_status[VP_GUEST_WORD]; /* the unprofiled run's guest status */
};

struct vp_compare_speedup {
	const char *group;
	size_t paravirtual, emulated; /* indexes into rows */
	double ratio;                 /* emulated us/op over paravirtual us/op */
};

struct vp_compare {
	char accel[8]; /* "kvm" or "tcg" (of the first run) */
	size_t n;
	struct vp_compare_row rows[VP_COMPARE_MAX];
	size_t nspeedups;
	struct vp_compare_speedup speedups[VP_COMPARE_MAX * VP_COMPARE_MAX];
};

/* Per-op value, or -1 when there were no ops. */
double vp_compare_per_op(uint64_t count, uint64_t ops);
/* Pairs every paravirtual row with every emulated row of its group. */
void vp_compare_speedups(struct vp_compare *cmp);
/* The whole `run --compare`: exit status 0 (all ok), 1, or 2 (bad input). */
int vp_compare_main(const struct vp_run_options *o);

#endif
