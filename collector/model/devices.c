// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "devices.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The tables are kept laid out as tables, one entry a line. */
/* clang-format off */
#define R(a, b) { (a), (b) }
/* clang-format on */

/*
 * QEMU 7.2's region names (memory_region_init_io and portio lists), as seen
 * by `vmexit-prof run W --profile`.  Several are shared by instances: the
 * four IDE blocks are all "ide", two e1000s both "e1000-mmio", two
 * virtio-net functions both "virtio-pci-common-virtio-net"; the USDT source
 * keeps them apart by MemoryRegion pointer, and a device's count is the sum
 * of its instances.  virtio-pci's regions are "virtio-pci-KIND-MODEL", so
 * the model suffix tells virtio-blk from virtio-net.
 */
/* clang-format off */
static const struct vp_device table[] = {
	{ "ide", "IDE (PIIX3)", VP_DEV_EMULATED, 4,
	  { R(0x1f0, 0x1f7), R(0x3f6, 0x3f6), R(0x170, 0x177), R(0x376, 0x376) },
	  { "ide", "piix-bmdma", "bmdma", "piix-bmdma-container", "piix3-ide" },
	  { "ide-cmd", "ide-ctl", "ide-bmdma" },
	  { "ide-pio", "ide-dma" }, 1u << 14 | 1u << 15, { "ide", "bmdma" } },
	{ "e1000", "Intel 82540EM (e1000)", VP_DEV_EMULATED, 0, { R(0, 0) },
	  { "e1000-mmio", "e1000-io", "e1000" }, { "e1000-*" }, { "e1000" }, 0, { "e1000" } },
	{ "virtio-blk", "virtio-blk (modern PCI)", VP_DEV_PARAVIRTUAL, 0, { R(0, 0) },
	  { "virtio-pci-*-virtio-blk", "virtio-blk-pci*" }, { "vblk-*" }, { "virtio-blk" }, 0, { "virtio-blk" } },
	{ "virtio-net", "virtio-net (modern PCI)", VP_DEV_PARAVIRTUAL, 0, { R(0, 0) },
	  { "virtio-pci-*-virtio-net", "virtio-net-pci*" }, { "vnet[0-9]*-*" }, { "virtio-net" }, 0, { NULL } },
	/* One device, both paths: its registers are the emulated one, its ring
	 * and doorbell the paravirtual one (workloads.json gives the roles). */
	{ "stopwatch", "vmexit-stopwatch", VP_DEV_PARAVIRTUAL, 0, { R(0, 0) },
	  { "vmexit-stopwatch-regs", "vmexit-stopwatch-doorbell", "vmexit-stopwatch" },
	  { "stopwatch-regs", "stopwatch-doorbell" },
	  { "stopwatch-mmio", "stopwatch-pv" }, 0, { "stopwatch" } },
	{ "serial", "16550A UART (COM1)", VP_DEV_PLATFORM, 1, { R(0x3f8, 0x3ff) },
	  { "serial" }, { "com1" }, { NULL }, 1u << 4, { NULL } },
	/* 0x61 is the speaker/gate port; QEMU calls it pcspk, the guest pit-gate.
	 * Its IRQ 0 reaches I/O APIC pin 2 through the MADT override, pin 0 without. */
	{ "pit", "8254 PIT and port 0x61", VP_DEV_PLATFORM, 2, { R(0x40, 0x43), R(0x61, 0x61) },
	  { "pit", "pcspk", "kvm-pit" }, { "pit", "pit-gate" }, { NULL }, 1u << 0 | 1u << 2, { NULL } },
	{ "rtc", "MC146818 RTC/CMOS", VP_DEV_PLATFORM, 1, { R(0x70, 0x71) },
	  { "rtc", "rtc-index" }, { NULL }, { NULL }, 1u << 8, { NULL } },
	{ "pic", "8259 PICs and ELCR", VP_DEV_PLATFORM, 3,
	  { R(0x20, 0x21), R(0xa0, 0xa1), R(0x4d0, 0x4d1) }, { "pic", "elcr", "kvm-pic", "kvm-elcr" }, { NULL }, { NULL }, 0, { NULL } },
	{ "pci-config", "PCI configuration (mechanism #1)", VP_DEV_PLATFORM, 1, { R(0xcf8, 0xcff) },
	  { "pci-conf-idx", "pci-conf-data" }, { "pci-config" }, { NULL }, 0, { NULL } },
	{ "fw_cfg", "QEMU fw_cfg", VP_DEV_PLATFORM, 2, { R(0x510, 0x511), R(0x514, 0x51b) },
	  { "fwcfg", "fwcfg.*" }, { NULL }, { NULL }, 0, { NULL } },
	{ "isa-debug-exit", "isa-debug-exit", VP_DEV_PLATFORM, 1, { R(0xf4, 0xf7) },
	  { "isa-debug-exit" }, { "debug-exit" }, { NULL }, 0, { NULL } },
	/* PIIX4 PM at 0x600, APM, GPE0, CPU and PCI hotplug: the pc machine's defaults. */
	{ "acpi", "ACPI (PIIX4 PM, APM, GPE, hotplug)", VP_DEV_PLATFORM, 5,
	  { R(0x600, 0x63f), R(0xb2, 0xb3), R(0xafe0, 0xafe3), R(0xaf00, 0xaf1f), R(0xae00, 0xae17) },
	  { "acpi-*", "apm-io", "piix4-pm" }, { NULL }, { NULL }, 1u << 9, { NULL } },
	{ "i8042", "i8042 keyboard controller", VP_DEV_PLATFORM, 2, { R(0x60, 0x60), R(0x64, 0x64) },
	  { "i8042-*" }, { NULL }, { NULL }, 1u << 1 | 1u << 12, { NULL } },
	{ "port92", "system control port A (A20)", VP_DEV_PLATFORM, 1, { R(0x92, 0x92) },
	  { "port92" }, { NULL }, { NULL }, 0, { NULL } },
	{ "dma", "8237 DMA controllers", VP_DEV_PLATFORM, 3,
	  { R(0x00, 0x0f), R(0x81, 0x8f), R(0xc0, 0xdf) }, { "dma-*" }, { NULL }, { NULL }, 0, { NULL } },
	{ "post", "POST and FPU ports (0x80, 0xf0)", VP_DEV_PLATFORM, 2,
	  { R(0x80, 0x80), R(0xf0, 0xf0) }, { "ioport80", "ioportF0" }, { NULL }, { NULL }, 0, { NULL } },
	{ "vapic", "KVM/TCG vAPIC option ROM port", VP_DEV_PLATFORM, 1, { R(0x7e, 0x7f) },
	  { "kvmvapic" }, { NULL }, { NULL }, 0, { NULL } },
	/* std-VGA, the display every x86 QEMU VM has unless -vga none: its
	 * legacy window (a coalesced MMIO region), the VGA and Bochs VBE ports,
	 * and the PCI function's MMIO BAR with the same registers remapped. */
	{ "vga", "std-VGA (Bochs VBE)", VP_DEV_EMULATED, 2, { R(0x3b0, 0x3df), R(0x1ce, 0x1d1) },
	  { "vga", "vbe", "vga-lowmem", "vga.mmio", "vga ioports remapped", "bochs dispi interface",
	    "qemu extended regs", "VGA" },
	  { NULL }, { NULL }, 0, { NULL } },
	{ "apic", "local APIC, I/O APIC, HPET, MSI window", VP_DEV_PLATFORM, 0, { R(0, 0) },
	  { "apic-msi", "ioapic", "hpet", "kvm-apic-msi", "kvm-ioapic" }, { NULL }, { NULL }, 0, { NULL } },
	/* QEMU's "io" root answers ports no device decodes. */
	{ "unassigned", "unassigned I/O (no device)", VP_DEV_PLATFORM, 0, { R(0, 0) },
	  { "io", "unassigned" }, { NULL }, { NULL }, 0, { NULL } },
};

