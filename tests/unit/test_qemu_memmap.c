// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for collector/sources/qemu_memmap.c and qmp_socket.c (attribution
 * source 2): a captured `info mtree -f` and query-pci of
 * Debian's stock QEMU 7.2 (pc machine, virtio-blk-pci with
 * disable-legacy=on, e1000, -serial null, after SeaBIOS assigned the BARs)
 * must attribute addresses to the right devices, and the QMP socket must be
 * found on sample QEMU command lines.
 */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "qemu_memmap.h"
#include "qmp.h"

/* An excerpt (the I/O view shortened, SMM view cut), CRLF as HMP sends it. */
static const char mtree_text[] =
	"FlatView #0\r\n"
	" AS \"memory\", root: system\r\n"
	" AS \"cpu-memory-0\", root: system\r\n"
	" AS \"virtio-blk-pci\", root: bus master container\r\n"
	" AS \"e1000\", root: bus master container\r\n"
	" Root memory region: system\r\n"
	"  0000000000000000-00000000000bffff (prio 0, ram): pc.ram\r\n"
	"  00000000000c0000-00000000000c0fff (prio 0, rom): pc.ram @00000000000c0000\r\n"
	"  00000000000c1000-00000000000c3fff (prio 0, ram): pc.ram @00000000000c1000\r\n"
	"  00000000000c4000-00000000000e7fff (prio 0, rom): pc.ram @00000000000c4000\r\n"
	"  00000000000e8000-00000000000effff (prio 0, ram): pc.ram @00000000000e8000\r\n"
	"  00000000000f0000-00000000000fffff (prio 0, rom): pc.ram @00000000000f0000\r\n"
	"  0000000000100000-0000000003ffffff (prio 0, ram): pc.ram @0000000000100000\r\n"
	"  00000000febc0000-00000000febdffff (prio 1, i/o): e1000-mmio\r\n"
	"  00000000febe0000-00000000febe001f (prio 0, i/o): msix-table\r\n"
	"  00000000febe0800-00000000febe0807 (prio 0, i/o): msix-pba\r\n"
	"  00000000febfc000-00000000febfcfff (prio 0, i/o): virtio-pci-common-virtio-blk\r\n"
	"  00000000febfd000-00000000febfdfff (prio 0, i/o): virtio-pci-isr-virtio-blk\r\n"
	"  00000000febfe000-00000000febfefff (prio 0, i/o): virtio-pci-device-virtio-blk\r\n"
	"  00000000febff000-00000000febfffff (prio 0, i/o): virtio-pci-notify-virtio-blk\r\n"
	"  00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic\r\n"
	"  00000000fed00000-00000000fed003ff (prio 0, i/o): hpet\r\n"
	"  00000000fee00000-00000000feefffff (prio 4096, i/o): apic-msi\r\n"
	"  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\r\n"
	"\r\n"
	"FlatView #1\r\n"
	" AS \"I/O\", root: io\r\n"
	" Root memory region: io\r\n"
	"  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan\r\n"
	"  0000000000000020-0000000000000021 (prio 0, i/o): pic\r\n"
	"  00000000000000c0-00000000000000cf (prio 0, i/o): dma-chan\r\n"
	"  0000000000000178-00000000000001ef (prio 0, i/o): io @0000000000000178\r\n"
	"  00000000000001f0-00000000000001f7 (prio 0, i/o): ide\r\n"
	"  00000000000001f8-0000000000000375 (prio 0, i/o): io @00000000000001f8\r\n"
	"  00000000000003f7-00000000000003f7 (prio 0, i/o): fdc\r\n"
	"  00000000000003f8-00000000000003ff (prio 0, i/o): serial\r\n"
	"  00000000000004d0-00000000000004d0 (prio 0, i/o): elcr\r\n"
	"  00000000000004d1-00000000000004d1 (prio 0, i/o): elcr\r\n"
	"  0000000000000510-0000000000000511 (prio 0, i/o): fwcfg\r\n"
	"  0000000000000740-0000000000000cf7 (prio 0, i/o): io @0000000000000740\r\n"
	"  0000000000000cf8-0000000000000cf8 (prio 0, i/o): pci-conf-idx\r\n"
	"  0000000000000cf9-0000000000000cf9 (prio 1, i/o): piix3-reset-control\r\n"
	"  0000000000000cfa-0000000000000cfb (prio 0, i/o): pci-conf-idx @0000000000000002\r\n"
	"  0000000000000cfc-0000000000000cff (prio 0, i/o): pci-conf-data\r\n"
	"  000000000000c000-000000000000c03f (prio 1, i/o): e1000-io\r\n"
	"  000000000000c040-000000000000c043 (prio 0, i/o): piix-bmdma\r\n"
	"  000000000000c044-000000000000c047 (prio 0, i/o): bmdma\r\n"
	"  000000000000c048-000000000000c04b (prio 0, i/o): piix-bmdma\r\n"
	"  000000000000c04c-000000000000c04f (prio 0, i/o): bmdma\r\n"
	"  000000000000c050-000000000000ffff (prio 0, i/o): io @000000000000c050\r\n"
	"FlatView #2\r\n"
	" AS \"cpu-smm-0\", root: memory\r\n"
	" Root memory region: memory\r\n"
	"  0000000000000000-00000000000bffff (prio 0, ram): pc.ram\r\n"
	"  00000000000c0000-00000000000c0fff (prio 0, rom): pc.ram @00000000000c0000\r\n"
	"  00000000000c1000-00000000000c3fff (prio 0, ram): pc.ram @00000000000c1000\r\n"
	"FlatView #3\r\n"
	" AS \"i440FX\", root: bus master container\r\n"
	" AS \"PIIX3\", root: bus master container\r\n"
	" AS \"piix3-ide\", root: bus master container\r\n"
	" AS \"PIIX4_PM\", root: bus master container\r\n"
	" Root memory region: (none)\r\n"
	"  No rendered FlatView\r\n"
	"\r\n"
	"\r\n";
