// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "attribution.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "growbuf.h"
#include "qemu_events.h"
#include "qemu_usdt.h"

const char *vp_attr_source_name(enum vp_attr_source s)
{
	switch (s) {
	case VP_ATTR_USDT: return "qemu-usdt";
	case VP_ATTR_QMP: return "qmp";
	case VP_ATTR_LEGACY: return "legacy-ports";
	default: return "none";
	}
}

enum vp_attr_source vp_attr_best(const struct vp_attribution *a)
{
	if (a->usdt)
		return VP_ATTR_USDT;
	if (a->memmap)
		return VP_ATTR_QMP;
	return VP_ATTR_LEGACY;
}

static const struct vp_usdt_join *find_join(const struct vp_usdt_counts *c, uint32_t kind,
					    uint64_t addr)
{
	for (size_t i = 0; c && i < c->njoins; i++)
		if (c->joins[i].kind == kind && c->joins[i].addr == addr)
			return &c->joins[i];
	return NULL;
}

static bool from_memmap(const struct vp_attribution *a, bool pio, uint64_t addr,
			struct vp_attr_hit *h)
{
	const struct vp_mem_range *r;

	if (!a->memmap)
		return false;
	r = vp_memmap_lookup(a->memmap, pio ? VP_SPACE_PIO : VP_SPACE_MMIO, addr);
	if (!r || r->dev == vp_device_unknown())
		return false;
	h->dev = r->dev;
	h->region = r->name;
	h->source = VP_ATTR_QMP;
	return true;
}

struct vp_attr_hit vp_attribute_access(const struct vp_attribution *a, int kind, uint64_t addr)
{
	struct vp_attr_hit h = { .dev = vp_device_unknown() };
	bool pio = kind == VP_K_PIO;
	const struct vp_usdt_join *j, *ioev;

	/* The row of accesses folded together spans any number of devices. */
	if (addr == VP_ADDR_FOLDED)
		return h;
	j = find_join(a->usdt, pio ? VP_UA_PIO : VP_UA_MMIO, addr);
	ioev = find_join(a->usdt, pio ? VP_UA_IOEVENTFD_PIO : VP_UA_IOEVENTFD_MMIO, addr);

	/* QEMU itself never sees the accesses an ioeventfd serves.  The address
	 * lies in its device's own region, so the memory map answers first; the
	 * register write QEMU was handling when it registered the ioeventfd
	 * names the device otherwise, unless that write was a BAR being mapped. */
	if (ioev && (kind == VP_K_FAST_MMIO || !j)) {
		h.ioeventfd = 1;
		j = NULL;
		if (from_memmap(a, pio, addr, &h))
			return h;
		if (ioev->region[0] && !vp_device_maps_bars(vp_device_for_mr(ioev->region)))
			j = ioev;
	}
	if (j && j->region[0]) {
		h.dev = vp_device_for_mr(j->region);
		h.region = j->region;
		h.source = VP_ATTR_USDT;
		if (h.dev != vp_device_unknown())
			return h;
	}
	if (from_memmap(a, pio, addr, &h))
		return h;
	/* Named by QEMU, known to no table: QEMU's name is still the answer,
	 * and a better one than what usually sits at that port. */
	if (h.region) {
		h.dev = vp_device_for_region(h.region);
		return h;
	}
	if (pio && addr <= 0xffff) {
		const struct vp_device *d = vp_device_for_port((uint16_t)addr);

		if (d != vp_device_unknown()) {
			h.dev = d;
			h.source = VP_ATTR_LEGACY;
		}
	}
	return h;
}

struct vp_attr_hit vp_attribute_pin(const struct vp_attribution *a, unsigned int pin)
{
	struct vp_attr_hit h = { .dev = vp_device_unknown() };

	for (size_t i = 0; a->memmap && i < a->memmap->nbars; i++) {
		const struct vp_pci_bar *b = &a->memmap->bars[i];

		if (b->irq >= 0 && (unsigned int)b->irq == pin && b->dev != vp_device_unknown()) {
			h.dev = b->dev;
			h.source = VP_ATTR_QMP;
			return h;
		}
	}
	h.dev = vp_device_for_irq_pin(pin);
	if (h.dev != vp_device_unknown())
		h.source = VP_ATTR_LEGACY;
	return h;
}

struct totals {
	struct vp_device_total *t;
	size_t n, cap;
};

static struct vp_device_total *total_for(struct totals *tt, const struct vp_device *dev)
{
	struct vp_device_total *t;

