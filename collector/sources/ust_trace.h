/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * QEMU's LTTng-UST events, as an LTTng session wrote them (CTF), read
 * through libbabeltrace2: every CTF trace under a directory, merged in
 * time order, the catalogue's events (qemu:NAME) into a trace aggregate.
 */
#ifndef VP_UST_TRACE_H
#define VP_UST_TRACE_H

#include <stddef.h>

#include "qemu_trace_agg.h"
#include "trace_stats.h"

/*
 * Reads every CTF trace under dir (each directory holding a `metadata`
 * file).  Events of the first QEMU process to emit a catalogue event are
 * fed; other processes' are counted in st->other_*.  -ENOENT: no CTF trace
 * under dir; -EPROTO: one babeltrace2 cannot read, or no event of QEMU's
 * in any (err says which); -errno: unreadable; -ENOMEM.
 */
int vp_ust_trace_read(const char *dir, struct vp_qtrace_agg *agg, struct vp_trace_stats *st,
		      char *err, size_t errlen);

#endif
