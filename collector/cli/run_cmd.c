// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "run_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "errors.h"
#include "compare_cmd.h"
#include "run_profile.h"

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
	      "       vmexit-prof run --compare W1,W2[,W3] [--json FILE] [same options]\n"
	      "Boot a bundled guest workload and print its result.\n\n"
	      "  -q, --qemu PATH       QEMU binary (default " VP_DEFAULT_QEMU ")\n"
	      "  -a, --append PARAMS   the workload's parameters (default: the table's)\n"
	      "  -A, --accel MODE      auto (kvm where it works, else tcg), kvm or tcg\n"
	      "  -t, --timeout SEC     kill QEMU after SEC seconds (default 120)\n"
	      "  -g, --guest-dir DIR   where WORKLOAD.elf is (default " VP_GUEST_DIR ")\n"
	      "  -T, --table FILE      workload table (default " VP_WORKLOADS_JSON ")\n"
	      "  -P, --profile         count QEMU's register accesses per memory region (USDT)\n"
	      "  -C, --compare LIST    profile each workload of LIST and compare them per op\n"
	      "  -j, --json FILE       with --compare: also write the result document "
	      "(vmexit-prof/2)\n"
	      "  -r, --repeat N        with --compare: N unprofiled runs per workload for its time "
	      "per\n"
	      "                        op, whose median is reported with their spread (default 3)\n"
	      "  -v, --verbose         echo the guest's serial console\n"
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
	{ NULL, 0, NULL, 0 },
};

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
	while ((c = getopt_long(argc, argv, ":q:a:A:t:g:T:vhPC:j:r:", run_longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
		case 'g':
		case 'T':
		case 'C':
		case 'j':
			if (!*optarg)
				goto bad_value;
			*(c == 'q'   ? &o->qemu
			  : c == 'g' ? &o->guest_dir
			  : c == 'T' ? &o->table
			  : c == 'C' ? &o->compare
				     : &o->json) = optarg;
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
		case 'r': {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > VP_MAX_REPEAT)
				goto bad_value;
			o->repeat = (int)v;
			break;
		}
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
		o->profile = true;
		return 0;
	}
	if (o->json) {
		snprintf(err, errlen, "run: --json needs --compare (see run --help)");
		return -EINVAL;
	}
	if (optind >= argc) {
		snprintf(err, errlen, "run: WORKLOAD is required (see run --help)");
		return -EINVAL;
	}
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

static void print_result(const struct vp_workload *w, const struct vp_guest_result *r)
{
	const struct {
		const char *name;
		uint64_t v;
	} f[] = {
		{ "ops", r->ops },
		{ "bytes", r->bytes },
		{ "pio_out", r->pio_out },
		{ "pio_in", r->pio_in },
		{ "mmio_read", r->mmio_read },
		{ "mmio_write", r->mmio_write },
		{ "kicks", r->kicks },
		{ "cycles", r->cycles },
		{ "tsc_khz", r->tsc_khz },
	};

	printf("%-12s %s (%s)\n", "workload", r->workload[0] ? r->workload : w->name,
	       w->description ? w->description : "");
	printf("%-12s %s\n", "status", r->status);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		printf("%-12s %" PRIu64 "\n", f[i].name, f[i].v);
	if (r->tsc_khz && r->cycles)
		printf("%-12s %.3f ms\n", "loop time", (double)r->cycles / (double)r->tsc_khz);
	for (size_t i = 0; i < r->nextra; i++)
		printf("%-12s %s\n", r->extra[i].key, r->extra[i].value);
	if (!r->nregions)
		return;
	printf("\n%-14s %-5s %-12s %-8s %10s %10s\n", "REGION", "SPACE", "BASE", "SIZE", "READS",
	       "WRITES");
	for (size_t i = 0; i < r->nregions; i++) {
		const struct vp_guest_region *g = &r->regions[i];

		printf("%-14s %-5s 0x%-10" PRIx64 " 0x%-6" PRIx64 " %10" PRIu64 " %10" PRIu64 "\n",
		       g->name, g->mmio ? "mmio" : "pio", g->base, g->size, g->reads, g->writes);
	}
}

/* The guest's own reasons (bad parameter, failed check), as run-guest.py. */
static void print_reasons(const char *text)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");

		if (!strncmp(p, "error:", 6) || !strncmp(p, "FAIL:", 5))
			printf("%.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* Unusable host (no permission, no probes in this QEMU): not the run's fault. */
static bool host_refused(int ret)
{
	return ret == -EPERM || ret == -EACCES || ret == -ENOENT || ret == -EOPNOTSUPP;
}

static int run(const struct vp_run_options *o, const struct vp_workload *w)
{
	struct vp_guest_config c = {
		.qemu = o->qemu, .append = o->append, .accel = o->accel, .paused_qmp = o->profile
	};
	struct vp_usdt_counts counts = { 0 };
	struct vp_guest_result r;
	struct vp_usdt u;
	struct vp_guest *g;
	char elf[4096], err[512];
	int ret, rret = 0;

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
	}
	if (o->verbose && vp_guest_serial(g))
		fputs(vp_guest_serial(g), stdout);
	else if (vp_guest_serial(g))
		print_reasons(vp_guest_serial(g));
	if (r.valid)
		print_result(w, &r);
	if (o->profile && !rret) {
		vp_profile_print(&counts, r.valid ? &r : NULL);
		vp_profile_print_devices(&counts, r.valid ? &r : NULL);
	}
	vp_usdt_counts_free(&counts);
	if (ret)
		vp_error("%s", err);
	if (rret)
		vp_error("cannot read the USDT counts: %s", strerror(-rret));
	vp_guest_free(g);
	return !ret && !rret && r.code == 0 ? 0 : 1;
}

int vp_run_main(int argc, char **argv)
{
	struct vp_workload_table t;
	struct vp_run_options o;
	const struct vp_workload *w;
	char err[512];
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
