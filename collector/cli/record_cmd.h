/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof record`: every event of one VM into a file, for later. */
#ifndef VP_RECORD_CMD_H
#define VP_RECORD_CMD_H

#include <stdio.h>

int vp_record_main(int argc, char **argv);
void vp_print_record_usage(FILE *out);

#endif
