/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The live profile's one line per refresh, for logs (stdout not a terminal),
 * and the rate line above the terminal view: rendered from the document. */
#ifndef VP_LIVE_LINE_H
#define VP_LIVE_LINE_H

#include <stdio.h>

#include <jansson.h>

/* The totals of doc (a profile) and its rate of exits to user space (under
 * TCG: QEMU's dispatches) per second since prev (NULL: none) over seconds. */
void vp_text_live_line(FILE *out, const json_t *doc, const json_t *prev, double seconds);

#endif
