/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A recording's events replayed through the kernel programs' own state
 * machine (bpf/vmexit_core.bpf.h, compiled here against tables in
 * memory), so a recording gives what the live profile of the same events
 * gives; and what only individual events can show: the slowest exits, and
 * activity over time.
 */
#ifndef VP_REPLAY_H
#define VP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"
#include "timeline.h"
#include "vmexit.h"

/* One recorded event as the replay takes it (vmexit.h, struct vp_rec_ev). */
struct vp_replay_ev {
	uint8_t type, flags;
	uint32_t tid;
	uint64_t ts;
	uint64_t a[3];
	uint64_t u[VP_REC_RUN_UNION_WORDS]; /* VP_REC_RUN_ENTER with VP_REC_F_RUN */
	uint8_t comm[16];		    /* VP_REC_THREAD */
	char name[VP_REC_NAME_LEN];	    /* VP_REC_QEMU with VP_REC_F_NAME */
};

/* How the kernel programs were set when the events were recorded. */
struct vp_replay_opts {
	uint32_t tgid;	     /* the VM's process */
	int vcpu_filter;     /* -1: all */
	bool count_at_entry; /* no KVM_RUN hook (vmexit_maps.bpf.h) */
	uint32_t stats_entries;
	struct vp_port_span marker_ports[VP_MARKER_SPANS];
	uint64_t start_ns; /* the clock when recording began */
	double interval_s; /* timeline sampling (at least VP_REPLAY_MIN_INTERVAL_S); <= 0: none */
	size_t nslowest;   /* how many of the slowest exits to keep */
};

/* A timeline sample costs a pass over every row: not more often. */
#define VP_REPLAY_MIN_INTERVAL_S 0.05

/* One exit, from kvm_exit to the next kvm_entry of its vCPU (or, where
 * kvm_exit does not fire, from the exit to user space to the next
 * KVM_RUN). */
struct vp_slow_exit {
	uint64_t start_ns; /* since recording began */
	uint64_t total_ns, kern_ns;
	uint32_t tid;
	uint16_t vcpu;
	uint8_t isa;	 /* 0 when the hardware reason is not known */
	uint32_t reason; /* the hardware exit reason */
	bool to_user;	 /* the VMM handled it */
	uint32_t user_reason;
	struct vp_key access; /* kind 0: no device access */
};

struct vp_replay;

/* NULL when out of memory. */
struct vp_replay *vp_replay_new(const struct vp_replay_opts *o);
void vp_replay_free(struct vp_replay *rp);
/* 0, or -ENOMEM. */
int vp_replay_event(struct vp_replay *rp, const struct vp_replay_ev *ev);
/* What the kernel's tables would hold now, as a live read gives it, into
 * r (rows and counters replaced, metadata kept).  0 or -ENOMEM. */
int vp_replay_result(struct vp_replay *rp, struct vp_result *r);
/* The slowest exits seen, slowest first; *n their count. */
const struct vp_slow_exit *vp_replay_slowest(struct vp_replay *rp, size_t *n);
/* Activity per vCPU at each interval of recorded time (opts.interval_s). */
const struct vp_timeline *vp_replay_timeline(struct vp_replay *rp);
/* Events replayed, and the time of the last one (0: none). */
uint64_t vp_replay_events(const struct vp_replay *rp);
uint64_t vp_replay_last_ns(const struct vp_replay *rp);

#endif
