// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "qemu_trace_agg.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "growbuf.h"
#include "qemu_usdt.h"

/* Counted since a marker, restarted lazily as the probes do. */
struct since {
	uint64_t total, since, epoch;
};

/* A MemoryRegion, or a PCI function standing in for one. */
struct obj {
	uint64_t key;
	char name[VP_USDT_NAME_LEN];
	bool marker, accessed;
	struct since dir[2]; /* enum vp_usdt_dir */
};

struct join {
	uint32_t kind;
	uint64_t addr, obj;
};

struct irq {
	uint32_t kind, line;
	uint64_t obj;
	struct since n;
	bool level;
};

struct event {
	size_t idx;
	uint64_t obj;
	struct since n;
};

struct pair {
	uint64_t key, value;
};

/* The catalogue events with a rule of their own. */
enum special {
	SP_NONE,
	SP_MR_READ,
	SP_MR_WRITE,
	SP_PCI_CFG_WRITE,
	SP_IOEVENTFD_MMIO,
	SP_IOEVENTFD_PIO,
	SP_VIRTIO_STATUS,
	SP_VIRTIO_NOTIFY,
	SP_IOAPIC,
	SP_STOPWATCH_IRQ,
	SP_VIRTIO_BLK_COMPLETE,
};

struct vp_qtrace_agg {
	enum special *special; /* per catalogue event */
	struct obj *objs;
	size_t nobjs, objs_cap;
	uint32_t *index; /* open addressing over objs: slot -> position + 1 */
	size_t index_cap;
	struct join *joins;
	size_t njoins, joins_cap;
	struct irq *irqs;
	size_t nirqs, irqs_cap;
	struct event *events;
	size_t nevents, events_cap;
	struct pair *vdev_mr, *vdev_blk;
	size_t nvdev_mr, vdev_mr_cap, nvdev_blk, vdev_blk_cap;
	uint64_t last_write; /* the object written last, 0 for none */
	uint64_t epoch;	     /* marker accesses so far */
	uint64_t dropped;
	int vcpus;
};

static const struct {
	const char *name;
	enum special sp;
} specials[] = {
	{ "memory_region_ops_read", SP_MR_READ },
	{ "memory_region_ops_write", SP_MR_WRITE },
	{ "pci_cfg_write", SP_PCI_CFG_WRITE },
	{ "kvm_set_ioeventfd_mmio", SP_IOEVENTFD_MMIO },
	{ "kvm_set_ioeventfd_pio", SP_IOEVENTFD_PIO },
	{ "virtio_set_status", SP_VIRTIO_STATUS },
	{ "virtio_notify", SP_VIRTIO_NOTIFY },
	{ "virtio_notify_irqfd", SP_VIRTIO_NOTIFY },
	{ "ioapic_set_irq", SP_IOAPIC },
	{ "vmexit_stopwatch_irq_raise", SP_STOPWATCH_IRQ },
	{ "virtio_blk_req_complete", SP_VIRTIO_BLK_COMPLETE },
};

struct vp_qtrace_agg *vp_qtrace_agg_new(void)
{
	struct vp_qtrace_agg *a = calloc(1, sizeof(*a));

	if (!a || !(a->special = calloc(vp_qemu_events_count, sizeof(*a->special)))) {
		free(a);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		const struct vp_qemu_event *e = vp_qemu_event_find(specials[i].name);

		if (e)
			a->special[e - vp_qemu_events] = specials[i].sp;
	}
	return a;
}

void vp_qtrace_agg_free(struct vp_qtrace_agg *a)
{
	if (!a)
		return;
	free(a->special);
	free(a->objs);
	free(a->index);
	free(a->joins);
	free(a->irqs);
	free(a->events);
	free(a->vdev_mr);
	free(a->vdev_blk);
	free(a);
}

