/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The QEMU trace events the profiler relies on, generated at build time from
 * qemu-trace-events/events.catalogue (the one place that lists them).
 */
#ifndef VP_QEMU_EVENTS_H
#define VP_QEMU_EVENTS_H

#include <stdbool.h>
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
/* Argument i (0-based) is a C string: trace backends record its text. */
bool vp_qemu_event_arg_is_string(const struct vp_qemu_event *e, int i);
/* Argument i's name as declared (what LTTng-UST names its payload field),
 * into buf; false: no such argument, or it does not fit. */
bool vp_qemu_event_arg_name(const struct vp_qemu_event *e, int i, char *buf, size_t len);
/* The event is a device's work (a command, request, completion, DMA, kick
 * processed, exit, drop) rather than a register access or an interrupt,
 * which are counted on their own: its count is reported as is. */
bool vp_qemu_event_counted(const struct vp_qemu_event *e);
/* Which argument names the object such an event is counted apart for
 * (a VirtIODevice, an exit reason): 1-based, 0 for none. */
unsigned int vp_qemu_event_object_arg(const struct vp_qemu_event *e);
/* That object is a VirtIODevice, named through the device's own events. */
bool vp_qemu_event_names_vdev(const struct vp_qemu_event *e);

#endif
