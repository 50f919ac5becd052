// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The document of `vmexit-prof run WORKLOAD` (reports/doc/run_doc.c): every
 * document the writer can make from a run (a guest with or without its
 * result line, fields and regions, QEMU's USDT counts or none, unreadable
 * region names, dropped counts, a missing device, a failed run, bytes that
 * are not UTF-8) is one the reader accepts; the terminal report rendered
 * from it shows what the guest and QEMU counted; and the reader refuses a
 * run section whose fields are not what SCHEMA.md says.
 */
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
#include "qemu_events.h"
#include <linux/types.h>

#include "qemu_usdt.h"
#include "run_doc.h"
#include "text_report.h"
#include "vp_test_util.h"

static char dir[] = "/tmp/vp-test-run-doc-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

enum {
	R_RESULT = 1 << 0,  /* the guest printed its result line */
	R_DETAIL = 1 << 1,  /* with workload fields and region lines */
	R_USDT = 1 << 2,    /* profiled: QEMU's regions, interrupts, events */
	R_UNNAMED = 1 << 3, /* a region whose name could not be read, dropped counts */
	R_FW_CFG = 1 << 4,  /* the firmware's last fw_cfg access was seen */
	R_FAILED = 1 << 5,  /* a missing device, the runner's error, the guest's reasons */
	R_ODD_TEXT = 1 << 6,
	R_NO_DESC = 1 << 7, /* an image not in the table */
	R_ALL = (1 << 8) - 1,
};

static const char serial_ok[] =
	"VMEXIT-REGION workload=stopwatch-mmio region=pit-gate space=pio base=0x61 size=0x1 "
	"reads=3466 writes=3\n"
	"VMEXIT-REGION workload=stopwatch-mmio region=stopwatch-regs space=mmio "
	"base=0xfebf1000 size=0x1000 reads=254 writes=152\n"
	"VMEXIT-RESULT workload=stopwatch-mmio ops=50 bytes=0 pio_out=0 pio_in=0 mmio_read=254 "
	"mmio_write=152 kicks=0 cycles=2000000 tsc_khz=1000000 wait_us=0 interval_ns=812 "
	"status=ok\n";
static const char serial_plain[] = "VMEXIT-RESULT workload=selftest ops=16 bytes=0 pio_out=16 "
				   "pio_in=16 mmio_read=16 mmio_write=16 kicks=0 cycles=1 "
				   "tsc_khz=1 status=ok\n";
static const char serial_failed[] = "error: bad value for batch\n"
				    "FAIL: \xff check\r\n"
				    "VMEXIT-RESULT workload=stopwatch-pv ops=0 bytes=0 pio_out=0 "
				    "pio_in=0 mmio_read=0 mmio_write=0 kicks=0 cycles=0 tsc_khz=0 "
				    "status=bad-param\n";

struct fixture {
	struct vp_usdt_region regions[3];
	struct vp_usdt_irq irqs[1];
	struct vp_usdt_event events[1];
	struct vp_usdt_counts c;
	struct vp_guest_result r;
};

static json_t *run_doc(unsigned v, struct fixture *f)
{
	const char *serial = (v & R_FAILED)   ? serial_failed
			     : (v & R_DETAIL) ? serial_ok
					      : serial_plain;
	struct vp_run_input in = {
		.workload = (v & R_ODD_TEXT) ? "odd\xc3\x28" : "stopwatch-mmio",
		.description = (v & R_NO_DESC) ? NULL : "the stopwatch's registers",
		.params = "ops=50",
		.elf = "/build/guest-workloads/stopwatch-mmio.elf",
		.qemu = "/nonexistent/qemu-system-x86_64",
		.accel = "tcg",
		.missing_device = (v & R_FAILED) ? "vmexit-stopwatch" : NULL,
		.guest = &f->r,
		.serial = (v & R_RESULT) ? serial : "",
		.error = (v & R_FAILED) ? "timeout: QEMU still running after 1s, killed" : NULL,
		.usdt = (v & R_USDT) ? &f->c : NULL,
	};

	memset(f, 0, sizeof(*f));
	f->regions[0] = (struct vp_usdt_region){
		.name = "pcspk", .reads = 3466, .writes = 3, .guest_reads = 3466, .guest_writes = 3
	};
	f->regions[1] = (struct vp_usdt_region){ .name = "vmexit-stopwatch-regs",
						 .reads = 260,
						 .writes = 152,
						 .guest_reads = 254,
						 .guest_writes = 152 };
	if (v & R_ODD_TEXT)
		strcpy(f->regions[1].name, "odd\xff");
	f->regions[2] = (struct vp_usdt_region){ .mr = 0x5555deadbeef, .reads = 1 };
	f->irqs[0] = (struct vp_usdt_irq){
		.kind = VP_UI_STOPWATCH, .device_id = "stopwatch", .raised = 5, .guest_raised = 5
	};
	f->events[0] = (struct vp_usdt_event){ .e = vp_qemu_event_find("vmexit_stopwatch_cmd"),
					       .total = 150,
					       .guest = 150 };
	assert_non_null(f->events[0].e);
	f->c = (struct vp_usdt_counts){
		.r = f->regions,
		.n = (v & R_UNNAMED) ? 3 : 2,
		.dropped_counts = (v & R_UNNAMED) ? 3 : 0,
		.dropped_names = (v & R_UNNAMED) ? 1 : 0,
		.fw_cfg_accesses = (v & R_FW_CFG) ? 56 : 0,
		.irqs = f->irqs,
		.nirqs = 1,
		.events = f->events,
		.nevents = 1,
	};
	vp_guest_parse_output(in.serial, &f->r);
	return vp_run_doc(&in);
}

