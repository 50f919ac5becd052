/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a running VMM process looks like from /proc: its VM fd, its vCPU fds
 * (anon_inode:kvm-vcpu:N) and where it mapped each vCPU's struct kvm_run.
 */
#ifndef VP_TARGET_H
#define VP_TARGET_H

#include <stddef.h>
#include <stdint.h>

#define VP_TARGET_MAX_VCPUS 1024

struct vp_vcpu_map {
	int fd;
	int vcpu;
	uint64_t run_addr; /* 0 when the mapping was not found */
};

struct vp_target {
	int pid;
	char comm[32];
	char exe[256];
	/* How management tools name the VM: QEMU's -name (guest=NAME or the
	 * bare NAME) and -uuid; "" when its command line has none. */
	char name[128];
	char uuid[40];
	int has_vm_fd;
	int nr_vcpus;
	struct vp_vcpu_map vcpus[VP_TARGET_MAX_VCPUS];
};

/*
 * Reads <proc_root>/<pid>.  Returns 0, -ESRCH when there is no such process,
 * -EACCES when its fds cannot be read, -ENOTTY when it holds no KVM VM.
 */
int vp_target_probe(const char *proc_root, int pid, struct vp_target *t);

/* The VM's -name and -uuid from a NUL-separated command line (the format
 * of /proc/PID/cmdline) of len bytes into t->name and t->uuid. */
void vp_target_parse_cmdline(const char *cmdline, size_t len, struct vp_target *t);

/*
 * A VMM that was just started opens /dev/kvm and creates its vCPUs while
 * it initialises: probes until it holds a VM and want vCPUs, each with its
 * kvm_run mapped.  0; -ESRCH when it exited first; -ETIMEDOUT after
 * timeout_s.  On failure err says how far it got ("it has created 1 of its
 * 2 vCPUs after 30 s").
 */
int vp_target_wait_vcpus(const char *proc_root, int pid, int want, double timeout_s,
			 struct vp_target *t, char *err, size_t errlen);

#endif
