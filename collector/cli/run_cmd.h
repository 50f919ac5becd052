/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof run WORKLOAD ...`: boots a bundled guest workload. */
#ifndef VP_RUN_CMD_H
#define VP_RUN_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compare.h"
#include "guest_runner.h"

#define VP_RUN_MAX_EXTRA 16 /* --device and --arg, each */

struct vp_run_options {
	const char *workload;  /* NULL with elf: an image not in the table */
	const char *elf;       /* NULL: GUEST_DIR/WORKLOAD.elf */
	const char *qemu;      /* default: VP_DEFAULT_QEMU */
	const char *append;    /* NULL: the table's defaults */
	const char *guest_dir; /* where NAME.elf lives; default VP_GUEST_DIR */
	const char *table;     /* NULL: VP_WORKLOADS_JSON */
	enum vp_accel accel;
	double timeout_s;
	bool verbose;	     /* echo the serial console */
	bool profile;	     /* count QEMU's register accesses through its USDT probes */
	const char *compare; /* "W1,W2[,W3]": vmexit-prof run --compare */
	const char *json;    /* the result document (reports/doc/SCHEMA.md) */
	const char *devices[VP_RUN_MAX_EXTRA]; /* extra -device options */
	size_t ndevices;
	const char *args[VP_RUN_MAX_EXTRA]; /* extra raw QEMU arguments */
	size_t nargs;
	unsigned disk_mib; /* a scratch disk of at least this size; 0: the workload's */
	int repeat;	   /* with compare: unprofiled timing runs per workload */
	bool help;
};

/* argv[0] is "run".  0, or -EINVAL with one line in err; never prints. */
int vp_parse_run_options(int argc, char **argv, struct vp_run_options *o, char *err, size_t errlen);
void vp_print_run_usage(FILE *out);
/* The whole subcommand: exit status 0 (status=ok), 1 (any other outcome of
 * the run) or 2 (bad input: options, unknown workload, no ELF, no QEMU). */
int vp_run_main(int argc, char **argv);

#endif
