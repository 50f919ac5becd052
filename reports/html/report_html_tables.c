// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tables of the HTML report.  Numeric cells are right-aligned with
 * tabular figures and carry their raw value in data-value, which both the
 * optional sorting script and the tests read.
 */
#include <math.h>
#include <string.h>

#include "report_html_int.h"

static void td_num(FILE *out, double v, vh_fmt_fn fmt)
{
	char raw[32], shown[48];

	fprintf(out, "<td class=\"num\" data-value=\"%s\">%s</td>", vh_fmt_raw(v, raw, sizeof(raw)),
		fmt(v, shown, sizeof(shown)));
}

static void td_num_at(FILE *out, const json_t *row, const char *key, vh_fmt_fn fmt)
{
	td_num(out, vp_doc_num_or(row, key, NAN), fmt);
}

static void td_text(FILE *out, const json_t *row, const char *key)
{
	fputs("<td>", out);
	vh_text_at(out, row, key);
	fputs("</td>", out);
}

static void thead(FILE *out, const char *id, const char *const *cols)
{
	fprintf(out, "<div class=\"scroll\"><table id=\"%s\" class=\"sortable\"><thead><tr>", id);
	/* A leading '#' marks a numeric column. */
	for (int i = 0; cols[i]; i++)
		fprintf(out, "<th data-col=\"%d\"%s>%s</th>", i,
			*cols[i] == '#' ? " class=\"num\"" : "", cols[i] + (*cols[i] == '#'));
	fputs("</tr></thead><tbody>\n", out);
}

static void where_cell(FILE *out, const json_t *row)
{
	const char *where = vp_doc_str(row, "where"), *isa = vp_doc_str(row, "isa");

	if (where && !strcmp(where, "user"))
		fputs("<td><span class=\"badge user\">QEMU</span></td>", out);
	else if (where && !strcmp(where, "kernel")) {
		fputs("<td><span class=\"badge kernel\">kernel", out);
		if (isa) {
			fputc(' ', out);
			vh_esc(out, isa);
		}
		fputs("</span></td>", out);
	} else
		fputs("<td>" VH_DASH "</td>", out);
}

static void vcpu_cell(FILE *out, const json_t *row)
{
	const json_t *v = vp_doc_get(row, "vcpu");
	char r[32];

	if (json_is_number(v))
		fprintf(out, "<td class=\"num\" data-value=\"%s\">%s</td>",
			vh_fmt_raw(vh_num(v), r, sizeof(r)), r);
	else
		fputs("<td class=\"num\" data-value=\"\">" VH_DASH "</td>", out);
}

static const char *fmt_pct(double v, char *buf, size_t len)
{
	snprintf(buf, len, isnan(v) ? VH_DASH : "%.1f%%", v);
	return buf;
}

void vh_exit_reason_table(FILE *out, const json_t *rows)
{
	static const char *const cols[] = { "#vCPU",	   "Where",  "Reason", "#Code", "#Exits",
					    "#Total time", "#Share", "#Mean",  "#p50",	"#p90",
					    "#p99",	   "#Max",   NULL };
	double total = 0;

	for (size_t i = 0; i < json_array_size(rows); i++) {
		double t = vp_doc_num_or(json_array_get(rows, i), "time_ns", NAN);

		total += isnan(t) ? 0 : t;
	}
	thead(out, "table-exit-reasons", cols);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);
		double t = vp_doc_num_or(row, "time_ns", NAN), n = vp_doc_num_or(row, "count", NAN);

		fprintf(out, "<tr data-row=\"%zu\">", i);
		vcpu_cell(out, row);
		where_cell(out, row);
		td_text(out, row, "reason");
		td_num_at(out, row, "code", vh_fmt_raw);
		td_num_at(out, row, "count", vp_fmt_count);
		td_num(out, t, vp_fmt_ns);
		td_num(out, total > 0 ? 100 * t / total : NAN, fmt_pct);
		td_num(out, n > 0 ? t / n : NAN, vp_fmt_ns);
		td_num_at(out, row, "latency.p50_ns", vp_fmt_ns);
		td_num_at(out, row, "latency.p90_ns", vp_fmt_ns);
		td_num_at(out, row, "latency.p99_ns", vp_fmt_ns);
		td_num_at(out, row, "latency.max_ns", vp_fmt_ns);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

