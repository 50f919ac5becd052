/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Gathering the attribution sources for one running QEMU: its USDT probes
 * (attached through /proc/PID/exe, so a replaced or deleted binary still
 * works) and its memory map over QMP.  Each is optional; what could not be
 * had is explained in `why`, and the legacy-port table is always there.
 */
#ifndef VP_ATTR_SOURCES_H
#define VP_ATTR_SOURCES_H

#include <limits.h>
#include <stdbool.h>

#include "attribution.h"
#include "qemu_memmap.h"
#include "target.h"
#include "qemu_usdt_source.h"

struct vp_attr_sources {
	int pid;
	struct vp_usdt usdt;
	bool have_usdt;
	struct vp_usdt_counts counts;
	bool have_counts;
	struct vp_memmap memmap;
	bool have_memmap;
	char qmp_path[PATH_MAX]; /* "" when none was found */
	char usdt_why[256], qmp_why[512];
};

/*
 * Attaches to pid.  qmp_path: the user's --qmp, or NULL to look on the
 * command line.  Never fails for want of a source; returns -errno with
 * one line in err only when a source the user asked for (--qmp) is
 * unusable, with nothing left attached.
 */
int vp_sources_open(struct vp_attr_sources *s, int pid, const char *qmp_path,
		    const struct vp_target *t, bool verbose, char *err, size_t errlen);
/* Tells the probes where each vCPU's kvm_run is (vCPUs can be hot-plugged). */
void vp_sources_update_vcpus(struct vp_attr_sources *s, const struct vp_target *t);
/* Reads the probes' counts and, with memmap, re-reads QEMU's memory map
 * (the guest may have moved BARs since the start); keeps the last good map. */
void vp_sources_collect(struct vp_attr_sources *s, bool memmap);
struct vp_attribution vp_sources_attribution(const struct vp_attr_sources *s);
/* "memory_region_ops_read/write on the vCPU threads; QMP /run/qmp.sock" */
void vp_sources_describe(const struct vp_attr_sources *s, char *out, size_t len);
void vp_sources_close(struct vp_attr_sources *s);

#endif
