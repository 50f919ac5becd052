/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Attribution source 1: QEMU's USDT probes memory_region_ops_read
 * and _write, attached to one running QEMU.  Counts register accesses per
 * QEMU MemoryRegion, named as QEMU names it (bpf/qemu_usdt_core.bpf.h),
 * or records each probe's event for a recording's replay.  On failure nothing stays
 * attached or loaded.
 */
#ifndef VP_QEMU_USDT_SOURCE_H
#define VP_QEMU_USDT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qemu_counts.h"
#include "usdt_tables.h"

struct qemu_usdt;
struct bpf_link;
struct vp_qemu_event;
struct vp_target;

#define VP_USDT_MAX_EVENT_LINKS 48

struct vp_usdt {
	struct qemu_usdt *skel;
	int pid;
	struct bpf_link *event_links[VP_USDT_MAX_EVENT_LINKS];
	size_t nevent_links;
	/* Optional probes this QEMU lacks (a build without the stopwatch, or
	 * without KVM): those joins and interrupts are not counted. */
	char missing[256];
};

int vp_usdt_open(struct vp_usdt *u, int pid, bool verbose, char *err, size_t errlen);
/* The same probes, each event into a recorder's ring buffer instead of
 * counted: the kernel programs' (ring_fd, with its drop counts lost_fd:
 * vmexit_source.h), or with ring_fd < 0 their own of ring_bytes (a QEMU
 * without KVM, where the probes are the only source). */
int vp_usdt_open_recording(struct vp_usdt *u, int pid, bool verbose, int ring_fd, int lost_fd,
			   size_t ring_bytes, char *err, size_t errlen);
/* The ring the probes record into, and its drop counts. */
int vp_usdt_events_fd(const struct vp_usdt *u);
int vp_usdt_rec_lost_fd(const struct vp_usdt *u);
/* Nothing more is recorded or counted; the maps stay readable. */
void vp_usdt_detach(struct vp_usdt *u);
/* Where each vCPU of t has its struct kvm_run mapped, so exits can be
 * joined to regions (KVM only; vCPUs can be hot-plugged: call again). */
void vp_usdt_set_vcpu_runs(struct vp_usdt *u, const struct vp_target *t);
int vp_usdt_read(struct vp_usdt *u, struct vp_usdt_counts *c);
/* The same from the probes' tables however loaded (the kernel-side tests'
 * synthetic probes): their fds and counters; pid names VirtIODevices
 * from QEMU's memory (0: not). */
struct vp_usdt_maps {
	int fd[VP_UT_NTABLES];
	int pid;
	uint64_t mark_epoch, dropped_counts, dropped_names;
};
int vp_usdt_read_maps(const struct vp_usdt_maps *m, struct vp_usdt_counts *c);
/* The tables and counters of skeleton s, built on bpf/qemu_usdt_maps.bpf.h. */
#define VP_USDT_MAPS_OF(s, pid_)                                                                   \
	((struct vp_usdt_maps){                                                                    \
		.fd = { [VP_UT_MR_COUNTS] = bpf_map__fd((s)->maps.mr_counts),                      \
			[VP_UT_MR_NAMES] = bpf_map__fd((s)->maps.mr_names),                        \
			[VP_UT_ACCESS_MR] = bpf_map__fd((s)->maps.access_mr),                      \
			[VP_UT_IRQ_COUNTS] = bpf_map__fd((s)->maps.irq_counts),                    \
			[VP_UT_EVENT_COUNTS] = bpf_map__fd((s)->maps.event_counts),                \
			[VP_UT_VDEV_TYPE] = bpf_map__fd((s)->maps.vdev_type),                      \
			[VP_UT_VDEV_MR] = bpf_map__fd((s)->maps.vdev_mr) },                        \
		.pid = (pid_),                                                                     \
		.mark_epoch = (s)->bss->mark_epoch,                                                \
		.dropped_counts = (s)->bss->dropped_counts,                                        \
		.dropped_names = (s)->bss->dropped_names })
/* The kernel memory u's maps lock (bpf_memory.h). */
uint64_t vp_usdt_map_bytes(const struct vp_usdt *u);
void vp_usdt_close(struct vp_usdt *u);

#endif
