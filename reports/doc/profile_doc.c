// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The "profile" section of the result document (reports/doc/SCHEMA.md). */
#include "doc_writer.h"

#include <stdlib.h>
#include <string.h>

#include "exit_devices.h"
#include "exit_reasons.h"
#include "labels.h"
#include "qemu_events.h"

static json_t *vcpu_or_null(uint16_t vcpu)
{
	return vcpu == VP_VCPU_UNKNOWN || vcpu == VP_VCPU_ANY ? json_null() : json_integer(vcpu);
}

static bool folded(const struct vp_row *row)
{
	return row->key.flags & VP_KEY_FOLDED;
}

/* A key's code or address, or null on the folded row, which has none. */
static json_t *code_or_null(const struct vp_row *row, uint64_t v)
{
	return folded(row) ? json_null() : json_integer((json_int_t)v);
}

/* Marks the row of events whose own key did not fit in the kernel's table. */
static void mark_folded(json_t *o, const struct vp_row *row)
{
	if (o && folded(row))
		json_object_set_new(o, "folded", json_true());
}

static json_t *events_json(const struct vp_result *r)
{
	static const char *const names[] = {
		[VP_C_EV_EXIT] = "kvm_exit",
		[VP_C_EV_ENTRY] = "kvm_entry",
		[VP_C_EV_USER_EXIT] = "kvm_userspace_exit",
		[VP_C_EV_PIO] = "kvm_pio",
		[VP_C_EV_MMIO] = "kvm_mmio",
		[VP_C_EV_FAST_MMIO] = "kvm_fast_mmio",
		[VP_C_EV_MSR] = "kvm_msr",
		[VP_C_EV_CPUID] = "kvm_cpuid",
		[VP_C_EV_HYPERCALL] = "kvm_hypercall",
		[VP_C_EV_IRQ] = "kvm_irq",
		[VP_C_EV_RUN_ENTER] = "kvm_run_enter",
		[VP_C_EV_RUN_EXIT] = "kvm_run_exit",
	};
	json_t *o = json_object();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i])
			json_object_set_new(o, names[i], json_integer((json_int_t)r->counters[i]));
	return o;
}

/* Nothing times the kernel where kvm_exit never fires (a PVM host): its
 * time is null there, not 0. */
static json_t *kernel_time(const struct vp_result *r, uint64_t ns)
{
	return vp_result_has_exit_events(r) ? json_integer((json_int_t)ns) : json_null();
}

/* KVM_RUN is timed only by a hook on it; without one its figures are
 * null, not 0. */
static json_t *run_figure(const struct vp_result *r, uint64_t v)
{
	return vp_result_total_count(r, VP_K_RUN) ? json_integer((json_int_t)v) : json_null();
}

static json_t *vcpus_json(const struct vp_result *r)
{
	struct vp_vcpu_sum *v;
	size_t n = vp_result_vcpu_sums(r, &v);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:o, s:I, s:I, s:I, s:o, s:o, s:o}", "vcpu",
						     vcpu_or_null(v[i].vcpu), "exits_to_user",
						     (json_int_t)v[i].user, "user_ns",
						     (json_int_t)v[i].user_ns, "kernel_exits",
						     (json_int_t)v[i].kern, "kernel_ns",
						     kernel_time(r, v[i].kern_ns), "kvm_run_calls",
						     run_figure(r, v[i].runs), "kvm_run_ns",
						     run_figure(r, v[i].run_ns)));
	free(v);
	return arr;
}

static json_t *exit_devices_json(const struct vp_profile_input *in, const struct vp_row *row)
{
	struct vp_exit_device *d;
	size_t n = vp_exit_devices(in->r, in->a, row, &d);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I}", "device", d[i].dev->id,
						     "count", (json_int_t)d[i].count, "time_ns",
						     (json_int_t)d[i].kern_ns));
	free(d);
	return arr;
}

static json_t *reason_json(const struct vp_profile_input *in, const struct vp_row *row)
{
	char name[64];
	json_t *o = json_pack(
		"{s:s, s:o, s:s, s:o, s:I, s:I, s:o}", "where",
		row->key.kind == VP_K_USER ? "user" : "kernel", "vcpu", vcpu_or_null(row->key.vcpu),
		"reason", vp_key_name(&row->key, name, sizeof(name)), "code",
		code_or_null(row, row->key.code), "count", (json_int_t)row->st.count, "time_ns",
		(json_int_t)vp_stat_total_ns(&row->st), "latency", vp_json_latency(&row->st));

	if (o && row->key.kind == VP_K_EXIT) {
		if (!folded(row)) /* folded exits may be of either */
			json_object_set_new(
				o, "isa",
				json_string(row->key.isa == VP_ISA_SVM_CODE ? "SVM" : "VMX"));
		json_object_set_new(o, "devices", exit_devices_json(in, row));
	}
	mark_folded(o, row);
	return o;
}

