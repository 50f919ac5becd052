/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Per-vCPU activity over time: at every refresh of a live profile, what each
 * vCPU did since the previous one.  The kernel maps hold only running
 * totals, so each sample is the difference between two reads.
 */
#ifndef VP_TIMELINE_H
#define VP_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

struct vp_tl_sample {
	double t;      /* seconds since the profile started */
	uint16_t vcpu; /* VP_VCPU_UNKNOWN when the vCPU could not be told */
	uint64_t exits_to_user, kernel_exits, user_ns, kernel_ns;
};

struct vp_timeline {
	double interval_s;
	struct vp_tl_sample *s; /* in time order, vCPUs ascending within one t */
	size_t n, cap;
	struct vp_vcpu_sum *total; /* running totals per vCPU at the last sample */
	size_t ntotal, total_cap;
};

/* Appends one sample per vCPU active in r since the last call. 0 or -ENOMEM. */
int vp_timeline_add(struct vp_timeline *tl, const struct vp_result *r, double t);
void vp_timeline_free(struct vp_timeline *tl);

#endif
