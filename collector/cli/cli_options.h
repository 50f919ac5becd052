/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VP_CLI_OPTIONS_H
#define VP_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "metrics_server.h"
#include "vmexit_source.h"

struct vp_options {
	int pid;	   /* -1 with all */
	bool all;	   /* every KVM VM of the host */
	double duration_s; /* 0: until Ctrl-C, SIGTERM or the target exits */
	double interval_s;
	int vcpu; /* -1: all */
	const char *json_path;
	const char *qmp_path;	    /* NULL: look on QEMU's command line */
	const char *metrics_listen; /* --metrics as given; NULL: no server */
	struct vp_listen_addr metrics_addr;
	const char *metrics_file; /* NULL: none */
	enum vp_run_hook run_hook;
	enum vp_tp_flavour tracepoints;
	bool verbose;
	bool help;
	bool version;
};

/*
 * Parses argv.  Returns 0, or -EINVAL with one line describing the problem
 * in err.  Never prints.
 */
int vp_parse_options(int argc, char **argv, struct vp_options *o, char *err, size_t errlen);
void vp_print_usage(FILE *out);

struct option;
/* Shared by every subcommand's parser. */
/* A whole number in [min, max] into *out: 0 or -EINVAL. */
int vp_parse_long(const char *s, long min, long max, long *out);
/* A duration in seconds: finite, > 0, at most 1e7.  0 or -EINVAL. */
int vp_parse_seconds(const char *s, double *out);
/* One line for getopt_long's ':' (a value missing) or '?' (an unknown
 * option) of subcommand cmd; returns -EINVAL. */
int vp_getopt_error(int c, char **argv, const char *cmd, char *err, size_t errlen);
/* The long name of the option whose short form is c, for messages. */
const char *vp_option_name(const struct option *opts, int c);

#endif
