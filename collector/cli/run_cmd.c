// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "run_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "compare_cmd.h"
#include "doc_writer.h"
#include "errors.h"
#include "run_doc.h"
#include "run_profile.h"
#include "text_report.h"

#ifndef VP_DEFAULT_QEMU
#define VP_DEFAULT_QEMU "qemu-system-x86_64"
#endif
#ifndef VP_GUEST_DIR
#define VP_GUEST_DIR "."
#endif

void vp_print_run_usage(FILE *out)
{
	fputs("Usage: vmexit-prof run WORKLOAD [--qemu PATH] [--append \"k=v ...\"] [--accel "
	      "auto|kvm|tcg]\n"
	      "                       [--timeout SEC] [--guest-dir DIR] [--table FILE] [--profile] "
	      "[--verbose]\n"
	      "                       [--json FILE] [--elf PATH] [--device SPEC]... [--arg ARG]... "
	      "[--disk MIB]\n"
	      "       vmexit-prof run --elf PATH [same options]\n"
	      "       vmexit-prof run --compare W1,W2[,W3] [--json FILE] [--repeat N] [--qemu "
	      "PATH] "
	      "[--accel MODE]\n"
	      "Boot a bundled guest workload and print its result.\n\n"
	      "  -q, --qemu PATH       QEMU binary (default " VP_DEFAULT_QEMU ")\n"
	      "  -a, --append PARAMS   the workload's parameters (default: the table's)\n"
	      "  -A, --accel MODE      auto (kvm where /dev/kvm can create a VM, else tcg), kvm "
	      "or tcg\n"
	      "  -t, --timeout SEC     kill QEMU after SEC seconds (default 120)\n"
	      "  -g, --guest-dir DIR   where WORKLOAD.elf is (default " VP_GUEST_DIR ")\n"
	      "  -T, --table FILE      workload table (default " VP_WORKLOADS_JSON ")\n"
	      "  -P, --profile         count QEMU's register accesses per memory region (USDT)\n"
	      "  -j, --json FILE       also write the result document (vmexit-prof/2), atomically\n"
	      "  -e, --elf PATH        boot this image instead of WORKLOAD.elf; without WORKLOAD\n"
	      "                        nothing comes from the table (no devices, disk or "
	      "defaults)\n"
	      "  -D, --device SPEC     also give QEMU -device SPEC (repeatable)\n"
	      "  -X, --arg ARG         also give QEMU the raw argument ARG (repeatable); "
	      "\"{disk}\" "
	      "in\n"
	      "                        it names the scratch disk\n"
	      "  -d, --disk MIB        a zero-filled raw scratch disk of at least MIB MiB\n"
	      "  -C, --compare LIST    profile each workload of LIST and compare them per op\n"
	      "  -r, --repeat N        with --compare: N unprofiled runs per workload for its time "
	      "per\n"
	      "                        op, whose median is reported with their spread (default 3)\n"
	      "  -v, --verbose         echo the guest's serial console\n"
	      "A workload that needs a device of the project's QEMU boots without it on another\n"
	      "QEMU, and the guest says status=no-device.\n"
	      "Exit status: 0 status=ok, 1 any other outcome, 2 bad input.\n",
	      out);
}

static const struct option run_longopts[] = {
	{ "qemu", required_argument, NULL, 'q' },
	{ "append", required_argument, NULL, 'a' },
	{ "accel", required_argument, NULL, 'A' },
	{ "timeout", required_argument, NULL, 't' },
	{ "guest-dir", required_argument, NULL, 'g' },
	{ "table", required_argument, NULL, 'T' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "profile", no_argument, NULL, 'P' },
	{ "compare", required_argument, NULL, 'C' },
	{ "json", required_argument, NULL, 'j' },
	{ "repeat", required_argument, NULL, 'r' },
	{ "elf", required_argument, NULL, 'e' },
	{ "device", required_argument, NULL, 'D' },
	{ "arg", required_argument, NULL, 'X' },
	{ "disk", required_argument, NULL, 'd' },
	{ NULL, 0, NULL, 0 },
};

/* One more of a repeatable option: 0, or -E2BIG past VP_RUN_MAX_EXTRA. */
static int add_extra(const char **list, size_t *n, const char *v)
{
	if (*n == VP_RUN_MAX_EXTRA)
		return -E2BIG;
	list[(*n)++] = v;
	return 0;
}

