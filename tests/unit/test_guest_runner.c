// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for collector/runner/guest_table.c: the guest's result and region
 * lines, and the workload table (the real guest-workloads/workloads.json and
 * broken ones).
 */
#include <errno.h>
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest_runner.h"

static void test_status_codes(void **state)
{
	(void)state;
	assert_int_equal(vp_guest_status_code("ok"), 0);
	assert_int_equal(vp_guest_status_code("no-device"), 3);
	assert_int_equal(vp_guest_status_code("boot-error"), 6);
	assert_int_equal(vp_guest_status_code("okay"), -1);
}

static const char virtio_blk_output[] =
	"virtio-blk: capacity 16384 sectors\n"
	"VMEXIT-REGION workload=virtio-blk region=com1 space=pio base=0x3f8 size=0x8 reads=10 "
	"writes=20\n"
	"VMEXIT-REGION workload=virtio-blk region=vblk-notify space=mmio base=0xfe003000 "
	"size=0x1000 "
	"reads=0 writes=6\n"
	"VMEXIT-RESULT workload=virtio-blk ops=20 bytes=163840 pio_out=0 pio_in=0 mmio_read=11 "
	"mmio_write=26 kicks=6 cycles=14455644 tsc_khz=2096345 size=8 batch=8 polls=199117 "
	"verified=81920 status=ok\r\n";

static void test_parse_output(void **state)
{
	struct vp_guest_result r;

	(void)state;
	assert_int_equal(vp_guest_parse_output(virtio_blk_output, &r), 0);
	assert_true(r.valid);
	assert_string_equal(r.workload, "virtio-blk");
	assert_string_equal(r.status, "ok");
	assert_int_equal(r.code, 0);
	assert_int_equal(r.ops, 20);
	assert_int_equal(r.bytes, 163840);
	assert_int_equal(r.mmio_read, 11);
	assert_int_equal(r.mmio_write, 26);
	assert_int_equal(r.kicks, 6);
	assert_int_equal(r.cycles, 14455644);
	assert_int_equal(r.tsc_khz, 2096345);
	assert_int_equal(r.nextra, 4);
	assert_string_equal(r.extra[0].key, "size");
	assert_string_equal(r.extra[3].key, "verified");
	assert_string_equal(r.extra[3].value, "81920");
	assert_int_equal(r.nregions, 2);
	assert_string_equal(r.regions[1].name, "vblk-notify");
	assert_true(r.regions[1].mmio);
	assert_false(r.regions[0].mmio);
	assert_int_equal(r.regions[1].base, 0xfe003000);
	assert_int_equal(r.regions[1].size, 0x1000);
	assert_int_equal(r.regions[1].writes, 6);
}

static void test_no_result_line(void **state)
{
	struct vp_guest_result r;

	(void)state;
	assert_int_equal(vp_guest_parse_output("", &r), -ENOENT);
	assert_int_equal(vp_guest_parse_output("booting\nVMEXIT-REGION region=com1 space=pio "
					       "base=0x3f8 size=0x8 reads=1 writes=2\n",
					       &r),
			 -ENOENT);
	assert_false(r.valid);
	assert_int_equal(r.nregions, 1);
	/* cut short before status (QEMU killed mid-line) */
	assert_int_equal(vp_guest_parse_output("VMEXIT-RESULT workload=x ops=1\n", &r), -ENOENT);
}

static void test_bad_lines(void **state)
{
	struct vp_guest_result r = { 0 };

	(void)state;
	assert_int_equal(vp_guest_parse_line("hello world", &r), -EINVAL);
	assert_int_equal(vp_guest_parse_line("VMEXIT-RESULT ops=x status=ok", &r), -EINVAL);
	assert_int_equal(vp_guest_parse_line("VMEXIT-RESULT ops=-1 status=ok", &r), -EINVAL);
	assert_int_equal(vp_guest_parse_line("VMEXIT-RESULT ops status=ok", &r), -EINVAL);
	assert_int_equal(vp_guest_parse_line("VMEXIT-REGION region=a space=io base=0", &r),
			 -EINVAL);
	assert_false(r.valid);
	/* an unknown status is kept, with code -1, for the caller to report */
	assert_int_equal(vp_guest_parse_line("VMEXIT-RESULT ops=0x10 status=weird", &r), 0);
	assert_int_equal(r.code, -1);
	assert_int_equal(r.ops, 16);
}

