/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The result document of `vmexit-prof run --compare` (reports/SCHEMA.md):
 * its "workloads" and "speedups" sections. */
#ifndef VP_COMPARE_JSON_H
#define VP_COMPARE_JSON_H

#include <jansson.h>

#include "run_compare.h"

/* qemu: the binary the workloads ran on. */
json_t *vp_compare_doc(const struct vp_compare *cmp, const char *qemu);

#endif
