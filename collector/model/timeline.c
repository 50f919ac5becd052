// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "growbuf.h"

/* The running totals of vcpu at the last sample (zero the first time). */
static struct vp_vcpu_sum *last_of(struct vp_timeline *tl, uint16_t vcpu)
{
	for (size_t i = 0; i < tl->ntotal; i++)
		if (tl->total[i].vcpu == vcpu)
			return &tl->total[i];
	if (vp_grow((void **)&tl->total, tl->ntotal, &tl->total_cap, sizeof(*tl->total), 8))
		return NULL;
	memset(&tl->total[tl->ntotal], 0, sizeof(*tl->total));
	tl->total[tl->ntotal].vcpu = vcpu;
	return &tl->total[tl->ntotal++];
}

int vp_timeline_add(struct vp_timeline *tl, const struct vp_result *r, double t)
{
	struct vp_vcpu_sum *now;
	size_t n = vp_result_vcpu_sums(r, &now);
	int ret = -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		struct vp_vcpu_sum *prev = last_of(tl, now[i].vcpu);

		if (!prev || vp_grow((void **)&tl->s, tl->n, &tl->cap, sizeof(*tl->s), 64))
			goto out;
		tl->s[tl->n++] = (struct vp_tl_sample){
			.t = t,
			.vcpu = now[i].vcpu,
			.exits_to_user = now[i].user - prev->user,
			.kernel_exits = now[i].kern - prev->kern,
			.user_ns = now[i].user_ns - prev->user_ns,
			.kernel_ns = now[i].kern_ns - prev->kern_ns,
		};
		*prev = now[i];
	}
	ret = 0;
out:
	free(now);
	return ret;
}

void vp_timeline_free(struct vp_timeline *tl)
{
	free(tl->s);
	free(tl->total);
	memset(tl, 0, sizeof(*tl));
}
