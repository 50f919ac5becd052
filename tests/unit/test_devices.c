// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for collector/model/devices.c (the device table) and the
 * pure parts of --compare: QEMU's region names, legacy ports and the guest
 * workloads' region names map to the right device; unknown ones to
 * "unknown"; no two devices claim one port; speedups pair the right rows.
 */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "compare_doc.h"
#include "doc_reader.h"
#include "devices.h"
#include "compare_cmd.h"

#define assert_mr(name, want)	 assert_string_equal(vp_device_for_mr(name)->id, want)
#define assert_port(port, want)	 assert_string_equal(vp_device_for_port(port)->id, want)
#define assert_guest(name, want) assert_string_equal(vp_device_for_guest_region(name)->id, want)

static void test_qemu_region_names(void **state)
{
	(void)state;
	/* the names QEMU 7.2 reports for the bundled workloads' devices */
	assert_mr("ide", "ide");
	assert_mr("piix-bmdma", "ide");
	assert_mr("bmdma", "ide");
	assert_mr("e1000-mmio", "e1000");
	assert_mr("virtio-pci-common-virtio-blk", "virtio-blk");
	assert_mr("virtio-pci-notify-virtio-blk", "virtio-blk");
	assert_mr("virtio-pci-device-virtio-blk", "virtio-blk");
	assert_mr("virtio-pci-isr-virtio-blk", "virtio-blk");
	assert_mr("virtio-pci-common-virtio-net", "virtio-net");
	assert_mr("vmexit-stopwatch-regs", "stopwatch");
	assert_mr("vmexit-stopwatch-doorbell", "stopwatch");
	assert_mr("serial", "serial");
	assert_mr("pit", "pit");
	assert_mr("pcspk", "pit");
	assert_mr("rtc-index", "rtc");
	assert_mr("pic", "pic");
	assert_mr("elcr", "pic");
	assert_mr("pci-conf-idx", "pci-config");
	assert_mr("pci-conf-data", "pci-config");
	assert_mr("fwcfg", "fw_cfg");
	assert_mr("fwcfg.dma", "fw_cfg");
	assert_mr("isa-debug-exit", "isa-debug-exit");
	assert_mr("acpi-tmr", "acpi");
	assert_mr("apm-io", "acpi");
	assert_mr("i8042-cmd", "i8042");
	assert_mr("io", "unassigned");
	/* near misses stay unknown */
	assert_mr("ide2", "unknown");
	assert_mr("virtio-pci-common-virtio-gpu", "unknown");
	assert_mr("", "unknown");
	assert_mr(NULL, "unknown");
	assert_int_equal(vp_device_for_mr("msix-table")->cls, VP_DEV_UNKNOWN);
}

static void test_ports(void **state)
{
	(void)state;
	assert_port(0x1f0, "ide");
	assert_port(0x1f7, "ide");
	assert_port(0x3f6, "ide");
	assert_port(0x170, "ide");
	assert_port(0x376, "ide");
	assert_port(0x3f8, "serial");
	assert_port(0x3ff, "serial");
	assert_port(0x40, "pit");
	assert_port(0x43, "pit");
	assert_port(0x61, "pit");
	assert_port(0x70, "rtc");
	assert_port(0x71, "rtc");
	assert_port(0x20, "pic");
	assert_port(0xa1, "pic");
	assert_port(0xcf8, "pci-config");
	assert_port(0xcfc, "pci-config");
	assert_port(0x510, "fw_cfg");
	assert_port(0x511, "fw_cfg");
	assert_port(0xf4, "isa-debug-exit");
	assert_port(0x604, "acpi");
	assert_port(0x60, "i8042");
	assert_port(0x64, "i8042");
	/* edges and holes */
	assert_port(0x1f8, "unknown");
	assert_port(0x3f7, "unknown");
	assert_port(0x44, "unknown");
	assert_port(0x400, "unknown");
	assert_port(0xffff, "unknown");
}

/* std-VGA, in every x86 QEMU VM unless -vga none (QEMU 7.2's names and ports). */
static void test_std_vga(void **state)
{
	(void)state;
	assert_mr("vga-lowmem", "vga");
	assert_mr("vga", "vga");
	assert_mr("vbe", "vga");
	assert_mr("vga.mmio", "vga");
	assert_mr("bochs dispi interface", "vga");
	assert_port(0x3b0, "vga");
	assert_port(0x3b4, "vga");
	assert_port(0x3c0, "vga");
	assert_port(0x3d5, "vga");
	assert_port(0x3da, "vga");
	assert_port(0x3df, "vga");
	assert_port(0x1ce, "vga");
	assert_port(0x1d0, "vga");
	assert_port(0x3e0, "unknown");
	assert_string_equal(vp_device_for_pci_id(0x1234, 0x1111)->id, "vga");
	assert_int_equal(vp_device_by_id("vga")->cls, VP_DEV_EMULATED);
}

