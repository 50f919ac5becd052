// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for reports/: the JSON document, its atomic file write, the
 * text report and the time formatting they share.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "labels.h"
#include "doc_reader.h"
#include "doc_writer.h"
#include "live_line.h"
#include "text_report.h"
#include "timeline.h"
#include "result.h"
#include "vp_test_util.h"

static void add(struct vp_result *r, struct vp_key k, const struct vp_stat *st)
{
	k.isa = k.kind == VP_K_EXIT ? VP_ISA_VMX_CODE : 0;
	assert_int_equal(vp_result_add(r, &k, st), 0);
}

/* 100 port exits of vCPU 0 to 0x3f8, 400 in-kernel IO_INSTRUCTION exits on vCPU 1, ... */
static void build(struct vp_result *r)
{
	struct vp_stat user = { 0 }, kern = { 0 }, mmio = { 0 }, cpuid = { .count = 12 };

	vp_result_init(r);
	r->meta = (struct vp_meta){ .pid = 4242,
				    .vmm_comm = "qemu-system-x86",
				    .vmm_exe = "/usr/bin/qemu-system-x86_64",
				    .duration_s = 10.0,
				    .nr_vcpus = 2 };
	vp_test_samples(&user, 3000, 50, true);
	vp_test_samples(&user, 20000, 50, true);
	add(r, (struct vp_key){ .kind = VP_K_USER, .vcpu = 0, .code = 2 /* KVM_EXIT_IO */ }, &user);
	vp_test_samples(&kern, 1500, 400, false);
	add(r, (struct vp_key){ .kind = VP_K_EXIT, .vcpu = 1, .code = 30 }, &kern);
	add(r,
	    (struct vp_key){ .kind = VP_K_PIO,
			     .vcpu = VP_VCPU_ANY,
			     .addr = 0x3f8,
			     .dir = VP_DIR_WRITE,
			     .size = 1 },
	    &user);
	vp_test_samples(&mmio, 5000, 7, true);
	add(r,
	    (struct vp_key){ .kind = VP_K_MMIO,
			     .vcpu = VP_VCPU_ANY,
			     .addr = 0xfebf1000,
			     .dir = VP_DIR_READ,
			     .size = 4 },
	    &mmio);
	add(r, (struct vp_key){ .kind = VP_K_CPUID, .vcpu = 0, .code = 1 }, &cpuid);

	r->counters[VP_C_EV_EXIT] = r->counters[VP_C_EV_ENTRY] = 400;
	r->counters[VP_C_EV_USER_EXIT] = r->counters[VP_C_EV_PIO] = 100;
	r->counters[VP_C_EV_MMIO] = 7;
	r->counters[VP_C_EV_CPUID] = 12;
}

/* The profile document as the session builds it, legacy ports only. */
static json_t *profile_doc(const struct vp_result *r)
{
	struct vp_attribution a = { 0 };
	struct vp_device_total *dev;
	size_t n = vp_device_totals(r, &a, &dev);
	struct vp_profile_input in = { .r = r, .dev = dev, .ndev = n, .a = &a };
	struct vp_doc_meta m = { .command = "profile",
				 .accelerator = "kvm",
				 .qemu_binary = r->meta.vmm_exe,
				 .vm_exits_measured = true,
				 .attribution_source = vp_attr_source_name(vp_attr_best(&a)),
				 .duration_s = r->meta.duration_s };
	json_t *doc = vp_doc_new(&m);

	assert_non_null(doc);
	json_object_set_new(doc, "profile", vp_profile_json(&in));
	free(dev);
	return doc;
}

static json_t *entry(json_t *arr, const char *field, const char *value)
{
	size_t i;
	json_t *e;

	json_array_foreach (arr, i, e)
		if (json_is_string(json_object_get(e, field)) &&
		    !strcmp(json_string_value(json_object_get(e, field)), value))
			return e;
	fail_msg("no entry with %s=%s", field, value);
	return NULL;
}

