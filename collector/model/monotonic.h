/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The collector's one clock for deadlines and elapsed times: monotonic, so
 * a wall-clock step (NTP, a guest setting the host's date) never shortens a
 * wait or makes a duration negative.  In the lowest layer so that sources,
 * runner and CLI all measure with the same clock.
 */
#ifndef VP_MONOTONIC_H
#define VP_MONOTONIC_H

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
double vp_now_s(void);

#endif
