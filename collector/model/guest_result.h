/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a bundled guest workload reported of itself on its serial line (its
 * VMEXIT-RESULT and VMEXIT-REGION lines): its own ground truth, which the
 * profile is set beside.  Parsed by the runner (guest_runner.h).
 */
#ifndef VP_GUEST_RESULT_H
#define VP_GUEST_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VP_GUEST_MAX_REGIONS 32
#define VP_GUEST_MAX_EXTRA   24
#define VP_GUEST_WORD	     48
#define VP_GUEST_LINE	     1024

struct vp_guest_region {
	char name[VP_GUEST_WORD];
	bool mmio;
	uint64_t base, size, reads, writes;
};

struct vp_guest_result {
	bool valid;		  /* a VMEXIT-RESULT line was seen */
	char line[VP_GUEST_LINE]; /* that line as the guest printed it, from its tag */
	char workload[VP_GUEST_WORD];
	char status[VP_GUEST_WORD];
	int code; /* status code, -1 for a status this build does not know */
	uint64_t ops, bytes, pio_out, pio_in, mmio_read, mmio_write, kicks, cycles, tsc_khz;
	/* workload-specific fields, in line order, values as printed */
	size_t nextra;
	struct {
		char key[VP_GUEST_WORD], value[VP_GUEST_WORD];
	} extra[VP_GUEST_MAX_EXTRA];
	size_t nregions;
	struct vp_guest_region regions[VP_GUEST_MAX_REGIONS];
};

/* "ok" -> 0 ... "boot-error" -> 6; -1 if unknown. */

#endif
