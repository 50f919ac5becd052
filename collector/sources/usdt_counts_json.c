// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "usdt_counts_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "qemu_events.h"

json_t *vp_usdt_counts_json(const struct vp_usdt_counts *c)
{
	json_t *regions = json_array(), *joins = json_array(), *irqs = json_array(),
	       *events = json_array();

	for (size_t i = 0; i < c->n; i++) {
		const struct vp_usdt_region *r = &c->r[i];

		json_array_append_new(regions,
				      json_pack("[s,I,I,I,I,I]", r->name, (json_int_t)r->mr,
						(json_int_t)r->reads, (json_int_t)r->writes,
						(json_int_t)r->guest_reads,
						(json_int_t)r->guest_writes));
	}
	for (size_t i = 0; i < c->njoins; i++)
		json_array_append_new(joins,
				      json_pack("[i,I,s]", c->joins[i].kind,
						(json_int_t)c->joins[i].addr, c->joins[i].region));
	for (size_t i = 0; i < c->nirqs; i++) {
		const struct vp_usdt_irq *q = &c->irqs[i];

		json_array_append_new(irqs, json_pack("[i,i,I,s,s?,I,I]", q->kind, q->line,
						      (json_int_t)q->obj, q->region, q->device_id,
						      (json_int_t)q->raised,
						      (json_int_t)q->guest_raised));
	}
	for (size_t i = 0; i < c->nevents; i++) {
		const struct vp_usdt_event *e = &c->events[i];

		json_array_append_new(events,
				      json_pack("[s,I,s,s?,I,I]", e->e->name, (json_int_t)e->obj,
						e->region, e->device_id, (json_int_t)e->total,
						(json_int_t)e->guest));
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:I}", "regions", regions, "joins", joins,
			 "irqs", irqs, "events", events, "dropped_counts",
			 (json_int_t)c->dropped_counts, "dropped_names",
			 (json_int_t)c->dropped_names, "fw_cfg_accesses",
			 (json_int_t)c->fw_cfg_accesses);
}

/* A device id as the table spells it (the counts point into it), or NULL. */
static const char *device_id(const char *id)
{
	const struct vp_device *d = id ? vp_device_by_id(id) : NULL;

	return d ? d->id : NULL;
}

static void copy_name(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void *array_of(const json_t *a, size_t size, size_t *n)
{
	*n = json_array_size(a);
	return calloc(*n ? *n : 1, size);
}

int vp_usdt_counts_from_json(const json_t *j, struct vp_usdt_counts *c)
{
	const json_t *regions = json_object_get(j, "regions"), *joins = json_object_get(j, "joins"),
		     *irqs = json_object_get(j, "irqs"), *events = json_object_get(j, "events");
	json_t *x;
	json_int_t dc = 0, dn = 0, fw = 0;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (!json_is_array(regions) || !json_is_array(joins) || !json_is_array(irqs) ||
	    !json_is_array(events) ||
	    json_unpack((json_t *)j, "{s:I, s:I, s:I}", "dropped_counts", &dc, "dropped_names", &dn,
			"fw_cfg_accesses", &fw))
		return -EINVAL;
	c->dropped_counts = (uint64_t)dc;
	c->dropped_names = (uint64_t)dn;
	c->fw_cfg_accesses = (uint64_t)fw;
	c->r = array_of(regions, sizeof(*c->r), &c->n);
	c->joins = array_of(joins, sizeof(*c->joins), &c->njoins);
	c->irqs = array_of(irqs, sizeof(*c->irqs), &c->nirqs);
	c->events = array_of(events, sizeof(*c->events), &c->nevents);
	if (!c->r || !c->joins || !c->irqs || !c->events) {
		vp_usdt_counts_free(c);
		return -ENOMEM;
	}
	c->joins_cap = c->njoins;
	c->irqs_cap = c->nirqs;
	c->events_cap = c->nevents;
	json_array_foreach (regions, i, x) {
		struct vp_usdt_region *r = &c->r[i];
		json_int_t mr, rd, wr, grd, gwr;
		const char *name;

		if (json_unpack(x, "[s,I,I,I,I,I]", &name, &mr, &rd, &wr, &grd, &gwr))
			goto bad;
		copy_name(r->name, sizeof(r->name), name);
		r->mr = (uint64_t)mr;
		r->reads = (uint64_t)rd;
		r->writes = (uint64_t)wr;
		r->guest_reads = (uint64_t)grd;
		r->guest_writes = (uint64_t)gwr;
	}
	json_array_foreach (joins, i, x) {
		json_int_t kind, addr;
		const char *region;

		if (json_unpack(x, "[I,I,s]", &kind, &addr, &region))
			goto bad;
		c->joins[i].kind = (uint32_t)kind;
		c->joins[i].addr = (uint64_t)addr;
		copy_name(c->joins[i].region, sizeof(c->joins[i].region), region);
	}
	json_array_foreach (irqs, i, x) {
		struct vp_usdt_irq *q = &c->irqs[i];
		json_int_t kind, line, obj, raised, guest;
		const char *region;
		json_t *dev;

		if (json_unpack(x, "[I,I,I,s,o,I,I]", &kind, &line, &obj, &region, &dev, &raised,
				&guest))
			goto bad;
		q->kind = (uint32_t)kind;
		q->line = (uint32_t)line;
		q->obj = (uint64_t)obj;
		copy_name(q->region, sizeof(q->region), region);
		q->device_id = device_id(json_string_value(dev));
		q->raised = (uint64_t)raised;
		q->guest_raised = (uint64_t)guest;
	}
	json_array_foreach (events, i, x) {
		struct vp_usdt_event *e = &c->events[i];
		json_int_t obj, total, guest;
		const char *name, *region;
		json_t *dev;

		if (json_unpack(x, "[s,I,s,o,I,I]", &name, &obj, &region, &dev, &total, &guest) ||
		    !(e->e = vp_qemu_event_find(name)))
			goto bad;
		e->obj = (uint64_t)obj;
		copy_name(e->region, sizeof(e->region), region);
		e->device_id = device_id(json_string_value(dev));
		e->total = (uint64_t)total;
		e->guest = (uint64_t)guest;
	}
	return 0;
bad:
	vp_usdt_counts_free(c);
	return -EINVAL;
}
