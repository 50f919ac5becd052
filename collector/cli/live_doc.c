// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "live_doc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attribution.h"
#include "doc_writer.h"
#include "errors.h"
#include "host_checks.h"

void vp_live_meta(struct vp_meta *m, const struct vp_target *t)
{
	m->pid = t->pid;
	snprintf(m->vmm_comm, sizeof(m->vmm_comm), "%s", t->comm);
	snprintf(m->vmm_exe, sizeof(m->vmm_exe), "%s", t->exe);
	snprintf(m->vm_name, sizeof(m->vm_name), "%s", t->name);
	snprintf(m->vm_uuid, sizeof(m->vm_uuid), "%s", t->uuid);
	m->nr_vcpus = t->nr_vcpus;
}

json_t *vp_live_doc(const struct vp_live_parts *s)
{
	struct vp_attribution a = vp_sources_attribution(s->src);
	struct vp_device_total *dev = NULL;
	size_t ndev = vp_device_totals(s->res, &a, &dev);
	char detail[1024], missing[512];
	struct vp_doc_meta m = {
		.command = "profile",
		.source = s->source,
		.host = s->host,
		.trace_dropped = s->dropped,
		.accelerator = s->kvm ? "kvm" : "tcg",
		.qemu_binary = s->target->exe,
		.qemu_version = s->version,
		.qemu_usdt = s->src->have_usdt,
		.vm_exits_measured = s->kvm && s->res->counters[VP_C_EV_USER_EXIT] > 0,
		.kvm_run_hook = s->kvm ? vp_run_hook_name(s->live->hook) : NULL,
		.kvm_tracepoints = s->kvm ? vp_tp_flavour_name(s->live->flavour) : NULL,
		.attribution_source = vp_attr_source_name(vp_attr_best(&a)),
		.attribution_detail = detail,
		.duration_s = s->res->meta.duration_s,
		.stats_full = s->res->counters[VP_C_STATS_FULL],
		.threads_full = s->res->counters[VP_C_THREADS_FULL],
		.kvm_run_unreadable = s->res->counters[VP_C_RUN_UNREAD],
		.usdt_counts_dropped = a.usdt ? a.usdt->dropped_counts : 0,
		.usdt_names_dropped = a.usdt ? a.usdt->dropped_names : 0,
	};
	struct vp_profile_input in = { s->res, dev, ndev, &a, s->tl, s->slow, s->nslow };
	json_t *doc;

	vp_sources_describe(s->src, detail, sizeof(detail));
	if (!s->kvm)
		m.notes[m.nnotes++] = "TCG: QEMU runs the guest without KVM, so there are no VM "
				      "exits; each device access counted is one QEMU dispatched";
	if (s->kvm && !vp_result_has_exit_events(s->res))
		m.notes[m.nnotes++] = "kvm_exit/kvm_entry did not fire: no in-kernel handling time";
	if (s->kvm && s->live->hook == VP_RUN_HOOK_NONE && !s->res->counters[VP_C_EV_ENTRY] &&
	    s->res->counters[VP_C_EV_USER_EXIT])
		m.notes[m.nnotes++] = "kvm_entry did not fire and nothing hooked KVM_RUN: each "
				      "VMM time runs to the next exit to user space, guest time "
				      "included (use --run-hook fentry or syscalls)";
	if (s->kvm && s->live->fentry_why[0])
		m.notes[m.nnotes++] =
			"KVM_RUN was timed by the raw_syscalls tracepoints, which every "
			"system call of the host passes: fentry on "
			"kvm_arch_vcpu_ioctl_run could not attach";
	if (s->src->usdt.missing[0] && s->src->have_usdt) {
		snprintf(missing, sizeof(missing),
			 "QEMU probes not in this binary, not counted: %s", s->src->usdt.missing);
		m.notes[m.nnotes++] = missing;
	}
	if (s->note)
		m.notes[m.nnotes++] = s->note;
	for (size_t i = 0; i < s->nnotes && m.nnotes < VP_DOC_MAX_NOTES; i++)
		m.notes[m.nnotes++] = s->notes[i];
	doc = vp_doc_new(&m);
	if (doc)
		json_object_set_new(doc, "profile", vp_profile_json(&in));
	free(dev);
	return doc;
}

/* Fails before anything is attached if the result could not be written later. */
int vp_check_writable(const char *path)
{
	char probe[4096];
	int fd;

	if (snprintf(probe, sizeof(probe), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(probe))
		return -ENAMETOOLONG;
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	unlink(probe);
	return 0;
}

void vp_live_tell(const struct vp_live *l)
{
	if (l->missing[0])
		vp_note("tracepoints missing on this kernel, not traced: %s", l->missing);
	if (l->btf_why[0])
		vp_note("the kvm tracepoints are read from their records: tp_btf failed (%s)",
			l->btf_why);
	if (l->fentry_why[0])
		vp_note("KVM_RUN timed by the syscall tracepoints, which every system call of the "
			"host passes: fentry failed (%s)",
			l->fentry_why);
}

int vp_check_live_target(int pid, int vcpu, const char *const outputs[], size_t n,
			 struct vp_target *t)
{
	char why[256];
	int err = vp_target_probe("/proc", pid, t), werr;

	if (err == -ESRCH) {
		vp_error("no process with pid %d", pid);
		return -1;
	}
	if (vp_check_live_host(why, sizeof(why))) {
		vp_error("%s", why);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (outputs[i] && (werr = vp_check_writable(outputs[i]))) {
			vp_error("cannot write %s: %s", outputs[i], strerror(-werr));
			return -1;
		}
	if (err == -ENOTTY)
		return err;
	if (err) {
		vp_error("cannot inspect process %d: %s", pid, strerror(-err));
		return -1;
	}
	if (vcpu >= 0 && vcpu >= t->nr_vcpus) {
		vp_error("--vcpu %d: process %d has %d vCPU%s", vcpu, pid, t->nr_vcpus,
			 t->nr_vcpus == 1 ? "" : "s");
		return -1;
	}
	return 0;
}
