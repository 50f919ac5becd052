// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The regression gate's judgement.  Per-op exit and interrupt counts are
 * properties of the code under test (the same guest does the same accesses
 * every run), so any increase past the tolerance is real.  Times are not:
 * they only fail when the increase is larger than both the tolerance and
 * the spread the runs themselves showed, or CI would flap on a busy host.
 */
#include "gate.h"

#include "doc_access.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	bool timing;
} metrics[VP_GM_COUNT] = {
	[VP_GM_EXITS] = { "exits_per_op", false },
	[VP_GM_USER_EXITS] = { "user_exits_per_op", false },
	[VP_GM_KERNEL_EXITS] = { "kernel_exits_per_op", false },
	[VP_GM_INTERRUPTS] = { "interrupts_per_op", false },
	[VP_GM_US] = { "us_per_op", true },
	[VP_GM_HOST_NS] = { "host_ns_per_op", true },
};

/* Relative slack for doubles that went through printf and back. */
#define EPSILON 1e-9

const char *vp_gate_metric_name(enum vp_gate_metric m)
{
	return (unsigned)m < VP_GM_COUNT ? metrics[m].name : "?";
}

bool vp_gate_metric_is_timing(enum vp_gate_metric m)
{
	return (unsigned)m < VP_GM_COUNT && metrics[m].timing;
}

int vp_gate_metric_parse(const char *name)
{
	for (int m = 0; m < VP_GM_COUNT; m++)
		if (!strcmp(name, metrics[m].name))
			return m;
	return -1;
}

void vp_gate_metric_list(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (int m = 0; m < VP_GM_COUNT && off < len; m++)
		off += snprintf(buf + off, len - off, "%s%s", m ? ", " : "", metrics[m].name);
}

