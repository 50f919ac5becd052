/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The synthetic-event fixture of the kernel-side tests: the state machine's
 * programs loaded as tests/bpf/vmexit_synth.bpf.c, one event per
 * BPF_PROG_TEST_RUN, and the maps read back through the collector's reader.
 */
#ifndef VP_SYNTH_FIXTURE_H
#define VP_SYNTH_FIXTURE_H

#include <linux/kvm.h>
#include <stdint.h>

#include "result.h"
#include "vmexit_synth.skel.h"

#define TGID	   4242
#define OTHER_TGID 777
#define TID	   4243

struct fixture {
	struct vmexit_synth *skel;
	struct vp_result res;
	int count_at_entry;
};

/* 1 (and a line saying so) when not root: loading BPF needs it. */
int skip_unless_root(void);
/* The programs loaded for TGID, only vCPU vcpu_filter (-1: all). */
struct fixture *load(int vcpu_filter);
/* The same, counting each exit at its kvm_entry as a profile without a
 * KVM_RUN hook does (count_at_entry); read_back adds what is still open. */
struct fixture *load_counting_at_entry(int vcpu_filter, int count_at_entry);
/* Host-wide: no VM until the test puts its process in the vms map;
 * counting at kvm_entry, as where kvm_entry fires. */
struct fixture *load_host_wide(void);
void unload(struct fixture *f);
/* One event; TGID, TID and "CPU 0/KVM" where e leaves them out. */
void send_ev(struct fixture *f, struct vp_synth_event *e);
#define EV(f, ...)                                                                                 \
	do {                                                                                       \
		struct vp_synth_event e_ = { __VA_ARGS__ };                                        \
		send_ev(f, &e_);                                                                   \
	} while (0)
/* A user-space exit as the VMM leaves it in its struct kvm_run. */
void run_enter_after(struct fixture *f, uint64_t ts, const struct kvm_run *run);
/* The maps into f->res (and the threads' open exits, when counting at entry). */
void read_back(struct fixture *f);
/* f->res's row of that key; fails the test when there is none. */
const struct vp_stat *row(struct fixture *f, uint8_t kind, uint8_t dir, uint8_t size, uint16_t vcpu,
			  uint32_t code, uint64_t addr, uint8_t isa);
/* A struct kvm_run as the VMM sees a port or MMIO exit. */
void io_run(struct kvm_run *run, int out, uint16_t port, uint8_t size);
void mmio_run(struct kvm_run *run, int write, uint64_t gpa, uint32_t len);

#endif
