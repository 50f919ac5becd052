// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tables' declarations (SCHEMA.md names every path) and how one cell's
 * value is read.  Every value is read through doc_access.h and an absent
 * field reads like null, as everywhere in the renderers.
 */
#include "report_tables.h"
#include "doc_access.h"
#include "units.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define L	      VP_COL_LEFT
#define R	      VP_COL_RIGHT
/* A column: its two titles, what it shows, how, and any of the rest. */
#define COL(t, h, k, p, f, a, ...)                                                                 \
	{                                                                                          \
		.term = (t), .html = (h), .kind = (k), .path = (p), .fmt = (f), .align = (a),      \
		__VA_ARGS__                                                                        \
	}

static const char *const by_vmm_kernel_ns[] = { "user_ns", "kernel_ns", NULL };
static const char *const by_count[] = { "count", NULL };

static const struct vp_col vcpu_cols[] = {
	COL("VCPU", "vCPU", VP_COL_NUM, "vcpu", vp_fmt_count, R),
	COL("TO QEMU\nEXITS", "Exits to QEMU", VP_COL_NUM, "exits_to_user", vp_fmt_count, R),
	COL("\nTIME", "QEMU time", VP_COL_NUM, "user_ns", vp_fmt_ns, R),
	COL("IN KERNEL\nEXITS", "Kernel exits", VP_COL_NUM, "kernel_exits", vp_fmt_count, R),
	COL("\nTIME", "Kernel time", VP_COL_NUM, "kernel_ns", vp_fmt_ns, R),
	COL("KVM_RUN\nCALLS", "KVM_RUN calls", VP_COL_NUM, "kvm_run_calls", vp_fmt_count, R),
	COL("\nTIME", "In KVM_RUN", VP_COL_NUM, "kvm_run_ns", vp_fmt_ns, R),
};

const struct vp_table_def vp_table_vcpus = {
	.id = "table-vcpus",
	.title = "Per vCPU",
	.what = "by time out of the guest (QEMU + kernel)",
	.rows = "vcpus",
	.sort_time = by_vmm_kernel_ns,
	.sort_count = (const char *const[]){ "exits_to_user", "kernel_exits", NULL },
	.cols = vcpu_cols,
	.ncols = ARRAY_SIZE(vcpu_cols),
};

static const struct vp_col exit_reason_cols[] = {
	COL("WHERE", "Where", VP_COL_WHERE, "where", NULL, L),
	COL("VCPU", "vCPU", VP_COL_NUM, "vcpu", vp_fmt_count, R),
	COL("REASON", "Reason", VP_COL_TEXT, "reason", NULL, L, .shrink_to = 16),
	COL(NULL, "Code", VP_COL_NUM, "code", vp_fmt_count, R),
	COL("COUNT", "Exits", VP_COL_NUM, "count", vp_fmt_count, R),
	COL("TIME", "Total time", VP_COL_NUM, "time_ns", vp_fmt_ns, R),
	COL("TIME%", "Share", VP_COL_SHARE, "time_ns", vp_fmt_pct, R),
	COL("LATENCY\nAVG", "Mean", VP_COL_MEAN, "time_ns", vp_fmt_ns, R, .path2 = "count"),
	COL("\nP50", "p50", VP_COL_NUM, "latency.p50_ns", vp_fmt_ns, R),
	COL(NULL, "p90", VP_COL_NUM, "latency.p90_ns", vp_fmt_ns, R),
	COL("\nP99", "p99", VP_COL_NUM, "latency.p99_ns", vp_fmt_ns, R),
	COL("\nMAX", "Max", VP_COL_NUM, "latency.max_ns", vp_fmt_ns, R),
};

const struct vp_table_def vp_table_exit_reasons = {
	.id = "table-exit-reasons",
	.title = "Exit reasons",
	.what = "user: exits to QEMU, timed to the next KVM_RUN; kernel: kvm_exit to kvm_entry, "
		"QEMU time excluded",
	.rows = "exit_reasons",
	.sort_time = (const char *const[]){ "time_ns", NULL },
	.sort_count = by_count,
	.cols = exit_reason_cols,
	.ncols = ARRAY_SIZE(exit_reason_cols),
};

