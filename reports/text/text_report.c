// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every value printed here is read from the document, every string goes
 * through text_table's cleaning (a table cell or vp_tt_puts), and a field
 * that is absent is treated like null: this renderer also serves documents
 * that vp_doc_validate never saw (the unit tests, a later minor version).
 */
#include "text_report.h"
#include "text_report_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void vp_tr_heading(const struct vp_tr_ctx *c, const char *title, const char *what)
{
	fputc('\n', c->out);
	vp_tt_puts(c->out, title, VP_TT_BOLD, c->st);
	if (what) {
		fputs("  ", c->out);
		vp_tt_puts(c->out, what, VP_TT_DIM, c->st);
	}
	fputc('\n', c->out);
}

static enum vp_tt_tone ratio_tone(const struct vp_col *col, double v, size_t row)
{
	if (v < 1)
		return VP_TT_RED;
	/* sorted: the first row with a ratio is the best one */
	return (col->flags & VP_COL_BEST) && row == 0 ? VP_TT_GREEN : VP_TT_PLAIN;
}

static void cell(struct vp_table *t, const struct vp_col *col, const struct vp_cell *v, size_t row)
{
	if (col->kind == VP_COL_RATIO && !isnan(v->num))
		vp_tt_cellf(t, ratio_tone(col, v->num, row), v->num < 99.995 ? "%.2fx" : "%.1fx",
			    v->num);
	else if (col->kind == VP_COL_SPREAD && !isnan(v->num))
		vp_tt_cellf(t, VP_TT_PLAIN, "\u00b1%s", v->text);
	else if (v->noted)
		vp_tt_cellf(t, VP_TT_PLAIN, "%s%s", v->text, col->note->mark);
	else
		vp_tt_cell(t, v->text, v->alert ? VP_TT_RED : VP_TT_PLAIN);
}

/* The sums of the number columns, "all" in the first. */
static void total_row(struct vp_table *t, const struct vp_table_def *d, const double *sum)
{
	char buf[32];
	size_t k = 0;

	vp_tt_row(t);
	for (size_t i = 0; i < d->ncols; i++) {
		const struct vp_col *col = &d->cols[i];

		if (!col->term)
			continue;
		if (!k++)
			vp_tt_cell(t, "all", VP_TT_BOLD);
		else if (col->kind == VP_COL_NUM)
			vp_tt_cell(t, col->fmt(sum[i], buf, sizeof(buf)), VP_TT_BOLD);
		else
			vp_tt_cell(t, "", VP_TT_PLAIN);
	}
}

void vp_tr_table(const struct vp_tr_ctx *c, const struct vp_table_def *d, const json_t *all,
		 const void *sorted, size_t size, size_t n, bool total)
{
	struct vp_tt_col *cols = calloc(d->ncols, sizeof(*cols));
	double *sum = calloc(d->ncols, sizeof(*sum));
	const struct vp_col_note *noted = NULL;
	struct vp_table_ctx ctx;
	struct vp_table *t;
	struct vp_cell v;
	size_t nc = 0;

	if (!n || !cols || !sum)
		goto out;
	for (size_t i = 0; i < d->ncols; i++)
		if (d->cols[i].term)
			cols[nc++] = (struct vp_tt_col){
				d->cols[i].term,
				d->cols[i].align == VP_COL_RIGHT ? VP_TT_RIGHT : VP_TT_LEFT,
				d->cols[i].shrink_to,
			};
	vp_table_ctx_init(&ctx, d, c->doc, all);
	vp_tr_heading(c, d->title, d->what);
	t = vp_tt_new(cols, nc);
	for (size_t r = 0; r < n; r++) {
		const json_t *row = *(const json_t *const *)((const char *)sorted + r * size);

		vp_tt_row(t);
		for (size_t i = 0; i < d->ncols; i++) {
			if (!d->cols[i].term)
				continue;
			vp_cell_get(&d->cols[i], &ctx, row, &v);
			cell(t, &d->cols[i], &v, r);
			sum[i] += isnan(v.num) ? 0 : v.num;
			noted = v.noted ? d->cols[i].note : noted;
		}
	}
	if (total && n > 1)
		total_row(t, d, sum);
	vp_tt_print(c->out, t, c->st, 2);
	vp_tt_free(t);
	if (noted)
		fprintf(c->out, "  %s\n", noted->footnote);
out:
	free(sum);
	free(cols);
}

