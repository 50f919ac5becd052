// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The profile section as metric families.  A row's series is chosen by
 * keys of bounded number only: a guest can touch any number of ports and
 * addresses, so accesses[] is counted per device, never per address, and
 * other[] (CPUID leaves, MSRs, lines) per kind.
 */
#include "metrics.h"
#include "metrics_int.h"
#include "atomic_file.h"
#include "doc_access.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum {
	F_TARGET,
	F_DURATION,
	F_EXITS,
	F_EXIT_DURATION,
	F_VCPU_SECONDS,
	F_DEV_ACCESSES,
	F_DEV_SECONDS,
	F_DEV_VMM_DURATION,
	F_DEV_INTERRUPTS,
	F_IOEVENTFD_KICKS,
	F_QEMU_EVENTS,
	F_KVM_EVENTS,
	F_TRACEPOINT_EVENTS,
	F_LOST,
	F_MAX,
};

static const struct vp_om_family families[F_MAX] = {
	[F_TARGET] = { "vmexit_prof_target",
		       "The profiled VMM process: its pid, comm, how the "
		       "guest ran and what named its devices.",
		       VP_OM_INFO, false, NULL, 0, 0 },
	[F_DURATION] = { "vmexit_prof_profile_duration_seconds", "Wall time profiled so far.",
			 VP_OM_GAUGE, true, NULL, 0, 0 },
	[F_EXITS] = { "vmexit_prof_exits",
		      "VM exits per vCPU and reason: where=kernel the hardware exits KVM handled "
		      "(VMX or SVM reason), where=user the KVM_EXIT_* exits to the VMM.",
		      VP_OM_COUNTER, false, NULL, 0, 0 },
	[F_EXIT_DURATION] = { "vmexit_prof_exit_duration_seconds",
			      "Time to handle one exit: phase=kernel in KVM (VMM time "
			      "excluded), phase=vmm in the VMM.",
			      VP_OM_HISTOGRAM, true, NULL, 0, 0 },
	[F_VCPU_SECONDS] = { "vmexit_prof_vcpu_exit_seconds",
			     "Time each vCPU spent on exits, in KVM (phase=kernel) or the "
			     "VMM (phase=vmm).",
			     VP_OM_COUNTER, true, NULL, 0, 0 },
	[F_DEV_ACCESSES] = { "vmexit_prof_device_accesses",
			     "Port and MMIO accesses per device: kind=vmm exited to the VMM, "
			     "the other kinds were served in the kernel.",
			     VP_OM_COUNTER, false, NULL, 0, 0 },
	[F_DEV_SECONDS] = { "vmexit_prof_device_exit_seconds",
			    "Time of the exits for each device's accesses, in KVM "
			    "(phase=kernel) or the VMM (phase=vmm).",
			    VP_OM_COUNTER, true, NULL, 0, 0 },
	[F_DEV_VMM_DURATION] = { "vmexit_prof_device_vmm_duration_seconds",
				 "The VMM's time per exit to user space for each device.",
				 VP_OM_HISTOGRAM, true, NULL, 0, 0 },
	[F_DEV_INTERRUPTS] = { "vmexit_prof_device_interrupts",
			       "Interrupts injected for each device.", VP_OM_COUNTER, false, NULL,
			       0, 0 },
	[F_IOEVENTFD_KICKS] = { "vmexit_prof_ioeventfd_kicks",
				"Writes to a device's ioeventfd, signalled in the kernel "
				"without an exit to the VMM.",
				VP_OM_COUNTER, false, NULL, 0, 0 },
	[F_QEMU_EVENTS] = { "vmexit_prof_qemu_events",
			    "QEMU's trace events of each device's work (USDT probes).",
			    VP_OM_COUNTER, false, NULL, 0, 0 },
	[F_KVM_EVENTS] = { "vmexit_prof_kvm_events",
			   "CPUID, MSR, hypercall, interrupt-line and MSI events, per kind.",
			   VP_OM_COUNTER, false, NULL, 0, 0 },
	[F_TRACEPOINT_EVENTS] = { "vmexit_prof_tracepoint_events",
				  "Runs of the profiler's kernel programs, per kvm tracepoint "
				  "or hook: what the profiling itself costs.",
				  VP_OM_COUNTER, false, NULL, 0, 0 },
	[F_LOST] = { "vmexit_prof_lost_events",
		     "Events the profiler's tables had no room for or could not read, per "
		     "cause (stats_full ones are counted in a folded row, not dropped).",
		     VP_OM_COUNTER, false, NULL, 0, 0 },
};

struct ctx {
	struct vp_om_family f[F_MAX];
	struct vp_om_labels vm; /* domain and uuid, the start of every label set */
	const char *host_isa;
	int err;
};

