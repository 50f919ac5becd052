/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof --all`: every KVM VM of the host, profiled at once. */
#ifndef VP_HOST_CMD_H
#define VP_HOST_CMD_H

#include "cli_options.h"

/* Exit status: 0, 1 (a result not written), 2 (bad input, nothing attached). */
int vp_host_run(const struct vp_options *o);

#endif
