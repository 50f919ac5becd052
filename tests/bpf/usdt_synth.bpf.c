// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Drives the QEMU probes' state machine with synthetic events: user space
 * runs this BPF_PROG_TYPE_SYSCALL program with BPF_PROG_TEST_RUN, one
 * probe event per run, as a recording holds them, so the kernel's counts
 * can be set beside a replay's of the same events.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "vmexit.h"
#include "qemu_usdt_maps.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("syscall")
int synth_qemu(struct vp_synth_qemu *e)
{
	char name[VP_USDT_NAME_LEN];

	if (!(e->flags & VP_REC_F_NAME)) {
		usdt_apply(e->tid, e->a[0], e->a[1], e->a[2]);
		return 0;
	}
	__builtin_memcpy(name, e->name, sizeof(name));
	name[sizeof(name) - 1] = '\0';
	if (!usdt_name_known(e->a[0]))
		usdt_learn_name(e->a[0], name);
	return 0;
}
