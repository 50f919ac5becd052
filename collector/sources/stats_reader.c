// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "stats_reader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Per-CPU values are laid out at 8-byte strides. */
#define PERCPU_STRIDE(sz) (((sz) + 7) & ~(size_t)7)

static int read_counters(int fd, int ncpus, struct vp_result *r)
{
	uint64_t *vals = calloc(ncpus, sizeof(*vals));

	if (!vals)
		return -ENOMEM;
	for (uint32_t c = 0; c < VP_C_MAX; c++) {
		if (bpf_map_lookup_elem(fd, &c, vals)) {
			free(vals);
			return -errno;
		}
		for (int cpu = 0; cpu < ncpus; cpu++)
			r->counters[c] += vals[cpu];
	}
	free(vals);
	return 0;
}

/* One row per kind that had to fold events (vp_key_folded). */
static int read_overflow(int fd, int ncpus, char *vals, size_t stride, struct vp_result *r)
{
	for (uint32_t kind = 1; kind < VP_K_NKINDS; kind++) {
		struct vp_key key = vp_key_folded((enum vp_key_kind)kind);
		struct vp_stat sum;
		int err;

		if (bpf_map_lookup_elem(fd, &kind, vals))
			return -errno;
		memset(&sum, 0, sizeof(sum));
		for (int cpu = 0; cpu < ncpus; cpu++)
			vp_stat_merge(&sum, (const struct vp_stat *)(vals + cpu * stride));
		if (!sum.count && !sum.user_count && !sum.kern_count)
			continue;
		err = vp_result_append(r, &key, &sum);
		if (err)
			return err;
	}
	return 0;
}

/* Sums one key's per-CPU values (vals) into *sum; false: no row for it. */
typedef bool (*sum_fn)(const char *vals, int ncpus, size_t stride, const void *arg,
		       struct vp_stat *sum);

static bool sum_stats(const char *vals, int ncpus, size_t stride, const void *arg,
		      struct vp_stat *sum)
{
	(void)arg;
	for (int cpu = 0; cpu < ncpus; cpu++)
		vp_stat_merge(sum, (const struct vp_stat *)(vals + cpu * stride));
	return true;
}

/* Only the copies at the current epoch: the others hold the firmware's. */
static bool sum_guest(const char *vals, int ncpus, size_t stride, const void *arg,
		      struct vp_stat *sum)
{
	uint64_t epoch = *(const uint64_t *)arg;

	for (int cpu = 0; cpu < ncpus; cpu++) {
		const struct vp_guest_stat *g = (const struct vp_guest_stat *)(vals + cpu * stride);

		if (g->epoch != epoch)
			continue;
		sum->count += g->count;
		sum->user_count += g->user_count;
		sum->user_ns += g->user_ns;
		sum->kern_count += g->kern_count;
		sum->kern_ns += g->kern_ns;
	}
	return sum->count || sum->user_count || sum->kern_count;
}

/* One row per key of the per-CPU hash fd, its values summed by sum;
 * vals holds ncpus values of stride bytes.  Two system calls a key: for
 * kernels without batched lookups. */
static int read_hash_by_key(int fd, int ncpus, char *vals, size_t stride, sum_fn sum,
			    const void *arg, struct vp_result *r)
{
	struct vp_key key, next;
	struct vp_key *prev = NULL;
	int err = 0;

	while (!err && bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct vp_stat st;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue; /* removed meanwhile: the maps are never pruned, so only on teardown */
		memset(&st, 0, sizeof(st));
		if (sum(vals, ncpus, stride, arg, &st))
			err = vp_result_append(r, &key, &st);
	}
	return err;
}

/* Keys read by one batched lookup: a read of a full table is tens of
 * system calls instead of two per key. */
#define BATCH_KEYS 1024

/* As read_hash_by_key, BATCH_KEYS keys at a time; -EOPNOTSUPP where the
 * kernel cannot, before anything was added to r. */