static void test_last_result_wins(void **state)
{
	struct vp_guest_result r;

	(void)state;
	assert_int_equal(vp_guest_parse_output("VMEXIT-RESULT ops=1 status=fail\n"
					       "noise VMEXIT-RESULT ops=2 status=timeout\n",
					       &r),
			 0);
	assert_int_equal(r.ops, 2);
	assert_int_equal(r.code, 4);
}

static void test_real_table(void **state)
{
	static const char *const names[] = { "selftest",       "ide-pio",     "ide-dma",
					     "virtio-blk",     "virtio-net",  "e1000",
					     "stopwatch-mmio", "stopwatch-pv" };
	struct vp_workload_table t;
	const struct vp_workload *w;
	char err[256] = "", list[400];

	(void)state;
	assert_int_equal(vp_workloads_load(NULL, &t, err, sizeof(err)), 0);
	assert_int_equal(t.n, 8);
	for (size_t i = 0; i < 8; i++)
		assert_non_null(vp_workload_find(&t, names[i]));
	assert_null(vp_workload_find(&t, "nope"));

	w = vp_workload_find(&t, "virtio-blk");
	assert_int_equal(w->disk_mib, 8);
	assert_false(w->project_qemu);
	assert_string_equal(w->defaults, "ops=20 size=8 batch=8");
	assert_string_equal(w->group, "block");
	assert_string_equal(w->path, "paravirtual");
	assert_int_equal(w->nargs, 4);
	assert_string_equal(w->args[1], "file={disk},if=none,id=vd0,format=raw");

	w = vp_workload_find(&t, "stopwatch-pv");
	assert_true(w->project_qemu);
	assert_int_equal(w->disk_mib, 0);
	w = vp_workload_find(&t, "selftest");
	assert_null(w->group);
	assert_int_equal(w->nargs, 0);

	/* every group pairs an emulated with a paravirtual path */
	for (size_t i = 0; i < t.n; i++) {
		bool emulated = false, pv = false;

		if (!t.w[i].group)
			continue;
		for (size_t j = 0; j < t.n; j++)
			if (t.w[j].group && !strcmp(t.w[j].group, t.w[i].group)) {
				emulated |= !strcmp(t.w[j].path, "emulated");
				pv |= !strcmp(t.w[j].path, "paravirtual");
			}
		assert_true(emulated && pv);
	}
	vp_workload_names(&t, list, sizeof(list));
	assert_string_equal(list, "selftest, ide-pio, ide-dma, virtio-blk, e1000, virtio-net, "
				  "stopwatch-mmio, stopwatch-pv");
	vp_workload_names(&t, list, 12);
	assert_int_equal(strlen(list), 11);
	vp_workloads_free(&t);
}

/* Loads text as a table from a temporary file. */
static int load_text(const char *text, struct vp_workload_table *t, char *err, size_t len)
{
	char path[] = "/tmp/vp-test-table-XXXXXX";
	int fd = mkstemp(path), ret;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ret = vp_workloads_load(path, t, err, len);
	unlink(path);
	return ret;
}

static void test_broken_tables(void **state)
{
	struct vp_workload_table t;
	char err[256];

	(void)state;
	assert_int_equal(vp_workloads_load("/nonexistent/w.json", &t, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/w.json"));
	assert_int_equal(load_text("{", &t, err, sizeof(err)), -EINVAL);
	assert_int_equal(load_text("{\"workloads\": {}}", &t, err, sizeof(err)), -EINVAL);
	assert_int_equal(
		load_text("{\"workloads\": {\"a\": {\"args\": [1]}}}", &t, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "'a'"));
	assert_int_equal(
		load_text("{\"workloads\": {\"a\": {\"disk_mib\": -1}}}", &t, err, sizeof(err)),
		-EINVAL);
	assert_int_equal(t.n, 0);
	/* minimal entry: everything optional */
	assert_int_equal(load_text("{\"workloads\": {\"a\": {}}}", &t, err, sizeof(err)), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.w[0].defaults, "");
	vp_workloads_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_codes),	 cmocka_unit_test(test_parse_output),
		cmocka_unit_test(test_no_result_line),	 cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_last_result_wins), cmocka_unit_test(test_real_table),
		cmocka_unit_test(test_broken_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