static json_int_t lat(json_t *row, const char *field)
{
	json_t *v = json_object_get(json_object_get(row, "latency"), field);

	if (!json_is_integer(v))
		fail_msg("latency.%s is not an integer", field);
	return json_integer_value(v);
}

static void test_json_document(void **state)
{
	struct vp_result r;
	json_t *doc, *p, *row;
	char err[256];

	(void)state;
	build(&r);
	doc = profile_doc(&r);
	/* what the reports and the gate will accept */
	if (vp_doc_validate(doc, err, sizeof(err)))
		fail_msg("%s", err);
	vp_expect_json(doc, "{s:s}", "schema", "vmexit-prof/2");
	vp_expect_json(json_object_get(doc, "meta"), "{s:s, s:s}", "command", "profile",
		       "accelerator", "kvm");
	p = json_object_get(doc, "profile");
	vp_expect_json(json_object_get(p, "target"), "{s:i, s:s, s:i}", "pid", 4242, "comm",
		       "qemu-system-x86", "vcpus", 2);
	vp_expect_json(p, "{s:b}", "kvm_exit_fired", 1);
	vp_expect_json(json_object_get(p, "events"), "{s:i, s:i}", "kvm_exit", 400, "kvm_cpuid",
		       12);

	/* most costly first: 100 port exits (1.15 ms in QEMU) before 400 kernel exits (0.6 ms) */
	row = json_array_get(json_object_get(p, "exit_reasons"), 0);
	vp_expect_json(row, "{s:s, s:s, s:i, s:i, s:i, s:I}", "where", "user", "reason", "IO",
		       "code", 2, "vcpu", 0, "count", 100, "time_ns",
		       (json_int_t)(50 * 3000 + 50 * 20000));
	assert_in_range(lat(row, "p50_ns"), 3000, 4096);   /* a 3 us sample's bucket */
	assert_in_range(lat(row, "p99_ns"), 16384, 20000); /* a 20 us sample's bucket */
	assert_int_equal(lat(row, "min_ns"), 3000);
	assert_int_equal(lat(row, "max_ns"), 20000);
	row = json_array_get(json_object_get(p, "exit_reasons"), 1);
	vp_expect_json(row, "{s:s, s:s, s:s, s:i, s:i, s:I}", "where", "kernel", "reason",
		       "IO_INSTRUCTION", "isa", "VMX", "vcpu", 1, "count", 400, "time_ns",
		       (json_int_t)400 * 1500);
	/* every sample took 1500 ns, so every percentile is 1500 ns */
	assert_int_equal(lat(row, "p50_ns"), 1500);
	assert_int_equal(lat(row, "p99_ns"), 1500);
	assert_int_equal(
		json_array_size(json_object_get(json_object_get(row, "latency"), "log2_slots")),
		VP_HIST_SLOTS);

	vp_expect_json(json_array_get(json_object_get(p, "vcpus"), 0), "{s:i, s:i, s:i}", "vcpu", 0,
		       "exits_to_user", 100, "kernel_exits", 0);
	vp_expect_json(json_array_get(json_object_get(p, "vcpus"), 1), "{s:i, s:i, s:I}", "vcpu", 1,
		       "kernel_exits", 400, "kernel_ns", (json_int_t)400 * 1500);

	/* port 0x3f8 is the UART by the legacy table; the MMIO address is nobody's
	 * without QEMU's probes or memory map */
	vp_expect_json(entry(json_object_get(p, "devices"), "device", "serial"),
		       "{s:i, s:i, s:s, s:s}", "to_user", 100, "in_kernel", 0, "source",
		       "legacy-ports", "class", "platform");
	vp_expect_json(entry(json_object_get(p, "devices"), "device", "unknown"), "{s:i}",
		       "to_user", 7);
	row = entry(json_object_get(p, "accesses"), "kind", "pio");
	vp_expect_json(row, "{s:i, s:s, s:i, s:s, s:i}", "address", 0x3f8, "direction", "write",
		       "size", 1, "device", "serial", "to_user", 100);
	vp_expect_json(entry(json_object_get(p, "accesses"), "kind", "mmio"), "{s:I, s:s, s:s}",
		       "address", (json_int_t)0xfebf1000, "direction", "read", "device", "unknown");
	/* counted, never timed */
	row = entry(json_object_get(p, "other"), "kind", "cpuid");
	vp_expect_json(row, "{s:i, s:i}", "count", 12, "code", 1);
	json_decref(doc);

	/* without kvm_exit/kvm_entry the document says so */
	r.counters[VP_C_EV_EXIT] = r.counters[VP_C_EV_ENTRY] = 0;
	doc = profile_doc(&r);
	vp_expect_json(json_object_get(doc, "profile"), "{s:b}", "kvm_exit_fired", 0);
	json_decref(doc);
	vp_result_free(&r);
}

