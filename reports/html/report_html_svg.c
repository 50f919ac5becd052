// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Chart primitives of the HTML report, plus the escaping and number
 * formatting every part of the page shares.  Charts are plain SVG with a
 * viewBox, so they scale with the page and need no script; each drawn
 * number also carries its raw value in data-value for the tests.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_html_int.h"

void vh_esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* C0 controls are parse errors in HTML: show them as U+FFFD. */
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				fputs("\xef\xbf\xbd", out);
			else
				fputc(c, out);
		}
	}
}

void vh_text_at(FILE *out, const json_t *obj, const char *dotted)
{
	const char *s = vp_doc_str(obj, dotted);

	if (s && *s)
		vh_esc(out, s);
	else
		fputs(VH_DASH, out);
}

const char *vh_fmt_ratio(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, VH_DASH);
	else if (v == floor(v) && v < 1e6)
		snprintf(buf, len, "%.0f\xc3\x97", v); /* axis ticks: 1x, 10x */
	else
		snprintf(buf, len,
			 v < 9.995   ? "%.2f\xc3\x97"
			 : v < 99.95 ? "%.1f\xc3\x97"
				     : "%.0f\xc3\x97",
			 v);
	return buf;
}

const char *vh_fmt_raw(double v, char *buf, size_t len)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	/* Integers as integers: "30", never "3e+01". */
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, len, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

/* 1, 2, 2.5 or 5 times a power of ten: ticks people can read. */
double vh_nice_step(double raw)
{
	double p, f;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	p = pow(10, floor(log10(raw)));
	f = raw / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

void vh_svg_open(FILE *out, const char *id, const char *cls, int w, int h)
{
	fprintf(out,
		"<svg id=\"%s\" class=\"chart %s\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		"height=\"%d\" "
		"role=\"img\">\n",
		id, cls, w, h, w, h);
}

static void legend(FILE *out, const struct vh_series_style *st, int n, double x, double y)
{
	fputs("<g class=\"legend\">", out);
	for (int i = 0; i < n; i++) {
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"11\" height=\"11\" rx=\"2\" "
			"fill=\"%s\"/>",
			x, y - 9, st[i].color);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", x + 16, y);
		vh_esc(out, st[i].name);
		fputs("</text>", out);
		x += 30 + 7.2 * (double)strlen(st[i].name);
	}
	fputs("</g>\n", out);
}

enum { HB_W = 960, HB_LABEL = 220, HB_RIGHT = 80, HB_TOP = 34, HB_ROW = 34, HB_BOTTOM = 44 };

struct scale {
	bool log;
	double lo, hi, x0, w;
};

static double sx(const struct scale *s, double v)
{
	double f;

	if (s->log)
		f = v > 0 ? (log10(v) - log10(s->lo)) / (log10(s->hi) - log10(s->lo)) : 0;
	else
		f = s->hi > s->lo ? (v - s->lo) / (s->hi - s->lo) : 0;
	return s->x0 + s->w * (f < 0 ? 0 : f > 1 ? 1 : f);
}

static void hbar_axis(FILE *out, const struct vh_hbar_chart *c, const struct scale *s, double top,
		      double bottom)
{
	char b[32];

	fputs("<g class=\"axis\">", out);
	if (s->log) {
		for (double t = s->lo; t <= s->hi * 1.0001; t *= 10) {
			double x = sx(s, t);

			fprintf(out,
				"<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
				"y2=\"%.1f\"/>",
				x, x, top, bottom);
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
				x, bottom + 14, c->fmt(t, b, sizeof(b)));
		}
		if (s->lo < 1 && s->hi > 1) {
			double x = sx(s, 1);

			fprintf(out,
				"<line class=\"ref\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
				"y2=\"%.1f\"/>",
				x, x, top - 4, bottom);
		}
	} else {
		double step = vh_nice_step(s->hi / 5);

		for (double t = 0; t <= s->hi * 1.0001; t += step) {
			double x = sx(s, t);

			fprintf(out,
				"<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
				"y2=\"%.1f\"/>",
				x, x, top, bottom);
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
				x, bottom + 14, c->fmt(t, b, sizeof(b)));
		}
	}
	fprintf(out, "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		s->x0 + s->w / 2, bottom + 32);
	vh_esc(out, c->axis_label);
	fputs("</text></g>\n", out);
}

