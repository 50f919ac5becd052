/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * QEMU's probe tables (bpf/qemu_usdt.h) read into counts (qemu_counts.h),
 * wherever the tables are: the kernel's maps of a live profile, or the
 * replay of a recording's probe events.  One reading for both, so a
 * recording names and counts what the live profile would have.
 */
#ifndef VP_USDT_TABLES_H
#define VP_USDT_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "qemu_counts.h"

enum vp_usdt_table {
	VP_UT_MR_COUNTS,    /* struct vp_usdt_key -> struct vp_usdt_value */
	VP_UT_MR_NAMES,	    /* u64 object -> char[VP_USDT_NAME_LEN] */
	VP_UT_ACCESS_MR,    /* struct vp_usdt_access -> u64 region */
	VP_UT_IRQ_COUNTS,   /* struct vp_usdt_irq_key -> struct vp_usdt_irq_value */
	VP_UT_EVENT_COUNTS, /* struct vp_usdt_event_key -> struct vp_usdt_value */
	VP_UT_VDEV_TYPE,    /* u64 VirtIODevice -> u32 enum vp_usdt_vdev_type */
	VP_UT_VDEV_MR,	    /* u64 VirtIODevice -> u64 region */
	VP_UT_NTABLES,
};

typedef int (*vp_usdt_entry_fn)(void *arg, const void *key, const void *val);

struct vp_usdt_tables {
	void *ctx;
	/* Calls fn on every entry of table t; fn's non-zero value stops it. */
	int (*each)(void *ctx, enum vp_usdt_table t, vp_usdt_entry_fn fn, void *arg);
	/* 0 with *val filled, or non-zero when key is not there. */
	int (*lookup)(void *ctx, enum vp_usdt_table t, const void *key, void *val);
	/* A VirtIODevice's type as QEMU's memory names it ("virtio-net"):
	 * 0, or non-zero when not known.  NULL: never known. */
	int (*vdev_name)(void *ctx, uint64_t vdev, char *buf, size_t len);
	uint64_t mark_epoch, dropped_counts, dropped_names;
};

/* c is replaced.  0, or -ENOMEM (c is then empty). */
int vp_usdt_counts_build(const struct vp_usdt_tables *t, struct vp_usdt_counts *c);

#endif
