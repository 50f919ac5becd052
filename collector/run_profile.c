// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "run_profile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "qmp.h"

/* QEMU has to create its QMP socket first; under a slow TCG start that can
 * take a few seconds. */
#define QMP_CONNECT_TIMEOUT_S 30.0

/*
 * The guest names the regions it measures itself (guest-workloads/, its
 * io_region_add calls); QEMU names its MemoryRegions (memory_region_init_io).
 * Only pairs that are the same registers one to one are listed.  QEMU also
 * counts what the firmware did before the guest ran, so a pair may differ by
 * that; the stopwatch's registers are only touched by the workload.
 */
static const struct { const char *guest, *qemu; } region_pairs[] = {
	{ "stopwatch-regs", "vmexit-stopwatch-regs" },
	{ "stopwatch-doorbell", "vmexit-stopwatch-doorbell" },
	{ "pit-gate", "pcspk" }, /* port 0x61 */
};

int vp_profile_begin(struct vp_guest *g, bool verbose, struct vp_usdt *u, char *err,
		     size_t errlen)
{
	struct vp_qmp q;
	int ret;

	if (!vp_guest_qmp_path(g)) {
		snprintf(err, errlen, "QEMU was not started paused with a QMP socket");
		return -EINVAL;
	}
	/* Connecting first also waits until QEMU has finished starting up, so
	 * the probes are attached to a fully mapped image. */
	ret = vp_qmp_open(&q, vp_guest_qmp_path(g), vp_guest_pid(g), QMP_CONNECT_TIMEOUT_S, err,
			  errlen);
	if (ret)
		return ret;
	ret = vp_usdt_open(u, (int)vp_guest_pid(g), verbose, err, errlen);
	if (!ret) {
		ret = vp_qmp_command(&q, "cont", err, errlen);
		if (ret)
			vp_usdt_close(u);
	}
	vp_qmp_close(&q);
	return ret;
}

static const struct vp_guest_region *guest_region(const struct vp_guest_result *r,
						  const char *qemu_name)
{
	for (size_t i = 0; r && i < sizeof(region_pairs) / sizeof(region_pairs[0]); i++) {
		if (strcmp(region_pairs[i].qemu, qemu_name))
			continue;
		for (size_t j = 0; j < r->nregions; j++)
			if (!strcmp(r->regions[j].name, region_pairs[i].guest))
				return &r->regions[j];
	}
	return NULL;
}

void vp_profile_print(const struct vp_usdt_counts *c, const struct vp_guest_result *r)
{
	printf("\n%-28s %10s %10s   %-18s %10s %10s\n", "QEMU REGION (USDT)", "READS", "WRITES",
	       "GUEST REGION", "READS", "WRITES");
	for (size_t i = 0; i < c->n; i++) {
		const struct vp_usdt_region *q = &c->r[i];
		const struct vp_guest_region *gr = guest_region(r, q->name);
		char name[64];

		/* An unreadable name still gets a row, told apart by its pointer. */
		if (q->name[0])
			snprintf(name, sizeof(name), "%s", q->name);
		else
			snprintf(name, sizeof(name), "mr@0x%" PRIx64, q->mr);
		printf("%-28s %10" PRIu64 " %10" PRIu64, name, q->reads, q->writes);
		if (gr)
			printf("   %-18s %10" PRIu64 " %10" PRIu64, gr->name, gr->reads, gr->writes);
		putchar('\n');
	}
	if (c->dropped_counts || c->dropped_names)
		printf("Not recorded: %" PRIu64 " accesses, %" PRIu64
		       " region names (the kernel's tables were full)\n",
		       c->dropped_counts, c->dropped_names);
}