/* Rows by cost: time first, then count, then as the document lists them. */
struct item {
	const json_t *j; /* first: vp_tr_table reads it */
	double time, count;
	size_t idx;
};

static int by_cost(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Prints table d of section p, its rows most costly first. */
static void by_cost_table(const struct vp_tr_ctx *c, const json_t *p, const struct vp_table_def *d,
			  bool total)
{
	const json_t *arr = vp_doc_get(p, d->rows);
	size_t n = json_array_size(arr);
	struct item *it = n ? calloc(n, sizeof(*it)) : NULL;

	if (!it)
		return;
	for (size_t i = 0; i < n; i++) {
		it[i].j = json_array_get(arr, i);
		it[i].idx = i;
		for (size_t k = 0; d->sort_time && d->sort_time[k]; k++)
			it[i].time += vp_doc_num_or(it[i].j, d->sort_time[k], 0);
		for (size_t k = 0; d->sort_count && d->sort_count[k]; k++)
			it[i].count += vp_doc_num_or(it[i].j, d->sort_count[k], 0);
	}
	qsort(it, n, sizeof(*it), by_cost);
	vp_tr_table(c, d, arr, it, sizeof(*it), n, total);
	free(it);
}

/* A string of the document, cleaned; dflt when absent or empty. */
static void put_str(const struct vp_tr_ctx *c, const json_t *o, const char *path, const char *dflt)
{
	const char *s = vp_doc_str(o, path);

	vp_tt_puts(c->out, s && *s ? s : dflt, VP_TT_PLAIN, NULL);
}

static void kv(const struct vp_tr_ctx *c, const char *key)
{
	fprintf(c->out, "  %-13s", key);
}

static void header(const struct vp_tr_ctx *c, const json_t *doc)
{
	const json_t *m = vp_doc_get(doc, "meta"), *lost = vp_doc_get(m, "lost"), *v;
	const json_t *notes = vp_doc_get(m, "notes");
	const char *cmd = vp_doc_str(m, "command"), *s, *key;
	char buf[64], hooks[64];
	double d;
	bool any = false;

	fputs(c->st->color ? "\033[1m" : "", c->out);
	fputs("vmexit-prof ", c->out);
	put_str(c, m, "tool_version", "");
	fputs(c->st->color ? "\033[0m" : "", c->out);
	if (cmd && !strcmp(cmd, "profile") && vp_doc_get(doc, "profile")) {
		const json_t *p = vp_doc_get(doc, "profile");

		fprintf(c->out, " \u00b7 profile of pid %" JSON_INTEGER_FORMAT " (",
			json_integer_value(vp_doc_get(p, "target.pid")));
		put_str(c, p, "target.comm", "?");
		d = vp_doc_num_or(p, "target.vcpus", 0);
		fprintf(c->out, "), %.0f vCPU%s%s", d, d == 1 ? "" : "s",
			json_is_true(vp_doc_get(p, "target.exited")) ? ", exited during the profile"
								     : "");
	} else if (cmd && !strcmp(cmd, "compare")) {
		fputs(" \u00b7 workload comparison (run --compare)", c->out);
	} else if (cmd && !strcmp(cmd, "run") && vp_doc_str(doc, "run.workload")) {
		fputs(" \u00b7 run of ", c->out);
		put_str(c, doc, "run.workload", "?");
	} else {
		fputs(" \u00b7 ", c->out);
		vp_tt_puts(c->out, cmd ? cmd : "?", VP_TT_PLAIN, NULL);
	}
	if ((s = vp_doc_str(m, "created"))) {
		fputs(" \u00b7 ", c->out);
		vp_tt_puts(c->out, s, VP_TT_PLAIN, NULL);
	}
	fputc('\n', c->out);

	kv(c, "Accelerator");
	put_str(c, m, "accelerator", NONE);
	fputs(json_is_true(vp_doc_get(m, "vm_exits_measured")) ? ", VM exits measured"
							       : ", VM exits not measured",
	      c->out);
	if ((s = vp_doc_hooks_text(m, hooks, sizeof(hooks))))
		fprintf(c->out, " (%s)", s);
	fputc('\n', c->out);
	kv(c, "Attribution");
	put_str(c, m, "attribution.source", NONE);
	if ((s = vp_doc_str(m, "attribution.detail")) && *s) {
		fputs(" (", c->out);
		vp_tt_puts(c->out, s, VP_TT_PLAIN, NULL);
		fputc(')', c->out);
	}
	fputc('\n', c->out);
	kv(c, "Host");
	fputs("Linux ", c->out);
	put_str(c, m, "host.kernel", NONE);
	fputs(", ", c->out);
	put_str(c, m, "host.cpu_model", NONE);
	if ((s = vp_doc_str(m, "host.cpu_vendor"))) {
		fputs(" (", c->out);
		vp_tt_puts(c->out, s, VP_TT_PLAIN, NULL);
		fputc(')', c->out);
	}
	if (vp_doc_num(m, "host.cpus", &d))
		fprintf(c->out, ", %.0f CPUs", d);
	fputc('\n', c->out);
	kv(c, "QEMU");
	put_str(c, m, "qemu.version", NONE);
	if ((s = vp_doc_str(m, "qemu.binary"))) {
		fputs(", ", c->out);
		vp_tt_puts(c->out, s, VP_TT_PLAIN, NULL);
	}
	fputs(json_is_true(vp_doc_get(m, "qemu.usdt")) ? ", USDT probes" : ", no USDT probes",
	      c->out);
	fputc('\n', c->out);
	kv(c, "Duration");
	/* the one time people compare with what they asked for: not rounded */
	if (vp_doc_num(m, "duration_s", &d))
		fprintf(c->out, "%.2f s\n", d);
	else
		fputs(NONE "\n", c->out);
	kv(c, "Lost events");
	json_object_foreach ((json_t *)lost, key, v) {
		if (json_is_integer(v) && json_integer_value(v)) {
			fputs(any ? ", " : "", c->out);
			snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT " ",
				 json_integer_value(v));
			vp_tt_puts(c->out, buf, VP_TT_RED, c->st);
			vp_tt_puts(c->out, key, VP_TT_RED, c->st);
			any = true;
		}
	}
	fputs(any ? " (the counts below are short of these)\n" : "none\n", c->out);
	for (size_t i = 0; i < json_array_size(notes); i++) {
		kv(c, "Note");
		vp_tt_puts(c->out, json_string_value(json_array_get(notes, i)), VP_TT_PLAIN, NULL);
		fputc('\n', c->out);
	}
}