static void test_json_file(void **state)
{
	char dir[] = "/tmp/vp-test-json-XXXXXX", path[128], sub[64];
	struct vp_result r;
	json_t *want, *got;
	json_error_t jerr;

	(void)state;
	assert_non_null(mkdtemp(dir));
	build(&r);
	want = profile_doc(&r);

	/* an old file at the path is replaced, and no temporary file is left behind */
	vp_write_file(dir, "out.json", "stale");
	snprintf(path, sizeof(path), "%s/out.json", dir);
	assert_int_equal(vp_json_dump_atomic(json_incref(want), path), 0);
	got = json_load_file(path, 0, &jerr);
	if (!got)
		fail_msg("%s: %s", path, jerr.text);
	assert_true(json_equal(want, got));
	json_decref(got);
	assert_int_equal(vp_dir_entries(dir), 1);

	/* a directory that does not exist: an error, and nothing created */
	snprintf(path, sizeof(path), "%s/missing/out.json", dir);
	assert_true(vp_json_dump_atomic(json_incref(want), path) < 0);
	assert_int_equal(vp_dir_entries(dir), 1);

	/* the rename fails (the path is a directory): the temporary is removed */
	snprintf(sub, sizeof(sub), "%s/adir", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	vp_write_file(sub, "keep", "");
	assert_true(vp_json_dump_atomic(json_incref(want), sub) < 0);
	assert_int_equal(vp_dir_entries(dir), 2);
	assert_int_equal(vp_dir_entries(sub), 1);

	snprintf(path, sizeof(path), "%s/keep", sub);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(sub), 0);
	snprintf(path, sizeof(path), "%s/out.json", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	json_decref(want);
	vp_result_free(&r);
}

/* Not inlined: GCC 12 then takes the stream's buffer for a dangling local. */
__attribute__((noinline)) static char *render(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static json_t *line_prev;

static void line_of(FILE *f, const void *doc)
{
	vp_text_live_line(f, doc, line_prev, 2.0);
}

/* The log line, rendered from the document: totals, and exits to user
 * space per second since the last line (the first: since the start). */
static void test_live_line(void **state)
{
	struct vp_result r, half;
	struct vp_key k = { .kind = VP_K_USER, .vcpu = 0, .code = 2 };
	struct vp_stat st = { .count = 50 };
	json_t *doc;
	char *out;

	(void)state;
	build(&r);
	doc = profile_doc(&r);
	line_prev = NULL;
	out = render(line_of, doc);
	assert_non_null(
		strstr(out, "t=10.0s exits-to-vmm=100 (50/s) kernel-exits=400 pio=100 mmio=7"));
	assert_non_null(strstr(out, "cpuid=12"));
	free(out);
	vp_result_init(&half);
	assert_int_equal(vp_result_add(&half, &k, &st), 0);
	line_prev = profile_doc(&half);
	out = render(line_of, doc); /* 50 more in 2 s */
	assert_non_null(strstr(out, "exits-to-vmm=100 (25/s)"));
	free(out);
	json_decref(line_prev);
	json_decref(doc);
	vp_result_free(&half);
	vp_result_free(&r);
}

/* Under TCG there are no exits: the line counts QEMU's dispatches, which
 * the document has per device. */
static void test_live_line_tcg(void **state)
{
	json_t *doc =
		json_pack("{s:{s:f, s:s}, s:{s:[{s:i}, {s:i}]}}", "meta", "duration_s", 3.0,
			  "accelerator", "tcg", "profile", "devices", "to_user", 30, "to_user", 12);
	char *out;

	(void)state;
	line_prev = json_pack("{s:{s:f, s:s}, s:{s:[{s:i}]}}", "meta", "duration_s", 1.0,
			      "accelerator", "tcg", "profile", "devices", "to_user", 22);
	out = render(line_of, doc);
	assert_string_equal(out, "t=3.0s qemu-dispatches=42 (10/s)\n");
	free(out);
	json_decref(line_prev);
	json_decref(doc);
}

static void view_of(FILE *f, const void *doc)
{
	struct vp_text_style st = { .max_rows = 1 };

	vp_text_render(f, doc, &st);
}

/* The terminal view redrawn at each refresh: the document's tables, each
 * cut to its costliest rows. */
static void test_live_view(void **state)
{
	struct vp_result r;
	json_t *doc;
	char *out, *reasons;

	(void)state;
	build(&r);
	doc = profile_doc(&r);
	out = render(view_of, doc);
	reasons = strstr(out, "Exit reasons");
	assert_non_null(reasons);
	/* 1.15 ms of port exits cost more than 0.6 ms of kernel exits: kept */
	assert_true(vp_has_row(reasons, "user 0 IO 100"));
	assert_null(strstr(reasons, "IO_INSTRUCTION"));
	assert_non_null(strstr(reasons, "… 1 more"));
	assert_non_null(strstr(out, "serial"));
	free(out);
	json_decref(doc);
	vp_result_free(&r);
}

/* Each sample is what a vCPU did since the one before. */
static void test_timeline(void **state)
{
	struct vp_timeline tl = { .interval_s = 1.0 };
	struct vp_key k = { .kind = VP_K_USER, .vcpu = 0, .code = 2 };
	struct vp_stat st = { .count = 30, .user_count = 30, .user_ns = 3000 };
	struct vp_result r;

	(void)state;
	build(&r); /* vCPU 0: 100 exits to user space; vCPU 1: 400 in the kernel */
	assert_int_equal(vp_timeline_add(&tl, &r, 1.0), 0);
	assert_int_equal(vp_result_add(&r, &k, &st), 0);
	assert_int_equal(vp_timeline_add(&tl, &r, 2.0), 0);
	assert_int_equal(tl.n, 4);
	assert_int_equal(tl.s[0].vcpu, 0);
	assert_int_equal(tl.s[0].exits_to_user, 100);
	assert_int_equal(tl.s[1].vcpu, 1);
	assert_int_equal(tl.s[1].kernel_exits, 400);
	assert_int_equal(tl.s[1].kernel_ns, 400 * 1500);
	/* the second second: 30 more on vCPU 0, nothing on vCPU 1 */
	assert_true(tl.s[2].t == 2.0);
	assert_int_equal(tl.s[2].exits_to_user, 30);
	assert_int_equal(tl.s[2].user_ns, 3000);
	assert_int_equal(tl.s[3].kernel_exits, 0);
	vp_timeline_free(&tl);
	vp_result_free(&r);
}

/* A VMM can name itself with any bytes; the JSON must still be written. */
static void test_json_non_utf8_names(void **state)
{
	struct vp_result r;
	json_t *doc;

	(void)state;
	build(&r);
	snprintf(r.meta.vmm_comm, sizeof(r.meta.vmm_comm), "qemu\xff\xfe");
	doc = profile_doc(&r);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(doc, "profile"), "target"), "comm")),
		"qemu??");
	json_decref(doc);
	vp_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_document),	    cmocka_unit_test(test_json_file),
		cmocka_unit_test(test_live_line),	    cmocka_unit_test(test_live_line_tcg),
		cmocka_unit_test(test_live_view),	    cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_json_non_utf8_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
