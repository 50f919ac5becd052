/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The JSON of `vmexit-prof run --compare` (README.md, "Comparing workloads"). */
#ifndef VP_COMPARE_JSON_H
#define VP_COMPARE_JSON_H

#include <jansson.h>

#include "run_compare.h"

#define VP_COMPARE_SCHEMA "vmexit-prof-compare/1"

json_t *vp_compare_to_json(const struct vp_compare *cmp);
/* Atomically (temporary file, then rename); 0 or -errno. */
int vp_compare_json_write(const struct vp_compare *cmp, const char *path);

#endif
