// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The chart sections of the HTML report: each maps one part of the result
 * document onto the primitives of report_html_svg.c.  Bars keep the
 * document's row index (data-row) so a test can match every drawn number
 * to the JSON it came from, whatever order the chart shows them in.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_html_int.h"

#define ATTR_LEN 128
#define SUB_LEN	 96

/* Bars with their attribute and sub-label storage, freed in one go. */
struct bars {
	struct vh_bar *bar;
	char (*attr)[ATTR_LEN];
	char (*sub)[SUB_LEN];
	size_t n;
};

static bool bars_alloc(struct bars *b, size_t n)
{
	b->n = 0;
	b->bar = calloc(n ? n : 1, sizeof(*b->bar));
	b->attr = calloc(n ? n : 1, sizeof(*b->attr));
	b->sub = calloc(n ? n : 1, sizeof(*b->sub));
	return b->bar && b->attr && b->sub;
}

static void bars_free(struct bars *b)
{
	free(b->bar);
	free(b->attr);
	free(b->sub);
}

static const char *label_or(const char *s, const char *fallback)
{
	return s && *s ? s : fallback;
}

/* Most time first; rows without a time go last, in document order. */
static int by_time_desc(const void *a, const void *b)
{
	const struct vh_bar *x = a, *y = b;
	double tx = isnan(x->v[0]) ? -1 : x->v[0], ty = isnan(y->v[0]) ? -1 : y->v[0];

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return strcmp(x->extra_attr, y->extra_attr);
}

static void where_text(const json_t *row, char *buf, size_t len)
{
	const char *where = vp_doc_str(row, "where");
	const json_t *vcpu = vp_doc_get(row, "vcpu");
	const char *isa = vp_doc_str(row, "isa");
	char v[24];

	if (json_is_integer(vcpu))
		snprintf(v, sizeof(v), "vCPU %lld", (long long)json_integer_value(vcpu));
	else
		snprintf(v, sizeof(v), "vCPU ?");
	if (where && !strcmp(where, "user"))
		snprintf(buf, len, "%s \xc2\xb7 QEMU", v);
	else if (where && !strcmp(where, "kernel"))
		snprintf(buf, len, "%s \xc2\xb7 kernel%s%s", v, isa ? " " : "",
			 isa && strlen(isa) < 8 ? isa : "");
	else
		snprintf(buf, len, "%s", v);
}

void vh_exit_reason_chart(FILE *out, const json_t *profile)
{
	static const struct vh_series_style styles[] = {
		{ "time_ns", "exit to QEMU (user space)", VH_C_USER },
		{ "time_ns", "handled in the kernel", VH_C_KERNEL },
	};
	const struct vh_hbar_chart chart = { .id = "chart-exit-reasons",
					     .axis_label = "total time of the exits",
					     .fmt = vp_fmt_ns,
					     .nseg = 1,
					     .styles = styles,
					     .nstyles = 2 };
	const json_t *rows = vp_doc_get(profile, "exit_reasons");
	struct bars b;

	if (!json_is_array(rows) || !json_array_size(rows))
		return;
	if (!bars_alloc(&b, json_array_size(rows)))
		goto out;
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);
		const char *where = vp_doc_str(row, "where");
		struct vh_bar *bar = &b.bar[b.n];
		char cnt[32];

		where_text(row, b.sub[b.n], SUB_LEN);
		vh_fmt_raw(vp_doc_num_or(row, "count", NAN), cnt, sizeof(cnt));
		/* Zero-padded so the tie-break of the sort is document order. */
		snprintf(b.attr[b.n], ATTR_LEN,
			 "data-row=\"%08zu\" data-count=\"%s\" data-where=\"%s\"", i, cnt,
			 where && !strcmp(where, "kernel") ? "kernel"
			 : where && !strcmp(where, "user") ? "user"
							   : "");
		*bar = (struct vh_bar){ .label = label_or(vp_doc_str(row, "reason"), "?"),
					.sub = b.sub[b.n],
					.v = { vp_doc_num_or(row, "time_ns", NAN), NAN },
					.color = where && !strcmp(where, "kernel") ? 1 : 0,
					.extra_attr = b.attr[b.n] };
		b.n++;
	}
	qsort(b.bar, b.n, sizeof(*b.bar), by_time_desc);
	vh_hbar(out, &chart, b.bar, b.n);
