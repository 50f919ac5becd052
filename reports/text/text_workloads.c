// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The `run --compare` sections of the terminal report: workloads, speedups. */
#include <stdlib.h>
#include <string.h>

#include "text_report_int.h"

struct wl {
	const json_t *j;
	size_t group; /* rank of the group's first appearance */
	double us;    /* median time per op; -1 when null, to sort it last */
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

static bool failed(const json_t *w)
{
	const char *s = vp_doc_str(w, "status");

	return !json_is_true(vp_doc_get(w, "ran")) || !s || strcmp(s, "ok");
}

static void row(struct vp_table *t, const json_t *w, bool *derived)
{
	char buf[32];
	double v;
	const json_t *runs = vp_doc_get(w, "timing.runs_us_per_op");
	/* TCG cannot see the kernel: the in-kernel share is inferred there */
	bool guess = vp_doc_str(w, "in_kernel.source") &&
		     !strcmp(vp_doc_str(w, "in_kernel.source"), "derived");

	vp_tt_row(t);
	vp_tr_cell_str(t, w, "name");
	vp_tr_cell_str(t, w, "group");
	vp_tr_cell_str(t, w, "path");
	vp_tr_cell_str(t, w, "device");
	vp_tr_cell_num(t, w, "ops", vp_fmt_count);
	vp_tr_cell_num(t, w, "exits_per_op.to_user", vp_fmt_per_op);
	if (vp_doc_num(w, "exits_per_op.in_kernel", &v)) {
		vp_tt_cellf(t, VP_TT_PLAIN, "%s%s", vp_fmt_per_op(v, buf, sizeof(buf)),
			    guess ? "*" : "");
		*derived |= guess;
	} else {
		vp_tt_cell(t, NONE, VP_TT_PLAIN);
	}
	vp_tr_cell_num(t, w, "exits_per_op.total", vp_fmt_per_op);
	vp_tr_cell_num(t, w, "interrupts.per_op", vp_fmt_per_op);
	vp_tr_cell_num(t, w, "host_ns_per_op.kernel", vp_fmt_ns);
	vp_tr_cell_num(t, w, "host_ns_per_op.qemu", vp_fmt_ns);
	vp_tr_cell_num(t, w, "guest.cycles_per_op", vp_fmt_count);
	vp_tr_cell_num(t, w, "timing.us_per_op", vp_fmt_us);
	if (vp_doc_num(w, "timing.spread_pct", &v))
		vp_tt_cellf(t, VP_TT_PLAIN, "\u00b1%.1f%%", v);
	else
		vp_tt_cell(t, NONE, VP_TT_PLAIN);
	if (json_is_array(runs) && json_array_size(runs))
		vp_tt_cellf(t, VP_TT_PLAIN, "%zu", json_array_size(runs));
	else
		vp_tt_cell(t, NONE, VP_TT_PLAIN);
	vp_tt_cell(t, vp_doc_str(w, "status") ? vp_doc_str(w, "status") : NONE,
		   failed(w) ? VP_TT_RED : VP_TT_PLAIN);
}

void vp_tr_workloads(const struct vp_tr_ctx *c, const json_t *arr)
{
	static const struct vp_tt_col cols[] = {
		{ "WORKLOAD", VP_TT_LEFT, 10 },
		{ "GROUP", VP_TT_LEFT, 0 },
		{ "PATH", VP_TT_LEFT, 0 },
		{ "DEVICE", VP_TT_LEFT, 8 },
		{ "OPS", VP_TT_RIGHT, 0 },
		{ "EXITS PER OP\nTO QEMU", VP_TT_RIGHT, 0 },
		{ "\nIN KERNEL", VP_TT_RIGHT, 0 },
		{ "\nTOTAL", VP_TT_RIGHT, 0 },
		{ "IRQS/OP", VP_TT_RIGHT, 0 },
		{ "HOST TIME/OP\nKERNEL", VP_TT_RIGHT, 0 },
		{ "\nQEMU", VP_TT_RIGHT, 0 },
		{ "CYCLES/OP", VP_TT_RIGHT, 0 },
		{ "TIME PER OP\nMEDIAN", VP_TT_RIGHT, 0 },
		{ "\nSPREAD", VP_TT_RIGHT, 0 },
		{ "\nRUNS", VP_TT_RIGHT, 0 },
		{ "STATUS", VP_TT_LEFT, 0 },
	};
	size_t n = json_array_size(arr);
	struct wl *w = n ? calloc(n, sizeof(*w)) : NULL;
	struct vp_table *t;
	bool derived = false;

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
	vp_tr_heading(c, "Workloads",
		      "per guest operation; time per op from unprofiled runs (median, spread = "
		      "interquartile range / median)");
	t = vp_tt_new(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < n; i++)
		row(t, w[i].j, &derived);
	vp_tr_table_done(c, t);
	if (derived)
		fputs("  * derived: guest accesses - QEMU's (TCG has no in-kernel count)\n",
		      c->out);
	for (size_t i = 0; i < n; i++) {
		const char *e = vp_doc_str(w[i].j, "error");

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
	const json_t *j;
	double ratio; /* -1 when null, to sort it last */
	size_t idx;
};

static int sp_cmp(const void *a, const void *b)
{
	const struct sp *x = a, *y = b;

	if (x->ratio != y->ratio)
		return x->ratio < y->ratio ? 1 : -1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void ratio_cell(struct vp_table *t, const json_t *s, const char *path, enum vp_tt_tone tone)
{
	double v;

	if (!vp_doc_num(s, path, &v))
		vp_tt_cell(t, NONE, VP_TT_PLAIN);
	else
		vp_tt_cellf(t, v < 1 ? VP_TT_RED : tone, v < 99.995 ? "%.2fx" : "%.1fx", v);
}

void vp_tr_speedups(const struct vp_tr_ctx *c, const json_t *arr)
{
	static const struct vp_tt_col cols[] = {
		{ "GROUP", VP_TT_LEFT, 0 },	     { "PARAVIRTUAL", VP_TT_LEFT, 10 },
		{ "OVER EMULATED", VP_TT_LEFT, 10 }, { "SPEEDUP\nTIME", VP_TT_RIGHT, 0 },
		{ "\nEXITS", VP_TT_RIGHT, 0 },
	};
	size_t n = json_array_size(arr);
	struct sp *s = n ? calloc(n, sizeof(*s)) : NULL;
	struct vp_table *t;

	if (!s)
		return;
	for (size_t i = 0; i < n; i++) {
		s[i].j = json_array_get(arr, i);
		s[i].idx = i;
		if (!vp_doc_num(s[i].j, "ratio", &s[i].ratio))
			s[i].ratio = -1;
	}
	qsort(s, n, sizeof(*s), sp_cmp);
	vp_tr_heading(c, "Speedups",
		      "paravirtual over emulated: the emulated workload's time (exits) per op / "
		      "the paravirtual one's");
	t = vp_tt_new(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < n; i++) {
		vp_tt_row(t);
		vp_tr_cell_str(t, s[i].j, "group");
		vp_tr_cell_str(t, s[i].j, "paravirtual");
		vp_tr_cell_str(t, s[i].j, "emulated");
		/* sorted: the first row with a ratio is the best one */
		ratio_cell(t, s[i].j, "ratio",
			   i == 0 && s[i].ratio >= 1 ? VP_TT_GREEN : VP_TT_PLAIN);
		ratio_cell(t, s[i].j, "exits_ratio", VP_TT_PLAIN);
	}
	vp_tr_table_done(c, t);
	free(s);
}
