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

void vp_tr_cell_str(struct vp_table *t, const json_t *o, const char *path)
{
	const char *s = vp_doc_str(o, path);

	vp_tt_cell(t, s && *s ? s : NONE, VP_TT_PLAIN);
}

void vp_tr_cell_num(struct vp_table *t, const json_t *o, const char *path,
		    const char *(*fmt)(double, char *, size_t))
{
	char buf[32];
	double v;

	vp_tt_cell(t, vp_doc_num(o, path, &v) ? fmt(v, buf, sizeof(buf)) : NONE, VP_TT_PLAIN);
}

static void cell_hex(struct vp_table *t, const json_t *o, const char *path)
{
	const json_t *j = vp_doc_get(o, path);

	if (json_is_integer(j))
		vp_tt_cellf(t, VP_TT_PLAIN, "0x%" PRIx64, (uint64_t)json_integer_value(j));
	else
		vp_tt_cell(t, NONE, VP_TT_PLAIN);
}

static void cell_vcpu(struct vp_table *t, const json_t *o)
{
	const json_t *j = vp_doc_get(o, "vcpu");

	if (json_is_integer(j))
		vp_tt_cellf(t, VP_TT_PLAIN, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
	else
		vp_tt_cell(t, NONE, VP_TT_PLAIN);
}

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

void vp_tr_table_done(const struct vp_tr_ctx *c, struct vp_table *t)
{
	vp_tt_print(c->out, t, c->st, 2);
	vp_tt_free(t);
}

/* Rows by cost: time first, then count, then as the document lists them. */
struct item {
	const json_t *j;
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

/* Sorted elements of the array at path; time and count sum their fields. */
static struct item *sorted(const json_t *o, const char *path, const char *const *time,
			   const char *const *count, size_t *n)
{
	const json_t *arr = vp_doc_get(o, path);
	struct item *it;

	*n = json_array_size(arr);
	it = *n ? calloc(*n, sizeof(*it)) : NULL;
	if (!it) {
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++) {
		it[i].j = json_array_get(arr, i);
		it[i].idx = i;
		for (size_t k = 0; time && time[k]; k++)
			it[i].time += vp_doc_num_or(it[i].j, time[k], 0);
		for (size_t k = 0; count && count[k]; k++)
			it[i].count += vp_doc_num_or(it[i].j, count[k], 0);
	}
	qsort(it, *n, sizeof(*it), by_cost);
	return it;
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
	char buf[64];
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
	fputs(json_is_true(vp_doc_get(m, "vm_exits_measured")) ? ", VM exits measured\n"
							       : ", VM exits not measured\n",
	      c->out);
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

static void vcpus(const struct vp_tr_ctx *c, const json_t *p)
{
	static const struct vp_tt_col cols[] = {
		{ "VCPU", VP_TT_RIGHT, 0 },   { "TO QEMU\nEXITS", VP_TT_RIGHT, 0 },
		{ "\nTIME", VP_TT_RIGHT, 0 }, { "IN KERNEL\nEXITS", VP_TT_RIGHT, 0 },
		{ "\nTIME", VP_TT_RIGHT, 0 }, { "KVM_RUN\nCALLS", VP_TT_RIGHT, 0 },
		{ "\nTIME", VP_TT_RIGHT, 0 },
	};
	static const char *const fields[] = { "exits_to_user", "user_ns",	"kernel_exits",
					      "kernel_ns",     "kvm_run_calls", "kvm_run_ns" };
	static const char *const time[] = { "user_ns", "kernel_ns", NULL };
	static const char *const count[] = { "exits_to_user", "kernel_exits", NULL };
	double sum[ARRAY_SIZE(fields)] = { 0 };
	size_t n;
	struct item *it = sorted(p, "vcpus", time, count, &n);
	struct vp_table *t;
	char buf[32];

	if (!n)
		return;
	vp_tr_heading(c, "Per vCPU", "by time out of the guest (QEMU + kernel)");
	t = vp_tt_new(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < n; i++) {
		vp_tt_row(t);
		cell_vcpu(t, it[i].j);
		for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
			vp_tr_cell_num(t, it[i].j, fields[f], f % 2 ? vp_fmt_ns : vp_fmt_count);
			sum[f] += vp_doc_num_or(it[i].j, fields[f], 0);
		}
	}
	if (n > 1) {
		vp_tt_row(t);
		vp_tt_cell(t, "all", VP_TT_BOLD);
		for (size_t f = 0; f < ARRAY_SIZE(fields); f++)
			vp_tt_cell(t, (f % 2 ? vp_fmt_ns : vp_fmt_count)(sum[f], buf, sizeof(buf)),
				   VP_TT_BOLD);
	}
	vp_tr_table_done(c, t);
	free(it);
}

static void exit_reasons(const struct vp_tr_ctx *c, const json_t *p)
{
	static const struct vp_tt_col cols[] = {
		{ "WHERE", VP_TT_LEFT, 0 },	    { "VCPU", VP_TT_RIGHT, 0 },
		{ "REASON", VP_TT_LEFT, 16 },	    { "COUNT", VP_TT_RIGHT, 0 },
		{ "TIME", VP_TT_RIGHT, 0 },	    { "TIME%", VP_TT_RIGHT, 0 },
		{ "LATENCY\nAVG", VP_TT_RIGHT, 0 }, { "\nP50", VP_TT_RIGHT, 0 },
		{ "\nP99", VP_TT_RIGHT, 0 },	    { "\nMAX", VP_TT_RIGHT, 0 },
	};
	static const char *const time[] = { "time_ns", NULL }, *const count[] = { "count", NULL };
	size_t n;
	struct item *it = sorted(p, "exit_reasons", time, count, &n);
	double total = 0, cnt, tm;
	struct vp_table *t;
	char buf[32];

	if (!n)
		return;
	vp_tr_heading(c, "Exit reasons",
		      "user: exits to QEMU, timed to the next KVM_RUN; kernel: kvm_exit to "
		      "kvm_entry, QEMU time excluded");
	for (size_t i = 0; i < n; i++)
		total += it[i].time;
	t = vp_tt_new(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < n; i++) {
		const json_t *e = it[i].j;

		vp_tt_row(t);
		vp_tr_cell_str(t, e, "where");
		cell_vcpu(t, e);
		vp_tr_cell_str(t, e, "reason");
		vp_tr_cell_num(t, e, "count", vp_fmt_count);
		vp_tr_cell_num(t, e, "time_ns", vp_fmt_ns);
		if (vp_doc_num(e, "time_ns", &tm) && total > 0)
			vp_tt_cellf(t, VP_TT_PLAIN, "%.1f%%", 100 * tm / total);
		else
			vp_tt_cell(t, NONE, VP_TT_PLAIN);
		if (vp_doc_num(e, "time_ns", &tm) && vp_doc_num(e, "count", &cnt) && cnt > 0)
			vp_tt_cell(t, vp_fmt_ns(tm / cnt, buf, sizeof(buf)), VP_TT_PLAIN);
		else
			vp_tt_cell(t, NONE, VP_TT_PLAIN);
		vp_tr_cell_num(t, e, "latency.p50_ns", vp_fmt_ns);
		vp_tr_cell_num(t, e, "latency.p99_ns", vp_fmt_ns);
		vp_tr_cell_num(t, e, "latency.max_ns", vp_fmt_ns);
	}
	vp_tr_table_done(c, t);
	free(it);
}

/* "ioeventfd 5120, coalesced 3": what served the in-kernel accesses */
static void cell_kinds(struct vp_table *t, const json_t *kinds)
{
	char buf[256] = "";
	size_t o = 0;
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)kinds, key, v) {
		if (json_is_integer(v) && json_integer_value(v) && o < sizeof(buf))
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
					      "%s%s %" JSON_INTEGER_FORMAT, o ? ", " : "", key,
					      json_integer_value(v));
	}
	vp_tt_cell(t, o ? buf : NONE, VP_TT_PLAIN);
}