int vp_parse_run_options(int argc, char **argv, struct vp_run_options *o, char *err, size_t errlen)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->qemu = VP_DEFAULT_QEMU;
	o->guest_dir = VP_GUEST_DIR;
	o->timeout_s = 120;
	o->repeat = 3;
	optind = 0;
	opterr = 0;
	/* getopt permutes: options may come before or after WORKLOAD. */
	while ((c = getopt_long(argc, argv, ":q:a:A:t:g:T:vhPC:j:r:e:D:X:d:", run_longopts,
				NULL)) != -1) {
		long v;

		switch (c) {
		case 'q':
		case 'g':
		case 'T':
		case 'C':
		case 'j':
		case 'e':
			if (!*optarg)
				goto bad_value;
			*(c == 'q'   ? &o->qemu
			  : c == 'g' ? &o->guest_dir
			  : c == 'T' ? &o->table
			  : c == 'C' ? &o->compare
			  : c == 'e' ? &o->elf
				     : &o->json) = optarg;
			break;
		case 'D':
		case 'X':
			if (c == 'D' && !*optarg)
				goto bad_value;
			if (add_extra(c == 'D' ? o->devices : o->args,
				      c == 'D' ? &o->ndevices : &o->nargs, optarg)) {
				snprintf(err, errlen, "at most %d --%s options", VP_RUN_MAX_EXTRA,
					 vp_option_name(run_longopts, c));
				return -EINVAL;
			}
			break;
		case 'd':
			if (vp_parse_long(optarg, 1, 1 << 20, &v))
				goto bad_value;
			o->disk_mib = (unsigned)v;
			break;
		case 'a': o->append = optarg; break;
		case 'A':
			if (!strcmp(optarg, "auto"))
				o->accel = VP_ACCEL_AUTO;
			else if (!strcmp(optarg, "kvm"))
				o->accel = VP_ACCEL_KVM;
			else if (!strcmp(optarg, "tcg"))
				o->accel = VP_ACCEL_TCG;
			else
				goto bad_value;
			break;
		case 't':
			if (vp_parse_seconds(optarg, &o->timeout_s))
				goto bad_value;
			break;
		case 'r':
			if (vp_parse_long(optarg, 1, VP_MAX_REPEAT, &v))
				goto bad_value;
			o->repeat = (int)v;
			break;
		case 'v': o->verbose = true; break;
		case 'P': o->profile = true; break;
		case 'h': o->help = true; return 0;
		default: return vp_getopt_error(c, argv, "run", err, errlen);
		}
	}
	if (o->compare) {
		/* the workloads are the list; --compare always profiles */
		if (optind < argc) {
			snprintf(err, errlen, "unexpected argument '%s' with --compare",
				 argv[optind]);
			return -EINVAL;
		}
		if (o->elf || o->ndevices || o->nargs || o->disk_mib) {
			snprintf(err, errlen,
				 "--elf, --device, --arg and --disk are for one WORKLOAD, not "
				 "--compare");
			return -EINVAL;
		}
		o->profile = true;
		return 0;
	}
	if (optind >= argc && !o->elf) {
		snprintf(err, errlen, "run: WORKLOAD or --elf is required (see run --help)");
		return -EINVAL;
	}
	if (optind < argc)
		o->workload = argv[optind++];
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see run --help)", argv[optind]);
		return -EINVAL;
	}
	return 0;
bad_value:
	snprintf(err, errlen, "invalid value '%s' for --%s", optarg,
		 vp_option_name(run_longopts, c));
	return -EINVAL;
}

/* Unusable host (no permission, no probes in this QEMU): not the run's fault. */
static bool host_refused(int ret)
{
	return ret == -EPERM || ret == -EACCES || ret == -ENOENT || ret == -EOPNOTSUPP;
}

/* The document of the run, printed, and saved with --json: 0, or the
 * exit status of a document that could not be written. */
static int report(const struct vp_run_options *o, const struct vp_run_input *in)
{
	json_t *doc = vp_run_doc(in);
	char err[512];
	int status = 0;

	if (!doc) {
		vp_error("out of memory");
		return 1;
	}
	/* with -v the console, reasons included, is already on the terminal */
	vp_text_run(stdout, doc, !o->verbose);
	fflush(stdout);
	if (o->json && vp_doc_save(json_incref(doc), o->json, err, sizeof(err))) {
		vp_error("%s", err);
		status = 1;
	}
	json_decref(doc);
	return status;
}

