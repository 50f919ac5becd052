/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * How the document's numbers are shown, the one place for every renderer.
 * Each writes into buf and returns it; a value that is not finite or is
 * negative (not measured) gives VP_FMT_NONE.
 */
#ifndef VP_UNITS_H
#define VP_UNITS_H

#include <stddef.h>

/* What a value that was not measured is shown as (an en dash). */
#define VP_FMT_NONE "\u2013"

/* Nanoseconds with three significant digits: "850 ns", "12.4 µs", "3.20 ms", "1.50 s". */
const char *vp_fmt_ns(double ns, char *buf, size_t len);
/* Microseconds the same way (a guest operation's time). */
const char *vp_fmt_us(double us, char *buf, size_t len);
/* Counts exact below a million (no wider than "412.3K"), then four digits
 * with M/G/T: "8.100M". */
const char *vp_fmt_count(double n, char *buf, size_t len);
/* A per-operation figure: two decimals, M/G/T from a million. */
const char *vp_fmt_per_op(double v, char *buf, size_t len);
/* A percentage with one decimal: "36.5%". */
const char *vp_fmt_pct(double v, char *buf, size_t len);

#endif
