/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VP_STATS_READER_H
#define VP_STATS_READER_H

#include <stdbool.h>

#include "result.h"

/*
 * Replaces r's rows and counters with the current contents of the kernel
 * maps, summed over CPUs.  The maps are only read, never drained, so no
 * event arriving during the read is lost.
 */
/* stats_fd: the per-CPU hash; vcpu_fd: the plain hash of the vCPUs' own
 * keys (vmexit.h); overflow_fd: the per-kind array of folded events
 * (stats_overflow), read as one VP_KEY_FOLDED row per kind that has any;
 * -1 for none. */
int vp_read_maps(int stats_fd, int vcpu_fd, int overflow_fd, int counters_fd, struct vp_result *r);

/* Replaces r's rows with the device keys' parts after the firmware (the
 * guest_stats map), of the per-CPU copies at `epoch` (fw_epoch now). */
int vp_read_guest_map(int guest_fd, uint64_t epoch, struct vp_result *r);

/* Batched lookups where the kernel has them (the default), else two
 * system calls a key; the benchmark measures both. */
void vp_stats_reader_use_batches(bool on);

/* Adds to r what the threads map holds open (struct vp_thread), for
 * programs loaded with count_at_entry: each exit not yet followed by
 * kvm_entry, each return to the VMM not yet ended, each access not yet
 * counted; counts only, their times are not known yet.  Threads of vCPUs
 * other than vcpu_filter (>= 0) are left out, as the kernel leaves them;
 * host_wide keys each by its thread's VM. */
int vp_read_open_exits(int threads_fd, int vcpu_filter, bool host_wide, struct vp_result *r);

#endif