static int by_time(const void *a, const void *b)
{
	const struct vp_row *x = *(const struct vp_row *const *)a,
			    *y = *(const struct vp_row *const *)b;
	uint64_t tx = vp_stat_total_ns(&x->st), ty = vp_stat_total_ns(&y->st);

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return x->st.count < y->st.count ? 1 : x->st.count > y->st.count ? -1 : 0;
}

/* Rows of the given kinds, most costly first across kinds. */
static size_t select_kinds(const struct vp_result *r, const int *kinds, size_t nkinds,
			   const struct vp_row ***out)
{
	size_t n = 0;

	*out = calloc(r->nrows ? r->nrows : 1, sizeof(**out));
	for (size_t i = 0; *out && i < r->nrows; i++)
		for (size_t k = 0; k < nkinds; k++)
			if (r->rows[i].key.kind == kinds[k])
				(*out)[n++] = &r->rows[i];
	if (n)
		qsort(*out, n, sizeof(**out), by_time);
	return n;
}

static json_t *reasons_json(const struct vp_profile_input *in)
{
	static const int kinds[] = { VP_K_USER, VP_K_EXIT };
	const struct vp_row **sel;
	size_t n = select_kinds(in->r, kinds, 2, &sel);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, reason_json(in, sel[i]));
	free(sel);
	return arr;
}

static json_t *devices_json(const struct vp_profile_input *in)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < in->ndev; i++) {
		const struct vp_device_total *t = &in->dev[i];
		json_t *ev = json_object();

		for (size_t k = 0; k < t->nev; k++)
			json_object_set_new(ev, t->ev[k].name,
					    json_integer((json_int_t)t->ev[k].total));
		json_array_append_new(
			arr,
			json_pack("{s:s, s:s, s:s, s:I, s:I, s:{s:I, s:I, s:I}, s:I, s:o, s:I, "
				  "s:o, s:s, s:o}",
				  "device", t->dev->id, "name", t->dev->name, "class",
				  vp_device_class_name(t->dev->cls), "to_user",
				  (json_int_t)t->to_user, "in_kernel",
				  (json_int_t)vp_device_in_kernel(t), "in_kernel_kinds",
				  "ioeventfd", (json_int_t)t->ioeventfd, "coalesced",
				  (json_int_t)t->coalesced, "kernel_device",
				  (json_int_t)t->kernel_dev, "user_ns", (json_int_t)t->user_ns,
				  "kernel_ns", kernel_time(in->r, t->kernel_ns), "interrupts",
				  (json_int_t)t->interrupts, "latency", vp_json_latency(&t->lat),
				  "source", vp_attr_source_name(t->source), "qemu_events", ev));
	}
	return arr;
}

static json_t *accesses_json(const struct vp_profile_input *in)
{
	static const int kinds[] = { VP_K_PIO, VP_K_MMIO, VP_K_FAST_MMIO };
	const struct vp_row **sel;
	size_t n = select_kinds(in->r, kinds, 3, &sel);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct vp_row *row = sel[i];
		struct vp_attr_hit h = vp_attribute_access(in->a, row->key.kind, row->key.addr);
		json_t *o = json_pack(
			"{s:s, s:o, s:i, s:s, s:o, s:I, s:I, s:I, s:o, s:o}", "kind",
			vp_kind_name(row->key.kind), "address", code_or_null(row, row->key.addr),
			"size", row->key.size, "device", h.dev->id, "region",
			vp_json_text(h.region), "count", (json_int_t)row->st.count, "to_user",
			(json_int_t)row->st.user_count, "user_ns", (json_int_t)row->st.user_ns,
			"kernel_ns", kernel_time(in->r, row->st.kern_ns), "latency",
			vp_json_latency(&row->st));

		if (o && row->key.dir)
			json_object_set_new(o, "direction", json_string(vp_dir_name(row->key.dir)));
		mark_folded(o, row);
		json_array_append_new(arr, o);
	}
	free(sel);
	return arr;
}

static json_t *other_json(const struct vp_profile_input *in)
{
	static const int kinds[] = { VP_K_CPUID, VP_K_MSR, VP_K_HYPERCALL, VP_K_IRQ, VP_K_MSI };
	const struct vp_row **sel;
	size_t n = select_kinds(in->r, kinds, 5, &sel);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct vp_row *row = sel[i];
		char name[64];
		json_t *o = json_pack("{s:s, s:s, s:o, s:I}", "kind", vp_kind_name(row->key.kind),
				      "name", vp_key_name(&row->key, name, sizeof(name)), "code",
				      code_or_null(row, row->key.code), "count",
				      (json_int_t)row->st.count);

		if (!o)
			continue;
		if (row->key.kind == VP_K_MSI)
			json_object_set_new(o, "address", code_or_null(row, row->key.addr));
		if (row->key.dir)
			json_object_set_new(o, "direction", json_string(vp_dir_name(row->key.dir)));
		if (row->key.kind == VP_K_IRQ && !folded(row))
			json_object_set_new(
				o, "device",
				json_string(vp_attribute_pin(in->a, row->key.code).dev->id));
		mark_folded(o, row);
		json_array_append_new(arr, o);
	}
	free(sel);
	return arr;
}

