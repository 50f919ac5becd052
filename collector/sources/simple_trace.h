/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * QEMU's `simple` trace backend's files (format 4, QEMU's
 * trace/simple.c): the catalogue's events, in time order, into a trace
 * aggregate; every other event is skipped by its length.
 */
#ifndef VP_SIMPLE_TRACE_H
#define VP_SIMPLE_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "qemu_trace_agg.h"

struct vp_trace_stats {
	uint64_t records;      /* event records read */
	uint64_t used;	       /* of those, catalogue events fed to the aggregate */
	uint64_t unmapped;     /* records of an event id the file never named */
	uint64_t qemu_dropped; /* events QEMU dropped, its buffer full */
	uint64_t first_ns, last_ns;
	uint32_t pid;	      /* the traced QEMU */
	bool reordered;	      /* records were merged by timestamp */
	bool truncated;	      /* the file ends inside a record */
	uint64_t valid_bytes; /* where the last whole record ends */
};

/*
 * Reads the whole file at path.  A truncated file (QEMU killed) gives what
 * is there, st->truncated set.  -EPROTO: not a simple trace, or of another
 * format version (err says which); -errno: unreadable; -ENOMEM.
 */
int vp_simple_trace_read(const char *path, struct vp_qtrace_agg *agg, struct vp_trace_stats *st,
			 char *err, size_t errlen);
/* The same from a buffer (what the fuzzer drives). */
int vp_simple_trace_parse(const uint8_t *buf, size_t len, struct vp_qtrace_agg *agg,
			  struct vp_trace_stats *st, char *err, size_t errlen);

#endif
