/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof report FILE.json ...`: the reports of a saved result document. */
#ifndef VP_REPORT_CMD_H
#define VP_REPORT_CMD_H

#include <stdio.h>

void vp_print_report_usage(FILE *out);
/* argv[0] is "report".  Exit status 0, 1 (stdout could not be written) or
 * 2 (bad input: options, an unreadable or invalid document, an output file
 * that cannot be written); on 2 nothing is printed on stdout. */
int vp_report_main(int argc, char **argv);

#endif
