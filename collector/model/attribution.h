/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which device model handled each exit, interrupt and in-kernel access:
 * the attribution sources, best first, behind one lookup.
 *   1. QEMU's USDT probes: the region QEMU dispatched each port or address
 *      to (joined in the probe through the vCPU's kvm_run), the region
 *      whose register write registered an ioeventfd, and QEMU's own
 *      interrupt events;
 *   2. QEMU's memory map and PCI functions over QMP;
 *   3. the device table's fixed legacy ports and interrupt lines.
 * Everything here only reads: the sources are gathered elsewhere.
 */
#ifndef VP_ATTRIBUTION_H
#define VP_ATTRIBUTION_H

#include <stddef.h>
#include <stdint.h>

#include "devices.h"
#include "memmap.h"
#include "result.h"
#include "qemu_counts.h"

enum vp_attr_source { VP_ATTR_NONE = 0, VP_ATTR_LEGACY, VP_ATTR_QMP, VP_ATTR_USDT };

struct vp_attribution {
	const struct vp_usdt_counts *usdt; /* NULL: no USDT probes */
	const struct vp_memmap *memmap;	   /* NULL: no QMP */
};

struct vp_attr_hit {
	const struct vp_device *dev; /* never NULL: unknown when nothing knew */
	const char *region;	     /* QEMU's region name, or NULL */
	enum vp_attr_source source;
	int ioeventfd; /* the address is a registered ioeventfd */
};

const char *vp_attr_source_name(enum vp_attr_source s);
/* The best source among those present (what the report names). */
enum vp_attr_source vp_attr_best(const struct vp_attribution *a);

/* kind: VP_K_PIO, VP_K_MMIO or VP_K_FAST_MMIO. */
struct vp_attr_hit vp_attribute_access(const struct vp_attribution *a, int kind, uint64_t addr);
/* An I/O APIC pin (= GSI below 24): PCI INTx lines over QMP, then the table. */
struct vp_attr_hit vp_attribute_pin(const struct vp_attribution *a, unsigned int pin);

#define VP_DEV_MAX_EVENTS 16

/* A QEMU trace event of one device: its work as QEMU saw it. */
struct vp_dev_event {
	const char *name;
	uint64_t total, guest; /* guest: after the firmware */
};

/* One device's share of a profile. */
struct vp_device_total {
	const struct vp_device *dev;
	uint64_t to_user;			   /* exits to QEMU */
	uint64_t ioeventfd, coalesced, kernel_dev; /* served in the kernel */
	uint64_t user_ns, kernel_ns;
	uint64_t interrupts, guest_interrupts;	   /* guest_: after the firmware */
	struct vp_stat lat;			   /* QEMU time of the exits */
	enum vp_attr_source source;		   /* the best that named it */
	struct vp_dev_event ev[VP_DEV_MAX_EVENTS]; /* QEMU's events, first seen first */
	size_t nev;
};

static inline uint64_t vp_device_in_kernel(const struct vp_device_total *t)
{
	return t->ioeventfd + t->coalesced + t->kernel_dev;
}

/*
 * Groups r's port, MMIO and interrupt rows by device.  Without any KVM
 * access row (TCG), QEMU's own dispatches (USDT) stand for the exits to
 * user space.  Returns the count, most costly first; *out is allocated.
 */
size_t vp_device_totals(const struct vp_result *r, const struct vp_attribution *a,
			struct vp_device_total **out);
/* The guest part of event `name` in t (0 if absent). */
uint64_t vp_device_event_guest(const struct vp_device_total *t, const char *name);
/* The entry for dev (NULL if absent). */
const struct vp_device_total *vp_device_total_find(const struct vp_device_total *t, size_t n,
						   const struct vp_device *dev);

#endif