static void devices(const struct vp_tr_ctx *c, const json_t *p)
{
	static const struct vp_tt_col cols[] = {
		{ "DEVICE", VP_TT_LEFT, 8 },	   { "NAME", VP_TT_LEFT, 10 },
		{ "CLASS", VP_TT_LEFT, 0 },	   { "ACCESSES\nTO QEMU", VP_TT_RIGHT, 0 },
		{ "\nIN KERNEL", VP_TT_RIGHT, 0 }, { "\nVIA", VP_TT_LEFT, 9 },
		{ "TIME\nQEMU", VP_TT_RIGHT, 0 },  { "\nKERNEL", VP_TT_RIGHT, 0 },
		{ "IRQS", VP_TT_RIGHT, 0 },	   { "QEMU LATENCY\nP50", VP_TT_RIGHT, 0 },
		{ "\nP99", VP_TT_RIGHT, 0 },	   { "SOURCE", VP_TT_LEFT, 0 },
	};
	static const char *const time[] = { "user_ns", "kernel_ns", NULL };
	static const char *const count[] = { "to_user", "in_kernel", NULL };
	size_t n;
	struct item *it = sorted(p, "devices", time, count, &n);
	struct vp_table *t;

	if (!n)
		return;
	vp_tr_heading(c, "Devices", "by QEMU + kernel time");
	t = vp_tt_new(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < n; i++) {
		const json_t *d = it[i].j;

		vp_tt_row(t);
		vp_tr_cell_str(t, d, "device");
		vp_tr_cell_str(t, d, "name");
		vp_tr_cell_str(t, d, "class");
		vp_tr_cell_num(t, d, "to_user", vp_fmt_count);
		vp_tr_cell_num(t, d, "in_kernel", vp_fmt_count);
		cell_kinds(t, vp_doc_get(d, "in_kernel_kinds"));
		vp_tr_cell_num(t, d, "user_ns", vp_fmt_ns);
		vp_tr_cell_num(t, d, "kernel_ns", vp_fmt_ns);
		vp_tr_cell_num(t, d, "interrupts", vp_fmt_count);
		vp_tr_cell_num(t, d, "latency.p50_ns", vp_fmt_ns);
		vp_tr_cell_num(t, d, "latency.p99_ns", vp_fmt_ns);
		vp_tr_cell_str(t, d, "source");
	}
	vp_tr_table_done(c, t);
	free(it);
}

