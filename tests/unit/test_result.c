// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for collector/model/result.c: percentiles from the log2 histogram,
 * merging per-CPU aggregates, and the row table every report reads.
 */
#include <inttypes.h>
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "result.h"
#include "vp_test_util.h"

static void sample(struct vp_stat *s, uint64_t ns)
{
	vp_test_samples(s, ns, 1, false);
}

/* 90 exits of 1000 ns and 10 of 1 ms */
static void bimodal(struct vp_stat *s)
{
	vp_test_samples(s, 1000, 90, false);
	vp_test_samples(s, 1000000, 10, false);
}

static void test_percentile_empty(void **state)
{
	struct vp_stat s = { 0 };

	(void)state;
	assert_int_equal(vp_stat_percentile(&s, 50), 0);
	assert_int_equal(vp_stat_percentile(&s, 100), 0);
	/* counted but never timed (a CPUID row): still no latency */
	s.count = 12;
	assert_int_equal(vp_stat_percentile(&s, 50), 0);
	assert_int_equal(vp_stat_percentile(&s, 99), 0);
}

static void test_percentile_single_sample(void **state)
{
	static const uint64_t values[] = { 1, 3, 1000, 1500, 3000, 1000000, 5000000000ULL };
	static const double ps[] = { 0.1, 1, 50, 90, 99, 99.9, 100 };

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct vp_stat s = { 0 };

		sample(&s, values[i]);
		/* one sample: min == max, so every percentile is that sample */
		for (size_t j = 0; j < sizeof(ps) / sizeof(ps[0]); j++)
			if (vp_stat_percentile(&s, ps[j]) != values[i])
				fail_msg("p%g of a single %" PRIu64 " ns sample is %" PRIu64, ps[j],
					 values[i], vp_stat_percentile(&s, ps[j]));
	}
}

static void test_percentile_bimodal(void **state)
{
	struct vp_stat s = { 0 };

	(void)state;
	bimodal(&s);
	/* p100 is the slowest sample, not the top of its bucket (2^20) */
	assert_int_equal(vp_stat_percentile(&s, 100), 1000000);
	/* the 50th sample is 1000 ns: bucket [512, 1024), clamped to min 1000 */
	assert_in_range(vp_stat_percentile(&s, 50), 1000, 1023);
	/* the 99th is 1 ms: bucket [2^19, 2^20), and never above the max */
	assert_in_range(vp_stat_percentile(&s, 99), 1 << 19, 1000000);
	/* p90 is still a fast sample, p91 already a slow one */
	assert_true(vp_stat_percentile(&s, 90) < (1 << 19));
	assert_true(vp_stat_percentile(&s, 91) >= (1 << 19));
}

static void check_monotonic(const struct vp_stat *s)
{
	uint64_t prev = 0;

	for (double p = 0.5; p <= 100.0; p += 0.5) {
		uint64_t v = vp_stat_percentile(s, p);

		if (v < prev)
			fail_msg("p%g = %" PRIu64 " < %" PRIu64 " of the previous step", p, v,
				 prev);
		assert_in_range(v, s->min_ns, s->max_ns);
		prev = v;
	}
}

static void test_percentile_monotonic(void **state)
{
	struct vp_stat a = { 0 }, b = { 0 };

	(void)state;
	bimodal(&a);
	check_monotonic(&a);

	/* spread over many buckets, including slot 0 and the open last slot */
	for (uint64_t ns = 1; ns < (1ULL << 34); ns = ns * 3 + 1)
		sample(&b, ns);
	check_monotonic(&b);
}

static void test_stat_merge(void **state)
{
	struct vp_stat a = { 0 }, b = { 0 }, empty = { 0 }, m;

	(void)state;
	sample(&a, 10);
	sample(&a, 200);
	vp_test_samples(&a, 150, 2, true);
	sample(&b, 5);
	sample(&b, 100);
	sample(&b, 150);

	m = a;
	vp_stat_merge(&m, &b);
	assert_int_equal(m.count, 7);
	assert_int_equal(m.user_count, 2);
	assert_int_equal(m.user_ns, 300);
	assert_int_equal(m.kern_count, 5);
	assert_int_equal(m.kern_ns, 10 + 200 + 5 + 100 + 150);
	assert_int_equal(m.min_ns, 5);
	assert_int_equal(m.max_ns, 200);
	for (int i = 0; i < VP_HIST_SLOTS; i++)
		assert_int_equal(m.slots[i], a.slots[i] + b.slots[i]);
	assert_int_equal(vp_stat_samples(&m), 7);

	/* a larger min does not replace a smaller one */
	m = b;
	vp_stat_merge(&m, &a);
	assert_int_equal(m.min_ns, 5);
	assert_int_equal(m.max_ns, 200);

	/* an empty side (min 0 = no sample) never drags the min to 0 */
	m = a;
	vp_stat_merge(&m, &empty);
	assert_memory_equal(&m, &a, sizeof(m));
	m = empty;
	vp_stat_merge(&m, &a);
	assert_memory_equal(&m, &a, sizeof(m));
}

