// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "compare_doc.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "attribution.h"
#include "doc_writer.h"

static json_t *rw(uint64_t reads, uint64_t writes)
{
	return json_pack("{s:I, s:I}", "reads", (json_int_t)reads, "writes", (json_int_t)writes);
}

/* Quantile q of sorted v[0..n) by linear interpolation between ranks. */
static double quantile(const double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)pos;

	return lo + 1 < n ? v[lo] + (pos - (double)lo) * (v[lo + 1] - v[lo]) : v[n - 1];
}

/*
 * The runs' noise: their interquartile range over the median.  One run
 * stalled by a busy host moves min or max a long way but the quartiles
 * little, and the gate widens its tolerance by this figure.
 */
static json_t *spread_json(const struct vp_compare_row *r)
{
	double v[VP_MAX_REPEAT];

	if (r->us_per_op <= 0 || !r->nruns)
		return json_null();
	memcpy(v, r->runs, r->nruns * sizeof(*v));
	vp_median(v, r->nruns); /* sorts v */
	return json_real((quantile(v, r->nruns, 0.75) - quantile(v, r->nruns, 0.25)) /
			 r->us_per_op * 100.0);
}

static json_t *timing_json(const struct vp_compare_row *r)
{
	json_t *runs = json_array();
	double lo = -1, hi = -1;

	for (size_t i = 0; i < r->nruns; i++) {
		json_array_append_new(runs, json_real(r->runs[i]));
		lo = lo < 0 || r->runs[i] < lo ? r->runs[i] : lo;
		hi = r->runs[i] > hi ? r->runs[i] : hi;
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "us_per_op",
			 vp_json_num_or_null(r->us_per_op), "runs_us_per_op", runs, "min",
			 vp_json_num_or_null(lo), "max", vp_json_num_or_null(hi), "spread_pct",
			 spread_json(r), "us_per_op_profiled",
			 vp_json_num_or_null(r->us_per_op_profiled));
}

static json_t *row_json(const struct vp_compare_row *r)
{
	uint64_t in_kernel = r->ioeventfd + r->coalesced;
	double cycles_per_op = r->ran ? vp_compare_per_op(r->cycles, r->ops) : -1.0;
	json_t *o = json_pack(
		"{s:s, s:o, s:o, s:s, s:s, s:s, s:b, s:s, s:I, s:o}", "name", r->name, "group",
		vp_json_text(r->group), "path", vp_json_text(r->path), "device", r->dev->id,
		"device_class", vp_device_class_name(r->dev->cls), "params",
		r->params ? r->params : "", "ran", r->ran, "status", r->status, "ops",
		(json_int_t)r->ops, "bytes_per_op",
		r->ran ? vp_json_num_or_null(vp_compare_per_op(r->bytes, r->ops)) : json_null());

	if (!o)
		return NULL;
	json_object_set_new(
		o, "exits_per_op",
		json_pack("{s:o, s:o, s:o}", "to_user",
			  r->ran ? vp_json_num_or_null(vp_compare_per_op(r->to_user, r->ops))
				 : json_null(),
			  "in_kernel",
			  r->ran ? vp_json_num_or_null(vp_compare_per_op(in_kernel, r->ops))
				 : json_null(),
			  "total", vp_json_num_or_null(vp_compare_exits_per_op(r))));
	json_object_set_new(o, "accesses",
			    json_pack("{s:o, s:o, s:o}", "qemu", rw(r->qemu_reads, r->qemu_writes),
				      "guest", rw(r->guest_reads, r->guest_writes), "firmware",
				      rw(r->fw_reads, r->fw_writes)));
	json_object_set_new(o, "in_kernel",
			    json_pack("{s:I, s:I, s:s}", "ioeventfd", (json_int_t)r->ioeventfd,
				      "coalesced", (json_int_t)r->coalesced, "source",
				      r->in_kernel_measured ? "kvm" : "derived"));
	json_object_set_new(
		o, "interrupts",
		json_pack("{s:I, s:o}", "count", (json_int_t)r->interrupts, "per_op",
			  r->ran ? vp_json_num_or_null(vp_compare_per_op(r->interrupts, r->ops))
				 : json_null()));
	json_t *ev = json_object();

	for (size_t k = 0; k < r->nevents; k++)
		json_object_set_new(
			ev, r->events[k].name,
			vp_json_num_or_null(vp_compare_per_op(r->events[k].guest, r->ops)));
	json_object_set_new(o, "qemu_events_per_op", ev);
	json_object_set_new(o, "host_ns_per_op",
			    json_pack("{s:o, s:o}", "kernel",
				      vp_json_num_or_null(r->kernel_ns_per_op), "qemu",
				      vp_json_num_or_null(r->qemu_ns_per_op)));
	json_object_set_new(o, "guest",
			    json_pack("{s:I, s:I, s:o}", "cycles", (json_int_t)r->cycles, "tsc_khz",
				      (json_int_t)r->tsc_khz, "cycles_per_op",
				      vp_json_num_or_null(cycles_per_op)));
	json_object_set_new(o, "timing", timing_json(r));
	json_object_set_new(o, "events_not_recorded", json_integer((json_int_t)r->not_recorded));
	if (r->error[0])
		json_object_set_new(o, "error", vp_json_text(r->error));
	return o;
}