/* QEMU's own count of the exits it handled, per KVM_EXIT_* reason
 * (kvm_run_exit): the other side of the kernel's exits to user space. */
static json_t *qemu_exits_json(const struct vp_usdt_counts *c)
{
	json_t *arr = json_array();

	for (size_t i = 0; c && i < c->nevents; i++) {
		const struct vp_usdt_event *e = &c->events[i];
		struct vp_key k = { .kind = VP_K_USER, .code = (__u32)e->obj };
		char name[64];

		if (strcmp(e->e->name, "kvm_run_exit"))
			continue;
		json_array_append_new(arr,
				      json_pack("{s:s, s:I, s:I}", "reason",
						vp_key_name(&k, name, sizeof(name)), "code",
						(json_int_t)e->obj, "count", (json_int_t)e->total));
	}
	return arr;
}

static json_t *timeline_json(const struct vp_timeline *tl)
{
	json_t *samples = json_array();

	for (size_t i = 0; i < tl->n; i++) {
		const struct vp_tl_sample *s = &tl->s[i];

		json_array_append_new(samples,
				      json_pack("{s:f, s:o, s:I, s:I, s:I, s:I}", "t", s->t, "vcpu",
						vcpu_or_null(s->vcpu), "exits_to_user",
						(json_int_t)s->exits_to_user, "kernel_exits",
						(json_int_t)s->kernel_exits, "user_ns",
						(json_int_t)s->user_ns, "kernel_ns",
						(json_int_t)s->kernel_ns));
	}
	return json_pack("{s:f, s:o}", "interval_s", tl->interval_s, "samples", samples);
}

/* What the VM is called, null when its command line does not say. */
static json_t *text_or_null(const char *s)
{
	return *s ? vp_json_text(s) : json_null();
}

/* The slowest exits one by one, a recording's alone: an aggregate has
 * only their distribution. */
static json_t *slowest_json(const struct vp_profile_input *in)
{
	json_t *arr = json_array();
	char buf[64];

	for (size_t i = 0; i < in->nslow; i++) {
		const struct vp_slow_exit *x = &in->slow[i];
		json_t *o = json_pack(
			"{s:f, s:o, s:I, s:I, s:o, s:b}", "start_s", (double)x->start_ns / 1e9,
			"vcpu", x->vcpu >= VP_VCPU_ANY ? json_null() : json_integer(x->vcpu), "tid",
			(json_int_t)x->tid, "total_ns", (json_int_t)x->total_ns, "kernel_ns",
			x->isa ? json_integer((json_int_t)x->kern_ns) : json_null(), "to_user",
			x->to_user);

		if (!o)
			continue;
		json_object_set_new(o, "reason",
				    x->isa ? json_string(vp_exit_reason_format(x->isa, x->reason,
									       buf, sizeof(buf)))
					   : json_null());
		json_object_set_new(o, "code", x->isa ? json_integer(x->reason) : json_null());
		if (x->isa)
			json_object_set_new(o, "isa",
					    json_string(x->isa == VP_ISA_SVM_CODE ? "SVM" : "VMX"));
		json_object_set_new(o, "user_reason",
				    x->to_user ? json_string(vp_kvm_run_exit_format(
							 x->user_reason, buf, sizeof(buf)))
					       : json_null());
		if (x->access.kind) {
			struct vp_attr_hit h =
				vp_attribute_access(in->a, x->access.kind, x->access.addr);
			json_t *a = json_pack("{s:s, s:I, s:i, s:s}", "kind",
					      vp_kind_name(x->access.kind), "address",
					      (json_int_t)x->access.addr, "size", x->access.size,
					      "device", h.dev->id);

			if (a && x->access.dir)
				json_object_set_new(a, "direction",
						    json_string(vp_dir_name(x->access.dir)));
			json_object_set_new(o, "access", a);
		} else {
			json_object_set_new(o, "access", json_null());
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *vp_profile_json(const struct vp_profile_input *in)
{
	const struct vp_meta *m = &in->r->meta;
	json_t *o = json_pack(
		"{s:{s:i, s:o, s:o, s:o, s:b, s:i}, s:b, s:o, s:o, s:o, s:o, s:o, s:o}", "target",
		"pid", m->pid, "comm", vp_json_text(m->vmm_comm), "name", text_or_null(m->vm_name),
		"uuid", text_or_null(m->vm_uuid), "exited", m->target_exited, "vcpus", m->nr_vcpus,
		"kvm_exit_fired", vp_result_has_exit_events(in->r), "events", events_json(in->r),
		"vcpus", vcpus_json(in->r), "exit_reasons", reasons_json(in), "devices",
		devices_json(in), "accesses", accesses_json(in), "other", other_json(in));

	if (o && in->tl && in->tl->n)
		json_object_set_new(o, "timeline", timeline_json(in->tl));
	if (o && in->a && in->a->usdt)
		json_object_set_new(o, "qemu_exits", qemu_exits_json(in->a->usdt));
	if (o && in->slow)
		json_object_set_new(o, "slowest_exits", slowest_json(in));
	return o;
}
