/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A recording's QEMU probe events (VP_REC_QEMU) counted
 * by the probes' own code (bpf/qemu_usdt_core.bpf.h, compiled here against
 * tables in memory as big as the kernel's), so a recording gives the
 * counts and joins the live profile would have read.
 */
#ifndef VP_USDT_REPLAY_H
#define VP_USDT_REPLAY_H

#include <stdint.h>

#include "qemu_counts.h"
#include "replay.h"

struct vp_usdt_replay;

/* NULL when out of memory. */
struct vp_usdt_replay *vp_usdt_replay_new(void);
void vp_usdt_replay_free(struct vp_usdt_replay *ur);
/* One probe event (other types are ignored): 0, or -ENOMEM. */
int vp_usdt_replay_event(struct vp_usdt_replay *ur, const struct vp_replay_ev *ev);
/* A VirtIODevice's type as the recorder read it from QEMU's memory. */
int vp_usdt_replay_vdev(struct vp_usdt_replay *ur, uint64_t vdev, const char *name);
/* What the tables hold now.  0, or -ENOMEM. */
int vp_usdt_replay_counts(struct vp_usdt_replay *ur, struct vp_usdt_counts *c);
uint64_t vp_usdt_replay_events(const struct vp_usdt_replay *ur);

#endif
