/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What QEMU's own probes counted in one QEMU: accesses per MemoryRegion,
 * the exit <-> region joins, interrupts and the device events of the
 * catalogue.  Filled by the USDT source (qemu_usdt_source.h).
 */
#ifndef VP_QEMU_COUNTS_H
#define VP_QEMU_COUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vp_qemu_event;

struct vp_usdt_region {
	char name[64]; /* QEMU's MemoryRegion name ("" if it could not be read) */
	uint64_t mr;   /* the MemoryRegion pointer: two devices may share a name */
	uint64_t reads, writes;
	/* The part after the last fw_cfg access (bpf/qemu_usdt.h): the guest's
	 * own; reads - guest_reads is what the firmware did before it. */
	uint64_t guest_reads, guest_writes;
};

/* A port or address QEMU dispatched to a named region (qemu_usdt.h). */
struct vp_usdt_join {
	uint32_t kind; /* enum vp_usdt_access_kind */
	uint64_t addr;
	char region[64];
};

/* Interrupts raised by one source; region names a virtio device. */
struct vp_usdt_irq {
	uint32_t kind; /* enum vp_usdt_irq_kind */
	uint32_t line;
	uint64_t obj;
	char region[64];
	const char *device_id;	       /* from the device type's own events, or NULL */
	uint64_t raised, guest_raised; /* guest_raised: after the firmware */
};

/* One catalogue event's count, per object where it names one. */
struct vp_usdt_event {
	const struct vp_qemu_event *e;
	uint64_t obj;	       /* a VirtIODevice, an exit reason, or 0 */
	char region[64];       /* a VirtIODevice's: the region of its status write */
	const char *device_id; /* a VirtIODevice's type, from its own events, or NULL */
	uint64_t total, guest; /* guest: after the firmware */
};

struct vp_usdt_counts {
	struct vp_usdt_region *r; /* sorted by reads + writes, most first */
	size_t n;
	uint64_t dropped_counts, dropped_names;
	uint64_t fw_cfg_accesses; /* 0: no firmware marker seen, guest_* = all */
	struct vp_usdt_join *joins;
	size_t njoins, joins_cap;
	struct vp_usdt_irq *irqs;
	size_t nirqs, irqs_cap;
	struct vp_usdt_event *events;
	size_t nevents, events_cap;
};

/* 0, or a negative errno with one line in err. */
void vp_usdt_counts_free(struct vp_usdt_counts *c);
/* The count of event `name` (all objects), after the firmware; 0 if unseen. */
uint64_t vp_usdt_event_guest(const struct vp_usdt_counts *c, const char *name);
/* Regions by accesses, most first, then by name. */
void vp_usdt_sort_regions(struct vp_usdt_counts *c);
/* Sum of the regions called name (several devices of one model). */
bool vp_usdt_find(const struct vp_usdt_counts *c, const char *name, uint64_t *reads,
		  uint64_t *writes);

#endif
