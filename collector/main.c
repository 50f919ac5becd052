// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>

#include "cli_options.h"
#include "errors.h"
#include "session.h"

int main(int argc, char **argv)
{
	struct vp_options o;
	char err[256];

	if (vp_parse_options(argc, argv, &o, err, sizeof(err))) {
		vp_error("%s", err);
		return VP_EXIT_BAD_INPUT;
	}
	if (o.help) {
		vp_print_usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("vmexit-prof %s\n", VP_VERSION);
		return 0;
	}
	return vp_session_run(&o);
}
