// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "usdt_tables.h"

#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "growbuf.h"
#include "qemu_events.h"
#include "qemu_usdt.h"

struct build {
	const struct vp_usdt_tables *t;
	struct vp_usdt_counts *c;
};

static void mr_name(const struct vp_usdt_tables *t, __u64 mr, char *out, size_t len)
{
	char name[VP_USDT_NAME_LEN] = "";

	if (t->lookup(t->ctx, VP_UT_MR_NAMES, &mr, name))
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';
	snprintf(out, len, "%s", name);
}

static struct vp_usdt_region *region_for(struct vp_usdt_counts *c, uint64_t mr)
{
	struct vp_usdt_region *r;

	for (size_t i = 0; i < c->n; i++)
		if (c->r[i].mr == mr)
			return &c->r[i];
	r = realloc(c->r, (c->n + 1) * sizeof(*r));
	if (!r)
		return NULL;
	c->r = r;
	r = &c->r[c->n++];
	memset(r, 0, sizeof(*r));
	r->mr = mr;
	return r;
}

static int add_region(void *arg, const void *k, const void *val)
{
	struct build *b = arg;
	const struct vp_usdt_key *key = k;
	const struct vp_usdt_value *v = val;
	struct vp_usdt_region *r = region_for(b->c, key->mr);
	uint64_t since;

	if (!r)
		return -ENOMEM;
	/* Counted since an older marker: untouched after the last one. */
	since = v->epoch == b->t->mark_epoch ? v->since_mark : 0;
	if (key->dir == VP_USDT_WRITE) {
		r->writes += v->total;
		r->guest_writes += since;
	} else {
		r->reads += v->total;
		r->guest_reads += since;
	}
	return 0;
}

static int add_join(void *arg, const void *k, const void *val)
{
	struct build *b = arg;
	const struct vp_usdt_access *key = k;
	struct vp_usdt_counts *c = b->c;
	struct vp_usdt_join *j;
	__u64 mr;

	memcpy(&mr, val, sizeof(mr));
	if (vp_grow((void **)&c->joins, c->njoins, &c->joins_cap, sizeof(*j), 16))
		return -ENOMEM;
	j = &c->joins[c->njoins++];
	memset(j, 0, sizeof(*j));
	j->kind = key->kind;
	j->addr = key->addr;
	mr_name(b->t, mr, j->region, sizeof(j->region));
	return 0;
}

/* What the probes learnt of a VirtIODevice: its type from the type's own
 * events or from its name in QEMU's memory, else the region of its status
 * write.  QEMU also sets a status itself when the VM stops or resumes, on
 * a thread whose last write was anything: only a virtio region counts. */
static void name_vdev(const struct vp_usdt_tables *t, __u64 vdev, char *region, size_t len,
		      const char **device_id)
{
	char name[32];
	__u32 type;
	__u64 mr;

	if (!t->lookup(t->ctx, VP_UT_VDEV_TYPE, &vdev, &type) && type == VP_VDEV_BLK) {
		*device_id = "virtio-blk";
		return;
	}
	if (t->vdev_name && !t->vdev_name(t->ctx, vdev, name, sizeof(name)) &&
	    vp_device_by_id(name) != vp_device_unknown()) {
		*device_id = vp_device_by_id(name)->id;
		return;
	}
	if (!t->lookup(t->ctx, VP_UT_VDEV_MR, &vdev, &mr)) {
		mr_name(t, mr, region, len);
		if (strncmp(region, "virtio-pci", 10))
			region[0] = '\0';
	}
}

static int add_irq(void *arg, const void *k, const void *val)
{
	struct build *b = arg;
	const struct vp_usdt_irq_key *key = k;
	const struct vp_usdt_irq_value *v = val;
	struct vp_usdt_counts *c = b->c;
	struct vp_usdt_irq *q;

	if (!v->raised)
		return 0;
	if (vp_grow((void **)&c->irqs, c->nirqs, &c->irqs_cap, sizeof(*q), 8))
		return -ENOMEM;
	q = &c->irqs[c->nirqs++];
	memset(q, 0, sizeof(*q));
	q->kind = key->kind;
	q->line = key->line;
	q->obj = key->obj;
	q->raised = v->raised;
	q->guest_raised = v->epoch == b->t->mark_epoch ? v->since_mark : 0;
	if (key->kind == VP_UI_VIRTIO)
		name_vdev(b->t, key->obj, q->region, sizeof(q->region), &q->device_id);
	return 0;
}

static int add_event(void *arg, const void *k, const void *val)
{
	struct build *b = arg;
	const struct vp_usdt_event_key *key = k;
	const struct vp_usdt_value *v = val;
	struct vp_usdt_counts *c = b->c;
	struct vp_usdt_event *ev;

	if (key->event >= vp_qemu_events_count)
		return 0;
	if (vp_grow((void **)&c->events, c->nevents, &c->events_cap, sizeof(*ev), 16))
		return -ENOMEM;
	ev = &c->events[c->nevents++];
	memset(ev, 0, sizeof(*ev));
	ev->e = &vp_qemu_events[key->event];
	ev->obj = key->obj;
	ev->total = v->total;
	ev->guest = v->epoch == b->t->mark_epoch ? v->since_mark : 0;
	if (vp_qemu_event_names_vdev(ev->e))
		name_vdev(b->t, key->obj, ev->region, sizeof(ev->region), &ev->device_id);
	return 0;
}

int vp_usdt_counts_build(const struct vp_usdt_tables *t, struct vp_usdt_counts *c)
{
	struct build b = { t, c };

	memset(c, 0, sizeof(*c));
	if (t->each(t->ctx, VP_UT_MR_COUNTS, add_region, &b))
		goto nomem;
	for (size_t i = 0; i < c->n; i++)
		mr_name(t, c->r[i].mr, c->r[i].name, sizeof(c->r[i].name));
	vp_usdt_sort_regions(c);
	if (t->each(t->ctx, VP_UT_ACCESS_MR, add_join, &b) ||
	    t->each(t->ctx, VP_UT_IRQ_COUNTS, add_irq, &b) ||
	    t->each(t->ctx, VP_UT_EVENT_COUNTS, add_event, &b))
		goto nomem;
	c->dropped_counts = t->dropped_counts;
	c->dropped_names = t->dropped_names;
	c->fw_cfg_accesses = t->mark_epoch;
	return 0;
nomem:
	vp_usdt_counts_free(c);
	memset(c, 0, sizeof(*c));
	return -ENOMEM;
}