out:
	bars_free(&b);
}

void vh_device_chart(FILE *out, const json_t *profile)
{
	static const struct vh_series_style styles[] = {
		{ "to_user", "exit to QEMU", VH_C_USER },
		{ "in_kernel", "served in the kernel (ioeventfd, coalesced MMIO)", VH_C_INKERNEL },
	};
	const struct vh_hbar_chart chart = { .id = "chart-devices",
					     .axis_label = "accesses",
					     .fmt = vp_fmt_count,
					     .nseg = 2,
					     .styles = styles,
					     .nstyles = 2 };
	const json_t *rows = vp_doc_get(profile, "devices");
	struct bars b;

	if (!json_is_array(rows) || !json_array_size(rows))
		return;
	if (bars_alloc(&b, json_array_size(rows))) {
		for (size_t i = 0; i < json_array_size(rows); i++, b.n++) {
			const json_t *row = json_array_get(rows, i);

			snprintf(b.attr[i], ATTR_LEN, "data-row=\"%zu\"", i);
			snprintf(b.sub[i], SUB_LEN, "%s", label_or(vp_doc_str(row, "device"), "?"));
			b.bar[i] = (struct vh_bar){ .label = label_or(vp_doc_str(row, "name"),
								      b.sub[i]),
						    .sub = b.sub[i],
						    .v = { vp_doc_num_or(row, "to_user", NAN),
							   vp_doc_num_or(row, "in_kernel", NAN) },
						    .extra_attr = b.attr[i] };
		}
		vh_hbar(out, &chart, b.bar, b.n);
	}
	bars_free(&b);
}

void vh_workload_exit_chart(FILE *out, const json_t *workloads)
{
	static const struct vh_series_style styles[] = {
		{ "to_user", "exits to QEMU per op", VH_C_USER },
		{ "in_kernel", "served in the kernel per op", VH_C_INKERNEL },
	};
	const struct vh_hbar_chart chart = { .id = "chart-workload-exits",
					     .axis_label = "device accesses per guest operation",
					     .fmt = vp_fmt_per_op,
					     .nseg = 2,
					     .styles = styles,
					     .nstyles = 2 };
	struct bars b;

	if (!json_is_array(workloads) || !json_array_size(workloads))
		return;
	if (bars_alloc(&b, json_array_size(workloads))) {
		for (size_t i = 0; i < json_array_size(workloads); i++, b.n++) {
			const json_t *w = json_array_get(workloads, i);

			snprintf(b.attr[i], ATTR_LEN, "data-row=\"%zu\"", i);
			snprintf(b.sub[i], SUB_LEN, "%s",
				 label_or(vp_doc_str(w, "device"), VH_DASH));
			b.bar[i] = (struct vh_bar){
				.label = label_or(vp_doc_str(w, "name"), "?"),
				.sub = b.sub[i],
				.v = { vp_doc_num_or(w, "exits_per_op.to_user", NAN),
				       vp_doc_num_or(w, "exits_per_op.in_kernel", NAN) },
				.extra_attr = b.attr[i]
			};
		}
		vh_hbar(out, &chart, b.bar, b.n);
	}
	bars_free(&b);
}