/* A region QEMU names that the table does not know keeps QEMU's name. */
static void test_regions_named_by_qemu(void **state)
{
	const struct vp_device *gpu = vp_device_for_region("virtio-pci-common-virtio-gpu");

	(void)state;
	assert_string_equal(gpu->id, "virtio-pci-common-virtio-gpu");
	assert_non_null(strstr(gpu->name, "virtio-pci-common-virtio-gpu"));
	assert_int_equal(gpu->cls, VP_DEV_UNKNOWN);
	assert_ptr_equal(vp_device_for_region("virtio-pci-common-virtio-gpu"), gpu);
	assert_ptr_not_equal(vp_device_for_region("cirrus-low-memory"), gpu);
	/* the table first; a name that is a table id but not its region stays apart */
	assert_ptr_equal(vp_device_for_region("vga-lowmem"), vp_device_by_id("vga"));
	assert_string_equal(vp_device_for_region("acpi")->id, "qemu:acpi");
	assert_string_equal(vp_device_for_region("unknown")->id, "qemu:unknown");
	/* only nothing named is unknown */
	assert_ptr_equal(vp_device_for_region(""), vp_device_unknown());
	assert_ptr_equal(vp_device_for_region(NULL), vp_device_unknown());
}

static void test_guest_regions(void **state)
{
	(void)state;
	assert_guest("ide-cmd", "ide");
	assert_guest("ide-ctl", "ide");
	assert_guest("ide-bmdma", "ide");
	assert_guest("e1000-tx", "e1000");
	assert_guest("e1000-rx", "e1000");
	assert_guest("vblk-common", "virtio-blk");
	assert_guest("vblk-notify", "virtio-blk");
	assert_guest("vnet0-common", "virtio-net");
	assert_guest("vnet1-notify", "virtio-net");
	assert_guest("stopwatch-regs", "stopwatch");
	assert_guest("stopwatch-doorbell", "stopwatch");
	assert_guest("com1", "serial");
	assert_guest("pit-gate", "pit");
	assert_guest("pci-config", "pci-config");
	assert_guest("debug-exit", "isa-debug-exit");
	assert_guest("other", "unknown");
	assert_guest("vnet-common", "unknown");
}

static void test_workloads_and_classes(void **state)
{
	(void)state;
	assert_string_equal(vp_device_for_workload("ide-pio")->id, "ide");
	assert_string_equal(vp_device_for_workload("ide-dma")->id, "ide");
	assert_string_equal(vp_device_for_workload("virtio-blk")->id, "virtio-blk");
	assert_string_equal(vp_device_for_workload("virtio-net")->id, "virtio-net");
	assert_string_equal(vp_device_for_workload("e1000")->id, "e1000");
	assert_string_equal(vp_device_for_workload("stopwatch-pv")->id, "stopwatch");
	assert_string_equal(vp_device_for_workload("selftest")->id, "unknown");
	assert_int_equal(vp_device_by_id("ide")->cls, VP_DEV_EMULATED);
	assert_int_equal(vp_device_by_id("e1000")->cls, VP_DEV_EMULATED);
	assert_int_equal(vp_device_by_id("virtio-blk")->cls, VP_DEV_PARAVIRTUAL);
	assert_int_equal(vp_device_by_id("serial")->cls, VP_DEV_PLATFORM);
	assert_string_equal(vp_device_class_name(VP_DEV_PARAVIRTUAL), "paravirtual");
	assert_ptr_equal(vp_device_by_id("nope"), vp_device_unknown());
}

/* Every port at most one device, every range well formed, ids unique. */
static void test_no_overlaps(void **state)
{
	size_t n;
	const struct vp_device *t = vp_devices(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_true(t[i].nports <= VP_DEV_MAX_RANGES);
		assert_true(t[i].cls != VP_DEV_UNKNOWN);
		for (size_t a = 0; a < t[i].nports; a++) {
			assert_true(t[i].ports[a].first <= t[i].ports[a].last);
			for (size_t j = i; j < n; j++)
				for (size_t b = j == i ? a + 1 : 0; b < t[j].nports; b++)
					if (t[i].ports[a].first <= t[j].ports[b].last &&
					    t[j].ports[b].first <= t[i].ports[a].last)
						fail_msg("%s 0x%x-0x%x overlaps %s 0x%x-0x%x",
							 t[i].id, t[i].ports[a].first,
							 t[i].ports[a].last, t[j].id,
							 t[j].ports[b].first, t[j].ports[b].last);
		}
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(t[i].id, t[j].id);
	}
}