static void profile(const struct vp_tr_ctx *c, const json_t *p)
{
	double d;

	by_cost_table(c, p, &vp_table_vcpus, true);
	by_cost_table(c, p, &vp_table_exit_reasons, false);
	by_cost_table(c, p, &vp_table_devices, false);
	by_cost_table(c, p, &vp_table_accesses, false);
	by_cost_table(c, p, &vp_table_other, false);
	vp_tr_slowest(c, vp_doc_get(p, "slowest_exits"));
	if (vp_doc_num(p, "timeline.interval_s", &d))
		fprintf(c->out,
			"\n  Timeline: %zu samples every %.3g s (drawn in the HTML report).\n",
			json_array_size(vp_doc_get(p, "timeline.samples")), d);
}

void vp_text_render(FILE *out, const json_t *doc, const struct vp_text_style *style)
{
	static const struct vp_text_style plain = { 0 };
	struct vp_tr_ctx c = { out, style ? style : &plain, doc };
	const json_t *p = vp_doc_get(doc, "profile");

	if (!json_is_object(doc))
		return;
	header(&c, doc);
	if (json_is_object(p))
		profile(&c, p);
	vp_tr_workloads(&c, vp_doc_get(doc, "workloads"));
	vp_tr_speedups(&c, vp_doc_get(doc, "speedups"));
	if (json_is_object(vp_doc_get(doc, "run"))) {
		const char *e = vp_doc_str(doc, "run.error");

		fputc('\n', out);
		vp_text_run(out, doc, true);
		if (e) {
			fputs("\nError: ", out);
			vp_tt_puts(out, e, VP_TT_RED, c.st);
			fputc('\n', out);
		}
	}
}
