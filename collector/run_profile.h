/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof run WORKLOAD --profile`: QEMU's USDT counts beside the guest's. */
#ifndef VP_RUN_PROFILE_H
#define VP_RUN_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "guest_runner.h"
#include "usdt_source.h"

/* g was started with paused_qmp: attaches u to its QEMU, then lets the vCPUs
 * run (QMP cont).  On failure nothing stays attached; 0 or -errno with err. */
int vp_profile_begin(struct vp_guest *g, bool verbose, struct vp_usdt *u, char *err,
		     size_t errlen);
/* QEMU's per-region table; r (NULL if the guest printed no result) for the
 * guest's own counts of the regions the two name differently. */
void vp_profile_print(const struct vp_usdt_counts *c, const struct vp_guest_result *r);

#endif
