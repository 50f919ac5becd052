// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "qemu_counts.h"

#include <stdlib.h>
#include <string.h>

#include "qemu_events.h"

uint64_t vp_usdt_event_guest(const struct vp_usdt_counts *c, const char *name)
{
	uint64_t n = 0;

	for (size_t i = 0; i < c->nevents; i++)
		if (!strcmp(c->events[i].e->name, name))
			n += c->events[i].guest;
	return n;
}

bool vp_usdt_find(const struct vp_usdt_counts *c, const char *name, uint64_t *reads,
		  uint64_t *writes)
{
	bool found = false;

	*reads = *writes = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->r[i].name, name))
			continue;
		*reads += c->r[i].reads;
		*writes += c->r[i].writes;
		found = true;
	}
	return found;
}

void vp_usdt_counts_free(struct vp_usdt_counts *c)
{
	free(c->r);
	free(c->joins);
	free(c->irqs);
	free(c->events);
	memset(c, 0, sizeof(*c));
}

static int by_total(const void *a, const void *b)
{
	const struct vp_usdt_region *x = a, *y = b;
	uint64_t tx = x->reads + x->writes, ty = y->reads + y->writes;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return strcmp(x->name, y->name);
}

void vp_usdt_sort_regions(struct vp_usdt_counts *c)
{
	if (c->n)
		qsort(c->r, c->n, sizeof(*c->r), by_total);
}
