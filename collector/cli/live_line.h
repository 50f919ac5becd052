/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The live profile's one line per refresh, for logs (stdout not a terminal),
 * and the rate line above the terminal view. */
#ifndef VP_LIVE_LINE_H
#define VP_LIVE_LINE_H

#include <stdio.h>

#include "result.h"

/* Totals of r, and its exits to user space per second since prev (NULL:
 * none) over `seconds`. */
void vp_report_line(FILE *out, const struct vp_result *r, const struct vp_result *prev,
		    double seconds);

#endif