static const char query_pci_json[] =
	"[{\"bus\":0,\"devices\":[{\"irq_pin\":0,\"bus\":0,\"qdev_id\":\"\",\"slot\":0,\"class_"
	"info\":{\"class\":15"
	"36,\"desc\":\"Host "
	"bridge\"},\"id\":{\"device\":4663,\"subsystem-vendor\":6900,\"vendor\":32902,\"sub"
	"system\":4352},\"function\":0,\"regions\":[]},{\"irq_pin\":0,\"bus\":0,\"qdev_id\":\"\","
	"\"slot\":1,\"cla"
	"ss_info\":{\"class\":1537,\"desc\":\"ISA "
	"bridge\"},\"id\":{\"device\":28672,\"subsystem-vendor\":6900"
	",\"vendor\":32902,\"subsystem\":4352},\"function\":0,\"regions\":[]},{\"irq_pin\":0,"
	"\"bus\":0,\"qdev_"
	"id\":\"\",\"slot\":1,\"class_info\":{\"class\":257,\"desc\":\"IDE "
	"controller\"},\"id\":{\"device\":28688,"
	"\"subsystem-vendor\":6900,\"vendor\":32902,\"subsystem\":4352},\"function\":1,\"regions\":"
	"[{\"bar\":"
	"4,\"size\":16,\"address\":49216,\"type\":\"io\"}]},{\"irq_pin\":1,\"bus\":0,\"qdev_id\":"
	"\"\",\"irq\":9,\"sl"
	"ot\":1,\"class_info\":{\"class\":1664,\"desc\":\"Bridge\"},\"id\":{\"device\":28947,"
	"\"subsystem-vendor"
	"\":6900,\"vendor\":32902,\"subsystem\":4352},\"function\":3,\"regions\":[]},{\"irq_pin\":"
	"1,\"bus\":0,"
	"\"qdev_id\":\"vblk0\",\"irq\":10,\"slot\":2,\"class_info\":{\"class\":256,\"desc\":\"SCSI "
	"controller\"},"
	"\"id\":{\"device\":4162,\"subsystem-vendor\":6900,\"vendor\":6900,\"subsystem\":4352},"
	"\"function\":0"
	",\"regions\":[{\"prefetch\":false,\"mem_type_64\":false,\"bar\":1,\"size\":4096,"
	"\"address\":42738647"
	"04,\"type\":\"memory\"},{\"prefetch\":true,\"mem_type_64\":true,\"bar\":4,\"size\":16384,"
	"\"address\":4"
	"273979392,\"type\":\"memory\"}]},{\"irq_pin\":1,\"bus\":0,\"qdev_id\":\"\",\"irq\":11,"
	"\"slot\":3,\"class_"
	"info\":{\"class\":512,\"desc\":\"Ethernet "
	"controller\"},\"id\":{\"device\":4110,\"subsystem-vendor\":"
	"6900,\"vendor\":32902,\"subsystem\":4352},\"function\":0,\"regions\":[{\"prefetch\":false,"
	"\"mem_typ"
	"e_64\":false,\"bar\":0,\"size\":131072,\"address\":4273733632,\"type\":\"memory\"},{"
	"\"bar\":1,\"size\":"
	"64,\"address\":49152,\"type\":\"io\"},{\"prefetch\":false,\"mem_type_64\":false,\"bar\":6,"
	"\"size\":262"
	"144,\"address\":-1,\"type\":\"memory\"}]}]}]";

