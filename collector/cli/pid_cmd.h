/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VP_PID_CMD_H
#define VP_PID_CMD_H

#include "cli_options.h"

/* Attach, show the live view, print the final report.  Returns the exit status. */
int vp_session_run(const struct vp_options *o);

#endif
