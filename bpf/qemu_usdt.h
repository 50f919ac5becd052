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

#endif