void vh_device_table(FILE *out, const json_t *rows)
{
	static const char *const cols[] = {
		"Device",	"Name",	      "Class",	    "Named by",	   "#To QEMU",
		"#In kernel",	"#ioeventfd", "#Coalesced", "#Interrupts", "#QEMU time",
		"#Kernel time", "#p50",	      "#p99",	    NULL
	};

	thead(out, "table-devices", cols);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);

		fprintf(out, "<tr data-row=\"%zu\">", i);
		td_text(out, row, "device");
		td_text(out, row, "name");
		td_text(out, row, "class");
		td_text(out, row, "source");
		td_num_at(out, row, "to_user", vp_fmt_count);
		td_num_at(out, row, "in_kernel", vp_fmt_count);
		td_num_at(out, row, "in_kernel_kinds.ioeventfd", vp_fmt_count);
		td_num_at(out, row, "in_kernel_kinds.coalesced", vp_fmt_count);
		td_num_at(out, row, "interrupts", vp_fmt_count);
		td_num_at(out, row, "user_ns", vp_fmt_ns);
		td_num_at(out, row, "kernel_ns", vp_fmt_ns);
		td_num_at(out, row, "latency.p50_ns", vp_fmt_ns);
		td_num_at(out, row, "latency.p99_ns", vp_fmt_ns);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

void vh_vcpu_table(FILE *out, const json_t *rows)
{
	static const char *const cols[] = { "#vCPU",	    "#Exits to QEMU",
					    "#QEMU time",   "#Kernel exits",
					    "#Kernel time", "#KVM_RUN calls",
					    "#In KVM_RUN",  NULL };

	thead(out, "table-vcpus", cols);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);

		fprintf(out, "<tr data-row=\"%zu\">", i);
		vcpu_cell(out, row);
		td_num_at(out, row, "exits_to_user", vp_fmt_count);
		td_num_at(out, row, "user_ns", vp_fmt_ns);
		td_num_at(out, row, "kernel_exits", vp_fmt_count);
		td_num_at(out, row, "kernel_ns", vp_fmt_ns);
		td_num_at(out, row, "kvm_run_calls", vp_fmt_count);
		td_num_at(out, row, "kvm_run_ns", vp_fmt_ns);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

void vh_access_table(FILE *out, const json_t *rows)
{
	static const char *const cols[] = { "Kind",	  "Address",	  "Dir",       "#Size",
					    "Device",	  "Region",	  "#Accesses", "#To QEMU",
					    "#QEMU time", "#Kernel time", "#p50",      "#p99",
					    NULL };

	thead(out, "table-accesses", cols);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);
		double a = vp_doc_num_or(row, "address", NAN);
		char r[32];

		fprintf(out, "<tr data-row=\"%zu\">", i);
		td_text(out, row, "kind");
		/* Out-of-range doubles may not be cast to an integer type. */
		if (json_is_true(json_object_get(row, "folded")))
			fputs("<td>other, not kept apart</td>", out);
		else if (isnan(a) || a < 0 || a >= 18446744073709551616.0)
			fputs("<td class=\"mono\">" VH_DASH "</td>", out);
		else
			fprintf(out, "<td class=\"mono\" data-value=\"%s\">0x%llx</td>",
				vh_fmt_raw(a, r, sizeof(r)), (unsigned long long)a);
		td_text(out, row, "direction");
		td_num_at(out, row, "size", vh_fmt_raw);
		td_text(out, row, "device");
		td_text(out, row, "region");
		td_num_at(out, row, "count", vp_fmt_count);
		td_num_at(out, row, "to_user", vp_fmt_count);
		td_num_at(out, row, "user_ns", vp_fmt_ns);
		td_num_at(out, row, "kernel_ns", vp_fmt_ns);
		td_num_at(out, row, "latency.p50_ns", vp_fmt_ns);
		td_num_at(out, row, "latency.p99_ns", vp_fmt_ns);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

static const json_t *workload_named(const json_t *doc, const char *name)
{
	const json_t *w = vp_doc_get(doc, "workloads");

	for (size_t i = 0; name && i < json_array_size(w); i++)
		if (vp_doc_str(json_array_get(w, i), "name") &&
		    !strcmp(vp_doc_str(json_array_get(w, i), "name"), name))
			return json_array_get(w, i);
	return NULL;
}

void vh_speedup_table(FILE *out, const json_t *doc)
{
	static const char *const cols[] = {
		"Group",     "Paravirtual", "Emulated", "#Paravirtual time/op", "#Emulated time/op",
		"#Speed-up", "#Exit ratio", NULL
	};
	const json_t *rows = vp_doc_get(doc, "speedups");

	thead(out, "table-speedups", cols);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);

		fprintf(out, "<tr data-row=\"%zu\">", i);
		td_text(out, row, "group");
		td_text(out, row, "paravirtual");
		td_text(out, row, "emulated");
		td_num_at(out, workload_named(doc, vp_doc_str(row, "paravirtual")),
			  "timing.us_per_op", vp_fmt_us);
		td_num_at(out, workload_named(doc, vp_doc_str(row, "emulated")), "timing.us_per_op",
			  vp_fmt_us);
		td_num_at(out, row, "ratio", vh_fmt_ratio);
		td_num_at(out, row, "exits_ratio", vh_fmt_ratio);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

