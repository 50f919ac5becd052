// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "device_counts.h"

#include <stdlib.h>
#include <string.h>

static struct vp_device_count *slot(struct vp_device_count *out, size_t *n, size_t max,
				    const struct vp_device *dev)
{
	for (size_t i = 0; i < *n; i++)
		if (out[i].dev == dev)
			return &out[i];
	if (*n >= max)
		return NULL;
	memset(&out[*n], 0, sizeof(out[*n]));
	out[*n].dev = dev;
	return &out[(*n)++];
}

static int by_qemu_total(const void *a, const void *b)
{
	const struct vp_device_count *x = a, *y = b;
	uint64_t tx = x->reads + x->writes + x->fw_reads + x->fw_writes;
	uint64_t ty = y->reads + y->writes + y->fw_reads + y->fw_writes;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return strcmp(x->dev->id, y->dev->id);
}

size_t vp_profile_by_device(const struct vp_usdt_counts *c, const struct vp_guest_result *r,
			    struct vp_device_count *out, size_t max)
{
	struct vp_device_count *d;
	size_t n = 0;

	for (size_t i = 0; c && i < c->n; i++) {
		const struct vp_usdt_region *q = &c->r[i];

		if (!(d = slot(out, &n, max, vp_device_for_region(q->name))))
			continue;
		d->in_qemu = true;
		d->reads += q->guest_reads;
		d->writes += q->guest_writes;
		d->fw_reads += q->reads - q->guest_reads;
		d->fw_writes += q->writes - q->guest_writes;
	}
	for (size_t i = 0; r && i < r->nregions; i++) {
		const struct vp_guest_region *g = &r->regions[i];

		/* "other" is the guest's catch-all, not a device. */
		if (!strcmp(g->name, "other") && !g->reads && !g->writes)
			continue;
		if (!(d = slot(out, &n, max, vp_device_for_guest_region(g->name))))
			continue;
		d->in_guest = true;
		d->guest_reads += g->reads;
		d->guest_writes += g->writes;
	}
	qsort(out, n, sizeof(*out), by_qemu_total);
	return n;
}

/*
 * The guest names the regions it measures itself (guest-workloads/, its
 * io_region_add calls); QEMU names its MemoryRegions (memory_region_init_io).
 * Only pairs that are the same registers one to one are listed.  QEMU also
 * counts what the firmware did before the guest ran, so a pair may differ by
 * that; the stopwatch's registers are only touched by the workload.
 */
static const struct {
	const char *guest, *qemu;
} region_pairs[] = {
	{ "stopwatch-regs", "vmexit-stopwatch-regs" },
	{ "stopwatch-doorbell", "vmexit-stopwatch-doorbell" },
	{ "pit-gate", "pcspk" }, /* port 0x61 */
};

const struct vp_guest_region *vp_guest_region_paired(const struct vp_guest_result *r,
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

const struct vp_device_count *vp_device_count_find(const struct vp_device_count *out, size_t n,
						   const struct vp_device *dev)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].dev == dev)
			return &out[i];
	return NULL;
}

/* QEMU's own interrupt events and device work per device, the guest's part. */