static int read_hash_batched(int fd, int ncpus, size_t stride, sum_fn sum, const void *arg,
			     struct vp_result *r)
{
	size_t each = (size_t)ncpus * stride;
	struct vp_key *keys = calloc(BATCH_KEYS, sizeof(*keys));
	char *vals = calloc(BATCH_KEYS, each);
	__u32 token = 0, count;
	bool first = true, last = false;
	int err = keys && vals ? 0 : -ENOMEM;

	while (!err && !last) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		count = BATCH_KEYS;
		if (bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, vals, &count,
					 &opts)) {
			err = -errno;
			if (err == -ENOENT) {
				err = 0;
				last = true; /* count holds the table's last keys */
			} else if (first &&
				   (err == -EINVAL || err == -ENOTSUP || err == -EOPNOTSUPP)) {
				err = -EOPNOTSUPP;
				break;
			} else {
				break;
			}
		}
		first = false;
		for (__u32 i = 0; !err && i < count; i++) {
			struct vp_stat st;

			memset(&st, 0, sizeof(st));
			if (sum(vals + i * each, ncpus, stride, arg, &st))
				err = vp_result_append(r, &keys[i], &st);
		}
	}
	free(keys);
	free(vals);
	return err;
}

static bool use_batches = true;

void vp_stats_reader_use_batches(bool on)
{
	use_batches = on;
}

static int read_hash(int fd, int ncpus, char *vals, size_t stride, sum_fn sum, const void *arg,
		     struct vp_result *r)
{
	int err = use_batches ? read_hash_batched(fd, ncpus, stride, sum, arg, r) : -EOPNOTSUPP;

	if (err == -EOPNOTSUPP)
		err = read_hash_by_key(fd, ncpus, vals, stride, sum, arg, r);
	return err;
}

/* A buffer for one key's per-CPU values of size bytes each, and how many
 * there are; NULL with *err set when it cannot be had. */
static char *percpu_values(size_t size, int *ncpus, size_t *stride, int *err)
{
	char *vals;

	*ncpus = libbpf_num_possible_cpus();
	*stride = PERCPU_STRIDE(size);
	if (*ncpus <= 0) {
		*err = *ncpus ? *ncpus : -EINVAL;
		return NULL;
	}
	vals = calloc(*ncpus, *stride);
	*err = vals ? 0 : -ENOMEM;
	return vals;
}

int vp_read_maps(int stats_fd, int vcpu_fd, int overflow_fd, int counters_fd, struct vp_result *r)
{
	size_t stride;
	int ncpus, err;
	char *vals = percpu_values(sizeof(struct vp_stat), &ncpus, &stride, &err);

	if (!vals)
		return err;
	vp_result_clear(r);
	err = read_hash(stats_fd, ncpus, vals, stride, sum_stats, NULL, r);
	if (!err)
		err = read_hash(vcpu_fd, 1, vals, stride, sum_stats, NULL, r);
	if (!err && overflow_fd >= 0)
		err = read_overflow(overflow_fd, ncpus, vals, stride, r);
	free(vals);
	if (!err)
		err = read_counters(counters_fd, ncpus, r);
	return err;
}

int vp_read_guest_map(int guest_fd, uint64_t epoch, struct vp_result *r)
{
	size_t stride;
	int ncpus, err;
	char *vals = percpu_values(sizeof(struct vp_guest_stat), &ncpus, &stride, &err);

	if (!vals)
		return err;
	vp_result_clear(r);
	err = read_hash(guest_fd, ncpus, vals, stride, sum_guest, &epoch, r);
	free(vals);
	return err;
}

int vp_read_threads(int threads_fd, int vcpu_filter, bool host_wide, bool count_at_entry,
		    struct vp_result *r)
{
	__u32 key, next, *prev = NULL;
	struct vp_result held;
	struct vp_thread t;
	int err = 0;

	/* Gathered apart, then merged in one pass: a refresh must not search
	 * the tables' thousands of rows once per row a thread holds. */
	vp_result_init(&held);
	while (!err && !bpf_map_get_next_key(threads_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(threads_fd, &key, &t))
			continue; /* the thread's entry went away meanwhile */
		err = vp_result_add_thread(&held, &t, vcpu_filter, host_wide, count_at_entry);
	}
	if (!err)
		err = vp_result_merge(r, &held);
	vp_result_free(&held);
	return err;
}
