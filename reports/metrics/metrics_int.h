/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The metric families of one exposition, filled from the document
 * (metrics.c) and printed in either text format (metrics_family.c).
 * Series of one family with the same labels are summed, so rows the
 * document keeps apart by a key the metrics leave out (an address, a
 * vCPU) never give two samples of one series.
 */
#ifndef VP_METRICS_INT_H
#define VP_METRICS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "metrics.h"

/* A document latency's log2 slots: [2^i, 2^(i+1)) ns, the last unbounded. */
#define VP_OM_SLOTS 32

enum vp_om_type { VP_OM_COUNTER, VP_OM_GAUGE, VP_OM_HISTOGRAM, VP_OM_INFO };

/* A label set, escaped and joined: domain="web-01",vcpu="0". */
struct vp_om_labels {
	char buf[1024];
	size_t len;
};

void vp_om_labels_init(struct vp_om_labels *l);
/* Appends name="value", value escaped as both formats want it (\\, \", \n);
 * a value too long for the set is cut at a character. */
void vp_om_label(struct vp_om_labels *l, const char *name, const char *value);
void vp_om_label_int(struct vp_om_labels *l, const char *name, long long v);

struct vp_om_series {
	char *labels;
	int64_t value; /* a count, or nanoseconds for a family in seconds */
	uint64_t slots[VP_OM_SLOTS];
	int64_t sum_ns; /* a histogram's */
};

struct vp_om_family {
	const char *name; /* without the type's suffix: vmexit_prof_exits */
	const char *help;
	enum vp_om_type type;
	bool seconds; /* values are nanoseconds, shown in seconds */
	struct vp_om_series *s;
	size_t n, cap;
};

/* The series of f with labels l, made on first use; NULL when out of memory. */
struct vp_om_series *vp_om_series(struct vp_om_family *f, const struct vp_om_labels *l);
/* Adds v to a counter or gauge series. */
int vp_om_add(struct vp_om_family *f, const struct vp_om_labels *l, int64_t v);
/* Adds a document latency object (its slots) and sum_ns to a histogram
 * series; a null latency adds nothing. */
int vp_om_add_latency(struct vp_om_family *f, const struct vp_om_labels *l, const json_t *lat,
		      int64_t sum_ns);
/* Prints the family in fmt; nothing for a family without a series. */
void vp_om_print(FILE *out, const struct vp_om_family *f, enum vp_metrics_format fmt);
void vp_om_free(struct vp_om_family *f);

#endif
