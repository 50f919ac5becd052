/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Adding aggregates and comparing keys: the same arithmetic where the
 * kernel programs add a thread's held rows to their tables and where the
 * collector sums the tables' per-CPU copies.
 */
#ifndef VMEXIT_STAT_H
#define VMEXIT_STAT_H

#include "vmexit.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* dst += src, as if src's events had been added to dst one by one. */
static __always_inline void stat_merge(struct vp_stat *dst, const struct vp_stat *src)
{
	dst->count += src->count;
	dst->user_count += src->user_count;
	dst->user_ns += src->user_ns;
	dst->kern_count += src->kern_count;
	dst->kern_ns += src->kern_ns;
	if (src->min_ns && (!dst->min_ns || src->min_ns < dst->min_ns))
		dst->min_ns = src->min_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	for (int i = 0; i < VP_HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
}

static __always_inline int keys_equal(const struct vp_key *a, const struct vp_key *b)
{
	return a->kind == b->kind && a->dir == b->dir && a->isa == b->isa && a->size == b->size &&
	       a->vcpu == b->vcpu && a->flags == b->flags && a->code == b->code && a->vm == b->vm &&
	       a->addr == b->addr;
}

#endif
