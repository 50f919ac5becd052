/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof record`: every event of one VM into a file, for later. */
#ifndef VP_RECORD_CMD_H
#define VP_RECORD_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "target.h"
#include "vmexit_source.h"

struct vp_record_opts {
	int pid;
	const char *out, *qmp;
	double duration_s, interval_s;
	unsigned ring_mb;
	int vcpu;
	enum vp_run_hook hook;
	enum vp_tp_flavour flavour;
	bool verbose, help;
};

/* Records target, checked already, as o says: 0, 1 when recording failed
 * (said on stderr), 2 when it could not start. */
int vp_record(const struct vp_record_opts *o, struct vp_target *target, bool kvm);

/* Parses record's argv: 0, or -EINVAL with one line in err. */
int vp_record_parse(int argc, char **argv, struct vp_record_opts *o, char *err, size_t errlen);
int vp_record_main(int argc, char **argv);
void vp_print_record_usage(FILE *out);

#endif
