// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cli_options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vp_print_usage(FILE *out)
{
	fputs("Usage: vmexit-prof --pid PID | --all [--duration SEC] [--interval SEC] [--vcpu N] "
	      "[--json FILE] [--qmp PATH]\n"
	      "                   [--run-hook auto|none|fentry|syscalls] [--tracepoints "
	      "auto|btf|classic]\n"
	      "                   [--metrics [ADDR:]PORT] [--metrics-file FILE.prom]\n"
	      "       vmexit-prof run WORKLOAD [...]      boot a bundled guest workload (run "
	      "--help)\n"
	      "       vmexit-prof run --compare W1,W2,..  profile and compare bundled workloads\n"
	      "       vmexit-prof record --pid PID -o FILE  every exit into a file (record "
	      "--help)\n"
	      "       vmexit-prof report FILE [...]  report a result or a recording: text, HTML "
	      "(report --help)\n"
	      "       vmexit-prof gate --baseline B --current C [...]  CI regression gate (gate "
	      "--help)\n"
	      "       vmexit-prof report --qemu-trace FILE [...]  the report of QEMU's simple "
	      "trace\n"
	      "       vmexit-prof trace-events  the QEMU events it reads, for -trace events=FILE\n"
	      "       vmexit-prof memmap --pid PID | --qmp PATH  QEMU's memory map with devices\n"
	      "Profile the VM exits of a running QEMU/KVM process, per exit reason, vCPU and "
	      "device.\n\n"
	      "  -p, --pid PID        the VMM process (e.g. $(pidof qemu-system-x86_64))\n"
	      "  -a, --all            every KVM VM of the host, those started later too;\n"
	      "                       --json then names a directory: one document per VM\n"
	      "  -d, --duration SEC   stop after SEC seconds (default: until Ctrl-C or the VM "
	      "exits)\n"
	      "  -i, --interval SEC   refresh the live view every SEC seconds (default 1)\n"
	      "  -c, --vcpu N         only vCPU N\n"
	      "  -j, --json FILE      also write the final result as JSON\n"
	      "  -q, --qmp PATH       QEMU's QMP socket, to name devices from its memory map\n"
	      "                       (default: the one on QEMU's command line, if any)\n"
	      "  -R, --run-hook HOOK  where KVM_RUN is timed: auto (default), none (the kvm\n"
	      "                       tracepoints bound the VMM's time; needs kvm_entry),\n"
	      "                       fentry (on kvm_arch_vcpu_ioctl_run: KVM_RUN only) or\n"
	      "                       syscalls (raw_syscalls: every system call of the host)\n"
	      "  -T, --tracepoints F  how the kvm tracepoints are read: auto (default), btf\n"
	      "                       (tp_btf: their arguments) or classic (their records)\n"
	      "  -M, --metrics [ADDR:]PORT  serve the profile to Prometheus at\n"
	      "                       http://ADDR:PORT/metrics, refreshed every interval\n"
	      "                       (ADDR: 127.0.0.1 unless given; [::1]:PORT for IPv6)\n"
	      "  -P, --metrics-file FILE  write the same metrics to FILE every interval,\n"
	      "                       atomically (node_exporter's textfile collector)\n"
	      "  -v, --verbose        show libbpf's messages\n"
	      "  -h, --help           this text\n"
	      "  -V, --version        print the version\n",
	      out);
}

int vp_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 1e7)
		return -EINVAL;
	*out = v;
	return 0;
}

int vp_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_int(const char *s, long min, long max, int *out)
{
	long v;

	if (vp_parse_long(s, min, max, &v))
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "all", no_argument, NULL, 'a' },
	{ "duration", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "vcpu", required_argument, NULL, 'c' },
	{ "json", required_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "qmp", required_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "run-hook", required_argument, NULL, 'R' },
	{ "tracepoints", required_argument, NULL, 'T' },
	{ "metrics", required_argument, NULL, 'M' },
	{ "metrics-file", required_argument, NULL, 'P' },
	{ NULL, 0, NULL, 0 },
};

const char *vp_option_name(const struct option *opts, int c)
{
	for (const struct option *l = opts; l->name; l++)
		if (l->val == c)
			return l->name;
	return "?";
}

int vp_parse_options(int argc, char **argv, struct vp_options *o, char *err, size_t errlen)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->pid = -1;
	o->interval_s = 1.0;
	o->vcpu = -1;
	optind = 0; /* parse from the start every time (tests call this repeatedly) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:ad:i:c:j:q:R:T:M:P:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_int(optarg, 1, INT_MAX, &o->pid))
				goto bad_value;
			break;
		case 'a': o->all = true; break;
		case 'd':
			if (vp_parse_seconds(optarg, &o->duration_s))
				goto bad_value;
			break;
		case 'i':
			if (vp_parse_seconds(optarg, &o->interval_s))
				goto bad_value;
			break;
		case 'c':
			if (parse_int(optarg, 0, 0xfffd, &o->vcpu))
				goto bad_value;
			break;
		case 'j':
			if (!*optarg)
				goto bad_value;
			o->json_path = optarg;
			break;
		case 'q':
			if (!*optarg)
				goto bad_value;
			o->qmp_path = optarg;
			break;
		case 'R':
			if (vp_run_hook_parse(optarg, &o->run_hook))
				goto bad_value;
			break;
		case 'T':
			if (vp_tp_flavour_parse(optarg, &o->tracepoints))
				goto bad_value;
			break;
		case 'M':
			if (vp_listen_parse(optarg, &o->metrics_addr))
				goto bad_value;
			o->metrics_listen = optarg;
			break;
		case 'P':
			if (!*optarg)
				goto bad_value;
			o->metrics_file = optarg;
			break;
		case 'v': o->verbose = true; break;
		case 'h': o->help = true; return 0;
		case 'V': o->version = true; return 0;
		case ':':
			snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			/* optind may not have moved past a cluster yet: name the option from optopt. */
			if (optopt && strchr("pdicjqRTMPvhV", optopt))
				snprintf(err, errlen, "option --%s takes no value",
					 vp_option_name(longopts, optopt));
			else if (optopt)
				snprintf(err, errlen, "unknown option -%c (see --help)", optopt);
			else
				snprintf(err, errlen, "unknown option %s (see --help)",
					 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
		return -EINVAL;
	}
	if (o->all && (o->pid >= 0 || o->vcpu >= 0 || o->qmp_path)) {
		snprintf(err, errlen, "--all profiles every VM of the host: not with %s",
			 o->pid >= 0	? "--pid"
			 : o->vcpu >= 0 ? "--vcpu"
					: "--qmp");
		return -EINVAL;
	}
	if (o->pid < 0 && !o->all) {
		snprintf(err, errlen, "--pid PID or --all is required (see --help)");
		return -EINVAL;
	}
	return 0;
bad_value:
	snprintf(err, errlen, "invalid value '%s' for --%s", optarg, vp_option_name(longopts, c));
	return -EINVAL;
}

int vp_getopt_error(int c, char **argv, const char *cmd, char *err, size_t errlen)
{
	if (c == ':')
		snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
	else if (optopt)
		snprintf(err, errlen, "unknown option -%c (see %s --help)", optopt, cmd);
	else
		snprintf(err, errlen, "unknown option %s (see %s --help)", argv[optind - 1], cmd);
	return -EINVAL;
}