	for (size_t i = 0; i < tt->n; i++)
		if (tt->t[i].dev == dev)
			return &tt->t[i];
	if (vp_grow((void **)&tt->t, tt->n, &tt->cap, sizeof(*tt->t), 16))
		return NULL;
	t = &tt->t[tt->n++];
	memset(t, 0, sizeof(*t));
	t->dev = dev;
	return t;
}

/* A source only improves: the device's label is the best that named any of it. */
static void note_source(struct vp_device_total *t, enum vp_attr_source s)
{
	if (s > t->source)
		t->source = s;
}

static bool is_access(int kind)
{
	return kind == VP_K_PIO || kind == VP_K_MMIO || kind == VP_K_FAST_MMIO;
}

static int add_access_row(struct totals *tt, const struct vp_attribution *a,
			  const struct vp_row *row)
{
	const struct vp_stat *st = &row->st;
	struct vp_attr_hit h = vp_attribute_access(a, row->key.kind, row->key.addr);
	struct vp_device_total *t = total_for(tt, h.dev);
	uint64_t in_kernel;

	if (!t)
		return -1;
	note_source(t, h.source);
	t->kernel_ns += st->kern_ns;
	if (row->key.kind == VP_K_FAST_MMIO) {
		t->ioeventfd += st->count;
		return 0;
	}
	t->to_user += st->user_count;
	t->user_ns += st->user_ns;
	if (st->user_count)
		vp_stat_merge(&t->lat, st);
	in_kernel = st->count > st->user_count ? st->count - st->user_count : 0;
	/* What stayed in the kernel: a device KVM emulates itself (APIC, I/O
	 * APIC, PIT, PIC), an ioeventfd (a paravirtual device's doorbell: on
	 * SVM a kick is an npf exit and a kvm_mmio write, no kvm_fast_mmio),
	 * or a write KVM queued in the coalesced MMIO/PIO ring for QEMU to
	 * replay later without an exit (e1000, VGA, the RTC's index port). */
	if (vp_device_kvm_emulated(h.dev))
		t->kernel_dev += in_kernel;
	else if (h.ioeventfd || h.dev->cls == VP_DEV_PARAVIRTUAL)
		t->ioeventfd += in_kernel;
	else if (row->key.dir == VP_DIR_WRITE)
		t->coalesced += in_kernel;
	else
		t->kernel_dev += in_kernel;
	return 0;
}

/* A VirtIODevice's device, by what the probes learnt of it (usdt_source.h),
 * else the catalogue group's (NULL: none). */
static const struct vp_device *vdev_device(const char *region, const char *device_id,
					   const char *group)
{
	if (region[0])
		return vp_device_for_region(region);
	if (device_id)
		return vp_device_by_id(device_id);
	return group ? vp_device_for_event_group(group) : vp_device_unknown();
}

static bool has_own_interrupts(const struct totals *tt, const struct vp_device *dev)
{
	for (size_t i = 0; i < tt->n; i++)
		if (tt->t[i].dev == dev && tt->t[i].interrupts)
			return true;
	return false;
}

/* PCI devices share INTx lines: of those routed to the pin, the one that
 * raises its interrupts another way (virtio's notifications over MSI-X)
 * leaves the line to the others. */
static struct vp_attr_hit attribute_line(const struct totals *tt, const struct vp_attribution *a,
					 unsigned int pin)
{
	for (size_t i = 0; a->memmap && i < a->memmap->nbars; i++) {
		const struct vp_pci_bar *b = &a->memmap->bars[i];

		if (b->irq >= 0 && (unsigned int)b->irq == pin && b->dev != vp_device_unknown() &&
		    !has_own_interrupts(tt, b->dev))
			return (struct vp_attr_hit){ .dev = b->dev, .source = VP_ATTR_QMP };
	}
	return vp_attribute_pin(a, pin);
}

/* QEMU's own interrupt events: exact per device where QEMU raises them.
 * A device with events of its own (virtio's notifications, the
 * stopwatch's) also moves its INTx line, the same interrupt seen lower
 * down: its line edges are not counted again. */
static int add_usdt_irqs(struct totals *tt, const struct vp_attribution *a, bool *lines_seen)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; a->usdt && i < a->usdt->nirqs; i++) {
			const struct vp_usdt_irq *q = &a->usdt->irqs[i];
			struct vp_attr_hit h = { .dev = vp_device_unknown(),
						 .source = VP_ATTR_USDT };
			struct vp_device_total *t;

			if ((q->kind == VP_UI_IOAPIC) != (pass == 1))
				continue;
			if (q->kind == VP_UI_IOAPIC) {
				h = vp_attribute_pin(a, q->line);
				*lines_seen = true;
				if (h.dev != vp_device_unknown() && has_own_interrupts(tt, h.dev))
					continue;
			} else if (q->kind == VP_UI_STOPWATCH) {
				h.dev = vp_device_by_id("stopwatch");
			} else {
				h.dev = vdev_device(q->region, q->device_id, NULL);
			}
			if (!(t = total_for(tt, h.dev)))
				return -1;
			note_source(t, h.source);
			t->interrupts += q->raised;
			t->guest_interrupts += q->guest_raised;
		}
	}
	return 0;
}

