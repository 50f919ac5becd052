/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared between bpf/qemu_usdt.bpf.c and collector/sources/qemu_usdt_source.c. */
#ifndef VP_QEMU_USDT_H
#define VP_QEMU_USDT_H

#define VP_USDT_MAX_REGIONS 1024 /* (mr, direction) keys; more are counted as dropped */
#define VP_USDT_NAME_LEN    64

enum vp_usdt_dir { VP_USDT_READ = 0, VP_USDT_WRITE = 1 };

struct vp_usdt_key {
	__u64 mr;  /* QEMU's MemoryRegion pointer: stable for the region's life */
	__u32 dir; /* enum vp_usdt_dir */
	__u32 pad; /* keeps the key free of uninitialised bytes */
};

/*
 * Per (region, direction): every access, and the ones since the latest
 * access to a marker region (fw_cfg).  The firmware loads the multiboot
 * guest through fw_cfg and the guest never touches it, so what follows the
 * last fw_cfg access is the guest's own; `epoch` says which marker the
 * since_mark count started after (a region untouched since then has 0).
 */
struct vp_usdt_value {
	__u64 total;
	__u64 since_mark;
	__u64 epoch;
};

/*
 * Joins made in the probes themselves, so the collector can name what the
 * kernel tracepoints only give as numbers.
 *
 * access_mr: a port or guest-physical address -> the MemoryRegion QEMU
 * dispatched it to.  Learnt on a vCPU thread from its struct kvm_run while
 * QEMU handles that exit, and from QEMU's ioeventfd registrations, which
 * happen inside the guest's write to the device's own register (the region
 * that thread wrote last).
 */
enum vp_usdt_access_kind {
	VP_UA_PIO = 1,
	VP_UA_MMIO = 2,
	VP_UA_IOEVENTFD_MMIO = 3,
	VP_UA_IOEVENTFD_PIO = 4
};

struct vp_usdt_access {
	__u32 kind; /* enum vp_usdt_access_kind */
	__u32 pad;
	__u64 addr;
};

/* Interrupts raised, per source: an I/O APIC pin, a virtio device (its
 * VirtIODevice pointer, named through the region of its status write), or
 * the stopwatch. */
enum vp_usdt_irq_kind { VP_UI_IOAPIC = 1, VP_UI_VIRTIO = 2, VP_UI_STOPWATCH = 3 };

/* What a VirtIODevice is, from its device type's own events: found even
 * when the profiler attached after the driver set the device up. */
enum vp_usdt_vdev_type { VP_VDEV_BLK = 1 };

struct vp_usdt_irq_key {
	__u32 kind; /* enum vp_usdt_irq_kind */
	__u32 line; /* I/O APIC pin */
	__u64 obj;  /* VirtIODevice pointer */
};

struct vp_usdt_irq_value {
	__u64 raised;	  /* rising edges (lines) or notifications */
	__u64 since_mark; /* of those, after the last fw_cfg access */
	__u64 epoch;
	__u32 level; /* a line's current level, to count edges */
	__u32 pad;
};

/*
 * QEMU's own account of the work a device did (commands, requests, DMA,
 * kicks processed, exits seen by QEMU): one program attached to every such
 * catalogue event, told apart by its USDT cookie, which is the event's
 * index in the catalogue shifted left by VP_USDT_COOKIE_SHIFT, plus 1 + the
 * argument that names the object (a VirtIODevice, an exit reason), or 0.
 */
#define VP_USDT_COOKIE_SHIFT 4

struct vp_usdt_event_key {
	__u32 event; /* index in the catalogue */
	__u32 pad;
	__u64 obj;
};

/*
 * One probe's event as the state machine takes it (qemu_usdt_core.bpf.h)
 * and as a recording keeps it (vmexit.h, VP_REC_QEMU): the probe reads
 * what it needs from QEMU's memory (a region's name, the vCPU's kvm_run),
 * and what follows is arithmetic on three words and the thread.
 *   a0: the operation, a sub-kind and a 32-bit value (VP_UO_A0);
 *   a1: the object (region, VirtIODevice, ...); a2: a port or address.
 */
enum vp_usdt_op {
	VP_UO_READ = 1,	     /* sub: access kind joined from kvm_run, or 0; a1 region, a2 addr */
	VP_UO_WRITE = 2,     /* as VP_UO_READ */
	VP_UO_CFG_WRITE = 3, /* a1: the PCI function (its device type's name) */
	VP_UO_IOEVENTFD = 4, /* sub: VP_UA_IOEVENTFD_MMIO or _PIO; a2 addr (assigned) */
	VP_UO_VIRTIO_STATUS = 5, /* a1 VirtIODevice */
	VP_UO_IRQ = 6,		 /* sub: enum vp_usdt_irq_kind; x: level, -1 a notification;
				  * a1 object; a2 line */
	VP_UO_VDEV_TYPE = 7,	 /* sub: enum vp_usdt_vdev_type; a1 VirtIODevice */
	VP_UO_EVENT = 8,	 /* x: catalogue index; a1 the object it names, or 0 */
};

#define VP_UO_A0(op, sub, x) ((__u64)(op) | (__u64)(sub) << 8 | (__u64)(__u32)(x) << 32)
#define VP_UO_OP(a0)	     ((__u32)(a0)&0xff)
#define VP_UO_SUB(a0)	     (((__u32)(a0) >> 8) & 0xff)
#define VP_UO_X(a0)	     ((__u32)((a0) >> 32))

#define VP_USDT_MAX_VCPUS 1024
#define VP_USDT_MAX_JOINS 1024

#define VP_USDT_MARKER_PREFIX "fwcfg" /* QEMU's "fwcfg" and "fwcfg.dma" */
#define VP_USDT_MAX_MARKERS   8

#endif
