// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "run_doc.h"

#include <stdlib.h>
#include <string.h>

#include "attribution.h"
#include "device_counts.h"
#include "doc_writer.h"

static json_t *rw(uint64_t reads, uint64_t writes)
{
	return json_pack("{s:I, s:I}", "reads", (json_int_t)reads, "writes", (json_int_t)writes);
}

/* The guest's own reasons (bad parameter, failed check): its error: and
 * FAIL: lines, which say why a status is not ok. */
static json_t *reasons_json(const char *text)
{
	json_t *a = json_array();
	char line[512];

	for (const char *p = text ? text : ""; *p;) {
		size_t n = strcspn(p, "\n");

		if (!strncmp(p, "error:", 6) || !strncmp(p, "FAIL:", 5)) {
			snprintf(line, sizeof(line), "%.*s", (int)n, p);
			line[strcspn(line, "\r")] = '\0';
			json_array_append_new(a, vp_json_text(line));
		}
		p += n + (p[n] == '\n');
	}
	return a;
}

static json_t *guest_json(const struct vp_guest_result *r)
{
	json_t *extra, *regions;

	if (!r || !r->valid)
		return json_null();
	extra = json_array();
	regions = json_array();
	for (size_t i = 0; i < r->nextra; i++)
		json_array_append_new(extra,
				      json_pack("{s:o, s:o}", "key", vp_json_text(r->extra[i].key),
						"value", vp_json_text(r->extra[i].value)));
	for (size_t i = 0; i < r->nregions; i++) {
		const struct vp_guest_region *g = &r->regions[i];

		json_array_append_new(
			regions,
			json_pack("{s:o, s:s, s:I, s:I, s:I, s:I}", "name", vp_json_text(g->name),
				  "space", g->mmio ? "mmio" : "pio", "base", (json_int_t)g->base,
				  "size", (json_int_t)g->size, "reads", (json_int_t)g->reads,
				  "writes", (json_int_t)g->writes));
	}
	return json_pack(
		"{s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o}",
		"line", vp_json_text(r->line), "workload", vp_json_text(r->workload), "status",
		vp_json_text(r->status), "code", r->code >= 0 ? json_integer(r->code) : json_null(),
		"counts", "ops", (json_int_t)r->ops, "bytes", (json_int_t)r->bytes, "pio_out",
		(json_int_t)r->pio_out, "pio_in", (json_int_t)r->pio_in, "mmio_read",
		(json_int_t)r->mmio_read, "mmio_write", (json_int_t)r->mmio_write, "kicks",
		(json_int_t)r->kicks, "cycles", (json_int_t)r->cycles, "tsc_khz",
		(json_int_t)r->tsc_khz, "extra", extra, "regions", regions);
}

static json_t *usdt_regions(const struct vp_usdt_counts *c, const struct vp_guest_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->n; i++) {
		const struct vp_usdt_region *q = &c->r[i];
		const struct vp_guest_region *g = vp_guest_region_paired(r, q->name);
		json_t *o = json_pack("{s:o, s:I, s:I, s:I}", "name", vp_json_text(q->name), "mr",
				      (json_int_t)q->mr, "reads", (json_int_t)q->reads, "writes",
				      (json_int_t)q->writes);

		json_object_set_new(o, "guest_region",
				    g ? json_pack("{s:o, s:I, s:I}", "name", vp_json_text(g->name),
						  "reads", (json_int_t)g->reads, "writes",
						  (json_int_t)g->writes)
				      : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *usdt_devices(const struct vp_usdt_counts *c, const struct vp_guest_result *r)
{
	struct vp_device_count d[VP_MAX_DEVICE_COUNTS];
	size_t n = vp_profile_by_device(c, r, d, VP_MAX_DEVICE_COUNTS);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:o, s:o, s:o}", "device", d[i].dev->id, "class",
				     vp_device_class_name(d[i].dev->cls), "qemu",
				     rw(d[i].reads, d[i].writes), "firmware",
				     rw(d[i].fw_reads, d[i].fw_writes), "guest",
				     d[i].in_guest ? rw(d[i].guest_reads, d[i].guest_writes)
						   : json_null()));
	return a;
}

/* Interrupts and QEMU's events per device, after the firmware. */
static void usdt_work(const struct vp_usdt_counts *c, json_t *usdt)
{
	struct vp_attribution a = { .usdt = c };
	json_t *irqs = json_array(), *events = json_array();
	struct vp_device_total *t;
	size_t n = vp_device_totals(NULL, &a, &t);

	for (size_t i = 0; i < n; i++) {
		if (t[i].guest_interrupts)
			json_array_append_new(irqs, json_pack("{s:s, s:I}", "device", t[i].dev->id,
							      "raised",
							      (json_int_t)t[i].guest_interrupts));
		for (size_t k = 0; k < t[i].nev; k++)
			if (t[i].ev[k].guest)
				json_array_append_new(
					events, json_pack("{s:s, s:o, s:I}", "device", t[i].dev->id,
							  "event", vp_json_text(t[i].ev[k].name),
							  "count", (json_int_t)t[i].ev[k].guest));
	}
	free(t);
	json_object_set_new(usdt, "interrupts", irqs);
	json_object_set_new(usdt, "events", events);
}

static json_t *usdt_json(const struct vp_usdt_counts *c, const struct vp_guest_result *r)
{
	json_t *o = json_pack("{s:b, s:o, s:o}", "fw_cfg_seen", c->fw_cfg_accesses != 0, "regions",
			      usdt_regions(c, r), "devices", usdt_devices(c, r));

	usdt_work(c, o);
	return o;
}

json_t *vp_run_doc(const struct vp_run_input *in)
{
	const struct vp_guest_result *r = in->guest && in->guest->valid ? in->guest : NULL;
	char version[128], note[256];
	struct vp_doc_meta m = {
		.command = "run",
		.accelerator = in->accel,
		.qemu_binary = in->qemu,
		.qemu_version = version,
		.qemu_usdt = in->usdt != NULL,
		.attribution_source = in->usdt ? vp_attr_source_name(VP_ATTR_USDT) : NULL,
		.attribution_detail = in->usdt ? "memory_region_ops_read/write and QEMU's "
						 "interrupt and device events"
					       : "not profiled",
		.duration_s = -1,
		.usdt_counts_dropped = in->usdt ? in->usdt->dropped_counts : 0,
		.usdt_names_dropped = in->usdt ? in->usdt->dropped_names : 0,
	};
	json_t *doc, *run;

	vp_qemu_version(in->qemu, version, sizeof(version));
	if (in->missing_device) {
		snprintf(note, sizeof(note), "QEMU has no %s device: booted without it",
			 in->missing_device);
		m.notes[m.nnotes++] = note;
	}
	if (!(doc = vp_doc_new(&m)))
		return NULL;
	run = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "workload",
			vp_json_text(in->workload), "description", vp_json_text(in->description),
			"params", vp_json_text(in->params ? in->params : ""), "elf",
			vp_json_text(in->elf), "missing_device", vp_json_text(in->missing_device),
			"status", vp_json_text(r ? r->status : "error"), "reasons",
			reasons_json(in->serial), "guest", guest_json(r));
	if (!run) {
		json_decref(doc);
		return NULL;
	}
	if (in->error)
		json_object_set_new(run, "error", vp_json_text(in->error));
	if (in->usdt)
		json_object_set_new(run, "usdt", usdt_json(in->usdt, r));
	json_object_set_new(doc, "run", run);
	return doc;
}
