/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The result document of a QEMU trace file: what QEMU's own events say of
 * the devices, as a live profile of the same QEMU through its probes
 * would say it.  Neither root nor BPF is needed.
 */
#ifndef VP_QEMU_TRACE_DOC_H
#define VP_QEMU_TRACE_DOC_H

#include <jansson.h>
#include <stdio.h>

/* NULL with one line in err (a file that is no simple trace, or of another
 * format version, unreadable, out of memory). */
json_t *vp_qemu_trace_doc(const char *path, char *err, size_t errlen);
/* The catalogue's event names, one per line: a -trace events= file. */
void vp_print_trace_events(FILE *out);

#endif
