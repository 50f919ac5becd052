/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Internals of the HTML report shared by its four files: document access
 * that tolerates missing fields, escaping, number formatting
 * (report_html_svg.c) and the SVG chart primitives.
 */
#ifndef VP_REPORT_HTML_INT_H
#define VP_REPORT_HTML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>
#include <math.h>

#include "doc_access.h"
#include "units.h"

/* What a missing or null value is shown as (an en dash). */
#define VH_DASH "\xe2\x80\x93"

/* Values of the document are read with doc_access.h; a missing number is
 * NAN here (vh_num), which charts treat as "no bar". */
#define vh_num(j) vp_doc_num_or((j), "", NAN)

/* Escapes &, <, >, " and ' so text is safe in content and in attributes. */
void vh_esc(FILE *out, const char *s);
/* Escaped string value, or the dash. */
void vh_text_at(FILE *out, const json_t *obj, const char *dotted);

/* Formatters write into buf and return it.  NAN gives the dash. */
typedef const char *(*vh_fmt_fn)(double v, char *buf, size_t len);
/* Times, counts and per-op values: units.h (vp_fmt_ns, _us, _count, _per_op). */
/* 4.01× */
const char *vh_fmt_ratio(double v, char *buf, size_t len);
/* The raw value for data-value attributes: the shortest text that reads
 * back as the same double, so tests compare exactly; "" for NAN. */
const char *vh_fmt_raw(double v, char *buf, size_t len);

/* A round step near raw for axis ticks (1, 2, 2.5, 5 x 10^n). */
double vh_nice_step(double raw);
/* <svg id class="chart cls"> of w x h. */
void vh_svg_open(FILE *out, const char *id, const char *cls, int w, int h);

/* One horizontal bar; up to two stacked segments. */
struct vh_bar {
	const char *label;	/* document text: escaped when drawn */
	const char *sub;	/* second, dimmer label line, or NULL */
	double v[2];		/* NAN segments are not drawn */
	int color;		/* added to the segment index to pick a colour */
	const char *extra_attr; /* already-safe attributes for the bar's <g> */
};

struct vh_series_style {
	const char *key;  /* data-series value */
	const char *name; /* legend text */
	const char *color;
};

struct vh_hbar_chart {
	const char *id;
	const char *axis_label;
	vh_fmt_fn fmt;
	int nseg;
	const struct vh_series_style *styles; /* nseg + any extra bar colours */
	int nstyles;
	bool log_scale; /* for ratios that span orders of magnitude */
};

void vh_hbar(FILE *out, const struct vh_hbar_chart *c, const struct vh_bar *bars, size_t n);

/* A latency object drawn as a log2 histogram with p50/p90/p99/max marks. */
void vh_histogram(FILE *out, const char *id, const char *title, const char *sub, const json_t *lat);

struct vh_line {
	const char *key;  /* data-series */
	const char *name; /* legend */
	const char *color;
	bool dashed;
	int vcpu;
	size_t n;
	const double *x, *y;
};

void vh_line_chart(FILE *out, const char *id, const char *x_label, const char *y_label,
		   const struct vh_line *lines, size_t n);

/* Sections made of charts (report_html_charts.c).  Each one writes
 * nothing when its part of the document is absent. */
void vh_exit_reason_chart(FILE *out, const json_t *profile);
void vh_device_chart(FILE *out, const json_t *profile);
void vh_latency_section(FILE *out, const json_t *profile);
void vh_timeline_section(FILE *out, const json_t *profile);
void vh_workload_exit_chart(FILE *out, const json_t *workloads);
void vh_speedup_chart(FILE *out, const json_t *speedups);
/* A recording's slowest exits on its time axis, and their table
 * (report_html_exits.c). */
void vh_slowest_section(FILE *out, const json_t *doc, const json_t *profile);

/* A table of report_tables.h, rows in the document's order, as one
 * <table class="sortable"> (report_html_tables.c). */
struct vp_table_def;
void vh_table(FILE *out, const struct vp_table_def *t, const json_t *doc, const json_t *rows);

static inline const char *vh_or_dash(const char *s)
{
	return s && *s ? s : VH_DASH;
}

/* Colours shared by charts, tables and the legend. */
#define VH_C_USER     "#3b6fb6"
#define VH_C_KERNEL   "#e0892b"
#define VH_C_INKERNEL "#4d9a5a"

#endif
