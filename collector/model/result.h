/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one in-memory result every source produces and every report reads:
 * aggregate rows keyed like the kernel maps, plus run metadata.
 */
#ifndef VP_RESULT_H
#define VP_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "vmexit.h"

struct vp_row {
	struct vp_key key;
	struct vp_stat st;
};

struct vp_meta {
	int pid;
	char vmm_comm[32];
	char vmm_exe[256];
	char vm_name[128]; /* QEMU's -name; "" when none */
	char vm_uuid[40];  /* QEMU's -uuid; "" when none */
	double duration_s;
	bool target_exited;
	int nr_vcpus; /* vCPU fds found in the target */
};

struct vp_result {
	struct vp_row *rows;
	size_t nrows;
	size_t cap;
	uint64_t counters[VP_C_MAX];
	struct vp_meta meta;
};

void vp_result_init(struct vp_result *r);
void vp_result_free(struct vp_result *r);
/* Makes dst a copy of src's rows, counters and metadata. */
int vp_result_copy(struct vp_result *dst, const struct vp_result *src);
/* Drop the rows and counters, keep the metadata. */
void vp_result_clear(struct vp_result *r);
/* Adds a row, merging into an existing row with the same key. */
int vp_result_add(struct vp_result *r, const struct vp_key *key, const struct vp_stat *st);
/* Adds a row whose key is known to be new (keys read from one map are unique). */
int vp_result_append(struct vp_result *r, const struct vp_key *key, const struct vp_stat *st);
const struct vp_row *vp_result_find(const struct vp_result *r, const struct vp_key *key);
/* Adds every row of src to dst as vp_result_add would, in one pass over
 * dst's rows (src's keys unique, as vp_result_add leaves them); counters
 * and metadata are dst's.  0 or -ENOMEM. */
int vp_result_merge(struct vp_result *dst, const struct vp_result *src);

/*
 * Rows of one kind, most costly first (time spent, then count).  Returns the
 * number of rows; *out is allocated and owned by the caller.
 */
size_t vp_result_select(const struct vp_result *r, enum vp_key_kind kind,
			const struct vp_row ***out);
uint64_t vp_result_total_count(const struct vp_result *r, enum vp_key_kind kind);

/* Gives the rows whose vCPU could not be told (a thread seen before its
 * first KVM_RUN) to vcpu, merging them into its own: for a VMM with one
 * vCPU, whose every exit is that vCPU's. */
void vp_result_resolve_vcpu(struct vp_result *r, uint16_t vcpu);
/* A host-wide result's rows of one VM (its keys' vm), as a profile of
 * that VM alone has them, into out (cleared first); its event counters are
 * those of its rows, what did not fit (VP_C_STATS_FULL and after) the
 * host's.  0 or -ENOMEM. */
int vp_result_of_vm(const struct vp_result *all, uint32_t vm, struct vp_result *out);

/* Adds what one thread of the kernel's threads map holds (struct
 * vp_thread): the rows it holds before the tables (vp_held), and for
 * programs loaded with count_at_entry what it holds open: its exit not
 * yet followed by kvm_entry, its return to the VMM not yet ended, its
 * access not yet counted (counts only).  A thread of a vCPU other than
 * vcpu_filter (>= 0) adds nothing, as the kernel counts nothing of it;
 * host_wide keys it by its VM.  0 or -ENOMEM. */
int vp_result_add_thread(struct vp_result *r, const struct vp_thread *t, int vcpu_filter,
			 bool host_wide, bool count_at_entry);

/* True when kvm_exit/kvm_entry fired, so in-kernel handling time exists. */
bool vp_result_has_exit_events(const struct vp_result *r);

/* One vCPU's totals: exits to user space, exits handled in the kernel and
 * KVM_RUN calls, with their time. */
struct vp_vcpu_sum {
	uint16_t vcpu; /* VP_VCPU_UNKNOWN when it could not be told */
	uint64_t user, user_ns, kern, kern_ns, runs, run_ns;
};

/* r's rows summed per vCPU, by vCPU.  Returns the count; *out is allocated
 * (NULL when there is none, or no memory: then 0). */
size_t vp_result_vcpu_sums(const struct vp_result *r, struct vp_vcpu_sum **out);

/* The key of kind's folded row: the events whose own key did not fit in
 * the kernel's table.  It equals no key the kernel makes and attributes to
 * no device; its vCPU is untold for the per-vCPU kinds. */
struct vp_key vp_key_folded(enum vp_key_kind kind);

void vp_stat_merge(struct vp_stat *dst, const struct vp_stat *src);
uint64_t vp_stat_samples(const struct vp_stat *s);
/* The key's own latency: its user time or kernel time, whichever it records. */
uint64_t vp_stat_total_ns(const struct vp_stat *s);
/* Percentile (0 < p <= 100) in ns from the log2 histogram, clamped to min/max. */
uint64_t vp_stat_percentile(const struct vp_stat *s, double p);

#endif
