// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Drives the live programs' state machine with synthetic events: user space
 * runs this BPF_PROG_TYPE_SYSCALL program with BPF_PROG_TEST_RUN, one event
 * per run, so pairing and latency code is exercised in the kernel even where
 * kvm_exit and kvm_entry never fire.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "vmexit_maps.bpf.h"
#include "vmexit_core.bpf.h"

SEC("syscall")
int synth_event(struct vp_synth_event *e)
{
	__u8 comm[16], run[64];
	struct vp_ev ev = { .tgid = e->tgid, .tid = e->tid, .now = e->ts, .comm = comm };
	__u64 a0 = e->a[0], a1 = e->a[1], a2 = e->a[2];

	__builtin_memcpy(comm, e->comm, sizeof(comm));
	__builtin_memcpy(run, e->run, sizeof(run));
	synth_tgid = e->tgid;
	switch (e->type) {
	case VP_SYN_EXIT: handle_exit(&ev, a0, a1, a2, 1); break;
	case VP_SYN_ENTRY: handle_entry(&ev, a0, 1); break;
	case VP_SYN_USER_EXIT: handle_user_exit(&ev, a0, (int)a1); break;
	case VP_SYN_PIO: handle_pio(&ev, a0, a1, a2); break;
	case VP_SYN_MMIO: handle_mmio(&ev, a0, a1, a2); break;
	case VP_SYN_FAST_MMIO: handle_fast_mmio(&ev, a0); break;
	case VP_SYN_MSR: handle_msr(&ev, a0, a1); break;
	case VP_SYN_CPUID: handle_cpuid(&ev, a0); break;
	case VP_SYN_HYPERCALL: handle_hypercall(&ev, a0); break;
	case VP_SYN_SET_IRQ:
		if (a1)
			handle_irq(&ev, VP_K_IRQ, a0, 0);
		break;
	case VP_SYN_MSI: handle_msi(&ev, a0, a1); break;
	case VP_SYN_RUN_ENTER: {
		struct vp_vcpu_fd_key fd = { .tgid = ev.tgid, .fd = a0 };

		handle_run_enter(&ev, bpf_map_lookup_elem(&vcpu_fds, &fd),
				 e->run_valid ? run : NULL);
		break;
	}
	case VP_SYN_RUN_EXIT: handle_run_exit(&ev); break;
	default: return -1;
	}
	return 0;
}
