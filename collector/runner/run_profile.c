// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "run_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vmexit_source.h"
#include "qemu_memmap.h"
#include "qmp.h"
#include "target.h"

/* QEMU has to create its QMP socket first; under a slow TCG start that can
 * take a few seconds. */
#define QMP_CONNECT_TIMEOUT_S 30.0
/* Once QMP answers the vCPUs exist; this only bounds a QEMU that answers
 * QMP before its machine is built (a --preconfig one, say). */
#define VCPU_WAIT_TIMEOUT_S 30.0

/* Under KVM the exits themselves are profiled too: the kernel programs go
 * on while QEMU is still paused, so the guest's first exit is seen. */
struct kvm_attach {
	struct vp_live *live;
	struct vp_target *t;
};

/* QEMU answers QMP only once its machine, vCPUs included, is built; how
 * many it made is QEMU's to say (1 when it cannot). */
static int qmp_vcpu_count(struct vp_qmp *q)
{
	json_t *cpus = NULL;
	char err[256];
	int n = 1;

	if (!vp_qmp_execute(q, "query-cpus-fast", NULL, &cpus, err, sizeof(err)) &&
	    json_array_size(cpus))
		n = (int)json_array_size(cpus);
	json_decref(cpus);
	return n;
}

static int attach_kvm(struct vp_guest *g, struct vp_qmp *q, bool verbose, struct kvm_attach *k,
		      char *err, size_t errlen)
{
	struct vp_live_opts lo = { .vcpu_filter = -1, .verbose = verbose, .guest_part = true };
	int pid = (int)vp_guest_pid(g), ret;
	char why[160];

	ret = vp_target_wait_vcpus("/proc", pid, qmp_vcpu_count(q), VCPU_WAIT_TIMEOUT_S, k->t, why,
				   sizeof(why));
	if (ret) {
		snprintf(err, errlen, "cannot find the vCPUs of QEMU %d: %s", pid, why);
		return ret;
	}
	return vp_live_open(k->live, k->t, &lo, err, errlen);
}

/* k NULL: QEMU's probes alone. */
static int begin(struct vp_guest *g, bool verbose, struct vp_usdt *u, struct kvm_attach *k,
		 char *err, size_t errlen)
{
	struct vp_qmp q;
	int ret;

	if (!vp_guest_qmp_path(g)) {
		snprintf(err, errlen, "QEMU was not started paused with a QMP socket");
		return -EINVAL;
	}
	/* Connecting first also waits until QEMU has finished starting up, so
	 * the probes are attached to a fully mapped image. */
	ret = vp_qmp_open(&q, vp_guest_qmp_path(g), vp_guest_pid(g), QMP_CONNECT_TIMEOUT_S, err,
			  errlen);
	if (ret)
		return ret;
	if (k && (ret = attach_kvm(g, &q, verbose, k, err, errlen))) {
		vp_qmp_close(&q);
		return ret;
	}
	ret = vp_usdt_open(u, (int)vp_guest_pid(g), verbose, err, errlen);
	if (!ret) {
		ret = vp_qmp_command(&q, "cont", err, errlen);
		if (ret)
			vp_usdt_close(u);
	}
	if (ret && k)
		vp_live_close(k->live);
	vp_qmp_close(&q);
	return ret;
}

int vp_profile_begin(struct vp_guest *g, bool verbose, struct vp_usdt *u, char *err, size_t errlen)
{
	return begin(g, verbose, u, NULL, err, errlen);
}

/* The guest's first output means the firmware has assigned the BARs:
 * QEMU's memory map then names the device of every address, also of the
 * accesses that never leave the kernel (coalesced MMIO), which no exit
 * joins to a region.  A guest done before that keeps m empty. */
static void learn_memmap(struct vp_guest *g, double timeout_s, struct vp_memmap *m)
{
	struct vp_qmp q;
	char err[256];

	if (!vp_guest_wait_output(g, timeout_s))
		return;
	if (vp_qmp_open(&q, vp_guest_qmp_path(g), vp_guest_pid(g), QMP_CONNECT_TIMEOUT_S, err,
			sizeof(err)))
		return;
	if (vp_memmap_from_qmp(m, &q, err, sizeof(err)))
		vp_memmap_free(m);
	vp_qmp_close(&q);
}

int vp_run_profiled(const struct vp_workload *w, const struct vp_guest_config *cfg,
		    double timeout_s, bool verbose, struct vp_guest_result *r,
		    struct vp_usdt_counts *c, struct vp_result *kvm, struct vp_result *kvm_guest,
		    struct vp_memmap *map, char *accel, size_t accel_len, char *err, size_t errlen)
{
	static struct vp_target t; /* large: keep it off the stack */
	struct vp_guest_config pc = *cfg;
	struct vp_live live = { 0 };
	bool on_kvm;
	struct vp_guest *g;
	struct vp_usdt u;
	int ret, rret;

	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	if (map)
		memset(map, 0, sizeof(*map));
	pc.paused_qmp = true;
	ret = vp_guest_start(w, &pc, &g, err, errlen);
	if (ret)
		return ret;
	snprintf(accel, accel_len, "%s", vp_guest_accel(g));
	on_kvm = kvm && !strcmp(vp_guest_accel(g), "kvm");
	ret = begin(g, verbose, &u, on_kvm ? &(struct kvm_attach){ &live, &t } : NULL, err, errlen);
	if (ret) {
		vp_guest_free(g);
		return ret;
	}
	if (on_kvm)
		vp_usdt_set_vcpu_runs(&u, &t);
	if (on_kvm && map)
		learn_memmap(g, timeout_s, map);
	ret = vp_guest_wait(g, timeout_s, r, err, errlen);
	/* QEMU has exited: every access it made is in the maps. */
	rret = vp_usdt_read(&u, c);
	vp_usdt_close(&u);
	if (on_kvm) {
		int kret = vp_live_read(&live, kvm);
		uint64_t markers;

		if (!kret && t.nr_vcpus == 1)
			vp_result_resolve_vcpu(kvm, (uint16_t)t.vcpus[0].vcpu);
		if (!kret && kvm_guest)
			kret = vp_live_read_guest(&live, kvm_guest, &markers);

		vp_live_close(&live);
		if (!rret)
			rret = kret;
	}
	vp_guest_free(g);
	if (!ret && rret) {
		snprintf(err, errlen, "cannot read the profile's maps: %s", strerror(-rret));
		ret = rret;
	}
	return ret;
}
