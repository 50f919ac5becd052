// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "text_table.h"

#include <math.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct cell {
	char *text;
	enum vp_tt_tone tone;
};

struct vp_table {
	const struct vp_tt_col *cols;
	size_t ncols;
	struct cell *cells; /* nrows * ncols, row-major */
	size_t nrows, cap;
	size_t next; /* next column to fill in the last row */
};

static const char *const tone_on[] = {
	[VP_TT_PLAIN] = "",	    [VP_TT_BOLD] = "\033[1m", [VP_TT_RED] = "\033[31m",
	[VP_TT_GREEN] = "\033[32m", [VP_TT_DIM] = "\033[2m",
};

size_t vp_tt_width(const char *s)
{
	size_t w = 0;

	for (; s && *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Bidi embeddings, overrides and isolates: they reorder what follows them,
 * the "Trojan source" trick. */
static bool is_bidi(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
	       cp == 0x200f || cp == 0x061c;
}

char *vp_tt_clean(const char *s)
{
	size_t n = s ? strlen(s) : 0, o = 0;
	/* the worst case, a C0 control, grows fourfold ("\x1b") */
	char *out = malloc(n * 4 + 1);
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	if (!out)
		return NULL;
	while (*p) {
		uint32_t cp = *p;
		size_t len = 1;

		if (cp >= 0xc0 && (p[1] & 0xc0) == 0x80) {
			/* jansson hands out valid UTF-8; only decode what can matter */
			if (cp < 0xe0) {
				cp = (cp & 0x1f) << 6 | (p[1] & 0x3f);
				len = 2;
			} else if (cp < 0xf0 && (p[2] & 0xc0) == 0x80) {
				cp = (cp & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
				     (p[2] & 0x3f);
				len = 3;
			}
		}
		if (cp < 0x20 || cp == 0x7f)
			o += (size_t)sprintf(out + o, "\\x%02x", (unsigned)cp);
		else if ((cp >= 0x80 && cp <= 0x9f && len == 2) || (len == 3 && is_bidi(cp)))
			o += (size_t)sprintf(out + o, "\\u%04x", (unsigned)cp);
		else {
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
	}
	out[o] = '\0';
	return out;
}

void vp_tt_puts(FILE *out, const char *s, enum vp_tt_tone tone, const struct vp_text_style *st)
{
	char *c = vp_tt_clean(s);
	bool on = st && st->color && tone != VP_TT_PLAIN;

	fprintf(out, "%s%s%s", on ? tone_on[tone] : "", c ? c : "", on ? "\033[0m" : "");
	free(c);
}

struct vp_table *vp_tt_new(const struct vp_tt_col *cols, size_t ncols)
{
	struct vp_table *t = calloc(1, sizeof(*t));

	if (t) {
		t->cols = cols;
		t->ncols = ncols;
	}
	return t;
}

void vp_tt_free(struct vp_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t);
}

void vp_tt_row(struct vp_table *t)
{
	if (!t)
		return;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct cell *c = realloc(t->cells, cap * t->ncols * sizeof(*c));

		if (!c)
			return;
		t->cells = c;
		t->cap = cap;
	}
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(*t->cells));
	t->nrows++;
	t->next = 0;
}

void vp_tt_cell(struct vp_table *t, const char *text, enum vp_tt_tone tone)
{
	struct cell *c;

	if (!t || !t->nrows || t->next >= t->ncols)
		return;
	c = &t->cells[(t->nrows - 1) * t->ncols + t->next++];
	c->text = vp_tt_clean(text);
	c->tone = tone;
}

void vp_tt_cellf(struct vp_table *t, enum vp_tt_tone tone, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vp_tt_cell(t, buf, tone);
}

/* The part of a head below its group line. */
static const char *head_name(const char *h)
{
	const char *nl = strchr(h, '\n');

	return nl ? nl + 1 : h;
}

static void spaces(FILE *out, size_t n)
{
	fprintf(out, "%*s", (int)n, "");
}

static void rule(FILE *out, size_t n)
{
	while (n--)
		fputs("\u2500", out);
}

/* Writes s in w columns, cut with an ellipsis when longer. */
static void put_fit(FILE *out, const char *s, size_t w, enum vp_tt_align al, bool last,
		    enum vp_tt_tone tone, const struct vp_text_style *st)
{
	size_t sw = vp_tt_width(s), keep = sw;
	bool on = st->color && tone != VP_TT_PLAIN;

	if (sw > w)
		keep = w ? w - 1 : 0;
	if (al == VP_TT_RIGHT && sw < w)
		spaces(out, w - sw);
	fputs(on ? tone_on[tone] : "", out);
	if (keep == sw) {
		fputs(s, out);
	} else {
		const char *p = s;

		for (size_t k = 0; *p; p++) {
			if (((unsigned char)*p & 0xc0) != 0x80 && k++ == keep)
				break;
			fputc(*p, out);
		}
		fputs("\u2026", out);
	}
	fputs(on ? "\033[0m" : "", out);
	if (al == VP_TT_LEFT && sw < w && !last)
		spaces(out, w - sw);
}

/* Group lines span from a head with one to the next head without a '\n'
 * continuation; drawn "── LABEL ──" over the whole span. */
static void group_line(FILE *out, const struct vp_table *t, const size_t *w, int indent,
		       const struct vp_text_style *st)
{
	size_t pending = 0; /* blank columns owed before the next label */
	bool any = false;

	for (size_t i = 0; i < t->ncols; i++)
		any |= strchr(t->cols[i].head, '\n') != NULL;
	if (!any)
		return;
	spaces(out, (size_t)indent);
	for (size_t i = 0; i < t->ncols;) {
		const char *h = t->cols[i].head, *nl = strchr(h, '\n');
		size_t span = w[i], j = i + 1, lw;

		if (!nl || nl == h) {
			pending += w[i] + 2;
			i++;
			continue;
		}
		while (j < t->ncols && t->cols[j].head[0] == '\n')
			span += 2 + w[j++];
		spaces(out, pending);
		pending = 0;
		lw = vp_tt_width(h) - vp_tt_width(nl);
		fputs(st->color ? tone_on[VP_TT_BOLD] : "", out);
		if (lw + 2 <= span) {
			size_t left = (span - lw - 2) / 2;

			rule(out, left);
			fprintf(out, " %.*s ", (int)(nl - h), h);
			rule(out, span - lw - 2 - left);
		} else {
			fprintf(out, "%.*s", (int)(nl - h), h);
			if (lw < span)
				spaces(out, span - lw);
		}
		fputs(st->color ? "\033[0m" : "", out);
		pending = 2;
		i = j;
	}
	fputc('\n', out);
}

/* A group label wider than its columns widens them evenly, so the
 * label does not push the next one out of line and every group gets its
 * rule. */
static void fit_groups(const struct vp_table *t, size_t *w)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const char *h = t->cols[i].head, *nl = strchr(h, '\n');
		size_t span, j = i + 1, lw;

		if (!nl || nl == h)
			continue;
		span = w[i];
		while (j < t->ncols && t->cols[j].head[0] == '\n')
			span += 2 + w[j++];
		/* the label and a space and a rule piece on each side */
		lw = vp_tt_width(h) - vp_tt_width(nl) + 2;
		for (size_t k = 0, extra = lw + 2 > span ? lw + 2 - span : 0; k < extra; k++)
			w[i + k % (j - i)]++;
	}
}