static void accesses(const struct vp_tr_ctx *c, const json_t *p)
{
	static const struct vp_tt_col cols[] = {
		{ "KIND", VP_TT_LEFT, 0 },
		{ "ADDRESS", VP_TT_RIGHT, 0 },
		{ "DIR", VP_TT_LEFT, 0 },
		{ "SIZE", VP_TT_RIGHT, 0 },
		{ "DEVICE", VP_TT_LEFT, 8 },
		{ "REGION", VP_TT_LEFT, 10 },
		{ "COUNT", VP_TT_RIGHT, 0 },
		{ "TO QEMU", VP_TT_RIGHT, 0 },
		{ "TIME\nQEMU", VP_TT_RIGHT, 0 },
		{ "\nKERNEL", VP_TT_RIGHT, 0 },
		{ "QEMU LATENCY\nP50", VP_TT_RIGHT, 0 },
		{ "\nP99", VP_TT_RIGHT, 0 },
	};
	static const char *const time[] = { "user_ns", "kernel_ns", NULL };
	static const char *const count[] = { "count", NULL };
	size_t n;
	struct item *it = sorted(p, "accesses", time, count, &n);
	struct vp_table *t;
	double size;

	if (!n)
		return;
	vp_tr_heading(c, "Accesses", "per port or address, by QEMU + kernel time");
	t = vp_tt_new(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < n; i++) {
		const json_t *a = it[i].j;

		vp_tt_row(t);
		vp_tr_cell_str(t, a, "kind");
		if (json_is_true(vp_doc_get(a, "folded")))
			vp_tt_cell(t, "other, not kept apart", VP_TT_PLAIN);
		else
			cell_hex(t, a, "address");
		vp_tr_cell_str(t, a, "direction");
		/* fast_mmio reports no size: 0 there means unknown */
		if (vp_doc_num(a, "size", &size) && size > 0)
			vp_tt_cellf(t, VP_TT_PLAIN, "%.0f", size);
		else
			vp_tt_cell(t, NONE, VP_TT_PLAIN);
		vp_tr_cell_str(t, a, "device");
		vp_tr_cell_str(t, a, "region");
		vp_tr_cell_num(t, a, "count", vp_fmt_count);
		vp_tr_cell_num(t, a, "to_user", vp_fmt_count);
		vp_tr_cell_num(t, a, "user_ns", vp_fmt_ns);
		vp_tr_cell_num(t, a, "kernel_ns", vp_fmt_ns);
		vp_tr_cell_num(t, a, "latency.p50_ns", vp_fmt_ns);
		vp_tr_cell_num(t, a, "latency.p99_ns", vp_fmt_ns);
	}
	vp_tr_table_done(c, t);
	free(it);
}

