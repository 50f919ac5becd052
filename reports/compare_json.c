// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "compare_json.h"

#include "report_json.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Unknown values (no ops, no TSC rate) are null, never a made-up number. */
static json_t *num_or_null(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static json_t *side(uint64_t reads, uint64_t writes, uint64_t ops)
{
	return json_pack("{s:I, s:I, s:o}", "reads", (json_int_t)reads, "writes",
			 (json_int_t)writes, "per_op", num_or_null(vp_compare_per_op(reads + writes, ops)));
}

static json_t *row_json(const struct vp_compare_row *r)
{
	json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:o}", "name",
			      r->w->name, "group", r->w->group ? json_string(r->w->group) : json_null(),
			      "path", r->w->path ? json_string(r->w->path) : json_null(), "device",
			      r->dev->id, "device_class", vp_device_class_name(r->dev->cls), "status",
			      r->status, "ran", r->ran, "ops", (json_int_t)r->ops, "cycles",
			      (json_int_t)r->cycles, "tsc_khz", (json_int_t)r->tsc_khz, "us_per_op",
			      num_or_null(r->us_per_op));

	if (!o)
		return NULL;
	json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(o, "us_per_op_profiled", num_or_null(r->us_per_op_profiled));
	json_object_set_new(o, "timing_status",
			    r->timing_status[0] ? json_string(r->timing_status) : json_null());
	json_object_set_new(o, "append", json_string(r->w->defaults ? r->w->defaults : ""));
	json_object_set_new(o, "qemu_accesses", side(r->qemu_reads, r->qemu_writes, r->ops));
	json_object_set_new(o, "firmware_accesses",
			    json_pack("{s:I, s:I}", "reads", (json_int_t)r->fw_reads, "writes",
				      (json_int_t)r->fw_writes));
	json_object_set_new(o, "guest_accesses", side(r->guest_reads, r->guest_writes, r->ops));
	if (r->error[0])
		json_object_set_new(o, "error", json_string(r->error));
	return o;
}

json_t *vp_compare_to_json(const struct vp_compare *cmp)
{
	json_t *rows = json_array(), *speedups = json_array();
	bool tcg = !strcmp(cmp->accel, "tcg");

	for (size_t i = 0; i < cmp->n; i++)
		json_array_append_new(rows, row_json(&cmp->rows[i]));
	for (size_t i = 0; i < cmp->nspeedups; i++) {
		const struct vp_compare_speedup *s = &cmp->speedups[i];

		json_array_append_new(speedups,
				      json_pack("{s:s, s:s, s:s, s:o}", "group", s->group,
						"paravirtual", cmp->rows[s->paravirtual].w->name,
						"emulated", cmp->rows[s->emulated].w->name, "ratio",
						num_or_null(s->ratio)));
	}
	return json_pack("{s:s, s:s, s:b, s:s, s:s, s:o, s:o}", "schema", VP_COMPARE_SCHEMA,
			 "accel", cmp->accel[0] ? cmp->accel : "unknown", "vm_exits_measured", 0,
			 "access_source", "qemu-usdt", "note",
			 tcg ? "TCG: no KVM, so no VM exits; accesses are QEMU's own"
			     : "VM exits are not measured by --compare; accesses are QEMU's own",
			 "workloads", rows, "speedups", speedups);
}

int vp_compare_json_write(const struct vp_compare *cmp, const char *path)
{
	return vp_json_dump_atomic(vp_compare_to_json(cmp), path);
}
