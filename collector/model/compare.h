/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The comparison of workloads per operation, emulated beside paravirtual,
 * and its statistics: medians, per-op values, speedups. */
#ifndef VP_COMPARE_H
#define VP_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attribution.h"
#include "devices.h"
#include "guest_result.h"

/* Timing runs of one workload at most (--repeat). */
#define VP_MAX_REPEAT 50
struct vp_workload;

#define VP_COMPARE_MAX 8

struct vp_compare_row {
	const struct vp_workload *w;		  /* the runner's; the names below are its */
	const char *name, *group, *path, *params; /* group, path: NULL if none */
	const struct vp_device *dev;		  /* the device under test (devices.h) */
	bool ran;				  /* QEMU ran and was profiled */
	char status[VP_GUEST_WORD];		  /* the guest's, or "error" */
	char error[512];			  /* why it did not run or has no result */
	uint64_t ops, bytes, cycles, tsc_khz;	  /* bytes: payload moved, all ops */
	/* QEMU's (USDT) on dev: after the firmware, and the firmware's before */
	uint64_t qemu_reads, qemu_writes, fw_reads, fw_writes;
	uint64_t guest_reads, guest_writes; /* the guest's own regions of dev */
	/* Guest-measured time per op (TSC cycles / tsc_khz), < 0 if unknown.
	 * Every probed access costs a uprobe trap, which would inflate the
	 * path with more accesses, so the time comes from a second run without
	 * probes; the profiled run's time is kept beside it. */
	double us_per_op, us_per_op_profiled; /* us_per_op: median of runs */
	double runs[VP_MAX_REPEAT];	      /* each unprofiled run's us per op */
	size_t nruns;
	char timing_status[VP_GUEST_WORD]; /* the unprofiled runs' guest status */
	/* The device's exits after the firmware: to QEMU, and served in the
	 * kernel.  Under KVM measured; under TCG QEMU's dispatches stand for
	 * the exits and the ioeventfd count is the guest's writes QEMU never
	 * saw dispatched (in_kernel_measured false). */
	uint64_t to_user, ioeventfd, coalesced;
	bool in_kernel_measured;
	/* Events the kernel's tables had no room for in the profiled run:
	 * the exit figures may be low by as much. */
	uint64_t not_recorded;
	double kernel_ns_per_op, qemu_ns_per_op;       /* < 0: not measured (TCG; no kvm_exit) */
	uint64_t interrupts;			       /* raised by the device after the firmware */
	struct vp_dev_event events[VP_DEV_MAX_EVENTS]; /* QEMU's, of the device */
	size_t nevents;
};

struct vp_compare_speedup {
	const char *group;
	size_t paravirtual, emulated; /* indexes into rows */
	double ratio;		      /* emulated us/op over paravirtual us/op */
	double exits_ratio;	      /* emulated exits/op over paravirtual's */
};

struct vp_compare {
	char accel[8];	      /* "kvm" or "tcg" (of the first run) */
	bool kvm_exit_silent; /* under KVM, a run saw no kvm_exit: no kernel time */
	size_t n;
	struct vp_compare_row rows[VP_COMPARE_MAX];
	size_t nspeedups;
	struct vp_compare_speedup speedups[VP_COMPARE_MAX * VP_COMPARE_MAX];
};

/* The median of v[0..n) (sorted in place), -1 if n is 0. */
double vp_median(double *v, size_t n);
/* Exits per op on the device (to user space and in the kernel), -1 without ops. */
double vp_compare_exits_per_op(const struct vp_compare_row *r);
/* Per-op value, or -1 when there were no ops. */
double vp_compare_per_op(uint64_t count, uint64_t ops);
/* Pairs every paravirtual row with every emulated row of its group. */
void vp_compare_speedups(struct vp_compare *cmp);

#endif
