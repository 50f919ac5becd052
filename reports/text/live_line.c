// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "live_line.h"

#include <string.h>

#include "doc_access.h"

/* The sum of field over the elements of array at path (of kind, when kind
 * is not NULL). */
static double sum(const json_t *doc, const char *path, const char *kind, const char *field)
{
	const json_t *arr = vp_doc_get(doc, path), *e;
	double n = 0;
	size_t i;

	json_array_foreach (arr, i, e) {
		const char *k = vp_doc_str(e, "kind");

		if (!kind || (k && !strcmp(k, kind)))
			n += vp_doc_num_or(e, field, 0);
	}
	return n;
}

static double rate(double now, double before, double seconds)
{
	return seconds > 0 ? (now - before) / seconds : 0.0;
}

void vp_text_live_line(FILE *out, const json_t *doc, const json_t *prev, double seconds)
{
	double t = vp_doc_num_or(doc, "meta.duration_s", 0);
	const char *accel = vp_doc_str(doc, "meta.accelerator");

	if (accel && !strcmp(accel, "tcg")) {
		/* No exits without KVM: what QEMU's device models were asked to do. */
		double n = sum(doc, "profile.devices", NULL, "to_user");
		double before = prev ? sum(prev, "profile.devices", NULL, "to_user") : 0;

		fprintf(out, "t=%.1fs qemu-dispatches=%.0f (%.0f/s)\n", t, n,
			rate(n, before, seconds));
	} else {
		double user = sum(doc, "profile.vcpus", NULL, "exits_to_user");
		double before = prev ? sum(prev, "profile.vcpus", NULL, "exits_to_user") : 0;

		fprintf(out,
			"t=%.1fs exits-to-vmm=%.0f (%.0f/s) kernel-exits=%.0f pio=%.0f mmio=%.0f "
			"fast-mmio=%.0f cpuid=%.0f msr=%.0f irq=%.0f\n",
			t, user, rate(user, before, seconds),
			sum(doc, "profile.vcpus", NULL, "kernel_exits"),
			sum(doc, "profile.accesses", "pio", "count"),
			sum(doc, "profile.accesses", "mmio", "count"),
			sum(doc, "profile.accesses", "fast_mmio", "count"),
			sum(doc, "profile.other", "cpuid", "count"),
			sum(doc, "profile.other", "msr", "count"),
			sum(doc, "profile.other", "irq", "count") +
				sum(doc, "profile.other", "msi", "count"));
	}
	fflush(out);
}
