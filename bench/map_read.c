// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What one refresh's read of the kernel tables costs, against how many
 * values it reads: keys of the per-CPU table times the possible CPUs, plus
 * the vCPUs' own keys once, and the vCPU threads with the rows they hold.
 * The tables are filled as a 64-vCPU VM with 64 devices fills them, then
 * read as the live view reads them, batched and key by key, side by side.
 *
 * usage: map_read [READS]
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monotonic.h"
#include "result.h"
#include "stats_reader.h"
#include "vmexit_synth.skel.h"

#define VCPUS	     64
#define REASONS	     40 /* exit reasons and KVM_EXIT_* a vCPU takes */
#define HOT_ACCESSES 64 /* device registers each vCPU exits for */

static int fill(struct vmexit_synth *skel, int shared, int ncpus)
{
	size_t stride = (sizeof(struct vp_stat) + 7) & ~(size_t)7;
	char *vals = calloc(ncpus, stride);
	struct vp_stat one = {
		.count = 1, .user_count = 1, .user_ns = 1000, .min_ns = 1000, .max_ns = 1000
	};
	int fd = bpf_map__fd(skel->maps.stats), vfd = bpf_map__fd(skel->maps.vcpu_stats);

	if (!vals)
		return -1;
	for (int c = 0; c < ncpus; c++)
		memcpy(vals + c * stride, &one, sizeof(one));
	for (int i = 0; i < shared; i++) {
		struct vp_key k = { .kind = VP_K_PIO,
				    .dir = VP_DIR_WRITE,
				    .size = 1,
				    .vcpu = VP_VCPU_ANY,
				    .addr = (uint64_t)i };

		if (bpf_map_update_elem(fd, &k, vals, BPF_ANY))
			return free(vals), -1;
	}
	for (int v = 0; v < VCPUS; v++)
		for (int i = 0; i < REASONS + HOT_ACCESSES; i++) {
			struct vp_key k = { .kind = i < REASONS ? VP_K_EXIT : VP_K_EXIT_ACCESS,
					    .vcpu = (uint16_t)v,
					    .code = (uint32_t)i,
					    .addr = (uint64_t)i };

			if (bpf_map_update_elem(vfd, &k, &one, BPF_ANY))
				return free(vals), -1;
		}
	free(vals);
	/* Each vCPU thread holds a row per role, of keys of its own. */
	for (__u32 v = 0; v < VCPUS; v++) {
		struct vp_thread t = { .vcpu = (__u16)v, .tgid = 1 };
		__u32 tid = 1000 + v;

		for (int i = 0; i < VP_HELD_N; i++) {
			t.held[i].key = (struct vp_key){ .kind = VP_K_EXIT,
							 .vcpu = (__u16)v,
							 .code = 1000 + (__u32)i };
			t.held[i].st = one;
		}
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.threads), &tid, &t, BPF_ANY))
			return -1;
	}
	return 0;
}

/* Seconds per read of the tables into r. */
static double time_reads(struct vmexit_synth *skel, int reads, struct vp_result *r)
{
	double start = vp_now_s();

	for (int i = 0; i < reads; i++)
		if (vp_read_maps(bpf_map__fd(skel->maps.stats), bpf_map__fd(skel->maps.vcpu_stats),
				 bpf_map__fd(skel->maps.stats_overflow),
				 bpf_map__fd(skel->maps.counters), r) ||
		    vp_read_threads(bpf_map__fd(skel->maps.threads), -1, false, true, r))
			return -1;
	return (vp_now_s() - start) / reads;
}

int main(int argc, char **argv)
{
	int reads = argc > 1 ? atoi(argv[1]) : 20, ncpus = libbpf_num_possible_cpus();
	const int sizes[] = { 1024, 4096, VP_MAX_STATS };

	if (reads <= 0 || ncpus <= 0) {
		fprintf(stderr, "usage: map_read [READS > 0]\n");
		return 2;
	}
	printf("map reads, %d possible CPUs, %d vCPUs x %d own keys, %d rows held by each vCPU "
	       "thread, %d reads each\n",
	       ncpus, VCPUS, REASONS + HOT_ACCESSES, VP_HELD_N, reads);
	printf("%12s %14s %12s %12s %12s %8s\n", "shared keys", "values read", "batched", "by key",
	       "ns/value", "ratio");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct vmexit_synth *skel = vmexit_synth__open_and_load();
		struct vp_result r;
		double batched, by_key;
		long values = (long)sizes[s] * ncpus + VCPUS * (REASONS + HOT_ACCESSES + VP_HELD_N);

		if (!skel || fill(skel, sizes[s], ncpus)) {
			fprintf(stderr, "map_read: cannot load or fill the tables (root?)\n");
			vmexit_synth__destroy(skel);
			return 1;
		}
		vp_result_init(&r);
		vp_stats_reader_use_batches(true);
		batched = time_reads(skel, reads, &r);
		vp_stats_reader_use_batches(false);
		by_key = time_reads(skel, reads, &r);
		if (batched < 0 || by_key < 0 ||
		    r.nrows != (size_t)(sizes[s] + VCPUS * (REASONS + HOT_ACCESSES + VP_HELD_N))) {
			fprintf(stderr, "map_read: the read failed or lost keys (%zu rows)\n",
				r.nrows);
			return 1;
		}
		printf("%12d %14ld %10.2fms %10.2fms %12.1f %7.2fx\n", sizes[s], values,
		       batched * 1e3, by_key * 1e3, batched * 1e9 / values, by_key / batched);
		vp_result_free(&r);
		vmexit_synth__destroy(skel);
	}
	return 0;
}