void vp_tt_print(FILE *out, const struct vp_table *t, const struct vp_text_style *st, int indent)
{
	static const struct vp_text_style plain = { 0 };
	size_t *w, total, nrows;

	if (!t || !t->ncols)
		return;
	st = st ? st : &plain;
	/* Rows come most costly first: a capped table keeps the costliest. */
	nrows = st->max_rows && t->nrows > st->max_rows ? st->max_rows : t->nrows;
	w = calloc(t->ncols, sizeof(*w));
	if (!w)
		return;
	for (size_t i = 0; i < t->ncols; i++) {
		w[i] = vp_tt_width(head_name(t->cols[i].head));
		for (size_t r = 0; r < nrows; r++) {
			size_t cw = vp_tt_width(t->cells[r * t->ncols + i].text);

			w[i] = cw > w[i] ? cw : w[i];
		}
	}
	total = (size_t)indent + 2 * (t->ncols - 1);
	for (size_t i = 0; i < t->ncols; i++)
		total += w[i];
	/* A narrow terminal: cut the widest name columns one column at a time,
	 * so the numbers stay on one line each. */
	while (st->width > 0 && total > (size_t)st->width) {
		size_t best = t->ncols;

		for (size_t i = 0; i < t->ncols; i++)
			if (t->cols[i].shrink_to && w[i] > t->cols[i].shrink_to &&
			    (best == t->ncols || w[i] > w[best]))
				best = i;
		if (best == t->ncols)
			break;
		w[best]--;
		total--;
	}
	fit_groups(t, w);
	group_line(out, t, w, indent, st);
	spaces(out, (size_t)indent);
	for (size_t i = 0; i < t->ncols; i++) {
		if (i)
			fputs("  ", out);
		put_fit(out, head_name(t->cols[i].head), w[i], t->cols[i].align, i + 1 == t->ncols,
			VP_TT_BOLD, st);
	}
	fputc('\n', out);
	for (size_t r = 0; r < nrows; r++) {
		spaces(out, (size_t)indent);
		for (size_t i = 0; i < t->ncols; i++) {
			const struct cell *c = &t->cells[r * t->ncols + i];

			if (i)
				fputs("  ", out);
			put_fit(out, c->text ? c->text : "", w[i], t->cols[i].align,
				i + 1 == t->ncols, c->tone, st);
		}
		fputc('\n', out);
	}
	if (nrows < t->nrows) {
		char more[64];

		snprintf(more, sizeof(more), "… %zu more", t->nrows - nrows);
		spaces(out, (size_t)indent);
		vp_tt_puts(out, more, VP_TT_DIM, st);
		fputc('\n', out);
	}
	free(w);
}

/* Three significant digits of v, which is in [1, 1000) or below 1 */
void vp_tt_style_auto(int fd, struct vp_text_style *st)
{
	const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");
	bool tty = isatty(fd);
	struct winsize ws;

	/* no-color.org: an empty NO_COLOR does not count */
	st->color = tty && term && strcmp(term, "dumb") && !(no_color && *no_color);
	/* Only a terminal has a width worth cutting names to; a pipe or file
	 * gets every character. */
	st->width = tty && !ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col ? ws.ws_col : 0;
}