static size_t slot_of(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

static int reindex(struct vp_qtrace_agg *a, size_t cap)
{
	uint32_t *index = calloc(cap, sizeof(*index));

	if (!index)
		return -ENOMEM;
	for (size_t i = 0; i < a->nobjs; i++) {
		size_t s = slot_of(a->objs[i].key, cap);

		while (index[s])
			s = (s + 1) & (cap - 1);
		index[s] = (uint32_t)i + 1;
	}
	free(a->index);
	a->index = index;
	a->index_cap = cap;
	return 0;
}

static struct obj *obj_find(const struct vp_qtrace_agg *a, uint64_t key)
{
	if (!a->index_cap)
		return NULL;
	for (size_t s = slot_of(key, a->index_cap); a->index[s]; s = (s + 1) & (a->index_cap - 1))
		if (a->objs[a->index[s] - 1].key == key)
			return &a->objs[a->index[s] - 1];
	return NULL;
}

/* The object, made on first sight with its name (recorded once, as the
 * probes do, so a marker is known at its first access). */
static struct obj *obj_get(struct vp_qtrace_agg *a, uint64_t key, const struct vp_trace_arg *name)
{
	struct obj *o = obj_find(a, key);
	size_t n;

	if (o)
		return o;
	if ((a->nobjs + 1) * 2 > a->index_cap && reindex(a, a->index_cap ? a->index_cap * 2 : 64))
		return NULL;
	if (vp_grow((void **)&a->objs, a->nobjs, &a->objs_cap, sizeof(*o), 64))
		return NULL;
	o = &a->objs[a->nobjs++];
	memset(o, 0, sizeof(*o));
	o->key = key;
	n = name && name->s ? name->slen : 0;
	if (n >= sizeof(o->name))
		n = sizeof(o->name) - 1;
	if (n)
		memcpy(o->name, name->s, n);
	o->marker = !strncmp(o->name, VP_USDT_MARKER_PREFIX, strlen(VP_USDT_MARKER_PREFIX));
	for (n = slot_of(key, a->index_cap); a->index[n]; n = (n + 1) & (a->index_cap - 1))
		;
	a->index[n] = (uint32_t)a->nobjs;
	return o;
}

static void add_since(struct since *c, uint64_t epoch)
{
	c->total++;
	if (c->epoch != epoch) {
		c->epoch = epoch;
		c->since = 0;
	}
	c->since++;
}

static uint64_t guest_part(const struct since *c, uint64_t epoch)
{
	return c->epoch == epoch ? c->since : 0;
}

static int access(struct vp_qtrace_agg *a, const struct vp_trace_arg *args, int dir)
{
	struct obj *o = obj_get(a, args[1].v, &args[5]);

	if (!o)
		return -ENOMEM;
	/* cpu_index -1: QEMU itself, on no vCPU */
	if ((int64_t)args[0].v >= 0 && args[0].v < 4096 && (int)args[0].v >= a->vcpus)
		a->vcpus = (int)args[0].v + 1;
	if (dir == VP_USDT_WRITE)
		a->last_write = o->key;
	o->accessed = true;
	add_since(&o->dir[dir], a->epoch);
	if (o->marker)
		a->epoch++;
	return 0;
}

/* A PCI function is named, not pointed to, in a trace: its name's hash,
 * top bit set so it cannot meet a MemoryRegion pointer, stands for it. */
static uint64_t name_key(const struct vp_trace_arg *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; s->s && i < s->slen; i++)
		h = (h ^ (unsigned char)s->s[i]) * 0x100000001b3ULL;
	return h | 1ULL << 63;
}

static int set_pair(struct pair **p, size_t *n, size_t *cap, uint64_t key, uint64_t value)
{
	for (size_t i = 0; i < *n; i++)
		if ((*p)[i].key == key) {
			(*p)[i].value = value;
			return 0;
		}
	if (vp_grow((void **)p, *n, cap, sizeof(**p), 8))
		return -ENOMEM;
	(*p)[(*n)++] = (struct pair){ key, value };
	return 0;
}

static const struct pair *get_pair(const struct pair *p, size_t n, uint64_t key)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].key == key)
			return &p[i];
	return NULL;
}

static int join_last_write(struct vp_qtrace_agg *a, uint32_t kind, uint64_t addr)
{
	struct join *j;

	if (!a->last_write)
		return 0;
	for (size_t i = 0; i < a->njoins; i++)
		if (a->joins[i].kind == kind && a->joins[i].addr == addr) {
			a->joins[i].obj = a->last_write;
			return 0;
		}
	if (vp_grow((void **)&a->joins, a->njoins, &a->joins_cap, sizeof(*j), 16))
		return -ENOMEM;
	a->joins[a->njoins++] = (struct join){ kind, addr, a->last_write };
	return 0;
}

