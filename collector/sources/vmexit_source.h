/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live source: the kernel programs attached to one VMM process.
 * Lifecycle open -> configure -> load -> attach in vp_live_open, one cleanup
 * path in vp_live_close; on failure nothing stays attached.
 */
#ifndef VP_VMEXIT_SOURCE_H
#define VP_VMEXIT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"
#include "target.h"

struct vmexit;

/* Where KVM_RUN is timed and its kvm_run read (vmexit.bpf.c). */
enum vp_run_hook {
	VP_RUN_HOOK_AUTO,     /* none where kvm_entry fires, else fentry where the kernel
			     allows it, else syscalls */
	VP_RUN_HOOK_NONE,     /* no hook: the kvm tracepoints bound the VMM's time, each
			     exit is counted at its kvm_entry (count_at_entry) */
	VP_RUN_HOOK_FENTRY,   /* fentry/fexit on kvm_arch_vcpu_ioctl_run: KVM_RUN only */
	VP_RUN_HOOK_SYSCALLS, /* raw_syscalls sys_enter/sys_exit: every system call */
};

/* Which programs see the kvm tracepoints (vmexit.bpf.c). */
enum vp_tp_flavour {
	VP_TP_AUTO,    /* BTF-typed where the kernel has them, else classic */
	VP_TP_BTF,     /* tp_btf: the tracepoint's arguments, no record filled */
	VP_TP_CLASSIC, /* tp: the tracepoint's record */
};

struct vp_live {
	struct vmexit *skel;
	int pid;
	enum vp_run_hook hook;	    /* the one attached: never AUTO once open */
	enum vp_tp_flavour flavour; /* likewise */
	/* Tracepoints this kernel lacks; their programs were not loaded. */
	char missing[256];
	/* Why fentry (tp_btf) was not used, when auto fell back. */
	char fentry_why[160], btf_why[160];
	bool recording;		/* opened with record_ring_bytes */
	uint32_t stats_entries; /* the per-CPU stats table's, as loaded */
	int vcpu_filter;
};

struct vp_live_opts {
	int vcpu_filter; /* -1: all */
	bool verbose;	 /* libbpf's own messages */
	enum vp_run_hook hook;
	enum vp_tp_flavour flavour;
	bool guest_part; /* keep the device keys' part after the firmware */
	/* Record instead of aggregating: each event into a ring buffer of
	 * this many bytes (a power of two, a multiple of the page size);
	 * 0 aggregates. */
	size_t record_ring_bytes;
};

/* "none", "fentry", "syscalls" (as --run-hook takes them) or "auto". */
const char *vp_run_hook_name(enum vp_run_hook h);
/* 0 and *h, or -EINVAL for a name that is none of them. */
int vp_run_hook_parse(const char *name, enum vp_run_hook *h);
/* "btf", "classic" (as --tracepoints takes them) or "auto". */
const char *vp_tp_flavour_name(enum vp_tp_flavour f);
int vp_tp_flavour_parse(const char *name, enum vp_tp_flavour *f);

/* On failure returns a negative errno and writes one line into err.
 * t NULL: a host-wide profile, following the VMs vp_live_add_vm adds, each
 * key carrying its VM's process (vp_key.vm). */
int vp_live_open(struct vp_live *l, const struct vp_target *t, const struct vp_live_opts *o,
		 char *err, size_t errlen);
/* Host-wide: follows t's VM from now on.  0 or -errno. */
int vp_live_add_vm(struct vp_live *l, const struct vp_target *t);
/* Host-wide: stops following the VM of process pid and forgets everything
 * of it in the kernel's tables, so VMs that come and go leave nothing. */
void vp_live_remove_vm(struct vp_live *l, int pid);
/* Tells the kernel about vCPU fds (new ones appear on hotplug). */
int vp_live_update_vcpus(struct vp_live *l, const struct vp_target *t);
int vp_live_read(struct vp_live *l, struct vp_result *r);
/* The device keys' events after the firmware's last fw_cfg access, into r
 * (rows only; none unless opened with guest_part); *markers: how many fw_cfg accesses the kernel saw (0: none,
 * so r holds all). */
int vp_live_read_guest(struct vp_live *l, struct vp_result *r, uint64_t *markers);
/* The kernel memory l's maps lock (bpf_memory.h). */
uint64_t vp_live_map_bytes(const struct vp_live *l);
/* Entries of the per-CPU stats table on a host of ncpus possible CPUs:
 * VP_MAX_STATS, fewer where that would lock more than VP_STATS_BUDGET_MIB. */
uint32_t vp_stats_entries(int ncpus);
/* The marker ports (vmexit.h) as the device table gives them: fw_cfg's. */
void vp_marker_ports(struct vp_port_span spans[VP_MARKER_SPANS]);
/* Recording: the ring buffer's fd (struct vp_rec_ev records) and its drop
 * counts' (which QEMU's probes share). */
int vp_live_events_fd(const struct vp_live *l);
int vp_live_rec_lost_fd(const struct vp_live *l);
/* The events a recorder's full ring dropped so far, by type (enum
 * vp_rec_type), from its drop counts' fd. */
int vp_rec_lost_read(int fd, uint64_t lost[VP_REC_NTYPES]);
/* Stops the programs, keeping their maps: a read after it is one instant,
 * counters and tables alike, while the VM may still be running. */
void vp_live_detach(struct vp_live *l);
void vp_live_close(struct vp_live *l);

#endif
