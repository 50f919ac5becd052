// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `vmexit-prof record`'s options. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "record_cmd.h"

#define RING_MB_DEFAULT 64

void vp_print_record_usage(FILE *out)
{
	fputs("Usage: vmexit-prof record --pid PID -o FILE [--duration SEC] [options]\n"
	      "Record every VM exit and device event of a running KVM VM into FILE, to be\n"
	      "read later, here or elsewhere, by `vmexit-prof report FILE`: the same profile\n"
	      "a live --pid gives, plus the slowest exits one by one.  Stops at Ctrl-C,\n"
	      "SIGTERM, --duration or when the VM exits; a recorder killed outright leaves a\n"
	      "file that reads up to where it stopped.\n\n"
	      "  -p, --pid PID        the VMM process (QEMU)\n"
	      "  -o, --output FILE    where to write (replaced)\n"
	      "  -d, --duration SEC   stop after SEC seconds\n"
	      "  -i, --interval SEC   write what was recorded every SEC seconds (default 1):\n"
	      "                       a recorder killed loses at most that much\n"
	      "  -r, --ring-mb N      the kernel's ring buffer, MiB (power of two, default 64);\n"
	      "                       events that find it full are counted, never silent\n"
	      "  -q, --qmp PATH       QEMU's QMP socket, for its memory map (default: the one\n"
	      "                       on its command line)\n"
	      "      --vcpu N         the exits of vCPU N only\n"
	      "      --run-hook H     auto, none, fentry or syscalls (as for --pid)\n"
	      "      --tracepoints F  auto, btf or classic (as for --pid)\n"
	      "  -v, --verbose        libbpf's messages\n"
	      "Exit status: 0 recorded, 1 failed while recording, 2 bad input.\n",
	      out);
}

enum { OPT_VCPU = 256, OPT_HOOK, OPT_TP };

static const struct option rec_longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "duration", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "ring-mb", required_argument, NULL, 'r' },
	{ "qmp", required_argument, NULL, 'q' },
	{ "vcpu", required_argument, NULL, OPT_VCPU },
	{ "run-hook", required_argument, NULL, OPT_HOOK },
	{ "tracepoints", required_argument, NULL, OPT_TP },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int vp_record_parse(int argc, char **argv, struct vp_record_opts *o, char *err, size_t errlen)
{
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->pid = -1;
	o->vcpu = -1;
	o->interval_s = 1;
	o->ring_mb = RING_MB_DEFAULT;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:o:d:i:r:q:vh", rec_longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (vp_parse_long(optarg, 1, INT_MAX, &v))
				goto bad_value;
			o->pid = (int)v;
			break;
		case 'o':
			if (!*optarg)
				goto bad_value;
			o->out = optarg;
			break;
		case 'd':
			if (vp_parse_seconds(optarg, &o->duration_s))
				goto bad_value;
			break;
		case 'i':
			if (vp_parse_seconds(optarg, &o->interval_s))
				goto bad_value;
			break;
		case 'r':
			if (vp_parse_long(optarg, 1, 4096, &v) || (v & (v - 1)))
				goto bad_value;
			o->ring_mb = (unsigned)v;
			break;
		case 'q': o->qmp = optarg; break;
		case OPT_VCPU:
			if (vp_parse_long(optarg, 0, VP_TARGET_MAX_VCPUS - 1, &v))
				goto bad_value;
			o->vcpu = (int)v;
			break;
		case OPT_HOOK:
			if (vp_run_hook_parse(optarg, &o->hook))
				goto bad_value;
			break;
		case OPT_TP:
			if (vp_tp_flavour_parse(optarg, &o->flavour))
				goto bad_value;
			break;
		case 'v': o->verbose = true; break;
		case 'h': o->help = true; return 0;
		default: return vp_getopt_error(c, argv, "record", err, errlen);
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see record --help)", argv[optind]);
		return -EINVAL;
	}
	if (o->pid < 0 || !o->out) {
		snprintf(err, errlen,
			 "record: --pid and --output are required (see record --help)");
		return -EINVAL;
	}
	return 0;
bad_value:
	snprintf(err, errlen, "invalid value '%s' for --%s", optarg,
		 vp_option_name(rec_longopts, c));
	return -EINVAL;
}