/* level < 0: a notification, always counted; else a line's new level,
 * counted on its rising edge. */
static int irq(struct vp_qtrace_agg *a, uint32_t kind, uint32_t line, uint64_t obj, int level)
{
	struct irq *q = NULL;
	bool was;

	for (size_t i = 0; i < a->nirqs && !q; i++)
		if (a->irqs[i].kind == kind && a->irqs[i].line == line && a->irqs[i].obj == obj)
			q = &a->irqs[i];
	if (!q) {
		if (vp_grow((void **)&a->irqs, a->nirqs, &a->irqs_cap, sizeof(*q), 8))
			return -ENOMEM;
		q = &a->irqs[a->nirqs++];
		*q = (struct irq){ .kind = kind, .line = line, .obj = obj, .n.epoch = a->epoch };
	}
	if (level >= 0) {
		was = q->level;
		q->level = level != 0;
		if (was || !level)
			return 0;
	}
	add_since(&q->n, a->epoch);
	return 0;
}

static int count_event(struct vp_qtrace_agg *a, const struct vp_qemu_event *e,
		       const struct vp_trace_arg *args)
{
	unsigned int argno = vp_qemu_event_object_arg(e);
	size_t idx = (size_t)(e - vp_qemu_events);
	uint64_t obj = argno ? args[argno - 1].v : 0;
	struct event *ev = NULL;

	for (size_t i = 0; i < a->nevents && !ev; i++)
		if (a->events[i].idx == idx && a->events[i].obj == obj)
			ev = &a->events[i];
	if (!ev) {
		if (vp_grow((void **)&a->events, a->nevents, &a->events_cap, sizeof(*ev), 16))
			return -ENOMEM;
		ev = &a->events[a->nevents++];
		*ev = (struct event){ .idx = idx, .obj = obj, .n.epoch = a->epoch };
	}
	add_since(&ev->n, a->epoch);
	return 0;
}

static int special(struct vp_qtrace_agg *a, enum special sp, const struct vp_trace_arg *args)
{
	struct obj *o;

	switch (sp) {
	case SP_MR_READ: return access(a, args, VP_USDT_READ);
	case SP_MR_WRITE: return access(a, args, VP_USDT_WRITE);
	case SP_PCI_CFG_WRITE:
		if (!(o = obj_get(a, name_key(&args[0]), &args[0])))
			return -ENOMEM;
		a->last_write = o->key;
		return 0;
	case SP_IOEVENTFD_MMIO:
		return args[3].v ? join_last_write(a, VP_UA_IOEVENTFD_MMIO, args[1].v) : 0;
	case SP_IOEVENTFD_PIO:
		return args[3].v ? join_last_write(a, VP_UA_IOEVENTFD_PIO, (uint16_t)args[1].v) : 0;
	case SP_VIRTIO_STATUS:
		return a->last_write ? set_pair(&a->vdev_mr, &a->nvdev_mr, &a->vdev_mr_cap,
						args[0].v, a->last_write)
				     : 0;
	case SP_VIRTIO_NOTIFY: return irq(a, VP_UI_VIRTIO, 0, args[0].v, -1);
	case SP_IOAPIC: return irq(a, VP_UI_IOAPIC, (uint32_t)args[0].v, 0, (int)args[1].v);
	case SP_STOPWATCH_IRQ: return irq(a, VP_UI_STOPWATCH, 0, 0, -1);
	case SP_VIRTIO_BLK_COMPLETE:
		return set_pair(&a->vdev_blk, &a->nvdev_blk, &a->vdev_blk_cap, args[0].v,
				VP_VDEV_BLK);
	case SP_NONE: break;
	}
	return 0;
}

int vp_qtrace_feed(struct vp_qtrace_agg *a, const struct vp_qemu_event *e,
		   const struct vp_trace_arg *args, int nargs)
{
	int ret;

	if (nargs < vp_qemu_event_nargs(e))
		return 0;
	ret = special(a, a->special[e - vp_qemu_events], args);
	if (!ret && vp_qemu_event_counted(e))
		ret = count_event(a, e, args);
	if (ret)
		a->dropped++;
	return ret;
}

int vp_qtrace_vcpus(const struct vp_qtrace_agg *a)
{
	return a->vcpus;
}

