/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the exit state machine computes without touching a table: keys,
 * histogram slots, a vCPU index from a thread name.  Both the kernel
 * programs and the collector's replay of a recording build on these, so
 * an event is keyed and timed the same way wherever it is aggregated.
 *
 * The includer declares `marker_ports` (the kernel's is read-only data set
 * before load, the replay's comes from the recording's header).
 */
#ifndef VMEXIT_KEYS_H
#define VMEXIT_KEYS_H

#include "vmexit.h"
#include "vmexit_stat.h"

/* "CPU 3/KVM" -> 3: QEMU's vCPU thread names, when nothing better is known. */
static __always_inline __u16 vcpu_from_comm(const __u8 *comm)
{
	__u32 n = 0;
	int i;

	if (!comm || comm[0] != 'C' || comm[1] != 'P' || comm[2] != 'U' || comm[3] != ' ')
		return VP_VCPU_UNKNOWN;
	for (i = 4; i < 9; i++) {
		__u8 c = comm[i];

		if (c == '/')
			return i > 4 ? n : VP_VCPU_UNKNOWN;
		if (c < '0' || c > '9')
			return VP_VCPU_UNKNOWN;
		n = n * 10 + (c - '0');
	}
	return VP_VCPU_UNKNOWN;
}

static __always_inline int is_marker_port(__u32 port)
{
	for (int i = 0; i < VP_MARKER_SPANS; i++)
		if (port >= marker_ports[i].first && port <= marker_ports[i].last)
			return 1;
	return 0;
}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0;

	/* Branch-free-ish binary search keeps the verifier's path count low. */
	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1) {
		r += 1;
	}
	return r < VP_HIST_SLOTS ? r : VP_HIST_SLOTS - 1;
}

static __always_inline void stat_time(struct vp_stat *s, __u64 ns)
{
	__u32 slot = log2_slot(ns);

	if (!s->min_ns || ns < s->min_ns)
		s->min_ns = ns ? ns : 1;
	if (ns > s->max_ns)
		s->max_ns = ns;
	if (slot < VP_HIST_SLOTS)
		s->slots[slot]++;
}

static __always_inline void key_device(struct vp_key *k, __u8 kind, __u8 dir, __u8 size, __u64 addr)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->dir = dir;
	k->size = size;
	k->vcpu = VP_VCPU_ANY;
	if ((kind == VP_K_MMIO || kind == VP_K_FAST_MMIO) && addr >= VP_VGA_WINDOW_START &&
	    addr < VP_VGA_WINDOW_END)
		addr &= ~(VP_PAGE_SIZE - 1);
	k->addr = addr;
}

#endif
