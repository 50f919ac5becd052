/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The recorder's ring buffer, as both BPF objects declare it: the kernel
 * programs' (vmexit.bpf.c) and QEMU's probes' (qemu_usdt.bpf.c), which
 * the recorder loads onto the same ring and the same drop counts, so one
 * reader sees every event in the order it was recorded.
 *
 * Set record_events and each event goes to the ring as it came (vmexit.h,
 * struct vp_rec_ev) and nothing is aggregated in the kernel.  A full ring
 * drops the event and counts it by type in rec_lost, for the recording to
 * say.
 */
#ifndef RECORD_RING_BPF_H
#define RECORD_RING_BPF_H

#include "vmexit.h"

const volatile __u8 record_events = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* the recorder sizes it; unused otherwise */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VP_REC_NTYPES);
	__type(key, __u32);
	__type(value, __u64);
} rec_lost SEC(".maps");

static __always_inline void rec_lost_one(__u32 type)
{
	__u64 *v = bpf_map_lookup_elem(&rec_lost, &type);

	if (v)
		(*v)++;
}

#endif
