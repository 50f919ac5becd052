/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live source: the kernel programs attached to one VMM process.
 * Lifecycle open -> configure -> load -> attach in vp_live_open, one cleanup
 * path in vp_live_close; on failure nothing stays attached.
 */
#ifndef VP_VMEXIT_SOURCE_H
#define VP_VMEXIT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"
#include "target.h"

struct vmexit;

struct vp_live {
	struct vmexit *skel;
	int pid;
	/* Tracepoints this kernel lacks; their programs were not loaded. */
	char missing[256];
};

struct vp_live_opts {
	int vcpu_filter; /* -1: all */
	bool verbose;	 /* libbpf's own messages */
};

/* On failure returns a negative errno and writes one line into err. */
int vp_live_open(struct vp_live *l, const struct vp_target *t, const struct vp_live_opts *o,
		 char *err, size_t errlen);
/* Tells the kernel about vCPU fds (new ones appear on hotplug). */
int vp_live_update_vcpus(struct vp_live *l, const struct vp_target *t);
int vp_live_read(struct vp_live *l, struct vp_result *r);
/* The device keys' events after the firmware's last fw_cfg access, into r
 * (rows only); *markers: how many fw_cfg accesses the kernel saw (0: none,
 * so r holds all). */
int vp_live_read_guest(struct vp_live *l, struct vp_result *r, uint64_t *markers);
/* The kernel memory l's maps lock (bpf_memory.h). */
uint64_t vp_live_map_bytes(const struct vp_live *l);
/* The marker ports (vmexit.h) as the device table gives them: fw_cfg's. */
void vp_marker_ports(struct vp_port_span spans[VP_MARKER_SPANS]);
/* Stops the programs, keeping their maps: a read after it is one instant,
 * counters and tables alike, while the VM may still be running. */
void vp_live_detach(struct vp_live *l);
void vp_live_close(struct vp_live *l);

#endif
