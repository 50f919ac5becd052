/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof run --compare W1,W2[,W3]`: the emulated and paravirtual paths
 * of one kind of work side by side, per operation. */
#ifndef VP_COMPARE_CMD_H
#define VP_COMPARE_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "compare.h"
#include "run_cmd.h"

/* The whole `run --compare`: exit status 0 (all ok), 1, or 2 (bad input). */
int vp_compare_main(const struct vp_run_options *o);

#endif
