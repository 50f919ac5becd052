/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VP_REPORT_TEXT_H
#define VP_REPORT_TEXT_H

#include <stdio.h>

#include "result.h"

struct vp_text_opts {
	size_t max_rows;              /* per table; 0 = all */
	const struct vp_result *prev; /* rates over `seconds` since prev; NULL = whole run */
	double seconds;
};

void vp_report_text(FILE *out, const struct vp_result *r, const struct vp_text_opts *o);
/* One line for logs when stdout is not a terminal. */
void vp_report_line(FILE *out, const struct vp_result *r, const struct vp_result *prev, double seconds);

#endif