void vh_hbar(FILE *out, const struct vh_hbar_chart *c, const struct vh_bar *bars, size_t n)
{
	struct scale s = { .log = c->log_scale, .x0 = HB_LABEL, .w = HB_W - HB_LABEL - HB_RIGHT };
	int h = HB_TOP + (int)n * HB_ROW + HB_BOTTOM;
	double maxv = 0, minv = INFINITY;
	char b[32], r[32];

	for (size_t i = 0; i < n; i++) {
		double sum = 0;

		for (int k = 0; k < c->nseg; k++)
			if (!isnan(bars[i].v[k])) {
				sum += bars[i].v[k];
				if (bars[i].v[k] > 0 && bars[i].v[k] < minv)
					minv = bars[i].v[k];
			}
		maxv = sum > maxv ? sum : maxv;
	}
	if (s.log) {
		/* Whole decades around the data and 1x, so "no gain" is on the axis. */
		s.lo = pow(10, floor(log10(isfinite(minv) && minv < 1 ? minv : 1)));
		s.hi = pow(10, ceil(log10(maxv > 1 ? maxv : 10)));
		if (s.hi <= s.lo)
			s.hi = s.lo * 10;
	} else {
		double step = vh_nice_step(maxv / 5);

		s.hi = maxv > 0 ? ceil(maxv / step) * step : 1;
	}
	vh_svg_open(out, c->id, c->log_scale ? "hbar log" : "hbar", HB_W, h);
	legend(out, c->styles, c->nstyles, HB_LABEL, 16);
	hbar_axis(out, c, &s, HB_TOP - 6, HB_TOP + (double)n * HB_ROW);
	for (size_t i = 0; i < n; i++) {
		const struct vh_bar *bar = &bars[i];
		double y = HB_TOP + (double)i * HB_ROW, x = sx(&s, s.log ? s.lo : 0), sum = 0;
		bool any = false;

		fprintf(out, "<g class=\"bar\" data-index=\"%zu\" data-label=\"", i);
		vh_esc(out, bar->label);
		fprintf(out, "\"%s%s>", bar->extra_attr ? " " : "",
			bar->extra_attr ? bar->extra_attr : "");
		/* The sub-label on its own line: long reason names stay inside the label column. */
		fprintf(out, "<text class=\"label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
			HB_LABEL - 10, y + (bar->sub ? 15 : 21));
		vh_esc(out, bar->label);
		fputs("</text>", out);
		if (bar->sub) {
			fprintf(out, "<text class=\"sub\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
				HB_LABEL - 10, y + 28);
			vh_esc(out, bar->sub);
			fputs("</text>", out);
		}
		for (int k = 0; k < c->nseg; k++) {
			const struct vh_series_style *st =
				&c->styles[(k + bar->color) % c->nstyles];
			double v = bar->v[k], x1;

			if (isnan(v))
				continue;
			sum += v;
			any = true;
			/* Stacking on a log axis would mislead: log bars are single. */
			x1 = s.log ? sx(&s, v) : sx(&s, sum);
			fprintf(out,
				"<rect class=\"seg\" data-series=\"%s\" data-value=\"%s\" "
				"x=\"%.1f\" y=\"%.1f\" "
				"width=\"%.1f\" height=\"20\" fill=\"%s\"><title>",
				c->styles[k].key, vh_fmt_raw(v, r, sizeof(r)), x, y + 7, x1 - x,
				st->color);
			vh_esc(out, bar->label);
			fprintf(out, " \xe2\x80\x94 %s: %s</title></rect>", st->name,
				c->fmt(v, b, sizeof(b)));
			x = x1;
		}
		fprintf(out, "<text class=\"value\" x=\"%.1f\" y=\"%.1f\">%s", x + 6, y + 21,
			c->fmt(!any    ? NAN
			       : s.log ? bar->v[0]
				       : sum,
			       b, sizeof(b)));
		/* Thin segments cannot be read off the bar: spell the parts out. */
		if (!s.log && c->nseg == 2 && !isnan(bar->v[0]) && !isnan(bar->v[1]) &&
		    bar->v[1] > 0) {
			fprintf(out, " <tspan class=\"sub\">= %s", c->fmt(bar->v[0], b, sizeof(b)));
			fprintf(out, " + %s</tspan>", c->fmt(bar->v[1], b, sizeof(b)));
		}
		fputs("</text></g>\n", out);
	}
	fputs("</svg>\n", out);
}

