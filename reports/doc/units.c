// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "units.h"

#include <math.h>
#include <stdio.h>

static void sig3(double v, const char *unit, char *buf, size_t len)
{
	int prec = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;

	snprintf(buf, len, "%.*f %s", prec, v, unit);
}

const char *vp_fmt_ns(double ns, char *buf, size_t len)
{
	static const char *const units[] = { "ns", "\u00b5s", "ms", "s" };
	size_t u = 0;

	if (!isfinite(ns) || ns < 0) {
		snprintf(buf, len, VP_FMT_NONE);
		return buf;
	}
	if (ns < 999.5) {
		/* below a microsecond only whole nanoseconds mean anything,
		 * except for averages under 10 ns */
		snprintf(buf, len, ns < 9.995 && ns != floor(ns) ? "%.2f ns" : "%.0f ns", ns);
		return buf;
	}
	/* what would round up to "1000" is shown in the next unit */
	while (u + 1 < sizeof(units) / sizeof(units[0]) && ns >= 999.5) {
		ns /= 1000;
		u++;
	}
	sig3(ns, units[u], buf, len);
	return buf;
}

const char *vp_fmt_us(double us, char *buf, size_t len)
{
	return vp_fmt_ns(us * 1000, buf, len);
}

static const char *scaled(double n, int small_prec, char *buf, size_t len)
{
	static const char suffix[] = "MGT";
	size_t s = 0;

	if (!isfinite(n) || n < 0) {
		snprintf(buf, len, VP_FMT_NONE);
		return buf;
	}
	if (n < 999999.5) {
		snprintf(buf, len, "%.*f", small_prec, n);
		return buf;
	}
	n /= 1e6;
	while (s + 1 < sizeof(suffix) - 1 && n >= 999.95) {
		n /= 1000;
		s++;
	}
	snprintf(buf, len, "%.*f%c", n < 9.9995 ? 3 : n < 99.995 ? 2 : 1, n, suffix[s]);
	return buf;
}

const char *vp_fmt_count(double n, char *buf, size_t len)
{
	return scaled(n, 0, buf, len);
}

const char *vp_fmt_per_op(double v, char *buf, size_t len)
{
	return scaled(v, 2, buf, len);
}

const char *vp_fmt_pct(double v, char *buf, size_t len)
{
	snprintf(buf, len, !isfinite(v) || v < 0 ? VP_FMT_NONE : "%.1f%%", v);
	return buf;
}
