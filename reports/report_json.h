/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VP_REPORT_JSON_H
#define VP_REPORT_JSON_H

#include <jansson.h>

#include "result.h"

#define VP_JSON_SCHEMA "vmexit-prof/1"

json_t *vp_result_to_json(const struct vp_result *r);
/*
 * Writes doc (and drops the reference) atomically: a temporary file, then a
 * rename, so a reader never sees half a document.  NULL doc: -EINVAL.
 */
int vp_json_dump_atomic(json_t *doc, const char *path);
/* The result as one document, written with vp_json_dump_atomic. */
int vp_json_write_file(const struct vp_result *r, const char *path);

#endif