void vh_speedup_chart(FILE *out, const json_t *speedups)
{
	static const struct vh_series_style time_style[] = {
		{ "ratio", "time per operation, emulated \xc3\xb7 paravirtual", "#5a4fb0" },
	};
	static const struct vh_series_style exit_style[] = {
		{ "exits_ratio", "exits per operation, emulated \xc3\xb7 paravirtual", "#a23b72" },
	};
	const struct vh_hbar_chart charts[] = {
		{ .id = "chart-speedup-time",
		  .axis_label =
			  "speed-up, log scale (above 1\xc3\x97 the paravirtual device is faster)",
		  .fmt = vh_fmt_ratio,
		  .nseg = 1,
		  .styles = time_style,
		  .nstyles = 1,
		  .log_scale = true },
		{ .id = "chart-speedup-exits",
		  .axis_label = "times fewer exits, log scale",
		  .fmt = vh_fmt_ratio,
		  .nseg = 1,
		  .styles = exit_style,
		  .nstyles = 1,
		  .log_scale = true },
	};
	struct bars b;

	if (!json_is_array(speedups) || !json_array_size(speedups))
		return;
	fputs("<div id=\"chart-speedups\" class=\"chart-pair\">\n", out);
	for (int c = 0; c < 2; c++) {
		if (!bars_alloc(&b, json_array_size(speedups))) {
			bars_free(&b);
			break;
		}
		for (size_t i = 0; i < json_array_size(speedups); i++, b.n++) {
			const json_t *s = json_array_get(speedups, i);

			snprintf(b.attr[i], ATTR_LEN, "data-row=\"%zu\"", i);
			snprintf(b.sub[i], SUB_LEN, "vs %s",
				 label_or(vp_doc_str(s, "emulated"), "?"));
			b.bar[i] = (struct vh_bar){
				.label = label_or(vp_doc_str(s, "paravirtual"), "?"),
				.sub = b.sub[i],
				.v = { vp_doc_num_or(s, c ? "exits_ratio" : "ratio", NAN), NAN },
				.extra_attr = b.attr[i]
			};
		}
		vh_hbar(out, &charts[c], b.bar, b.n);
		bars_free(&b);
	}
	fputs("</div>\n", out);
}

static void hist_grid(FILE *out, const char *grid_id, const char *prefix, const json_t *rows,
		      bool reasons)
{
	bool any = false;

	for (size_t i = 0; i < json_array_size(rows); i++)
		any |= json_is_object(vp_doc_get(json_array_get(rows, i), "latency"));
	if (!any)
		return;
	fprintf(out, "<div id=\"%s\" class=\"hist-grid\">\n", grid_id);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);
		char id[48], sub[SUB_LEN];

		if (!json_is_object(vp_doc_get(row, "latency")))
			continue;
		snprintf(id, sizeof(id), "%s-%zu", prefix, i);
		if (reasons)
			where_text(row, sub, sizeof(sub));
		else
			snprintf(sub, sizeof(sub), "%s \xc2\xb7 QEMU time per exit",
				 label_or(vp_doc_str(row, "device"), "?"));
		vh_histogram(out, id,
			     label_or(vp_doc_str(row, reasons ? "reason" : "name"),
				      vp_doc_str(row, "device")),
			     sub, vp_doc_get(row, "latency"));
	}
	fputs("</div>\n", out);
}

void vh_latency_section(FILE *out, const json_t *profile)
{
	const json_t *reasons = vp_doc_get(profile, "exit_reasons"),
		     *devices = vp_doc_get(profile, "devices");

	if (!json_array_size(reasons) && !json_array_size(devices))
		return;
	fputs("<section id=\"latency\"><h2>Latency distributions</h2>\n<p class=\"lede\">Time of "
	      "each exit in "
	      "log\xe2\x82\x82 buckets: exits to QEMU are timed from the exit to the next KVM_RUN, "
	      "in-kernel "
	      "exits from kvm_exit to kvm_entry.  Marks show p50, p90, p99 and the maximum.</p>\n",
	      out);
	if (json_array_size(reasons)) {
		fputs("<h3>Per exit reason</h3>\n", out);
		hist_grid(out, "latency-reasons", "hist-reason", reasons, true);
	}
	if (json_array_size(devices)) {
		fputs("<h3>Per device</h3>\n", out);
		hist_grid(out, "latency-devices", "hist-device", devices, false);
	}
	fputs("</section>\n", out);
}

