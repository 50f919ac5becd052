// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The attribution: which device each exit, in-kernel access and
 * interrupt belongs to, with the sources in their order of trust (QEMU's
 * probes, then its memory map, then the legacy table), and the in-kernel
 * work split into ioeventfd, coalesced MMIO and devices KVM emulates.
 */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "attribution.h"
#include "qemu_memmap.h"
#include "qemu_usdt.h"
#include "vp_test_util.h"

static const char mtree[] =
	"FlatView #0\n"
	" AS \"memory\", root: system\n"
	" Root memory region: system\n"
	"  00000000febc0000-00000000febdffff (prio 1, i/o): e1000-mmio\n"
	"  00000000febfc000-00000000febfcfff (prio 0, i/o): virtio-pci-common-virtio-blk\n"
	"  00000000febff000-00000000febfffff (prio 0, i/o): virtio-pci-notify-virtio-blk\n"
	"  00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic\n"
	"\n"
	"FlatView #1\n"
	" AS \"I/O\", root: io\n"
	" Root memory region: io\n"
	"  00000000000001f0-00000000000001f7 (prio 0, i/o): ide\n";

static const char pci[] =
	"[{\"bus\": 0, \"devices\": [{\"bus\": 0, \"slot\": 3, \"function\": 0, \"irq\": 11,"
	"  \"id\": {\"vendor\": 32902, \"device\": 4110}, \"class_info\": {\"desc\": \"Ethernet\"},"
	"  \"regions\": [{\"bar\": 0, \"type\": \"memory\", \"address\": 4273733632, \"size\": "
	"131072}]},"
	" {\"bus\": 0, \"slot\": 4, \"function\": 0, \"irq\": 10,"
	"  \"id\": {\"vendor\": 6900, \"device\": 4162}, \"class_info\": {\"desc\": \"SCSI\"},"
	"  \"regions\": [{\"bar\": 4, \"type\": \"memory\", \"address\": 4273995776, \"size\": "
	"16384}]}]}]";

static void memmap(struct vp_memmap *m)
{
	json_error_t jerr;
	json_t *j = json_loads(pci, 0, &jerr);

	if (!j)
		fail_msg("query-pci text: %s", jerr.text);
	memset(m, 0, sizeof(*m));
	assert_int_equal(vp_memmap_parse_mtree(m, mtree), 0);
	assert_int_equal(vp_memmap_parse_pci(m, j), 0);
	json_decref(j);
}

static struct vp_usdt_join join(uint32_t kind, uint64_t addr, const char *region)
{
	struct vp_usdt_join j = { .kind = kind, .addr = addr };

	snprintf(j.region, sizeof(j.region), "%s", region);
	return j;
}

