/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared between bpf/qemu_usdt.bpf.c and collector/usdt_source.c. */
#ifndef VP_QEMU_USDT_H
#define VP_QEMU_USDT_H

#define VP_USDT_MAX_REGIONS 1024 /* (mr, direction) keys; more are counted as dropped */
#define VP_USDT_NAME_LEN 64

enum vp_usdt_dir { VP_USDT_READ = 0, VP_USDT_WRITE = 1 };

struct vp_usdt_key {
	__u64 mr;  /* QEMU's MemoryRegion pointer: stable for the region's life */
	__u32 dir; /* enum vp_usdt_dir */
	__u32 pad; /* keeps the key free of uninitialised bytes */
};

/*
 * Per (region, direction): every access, and the ones since the latest
 * access to a marker region (fw_cfg).  The firmware loads the multiboot
 * guest through fw_cfg and the guest never touches it, so what follows the
 * last fw_cfg access is the guest's own; `epoch` says which marker the
 * since_mark count started after (a region untouched since then has 0).
 */
struct vp_usdt_value {
	__u64 total;
	__u64 since_mark;
	__u64 epoch;
};

#define VP_USDT_MARKER_PREFIX "fwcfg" /* QEMU's "fwcfg" and "fwcfg.dma" */
#define VP_USDT_MAX_MARKERS 8

#endif
