/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* QEMU's accesses per device, beside the guest's own counts of them. */
#ifndef VP_DEVICE_COUNTS_H
#define VP_DEVICE_COUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices.h"
#include "guest_result.h"
#include "qemu_counts.h"

/* One device's accesses: QEMU's (USDT) split at the firmware's last fw_cfg
 * access (bpf/qemu_usdt.h), and the guest's own (its VMEXIT-REGION lines). */
struct vp_device_count {
	const struct vp_device *dev;
	uint64_t reads, writes;	      /* QEMU, after the firmware: the guest's time */
	uint64_t fw_reads, fw_writes; /* QEMU, before: the firmware's */
	uint64_t guest_reads, guest_writes;
	bool in_qemu, in_guest; /* some region of it was seen on that side */
};

#define VP_MAX_DEVICE_COUNTS 32

/* Groups c (and r's regions, r may be NULL) by device through the device
 * table; the count, sorted by QEMU's total, most first. */
size_t vp_profile_by_device(const struct vp_usdt_counts *c, const struct vp_guest_result *r,
			    struct vp_device_count *out, size_t max);
/* The guest's own region that is the same registers as QEMU's region
 * qemu_name one to one (the two name them differently), or NULL. */
const struct vp_guest_region *vp_guest_region_paired(const struct vp_guest_result *r,
						     const char *qemu_name);
/* The entry of dev in out (NULL if absent). */
const struct vp_device_count *vp_device_count_find(const struct vp_device_count *out, size_t n,
						   const struct vp_device *dev);

#endif
