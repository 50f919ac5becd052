/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The QEMU trace events the profiler relies on, generated at build time from
 * qemu-trace-events/events.catalogue (the one place that lists them).
 */
#ifndef VP_QEMU_EVENTS_H
#define VP_QEMU_EVENTS_H

#include <stddef.h>

struct vp_qemu_event {
	const char *device; /* "ide", "virtio-blk", "vmexit-stopwatch", ... */
	const char *role;   /* "access", "notify", "irq", ... */
	const char *name;   /* trace event, also the USDT probe name (provider qemu) */
	const char *args;   /* as declared in the pinned QEMU source */
};

extern const struct vp_qemu_event vp_qemu_events[];
extern const size_t vp_qemu_events_count;

/* NULL when the catalogue does not list it. */
const struct vp_qemu_event *vp_qemu_event_find(const char *name);
/* Number of arguments the event declares (0 for "void"). */
int vp_qemu_event_nargs(const struct vp_qemu_event *e);

#endif