static const struct vp_col device_cols[] = {
	COL("DEVICE", "Device", VP_COL_TEXT, "device", NULL, L, .shrink_to = 8),
	COL("NAME", "Name", VP_COL_TEXT, "name", NULL, L, .shrink_to = 10),
	COL("CLASS", "Class", VP_COL_TEXT, "class", NULL, L),
	COL("ACCESSES\nTO QEMU", "To QEMU", VP_COL_NUM, "to_user", vp_fmt_count, R),
	COL("\nIN KERNEL", "In kernel", VP_COL_NUM, "in_kernel", vp_fmt_count, R),
	COL("\nVIA", NULL, VP_COL_KINDS, "in_kernel_kinds", NULL, L, .shrink_to = 9),
	COL(NULL, "ioeventfd", VP_COL_NUM, "in_kernel_kinds.ioeventfd", vp_fmt_count, R),
	COL(NULL, "Coalesced", VP_COL_NUM, "in_kernel_kinds.coalesced", vp_fmt_count, R),
	COL("TIME\nQEMU", "QEMU time", VP_COL_NUM, "user_ns", vp_fmt_ns, R),
	COL("\nKERNEL", "Kernel time", VP_COL_NUM, "kernel_ns", vp_fmt_ns, R),
	COL("IRQS", "Interrupts", VP_COL_NUM, "interrupts", vp_fmt_count, R),
	COL("QEMU LATENCY\nP50", "p50", VP_COL_NUM, "latency.p50_ns", vp_fmt_ns, R),
	COL("\nP99", "p99", VP_COL_NUM, "latency.p99_ns", vp_fmt_ns, R),
	COL("SOURCE", "Named by", VP_COL_TEXT, "source", NULL, L),
};

const struct vp_table_def vp_table_devices = {
	.id = "table-devices",
	.title = "Devices",
	.what = "by QEMU + kernel time",
	.rows = "devices",
	.sort_time = by_vmm_kernel_ns,
	.sort_count = (const char *const[]){ "to_user", "in_kernel", NULL },
	.cols = device_cols,
	.ncols = ARRAY_SIZE(device_cols),
};

static const struct vp_col access_cols[] = {
	COL("KIND", "Kind", VP_COL_TEXT, "kind", NULL, L),
	COL("ADDRESS", "Address", VP_COL_ADDR, "address", NULL, R),
	COL("DIR", "Dir", VP_COL_TEXT, "direction", NULL, L),
	COL("SIZE", "Size", VP_COL_NUM, "size", vp_fmt_count, R, .flags = VP_COL_ZERO_UNKNOWN),
	COL("DEVICE", "Device", VP_COL_TEXT, "device", NULL, L, .shrink_to = 8),
	COL("REGION", "Region", VP_COL_TEXT, "region", NULL, L, .shrink_to = 10),
	COL("COUNT", "Accesses", VP_COL_NUM, "count", vp_fmt_count, R),
	COL("TO QEMU", "To QEMU", VP_COL_NUM, "to_user", vp_fmt_count, R),
	COL("TIME\nQEMU", "QEMU time", VP_COL_NUM, "user_ns", vp_fmt_ns, R),
	COL("\nKERNEL", "Kernel time", VP_COL_NUM, "kernel_ns", vp_fmt_ns, R),
	COL("QEMU LATENCY\nP50", "p50", VP_COL_NUM, "latency.p50_ns", vp_fmt_ns, R),
	COL("\nP99", "p99", VP_COL_NUM, "latency.p99_ns", vp_fmt_ns, R),
};

const struct vp_table_def vp_table_accesses = {
	.id = "table-accesses",
	.title = "Accesses",
	.what = "per port or address, by QEMU + kernel time",
	.rows = "accesses",
	.sort_time = by_vmm_kernel_ns,
	.sort_count = by_count,
	.cols = access_cols,
	.ncols = ARRAY_SIZE(access_cols),
};

