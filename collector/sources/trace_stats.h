/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What reading a QEMU trace found besides the events it fed to the trace
 * aggregate: what the result document says of its source, whichever
 * backend wrote it.
 */
#ifndef VP_TRACE_STATS_H
#define VP_TRACE_STATS_H

#include <stdbool.h>
#include <stdint.h>

enum vp_trace_kind {
	VP_TRACE_SIMPLE, /* QEMU's simple backend: one file */
	VP_TRACE_UST,	 /* LTTng-UST: a CTF trace directory */
};

#define VP_TRACE_OTHER_PIDS 8

struct vp_trace_stats {
	enum vp_trace_kind kind;
	uint64_t records;     /* event records read */
	uint64_t used;	      /* of those, catalogue events fed to the aggregate */
	uint64_t unmapped;    /* records of an event id the file never named */
	uint64_t dropped;     /* events the tracer lost, its buffers full */
	bool dropped_unknown; /* it lost some and did not say how many */
	uint64_t first_ns, last_ns;
	uint32_t pid; /* the traced QEMU */
	/* Events of other processes in the same trace, left out. */
	uint64_t other_events;
	uint32_t other_pids[VP_TRACE_OTHER_PIDS];
	unsigned int nother_pids; /* may exceed VP_TRACE_OTHER_PIDS */
	unsigned int traces;	  /* CTF traces read */
	bool reordered;		  /* records were merged by timestamp */
	bool truncated;		  /* the file ends inside a record */
	uint64_t valid_bytes;	  /* where the last whole record ends */
};

#endif
