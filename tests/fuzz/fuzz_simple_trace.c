// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer: any bytes through the simple-trace reader and its aggregate. */
#include <stddef.h>
#include <stdint.h>

#include "qemu_trace_agg.h"
#include "simple_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp_qtrace_agg *a = vp_qtrace_agg_new();
	struct vp_usdt_counts c;
	struct vp_trace_stats st;
	char err[256];

	if (!a)
		return 0;
	if (!vp_simple_trace_parse(data, size, a, &st, err, sizeof(err)) &&
	    !vp_qtrace_counts(a, &c))
		vp_usdt_counts_free(&c);
	vp_qtrace_agg_free(a);
	return 0;
}
