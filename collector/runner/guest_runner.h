/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Boots a bundled guest workload (guest-workloads/) under QEMU: what each one
 * needs comes from workloads.json; `vmexit-prof run` and every guest test
 * boot through here.  Start and wait are separate so a profiler can attach
 * to the QEMU pid in between.  Every function returns 0 or -errno and never prints; the
 * ones that can fail for a reason a user must see put one line in err.
 */
#ifndef VP_GUEST_RUNNER_H
#define VP_GUEST_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest_result.h"

#ifndef VP_WORKLOADS_JSON
#define VP_WORKLOADS_JSON "workloads.json"
#endif

struct vp_workload {
	char *name;
	char *description;
	char **args; /* raw QEMU arguments; "{disk}" names the scratch disk */
	size_t nargs;
	unsigned disk_mib; /* 0: no scratch disk */
	bool project_qemu; /* needs the project's QEMU (its device) */
	char *defaults;	   /* -append when the caller gives none */
	char *group;	   /* NULL, or e.g. "block": emulated/paravirtual pairs */
	char *path;	   /* "emulated" or "paravirtual" within the group */
};

struct vp_workload_table {
	struct vp_workload *w;
	size_t n;
};

/* path NULL: VP_WORKLOADS_JSON.  -ENOENT/-EINVAL with err on failure. */
int vp_workloads_load(const char *path, struct vp_workload_table *t, char *err, size_t errlen);
void vp_workloads_free(struct vp_workload_table *t);
const struct vp_workload *vp_workload_find(const struct vp_workload_table *t, const char *name);
/* "a, b, c" into buf (truncated to fit). */
void vp_workload_names(const struct vp_workload_table *t, char *buf, size_t len);

int vp_guest_status_code(const char *status);
/* One VMEXIT-RESULT or VMEXIT-REGION line into r (other lines: -EINVAL);
 * fields this build does not know go to extra, malformed ones are -EINVAL. */
int vp_guest_parse_line(const char *line, struct vp_guest_result *r);
/* The guest's serial output: every region line, the last result line. */
int vp_guest_parse_output(const char *text, struct vp_guest_result *r);

enum vp_accel { VP_ACCEL_AUTO, VP_ACCEL_KVM, VP_ACCEL_TCG };

struct vp_guest_config {
	const char *qemu;   /* path or a name looked up on PATH */
	const char *elf;    /* the workload's NAME.elf */
	const char *append; /* NULL: the table's defaults */
	enum vp_accel accel;
	/* Start with the vCPUs stopped (-S) and a QMP socket, so a profiler can
	 * attach before the guest's first instruction and then send cont. */
	bool paused_qmp;
	/* Besides the workload's own: a -device for each of devices, then the
	 * raw QEMU arguments args ("{disk}" names the scratch disk). */
	const char *const *devices;
	size_t ndevices;
	const char *const *args;
	size_t nargs;
	unsigned disk_mib; /* a scratch disk of at least this many MiB; 0: the workload's */
};

struct vp_guest;

/* true when /dev/kvm opens read-write and KVM_CREATE_VM works: --accel
 * auto then runs under KVM (with -cpu host), else under TCG. */
bool vp_kvm_usable(void);
/*
 * Makes the scratch disk, checks QEMU and the ELF, starts QEMU.  A
 * project_qemu workload on a QEMU without its device is started without it,
 * so the guest reports no-device; vp_guest_missing_device() names it.
 * -ENOENT: no ELF or no QEMU; -ENODEV: --accel kvm without a usable KVM.
 */
int vp_guest_start(const struct vp_workload *w, const struct vp_guest_config *c,
		   struct vp_guest **out, char *err, size_t errlen);
pid_t vp_guest_pid(const struct vp_guest *g);
const char *vp_guest_accel(const struct vp_guest *g);	       /* "kvm" or "tcg" */
const char *vp_guest_missing_device(const struct vp_guest *g); /* NULL if none */
/* The QMP socket of a paused_qmp start, else NULL. */
const char *vp_guest_qmp_path(const struct vp_guest *g);
/* The QEMU command line, for messages (valid until vp_guest_free). */
char *const *vp_guest_argv(const struct vp_guest *g);
/*
 * Waits for QEMU (killing it after timeout_s > 0 seconds: -ETIMEDOUT) and
 * parses its serial output into r.  -EPROTO when there is no result line or
 * QEMU's exit status is not (code << 1) | 1 for the line's status.
 */
int vp_guest_wait(struct vp_guest *g, double timeout_s, struct vp_guest_result *r, char *err,
		  size_t errlen);
/* The serial output read by vp_guest_wait (NULL before). */
const char *vp_guest_serial(const struct vp_guest *g);
/* Waits until the guest has printed something (the firmware is then done,
 * its BARs set): true; false when QEMU exited first or timeout_s passed. */
bool vp_guest_wait_output(struct vp_guest *g, double timeout_s);
/* Kills QEMU if still running, removes the scratch files. */
void vp_guest_free(struct vp_guest *g);

#endif