static const struct vp_col other_cols[] = {
	COL("KIND", NULL, VP_COL_TEXT, "kind", NULL, L),
	COL("NAME", NULL, VP_COL_TEXT, "name", NULL, L, .shrink_to = 12),
	COL("CODE", NULL, VP_COL_CODE, "code", NULL, R),
	COL("DETAIL", NULL, VP_COL_DETAIL, NULL, NULL, L),
	COL("DEVICE", NULL, VP_COL_TEXT, "device", NULL, L, .shrink_to = 8),
	COL("COUNT", NULL, VP_COL_NUM, "count", vp_fmt_count, R),
};

const struct vp_table_def vp_table_other = {
	.title = "Other events",
	.what = "CPUID, MSRs, hypercalls, interrupt lines and MSIs, by count",
	.rows = "other",
	.sort_count = by_count,
	.cols = other_cols,
	.ncols = ARRAY_SIZE(other_cols),
};

/* TCG cannot see the kernel: the in-kernel share is inferred there. */
static const struct vp_col_note derived = {
	"in_kernel.source",
	"derived",
	"*",
	"* derived: guest accesses - QEMU's (TCG has no in-kernel count)",
};

#define EXITS "Exits per op"
#define HOST  "Host time per op"

static const struct vp_col workload_cols[] = {
	COL("WORKLOAD", "Workload", VP_COL_TEXT, "name", NULL, L, .path2 = "params",
	    .shrink_to = 10, .flags = VP_COL_NAME),
	COL("GROUP", "Group", VP_COL_TEXT, "group", NULL, L),
	COL("PATH", NULL, VP_COL_TEXT, "path", NULL, L),
	COL("DEVICE", "Device", VP_COL_TEXT, "device", NULL, L, .path2 = "path", .shrink_to = 8),
	COL("OPS", NULL, VP_COL_NUM, "ops", vp_fmt_count, R),
	COL("EXITS PER OP\nTO QEMU", "To QEMU", VP_COL_NUM, "exits_per_op.to_user", vp_fmt_per_op,
	    R, .html_group = EXITS),
	COL("\nIN KERNEL", "In kernel", VP_COL_NUM, "exits_per_op.in_kernel", vp_fmt_per_op, R,
	    .html_group = EXITS, .note = &derived),
	COL("\nTOTAL", "Total", VP_COL_NUM, "exits_per_op.total", vp_fmt_per_op, R,
	    .html_group = EXITS),
	COL("IRQS/OP", "Interrupts/op", VP_COL_NUM, "interrupts.per_op", vp_fmt_per_op, R),
	COL("HOST TIME/OP\nKERNEL", "Kernel", VP_COL_NUM, "host_ns_per_op.kernel", vp_fmt_ns, R,
	    .html_group = HOST),
	COL("\nQEMU", "QEMU", VP_COL_NUM, "host_ns_per_op.qemu", vp_fmt_ns, R, .html_group = HOST),
	COL("CYCLES/OP", NULL, VP_COL_NUM, "guest.cycles_per_op", vp_fmt_count, R),
	COL("TIME PER OP\nMEDIAN", "Time/op (median)", VP_COL_NUM, "timing.us_per_op", vp_fmt_us,
	    R),
	COL("\nSPREAD", "Spread", VP_COL_SPREAD, "timing.spread_pct", vp_fmt_pct, R,
	    .path2 = "timing"),
	COL("\nRUNS", NULL, VP_COL_LENGTH, "timing.runs_us_per_op", NULL, R),
	COL("STATUS", "Status", VP_COL_STATUS, "status", NULL, L),
};

const struct vp_table_def vp_table_workloads = {
	.id = "table-workloads",
	.title = "Workloads",
	.what = "per guest operation; time per op from unprofiled runs (median, spread = "
		"interquartile range / median)",
	.rows = "workloads",
	.detail = "error",
	.cols = workload_cols,
	.ncols = ARRAY_SIZE(workload_cols),
};