static void test_every_run_document_reads_back(void **state)
{
	struct fixture f;

	(void)state;
	for (unsigned v = 0; v <= R_ALL; v++)
		vp_save_and_read_back(dir, run_doc(v, &f), "run", v);
}

static char *render(json_t *doc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	vp_text_run(out, doc, true);
	fclose(out);
	json_decref(doc);
	return buf;
}

static void test_run_report_shows_the_guest_and_qemu(void **state)
{
	struct fixture f;
	char *text = render(run_doc(R_RESULT | R_DETAIL | R_USDT | R_UNNAMED | R_FW_CFG, &f));

	(void)state;
	assert_true(vp_has_row(text, "workload stopwatch-mmio (the stopwatch's registers)"));
	assert_true(vp_has_row(text, "status ok"));
	assert_true(vp_has_row(text, "mmio_write 152"));
	assert_true(vp_has_row(text, "loop time 2.000 ms"));
	assert_true(vp_has_row(text, "interval_ns 812"));
	assert_true(vp_has_row(text, "stopwatch-regs mmio 0xfebf1000 0x1000 254 152"));
	/* QEMU's region beside the guest's own name for the same registers */
	assert_true(vp_has_row(text, "pcspk 3466 3 pit-gate 3466 3"));
	assert_true(vp_has_row(text, "vmexit-stopwatch-regs 260 152 stopwatch-regs 254 152"));
	assert_true(vp_has_row(text, "mr@0x5555deadbeef 1 0"));
	assert_true(vp_has_row(text, "Not recorded: 3 accesses, 1 region names"));
	/* per device: after the firmware, the firmware's, the guest's, per op */
	assert_true(vp_has_row(text, "stopwatch paravirtual 254 152 406 8.12 6 0 254 152"));
	assert_true(vp_has_row(text, "READS/WRITES: after the firmware's last fw_cfg access"));
	assert_true(vp_has_row(text, "stopwatch 5 0.10"));
	assert_true(vp_has_row(text, "stopwatch vmexit_stopwatch_cmd 150 3.00"));
	free(text);

	text = render(run_doc(R_RESULT | R_USDT | R_FAILED | R_NO_DESC, &f));
	assert_true(vp_has_row(text, "error: bad value for batch"));
	assert_true(vp_has_row(text, "workload stopwatch-pv"));
	assert_null(strstr(text, "stopwatch-pv ("));
	assert_true(vp_has_row(text, "status bad-param"));
	assert_true(vp_has_row(text, "No fw_cfg access seen: READS/WRITES include the firmware's"));
	/* no operation: per op is "-", not a division by zero */
	assert_non_null(strstr(text, " -  "));
	assert_null(strstr(text, "Not recorded"));
	free(text);
}

static void test_run_document_of_no_result_line(void **state)
{
	struct fixture f;
	json_t *doc = run_doc(R_FAILED, &f), *run = json_object_get(doc, "run");

	(void)state;
	assert_true(json_is_null(json_object_get(run, "guest")));
	vp_expect_json(run, "{s:s, s:s, s:s}", "status", "error", "missing_device",
		       "vmexit-stopwatch", "error", "timeout: QEMU still running after 1s, killed");
	json_decref(doc);
}

/* A field of the run section set to a wrong value: the reader names it. */
static void refused(const char *path, const char *key, json_t *bad, const char *want)
{
	struct fixture f;
	json_t *doc = run_doc(R_RESULT | R_DETAIL | R_USDT, &f), *o = doc;
	char err[256], part[64];

	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ".");

		snprintf(part, sizeof(part), "%.*s", (int)n, p);
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(part))
				     : json_object_get(o, part);
		assert_non_null(o);
		p += n + (p[n] == '.');
	}
	json_object_set_new(o, key, bad);
	assert_int_equal(vp_doc_validate(doc, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' does not name %s", err, want);
	json_decref(doc);
}

static void test_malformed_run_sections_are_refused(void **state)
{
	(void)state;
	refused("run.guest.counts", "ops", json_string("50"),
		"run.guest.counts.ops: expected an integer");
	refused("run.guest.regions.0", "space", json_string("port"),
		"run.guest.regions[0].space: expected one of pio|mmio");
	refused("run.usdt.devices.0", "guest", json_integer(1),
		"run.usdt.devices[0].guest: expected an object or null");
	refused("run.usdt", "fw_cfg_seen", json_null(), "run.usdt.fw_cfg_seen: expected a boolean");
	refused("run", "reasons", json_string("error: x"), "run.reasons: expected an array");
	refused("run.usdt.events.0", "count", json_real(1.5), "run.usdt.events[0].count");
	refused("meta", "command", json_string("runs"), "meta.command: expected one of");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_run_document_reads_back),
		cmocka_unit_test(test_run_report_shows_the_guest_and_qemu),
		cmocka_unit_test(test_run_document_of_no_result_line),
		cmocka_unit_test(test_malformed_run_sections_are_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
