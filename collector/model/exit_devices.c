// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "exit_devices.h"

#include <stdlib.h>
#include <string.h>

#include "growbuf.h"

static int by_count(const void *pa, const void *pb)
{
	const struct vp_exit_device *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->dev->id, b->dev->id);
}

size_t vp_exit_devices(const struct vp_result *r, const struct vp_attribution *a,
		       const struct vp_row *exit, struct vp_exit_device **out)
{
	struct vp_exit_device *v = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	for (size_t i = 0; i < r->nrows; i++) {
		const struct vp_row *row = &r->rows[i];
		struct vp_exit_device *d = NULL;
		struct vp_attr_hit h;

		if (row->key.kind != VP_K_EXIT_ACCESS || row->key.isa != exit->key.isa ||
		    row->key.vcpu != exit->key.vcpu || row->key.code != exit->key.code ||
		    row->key.flags != exit->key.flags)
			continue;
		h = vp_attribute_access(a, row->key.dir, row->key.addr);
		for (size_t j = 0; j < n && !d; j++)
			if (v[j].dev == h.dev)
				d = &v[j];
		if (!d) {
			if (vp_grow((void **)&v, n, &cap, sizeof(*v), 8)) {
				free(v);
				return 0;
			}
			d = &v[n++];
			*d = (struct vp_exit_device){ .dev = h.dev };
		}
		d->count += row->st.count;
		d->kern_ns += row->st.kern_ns;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_count);
	*out = v;
	return n;
}
