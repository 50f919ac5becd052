// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The `run --compare` sections of the terminal report: workloads, speedups. */
#include <stdlib.h>
#include <string.h>

#include "text_report_int.h"

struct wl {
	const json_t *j; /* first: vp_tr_table reads it */
	size_t group;	 /* rank of the group's first appearance */
	double us;	 /* median time per op; -1 when null, to sort it last */
	size_t idx;
};

/* Groups stay together, in the order asked for, so that each paravirtual
 * workload sits next to what it is compared with; inside a group the most
 * costly first. */
static int wl_cmp(const void *a, const void *b)
{
	const struct wl *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->us != y->us)
		return x->us < y->us ? 1 : -1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static size_t group_rank(const json_t *arr, size_t upto)
{
	const char *g = vp_doc_str(json_array_get(arr, upto), "group");

	for (size_t i = 0; i < upto; i++) {
		const char *h = vp_doc_str(json_array_get(arr, i), "group");

		if ((!g && !h) || (g && h && !strcmp(g, h)))
			return i;
	}
	return upto;
}

void vp_tr_workloads(const struct vp_tr_ctx *c, const json_t *arr)
{
	size_t n = json_array_size(arr);
	struct wl *w = n ? calloc(n, sizeof(*w)) : NULL;

	if (!w)
		return;
	for (size_t i = 0; i < n; i++) {
		w[i].j = json_array_get(arr, i);
		w[i].idx = i;
		w[i].group = group_rank(arr, i);
		if (!vp_doc_num(w[i].j, "timing.us_per_op", &w[i].us))
			w[i].us = -1;
	}
	qsort(w, n, sizeof(*w), wl_cmp);
	vp_tr_table(c, &vp_table_workloads, arr, w, sizeof(*w), n, false);
	for (size_t i = 0; i < n; i++) {
		const char *e = vp_doc_str(w[i].j, vp_table_workloads.detail);

		if (!e)
			continue;
		fputs("  ", c->out);
		vp_tt_puts(c->out, vp_doc_str(w[i].j, "name") ? vp_doc_str(w[i].j, "name") : "?",
			   VP_TT_BOLD, c->st);
		fputc(' ', c->out);
		vp_tt_puts(c->out, "failed:", VP_TT_RED, c->st);
		fputc(' ', c->out);
		vp_tt_puts(c->out, e, VP_TT_PLAIN, NULL);
		fputc('\n', c->out);
	}
	free(w);
}

struct sp {
	const json_t *j; /* first: vp_tr_table reads it */
	double ratio;	 /* -1 when null, to sort it last */
	size_t idx;
};

static int sp_cmp(const void *a, const void *b)
{
	const struct sp *x = a, *y = b;

	if (x->ratio != y->ratio)
		return x->ratio < y->ratio ? 1 : -1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void vp_tr_speedups(const struct vp_tr_ctx *c, const json_t *arr)
{
	size_t n = json_array_size(arr);
	struct sp *s = n ? calloc(n, sizeof(*s)) : NULL;

	if (!s)
		return;
	for (size_t i = 0; i < n; i++) {
		s[i].j = json_array_get(arr, i);
		s[i].idx = i;
		if (!vp_doc_num(s[i].j, "ratio", &s[i].ratio))
			s[i].ratio = -1;
	}
	qsort(s, n, sizeof(*s), sp_cmp);
	vp_tr_table(c, &vp_table_speedups, arr, s, sizeof(*s), n, false);
	free(s);
}
