// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * How fast each trace source reads: the simple trace and the LTTng-UST
 * trace of one run, each read whole into a trace aggregate ROUNDS times
 * (the best round counts: the rate the reader itself reaches, less the
 * machine's noise), side by side against the rate a reader must keep to
 * be worth offering, 1 M records/s.  Each read includes its fixed cost (for
 * LTTng, loading babeltrace2's plugins and building its graph), so a small
 * trace reads slower.  bench/trace_read.py records the traces.
 *
 * usage: trace_read SIMPLE_TRACE UST_DIR [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>

#include "monotonic.h"
#include "qemu_trace_agg.h"
#include "simple_trace.h"
#include "ust_trace.h"

#define TARGET 1e6 /* records/s */

typedef int (*reader_fn)(const char *, struct vp_qtrace_agg *, struct vp_trace_stats *, char *,
			 size_t);

/* The best rate of rounds reads, in records/s; < 0: the trace is unreadable. */
static double rate(reader_fn read, const char *path, int rounds, struct vp_trace_stats *st)
{
	double best = 0;

	for (int i = 0; i < rounds; i++) {
		struct vp_qtrace_agg *agg = vp_qtrace_agg_new();
		char err[512];
		double t0 = vp_now_s(), dt;
		int ret = agg ? read(path, agg, st, err, sizeof(err)) : -1;

		dt = vp_now_s() - t0;
		vp_qtrace_agg_free(agg);
		if (ret) {
			fprintf(stderr, "trace_read: %s: %s\n", path, agg ? err : "out of memory");
			return -1;
		}
		if (dt > 0 && st->records / dt > best)
			best = st->records / dt;
	}
	return best;
}

int main(int argc, char **argv)
{
	struct vp_trace_stats s, u;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	double rs, ru;

	if (argc < 3 || rounds < 1) {
		fprintf(stderr, "usage: trace_read SIMPLE_TRACE UST_DIR [ROUNDS]\n");
		return 2;
	}
	if ((rs = rate(vp_simple_trace_read, argv[1], rounds, &s)) < 0 ||
	    (ru = rate(vp_ust_trace_read, argv[2], rounds, &u)) < 0)
		return 1;
	printf("SOURCE         RECORDS       USED  M RECORDS/S  NS/RECORD  1 M/s TARGET\n");
	printf("simple      %10llu %10llu %12.2f %10.0f  %4.1fx, %s\n",
	       (unsigned long long)s.records, (unsigned long long)s.used, rs / 1e6, 1e9 / rs,
	       rs / TARGET, rs >= TARGET ? "met" : "missed");
	printf("lttng-ust   %10llu %10llu %12.2f %10.0f  %4.1fx, %s\n",
	       (unsigned long long)u.records, (unsigned long long)u.used, ru / 1e6, 1e9 / ru,
	       ru / TARGET, ru >= TARGET ? "met" : "missed");
	printf("simple / lttng-ust: %.1f (best of %d rounds each)\n", ru > 0 ? rs / ru : 0, rounds);
	return 0;
}