#define WL_COLS 12

/* Two header rows: exits and host time are each a group of columns. */
static void workload_head(FILE *out)
{
	static const char *const top[] = { "Workload",		"Group",  "Device", "Status",
					   "#Time/op (median)", "#Spread" };
	static const char *const sub[] = { "#To QEMU", "#In kernel", "#Total",
					   NULL,       "#Kernel",    "#QEMU" };
	int col = 0;

	fputs("<div class=\"scroll\"><table id=\"table-workloads\" class=\"sortable\"><thead><tr>",
	      out);
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++, col++)
		fprintf(out, "<th rowspan=\"2\" data-col=\"%d\"%s>%s</th>", col,
			*top[i] == '#' ? " class=\"num\"" : "", top[i] + (*top[i] == '#'));
	fprintf(out,
		"<th colspan=\"3\" class=\"group\">Exits per op</th>"
		"<th rowspan=\"2\" data-col=\"%d\" class=\"num\">Interrupts/op</th>"
		"<th colspan=\"2\" class=\"group\">Host time per op</th></tr><tr>",
		col + 3);
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++, col++)
		if (sub[i])
			fprintf(out, "<th data-col=\"%d\" class=\"num\">%s</th>", col, sub[i] + 1);
	fputs("</tr></thead><tbody>\n", out);
}

void vh_workload_table(FILE *out, const json_t *rows)
{
	workload_head(out);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);
		const char *status = vp_doc_str(row, "status"), *err = vp_doc_str(row, "error");
		char b[32], c[32], r[32];

		fprintf(out, "<tr data-row=\"%zu\"><td><b>", i);
		vh_text_at(out, row, "name");
		fputs("</b><br><span class=\"dim\">", out);
		vh_text_at(out, row, "params");
		fputs("</span></td>", out);
		td_text(out, row, "group");
		fputs("<td>", out);
		vh_text_at(out, row, "device");
		fputs("<br><span class=\"dim\">", out);
		vh_text_at(out, row, "path");
		fputs("</span></td>", out);
		fprintf(out, "<td class=\"status\"><span class=\"badge %s\">",
			status && !strcmp(status, "ok") ? "ok" : "bad");
		vh_esc(out, vh_or_dash(status));
		fputs("</span></td>", out);
		td_num_at(out, row, "timing.us_per_op", vp_fmt_us);
		fprintf(out, "<td class=\"num\" data-value=\"%s\">",
			vh_fmt_raw(vp_doc_num_or(row, "timing.spread_pct", NAN), r, sizeof(r)));
		fprintf(out, "%s",
			fmt_pct(vp_doc_num_or(row, "timing.spread_pct", NAN), r, sizeof(r)));
		if (!isnan(vp_doc_num_or(row, "timing.min", NAN)) &&
		    !isnan(vp_doc_num_or(row, "timing.max", NAN)))
			fprintf(out, "<br><span class=\"dim small\">%s \xe2\x80\x93 %s</span>",
				vp_fmt_us(vp_doc_num_or(row, "timing.min", NAN), b, sizeof(b)),
				vp_fmt_us(vp_doc_num_or(row, "timing.max", NAN), c, sizeof(c)));
		fputs("</td>", out);
		td_num_at(out, row, "exits_per_op.to_user", vp_fmt_per_op);
		td_num_at(out, row, "exits_per_op.in_kernel", vp_fmt_per_op);
		td_num_at(out, row, "exits_per_op.total", vp_fmt_per_op);
		td_num_at(out, row, "interrupts.per_op", vp_fmt_per_op);
		td_num_at(out, row, "host_ns_per_op.kernel", vp_fmt_ns);
		td_num_at(out, row, "host_ns_per_op.qemu", vp_fmt_ns);
		fputs("</tr>\n", out);
		/* A row of its own: the sorting script keeps it under its workload. */
		if (err) {
			fprintf(out,
				"<tr class=\"detail\" data-row=\"%zu\"><td colspan=\"%d\"><div "
				"class=\"errmsg\">",
				i, WL_COLS);
			vh_esc(out, err);
			fputs("</div></td></tr>\n", out);
		}
	}
	fputs("</tbody></table></div>\n", out);
}
