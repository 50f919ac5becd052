/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * QEMU's probe counts (qemu_counts.h) as JSON and back, so a recording
 * keeps what the probes counted and its reader attributes exits as the
 * live profile does.  Names of catalogue events and devices travel as
 * names and come back as the catalogue's and device table's own.
 */
#ifndef VP_USDT_COUNTS_JSON_H
#define VP_USDT_COUNTS_JSON_H

#include <jansson.h>

#include "qemu_counts.h"

/* NULL when out of memory. */
json_t *vp_usdt_counts_json(const struct vp_usdt_counts *c);
/* 0, -EINVAL for JSON that is not such counts, -ENOMEM; c is then empty. */
int vp_usdt_counts_from_json(const json_t *j, struct vp_usdt_counts *c);

#endif
