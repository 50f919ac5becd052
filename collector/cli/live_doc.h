/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The result document of one VM profiled live, by --pid or --all. */
#ifndef VP_LIVE_DOC_H
#define VP_LIVE_DOC_H

#include <jansson.h>
#include <stdbool.h>

#include "attr_sources.h"
#include "result.h"
#include "target.h"
#include "timeline.h"
#include "vmexit_source.h"

struct vp_live_parts {
	const struct vp_target *target;
	bool kvm;		    /* the kernel programs saw it; else QEMU's probes alone */
	const struct vp_live *live; /* the kernel programs (kvm only) */
	const struct vp_attr_sources *src;
	const struct vp_result *res; /* its rows and the counters */
	const struct vp_timeline *tl;
	const char *version; /* QEMU's */
	const char *note;    /* one more fact for the reader, or NULL */
	/* A recording read back: its source name, the recording host's facts
	 * (NULL: this host's), the events its ring buffer dropped, and its
	 * slowest exits. */
	const char *source;
	const json_t *host;
	uint64_t dropped;
	const struct vp_slow_exit *slow;
	size_t nslow;
	const char *notes[4];
	size_t nnotes;
};

/* The result's facts of the VM, from its process. */
void vp_live_meta(struct vp_meta *m, const struct vp_target *t);
/* 0 when a file can be made at path (it is not left there), else -errno:
 * checked before anything is attached, not found out at the end. */
int vp_check_writable(const char *path);
/* The checks a command attached to one VMM makes before loading
 * anything, in the order a user fixes them: process pid exists, this host
 * can run the programs, each of the n outputs not NULL can be written, and vcpu (>= 0) is one of its vCPUs.  0 when pid is a KVM VM
 * (t filled), -ENOTTY when it holds none (the caller says what that
 * means for it), -1 when a line was printed. */
int vp_check_live_target(int pid, int vcpu, const char *const outputs[], size_t n,
			 struct vp_target *t);
/* NULL when out of memory. */
json_t *vp_live_doc(const struct vp_live_parts *p);
/* Notes on stderr of what the kernel programs could not do as they would
 * have liked: tracepoints missing, tp_btf or fentry refused. */
void vp_live_tell(const struct vp_live *l);

#endif