static const struct vp_device unknown = { "unknown", "unknown device", VP_DEV_UNKNOWN, 0,
					  { R(0, 0) }, { NULL }, { NULL }, { NULL }, 0, { NULL } };
/* clang-format on */

const struct vp_device *vp_devices(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct vp_device *vp_device_unknown(void)
{
	return &unknown;
}

static bool matches(const char *const *patterns, const char *name)
{
	for (size_t i = 0; i < VP_DEV_MAX_NAMES && patterns[i]; i++)
		if (!fnmatch(patterns[i], name, 0))
			return true;
	return false;
}

const struct vp_device *vp_device_by_id(const char *id)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].id, id))
			return &table[i];
	return &unknown;
}

const struct vp_device *vp_device_for_mr(const char *qemu_mr_name)
{
	for (size_t i = 0; qemu_mr_name && i < sizeof(table) / sizeof(table[0]); i++)
		if (matches(table[i].qemu_mr, qemu_mr_name))
			return &table[i];
	return &unknown;
}

/*
 * Devices named after a QEMU region the table does not know (another
 * display, a board's own device): a user sees QEMU's name, which says far
 * more than "unknown".  Entries live as long as the process, like the
 * table's, so their pointers compare like the table's do.
 */
#define MAX_NAMED 256

static struct named_device {
	struct vp_device dev;
	char id[72], name[112];
} named[MAX_NAMED];
static size_t nnamed;
static pthread_mutex_t named_lock = PTHREAD_MUTEX_INITIALIZER;

