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

#include "memmap.h"

struct vp_qmp;
struct json_t;

/* Adds the ranges of the "memory" and "I/O" flat views of an
 * `info mtree -f` text; 0, -EINVAL when it has neither, -ENOMEM. */
int vp_memmap_parse_mtree(struct vp_memmap *m, const char *text);
/* Adds the assigned BARs of a query-pci "return" array; 0 or -errno. */
int vp_memmap_parse_pci(struct vp_memmap *m, struct json_t *query_pci);
/* QEMU's two answers the map is made of, as QMP gives them: the text of
 * `info mtree -f` (*mtree, malloc'd) and query-pci's return (*pci). */
int vp_memmap_query(struct vp_qmp *q, char **mtree, struct json_t **pci, char *err, size_t errlen);
/* The map of those answers (kept, say, in a recording). */
int vp_memmap_from_answers(struct vp_memmap *m, const char *mtree, struct json_t *pci, char *err,
			   size_t errlen);
/* Both, from a connected QMP session. */
int vp_memmap_from_qmp(struct vp_memmap *m, struct vp_qmp *q, char *err, size_t errlen);

#endif
