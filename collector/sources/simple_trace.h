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
#include "trace_stats.h"

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