/* The metric of workload w, false when null (not measured). */
static bool metric_value(const json_t *w, enum vp_gate_metric m, double *out)
{
	const json_t *v, *k;

	switch (m) {
	case VP_GM_EXITS: v = vp_doc_get(w, "exits_per_op.total"); break;
	case VP_GM_USER_EXITS: v = vp_doc_get(w, "exits_per_op.to_user"); break;
	case VP_GM_KERNEL_EXITS: v = vp_doc_get(w, "exits_per_op.in_kernel"); break;
	case VP_GM_INTERRUPTS: v = vp_doc_get(w, "interrupts.per_op"); break;
	case VP_GM_US: v = vp_doc_get(w, "timing.us_per_op"); break;
	case VP_GM_HOST_NS:
		/* half a sum would compare unlike with like: both or nothing */
		v = vp_doc_get(w, "host_ns_per_op.qemu");
		k = vp_doc_get(w, "host_ns_per_op.kernel");
		if (!json_is_number(v) || !json_is_number(k))
			return false;
		*out = json_number_value(v) + json_number_value(k);
		return true;
	default: return false;
	}
	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

static const char *text_of(const json_t *w, const char *key)
{
	const char *s = json_string_value(json_object_get(w, key));

	return s ? s : "";
}

static bool workload_ok(const json_t *w)
{
	return json_is_true(json_object_get(w, "ran")) && !strcmp(text_of(w, "status"), "ok");
}

static const char *name_of(const json_t *w)
{
	return text_of(w, "name");
}

static const json_t *find(const json_t *workloads, const char *name)
{
	const json_t *w;
	size_t i;

	json_array_foreach (workloads, i, w)
		if (!strcmp(name_of(w), name))
			return w;
	return NULL;
}

static double spread_of(const json_t *w, size_t *runs)
{
	const json_t *s = vp_doc_get(w, "timing.spread_pct");

	*runs = json_array_size(vp_doc_get(w, "timing.runs_us_per_op"));
	return json_is_number(s) ? json_number_value(s) : NAN;
}

static struct vp_gate_row *add_row(struct vp_gate_result *r, size_t *cap, const char *workload,
				   int metric, enum vp_gate_verdict verdict)
{
	struct vp_gate_row *row;

	if (r->nrows == *cap) {
		size_t n = *cap ? *cap * 2 : 32;
		struct vp_gate_row *rows = realloc(r->rows, n * sizeof(*rows));

		if (!rows)
			return NULL;
		r->rows = rows;
		*cap = n;
	}
	row = &r->rows[r->nrows++];
	*row = (struct vp_gate_row){ .workload = workload,
				     .metric = metric,
				     .verdict = verdict,
				     .spread_baseline = NAN,
				     .spread_current = NAN };
	if (verdict == VP_GATE_MISSING || verdict == VP_GATE_FAILED)
		r->nregressions++;
	return row;
}

static void judge(struct vp_gate_row *row, const json_t *b, const json_t *c,
		  const struct vp_gate_config *cfg)
{
	double allowed = cfg->max_increase_pct, limit;

	row->has_baseline = metric_value(b, row->metric, &row->baseline);
	row->has_current = metric_value(c, row->metric, &row->current);
	if (vp_gate_metric_is_timing(row->metric)) {
		/* the noise comes from the unprofiled runs; host_ns_per_op has
		 * no repeat of its own and is assumed as noisy as they are */
		row->spread_baseline = spread_of(b, &row->runs_baseline);
		row->spread_current = spread_of(c, &row->runs_current);
		if (row->spread_baseline > allowed) /* false for NAN */
			allowed = row->spread_baseline;
		if (row->spread_current > allowed)
			allowed = row->spread_current;
	}
	row->allowed_pct = allowed;
	if (!row->has_baseline || !row->has_current) {
		row->verdict = VP_GATE_NOT_MEASURED;
		return;
	}
	if (row->baseline != 0)
		row->change_pct = (row->current - row->baseline) / fabs(row->baseline) * 100;
	else
		row->change_pct = row->current > 0 ? INFINITY : row->current < 0 ? -INFINITY : 0;
	limit = row->baseline + fabs(row->baseline) * allowed / 100;
	limit += EPSILON * fmax(fabs(row->baseline), fabs(row->current));
	row->verdict = row->current > limit ? VP_GATE_REGRESSED : VP_GATE_OK;
}

int vp_gate_compare(const json_t *baseline, const json_t *current, const struct vp_gate_config *cfg,
		    struct vp_gate_result *out)
{
	const json_t *bw = json_object_get(baseline, "workloads");
	const json_t *cw = json_object_get(current, "workloads");
	const json_t *b, *c;
	struct vp_gate_row *row;
	size_t i, cap = 0;

	memset(out, 0, sizeof(*out));
	json_array_foreach (bw, i, b) {
		const char *name = name_of(b);

		/* a name listed twice is compared once, as its first entry */
		if (find(bw, name) != b)
			continue;
		c = find(cw, name);
		if (!c) {
			if (!add_row(out, &cap, name, -1, VP_GATE_MISSING))
				goto nomem;
			continue;
		}
		out->nworkloads++;
		if (workload_ok(b) && !workload_ok(c)) {
			/* its metrics are null now: the failure is the news */
			row = add_row(out, &cap, name, -1, VP_GATE_FAILED);
			if (!row)
				goto nomem;
			row->status = json_string_value(json_object_get(c, "status"));
			row->ran = json_is_true(json_object_get(c, "ran"));
			continue;
		}
		for (int m = 0; m < VP_GM_COUNT; m++) {
			if (!(cfg->metrics & (1u << m)))
				continue;
			row = add_row(out, &cap, name, m, VP_GATE_OK);
			if (!row)
				goto nomem;
			judge(row, b, c, cfg);
			out->nregressions += row->verdict == VP_GATE_REGRESSED;
		}
	}
	json_array_foreach (cw, i, c)
		if (find(cw, name_of(c)) == c && !find(bw, name_of(c)) &&
		    !add_row(out, &cap, name_of(c), -1, VP_GATE_NEW))
			goto nomem;
	return 0;
nomem:
	vp_gate_result_free(out);
	return -ENOMEM;
}

void vp_gate_result_free(struct vp_gate_result *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}
