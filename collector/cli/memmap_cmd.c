// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `vmexit-prof memmap (--qmp PATH | --pid PID)`: prints QEMU's memory map as
 * the QMP attribution source sees it, each range with its device, so a user
 * can check what the profiler will call an address (and the tests can).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memmap_cmd.h"
#include "errors.h"
#include "qemu_memmap.h"
#include "qmp.h"

#define MEMMAP_QMP_TIMEOUT_S 5.0

static void usage(FILE *out)
{
	fputs("Usage: vmexit-prof memmap (--qmp PATH | --pid PID)\n"
	      "Print a running QEMU's memory map (over QMP) with the device of each range.\n\n"
	      "  -q, --qmp PATH   QEMU's QMP unix socket\n"
	      "  -p, --pid PID    the QEMU process; its QMP socket is found on its command line\n",
	      out);
}

static void print_map(const struct vp_memmap *m)
{
	printf("%-5s %-18s %-18s %-5s %-32s %-14s %s\n", "SPACE", "START", "END", "KIND", "REGION",
	       "DEVICE", "PCI");
	for (size_t i = 0; i < m->nranges; i++) {
		const struct vp_mem_range *r = &m->ranges[i];
		char pci[32] = "-";

		if (r->bar)
			snprintf(pci, sizeof(pci), "%02x:%02x.%x/BAR%d", r->bar->bus, r->bar->slot,
				 r->bar->func, r->bar->bar);
		printf("%-5s 0x%016" PRIx64 " 0x%016" PRIx64 " %-5s %-32s %-14s %s\n",
		       vp_space_name(r->space), r->start, r->end, r->kind, r->name, r->dev->id,
		       pci);
	}
	printf("\n%-13s %-9s %-4s %-5s %-18s %-18s %-14s %s\n", "PCI", "ID", "BAR", "SPACE",
	       "START", "END", "DEVICE", "QDEV-ID/CLASS");
	for (size_t i = 0; i < m->nbars; i++) {
		const struct vp_pci_bar *b = &m->bars[i];
		char loc[16];

		snprintf(loc, sizeof(loc), "%02x:%02x.%x", b->bus, b->slot, b->func);
		printf("%-13s %04x:%04x %-4d %-5s 0x%016" PRIx64 " 0x%016" PRIx64 " %-14s %s%s%s\n",
		       loc, b->vendor, b->device, b->bar, vp_space_name(b->space), b->start, b->end,
		       b->dev->id, b->qdev_id, b->qdev_id[0] ? " " : "", b->desc);
	}
}

int vp_memmap_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "qmp", required_argument, NULL, 'q' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *qmp = NULL;
	char path[PATH_MAX], err[512], *end;
	long pid = 0;
	int c, ret;
	struct vp_qmp q;
	struct vp_memmap m = { 0 };

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":q:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': qmp = optarg; break;
		case 'p':
			errno = 0;
			pid = strtol(optarg, &end, 10);
			if (errno || *end || pid <= 0 || pid > INT_MAX) {
				vp_error("invalid value '%s' for --pid", optarg);
				return VP_EXIT_BAD_INPUT;
			}
			break;
		case 'h': usage(stdout); return 0;
		default:
			vp_error("memmap: unknown or incomplete option '%s'", argv[optind - 1]);
			return VP_EXIT_BAD_INPUT;
		}
	}
	if (optind < argc || (!qmp && !pid)) {
		vp_error("memmap: give --qmp PATH or --pid PID");
		return VP_EXIT_BAD_INPUT;
	}
	if (!qmp) {
		ret = vp_qmp_socket_for_pid("/proc", (int)pid, path, sizeof(path));
		if (ret) {
			vp_error("%s", ret == -ESRCH	? "no such process"
				       : ret == -ENOENT ? "no QMP unix socket on the process's "
							  "command line (give --qmp PATH)"
							: strerror(-ret));
			return VP_EXIT_BAD_INPUT;
		}
		qmp = path;
	}
	/* With no pid to watch, the connect retry is bounded by time alone. */
	ret = vp_qmp_open(&q, qmp, pid ? (pid_t)pid : getpid(), MEMMAP_QMP_TIMEOUT_S, err,
			  sizeof(err));
	if (!ret) {
		ret = vp_memmap_from_qmp(&m, &q, err, sizeof(err));
		vp_qmp_close(&q);
	}
	if (ret) {
		vp_error("%s", err);
		vp_memmap_free(&m);
		return VP_EXIT_BAD_INPUT;
	}
	print_map(&m);
	vp_memmap_free(&m);
	return 0;
}