#define TL_MAX_VCPUS 8

void vh_timeline_section(FILE *out, const json_t *profile)
{
	static const char *const palette[TL_MAX_VCPUS] = { "#3b6fb6", "#c0392b", "#4d9a5a",
							   "#8e44ad", "#e0892b", "#16a3a3",
							   "#7f6a3a", "#d6478f" };
	const json_t *samples = vp_doc_get(profile, "timeline.samples");
	long long vcpus[TL_MAX_VCPUS];
	struct vh_line lines[2 * TL_MAX_VCPUS];
	double *buf;
	size_t n = json_array_size(samples), nv = 0, dropped = 0;
	char names[2 * TL_MAX_VCPUS][48], keys[2][16] = { "exits_to_user", "kernel_exits" };

	if (!n)
		return;
	/* Up to TL_MAX_VCPUS lines pairs: more would be unreadable. */
	for (size_t i = 0; i < n; i++) {
		const json_t *v = vp_doc_get(json_array_get(samples, i), "vcpu");
		long long id = json_is_integer(v) ? json_integer_value(v) : -1;
		size_t k = 0;

		while (k < nv && vcpus[k] != id)
			k++;
		if (k == nv && nv < TL_MAX_VCPUS)
			vcpus[nv++] = id;
		else if (k == nv)
			dropped++;
	}
	buf = calloc(4 * nv * n, sizeof(double));
	if (!buf)
		return;
	for (size_t k = 0; k < nv; k++) {
		for (int s = 0; s < 2; s++) {
			struct vh_line *l = &lines[2 * k + s];

			snprintf(names[2 * k + s], sizeof(names[0]), "vCPU %s%lld %s",
				 vcpus[k] < 0 ? "?" : "", vcpus[k] < 0 ? 0 : vcpus[k],
				 s ? "in kernel" : "to QEMU");
			*l = (struct vh_line){ .key = keys[s],
					       .name = names[2 * k + s],
					       .color = palette[k],
					       .dashed = s == 1,
					       .vcpu = (int)vcpus[k],
					       .x = buf + (4 * k + 2 * s) * n,
					       .y = buf + (4 * k + 2 * s + 1) * n };
		}
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *smp = json_array_get(samples, i), *v = vp_doc_get(smp, "vcpu");
		long long id = json_is_integer(v) ? json_integer_value(v) : -1;
		double t = vp_doc_num_or(smp, "t", NAN);

		for (size_t k = 0; k < nv && !isnan(t); k++) {
			if (vcpus[k] != id)
				continue;
			for (int s = 0; s < 2; s++) {
				struct vh_line *l = &lines[2 * k + s];
				double y = vp_doc_num_or(smp, keys[s], NAN);

				if (isnan(y))
					continue;
				((double *)l->x)[l->n] = t;
				((double *)l->y)[l->n++] = y;
			}
		}
	}
	fputs("<section id=\"timeline\"><h2>Exits over time</h2>\n<p class=\"lede\">Exits per vCPU "
	      "in each "
	      "interval",
	      out);
	if (!isnan(vp_doc_num_or(profile, "timeline.interval_s", NAN)))
		fprintf(out, " of %g s", vp_doc_num_or(profile, "timeline.interval_s", NAN));
	fputs(": solid lines exit to QEMU, dashed lines are handled in the kernel.", out);
	if (dropped)
		fprintf(out, " Only the first %d vCPUs are drawn.", TL_MAX_VCPUS);
	fputs("</p>\n", out);
	vh_line_chart(out, "chart-timeline", "time since the start of the profile",
		      "exits per interval", lines, 2 * nv);
	fputs("</section>\n", out);
	free(buf);
}
