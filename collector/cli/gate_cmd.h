/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof gate`: fails CI when a result regressed against a baseline. */
#ifndef VP_GATE_CMD_H
#define VP_GATE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gate.h"

struct vp_gate_options {
	const char *baseline;
	const char *current;
	const char *markdown; /* also write the summary here, atomically */
	struct vp_gate_config config;
	bool help;
};

/* argv[0] is "gate".  0, or -EINVAL with one line in err; never prints. */
int vp_parse_gate_options(int argc, char **argv, struct vp_gate_options *o, char *err,
			  size_t errlen);
/* "5%" or "5" is +5%; digits and one dot only, so no sign, exponent, hex
 * or inf slips through.  0 or -EINVAL. */
int vp_parse_percent(const char *s, double *pct);
void vp_print_gate_usage(FILE *out);
/* Exit status 0 (within bounds), 1 (regression) or 2 (bad input). */
int vp_gate_main(int argc, char **argv);

#endif