static struct vp_key key(uint8_t kind, uint32_t code, uint16_t vcpu)
{
	return (struct vp_key){ .kind = kind, .code = code, .vcpu = vcpu };
}

static void test_add_merges_same_key(void **state)
{
	struct vp_result r;
	const struct vp_key base = {
		.kind = VP_K_PIO, .dir = VP_DIR_WRITE, .size = 1, .vcpu = VP_VCPU_ANY, .addr = 0x3f8
	};
	struct vp_key k[8];
	struct vp_stat s1 = { 0 }, s2 = { 0 };
	const struct vp_row *row;

	(void)state;
	for (int i = 0; i < 8; i++)
		k[i] = base;
	/* each field of the key tells rows apart */
	k[1].kind = VP_K_MMIO;
	k[2].dir = VP_DIR_READ;
	k[3].isa = 2;
	k[4].size = 2;
	k[5].vcpu = 0;
	k[6].code = 7;
	k[7].addr = 0x3f9;
	sample(&s1, 100);
	sample(&s2, 40);
	sample(&s2, 900);

	vp_result_init(&r);
	for (int i = 0; i < 8; i++)
		assert_int_equal(vp_result_add(&r, &k[i], &s1), 0);
	assert_int_equal(r.nrows, 8);
	assert_int_equal(vp_result_add(&r, &base, &s2), 0);
	assert_int_equal(r.nrows, 8);

	row = vp_result_find(&r, &base);
	assert_non_null(row);
	assert_int_equal(row->st.count, 3);
	assert_int_equal(row->st.min_ns, 40);
	assert_int_equal(row->st.max_ns, 900);
	for (int i = 1; i < 8; i++) {
		row = vp_result_find(&r, &k[i]);
		assert_non_null(row);
		assert_int_equal(row->st.count, 1);
	}
	vp_result_free(&r);
}

static void test_add_many_rows(void **state)
{
	struct vp_result r;
	struct vp_stat s = { .count = 1 };

	(void)state;
	vp_result_init(&r);
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < 300; i++) {
			struct vp_key k = key(VP_K_CPUID, i, 0);

			assert_int_equal(vp_result_add(&r, &k, &s), 0);
		}
	assert_int_equal(r.nrows, 300);
	assert_int_equal(vp_result_total_count(&r, VP_K_CPUID), 600);
	for (uint32_t i = 0; i < 300; i += 299) {
		struct vp_key k = key(VP_K_CPUID, i, 0);

		assert_int_equal(vp_result_find(&r, &k)->st.count, 2);
	}

	/* clear drops rows and counters but keeps what was learnt about the target */
	r.meta.pid = 77;
	r.counters[VP_C_EV_CPUID] = 600;
	vp_result_clear(&r);
	assert_int_equal(r.nrows, 0);
	assert_int_equal(r.counters[VP_C_EV_CPUID], 0);
	assert_int_equal(r.meta.pid, 77);
	vp_result_free(&r);
}

static void add_row(struct vp_result *r, uint8_t kind, uint32_t code, uint64_t count,
		    uint64_t user_ns, uint64_t kern_ns)
{
	struct vp_key k = key(kind, code, 0);
	struct vp_stat s = { .count = count, .user_ns = user_ns, .kern_ns = kern_ns };

	assert_int_equal(vp_result_add(r, &k, &s), 0);
}