static const struct vp_col speedup_cols[] = {
	COL("GROUP", "Group", VP_COL_TEXT, "group", NULL, L),
	COL("PARAVIRTUAL", "Paravirtual", VP_COL_TEXT, "paravirtual", NULL, L, .shrink_to = 10),
	COL("OVER EMULATED", "Emulated", VP_COL_TEXT, "emulated", NULL, L, .shrink_to = 10),
	COL(NULL, "Paravirtual time/op", VP_COL_WL_US, "paravirtual", vp_fmt_us, R),
	COL(NULL, "Emulated time/op", VP_COL_WL_US, "emulated", vp_fmt_us, R),
	COL("SPEEDUP\nTIME", "Speed-up", VP_COL_RATIO, "ratio", NULL, R, .flags = VP_COL_BEST),
	COL("\nEXITS", "Exit ratio", VP_COL_RATIO, "exits_ratio", NULL, R),
};

const struct vp_table_def vp_table_speedups = {
	.id = "table-speedups",
	.title = "Speedups",
	.what = "paravirtual over emulated: the emulated workload's time (exits) per op / the "
		"paravirtual one's",
	.rows = "speedups",
	.cols = speedup_cols,
	.ncols = ARRAY_SIZE(speedup_cols),
};

void vp_table_ctx_init(struct vp_table_ctx *ctx, const struct vp_table_def *t, const json_t *doc,
		       const json_t *rows)
{
	ctx->doc = doc;
	ctx->share_total = 0;
	for (size_t k = 0; k < t->ncols; k++) {
		if (t->cols[k].kind != VP_COL_SHARE)
			continue;
		for (size_t i = 0; i < json_array_size(rows); i++)
			ctx->share_total +=
				vp_doc_num_or(json_array_get(rows, i), t->cols[k].path, 0);
	}
}

bool vp_col_numeric(const struct vp_col *col)
{
	switch (col->kind) {
	case VP_COL_NUM:
	case VP_COL_MEAN:
	case VP_COL_SHARE:
	case VP_COL_LENGTH:
	case VP_COL_SPREAD:
	case VP_COL_RATIO:
	case VP_COL_WL_US: return true;
	default: return false;
	}
}

static const json_t *workload_named(const json_t *doc, const char *name)
{
	const json_t *w = vp_doc_get(doc, "workloads");

	for (size_t i = 0; name && i < json_array_size(w); i++) {
		const char *n = vp_doc_str(json_array_get(w, i), "name");

		if (n && !strcmp(n, name))
			return json_array_get(w, i);
	}
	return NULL;
}

/* "ioeventfd 5120, coalesced 3": what served the in-kernel accesses */
static void kinds(const json_t *o, struct vp_cell *c)
{
	size_t n = 0;
	const char *key;
	json_t *v;

	c->buf[0] = '\0';
	json_object_foreach ((json_t *)o, key, v) {
		if (json_is_integer(v) && json_integer_value(v) && n < sizeof(c->buf))
			n += (size_t)snprintf(c->buf + n, sizeof(c->buf) - n,
					      "%s%s %" JSON_INTEGER_FORMAT, n ? ", " : "", key,
					      json_integer_value(v));
	}
	if (n)
		c->text = c->buf;
}

static void hex(const json_t *j, struct vp_cell *c)
{
	if (!json_is_integer(j))
		return;
	c->num = (double)(uint64_t)json_integer_value(j);
	snprintf(c->buf, sizeof(c->buf), "0x%" PRIx64, (uint64_t)json_integer_value(j));
	c->text = c->buf;
}

static void number(const struct vp_col *col, double v, struct vp_cell *c)
{
	c->num = v;
	c->text = col->fmt ? col->fmt(v, c->buf, sizeof(c->buf)) : VP_FMT_NONE;
}

