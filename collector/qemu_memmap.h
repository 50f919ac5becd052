/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Attribution source 2, for a QEMU without USDT probes: QEMU's
 * own memory map, learnt over QMP.  `info mtree -f` (through
 * human-monitor-command) gives the flat views of the "memory" and "I/O"
 * address spaces, i.e. which MemoryRegion answers each guest-physical
 * address and port; query-pci gives the BARs, which name the owner of
 * regions whose own name does not (msix-table).  The device is then found
 * through the device table (devices.h), legacy ports last.
 */
#ifndef VP_QEMU_MEMMAP_H
#define VP_QEMU_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "devices.h"

struct vp_qmp;
struct json_t;

enum vp_space { VP_SPACE_MMIO, VP_SPACE_PIO };

struct vp_pci_bar {
	uint64_t start, end; /* inclusive */
	enum vp_space space;
	int bus, slot, func, bar;
	uint16_t vendor, device;
	int irq;          /* the function's INTx line (query-pci "irq"), -1 if none */
	char qdev_id[64]; /* "" when the device was given no id= */
	char desc[48];    /* query-pci's class description */
	const struct vp_device *dev;
};

struct vp_mem_range {
	uint64_t start, end; /* inclusive */
	enum vp_space space;
	int prio;
	char kind[16];  /* "i/o", "ram", "rom", "romd", ... */
	char name[64];  /* the MemoryRegion's name, without the " @offset" */
	const struct vp_device *dev;  /* never NULL after parsing */
	const struct vp_pci_bar *bar; /* the BAR holding the range, or NULL */
};

struct vp_memmap {
	struct vp_mem_range *ranges; /* sorted by space, then start */
	size_t nranges, cap;
	struct vp_pci_bar *bars;
	size_t nbars, barcap;
};

/* Adds the ranges of the "memory" and "I/O" flat views of an
 * `info mtree -f` text; 0, -EINVAL when it has neither, -ENOMEM. */
int vp_memmap_parse_mtree(struct vp_memmap *m, const char *text);
/* Adds the assigned BARs of a query-pci "return" array; 0 or -errno. */
int vp_memmap_parse_pci(struct vp_memmap *m, struct json_t *query_pci);
/* Both, from a connected QMP session. */
int vp_memmap_from_qmp(struct vp_memmap *m, struct vp_qmp *q, char *err, size_t errlen);
void vp_memmap_free(struct vp_memmap *m);

/* The range holding addr (NULL: nothing is mapped there). */
const struct vp_mem_range *vp_memmap_lookup(const struct vp_memmap *m, enum vp_space space,
					    uint64_t addr);
/* Its device; unknown (never NULL) when unmapped or unattributed. */
const struct vp_device *vp_memmap_device(const struct vp_memmap *m, enum vp_space space,
					 uint64_t addr);
const char *vp_space_name(enum vp_space space);

/* `vmexit-prof memmap ...` (argv[0] is "memmap"): exit status 0 or 2. */
int vp_memmap_main(int argc, char **argv);

#endif
