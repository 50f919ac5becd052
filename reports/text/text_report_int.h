/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared by text_report.c (header, profile) and text_workloads.c. */
#ifndef VP_TEXT_REPORT_INT_H
#define VP_TEXT_REPORT_INT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "doc_access.h"
#include "text_table.h"

#define NONE	      VP_TT_NONE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct vp_tr_ctx {
	FILE *out;
	const struct vp_text_style *st;
};

void vp_tr_cell_str(struct vp_table *t, const json_t *o, const char *path);
/* fmt: vp_fmt_ns, vp_fmt_us, vp_fmt_count or vp_fmt_per_op; "–" for null */
void vp_tr_cell_num(struct vp_table *t, const json_t *o, const char *path,
		    const char *(*fmt)(double, char *, size_t));
void vp_tr_heading(const struct vp_tr_ctx *c, const char *title, const char *what);
/* Prints and frees t. */
void vp_tr_table_done(const struct vp_tr_ctx *c, struct vp_table *t);

void vp_tr_workloads(const struct vp_tr_ctx *c, const json_t *workloads);
void vp_tr_speedups(const struct vp_tr_ctx *c, const json_t *speedups);

#endif