static void other(const struct vp_tr_ctx *c, const json_t *p)
{
	static const struct vp_tt_col cols[] = {
		{ "KIND", VP_TT_LEFT, 0 },   { "NAME", VP_TT_LEFT, 12 },
		{ "CODE", VP_TT_RIGHT, 0 },  { "DETAIL", VP_TT_LEFT, 0 },
		{ "DEVICE", VP_TT_LEFT, 8 }, { "COUNT", VP_TT_RIGHT, 0 },
	};
	static const char *const count[] = { "count", NULL };
	size_t n;
	struct item *it = sorted(p, "other", NULL, count, &n);
	struct vp_table *t;

	if (!n)
		return;
	vp_tr_heading(c, "Other events",
		      "CPUID, MSRs, hypercalls, interrupt lines and MSIs, by count");
	t = vp_tt_new(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < n; i++) {
		const json_t *o = it[i].j;
		const char *kind = vp_doc_str(o, "kind");
		const json_t *code = vp_doc_get(o, "code");

		vp_tt_row(t);
		vp_tr_cell_str(t, o, "kind");
		vp_tr_cell_str(t, o, "name");
		/* interrupt lines and hypercalls are numbered, the rest are codes */
		if (json_is_integer(code) && kind &&
		    (!strcmp(kind, "irq") || !strcmp(kind, "hypercall")))
			vp_tt_cellf(t, VP_TT_PLAIN, "%" JSON_INTEGER_FORMAT,
				    json_integer_value(code));
		else
			cell_hex(t, o, "code");
		if (json_is_integer(vp_doc_get(o, "address")))
			vp_tt_cellf(t, VP_TT_PLAIN, "address 0x%" PRIx64,
				    (uint64_t)json_integer_value(vp_doc_get(o, "address")));
		else
			vp_tr_cell_str(t, o, "direction");
		vp_tr_cell_str(t, o, "device");
		vp_tr_cell_num(t, o, "count", vp_fmt_count);
	}
	vp_tr_table_done(c, t);
	free(it);
}

static void profile(const struct vp_tr_ctx *c, const json_t *p)
{
	double d;

	vcpus(c, p);
	exit_reasons(c, p);
	devices(c, p);
	accesses(c, p);
	other(c, p);
	if (vp_doc_num(p, "timeline.interval_s", &d))
		fprintf(c->out,
			"\n  Timeline: %zu samples every %.3g s (drawn in the HTML report).\n",
			json_array_size(vp_doc_get(p, "timeline.samples")), d);
}

void vp_text_render(FILE *out, const json_t *doc, const struct vp_text_style *style)
{
	static const struct vp_text_style plain = { 0 };
	struct vp_tr_ctx c = { out, style ? style : &plain };
	const json_t *p = vp_doc_get(doc, "profile");

	if (!json_is_object(doc))
		return;
	header(&c, doc);
	if (json_is_object(p))
		profile(&c, p);
	vp_tr_workloads(&c, vp_doc_get(doc, "workloads"));
	vp_tr_speedups(&c, vp_doc_get(doc, "speedups"));
}
