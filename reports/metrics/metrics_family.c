// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Metric families and their text.  The two formats differ in where a
 * counter's "_total" goes: OpenMetrics names the family without it (and
 * an info family without "_info"), Prometheus 0.0.4 by its samples' name.
 */
#include "metrics_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void vp_om_labels_init(struct vp_om_labels *l)
{
	l->buf[0] = '\0';
	l->len = 0;
}

/* Room for one more byte and the terminator. */
static bool put(struct vp_om_labels *l, char c)
{
	if (l->len + 2 > sizeof(l->buf))
		return false;
	l->buf[l->len++] = c;
	l->buf[l->len] = '\0';
	return true;
}

static bool puts_all(struct vp_om_labels *l, const char *s)
{
	size_t n = strlen(s);

	if (l->len + n + 1 > sizeof(l->buf))
		return false;
	memcpy(l->buf + l->len, s, n + 1);
	l->len += n;
	return true;
}

void vp_om_label(struct vp_om_labels *l, const char *name, const char *value)
{
	/* the closing quote, and a comma before a later label, stay possible */
	const size_t reserve = 2;
	size_t start = l->len;

	if ((l->len && !put(l, ',')) || !puts_all(l, name) || !puts_all(l, "=\"")) {
		l->len = start;
		l->buf[start] = '\0';
		return;
	}
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		const char *esc = *p == '\\'   ? "\\\\"
				  : *p == '"'  ? "\\\""
				  : *p == '\n' ? "\\n"
					       : NULL;
		/* a UTF-8 sequence is kept whole or cut before its lead byte */
		size_t seq = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
		size_t need = esc ? 2 : seq;

		if (l->len + need + reserve + 1 > sizeof(l->buf))
			break;
		if (esc) {
			puts_all(l, esc);
			continue;
		}
		for (size_t i = 0; i < seq && p[i]; i++)
			put(l, (char)p[i]);
		p += seq - 1;
	}
	put(l, '"');
}

void vp_om_label_int(struct vp_om_labels *l, const char *name, long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", v);
	vp_om_label(l, name, buf);
}

struct vp_om_series *vp_om_series(struct vp_om_family *f, const struct vp_om_labels *l)
{
	struct vp_om_series *s;

	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->s[i].labels, l->buf))
			return &f->s[i];
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;

		s = realloc(f->s, cap * sizeof(*s));
		if (!s)
			return NULL;
		f->s = s;
		f->cap = cap;
	}
	s = &f->s[f->n];
	memset(s, 0, sizeof(*s));
	s->labels = strdup(l->buf);
	if (!s->labels)
		return NULL;
	f->n++;
	return s;
}

int vp_om_add(struct vp_om_family *f, const struct vp_om_labels *l, int64_t v)
{
	struct vp_om_series *s = vp_om_series(f, l);

	if (!s)
		return -ENOMEM;
	s->value += v;
	return 0;
}

int vp_om_add_latency(struct vp_om_family *f, const struct vp_om_labels *l, const json_t *lat,
		      int64_t sum_ns)
{
	const json_t *slots = json_object_get(lat, "log2_slots");
	struct vp_om_series *s;

	if (!json_is_array(slots))
		return 0;
	s = vp_om_series(f, l);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < VP_OM_SLOTS && i < json_array_size(slots); i++)
		s->slots[i] += (uint64_t)json_integer_value(json_array_get(slots, i));
	s->sum_ns += sum_ns;
	return 0;
}

/* Nanoseconds as seconds, exactly: "0.000001024", "12.5", "0". */
static const char *seconds(int64_t ns, char *buf, size_t len)
{
	size_t n;

	if (ns < 0)
		ns = 0;
	n = (size_t)snprintf(buf, len, "%" PRId64 ".%09" PRId64, ns / 1000000000, ns % 1000000000);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

static const char *value(const struct vp_om_family *f, int64_t v, char *buf, size_t len)
{
	if (f->seconds)
		return seconds(v, buf, len);
	snprintf(buf, len, "%" PRId64, v);
	return buf;
}

static void head(FILE *out, const struct vp_om_family *f, enum vp_metrics_format fmt)
{
	static const char *const types[] = { [VP_OM_COUNTER] = "counter",
					     [VP_OM_GAUGE] = "gauge",
					     [VP_OM_HISTOGRAM] = "histogram",
					     [VP_OM_INFO] = "info" };
	bool om = fmt == VP_METRICS_OPENMETRICS;
	const char *suffix = "";

	if (!om && f->type == VP_OM_COUNTER)
		suffix = "_total";
	else if (!om && f->type == VP_OM_INFO)
		suffix = "_info";
	fprintf(out, "# HELP %s%s %s\n", f->name, suffix, f->help);
	/* 0.0.4 has no info type: its samples are a gauge's */
	fprintf(out, "# TYPE %s%s %s\n", f->name, suffix,
		!om && f->type == VP_OM_INFO ? "gauge" : types[f->type]);
	if (om && f->seconds)
		fprintf(out, "# UNIT %s seconds\n", f->name);
}

static void bucket(FILE *out, const char *name, const char *labels, const char *le, uint64_t n)
{
	fprintf(out, "%s_bucket{%s%sle=\"%s\"} %" PRIu64 "\n", name, labels, *labels ? "," : "", le,
		n);
}

static void histogram(FILE *out, const struct vp_om_family *f, const struct vp_om_series *s)
{
	const char *open = *s->labels ? "{" : "", *close = *s->labels ? "}" : "";
	uint64_t cum = 0;
	char le[32];

	/* slot i ends at 2^(i+1) ns; the last one holds everything slower */
	for (int i = 0; i < VP_OM_SLOTS - 1; i++) {
		cum += s->slots[i];
		bucket(out, f->name, s->labels, seconds(INT64_C(1) << (i + 1), le, sizeof(le)),
		       cum);
	}
	cum += s->slots[VP_OM_SLOTS - 1];
	bucket(out, f->name, s->labels, "+Inf", cum);
	fprintf(out, "%s_count%s%s%s %" PRIu64 "\n", f->name, open, s->labels, close, cum);
	fprintf(out, "%s_sum%s%s%s %s\n", f->name, open, s->labels, close,
		seconds(s->sum_ns, le, sizeof(le)));
}

void vp_om_print(FILE *out, const struct vp_om_family *f, enum vp_metrics_format fmt)
{
	const char *suffix = f->type == VP_OM_COUNTER ? "_total"
			     : f->type == VP_OM_INFO  ? "_info"
						      : "";
	char buf[32];

	if (!f->n)
		return;
	head(out, f, fmt);
	for (size_t i = 0; i < f->n; i++) {
		const struct vp_om_series *s = &f->s[i];

		if (f->type == VP_OM_HISTOGRAM) {
			histogram(out, f, s);
			continue;
		}
		fprintf(out, "%s%s%s%s%s %s\n", f->name, suffix, *s->labels ? "{" : "", s->labels,
			*s->labels ? "}" : "", value(f, s->value, buf, sizeof(buf)));
	}
}

void vp_om_free(struct vp_om_family *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->s[i].labels);
	free(f->s);
	f->s = NULL;
	f->n = f->cap = 0;
}