static void test_sources_in_order(void **state)
{
	struct vp_usdt_join joins[] = {
		/* QEMU's probes disagree with the map: they saw the dispatch */
		join(VP_UA_MMIO, 0xfebfc010, "vmexit-stopwatch-regs"),
		join(VP_UA_IOEVENTFD_MMIO, 0xfebff000, "virtio-pci-common-virtio-blk"),
		/* registered while a BAR was mapped: the write was PCI configuration */
		join(VP_UA_IOEVENTFD_MMIO, 0xfebc0100, "pci-conf-data"),
		join(VP_UA_IOEVENTFD_MMIO, 0xfe000000, "pci-conf-data"),
	};
	struct vp_usdt_counts c = { .joins = joins, .njoins = 4 };
	struct vp_attribution usdt_only = { .usdt = &c };
	struct vp_memmap m;
	struct vp_attribution with_all = { .usdt = &c, .memmap = &m }, map_only = { .memmap = &m },
			      none = { 0 };
	struct vp_attr_hit h;

	(void)state;
	memmap(&m);
	h = vp_attribute_access(&with_all, VP_K_MMIO, 0xfebfc010);
	assert_string_equal(h.dev->id, "stopwatch");
	assert_int_equal(h.source, VP_ATTR_USDT);
	h = vp_attribute_access(&map_only, VP_K_MMIO, 0xfebfc010);
	assert_string_equal(h.dev->id, "virtio-blk");
	assert_int_equal(h.source, VP_ATTR_QMP);
	assert_string_equal(h.region, "virtio-pci-common-virtio-blk");
	/* the notify address: an ioeventfd registered by the common-config write */
	h = vp_attribute_access(&with_all, VP_K_FAST_MMIO, 0xfebff000);
	assert_string_equal(h.dev->id, "virtio-blk");
	assert_true(h.ioeventfd);
	/* a doorbell whose BAR mapping registered it: the map's device, or nobody */
	h = vp_attribute_access(&with_all, VP_K_MMIO, 0xfebc0100);
	assert_string_equal(h.dev->id, "e1000");
	assert_true(h.ioeventfd);
	h = vp_attribute_access(&usdt_only, VP_K_MMIO, 0xfe000000);
	assert_string_equal(h.dev->id, "unknown");
	assert_true(h.ioeventfd);
	h = vp_attribute_access(&usdt_only, VP_K_FAST_MMIO, 0xfebff000);
	assert_string_equal(h.dev->id, "virtio-blk");
	/* ports: the map, else the legacy table; nothing at all is unknown */
	assert_int_equal(vp_attribute_access(&map_only, VP_K_PIO, 0x1f0).source, VP_ATTR_QMP);
	h = vp_attribute_access(&none, VP_K_PIO, 0x1f7);
	assert_string_equal(h.dev->id, "ide");
	assert_int_equal(h.source, VP_ATTR_LEGACY);
	h = vp_attribute_access(&none, VP_K_MMIO, 0xfebc0000);
	assert_string_equal(h.dev->id, "unknown");
	assert_int_equal(h.source, VP_ATTR_NONE);
	/* interrupt lines: the PCI function's INTx over QMP, else the fixed ones */
	assert_string_equal(vp_attribute_pin(&map_only, 11).dev->id, "e1000");
	assert_string_equal(vp_attribute_pin(&none, 11).dev->id, "unknown");
	assert_string_equal(vp_attribute_pin(&none, 14).dev->id, "ide");
	assert_string_equal(vp_attribute_pin(&none, 4).dev->id, "serial");
	assert_string_equal(vp_attr_source_name(vp_attr_best(&with_all)), "qemu-usdt");
	assert_string_equal(vp_attr_source_name(vp_attr_best(&map_only)), "qmp");
	assert_string_equal(vp_attr_source_name(vp_attr_best(&none)), "legacy-ports");
	vp_memmap_free(&m);
}

static void add(struct vp_result *r, uint8_t kind, uint8_t dir, uint64_t addr, uint64_t count,
		uint64_t to_user, uint64_t user_ns_each)
{
	struct vp_key k = {
		.kind = kind, .dir = dir, .size = 4, .vcpu = VP_VCPU_ANY, .addr = addr
	};
	struct vp_stat st = { 0 };

	if (to_user)
		vp_test_samples(&st, user_ns_each, (uint32_t)to_user, true);
	st.count = count;
	st.kern_ns = count * 100;
	st.kern_count = count;
	assert_int_equal(vp_result_add(r, &k, &st), 0);
}

static void test_totals_under_kvm(void **state)
{
	struct vp_usdt_irq irqs[] = {
		{ .kind = VP_UI_VIRTIO,
		  .obj = 0x1234,
		  .region = "virtio-pci-common-virtio-blk",
		  .raised = 9,
		  .guest_raised = 8 },
		{ .kind = VP_UI_VIRTIO,
		  .obj = 0x5678,
		  .device_id = "virtio-blk",
		  .raised = 1,
		  .guest_raised = 1 },
	};
	struct vp_usdt_counts c = { .irqs = irqs, .nirqs = 2 };
	struct vp_memmap m;
	struct vp_attribution a = { .usdt = &c, .memmap = &m };
	const struct vp_device_total *t;
	struct vp_device_total *tot;
	struct vp_result r;
	struct vp_key irq = { .kind = VP_K_IRQ, .vcpu = VP_VCPU_ANY, .code = 14 };
	struct vp_stat irq_st = { .count = 3 };
	size_t n;

	(void)state;
	memmap(&m);
	vp_result_init(&r);
	/* e1000: 10 register writes, 4 of them exits and 6 queued (coalesced) */
	add(&r, VP_K_MMIO, VP_DIR_WRITE, 0xfebc00d0, 10, 4, 5000);
	/* virtio-blk: 5 kicks by ioeventfd, 2 config reads to QEMU */
	add(&r, VP_K_FAST_MMIO, 0, 0xfebff000, 5, 0, 0);
	add(&r, VP_K_MMIO, VP_DIR_READ, 0xfebfc000, 2, 2, 3000);
	/* the I/O APIC, emulated by KVM: never leaves the kernel */
	add(&r, VP_K_MMIO, VP_DIR_WRITE, 0xfec00000, 7, 0, 0);
	/* IDE: 100 port exits of 10 us */
	add(&r, VP_K_PIO, VP_DIR_READ, 0x1f0, 100, 100, 10000);
	assert_int_equal(vp_result_add(&r, &irq, &irq_st), 0);

	n = vp_device_totals(&r, &a, &tot);
	t = vp_device_total_find(tot, n, vp_device_by_id("ide"));
	assert_non_null(t);
	/* most costly first */
	assert_ptr_equal(&tot[0], t);
	assert_int_equal(t->to_user, 100);
	assert_int_equal(t->user_ns, 100 * 10000);
	assert_int_equal(t->kernel_ns, 100 * 100);
	/* GSI 14, raised by KVM's irqchip */
	assert_int_equal(t->interrupts, 3);
	assert_int_equal(t->lat.max_ns, 10000);
	t = vp_device_total_find(tot, n, vp_device_by_id("e1000"));
	assert_int_equal(t->to_user, 4);
	assert_int_equal(t->coalesced, 6);
	assert_int_equal(vp_device_in_kernel(t), 6);
	assert_int_equal(t->source, VP_ATTR_QMP);
	t = vp_device_total_find(tot, n, vp_device_by_id("virtio-blk"));
	assert_int_equal(t->to_user, 2);
	assert_int_equal(t->ioeventfd, 5);
	assert_int_equal(t->coalesced, 0);
	/* by the region of its status write, and by its type's own events */
	assert_int_equal(t->interrupts, 10);
	assert_int_equal(t->guest_interrupts, 9);
	t = vp_device_total_find(tot, n, vp_device_by_id("apic"));
	assert_int_equal(t->kernel_dev, 7);
	assert_int_equal(t->coalesced, 0);
	free(tot);
	vp_result_free(&r);
	vp_memmap_free(&m);
}