static void name_of(const struct vp_qtrace_agg *a, uint64_t key, char *out, size_t len)
{
	const struct obj *o = obj_find(a, key);

	snprintf(out, len, "%s", o ? o->name : "");
}

/* A VirtIODevice: its type from its own events, else the virtio region of
 * its status write (QEMU also sets a status outside any register write). */
static void name_vdev(const struct vp_qtrace_agg *a, uint64_t vdev, char *region, size_t len,
		      const char **device_id)
{
	const struct pair *p = get_pair(a->vdev_blk, a->nvdev_blk, vdev);

	if (p) {
		*device_id = "virtio-blk";
		return;
	}
	p = get_pair(a->vdev_mr, a->nvdev_mr, vdev);
	if (p) {
		name_of(a, p->value, region, len);
		if (strncmp(region, "virtio-pci", 10))
			region[0] = '\0';
	}
}

static int fill_regions(const struct vp_qtrace_agg *a, struct vp_usdt_counts *c)
{
	for (size_t i = 0; i < a->nobjs; i++) {
		const struct obj *o = &a->objs[i];
		struct vp_usdt_region *r;

		if (!o->accessed)
			continue;
		if (!(r = realloc(c->r, (c->n + 1) * sizeof(*r))))
			return -ENOMEM;
		c->r = r;
		r = &c->r[c->n++];
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", o->name);
		r->mr = o->key;
		r->reads = o->dir[VP_USDT_READ].total;
		r->writes = o->dir[VP_USDT_WRITE].total;
		r->guest_reads = guest_part(&o->dir[VP_USDT_READ], a->epoch);
		r->guest_writes = guest_part(&o->dir[VP_USDT_WRITE], a->epoch);
	}
	vp_usdt_sort_regions(c);
	return 0;
}

static int fill_rest(const struct vp_qtrace_agg *a, struct vp_usdt_counts *c)
{
	for (size_t i = 0; i < a->njoins; i++) {
		struct vp_usdt_join *j;

		if (vp_grow((void **)&c->joins, c->njoins, &c->joins_cap, sizeof(*j), 16))
			return -ENOMEM;
		j = &c->joins[c->njoins++];
		memset(j, 0, sizeof(*j));
		j->kind = a->joins[i].kind;
		j->addr = a->joins[i].addr;
		name_of(a, a->joins[i].obj, j->region, sizeof(j->region));
	}
	for (size_t i = 0; i < a->nirqs; i++) {
		const struct irq *s = &a->irqs[i];
		struct vp_usdt_irq *q;

		if (!s->n.total)
			continue;
		if (vp_grow((void **)&c->irqs, c->nirqs, &c->irqs_cap, sizeof(*q), 8))
			return -ENOMEM;
		q = &c->irqs[c->nirqs++];
		memset(q, 0, sizeof(*q));
		q->kind = s->kind;
		q->line = s->line;
		q->obj = s->obj;
		q->raised = s->n.total;
		q->guest_raised = guest_part(&s->n, a->epoch);
		if (s->kind == VP_UI_VIRTIO)
			name_vdev(a, s->obj, q->region, sizeof(q->region), &q->device_id);
	}
	for (size_t i = 0; i < a->nevents; i++) {
		const struct event *s = &a->events[i];
		struct vp_usdt_event *ev;

		if (vp_grow((void **)&c->events, c->nevents, &c->events_cap, sizeof(*ev), 16))
			return -ENOMEM;
		ev = &c->events[c->nevents++];
		memset(ev, 0, sizeof(*ev));
		ev->e = &vp_qemu_events[s->idx];
		ev->obj = s->obj;
		ev->total = s->n.total;
		ev->guest = guest_part(&s->n, a->epoch);
		if (vp_qemu_event_names_vdev(ev->e))
			name_vdev(a, s->obj, ev->region, sizeof(ev->region), &ev->device_id);
	}
	return 0;
}

int vp_qtrace_counts(const struct vp_qtrace_agg *a, struct vp_usdt_counts *c)
{
	memset(c, 0, sizeof(*c));
	if (fill_regions(a, c) || fill_rest(a, c)) {
		vp_usdt_counts_free(c);
		return -ENOMEM;
	}
	c->dropped_counts = a->dropped;
	c->fw_cfg_accesses = a->epoch;
	return 0;
}
