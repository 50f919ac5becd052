/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The HTML report: one self-contained page (inline CSS, SVG and a little
 * optional JS, nothing fetched) rendered from a result document
 * (reports/doc/SCHEMA.md).  Charts are drawn here, in C, so every number is
 * in the file even with scripting off.
 */
#ifndef VP_REPORT_HTML_H
#define VP_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Renders doc to out.  Absent or null fields are shown as a dash.
 * 0, or -EIO when out reported a write error. */
int vp_html_render(const json_t *doc, FILE *out);
/* Writes the page to path.tmp.PID, then renames it over path, so a browser
 * never sees half a page.  0, or -errno with one line in err. */
int vp_html_write(const json_t *doc, const char *path, char *err, size_t errlen);

#endif
