/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The terminal report of a result document (reports/doc/SCHEMA.md): a header
 * and one table per section present, read only from the document.
 */
#ifndef VP_TEXT_REPORT_H
#define VP_TEXT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "text_table.h"

/* Absent or null fields are shown as "–"; style NULL: no colour, no width. */
void vp_text_render(FILE *out, const json_t *doc, const struct vp_text_style *style);
/* The "run" section alone, as `vmexit-prof run WORKLOAD` prints it; reasons:
 * also the guest's own error and FAIL lines. */
void vp_text_run(FILE *out, const json_t *doc, bool reasons);

#endif