enum { HI_W = 440, HI_H = 236, HI_L = 50, HI_R = 14, HI_T = 92, HI_B = 38, HI_MINSLOTS = 8 };

static int slot_of(double ns)
{
	int s = ns >= 1 ? (int)floor(log2(ns)) : 0;

	return s > 31 ? 31 : s;
}

void vh_histogram(FILE *out, const char *id, const char *title, const char *sub, const json_t *lat)
{
	static const char *const marks[] = { "p50", "p90", "p99", "max" };
	const json_t *slots = vp_doc_get(lat, "log2_slots");
	double cnt[32] = { 0 }, maxc = 0, pw = HI_W - HI_L - HI_R, ph = HI_H - HI_T - HI_B, sw;
	int lo = 31, hi = 0;
	char b[32], r[32];

	for (size_t i = 0; i < 32 && i < json_array_size(slots); i++) {
		double c = vh_num(json_array_get(slots, i));

		cnt[i] = isnan(c) || c < 0 ? 0 : c;
		if (cnt[i] > 0) {
			lo = (int)i < lo ? (int)i : lo;
			hi = (int)i > hi ? (int)i : hi;
			maxc = cnt[i] > maxc ? cnt[i] : maxc;
		}
	}
	for (int m = 0; m < 4; m++) {
		char key[16];
		double v;

		snprintf(key, sizeof(key), "%s_ns", marks[m]);
		v = vp_doc_num_or(lat, key, NAN);
		if (!isnan(v)) {
			lo = slot_of(v) < lo ? slot_of(v) : lo;
			hi = slot_of(v) > hi ? slot_of(v) : hi;
		}
	}
	if (lo > hi)
		lo = 10, hi = 10;
	lo = lo > 0 ? lo - 1 : 0;
	hi = hi < 31 ? hi + 1 : 31;
	while (hi - lo + 1 < HI_MINSLOTS)
		(lo > 0 && (hi == 31 || (hi - lo) % 2)) ? lo-- : hi++;
	sw = pw / (hi - lo + 1);

	vh_svg_open(out, id, "histogram", HI_W, HI_H);
	fputs("<text class=\"title\" x=\"0\" y=\"14\">", out);
	vh_esc(out, title);
	fputs("</text><text class=\"sub\" x=\"0\" y=\"29\">", out);
	vh_esc(out, sub);
	fprintf(out, " \xc2\xb7 %s samples</text>\n",
		vp_fmt_count(vp_doc_num_or(lat, "samples", NAN), b, sizeof(b)));
	fputs("<text class=\"stats\" x=\"0\" y=\"45\">", out);
	for (int m = 0; m < 4; m++) {
		char key[16];

		snprintf(key, sizeof(key), "%s_ns", marks[m]);
		fprintf(out, "%s<tspan class=\"k\">%s</tspan> %s", m ? " \xc2\xb7 " : "", marks[m],
			vp_fmt_ns(vp_doc_num_or(lat, key, NAN), b, sizeof(b)));
	}
	fputs("</text>\n", out);
	if (!json_is_object(lat)) {
		fprintf(out,
			"<text class=\"empty\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">no timed "
			"samples</text>",
			HI_W / 2, HI_H / 2);
		fputs("</svg>\n", out);
		return;
	}
	/* y axis: 0 and the tallest bar, enough to read proportions. */
	fprintf(out,
		"<g class=\"axis\"><line class=\"grid\" x1=\"%d\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
		"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">0</text></g>\n",
		HI_L, HI_L + pw, HI_T, HI_T, HI_L - 5, HI_T + 4, vp_fmt_count(maxc, b, sizeof(b)),
		HI_L - 5, HI_T + ph + 4);
	for (int i = lo; i <= hi; i++) {
		double bh = maxc > 0 ? ph * cnt[i] / maxc : 0, x = HI_L + (i - lo) * sw;
		char lo_s[32], hi_s[32];

		fprintf(out,
			"<rect class=\"slot\" data-slot=\"%d\" data-value=\"%s\" x=\"%.1f\" "
			"y=\"%.1f\" "
			"width=\"%.1f\" height=\"%.1f\"><title>",
			i, vh_fmt_raw(cnt[i], r, sizeof(r)), x + 1, HI_T + ph - bh, sw - 2, bh);
		fprintf(out, "%s \xe2\x80\x93 %s: %s</title></rect>",
			vp_fmt_ns(ldexp(1, i), lo_s, sizeof(lo_s)),
			i == 31 ? "\xe2\x80\xa6" : vp_fmt_ns(ldexp(1, i + 1), hi_s, sizeof(hi_s)),
			vp_fmt_count(cnt[i], b, sizeof(b)));
	}
	fputs("<g class=\"axis\">", out);
	for (int i = lo, every = (hi - lo + 6) / 5; i <= hi + 1; i++) {
		double x = HI_L + (i - lo) * sw;

		fprintf(out,
			"<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", x,
			x, HI_T + ph, HI_T + ph + 4);
		if ((i - lo) % every == 0)
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x,
				HI_T + ph + 16, x > HI_L + pw - 20 ? "end" : "middle",
				vp_fmt_ns(ldexp(1, i), b, sizeof(b)));
	}
	fprintf(out,
		"<text class=\"axis-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">latency "
		"(log\xe2\x82\x82 buckets)</text></g>\n",
		HI_L + pw / 2, HI_H - 3);
	for (int m = 0; m < 4; m++) {
		char key[16];
		double v, x;

		snprintf(key, sizeof(key), "%s_ns", marks[m]);
		v = vp_doc_num_or(lat, key, NAN);
		if (isnan(v))
			continue;
		x = HI_L + ((v >= 1 ? log2(v) : 0) - lo) * sw;
		x = x < HI_L ? HI_L : x > HI_L + pw ? HI_L + pw : x;
		/* Percentiles often share a bucket: one label row each. */
		fprintf(out,
			"<g class=\"marker %s\" data-marker=\"%s\" data-value=\"%s\">"
			"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\"/>"
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text></g>\n",
			marks[m], marks[m], vh_fmt_raw(v, r, sizeof(r)), x, x, 57 + 10 * m,
			HI_T + ph, x + (x > HI_L + pw - 30 ? -3 : 3), 59 + 10 * m,
			x > HI_L + pw - 30 ? "end" : "start", marks[m]);
	}
	fputs("</svg>\n", out);
}

