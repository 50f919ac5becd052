// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "memmap.h"

#include <stdlib.h>
#include <string.h>

const char *vp_space_name(enum vp_space space)
{
	return space == VP_SPACE_PIO ? "pio" : "mmio";
}

void vp_memmap_free(struct vp_memmap *m)
{
	free(m->ranges);
	free(m->bars);
	memset(m, 0, sizeof(*m));
}

const struct vp_mem_range *vp_memmap_lookup(const struct vp_memmap *m, enum vp_space space,
					    uint64_t addr)
{
	size_t lo = 0, hi = m->nranges;

	/* Flat-view ranges never overlap: the last one starting at or below
	 * addr is the only candidate. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vp_mem_range *r = &m->ranges[mid];

		if (r->space < space || (r->space == space && r->start <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct vp_mem_range *r = &m->ranges[lo - 1];

	return r->space == space && addr <= r->end ? r : NULL;
}

const struct vp_device *vp_memmap_device(const struct vp_memmap *m, enum vp_space space,
					 uint64_t addr)
{
	const struct vp_mem_range *r = vp_memmap_lookup(m, space, addr);

	return r ? r->dev : vp_device_unknown();
}