#define DEV(space, addr) vp_memmap_device(&m, VP_SPACE_##space, (addr))->id

static void load(struct vp_memmap *m, bool with_pci)
{
	json_t *pci = json_loads(query_pci_json, 0, NULL);

	assert_non_null(pci);
	assert_int_equal(vp_memmap_parse_mtree(m, mtree_text), 0);
	if (with_pci)
		assert_int_equal(vp_memmap_parse_pci(m, pci), 0);
	json_decref(pci);
}

static void test_mtree_ranges(void **state)
{
	struct vp_memmap m = { 0 };
	const struct vp_mem_range *r;

	(void)state;
	load(&m, false);
	/* 18 memory ranges; the SMM view (same addresses) must not add more */
	r = vp_memmap_lookup(&m, VP_SPACE_MMIO, 0xfebfc010);
	assert_non_null(r);
	assert_int_equal(r->start, 0xfebfc000);
	assert_int_equal(r->end, 0xfebfcfff);
	assert_string_equal(r->name, "virtio-pci-common-virtio-blk");
	assert_string_equal(r->kind, "i/o");
	assert_string_equal(r->dev->id, "virtio-blk");
	assert_null(r->bar);
	/* " @offset" is cut from the name; the CR of HMP's line ends too */
	r = vp_memmap_lookup(&m, VP_SPACE_PIO, 0xcfa);
	assert_non_null(r);
	assert_string_equal(r->name, "pci-conf-idx");
	r = vp_memmap_lookup(&m, VP_SPACE_MMIO, 0xfee00000);
	assert_int_equal(r->prio, 4096);
	assert_string_equal(DEV(MMIO, 0xfebff004), "virtio-blk"); /* notify */
	assert_string_equal(DEV(MMIO, 0xfebc00d0), "e1000");
	assert_string_equal(DEV(PIO, 0x1f0), "ide");
	assert_string_equal(DEV(PIO, 0x1f7), "ide");
	assert_string_equal(DEV(PIO, 0x3f8), "serial");
	assert_string_equal(DEV(PIO, 0x3fd), "serial");
	assert_string_equal(DEV(PIO, 0xcf8), "pci-config");
	assert_string_equal(DEV(PIO, 0xcfc), "pci-config");
	assert_string_equal(DEV(PIO, 0xc000), "e1000");
	assert_string_equal(DEV(PIO, 0xc044), "ide"); /* bus-master DMA */
	/* ports nothing decodes belong to QEMU's "io" root */
	assert_string_equal(DEV(PIO, 0x1f8), "unassigned");
	/* guest-physical holes: nothing mapped at all */
	assert_null(vp_memmap_lookup(&m, VP_SPACE_MMIO, 0x80000000));
	assert_null(vp_memmap_lookup(&m, VP_SPACE_MMIO, 0xfebe0100));
	assert_string_equal(DEV(MMIO, 0x80000000), "unknown");
	/* RAM is mapped, but is no device */
	assert_string_equal(vp_memmap_lookup(&m, VP_SPACE_MMIO, 0x1000)->kind, "ram");
	assert_string_equal(DEV(MMIO, 0x1000), "unknown");
	/* msix-table says nothing of its owner without query-pci: QEMU's name
	 * is all there is, and still more than "unknown" */
	assert_string_equal(DEV(MMIO, 0xfebe0000), "msix-table");
	assert_int_equal(vp_memmap_device(&m, VP_SPACE_MMIO, 0xfebe0000)->cls, VP_DEV_UNKNOWN);
	/* nor is a ROM unknown: a write to it exits */
	assert_string_equal(DEV(MMIO, 0xffffffff), "pc.bios");
	/* the upper ends of both spaces */
	assert_string_equal(vp_memmap_lookup(&m, VP_SPACE_MMIO, 0xffffffff)->name, "pc.bios");
	assert_string_equal(DEV(PIO, 0xffff), "unassigned");
	vp_memmap_free(&m);
}

