/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The result document of a QEMU trace file: what QEMU's own events say of
 * the devices, as a live profile of the same QEMU through its probes
 * would say it, whichever of QEMU's trace backends wrote it.  Neither root
 * nor BPF is needed.
 */
#ifndef VP_QEMU_TRACE_DOC_H
#define VP_QEMU_TRACE_DOC_H

#include <jansson.h>
#include <stdio.h>

#include "qemu_trace_agg.h"
#include "trace_stats.h"

/* The trace at path: a directory is an LTTng session's output (LTTng-UST),
 * a file QEMU's simple trace.  NULL with one line in err (no trace, or not
 * QEMU's, or of another format version, unreadable, out of memory). */
json_t *vp_qemu_trace_doc(const char *path, char *err, size_t errlen);
/* The document of what any backend's reader fed agg, st its summary (path
 * names the trace in it).  NULL with err: out of memory. */
json_t *vp_trace_doc(const char *path, const struct vp_trace_stats *st,
		     const struct vp_qtrace_agg *agg, char *err, size_t errlen);
/* The catalogue's event names, one per line: a -trace events= file. */
void vp_print_trace_events(FILE *out);

#endif