static int run(const struct vp_run_options *o, const struct vp_workload *w)
{
	struct vp_guest_config c = {
		.qemu = o->qemu,
		.append = o->append,
		.accel = o->accel,
		.paused_qmp = o->profile,
		.devices = o->devices,
		.ndevices = o->ndevices,
		.args = o->args,
		.nargs = o->nargs,
		.disk_mib = o->disk_mib,
	};
	struct vp_usdt_counts counts = { 0 };
	struct vp_guest_result r;
	struct vp_run_input in;
	struct vp_usdt u;
	struct vp_guest *g;
	char elf[4096], err[512], rerr[512] = "";
	int ret, rret = 0, status;

	if (o->elf)
		snprintf(elf, sizeof(elf), "%s", o->elf);
	else
		snprintf(elf, sizeof(elf), "%s/%s.elf", o->guest_dir, w->name);
	c.elf = elf;
	ret = vp_guest_start(w, &c, &g, err, sizeof(err));
	if (ret) {
		vp_error("%s", err);
		/* the run never started: missing pieces are bad input */
		return ret == -ENOENT || ret == -ENODEV ? VP_EXIT_BAD_INPUT : 1;
	}
	vp_note("%s: QEMU pid %d (%s), -append \"%s\"", w->name, (int)vp_guest_pid(g),
		vp_guest_accel(g), o->append ? o->append : w->defaults);
	if (vp_guest_missing_device(g))
		vp_note("%s has no %s device (the project's QEMU has it: "
			"qemu-trace-events/build-qemu.sh); booting without it",
			o->qemu, vp_guest_missing_device(g));
	if (o->profile) {
		ret = vp_profile_begin(g, o->verbose, &u, err, sizeof(err));
		if (ret) {
			vp_error("%s", err);
			vp_guest_free(g);
			return host_refused(ret) ? VP_EXIT_BAD_INPUT : 1;
		}
	}
	ret = vp_guest_wait(g, o->timeout_s, &r, err, sizeof(err));
	if (o->profile) {
		/* QEMU has exited: every access it made is in the maps. */
		rret = vp_usdt_read(&u, &counts);
		vp_usdt_close(&u);
		if (rret)
			snprintf(rerr, sizeof(rerr), "cannot read the USDT counts: %s",
				 strerror(-rret));
	}
	if (o->verbose && vp_guest_serial(g))
		fputs(vp_guest_serial(g), stdout);
	in = (struct vp_run_input){
		.workload = w->name,
		.description = w->description,
		.params = o->append ? o->append : w->defaults,
		.elf = elf,
		.qemu = vp_guest_argv(g)[0],
		.accel = vp_guest_accel(g),
		.missing_device = vp_guest_missing_device(g),
		.guest = &r,
		.serial = vp_guest_serial(g),
		.error = ret	? err
			 : rret ? rerr
				: NULL,
		.usdt = o->profile && !rret ? &counts : NULL,
	};
	status = report(o, &in);
	vp_usdt_counts_free(&counts);
	if (ret)
		vp_error("%s", err);
	if (rret)
		vp_error("%s", rerr);
	vp_guest_free(g);
	return !ret && !rret && !status && r.code == 0 ? 0 : 1;
}

/* An image not in the table: its name, and nothing else of a workload. */
static void image_workload(const char *elf, struct vp_workload *w, char *name, size_t len)
{
	const char *base = strrchr(elf, '/') ? strrchr(elf, '/') + 1 : elf;
	size_t n = strlen(base);

	if (n > 4 && !strcmp(base + n - 4, ".elf"))
		n -= 4;
	snprintf(name, len, "%.*s", (int)n, base);
	*w = (struct vp_workload){ .name = name, .defaults = "" };
}

int vp_run_main(int argc, char **argv)
{
	struct vp_workload_table t;
	struct vp_run_options o;
	struct vp_workload image;
	const struct vp_workload *w;
	char err[512], name[256];
	int ret;

	if (vp_parse_run_options(argc, argv, &o, err, sizeof(err))) {
		vp_error("%s", err);
		return VP_EXIT_BAD_INPUT;
	}
	if (o.help) {
		vp_print_run_usage(stdout);
		return 0;
	}
	if (o.compare)
		return vp_compare_main(&o);
	if (!o.workload) {
		image_workload(o.elf, &image, name, sizeof(name));
		return run(&o, &image);
	}
	if (vp_workloads_load(o.table, &t, err, sizeof(err))) {
		vp_error("%s", err);
		return VP_EXIT_BAD_INPUT;
	}
	w = vp_workload_find(&t, o.workload);
	if (!w) {
		char names[400];

		vp_workload_names(&t, names, sizeof(names));
		vp_error("unknown workload '%s' (known: %s)", o.workload, names);
		vp_workloads_free(&t);
		return VP_EXIT_BAD_INPUT;
	}
	ret = run(&o, w);
	vp_workloads_free(&t);
	return ret;
}
