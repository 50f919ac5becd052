/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A recording read whole and replayed: its header, the events through the
 * kernel's state machine (replay.h), QEMU's probe events through the
 * probes' own (usdt_replay.h), the drops, QEMU's last map and the
 * recorder's end as it wrote them.
 */
#ifndef VP_RECORDING_LOAD_H
#define VP_RECORDING_LOAD_H

#include <jansson.h>
#include <stdio.h>

#include "recording.h"
#include "replay.h"
#include "usdt_replay.h"

/* How many of the slowest exits the replay keeps. */
#define VP_RECORDING_SLOWEST 25

struct vp_recording {
	json_t *header;
	struct vp_replay *rp;
	struct vp_replay_opts ro;
	uint64_t lost[VP_REC_NTYPES]; /* the recorder's ring buffer's drops, by type */
	json_t *memmap;		      /* QEMU's last map recorded, or NULL */
	json_t *end;		      /* the recorder's END record; NULL when it was cut off */
	struct vp_usdt_replay *usdt;  /* QEMU's probe events, replayed */
	struct vp_rec_read_info info;
};

/* 0, or -errno with one line in err (not a recording, another version,
 * damaged before its end, out of memory); a recording cut short is read
 * up to the cut (rec->info). */
int vp_recording_load(FILE *f, struct vp_recording *rec, char *err, size_t errlen);
void vp_recording_free(struct vp_recording *rec);

#endif