static int add_usdt_events(struct totals *tt, const struct vp_attribution *a)
{
	for (size_t i = 0; a->usdt && i < a->usdt->nevents; i++) {
		const struct vp_usdt_event *e = &a->usdt->events[i];
		const struct vp_device *dev = vdev_device(e->region, e->device_id, e->e->device);
		struct vp_device_total *t;
		size_t k;

		/* QEMU's exits and the virtio transport's own events are no device's */
		if (dev == vp_device_unknown())
			continue;
		if (!(t = total_for(tt, dev)))
			return -1;
		note_source(t, VP_ATTR_USDT);
		for (k = 0; k < t->nev && strcmp(t->ev[k].name, e->e->name); k++)
			;
		if (k == VP_DEV_MAX_EVENTS)
			continue;
		if (k == t->nev)
			t->ev[t->nev++] = (struct vp_dev_event){ .name = e->e->name };
		t->ev[k].total += e->total;
		t->ev[k].guest += e->guest;
	}
	return 0;
}

uint64_t vp_device_event_guest(const struct vp_device_total *t, const char *name)
{
	for (size_t k = 0; t && k < t->nev; k++)
		if (!strcmp(t->ev[k].name, name))
			return t->ev[k].guest;
	return 0;
}

static int by_cost(const void *pa, const void *pb)
{
	const struct vp_device_total *a = pa, *b = pb;
	uint64_t ca = a->user_ns + a->kernel_ns, cb = b->user_ns + b->kernel_ns;
	uint64_t na = a->to_user + vp_device_in_kernel(a), nb = b->to_user + vp_device_in_kernel(b);

	if (ca != cb)
		return ca < cb ? 1 : -1;
	if (na != nb)
		return na < nb ? 1 : -1;
	return strcmp(a->dev->id, b->dev->id);
}

size_t vp_device_totals(const struct vp_result *r, const struct vp_attribution *a,
			struct vp_device_total **out)
{
	struct totals tt = { 0 };
	bool kvm_rows = false, lines_seen = false;

	*out = NULL;
	for (size_t i = 0; r && i < r->nrows; i++) {
		if (!is_access(r->rows[i].key.kind))
			continue;
		kvm_rows = true;
		if (add_access_row(&tt, a, &r->rows[i]))
			goto nomem;
	}
	/* Under TCG there is no exit: each dispatch QEMU made is what would be
	 * one exit to user space under KVM. */
	for (size_t i = 0; !kvm_rows && a->usdt && i < a->usdt->n; i++) {
		const struct vp_usdt_region *reg = &a->usdt->r[i];
		struct vp_device_total *t = total_for(&tt, vp_device_for_region(reg->name));

		if (!t)
			goto nomem;
		note_source(t, VP_ATTR_USDT);
		t->to_user += reg->reads + reg->writes;
	}
	if (add_usdt_irqs(&tt, a, &lines_seen) || add_usdt_events(&tt, a))
		goto nomem;
	/* The kernel's irqchip lines, unless QEMU's I/O APIC already counted
	 * them (a QEMU-emulated irqchip: both would see the same edge). */
	for (size_t i = 0; r && !lines_seen && i < r->nrows; i++) {
		const struct vp_row *row = &r->rows[i];
		struct vp_device_total *t;
		struct vp_attr_hit h;

		if (row->key.kind != VP_K_IRQ)
			continue;
		h = attribute_line(&tt, a, row->key.code);
		if (!(t = total_for(&tt, h.dev)))
			goto nomem;
		note_source(t, h.source);
		t->interrupts += row->st.count;
		t->guest_interrupts += row->st.count;
	}
	if (tt.n)
		qsort(tt.t, tt.n, sizeof(*tt.t), by_cost);
	*out = tt.t;
	return tt.n;
nomem:
	free(tt.t);
	return 0;
}

const struct vp_device_total *vp_device_total_find(const struct vp_device_total *t, size_t n,
						   const struct vp_device *dev)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].dev == dev)
			return &t[i];
	return NULL;
}