static bool is_table_id(const char *id)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].id, id))
			return true;
	return !strcmp(id, unknown.id);
}

/* The name as an id: printable ASCII, since ids go into JSON and onto
 * terminals as they are, and QEMU's names may hold any bytes. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static const struct vp_device *named_device(const char *qemu_name)
{
	const struct vp_device *d = &unknown;
	char id[sizeof(named[0].id)];

	/* A region called like a table device it is not must not merge into it. */
	snprintf(id, sizeof(id), "%s%s", is_table_id(qemu_name) ? "qemu:" : "", qemu_name);
	printable(id);
	pthread_mutex_lock(&named_lock);
	for (size_t i = 0; i < nnamed && d == &unknown; i++)
		if (!strcmp(named[i].id, id))
			d = &named[i].dev;
	if (d == &unknown && nnamed < MAX_NAMED) {
		struct named_device *n = &named[nnamed++];

		snprintf(n->id, sizeof(n->id), "%s", id);
		snprintf(n->name, sizeof(n->name), "QEMU region \"%s\"", qemu_name);
		printable(n->name);
		n->dev = (struct vp_device){ .id = n->id, .name = n->name, .cls = VP_DEV_UNKNOWN };
		d = &n->dev;
	}
	pthread_mutex_unlock(&named_lock);
	return d;
}

const struct vp_device *vp_device_for_region(const char *qemu_mr_name)
{
	const struct vp_device *d = vp_device_for_mr(qemu_mr_name);

	if (d != &unknown || !qemu_mr_name || !qemu_mr_name[0])
		return d;
	return named_device(qemu_mr_name);
}

const struct vp_device *vp_device_for_port(uint16_t port)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		for (size_t j = 0; j < table[i].nports; j++)
			if (port >= table[i].ports[j].first && port <= table[i].ports[j].last)
				return &table[i];
	return &unknown;
}

const struct vp_device *vp_device_for_irq_pin(unsigned int pin)
{
	for (size_t i = 0; pin < 32 && i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].irq_pins & (1u << pin))
			return &table[i];
	return &unknown;
}

const struct vp_device *vp_device_for_event_group(const char *group)
{
	for (size_t i = 0; group && i < sizeof(table) / sizeof(table[0]); i++)
		for (size_t j = 0; j < VP_DEV_MAX_NAMES && table[i].event_groups[j]; j++)
			if (!strcmp(table[i].event_groups[j], group))
				return &table[i];
	return &unknown;
}

const struct vp_device *vp_device_for_guest_region(const char *guest_region)
{
	for (size_t i = 0; guest_region && i < sizeof(table) / sizeof(table[0]); i++)
		if (matches(table[i].guest_regions, guest_region))
			return &table[i];
	return &unknown;
}

const struct vp_device *vp_device_for_workload(const char *workload)
{
	for (size_t i = 0; workload && i < sizeof(table) / sizeof(table[0]); i++)
		for (size_t j = 0; j < VP_DEV_MAX_NAMES && table[i].workloads[j]; j++)
			if (!strcmp(table[i].workloads[j], workload))
				return &table[i];
	return &unknown;
}

/* Both virtio ids of each device: transitional (0x10xx) and modern-only
 * (0x1040 + virtio device type). */
static const struct {
	uint16_t vendor, device;
	const char *id;
} pci_ids[] = {
	{ 0x8086, 0x7010, "ide" },	  { 0x8086, 0x100e, "e1000" },
	{ 0x1af4, 0x1001, "virtio-blk" }, { 0x1af4, 0x1042, "virtio-blk" },
	{ 0x1af4, 0x1000, "virtio-net" }, { 0x1af4, 0x1041, "virtio-net" },
	{ 0x1234, 0x5357, "stopwatch" },  { 0x1234, 0x1111, "vga" },
};

const struct vp_device *vp_device_for_pci_id(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < sizeof(pci_ids) / sizeof(pci_ids[0]); i++)
		if (pci_ids[i].vendor == vendor && pci_ids[i].device == device)
			return vp_device_by_id(pci_ids[i].id);
	return &unknown;
}

const char *vp_device_class_name(enum vp_device_class cls)
{
	switch (cls) {
	case VP_DEV_EMULATED: return "emulated";
	case VP_DEV_PARAVIRTUAL: return "paravirtual";
	case VP_DEV_PLATFORM: return "platform";
	default: return "unknown";
	}
}

int vp_device_maps_bars(const struct vp_device *d)
{
	return !strcmp(d->id, "pci-config");
}

int vp_device_kvm_emulated(const struct vp_device *d)
{
	static const char *const ids[] = { "pic", "pit", "apic" };

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!strcmp(d->id, ids[i]))
			return 1;
	return 0;
}
