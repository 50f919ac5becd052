/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The tables QEMU's probes count into (qemu_usdt.h), for the state
 * machine of qemu_usdt_core.bpf.h: the live probes' (qemu_usdt.bpf.c) and
 * the synthetic events' of the kernel-side tests.
 */
#ifndef QEMU_USDT_MAPS_BPF_H
#define QEMU_USDT_MAPS_BPF_H

#include "qemu_usdt.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_REGIONS);
	__type(key, struct vp_usdt_key);
	__type(value, struct vp_usdt_value);
} mr_counts SEC(".maps");

/* The name is read once per region, not on every access: the string copy
 * from user memory is the probe's most expensive part. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_REGIONS);
	__type(key, __u64);
	__type(value, char[VP_USDT_NAME_LEN]);
} mr_names SEC(".maps");

/* The marker regions (fw_cfg), found by name when first seen. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_MARKERS);
	__type(key, __u64);
	__type(value, __u32);
} mr_markers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, struct vp_usdt_access);
	__type(value, __u64);
} access_mr SEC(".maps");

/* The region each thread wrote last (or the PCI function it configures):
 * the device whose register write is being handled when QEMU registers an
 * ioeventfd or sets a virtio status. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, __u32);
	__type(value, __u64);
} thread_last_mr SEC(".maps");

/* VirtIODevice pointer -> the region of its status write. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, __u64);
	__type(value, __u64);
} vdev_mr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, struct vp_usdt_event_key);
	__type(value, struct vp_usdt_value);
} event_counts SEC(".maps");

/* VirtIODevice pointer -> enum vp_usdt_vdev_type. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, __u64);
	__type(value, __u32);
} vdev_type SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VP_USDT_MAX_JOINS);
	__type(key, struct vp_usdt_irq_key);
	__type(value, struct vp_usdt_irq_value);
} irq_counts SEC(".maps");

/* Accesses to marker regions so far (qemu_usdt.h). */
__u64 mark_epoch = 0;

/* Accesses not counted because mr_counts was full; names not recorded. */
__u64 dropped_counts = 0;
__u64 dropped_names = 0;

#include "qemu_usdt_core.bpf.h"

#endif