/* Under TCG there are no exits: QEMU's dispatches per region stand for them. */
static void test_totals_under_tcg(void **state)
{
	struct vp_usdt_region regions[] = {
		{ .name = "vmexit-stopwatch-regs", .reads = 250, .writes = 150 },
		{ .name = "vmexit-stopwatch-doorbell", .writes = 2 },
		{ .name = "serial", .writes = 30 },
	};
	struct vp_usdt_irq irqs[] = {
		{ .kind = VP_UI_STOPWATCH, .raised = 4, .guest_raised = 4 },
		{ .kind = VP_UI_IOAPIC, .line = 2, .raised = 36, .guest_raised = 30 },
		/* virtio-blk's notifications move its INTx line (pin 10 over QMP):
		 * one interrupt each, not two */
		{ .kind = VP_UI_IOAPIC, .line = 10, .raised = 1, .guest_raised = 1 },
		{ .kind = VP_UI_VIRTIO,
		  .obj = 0x1234,
		  .device_id = "virtio-blk",
		  .raised = 5,
		  .guest_raised = 5 },
		/* a line nobody is known to use */
		{ .kind = VP_UI_IOAPIC, .line = 7, .raised = 1, .guest_raised = 1 },
	};
	struct vp_usdt_counts c = { .r = regions, .n = 3, .irqs = irqs, .nirqs = 5 };
	struct vp_memmap m;
	struct vp_attribution a = { .usdt = &c, .memmap = &m };
	struct vp_device_total *tot;
	const struct vp_device_total *t;
	struct vp_result r;
	struct vp_key kirq = { .kind = VP_K_IRQ, .vcpu = VP_VCPU_ANY, .code = 2 };
	struct vp_stat st = { .count = 99 };
	size_t n;

	(void)state;
	memmap(&m);
	vp_result_init(&r);
	/* the I/O APIC's own events already counted pin 2: the kernel's line is not added */
	assert_int_equal(vp_result_add(&r, &kirq, &st), 0);
	n = vp_device_totals(&r, &a, &tot);
	t = vp_device_total_find(tot, n, vp_device_by_id("stopwatch"));
	assert_non_null(t);
	assert_int_equal(t->to_user, 402);
	assert_int_equal(t->interrupts, 4);
	assert_int_equal(t->source, VP_ATTR_USDT);
	t = vp_device_total_find(tot, n, vp_device_by_id("pit"));
	assert_int_equal(t->interrupts, 36);
	assert_int_equal(t->guest_interrupts, 30);
	assert_int_equal(vp_device_total_find(tot, n, vp_device_by_id("serial"))->to_user, 30);
	assert_int_equal(vp_device_total_find(tot, n, vp_device_by_id("virtio-blk"))->interrupts,
			 5);
	assert_int_equal(vp_device_total_find(tot, n, vp_device_unknown())->interrupts, 1);
	free(tot);
	vp_result_free(&r);
	vp_memmap_free(&m);
}

