/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * QEMU's trace events, one at a time, into the counts its USDT probes keep
 * in the kernel (qemu_counts.h): the same regions, joins, interrupts and
 * device events, by the same rules (bpf/qemu_usdt.bpf.c), so a trace file
 * and a live profile give one result.  What a trace cannot tell is left
 * out: a trace has no struct kvm_run to join an exit's port or address to
 * the region QEMU dispatched it to, and it names the process, not the
 * thread, so "the region this thread wrote last" is the process's.
 */
#ifndef VP_QEMU_TRACE_AGG_H
#define VP_QEMU_TRACE_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "qemu_counts.h"
#include "qemu_events.h"

/* One argument as a trace backend records it: a number, or a string (s
 * not NULL, slen bytes, not NUL-terminated). */
struct vp_trace_arg {
	uint64_t v;
	const char *s;
	size_t slen;
};

#define VP_TRACE_MAX_ARGS 10

struct vp_qtrace_agg;

struct vp_qtrace_agg *vp_qtrace_agg_new(void);
/* args as e declares them; fewer than it declares: the event is ignored.
 * Returns 0 or -ENOMEM (the event is then counted as dropped). */
int vp_qtrace_feed(struct vp_qtrace_agg *a, const struct vp_qemu_event *e,
		   const struct vp_trace_arg *args, int nargs);
/* The counts so far, as the USDT source gives them; free with
 * vp_usdt_counts_free.  0 or -ENOMEM. */
int vp_qtrace_counts(const struct vp_qtrace_agg *a, struct vp_usdt_counts *out);
/* vCPUs seen dispatching an access (QEMU's cpu_index + 1 of the highest). */
int vp_qtrace_vcpus(const struct vp_qtrace_agg *a);
void vp_qtrace_agg_free(struct vp_qtrace_agg *a);

#endif
