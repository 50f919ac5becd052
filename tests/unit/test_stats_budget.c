// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the kernel's per-CPU table of shared keys costs as hosts grow: its
 * full size where it fits, and never more than its budget on a big host.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "result.h"
#include "vmexit_source.h"

static uint64_t locked(int ncpus)
{
	return (uint64_t)vp_stats_entries(ncpus) *
	       (VP_STATS_ENTRY_BYTES + sizeof(struct vp_stat) * (uint64_t)ncpus);
}

static void small_hosts_keep_every_entry(void **state)
{
	(void)state;
	assert_int_equal(vp_stats_entries(1), VP_MAX_STATS);
	assert_int_equal(vp_stats_entries(2), VP_MAX_STATS);
	assert_int_equal(vp_stats_entries(16), VP_MAX_STATS);
	assert_true(locked(2) < 4u << 20); /* 3.8 MB */
}

static void big_hosts_stay_within_the_budget(void **state)
{
	(void)state;
	for (int ncpus = 1; ncpus <= 1024; ncpus *= 2)
		assert_true(locked(ncpus) <= (uint64_t)VP_STATS_BUDGET_MIB << 20);
	/* 64 CPUs: the 4096 shared keys a 64-device VM needs still fit. */
	assert_int_equal(vp_stats_entries(64), 5652);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_hosts_keep_every_entry),
		cmocka_unit_test(big_hosts_stay_within_the_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