/* A SeaBIOS boot with QEMU's default display: the VGA BIOS clears the
 * legacy window (coalesced writes) and programs the CRTC ports; a second
 * display QEMU names but the table does not know keeps QEMU's name. */
static const char vga_mtree[] = "FlatView #0\n"
				" AS \"memory\", root: system\n"
				" Root memory region: system\n"
				"  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
				"  00000000fc000000-00000000fc000fff (prio 1, i/o): cirrus-mmio\n"
				"\n"
				"FlatView #1\n"
				" AS \"I/O\", root: io\n"
				" Root memory region: io\n"
				"  00000000000003c0-00000000000003cf (prio 0, i/o): vga\n"
				"  00000000000003d4-00000000000003d5 (prio 0, i/o): vga\n";

static void test_display_devices(void **state)
{
	struct vp_usdt_join joins[] = {
		join(VP_UA_MMIO, 0xfc000010, "cirrus-mmio"),
		join(VP_UA_PIO, 0x3c4, "cirrus-io"),
	};
	struct vp_usdt_counts c = { .joins = joins, .njoins = 2 };
	struct vp_memmap m = { 0 };
	struct vp_attribution usdt = { .usdt = &c }, map = { .memmap = &m }, none = { 0 };
	struct vp_device_total *tot;
	const struct vp_device_total *t;
	struct vp_result r;
	struct vp_attr_hit h;
	size_t n;

	(void)state;
	assert_int_equal(vp_memmap_parse_mtree(&m, vga_mtree), 0);
	/* std-VGA by QMP, by its ports alone */
	h = vp_attribute_access(&map, VP_K_MMIO, 0xb8000);
	assert_string_equal(h.dev->id, "vga");
	assert_string_equal(h.region, "vga-lowmem");
	assert_string_equal(vp_attribute_access(&map, VP_K_PIO, 0x3d4).dev->id, "vga");
	assert_string_equal(vp_attribute_access(&none, VP_K_PIO, 0x3da).dev->id, "vga");
	assert_string_equal(vp_attribute_access(&none, VP_K_PIO, 0x1ce).dev->id, "vga");
	/* regions only QEMU knows: by probe, by map */
	h = vp_attribute_access(&usdt, VP_K_MMIO, 0xfc000010);
	assert_string_equal(h.dev->id, "cirrus-mmio");
	assert_int_equal(h.source, VP_ATTR_USDT);
	h = vp_attribute_access(&map, VP_K_MMIO, 0xfc000020);
	assert_string_equal(h.dev->id, "cirrus-mmio");
	assert_int_equal(h.source, VP_ATTR_QMP);
	/* QEMU's dispatch beats what usually sits at that port */
	assert_string_equal(vp_attribute_access(&usdt, VP_K_PIO, 0x3c4).dev->id, "cirrus-io");
	/* nothing named it: unknown */
	assert_string_equal(vp_attribute_access(&none, VP_K_MMIO, 0xfc000010).dev->id, "unknown");

	/* the totals: the window's writes stayed in the kernel, coalesced */
	vp_result_init(&r);
	add(&r, VP_K_MMIO, VP_DIR_WRITE, 0xb8000, 4000, 0, 0);
	add(&r, VP_K_MMIO, VP_DIR_READ, 0xb8000, 10, 10, 2000);
	add(&r, VP_K_PIO, VP_DIR_WRITE, 0x3d4, 60, 60, 1000);
	add(&r, VP_K_MMIO, VP_DIR_WRITE, 0xfc000020, 5, 5, 1000);
	n = vp_device_totals(&r, &map, &tot);
	t = vp_device_total_find(tot, n, vp_device_by_id("vga"));
	assert_non_null(t);
	assert_int_equal(t->coalesced, 4000);
	assert_int_equal(t->to_user, 70);
	assert_int_equal(t->source, VP_ATTR_QMP);
	t = vp_device_total_find(tot, n, vp_device_for_region("cirrus-mmio"));
	assert_non_null(t);
	assert_int_equal(t->to_user, 5);
	assert_null(vp_device_total_find(tot, n, vp_device_unknown()));
	free(tot);
	vp_result_free(&r);
	vp_memmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources_in_order),
		cmocka_unit_test(test_totals_under_kvm),
		cmocka_unit_test(test_totals_under_tcg),
		cmocka_unit_test(test_display_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
