// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "live_line.h"

#include <inttypes.h>

void vp_report_line(FILE *out, const struct vp_result *r, const struct vp_result *prev,
		    double seconds)
{
	uint64_t user = vp_result_total_count(r, VP_K_USER);
	uint64_t before = prev ? vp_result_total_count(prev, VP_K_USER) : 0;

	fprintf(out,
		"t=%.1fs exits-to-vmm=%" PRIu64 " (%.0f/s) kernel-exits=%" PRIu64 " pio=%" PRIu64
		" mmio=%" PRIu64 " fast-mmio=%" PRIu64 " cpuid=%" PRIu64 " msr=%" PRIu64
		" irq=%" PRIu64 "\n",
		r->meta.duration_s, user, seconds > 0 ? (double)(user - before) / seconds : 0.0,
		vp_result_total_count(r, VP_K_EXIT), vp_result_total_count(r, VP_K_PIO),
		vp_result_total_count(r, VP_K_MMIO), vp_result_total_count(r, VP_K_FAST_MMIO),
		vp_result_total_count(r, VP_K_CPUID), vp_result_total_count(r, VP_K_MSR),
		vp_result_total_count(r, VP_K_IRQ) + vp_result_total_count(r, VP_K_MSI));
	fflush(out);
}
