/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The CI regression gate's comparison: two result documents of
 * `vmexit-prof run --compare` (already through vp_doc_load), workload by
 * workload, into rows a renderer prints.  No I/O here.
 */
#ifndef VP_GATE_H
#define VP_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum vp_gate_metric {
	/* deterministic: counts per operation, equal from run to run */
	VP_GM_EXITS,	    /* exits_per_op.total */
	VP_GM_USER_EXITS,   /* exits_per_op.to_user */
	VP_GM_KERNEL_EXITS, /* exits_per_op.in_kernel */
	VP_GM_INTERRUPTS,   /* interrupts.per_op */
	/* timing: noisy, judged against the runs' spread */
	VP_GM_US,      /* timing.us_per_op (median of the unprofiled runs) */
	VP_GM_HOST_NS, /* host_ns_per_op.kernel + .qemu */
	VP_GM_COUNT,
};

#define VP_GATE_ALL_METRICS	     ((1u << VP_GM_COUNT) - 1)
#define VP_GATE_DEFAULT_MAX_INCREASE 5.0

const char *vp_gate_metric_name(enum vp_gate_metric m);
bool vp_gate_metric_is_timing(enum vp_gate_metric m);
/* The metric called name, or -1. */
int vp_gate_metric_parse(const char *name);
/* "exits_per_op, user_exits_per_op, ...": for error messages. */
void vp_gate_metric_list(char *buf, size_t len);

struct vp_gate_config {
	double max_increase_pct; /* 5.0 is +5% */
	unsigned metrics;	 /* bit (1 << enum vp_gate_metric) */
};

enum vp_gate_verdict {
	VP_GATE_OK,
	VP_GATE_REGRESSED,    /* a metric above its allowance */
	VP_GATE_NOT_MEASURED, /* null on either side: never fails */
	VP_GATE_MISSING,      /* workload in baseline, not in current */
	VP_GATE_FAILED,	      /* ok in baseline, did not run or not ok in current */
	VP_GATE_NEW,	      /* only in current: informational */
};

struct vp_gate_row {
	const char *workload; /* borrowed from the documents */
	int metric;	      /* enum vp_gate_metric, or -1: the workload as a whole */
	enum vp_gate_verdict verdict;
	bool has_baseline, has_current; /* the metric is a number on that side */
	double baseline, current;
	double change_pct;  /* (current - baseline) / baseline; +-INFINITY from 0 */
	double allowed_pct; /* the tolerance, widened by the noise for timing */
	/* timing metrics: the workload's timing.spread_pct (NAN when null) and
	 * how many runs measured it */
	double spread_baseline, spread_current;
	size_t runs_baseline, runs_current;
	const char *status; /* VP_GATE_FAILED: current's status word */
	bool ran;	    /* VP_GATE_FAILED: current's ran */
};

struct vp_gate_result {
	struct vp_gate_row *rows; /* baseline's workload order, new ones last */
	size_t nrows;
	size_t nregressions; /* REGRESSED, MISSING and FAILED rows */
	size_t nworkloads;   /* in both documents */
};

/*
 * Compares the workloads of two validated documents (both must have a
 * `workloads` array).  0, or -ENOMEM.  The rows borrow strings from the
 * documents: keep them until vp_gate_result_free.
 */
int vp_gate_compare(const json_t *baseline, const json_t *current, const struct vp_gate_config *c,
		    struct vp_gate_result *out);
void vp_gate_result_free(struct vp_gate_result *r);

#endif