enum { LC_W = 900, LC_H = 300, LC_L = 70, LC_R = 20, LC_T = 36, LC_B = 46 };

void vh_line_chart(FILE *out, const char *id, const char *x_label, const char *y_label,
		   const struct vh_line *lines, size_t n)
{
	double xmin = INFINITY, xmax = -INFINITY, ymax = 0, step, pw = LC_W - LC_L - LC_R,
	       ph = LC_H - LC_T - LC_B, lx = LC_L;
	char b[32], r[32];

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < lines[i].n; k++) {
			xmin = lines[i].x[k] < xmin ? lines[i].x[k] : xmin;
			xmax = lines[i].x[k] > xmax ? lines[i].x[k] : xmax;
			ymax = lines[i].y[k] > ymax ? lines[i].y[k] : ymax;
		}
	if (!isfinite(xmin))
		xmin = 0, xmax = 1;
	if (xmax <= xmin)
		xmax = xmin + 1;
	step = vh_nice_step(ymax / 5);
	ymax = ymax > 0 ? ceil(ymax / step) * step : 1;

	vh_svg_open(out, id, "line", LC_W, LC_H);
	fputs("<g class=\"legend\">", out);
	for (size_t i = 0; i < n; i++) {
		fprintf(out,
			"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"12\" y2=\"12\" stroke=\"%s\" "
			"stroke-width=\"2.5\"%s/>",
			lx, lx + 22, lines[i].color,
			lines[i].dashed ? " stroke-dasharray=\"5 3\"" : "");
		fprintf(out, "<text x=\"%.1f\" y=\"16\">", lx + 28);
		vh_esc(out, lines[i].name);
		fputs("</text>", out);
		lx += 44 + 7.2 * (double)strlen(lines[i].name);
	}
	fputs("</g>\n<g class=\"axis\">", out);
	for (double t = 0; t <= ymax * 1.0001; t += step) {
		double y = LC_T + ph - ph * t / ymax;

		fprintf(out,
			"<line class=\"grid\" x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
			LC_L, LC_L + pw, y, y, LC_L - 6, y + 4, vp_fmt_count(t, b, sizeof(b)));
	}
	step = vh_nice_step((xmax - xmin) / 8);
	for (double t = ceil(xmin / step) * step; t <= xmax * 1.0001; t += step) {
		double x = LC_L + pw * (t - xmin) / (xmax - xmin);

		fprintf(out,
			"<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g s</text>",
			x, x, LC_T + ph, LC_T + ph + 4, x, LC_T + ph + 17, t);
	}
	fprintf(out, "<text class=\"axis-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
		LC_L + pw / 2, LC_H - 6);
	vh_esc(out, x_label);
	fprintf(out,
		"</text><text class=\"axis-label\" transform=\"translate(14 %.1f) rotate(-90)\" "
		"text-anchor=\"middle\">",
		LC_T + ph / 2);
	vh_esc(out, y_label);
	fputs("</text></g>\n", out);

	for (size_t i = 0; i < n; i++) {
		const struct vh_line *l = &lines[i];

		fprintf(out,
			"<g class=\"series\" data-series=\"%s\" data-vcpu=\"%d\"><polyline "
			"fill=\"none\" "
			"stroke=\"%s\" stroke-width=\"2\"%s points=\"",
			l->key, l->vcpu, l->color, l->dashed ? " stroke-dasharray=\"5 3\"" : "");
		for (size_t k = 0; k < l->n; k++)
			fprintf(out, "%s%.1f,%.1f", k ? " " : "",
				LC_L + pw * (l->x[k] - xmin) / (xmax - xmin),
				LC_T + ph - ph * l->y[k] / ymax);
		fputs("\"/>", out);
		for (size_t k = 0; k < l->n; k++) {
			fprintf(out, "<circle class=\"pt\" data-t=\"%s\" ",
				vh_fmt_raw(l->x[k], r, sizeof(r)));
			fprintf(out,
				"data-value=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" "
				"fill=\"%s\"><title>",
				vh_fmt_raw(l->y[k], r, sizeof(r)),
				LC_L + pw * (l->x[k] - xmin) / (xmax - xmin),
				LC_T + ph - ph * l->y[k] / ymax, l->color);
			vh_esc(out, l->name);
			fprintf(out, " at %g s: %s</title></circle>", l->x[k],
				vp_fmt_count(l->y[k], b, sizeof(b)));
		}
		fputs("</g>\n", out);
	}
	fputs("</svg>\n", out);
}
