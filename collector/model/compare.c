// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "compare.h"

#include <stdlib.h>
#include <string.h>

double vp_compare_per_op(uint64_t count, uint64_t ops)
{
	return ops ? (double)count / (double)ops : -1.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double vp_median(double *v, size_t n)
{
	if (!n)
		return -1.0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double vp_compare_exits_per_op(const struct vp_compare_row *r)
{
	return r->ran ? vp_compare_per_op(r->to_user + r->ioeventfd + r->coalesced, r->ops) : -1.0;
}

void vp_compare_speedups(struct vp_compare *cmp)
{
	cmp->nspeedups = 0;
	for (size_t p = 0; p < cmp->n; p++) {
		const struct vp_compare_row *wp = &cmp->rows[p];

		if (!wp->group || !wp->path || strcmp(wp->path, "paravirtual"))
			continue;
		for (size_t e = 0; e < cmp->n; e++) {
			const struct vp_compare_row *we = &cmp->rows[e];
			struct vp_compare_speedup *s;

			if (!we->group || !we->path || strcmp(we->path, "emulated") ||
			    strcmp(we->group, wp->group))
				continue;
			s = &cmp->speedups[cmp->nspeedups++];
			s->group = wp->group;
			s->paravirtual = p;
			s->emulated = e;
			/* unknown unless both took measurable time */
			s->ratio = cmp->rows[p].us_per_op > 0 && cmp->rows[e].us_per_op >= 0
					   ? cmp->rows[e].us_per_op / cmp->rows[p].us_per_op
					   : -1.0;
			s->exits_ratio = vp_compare_exits_per_op(&cmp->rows[p]) > 0 &&
							 vp_compare_exits_per_op(&cmp->rows[e]) >= 0
						 ? vp_compare_exits_per_op(&cmp->rows[e]) /
							   vp_compare_exits_per_op(&cmp->rows[p])
						 : -1.0;
		}
	}
}
