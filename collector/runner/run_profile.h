/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `vmexit-prof run WORKLOAD --profile`: QEMU's USDT counts of a guest's run. */
#ifndef VP_RUN_PROFILE_H
#define VP_RUN_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "device_counts.h"
#include "devices.h"
#include "memmap.h"
#include "guest_runner.h"
#include "result.h"
#include "qemu_usdt_source.h"

/* g was started with paused_qmp: attaches u to its QEMU, then lets the vCPUs
 * run (QMP cont).  On failure nothing stays attached; 0 or -errno with err. */
int vp_profile_begin(struct vp_guest *g, bool verbose, struct vp_usdt *u, char *err, size_t errlen);

/* Boots w with --profile semantics and fills r and c (free c afterwards);
 * when it runs under KVM and kvm is not NULL, its exits go into kvm too,
 * the device keys' part after the firmware's last fw_cfg access into
 * kvm_guest (if not NULL), and QEMU's memory map, once the firmware has set
 * it up, into map (if not NULL; free it afterwards; empty when the guest
 * was done too soon).
 * 0 (r may still hold a failed guest status), or -errno with err. */
int vp_run_profiled(const struct vp_workload *w, const struct vp_guest_config *cfg,
		    double timeout_s, bool verbose, struct vp_guest_result *r,
		    struct vp_usdt_counts *c, struct vp_result *kvm, struct vp_result *kvm_guest,
		    struct vp_memmap *map, char *accel, size_t accel_len, char *err, size_t errlen);

#endif
