// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A recording's slowest exits: each one on the recording's time axis, a
 * stem as tall as the exit, its kernel part below its VMM part, and the
 * same exits as a table.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "report_html_int.h"

enum { EX_W = 900, EX_H = 260, EX_L = 70, EX_R = 20, EX_T = 30, EX_B = 46 };

static void exit_label(const json_t *x, char *buf, size_t len)
{
	const json_t *a = vp_doc_get(x, "access");
	const char *reason = vp_doc_str(x, "reason"), *user = vp_doc_str(x, "user_reason");
	size_t n = (size_t)snprintf(buf, len, "%s", reason ? reason : user ? user : "exit");

	if (json_is_object(a) && n < len)
		snprintf(buf + n, len - n, " %s %s %#" PRIx64 " (%s)", vp_doc_str(a, "kind") ?: "",
			 vp_doc_str(a, "direction") ?: "", (uint64_t)vp_doc_num_or(a, "address", 0),
			 vp_doc_str(a, "device") ?: "?");
}

static void strip_chart(FILE *out, const json_t *slow, double duration)
{
	double pw = EX_W - EX_L - EX_R, ph = EX_H - EX_T - EX_B, ymax = 0, step;
	size_t n = json_array_size(slow);
	char b[32], label[160];

	for (size_t i = 0; i < n; i++) {
		double t = vp_doc_num_or(json_array_get(slow, i), "total_ns", 0),
		       s = vp_doc_num_or(json_array_get(slow, i), "start_s", 0);

		ymax = t > ymax ? t : ymax;
		duration = s > duration ? s : duration;
	}
	if (duration <= 0)
		duration = 1;
	step = vh_nice_step(ymax / 4);
	ymax = ymax > 0 ? ceil(ymax / step) * step : 1;
	vh_svg_open(out, "slowest-chart", "strip", EX_W, EX_H);
	fprintf(out,
		"<g class=\"legend\"><rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" "
		"fill=\"%s\"/>"
		"<text x=\"%d\" y=\"16\">in the kernel</text><rect x=\"%d\" y=\"6\" width=\"12\" "
		"height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"16\">QEMU</text></g>\n<g "
		"class=\"axis\">",
		EX_L, VH_C_KERNEL, EX_L + 18, EX_L + 130, VH_C_USER, EX_L + 148);
	for (double v = 0; v <= ymax * 1.0001; v += step) {
		double y = EX_T + ph - ph * v / ymax;

		fprintf(out,
			"<line class=\"grid\" x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/><text "
			"x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
			EX_L, EX_L + pw, y, y, EX_L - 6, y + 4, vp_fmt_ns(v, b, sizeof(b)));
	}
	step = vh_nice_step(duration / 8);
	for (double t = 0; t <= duration * 1.0001; t += step) {
		double x = EX_L + pw * t / duration;

		fprintf(out,
			"<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			"y2=\"%.1f\"/><text "
			"x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g s</text>",
			x, x, EX_T + ph, EX_T + ph + 4, x, EX_T + ph + 17, t);
	}
	fprintf(out,
		"<text class=\"axis-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">time into "
		"the recording</text></g>\n",
		EX_L + pw / 2, EX_H - 6);
	for (size_t i = 0; i < n; i++) {
		const json_t *x = json_array_get(slow, i);
		double total = vp_doc_num_or(x, "total_ns", 0),
		       kern = vp_doc_num_or(x, "kernel_ns", 0),
		       px = EX_L + pw * vp_doc_num_or(x, "start_s", 0) / duration,
		       yk = EX_T + ph - ph * kern / ymax, yt = EX_T + ph - ph * total / ymax;

		exit_label(x, label, sizeof(label));
		fprintf(out, "<g class=\"exit\" data-total-ns=\"%s\"><title>",
			vh_fmt_raw(total, b, sizeof(b)));
		vh_esc(out, label);
		fprintf(out, ": %s</title>", vp_fmt_ns(total, b, sizeof(b)));
		fprintf(out,
			"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"3\"/><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\" stroke-width=\"3\"/><circle cx=\"%.1f\" cy=\"%.1f\" "
			"r=\"3.5\" "
			"fill=\"%s\"/></g>\n",
			px, px, EX_T + ph, yk, VH_C_KERNEL, px, px, yk, yt, VH_C_USER, px, yt,
			total > kern ? VH_C_USER : VH_C_KERNEL);
	}
	fputs("</svg>\n", out);
}

static void cell(FILE *out, const char *s)
{
	fputs("<td>", out);
	vh_esc(out, vh_or_dash(s));
	fputs("</td>", out);
}

static void num_cell(FILE *out, const json_t *x, const char *field)
{
	char b[32];
	double v = vp_doc_num_or(x, field, NAN);

	fprintf(out, "<td class=\"num\" data-value=\"%s\">", vh_fmt_raw(v, b, sizeof(b)));
	fputs(isnan(v) ? VH_DASH : vp_fmt_ns(v, b, sizeof(b)), out);
	fputs("</td>", out);
}

static void exits_table(FILE *out, const json_t *slow)
{
	char b[64];

	fputs("<div class=\"scroll\"><table id=\"slowest-table\" class=\"sortable\"><thead><tr>"
	      "<th>At (s)</th><th>vCPU</th><th>Total</th><th>Kernel</th><th>Reason</th>"
	      "<th>To user</th><th>Access</th><th>Device</th></tr></thead><tbody>\n",
	      out);
	for (size_t i = 0; i < json_array_size(slow); i++) {
		const json_t *x = json_array_get(slow, i), *a = vp_doc_get(x, "access"),
			     *v = vp_doc_get(x, "vcpu");

		fprintf(out, "<tr><td class=\"num\">%.6f</td>", vp_doc_num_or(x, "start_s", 0));
		if (json_is_integer(v))
			fprintf(out, "<td class=\"num\">%" JSON_INTEGER_FORMAT "</td>",
				json_integer_value(v));
		else
			cell(out, NULL);
		num_cell(out, x, "total_ns");
		num_cell(out, x, "kernel_ns");
		cell(out, vp_doc_str(x, "reason"));
		cell(out, vp_doc_str(x, "user_reason"));
		if (json_is_object(a)) {
			snprintf(b, sizeof(b), "%s %s %#" PRIx64 "/%.0f",
				 vp_doc_str(a, "kind") ?: "", vp_doc_str(a, "direction") ?: "",
				 (uint64_t)vp_doc_num_or(a, "address", 0),
				 vp_doc_num_or(a, "size", 0));
			cell(out, b);
			cell(out, vp_doc_str(a, "device"));
		} else {
			cell(out, NULL);
			cell(out, NULL);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
}

void vh_slowest_section(FILE *out, const json_t *doc, const json_t *profile)
{
	const json_t *slow = vp_doc_get(profile, "slowest_exits");

	if (!json_array_size(slow))
		return;
	fputs("<section id=\"slowest\"><h2>Slowest exits</h2>\n<p class=\"lede\">One by one, "
	      "from the recording: each exit from kvm_exit to the vCPU's next kvm_entry, where "
	      "in the recording it began, its time in the kernel below its time in QEMU.</p>\n",
	      out);
	strip_chart(out, slow, vp_doc_num_or(doc, "meta.duration_s", 0));
	exits_table(out, slow);
	fputs("</section>\n", out);
}
