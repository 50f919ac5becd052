/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The device table: the one place that knows each device model
 * the bundled workloads and the pc machine use, how QEMU names its memory
 * regions, which legacy ports it decodes, and how the guest workloads name
 * their own regions of it.  Everything that attributes an access to a
 * device goes through here.
 */
#ifndef VP_DEVICES_H
#define VP_DEVICES_H

#include <stddef.h>
#include <stdint.h>

enum vp_device_class { VP_DEV_EMULATED, VP_DEV_PARAVIRTUAL, VP_DEV_PLATFORM, VP_DEV_UNKNOWN };

#define VP_DEV_MAX_RANGES 6
#define VP_DEV_MAX_NAMES  8

struct vp_port_range {
	uint16_t first, last; /* inclusive */
};

struct vp_device {
	const char *id;	  /* short, stable: "ide", "virtio-blk", ... (JSON, tests) */
	const char *name; /* for people */
	enum vp_device_class cls;
	size_t nports;
	struct vp_port_range ports[VP_DEV_MAX_RANGES]; /* fixed legacy ports */
	/* fnmatch(3) patterns, NULL-terminated: QEMU's MemoryRegion names and
	 * the device's QEMU type (what pci_cfg_write names it by), and the
	 * guest workloads' region names (guest-workloads/README.md). */
	const char *qemu_mr[VP_DEV_MAX_NAMES];
	const char *guest_regions[VP_DEV_MAX_NAMES];
	/* the workloads that measure this device (guest-workloads/workloads.json) */
	const char *workloads[VP_DEV_MAX_NAMES];
	/* fixed interrupt lines, as I/O APIC pins (bit n = pin n); PCI devices'
	 * lines come from query-pci instead */
	uint32_t irq_pins;
	/* the device column of its QEMU trace events (events.catalogue) */
	const char *event_groups[VP_DEV_MAX_NAMES];
};

/* The table, and its "unknown" entry (never NULL from the lookups). */
const struct vp_device *vp_devices(size_t *n);
const struct vp_device *vp_device_unknown(void);
const struct vp_device *vp_device_by_id(const char *id);
const struct vp_device *vp_device_for_mr(const char *qemu_mr_name);
/* The table's device for a region QEMU names, else a device carrying
 * QEMU's own name (class unknown, id the name, "qemu:" before a name that
 * is a table id): a named region is never folded into unknown.  Unknown
 * only for no name (or past 256 distinct such names). */
const struct vp_device *vp_device_for_region(const char *qemu_mr_name);
/* KVM emulates d itself with the in-kernel irqchip (PIC and ELCR, PIT,
 * I/O APIC, local APIC): what it serves in the kernel is that device's own
 * work, not a write queued for QEMU. */
int vp_device_kvm_emulated(const struct vp_device *d);
/* A write to d's registers maps other devices' BARs (PCI configuration):
 * what QEMU registers while handling it belongs to the device mapped. */
int vp_device_maps_bars(const struct vp_device *d);
/* The built-in legacy-port fallback (attribution source 3). */
const struct vp_device *vp_device_for_port(uint16_t port);
/* The built-in I/O APIC pin table; unknown if no fixed device uses it. */
const struct vp_device *vp_device_for_irq_pin(unsigned int pin);
/* The device whose events the catalogue files under `group` ("bmdma": ide);
 * unknown for groups that are not one device (virtio, kvm, memory). */
const struct vp_device *vp_device_for_event_group(const char *group);
const struct vp_device *vp_device_for_guest_region(const char *guest_region);
/* The device a bundled workload measures; unknown if none. */
const struct vp_device *vp_device_for_workload(const char *workload);
/* A PCI function's device by vendor and device id (query-pci), for regions
 * whose name says nothing of their owner (msix-table inside a BAR). */
const struct vp_device *vp_device_for_pci_id(uint16_t vendor, uint16_t device);
const char *vp_device_class_name(enum vp_device_class cls);

#endif
