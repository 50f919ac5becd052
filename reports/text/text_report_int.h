/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared by text_report.c (header, profile), text_workloads.c and text_slowest.c. */
#ifndef VP_TEXT_REPORT_INT_H
#define VP_TEXT_REPORT_INT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "doc_access.h"
#include "report_tables.h"
#include "text_table.h"

#define NONE	      VP_TT_NONE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct vp_tr_ctx {
	FILE *out;
	const struct vp_text_style *st;
	const json_t *doc;
};

void vp_tr_heading(const struct vp_tr_ctx *c, const char *title, const char *what);
/*
 * Prints the terminal columns of t under its heading, one line for each of
 * the n rows of the array `all` in the order of `sorted`: n elements of
 * `size` bytes, each starting with its row's const json_t *, as each
 * table's sort keeps them.  Nothing when n is 0.  With `total`, a last line
 * "all" sums every number column.
 */
void vp_tr_table(const struct vp_tr_ctx *c, const struct vp_table_def *t, const json_t *all,
		 const void *sorted, size_t size, size_t n, bool total);

void vp_tr_workloads(const struct vp_tr_ctx *c, const json_t *workloads);
void vp_tr_speedups(const struct vp_tr_ctx *c, const json_t *speedups);
/* A recording's profile.slowest_exits. */
void vp_tr_slowest(const struct vp_tr_ctx *c, const json_t *slow);

#endif