static void test_pci_bars(void **state)
{
	struct vp_memmap m = { 0 };
	const struct vp_mem_range *r;

	(void)state;
	load(&m, true);
	/* IDE BAR4, virtio-blk BAR1 and BAR4, e1000 BAR0 and BAR1; e1000's ROM
	 * (address -1: not mapped) is left out */
	assert_int_equal(m.nbars, 5);
	r = vp_memmap_lookup(&m, VP_SPACE_MMIO, 0xfebe0000);
	assert_string_equal(r->name, "msix-table");
	assert_non_null(r->bar);
	assert_string_equal(r->dev->id, "virtio-blk");
	assert_string_equal(r->bar->qdev_id, "vblk0");
	assert_int_equal(r->bar->bar, 1);
	r = vp_memmap_lookup(&m, VP_SPACE_MMIO, 0xfebfd000);
	assert_int_equal(r->bar->bar, 4);
	assert_int_equal(r->bar->start, 0xfebfc000);
	assert_int_equal(r->bar->end, 0xfebfffff);
	assert_int_equal(r->bar->vendor, 0x1af4);
	assert_int_equal(r->bar->device, 0x1042);
	r = vp_memmap_lookup(&m, VP_SPACE_PIO, 0xc000);
	assert_int_equal(r->bar->slot, 3);
	assert_string_equal(r->bar->dev->id, "e1000");
	assert_string_equal(vp_memmap_lookup(&m, VP_SPACE_PIO, 0xc04c)->bar->dev->id, "ide");
	/* legacy ports lie in no BAR */
	assert_null(vp_memmap_lookup(&m, VP_SPACE_PIO, 0x1f0)->bar);
	assert_int_equal(vp_memmap_parse_pci(&m, NULL), -EINVAL);
	vp_memmap_free(&m);
}