static void test_speedups(void **state)
{
	struct vp_workload w[3] = {
		{ .name = "ide-pio", .group = "block", .path = "emulated" },
		{ .name = "virtio-blk", .group = "block", .path = "paravirtual" },
		{ .name = "stopwatch-mmio", .group = "stopwatch", .path = "emulated" },
	};
	struct vp_compare cmp = { .accel = "tcg", .n = 3 };
	json_t *doc;

	(void)state;
	char err[256];
	double spread;

	for (size_t i = 0; i < 3; i++) {
		cmp.rows[i].w = &w[i];
		cmp.rows[i].name = w[i].name;
		cmp.rows[i].group = w[i].group;
		cmp.rows[i].path = w[i].path;
		cmp.rows[i].params = w[i].defaults;
		cmp.rows[i].dev = vp_device_for_workload(w[i].name);
		cmp.rows[i].ops = 10;
		cmp.rows[i].ran = true;
		cmp.rows[i].kernel_ns_per_op = cmp.rows[i].qemu_ns_per_op = -1.0;
	}
	/* ide-pio: 3000 exits in 10 ops; virtio-blk: 15 to QEMU and 5 kicks */
	cmp.rows[0].to_user = 3000;
	cmp.rows[1].to_user = 15;
	cmp.rows[1].ioeventfd = 5;
	cmp.rows[0].runs[0] = 100.0;
	cmp.rows[0].runs[1] = 110.0;
	cmp.rows[0].nruns = 2;
	/* one stalled run out of five hardly moves the spread */
	memcpy(cmp.rows[1].runs, (double[]){ 25.0, 25.0, 26.0, 25.0, 90.0 }, 5 * sizeof(double));
	cmp.rows[1].nruns = 5;
	cmp.rows[0].us_per_op = 100.0;
	cmp.rows[1].us_per_op = 25.0;
	cmp.rows[2].us_per_op = -1.0;
	vp_compare_speedups(&cmp);
	assert_int_equal(cmp.nspeedups, 1); /* stopwatch has no paravirtual row */
	assert_int_equal(cmp.speedups[0].paravirtual, 1);
	assert_int_equal(cmp.speedups[0].emulated, 0);
	assert_true(cmp.speedups[0].ratio > 3.99 && cmp.speedups[0].ratio < 4.01);
	/* 300 exits per op against 2 */
	assert_true(cmp.speedups[0].exits_ratio > 149.99 && cmp.speedups[0].exits_ratio < 150.01);
	doc = vp_compare_doc(&cmp, "/nonexistent/qemu");
	assert_non_null(doc);
	if (vp_doc_validate(doc, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "vmexit-prof/2");
	assert_int_equal(json_array_size(json_object_get(doc, "workloads")), 3);
	assert_true(json_is_null(json_object_get(
		json_object_get(json_array_get(json_object_get(doc, "workloads"), 2), "timing"),
		"us_per_op")));
	/* interquartile range of 100 and 110: 107.5 - 102.5, over median 100 */
	spread = json_real_value(json_object_get(
		json_object_get(json_array_get(json_object_get(doc, "workloads"), 0), "timing"),
		"spread_pct"));
	assert_true(spread > 4.99 && spread < 5.01);
	/* quartiles 25 and 26 of 25, 25, 25, 26, 90, over median 25: 4 % */
	spread = json_real_value(json_object_get(
		json_object_get(json_array_get(json_object_get(doc, "workloads"), 1), "timing"),
		"spread_pct"));
	assert_true(spread > 3.99 && spread < 4.01);
	assert_true(json_real_value(json_object_get(
			    json_object_get(json_array_get(json_object_get(doc, "workloads"), 1),
					    "exits_per_op"),
			    "in_kernel")) > 0.49);
	assert_true(json_is_null(
		json_object_get(json_object_get(json_object_get(doc, "meta"), "qemu"), "version")));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_region_names),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_guest_regions),
		cmocka_unit_test(test_workloads_and_classes),
		cmocka_unit_test(test_no_overlaps),
		cmocka_unit_test(test_speedups),
		cmocka_unit_test(test_std_vga),
		cmocka_unit_test(test_regions_named_by_qemu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
