// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer: any bytes as a result document, through the reader's checks
 * and, when they pass, every renderer a `report FILE` runs. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "doc_reader.h"
#include "metrics.h"
#include "report_html.h"
#include "text_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vp_text_style st = { .color = true, .width = 80, .max_rows = 5 };
	json_t *doc = json_loadb((const char *)data, size, 0, NULL);
	char err[256];
	FILE *null;

	if (!doc)
		return 0;
	if (!vp_doc_validate(doc, err, sizeof(err)) && (null = fopen("/dev/null", "w"))) {
		vp_text_render(null, doc, &st);
		vp_html_render(doc, null);
		if (json_object_get(doc, "profile"))
			vp_metrics_render(null, doc, VP_METRICS_OPENMETRICS);
		fclose(null);
	}
	json_decref(doc);
	return 0;
}
