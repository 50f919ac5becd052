/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The recording file: what `vmexit-prof record` wrote, read back.
 *
 *   "VMXPREC\n", u32 version, u32 n, n bytes of JSON header (host, target,
 *   QEMU, clock, how the programs were set), then frames to the end:
 *   u32 "VPFR", u32 raw length, u32 compressed length, u32 CRC-32 of the
 *   raw bytes, the zlib-compressed records.
 *
 * Each frame stands alone (its own zlib stream, deltas restarting), and
 * one is written with one write(2): a recorder killed at any point leaves
 * whole frames and at most one cut short, which the reader reports and
 * stops at.  Integers are little-endian; inside a frame each record is a
 * tag byte, then LEB128 varints:
 *   tag bit 7 clear: an event; bits 0-3 its type (enum vp_rec_type), bits
 *     4-5 its flags, bit 6 "same thread as the record before".  Then the
 *     thread (unless bit 6), the time since the record before (zigzag),
 *     and the type's fields (vp_rec_fields); a thread's record ends with
 *     its 16-byte name, a QEMU object's (VP_REC_QEMU, VP_REC_F_NAME) with its
 *     64-byte one.
 *   tag bit 7 set: the recorder's own record (enum vp_rec_meta), a length
 *     and that many bytes.
 */
#ifndef VP_RECORDING_H
#define VP_RECORDING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "replay.h"
#include "vmexit.h"

#define VP_REC_MAGIC	   "VMXPREC\n"
#define VP_REC_VERSION	   2
#define VP_REC_FRAME_MAGIC 0x52465056u /* "VPFR" */
#define VP_REC_FRAME_MAX   (16u << 20) /* a frame's raw bytes at most */
#define VP_REC_HEADER_MAX  (4u << 20)

enum vp_rec_meta {
	VP_RECM_LOST = 0x80,   /* events the full ring dropped so far, per type (varints) */
	VP_RECM_MEMMAP = 0x81, /* QEMU's memory map: JSON {"mtree": text, "pci": query-pci} */
	VP_RECM_END = 0x82,    /* the recorder stopped: JSON {"duration_s", "ended"} */
	VP_RECM_VDEV = 0x84,   /* a VirtIODevice's type read from QEMU: JSON {"vdev", "name"} */
};

#define VP_REC_TAG_SAME_TID 0x40

/* How many fields (varints) an event of type carries, by its flags. */
int vp_rec_fields(uint8_t type, uint8_t flags);

/* What a reader calls back; any may be NULL.  A callback's non-zero
 * return stops the read and is returned. */
struct vp_rec_reader_cb {
	int (*header)(void *arg, json_t *header);
	int (*event)(void *arg, const struct vp_replay_ev *ev);
	/* VP_RECM_LOST, decoded: the drops so far, by type. */
	int (*lost)(void *arg, const uint64_t lost[VP_REC_NTYPES]);
	/* The other records of the recorder's own, as written. */
	int (*meta)(void *arg, enum vp_rec_meta kind, const uint8_t *data, size_t len);
};

struct vp_rec_read_info {
	uint64_t frames, events;
	bool truncated;	 /* the file ended inside a frame */
	uint64_t end_at; /* the file's bytes that were read whole */
	bool ended;	 /* the recorder's END record was read */
};

/* True when the first bytes of f are a recording's (f is rewound). */
bool vp_rec_is_recording(FILE *f);
/* Reads f from its start.  0 with *info (a cut last frame is not an
 * error: info->truncated); -EINVAL with one line in err for a file that is
 * not a recording, of another version, or damaged before its end;
 * -ENOMEM; a callback's own value. */
int vp_rec_read(FILE *f, const struct vp_rec_reader_cb *cb, void *arg,
		struct vp_rec_read_info *info, char *err, size_t errlen);

/* One frame's records, decompressed (info counts its events): 0,
 * -EINVAL for a malformed record, or a callback's value. */
int vp_rec_decode(const uint8_t *raw, size_t n, const struct vp_rec_reader_cb *cb, void *arg,
		  struct vp_rec_read_info *info);

/* The writer.  Frames are flushed when full and on vp_rec_writer_flush. */
struct vp_rec_writer;
/* Creates path (replacing it) with the header.  NULL with err. */
struct vp_rec_writer *vp_rec_writer_open(const char *path, const json_t *header, char *err,
					 size_t errlen);
/* One ring buffer record (struct vp_rec_ev, vp_rec_run, vp_rec_thread or
 * vp_rec_name). */
int vp_rec_writer_event(struct vp_rec_writer *w, const void *rec, size_t size);
int vp_rec_writer_meta(struct vp_rec_writer *w, enum vp_rec_meta kind, const void *data,
		       size_t len);
/* The ring's drops so far, written when they changed. */
int vp_rec_writer_lost(struct vp_rec_writer *w, const uint64_t lost[VP_REC_NTYPES]);
int vp_rec_writer_flush(struct vp_rec_writer *w);
/* Flushes and closes; 0 or -errno (the file is kept either way).  *bytes
 * (when not NULL): the file's size. */
int vp_rec_writer_close(struct vp_rec_writer *w, uint64_t *bytes);
uint64_t vp_rec_writer_events(const struct vp_rec_writer *w);

#endif
