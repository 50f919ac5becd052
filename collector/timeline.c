// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "growbuf.h"

static struct vp_tl_sample *slot(struct vp_tl_sample **arr, size_t *n, size_t *cap, uint16_t vcpu)
{
	for (size_t i = 0; i < *n; i++)
		if ((*arr)[i].vcpu == vcpu)
			return &(*arr)[i];
	if (vp_grow((void **)arr, *n, cap, sizeof(**arr), 8))
		return NULL;
	memset(&(*arr)[*n], 0, sizeof(**arr));
	(*arr)[*n].vcpu = vcpu;
	return &(*arr)[(*n)++];
}

static int by_vcpu(const void *a, const void *b)
{
	const struct vp_tl_sample *x = a, *y = b;

	return (int)x->vcpu - (int)y->vcpu;
}

int vp_timeline_add(struct vp_timeline *tl, const struct vp_result *r, double t)
{
	struct vp_tl_sample *now = NULL;
	size_t nnow = 0, cap = 0;
	int ret = -ENOMEM;

	for (size_t i = 0; i < r->nrows; i++) {
		const struct vp_row *row = &r->rows[i];
		struct vp_tl_sample *s;

		if (row->key.kind != VP_K_USER && row->key.kind != VP_K_EXIT)
			continue;
		if (!(s = slot(&now, &nnow, &cap, row->key.vcpu)))
			goto out;
		if (row->key.kind == VP_K_USER) {
			s->exits_to_user += row->st.count;
			s->user_ns += row->st.user_ns;
		} else {
			s->kernel_exits += row->st.count;
			s->kernel_ns += row->st.kern_ns;
		}
	}
	if (nnow)
		qsort(now, nnow, sizeof(*now), by_vcpu);
	for (size_t i = 0; i < nnow; i++) {
		struct vp_tl_sample *prev = slot(&tl->total, &tl->ntotal, &tl->total_cap, now[i].vcpu);
		struct vp_tl_sample d;

		if (!prev)
			goto out;
		d = (struct vp_tl_sample){
			.t = t,
			.vcpu = now[i].vcpu,
			.exits_to_user = now[i].exits_to_user - prev->exits_to_user,
			.kernel_exits = now[i].kernel_exits - prev->kernel_exits,
			.user_ns = now[i].user_ns - prev->user_ns,
			.kernel_ns = now[i].kernel_ns - prev->kernel_ns,
		};
		*prev = now[i];
		if (vp_grow((void **)&tl->s, tl->n, &tl->cap, sizeof(*tl->s), 64))
			goto out;
		tl->s[tl->n++] = d;
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
