// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "monotonic.h"

#include <time.h>

double vp_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
