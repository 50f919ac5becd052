/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The report's tables, each declared once for every renderer: which
 * columns, in which order, what document field each shows, in what unit,
 * aligned how, and under which title in the terminal and in HTML.  The text
 * and HTML reports iterate over these declarations, so a column added here
 * appears in both (or in the one whose title it has), and the two never
 * disagree about what a column means.  Only the document kit is used here:
 * renderers may depend on this, it depends on nothing above the document.
 */
#ifndef VP_REPORT_TABLES_H
#define VP_REPORT_TABLES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* A unit formatter of units.h (vp_fmt_ns, _us, _count, _per_op, _pct). */
typedef const char *(*vp_unit_fmt)(double v, char *buf, size_t len);

/* What a column's value is, so each renderer can present it its way. */
enum vp_col_kind {
	VP_COL_TEXT,   /* the string at path; "–" when absent or empty */
	VP_COL_NUM,    /* the number at path, shown by fmt */
	VP_COL_MEAN,   /* path over path2 (time per exit), by fmt */
	VP_COL_SHARE,  /* path as a percentage of its sum over the table's rows */
	VP_COL_ADDR,   /* the integer at path in hex; a folded row says so */
	VP_COL_WHERE,  /* an exit's side, "user" or "kernel" (with its isa) */
	VP_COL_KINDS,  /* an object of counts: "ioeventfd 5120, coalesced 3" */
	VP_COL_CODE,   /* other[].code: a number for lines and hypercalls, else hex */
	VP_COL_DETAIL, /* other[]: an MSI's address or an MSR's direction */
	VP_COL_LENGTH, /* how many elements the array at path has */
	VP_COL_SPREAD, /* a spread in percent at path ("±" in the terminal) */
	VP_COL_STATUS, /* a workload's status; one that did not run ok stands out */
	VP_COL_RATIO,  /* a speed-up (renderers draw ratios as their charts do) */
	VP_COL_WL_US,  /* timing.us_per_op of the workload named at path, by fmt */
};

enum vp_col_align { VP_COL_LEFT, VP_COL_RIGHT };

/* A number that stands out in the terminal: the top row's, when a gain. */
#define VP_COL_BEST (1u << 0)
/* Zero means "not known" (fast_mmio has no access size). */
#define VP_COL_ZERO_UNKNOWN (1u << 1)
/* The row's own name: bold in HTML. */
#define VP_COL_NAME (1u << 2)

/* A mark on a value whose row says it was derived, not measured. */
struct vp_col_note {
	const char *path, *equals; /* the row's string at path equals this */
	const char *mark;	   /* appended to the value: "*" */
	const char *footnote;	   /* shown once under the table */
};

struct vp_col {
	/* The terminal's head: "GROUP\nNAME" opens a group line over the
	 * columns that follow with "\nNAME"; NULL: not in the terminal. */
	const char *term;
	/* The HTML head; NULL: not in the HTML report. */
	const char *html;
	/* An HTML heading over the consecutive columns that share it. */
	const char *html_group;
	enum vp_col_kind kind;
	const char *path;
	/* VP_COL_MEAN: the divisor; VP_COL_TEXT: a dimmer second line (HTML);
	 * VP_COL_SPREAD: the prefix of the runs' min and max (HTML). */
	const char *path2;
	vp_unit_fmt fmt;
	enum vp_col_align align;
	/* a narrow terminal may cut this column to so many columns; 0: never */
	unsigned shrink_to;
	unsigned flags;
	const struct vp_col_note *note;
};

struct vp_table_def {
	const char *id;	   /* the HTML table's id */
	const char *title; /* the terminal's heading and its dimmer subtitle */
	const char *what;
	const char *rows; /* the array in its section ("devices" of "profile") */
	/* A row's message at this path is shown under it, across the table
	 * (HTML; the terminal lists them after the table). */
	const char *detail;
	/* The terminal lists rows by cost: the sum of these times, then of
	 * these counts (NULL-terminated; NULL: none). */
	const char *const *sort_time, *const *sort_count;
	const struct vp_col *cols;
	size_t ncols;
};

extern const struct vp_table_def vp_table_vcpus, vp_table_exit_reasons, vp_table_devices,
	vp_table_accesses, vp_table_other, vp_table_workloads, vp_table_speedups;

/* What a table needs beyond one row: the document (a speed-up's workloads)
 * and the sums that shares are of. */
struct vp_table_ctx {
	const json_t *doc;
	double share_total;
};

void vp_table_ctx_init(struct vp_table_ctx *ctx, const struct vp_table_def *t, const json_t *doc,
		       const json_t *rows);

/* One cell: the number behind it (NAN when none, or for text) and what is
 * shown, "–" when there is no value. */
struct vp_cell {
	double num;
	const char *text;
	bool alert; /* VP_COL_STATUS: the workload did not run ok */
	bool noted; /* the column's note applies to this row */
	char buf[256];
};

void vp_cell_get(const struct vp_col *col, const struct vp_table_ctx *ctx, const json_t *row,
		 struct vp_cell *c);

/* The cell's number is a value to sort and compare by (HTML data-value). */
bool vp_col_numeric(const struct vp_col *col);

/* How a profile's programs saw KVM, for the summary: "KVM_RUN by fentry,
 * tracepoints tp_btf"; NULL when the document does not say (TCG, a
 * comparison, an older document). */
const char *vp_doc_hooks_text(const json_t *meta, char *buf, size_t len);

#endif
