/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A QEMU's memory map: which MemoryRegion, PCI BAR and device answer each
 * guest-physical address and port.  Filled by a source (QMP, qemu_memmap.h);
 * the attribution looks addresses up in it.
 */
#ifndef VP_MEMMAP_H
#define VP_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "devices.h"

enum vp_space { VP_SPACE_MMIO, VP_SPACE_PIO };

struct vp_pci_bar {
	uint64_t start, end; /* inclusive */
	enum vp_space space;
	int bus, slot, func, bar;
	uint16_t vendor, device;
	int irq;	  /* the function's INTx line (query-pci "irq"), -1 if none */
	char qdev_id[64]; /* "" when the device was given no id= */
	char desc[48];	  /* query-pci's class description */
	const struct vp_device *dev;
};

struct vp_mem_range {
	uint64_t start, end; /* inclusive */
	enum vp_space space;
	int prio;
	char kind[16];		      /* "i/o", "ram", "rom", "romd", ... */
	char name[64];		      /* the MemoryRegion's name, without the " @offset" */
	const struct vp_device *dev;  /* never NULL after parsing */
	const struct vp_pci_bar *bar; /* the BAR holding the range, or NULL */
};

struct vp_memmap {
	struct vp_mem_range *ranges; /* sorted by space, then start */
	size_t nranges, cap;
	struct vp_pci_bar *bars;
	size_t nbars, barcap;
};

void vp_memmap_free(struct vp_memmap *m);

/* The range holding addr (NULL: nothing is mapped there). */
const struct vp_mem_range *vp_memmap_lookup(const struct vp_memmap *m, enum vp_space space,
					    uint64_t addr);
/* Its device; unknown (never NULL) when unmapped or unattributed. */
const struct vp_device *vp_memmap_device(const struct vp_memmap *m, enum vp_space space,
					 uint64_t addr);
const char *vp_space_name(enum vp_space space);

#endif
