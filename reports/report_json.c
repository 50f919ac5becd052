// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report_json.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "labels.h"

/* Names come from the VMM's /proc entries: any bytes.  JSON needs UTF-8. */
static json_t *text(const char *s)
{
	json_t *j = json_string(s);
	char copy[512];
	size_t i;

	if (j)
		return j;
	for (i = 0; s[i] && i < sizeof(copy) - 1; i++)
		copy[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	copy[i] = '\0';
	return json_string(copy);
}

static json_t *latency(const struct vp_stat *st)
{
	if (!vp_stat_samples(st))
		return json_null();
	json_t *slots = json_array();

	for (int i = 0; i < VP_HIST_SLOTS; i++)
		json_array_append_new(slots, json_integer(st->slots[i]));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "samples", (json_int_t)vp_stat_samples(st),
			 "min_ns", (json_int_t)st->min_ns, "p50_ns", (json_int_t)vp_stat_percentile(st, 50),
			 "p90_ns", (json_int_t)vp_stat_percentile(st, 90), "p99_ns",
			 (json_int_t)vp_stat_percentile(st, 99), "max_ns", (json_int_t)st->max_ns,
			 "log2_ns_slots", slots);
}

static json_t *row_json(const struct vp_row *row)
{
	const struct vp_key *k = &row->key;
	const struct vp_stat *st = &row->st;
	char name[64];
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "kind", vp_kind_name(k->kind), "name",
			      vp_key_name(k, name, sizeof(name)), "count", (json_int_t)st->count, "user_count",
			      (json_int_t)st->user_count, "user_ns", (json_int_t)st->user_ns, "kernel_count",
			      (json_int_t)st->kern_count, "kernel_ns", (json_int_t)st->kern_ns, "latency",
			      latency(st));

	if (k->vcpu != VP_VCPU_ANY)
		json_object_set_new(o, "vcpu", k->vcpu == VP_VCPU_UNKNOWN ? json_null() : json_integer(k->vcpu));
	if (k->kind == VP_K_EXIT)
		json_object_set_new(o, "isa", json_string(vp_isa_name(k->isa)));
	if (k->kind == VP_K_EXIT || k->kind == VP_K_USER || k->kind == VP_K_CPUID || k->kind == VP_K_MSR ||
	    k->kind == VP_K_HYPERCALL || k->kind == VP_K_IRQ || k->kind == VP_K_MSI)
		json_object_set_new(o, "code", json_integer(k->code));
	if (k->kind == VP_K_PIO || k->kind == VP_K_MMIO || k->kind == VP_K_FAST_MMIO || k->kind == VP_K_MSI)
		json_object_set_new(o, "address", json_integer((json_int_t)k->addr));
	if (k->dir)
		json_object_set_new(o, "direction", json_string(vp_dir_name(k->dir)));
	if (k->size)
		json_object_set_new(o, "size", json_integer(k->size));
	return o;
}

static json_t *counters_json(const struct vp_result *r)
{
	static const char *const names[VP_C_MAX] = {
		[VP_C_EV_EXIT] = "kvm_exit", [VP_C_EV_ENTRY] = "kvm_entry",
		[VP_C_EV_USER_EXIT] = "kvm_userspace_exit", [VP_C_EV_PIO] = "kvm_pio",
		[VP_C_EV_MMIO] = "kvm_mmio", [VP_C_EV_FAST_MMIO] = "kvm_fast_mmio",
		[VP_C_EV_MSR] = "kvm_msr", [VP_C_EV_CPUID] = "kvm_cpuid",
		[VP_C_EV_HYPERCALL] = "kvm_hypercall", [VP_C_EV_IRQ] = "kvm_set_irq+kvm_msi_set_irq",
		[VP_C_EV_RUN_ENTER] = "kvm_run_enter", [VP_C_EV_RUN_EXIT] = "kvm_run_exit",
		[VP_C_STATS_FULL] = "lost_stats_full", [VP_C_THREADS_FULL] = "lost_threads_full",
		[VP_C_RUN_UNREAD] = "kvm_run_unreadable",
	};
	json_t *o = json_object();

	for (int i = 0; i < VP_C_MAX; i++)
		json_object_set_new(o, names[i], json_integer((json_int_t)r->counters[i]));
	return o;
}

json_t *vp_result_to_json(const struct vp_result *r)
{
	const struct vp_meta *m = &r->meta;
	json_t *rows = json_array();

	for (int kind = VP_K_EXIT; kind <= VP_K_RUN; kind++) {
		const struct vp_row **sel;
		size_t n = vp_result_select(r, kind, &sel);

		for (size_t i = 0; i < n; i++)
			json_array_append_new(rows, row_json(sel[i]));
		free(sel);
	}
	return json_pack("{s:s, s:{s:i, s:o, s:o, s:o, s:o, s:f, s:b, s:i, s:b}, s:o, s:o}", "schema",
			 VP_JSON_SCHEMA, "meta", "pid", m->pid, "vmm_comm", text(m->vmm_comm), "vmm_exe",
			 text(m->vmm_exe), "kernel", text(m->kernel_release), "cpu_vendor", text(m->cpu_vendor), "duration_s", m->duration_s,
			 "target_exited", m->target_exited, "vcpus", m->nr_vcpus, "kvm_exit_fired",
			 vp_result_has_exit_events(r), "events", counters_json(r), "rows", rows);
}

int vp_json_dump_atomic(json_t *doc, const char *path)
{
	char tmp[PATH_MAX];
	int err = 0;

	if (!doc)
		return -EINVAL;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		json_decref(doc);
		return -ENAMETOOLONG;
	}
	if (json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_SORT_KEYS))
		err = -EIO;
	else if (rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	json_decref(doc);
	return err;
}

int vp_json_write_file(const struct vp_result *r, const char *path)
{
	return vp_json_dump_atomic(vp_result_to_json(r), path);
}