static int64_t int_at(const json_t *o, const char *path)
{
	const json_t *v = vp_doc_get(o, path);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static void add(struct ctx *c, int fam, const struct vp_om_labels *l, int64_t v)
{
	if (!c->err)
		c->err = vp_om_add(&c->f[fam], l, v);
}

/* The VM's labels, then name=value pairs (NULL-terminated). */
static void labels(struct ctx *c, struct vp_om_labels *l, ...)
{
	const char *name;
	va_list ap;

	*l = c->vm;
	va_start(ap, l);
	while ((name = va_arg(ap, const char *)))
		vp_om_label(l, name, va_arg(ap, const char *));
	va_end(ap);
}

/* A vCPU number, or "unknown" for exits whose vCPU could not be told. */
static const char *vcpu_label(const json_t *row, char *buf, size_t len)
{
	const json_t *v = json_object_get(row, "vcpu");

	if (!json_is_integer(v))
		return "unknown";
	snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* As libvirt's exporters name a VM: its name, else its pid. */
static void vm_labels(struct ctx *c, const json_t *target)
{
	const char *name = vp_doc_str(target, "name"), *uuid = vp_doc_str(target, "uuid");

	vp_om_labels_init(&c->vm);
	if (name && *name)
		vp_om_label(&c->vm, "domain", name);
	else
		vp_om_label_int(&c->vm, "domain", (long long)int_at(target, "pid"));
	if (uuid && *uuid)
		vp_om_label(&c->vm, "uuid", uuid);
}

static void exits(struct ctx *c, const json_t *p)
{
	const json_t *row;
	size_t i;

	json_array_foreach (json_object_get(p, "exit_reasons"), i, row) {
		const char *where = vp_doc_str(row, "where"), *isa = vp_doc_str(row, "isa");
		bool kernel = where && !strcmp(where, "kernel"), folded;
		const char *reason = vp_doc_str(row, "reason");
		struct vp_om_labels l;
		char vcpu[24];

		folded = json_is_true(json_object_get(row, "folded"));
		/* the folded row's name is a sentence; as a label value, one word */
		if (folded || !reason)
			reason = "other";
		labels(c, &l, "vcpu", vcpu_label(row, vcpu, sizeof(vcpu)), "isa",
		       isa ? (strcmp(isa, "SVM") ? "vmx" : "svm") : c->host_isa, "where",
		       kernel ? "kernel" : "user", "reason", reason, NULL);
		add(c, F_EXITS, &l, int_at(row, "count"));
		labels(c, &l, "reason", reason, "phase", kernel ? "kernel" : "vmm", NULL);
		if (!c->err)
			c->err = vp_om_add_latency(&c->f[F_EXIT_DURATION], &l,
						   json_object_get(row, "latency"),
						   int_at(row, "time_ns"));
	}
}

static void vcpus(struct ctx *c, const json_t *p)
{
	const json_t *row;
	size_t i;

	json_array_foreach (json_object_get(p, "vcpus"), i, row) {
		struct vp_om_labels l;
		char vcpu[24];

		vcpu_label(row, vcpu, sizeof(vcpu));
		labels(c, &l, "vcpu", vcpu, "phase", "vmm", NULL);
		add(c, F_VCPU_SECONDS, &l, int_at(row, "user_ns"));
		/* null when nothing timed the kernel: no series rather than a 0 */
		if (json_is_integer(json_object_get(row, "kernel_ns"))) {
			labels(c, &l, "vcpu", vcpu, "phase", "kernel", NULL);
			add(c, F_VCPU_SECONDS, &l, int_at(row, "kernel_ns"));
		}
	}
}

static void device(struct ctx *c, const json_t *row)
{
	const char *dev = vp_doc_str(row, "device"), *key;
	const json_t *v;
	struct vp_om_labels l;

	if (!dev)
		return;
	labels(c, &l, "device", dev, "kind", "vmm", NULL);
	add(c, F_DEV_ACCESSES, &l, int_at(row, "to_user"));
	json_object_foreach ((json_t *)json_object_get(row, "in_kernel_kinds"), key, v) {
		labels(c, &l, "device", dev, "kind", key, NULL);
		add(c, F_DEV_ACCESSES, &l, json_integer_value(v));
	}
	labels(c, &l, "device", dev, "phase", "vmm", NULL);
	add(c, F_DEV_SECONDS, &l, int_at(row, "user_ns"));
	if (json_is_integer(json_object_get(row, "kernel_ns"))) {
		labels(c, &l, "device", dev, "phase", "kernel", NULL);
		add(c, F_DEV_SECONDS, &l, int_at(row, "kernel_ns"));
	}
	labels(c, &l, "device", dev, NULL);
	if (!c->err)
		c->err = vp_om_add_latency(&c->f[F_DEV_VMM_DURATION], &l,
					   json_object_get(row, "latency"), int_at(row, "user_ns"));
	add(c, F_DEV_INTERRUPTS, &l, int_at(row, "interrupts"));
	add(c, F_IOEVENTFD_KICKS, &l, int_at(row, "in_kernel_kinds.ioeventfd"));
	json_object_foreach ((json_t *)json_object_get(row, "qemu_events"), key, v) {
		labels(c, &l, "device", dev, "event", key, NULL);
		add(c, F_QEMU_EVENTS, &l, json_integer_value(v));
	}
}

/* Counters of one object's members, the member's name as the label. */
static void counts(struct ctx *c, int fam, const json_t *obj, const char *label)
{
	const char *key;
	const json_t *v;

	json_object_foreach ((json_t *)obj, key, v) {
		struct vp_om_labels l;

		labels(c, &l, label, key, NULL);
		add(c, fam, &l, json_integer_value(v));
	}
}

static void target(struct ctx *c, const json_t *doc, const json_t *p)
{
	const char *comm = vp_doc_str(p, "target.comm");
	const char *accel = vp_doc_str(doc, "meta.accelerator");
	const char *source = vp_doc_str(doc, "meta.attribution.source");
	double duration;
	struct vp_om_labels l;
	char pid[24];

	snprintf(pid, sizeof(pid), "%lld", (long long)int_at(p, "target.pid"));
	labels(c, &l, "pid", pid, "comm", comm ? comm : "", "accelerator", accel ? accel : "",
	       "attribution", source ? source : "", NULL);
	add(c, F_TARGET, &l, 1);
	if (vp_doc_num(doc, "meta.duration_s", &duration) && duration >= 0) {
		labels(c, &l, NULL);
		add(c, F_DURATION, &l, (int64_t)(duration * 1e9 + 0.5));
	}
}

static const char *isa_of_vendor(const char *vendor)
{
	if (vendor && (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine")))
		return "svm";
	return vendor && !strcmp(vendor, "GenuineIntel") ? "vmx" : "unknown";
}

static int fill_one(struct ctx *c, const json_t *doc)
{
	const json_t *p = json_object_get(doc, "profile"), *row;
	size_t i;

	if (!json_is_object(p))
		return -EINVAL;
	vm_labels(c, json_object_get(p, "target"));
	/* an exit to user space has no isa of its own: the host's */
	c->host_isa = isa_of_vendor(vp_doc_str(doc, "meta.host.cpu_vendor"));
	target(c, doc, p);
	exits(c, p);
	vcpus(c, p);
	json_array_foreach (json_object_get(p, "devices"), i, row)
		device(c, row);
	json_array_foreach (json_object_get(p, "other"), i, row) {
		struct vp_om_labels l;
		const char *kind = vp_doc_str(row, "kind");

		labels(c, &l, "kind", kind ? kind : "unknown", NULL);
		add(c, F_KVM_EVENTS, &l, int_at(row, "count"));
	}
	counts(c, F_TRACEPOINT_EVENTS, json_object_get(p, "events"), "event");
	counts(c, F_LOST, vp_doc_get(doc, "meta.lost"), "cause");
	return c->err;
}

/* One profile document, or an array of them (a host-wide profile: one per
 * VM, each labelled by its own domain, in one exposition). */
static int fill(struct ctx *c, const json_t *doc)
{
	const json_t *one;
	size_t i;
	int ret = 0;

	memcpy(c->f, families, sizeof(families));
	if (!json_is_array(doc))
		return fill_one(c, doc);
	json_array_foreach (doc, i, one)
		if ((ret = fill_one(c, one)))
			break;
	return ret;
}

int vp_metrics_render(FILE *f, const json_t *doc, enum vp_metrics_format fmt)
{
	struct ctx *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	ret = fill(c, doc);
	for (int i = 0; !ret && i < F_MAX; i++)
		vp_om_print(f, &c->f[i], fmt);
	if (!ret && fmt == VP_METRICS_OPENMETRICS)
		fputs("# EOF\n", f);
	for (int i = 0; i < F_MAX; i++)
		vp_om_free(&c->f[i]);
	free(c);
	if (!ret && ferror(f))
		ret = -EIO;
	return ret;
}

char *vp_metrics_text(const json_t *doc, enum vp_metrics_format fmt, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int ret;

	if (!f)
		return NULL;
	ret = vp_metrics_render(f, doc, fmt);
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret) {
		free(buf);
		errno = -ret;
		return NULL;
	}
	return buf;
}

static int write_prom(FILE *f, void *doc)
{
	return vp_metrics_render(f, doc, VP_METRICS_PROMETHEUS);
}

int vp_metrics_write(const char *path, const json_t *doc)
{
	return vp_atomic_write(path, write_prom, (void *)doc);
}
