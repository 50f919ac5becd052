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

/* Adds to r what each thread of the threads map holds
 * (vp_result_add_thread): after vp_read_maps, so the rows the threads
 * hold join the tables' rows. */
int vp_read_threads(int threads_fd, int vcpu_filter, bool host_wide, bool count_at_entry,
		    struct vp_result *r);

#endif
