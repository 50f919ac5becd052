/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VP_REPORT_JSON_H
#define VP_REPORT_JSON_H

#include <jansson.h>

#include "result.h"

#define VP_JSON_SCHEMA "vmexit-prof/1"

json_t *vp_result_to_json(const struct vp_result *r);
/* Writes atomically (temporary file, then rename): a reader never sees half a document. */
int vp_json_write_file(const struct vp_result *r, const char *path);

#endif