/* other[]: interrupt lines and hypercalls are numbered, the rest are codes */
static void code(const json_t *row, struct vp_cell *c)
{
	const char *kind = vp_doc_str(row, "kind");
	const json_t *j = vp_doc_get(row, "code");

	if (json_is_integer(j) && kind && (!strcmp(kind, "irq") || !strcmp(kind, "hypercall"))) {
		c->num = (double)json_integer_value(j);
		snprintf(c->buf, sizeof(c->buf), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		c->text = c->buf;
	} else {
		hex(j, c);
	}
}

void vp_cell_get(const struct vp_col *col, const struct vp_table_ctx *ctx, const json_t *row,
		 struct vp_cell *c)
{
	const char *s;
	double v, d;

	c->num = NAN;
	c->text = VP_FMT_NONE;
	c->alert = c->noted = false;
	switch (col->kind) {
	case VP_COL_TEXT:
	case VP_COL_WHERE:
		if ((s = vp_doc_str(row, col->path)) && *s)
			c->text = s;
		break;
	case VP_COL_NUM:
		if (vp_doc_num(row, col->path, &v) &&
		    !(v == 0 && (col->flags & VP_COL_ZERO_UNKNOWN)))
			number(col, v, c);
		break;
	case VP_COL_MEAN:
		if (vp_doc_num(row, col->path, &v) && vp_doc_num(row, col->path2, &d) && d > 0)
			number(col, v / d, c);
		break;
	case VP_COL_SHARE:
		if (vp_doc_num(row, col->path, &v) && ctx->share_total > 0)
			number(col, 100 * v / ctx->share_total, c);
		break;
	case VP_COL_ADDR:
		if (json_is_true(vp_doc_get(row, "folded")))
			c->text = "other, not kept apart";
		else
			hex(vp_doc_get(row, col->path), c);
		break;
	case VP_COL_KINDS: kinds(vp_doc_get(row, col->path), c); break;
	case VP_COL_CODE: code(row, c); break;
	case VP_COL_DETAIL:
		if (json_is_integer(vp_doc_get(row, "address"))) {
			snprintf(c->buf, sizeof(c->buf), "address 0x%" PRIx64,
				 (uint64_t)json_integer_value(vp_doc_get(row, "address")));
			c->text = c->buf;
		} else if ((s = vp_doc_str(row, "direction")) && *s) {
			c->text = s;
		}
		break;
	case VP_COL_LENGTH:
		if (json_array_size(vp_doc_get(row, col->path))) {
			c->num = (double)json_array_size(vp_doc_get(row, col->path));
			snprintf(c->buf, sizeof(c->buf), "%zu",
				 json_array_size(vp_doc_get(row, col->path)));
			c->text = c->buf;
		}
		break;
	case VP_COL_SPREAD:
		if (vp_doc_num(row, col->path, &v))
			number(col, v, c);
		break;
	case VP_COL_STATUS:
		if ((s = vp_doc_str(row, col->path)))
			c->text = s;
		c->alert = !json_is_true(vp_doc_get(row, "ran")) || !s || strcmp(s, "ok");
		break;
	case VP_COL_RATIO:
		if (vp_doc_num(row, col->path, &v)) {
			c->num = v;
			snprintf(c->buf, sizeof(c->buf), "%.2f", v);
			c->text = c->buf;
		}
		break;
	case VP_COL_WL_US:
		if (vp_doc_num(workload_named(ctx->doc, vp_doc_str(row, col->path)),
			       "timing.us_per_op", &v))
			number(col, v, c);
		break;
	}
	if (col->note && !isnan(c->num) && (s = vp_doc_str(row, col->note->path)) &&
	    !strcmp(s, col->note->equals))
		c->noted = true;
}

const char *vp_doc_hooks_text(const json_t *meta, char *buf, size_t len)
{
	const char *hook = vp_doc_str(meta, "kvm_run_hook");
	const char *tp = vp_doc_str(meta, "kvm_tracepoints");

	if (!hook || !tp)
		return NULL;
	snprintf(buf, len, "KVM_RUN %s%s, tracepoints %s", strcmp(hook, "none") ? "by " : "",
		 strcmp(hook, "none") ? hook : "not hooked",
		 strcmp(tp, "btf") ? "classic" : "tp_btf");
	return buf;
}
