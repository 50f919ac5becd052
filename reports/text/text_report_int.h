/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared by text_report.c (header, profile) and text_workloads.c. */
#ifndef VP_TEXT_REPORT_INT_H
#define VP_TEXT_REPORT_INT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "text_table.h"

#define NONE VP_TT_NONE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct vp_tr_ctx {
	FILE *out;
	const struct vp_text_style *st;
};

/* "a.b.c" inside nested objects; NULL when any step is missing. */
const json_t *vp_tr_get(const json_t *o, const char *path);
/* false for null, absent or not a number */
bool vp_tr_num(const json_t *o, const char *path, double *v);
/* 0 for null: for sort keys and sums, never printed as a value */
double vp_tr_num0(const json_t *o, const char *path);
const char *vp_tr_str(const json_t *o, const char *path);
void vp_tr_cell_str(struct vp_table *t, const json_t *o, const char *path);
/* fmt: vp_tt_ns, vp_tt_us, vp_tt_count or vp_tt_per_op; "–" for null */
void vp_tr_cell_num(struct vp_table *t, const json_t *o, const char *path,
		    const char *(*fmt)(double, char *, size_t));
void vp_tr_heading(const struct vp_tr_ctx *c, const char *title, const char *what);
/* Prints and frees t. */
void vp_tr_table_done(const struct vp_tr_ctx *c, struct vp_table *t);

void vp_tr_workloads(const struct vp_tr_ctx *c, const json_t *workloads);
void vp_tr_speedups(const struct vp_tr_ctx *c, const json_t *speedups);

#endif