static void test_mtree_rejects(void **state)
{
	struct vp_memmap m = { 0 };

	(void)state;
	assert_int_equal(vp_memmap_parse_mtree(&m, ""), -EINVAL);
	assert_int_equal(vp_memmap_parse_mtree(&m, "unknown command: 'info mtre'\r\n"), -EINVAL);
	/* ranges outside the two views, and malformed lines, are ignored */
	assert_int_equal(
		vp_memmap_parse_mtree(&m, "FlatView #0\n AS \"I/O\", root: io\n"
					  "  0000-0007 (prio 0, i/o): dma-chan\n"
					  "  0008-000f (prio x, i/o): bad\n"
					  "  0010-000f (prio 0, i/o): backwards\n"
					  "FlatView #1\n AS \"PIIX3\", root: bus master container\n"
					  "  0000-ffff (prio 0, i/o): elsewhere\n"),
		0);
	assert_int_equal(m.nranges, 1);
	assert_string_equal(DEV(PIO, 0x4), "dma");
	vp_memmap_free(&m);
}

static int find(int argc, char *const argv[], char *path)
{
	return vp_qmp_socket_from_argv(argc, argv, path, 64);
}

#define FIND(path, ...)                                                                            \
	find(sizeof((char *const[]){ __VA_ARGS__ }) / sizeof(char *),                              \
	     (char *const[]){ __VA_ARGS__ }, path)

static void test_qmp_socket_from_argv(void **state)
{
	char p[64];

	(void)state;
	assert_int_equal(FIND(p, "qemu", "-S", "-qmp", "unix:/run/q.sock,server=on,wait=off"), 0);
	assert_string_equal(p, "/run/q.sock");
	/* the old flag spelling, and --opt */
	assert_int_equal(FIND(p, "qemu", "--qmp", "unix:/tmp/a,server,nowait"), 0);
	assert_string_equal(p, "/tmp/a");
	assert_int_equal(FIND(p, "qemu", "-qmp-pretty", "unix:rel.sock,server=on"), 0);
	assert_string_equal(p, "rel.sock");
	/* ",," is a comma inside a value */
	assert_int_equal(FIND(p, "qemu", "-qmp", "unix:/tmp/a,,b,server=on"), 0);
	assert_string_equal(p, "/tmp/a,b");
	/* -chardev + -mon, in either order; the HMP monitor is skipped */
	assert_int_equal(FIND(p, "qemu", "-mon", "chardev=hmp,mode=readline", "-mon",
			      "chardev=mon0,mode=control,pretty=on", "-chardev",
			      "socket,id=hmp,path=/tmp/hmp,server=on", "-chardev",
			      "socket,path=/tmp/qmp,id=mon0,server=on,wait=off"),
			 0);
	assert_string_equal(p, "/tmp/qmp");
	assert_int_equal(FIND(p, "qemu", "-chardev", "backend=socket,id=m,path=/x,server", "-mon",
			      "m,mode=control"),
			 0);
	assert_string_equal(p, "/x");
	/* none: no monitor, a client socket, tcp, libvirt's fd=, HMP only */
	assert_int_equal(FIND(p, "qemu", "-m", "64"), -ENOENT);
	assert_int_equal(FIND(p, "qemu", "-qmp", "unix:/tmp/a"), -ENOENT);
	assert_int_equal(FIND(p, "qemu", "-qmp", "unix:/tmp/a,server=off"), -ENOENT);
	assert_int_equal(FIND(p, "qemu", "-qmp", "tcp:localhost:4444,server=on"), -ENOENT);
	assert_int_equal(FIND(p, "qemu", "-chardev", "socket,id=c,fd=23,server=on,wait=off", "-mon",
			      "chardev=c,id=monitor,mode=control"),
			 -ENOENT);
	assert_int_equal(
		FIND(p, "qemu", "-chardev", "socket,id=c,path=/h,server=on", "-mon", "chardev=c"),
		-ENOENT);
	assert_int_equal(FIND(p, "qemu", "-qmp"), -ENOENT); /* no value */
	assert_int_equal(FIND(p, "qemu", "-qmp",
			      "unix:/a/very/long/path/that/does/not/fit/in/the/sixty/four/bytes/"
			      "x.sock,server"),
			 -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mtree_ranges),
		cmocka_unit_test(test_pci_bars),
		cmocka_unit_test(test_mtree_rejects),
		cmocka_unit_test(test_qmp_socket_from_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