json_t *vp_compare_doc(const struct vp_compare *cmp, const char *qemu)
{
	bool kvm = !strcmp(cmp->accel, "kvm");
	char version[128];
	struct vp_doc_meta m = {
		.command = "compare",
		.accelerator = cmp->accel[0] ? cmp->accel : NULL,
		.qemu_binary = qemu,
		.qemu_version = version,
		.qemu_usdt = true,
		.vm_exits_measured = kvm,
		.attribution_source = vp_attr_source_name(VP_ATTR_USDT),
		.attribution_detail = "memory_region_ops_read/write and QEMU's interrupt events; "
				      "the firmware's accesses (before its last fw_cfg access) "
				      "are left out",
		.duration_s = -1,
	};
	json_t *doc, *rows = json_array(), *speedups = json_array();
	char lost_note[200];
	uint64_t lost = 0;

	vp_qemu_version(qemu, version, sizeof(version));
	if (!kvm)
		m.notes[m.nnotes++] =
			"TCG: no KVM, so no VM exits; exits per op are QEMU's own "
			"dispatches (each one exit under KVM) and in-kernel counts are "
			"derived from the guest's own";
	if (kvm && cmp->kvm_exit_silent)
		m.notes[m.nnotes++] = "kvm_exit/kvm_entry did not fire on this host: exits are "
				      "counted, but no in-kernel handling time";
	for (size_t i = 0; i < cmp->n; i++)
		lost += cmp->rows[i].not_recorded;
	if (lost) {
		snprintf(lost_note, sizeof(lost_note),
			 "%" PRIu64 " events did not fit the kernel's tables "
			 "(events_not_recorded per workload): those workloads' exits per op "
			 "are low by up to that many",
			 lost);
		m.notes[m.nnotes++] = lost_note;
	}
	if (!(doc = vp_doc_new(&m)))
		return NULL;
	for (size_t i = 0; i < cmp->n; i++)
		json_array_append_new(rows, row_json(&cmp->rows[i]));
	for (size_t i = 0; i < cmp->nspeedups; i++) {
		const struct vp_compare_speedup *s = &cmp->speedups[i];

		json_array_append_new(speedups,
				      json_pack("{s:s, s:s, s:s, s:o, s:o}", "group", s->group,
						"paravirtual", cmp->rows[s->paravirtual].name,
						"emulated", cmp->rows[s->emulated].name, "ratio",
						vp_json_num_or_null(s->ratio), "exits_ratio",
						vp_json_num_or_null(s->exits_ratio)));
	}
	json_object_set_new(doc, "workloads", rows);
	json_object_set_new(doc, "speedups", speedups);
	return doc;
}
