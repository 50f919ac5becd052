/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The result document of `vmexit-prof run --compare` (reports/doc/SCHEMA.md):
 * its "workloads" and "speedups" sections. */
#ifndef VP_COMPARE_DOC_H
#define VP_COMPARE_DOC_H

#include <jansson.h>

#include "compare.h"

/* qemu: the binary the workloads ran on. */
json_t *vp_compare_doc(const struct vp_compare *cmp, const char *qemu);

#endif
