/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof memmap`: a QEMU's memory map as the attribution sees it. */
#ifndef VP_MEMMAP_CMD_H
#define VP_MEMMAP_CMD_H

/* `vmexit-prof memmap ...` (argv[0] is "memmap"): exit status 0 or 2. */
int vp_memmap_main(int argc, char **argv);

#endif