static void test_select_and_totals(void **state)
{
	static const uint32_t want_exit[] = { 3, 1, 4, 2, 6, 5 };
	struct vp_result r;
	const struct vp_row **sel;
	size_t n;

	(void)state;
	vp_result_init(&r);
	add_row(&r, VP_K_EXIT, 1, 10, 0, 150);
	add_row(&r, VP_K_USER, 2, 1000, 900000, 0); /* costliest overall, other kind */
	add_row(&r, VP_K_EXIT, 2, 50, 0, 100);
	add_row(&r, VP_K_EXIT, 3, 1, 100, 100); /* user + kernel = 200 */
	add_row(&r, VP_K_PIO, 0, 7, 0, 0);
	add_row(&r, VP_K_EXIT, 4, 60, 0, 100); /* same time as code 2, more often */
	add_row(&r, VP_K_EXIT, 5, 2, 0, 0);
	add_row(&r, VP_K_EXIT, 6, 3, 0, 0);

	n = vp_result_select(&r, VP_K_EXIT, &sel);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sel[i]->key.kind, VP_K_EXIT);
		if (sel[i]->key.code != want_exit[i])
			fail_msg("position %zu: code %" PRIu32 ", want %" PRIu32, i,
				 sel[i]->key.code, want_exit[i]);
		/* pointers into the result, not copies */
		assert_true(sel[i] >= r.rows && sel[i] < r.rows + r.nrows);
	}
	free(sel);

	assert_int_equal(vp_result_select(&r, VP_K_USER, &sel), 1);
	assert_int_equal(sel[0]->key.code, 2);
	free(sel);
	assert_int_equal(vp_result_select(&r, VP_K_MSR, &sel), 0);
	free(sel);

	assert_int_equal(vp_result_total_count(&r, VP_K_EXIT), 10 + 50 + 1 + 60 + 2 + 3);
	assert_int_equal(vp_result_total_count(&r, VP_K_USER), 1000);
	assert_int_equal(vp_result_total_count(&r, VP_K_PIO), 7);
	assert_int_equal(vp_result_total_count(&r, VP_K_MSR), 0);
	vp_result_free(&r);

	/* an empty result */
	vp_result_init(&r);
	assert_int_equal(vp_result_select(&r, VP_K_EXIT, &sel), 0);
	free(sel);
	assert_int_equal(vp_result_total_count(&r, VP_K_EXIT), 0);
}

static void test_has_exit_events(void **state)
{
	struct vp_result r;

	(void)state;
	vp_result_init(&r);
	assert_false(vp_result_has_exit_events(&r));
	/* exits to user space alone say nothing about kvm_exit */
	r.counters[VP_C_EV_USER_EXIT] = r.counters[VP_C_EV_PIO] = r.counters[VP_C_EV_RUN_ENTER] =
		100;
	assert_false(vp_result_has_exit_events(&r));
	r.counters[VP_C_EV_EXIT] = 1;
	assert_true(vp_result_has_exit_events(&r));
}

/* A one-vCPU VMM's exits are all that vCPU's, also those its thread made
 * before the profiler saw it enter KVM_RUN: one row each, counts summed. */
static void test_resolve_sole_vcpu(void **state)
{
	struct vp_key hlt = { .kind = VP_K_USER, .vcpu = VP_VCPU_UNKNOWN, .code = 5 };
	struct vp_key io = { .kind = VP_K_USER, .vcpu = VP_VCPU_UNKNOWN, .code = 2 };
	struct vp_key io0 = { .kind = VP_K_USER, .vcpu = 0, .code = 2 };
	struct vp_key pio = {
		.kind = VP_K_PIO, .dir = VP_DIR_WRITE, .size = 1, .vcpu = VP_VCPU_ANY, .addr = 0x3f8
	};
	struct vp_stat one = { .count = 1, .user_count = 1, .user_ns = 100 };
	struct vp_stat many = { .count = 40, .user_count = 40, .user_ns = 4000 };
	struct vp_result r;
	struct vp_vcpu_sum *v;
	size_t n;

	(void)state;
	vp_result_init(&r);
	/* the untold row first, its vCPU's own after it, and one before */
	assert_int_equal(vp_result_add(&r, &hlt, &one), 0);
	assert_int_equal(vp_result_add(&r, &io, &one), 0);
	assert_int_equal(vp_result_add(&r, &io0, &many), 0);
	assert_int_equal(vp_result_add(&r, &pio, &many), 0);
	vp_result_resolve_vcpu(&r, 0);
	assert_int_equal(r.nrows, 3);
	io0.vcpu = 0;
	assert_int_equal(vp_result_find(&r, &io0)->st.count, 41);
	assert_int_equal(vp_result_find(&r, &io0)->st.user_ns, 4100);
	hlt.vcpu = 0;
	assert_int_equal(vp_result_find(&r, &hlt)->st.count, 1);
	assert_int_equal(vp_result_find(&r, &pio)->st.count, 40); /* no vCPU of its own */
	n = vp_result_vcpu_sums(&r, &v);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].vcpu, 0);
	assert_int_equal(v[0].user, 42);
	free(v);
	vp_result_free(&r);
}

