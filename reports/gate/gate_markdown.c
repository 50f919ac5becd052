// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "gate_markdown.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Workload names and file names are anybody's text, and GitHub renders
 * HTML inside Markdown: neither may open a tag or break the table. */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '<')
			fputs("&lt;", out);
		else if (ch == '>')
			fputs("&gt;", out);
		else if (ch == '&')
			fputs("&amp;", out);
		else if (ch < 0x20 || ch == 0x7f)
			fputc(' ', out);
		else if (strchr("|\\`*_[]#~!", ch))
			fprintf(out, "\\%c", ch);
		else
			fputc(ch, out);
	}
}

static void md_num(FILE *out, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		fprintf(out, "%.0f", v);
	else
		fprintf(out, "%.6g", v);
}

static void md_change(FILE *out, double pct)
{
	if (isinf(pct))
		fputs(pct > 0 ? "up from 0" : "down from 0", out);
	else
		fprintf(out, "%+.2f%%", pct);
}

static void md_spread(FILE *out, double spread, size_t runs)
{
	if (isnan(spread))
		fprintf(out, "n/a (%zu run%s)", runs, runs == 1 ? "" : "s");
	else
		fprintf(out, "%.2f%% (%zu run%s)", spread, runs, runs == 1 ? "" : "s");
}

static const char *verdict_text(const struct vp_gate_row *r)
{
	switch (r->verdict) {
	case VP_GATE_OK: return "ok";
	case VP_GATE_REGRESSED: return "**regression**";
	case VP_GATE_NOT_MEASURED: return "not measured";
	case VP_GATE_MISSING: return "**missing** from current";
	case VP_GATE_FAILED: return "**failed** in current";
	case VP_GATE_NEW: return "new (not in baseline)";
	}
	return "?";
}

/* workload | metric | baseline | current | change | allowed */
static void md_row_values(FILE *out, const struct vp_gate_row *r)
{
	fputs("| ", out);
	md_text(out, r->workload);
	if (r->metric < 0) {
		fprintf(out, " | (workload) | %s | ", r->verdict == VP_GATE_NEW ? "absent" : "ok");
		if (r->verdict == VP_GATE_MISSING)
			fputs("absent", out);
		else if (r->verdict == VP_GATE_FAILED && !r->ran)
			fputs("did not run", out);
		else if (r->verdict == VP_GATE_FAILED)
			md_text(out, r->status ? r->status : "?");
		else
			fputs("present", out);
		fputs(" | | |", out);
		return;
	}
	fprintf(out, " | %s | ", vp_gate_metric_name(r->metric));
	if (r->has_baseline)
		md_num(out, r->baseline);
	else
		fputs("null", out);
	fputs(" | ", out);
	if (r->has_current)
		md_num(out, r->current);
	else
		fputs("null", out);
	fputs(" | ", out);
	if (r->has_baseline && r->has_current)
		md_change(out, r->change_pct);
	fprintf(out, " | +%.4g%% |", r->allowed_pct);
}

static bool is_regression(const struct vp_gate_row *r)
{
	return r->verdict == VP_GATE_REGRESSED || r->verdict == VP_GATE_MISSING ||
	       r->verdict == VP_GATE_FAILED;
}

void vp_gate_markdown(FILE *out, const char *baseline, const char *current,
		      const struct vp_gate_config *config, const struct vp_gate_result *res)
{
	bool timing = false;

	fprintf(out, "## vmexit-prof gate: %s\n\n", res->nregressions ? "REGRESSION" : "PASS");
	fputs("Baseline ", out);
	md_text(out, baseline);
	fputs(", current ", out);
	md_text(out, current);
	fprintf(out, ": %zu workload%s compared, %zu regression%s.\n\n", res->nworkloads,
		res->nworkloads == 1 ? "" : "s", res->nregressions,
		res->nregressions == 1 ? "" : "s");
	fputs("Metrics:", out);
	for (int m = 0, n = 0; m < VP_GM_COUNT; m++)
		if (config->metrics & (1u << m)) {
			fprintf(out, "%s %s", n++ ? "," : "", vp_gate_metric_name(m));
			timing |= vp_gate_metric_is_timing(m);
		}
	fprintf(out, ".  \nAllowed increase: +%.4g%%", config->max_increase_pct);
	if (timing)
		fputs("; timing metrics (us_per_op, host_ns_per_op) also get the larger of the two "
		      "documents' run spread (timing.spread_pct)",
		      out);
	fputs(".  A metric null on either side is not measured and never fails.\n\n", out);

	if (res->nregressions) {
		fputs("### Regressions\n\n"
		      "| workload | metric | baseline | current | change | allowed |\n"
		      "| --- | --- | ---: | ---: | ---: | ---: |\n",
		      out);
		for (size_t i = 0; i < res->nrows; i++)
			if (is_regression(&res->rows[i])) {
				md_row_values(out, &res->rows[i]);
				fputc('\n', out);
			}
		fputc('\n', out);
	}
	fputs("### All compared values\n\n", out);
	if (!res->nrows) {
		fputs("No workload in either document.\n", out);
		return;
	}
	fputs("| workload | metric | baseline | current | change | allowed | noise: baseline, "
	      "current "
	      "| result |\n"
	      "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |\n",
	      out);
	for (size_t i = 0; i < res->nrows; i++) {
		const struct vp_gate_row *r = &res->rows[i];

		md_row_values(out, r);
		fputc(' ', out);
		if (r->metric >= 0 && vp_gate_metric_is_timing(r->metric)) {
			md_spread(out, r->spread_baseline, r->runs_baseline);
			fputs(", ", out);
			md_spread(out, r->spread_current, r->runs_current);
		} else if (r->metric >= 0) {
			fputs("deterministic", out);
		}
		fprintf(out, " | %s |\n", verdict_text(r));
	}
}
