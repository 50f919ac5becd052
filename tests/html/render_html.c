// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * render_html IN.json OUT.html: the browser test's renderer until
 * `vmexit-prof report --html` exists.  It parses without validating, so
 * the test exercises the page alone, not the document checks.
 */
#include <stdio.h>

#include <jansson.h>

#include "report_html.h"

int main(int argc, char **argv)
{
	json_error_t jerr;
	char err[512];
	json_t *doc;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IN.json OUT.html\n", argv[0]);
		return 2;
	}
	doc = json_load_file(argv[1], 0, &jerr);
	if (!doc) {
		fprintf(stderr, "%s:%d: %s\n", argv[1], jerr.line, jerr.text);
		return 1;
	}
	rc = vp_html_write(doc, argv[2], err, sizeof(err));
	json_decref(doc);
	if (rc) {
		fprintf(stderr, "render_html: %s\n", err);
		return 1;
	}
	return 0;
}