/* The live view keeps the previous refresh as a copy: it must not alias. */
static void test_copy_is_independent(void **state)
{
	struct vp_key k = {
		.kind = VP_K_PIO, .dir = VP_DIR_WRITE, .size = 1, .vcpu = VP_VCPU_ANY, .addr = 0x3f8
	};
	struct vp_stat st = { .count = 5 };
	struct vp_result src, dst;

	(void)state;
	vp_result_init(&src);
	vp_result_init(&dst);
	src.meta.pid = 77;
	src.counters[VP_C_EV_PIO] = 5;
	assert_int_equal(vp_result_add(&src, &k, &st), 0);
	assert_int_equal(vp_result_copy(&dst, &src), 0);
	assert_int_equal(vp_result_add(&src, &k, &st), 0); /* src moves on */
	src.counters[VP_C_EV_PIO] = 10;
	assert_int_equal(dst.nrows, 1);
	assert_int_equal(vp_result_find(&dst, &k)->st.count, 5);
	assert_int_equal(vp_result_find(&src, &k)->st.count, 10);
	assert_int_equal(dst.counters[VP_C_EV_PIO], 5);
	assert_int_equal(dst.meta.pid, 77);
	/* copying again replaces, never appends */
	assert_int_equal(vp_result_copy(&dst, &src), 0);
	assert_int_equal(dst.nrows, 1);
	assert_int_equal(vp_result_find(&dst, &k)->st.count, 10);
	vp_result_free(&src);
	vp_result_free(&dst);
}

/* Rows held by threads join the tables' rows: same key, one row, its
 * counts and times summed; a new key, a row more; the counters stay. */
static void test_merge_joins_rows(void **state)
{
	struct vp_result dst, src;
	struct vp_key k;
	struct vp_stat a = {
		.count = 2, .kern_count = 2, .kern_ns = 300, .min_ns = 100, .max_ns = 200
	};
	struct vp_stat b = {
		.count = 3, .kern_count = 3, .kern_ns = 900, .min_ns = 50, .max_ns = 500
	};

	(void)state;
	vp_result_init(&dst);
	vp_result_init(&src);
	for (int i = 0; i < 5000; i++) {
		k = (struct vp_key){ .kind = VP_K_PIO, .vcpu = VP_VCPU_ANY, .addr = (uint64_t)i };
		assert_int_equal(vp_result_append(&dst, &k, &a), 0);
	}
	dst.counters[VP_C_EV_PIO] = 10000;
	for (int i = 4990; i < 5010; i++) {
		k = (struct vp_key){ .kind = VP_K_PIO, .vcpu = VP_VCPU_ANY, .addr = (uint64_t)i };
		assert_int_equal(vp_result_add(&src, &k, &b), 0);
	}
	assert_int_equal(vp_result_merge(&dst, &src), 0);
	assert_int_equal(dst.nrows, 5010);
	assert_int_equal(dst.counters[VP_C_EV_PIO], 10000);
	k = (struct vp_key){ .kind = VP_K_PIO, .vcpu = VP_VCPU_ANY, .addr = 4995 };
	assert_int_equal(vp_result_find(&dst, &k)->st.count, 5);
	assert_int_equal(vp_result_find(&dst, &k)->st.kern_ns, 1200);
	assert_int_equal(vp_result_find(&dst, &k)->st.min_ns, 50);
	assert_int_equal(vp_result_find(&dst, &k)->st.max_ns, 500);
	k.addr = 5005;
	assert_int_equal(vp_result_find(&dst, &k)->st.count, 3);
	k.addr = 10;
	assert_int_equal(vp_result_find(&dst, &k)->st.count, 2);
	vp_result_free(&dst);
	vp_result_free(&src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile_empty),
		cmocka_unit_test(test_percentile_single_sample),
		cmocka_unit_test(test_percentile_bimodal),
		cmocka_unit_test(test_percentile_monotonic),
		cmocka_unit_test(test_stat_merge),
		cmocka_unit_test(test_add_merges_same_key),
		cmocka_unit_test(test_add_many_rows),
		cmocka_unit_test(test_merge_joins_rows),
		cmocka_unit_test(test_select_and_totals),
		cmocka_unit_test(test_has_exit_events),
		cmocka_unit_test(test_copy_is_independent),
		cmocka_unit_test(test_resolve_sole_vcpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
