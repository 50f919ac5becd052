// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "cli_options.h"
#include "errors.h"
#include "gate_cmd.h"
#include "host_cmd.h"
#include "memmap_cmd.h"
#include "report_cmd.h"
#include "run_cmd.h"
#include "pid_cmd.h"
#include "qemu_trace_doc.h"
#include "record_cmd.h"

int main(int argc, char **argv)
{
	struct vp_options o;
	char err[256];

	/* Subcommands are words before any option; without one, the classic
	 * `vmexit-prof --pid PID ...` profile of a running VMM. */
	if (argc > 1 && !strcmp(argv[1], "run"))
		return vp_run_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "memmap"))
		return vp_memmap_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "record"))
		return vp_record_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "report"))
		return vp_report_main(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[1], "trace-events")) {
		vp_print_trace_events(stdout);
		return fflush(stdout) ? 1 : 0;
	}
	if (argc > 1 && !strcmp(argv[1], "gate"))
		return vp_gate_main(argc - 1, argv + 1);
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
	return o.all ? vp_host_run(&o) : vp_session_run(&o);
}
