// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for reports/doc/doc_reader.c (reading a result document back) and the
 * regression gate (reports/gate/gate.c, the option grammar of gate_cmd.c), on
 * the recorded documents of tests/data edited in memory.
 */
#include <math.h>
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "doc_reader.h"
#include "gate.h"
#include "gate_cmd.h"

#ifndef VP_TEST_DATA_DIR
#error "VP_TEST_DATA_DIR: the recorded documents (tests/data)"
#endif

#define COMPARE_DOC VP_TEST_DATA_DIR "/result-compare.json"
#define PROFILE_DOC VP_TEST_DATA_DIR "/result-profile.json"

static json_t *load(const char *path)
{
	char err[512];
	json_t *doc = vp_doc_load(path, err, sizeof(err));

	if (!doc)
		fail_msg("%s", err);
	return doc;
}

static json_t *workload(json_t *doc, const char *name)
{
	json_t *w;
	size_t i;

	json_array_foreach (json_object_get(doc, "workloads"), i, w)
		if (!strcmp(json_string_value(json_object_get(w, "name")), name))
			return w;
	fail_msg("no workload %s", name);
	return NULL;
}

static void set(json_t *doc, const char *name, const char *obj, const char *key, json_t *v)
{
	json_t *w = workload(doc, name);

	assert_int_equal(json_object_set_new(obj ? json_object_get(w, obj) : w, key, v), 0);
}

static double num(json_t *doc, const char *name, const char *obj, const char *key)
{
	return json_number_value(json_object_get(json_object_get(workload(doc, name), obj), key));
}

static void expect_invalid(const json_t *doc, const char *want)
{
	char err[512];

	assert_int_equal(vp_doc_validate(doc, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void test_recorded_docs_validate(void **state)
{
	(void)state;
	json_decref(load(COMPARE_DOC));
	json_decref(load(PROFILE_DOC));
}

static void test_wrong_type_names_the_field(void **state)
{
	json_t *doc = load(COMPARE_DOC), *w;
	char path[] = "/tmp/vp-test-gate-XXXXXX", err[512], want[600];
	int fd;

	(void)state;
	w = json_array_get(json_object_get(doc, "workloads"), 2);
	json_object_set_new(json_object_get(w, "timing"), "us_per_op", json_string("fast"));
	expect_invalid(doc,
		       "workloads[2].timing.us_per_op: expected a number or null, got a string");

	/* through a file, the error starts with the file's name */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(json_dump_file(doc, path, 0), 0);
	assert_null(vp_doc_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "%s: workloads[2].timing.us_per_op: expected a number or null, got a string",
		 path);
	assert_string_equal(err, want);
	unlink(path);
	json_decref(doc);

	doc = load(COMPARE_DOC);
	json_object_set_new(json_object_get(json_object_get(doc, "meta"), "host"), "cpus",
			    json_real(16.0));
	expect_invalid(doc, "meta.host.cpus: expected an integer, got a number");
	json_decref(doc);

	doc = load(PROFILE_DOC);
	json_array_append_new(
		json_object_get(
			json_object_get(
				json_array_get(
					json_object_get(json_object_get(doc, "profile"), "devices"),
					1),
				"latency"),
			"log2_slots"),
		json_integer(0));
	expect_invalid(doc, "profile.devices[1].latency.log2_slots: expected 32 elements, got 33");
	json_decref(doc);

	doc = load(COMPARE_DOC);
	json_object_del(json_array_get(json_object_get(doc, "workloads"), 0), "ran");
	expect_invalid(doc, "workloads[0].ran: missing");
	json_decref(doc);

	/* unknown fields are allowed: minor versions add them */
	doc = load(COMPARE_DOC);
	json_object_set_new(json_object_get(doc, "meta"), "added_later", json_true());
	assert_int_equal(vp_doc_validate(doc, (char[64]){ 0 }, 64), 0);
	json_decref(doc);
}

static void test_schema_checked_first(void **state)
{
	json_t *doc = load(COMPARE_DOC);

	(void)state;
	json_object_del(doc, "schema");
	expect_invalid(doc, "schema: missing; not a vmexit-prof/2 result document");
	json_object_set_new(doc, "schema", json_string("vmexit-prof/1"));
	/* a foreign document is refused before any of its fields is judged */
	json_object_set_new(doc, "meta", json_integer(1));
	expect_invalid(doc, "schema: \"vmexit-prof/1\" is not vmexit-prof/2");
	json_decref(doc);
}

static void test_truncated_json(void **state)
{
	char path[] = "/tmp/vp-test-gate-XXXXXX", err[512], prefix[64];
	FILE *in = fopen(COMPARE_DOC, "r");
	char buf[1000];
	size_t n;
	int fd;

	(void)state;
	assert_non_null(in);
	n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
	assert_null(vp_doc_load(path, err, sizeof(err)));
	/* file:line:column: jansson's text */
	snprintf(prefix, sizeof(prefix), "%s:", path);
	assert_memory_equal(err, prefix, strlen(prefix));
	assert_non_null(strstr(err, "end of file"));
	assert_null(strchr(err, '\n'));
	unlink(path);

	assert_null(vp_doc_load("/nonexistent/doc.json", err, sizeof(err)));
	assert_string_equal(err, "cannot read /nonexistent/doc.json: No such file or directory");
}

static const struct vp_gate_row *row(const struct vp_gate_result *r, const char *w, int metric)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (!strcmp(r->rows[i].workload, w) && r->rows[i].metric == metric)
			return &r->rows[i];
	fail_msg("no row %s/%d", w, metric);
	return NULL;
}

/* Compares baseline against current and checks the verdict of one row. */
static const struct vp_gate_row *judge(json_t *b, json_t *c, double pct, const char *w, int metric,
				       enum vp_gate_verdict want, struct vp_gate_result *res)
{
	struct vp_gate_config cfg = { .max_increase_pct = pct, .metrics = VP_GATE_ALL_METRICS };
	const struct vp_gate_row *r;

	assert_int_equal(vp_gate_compare(b, c, &cfg, res), 0);
	r = row(res, w, metric);
	assert_int_equal(r->verdict, want);
	return r;
}

static void test_identical_docs_pass(void **state)
{
	json_t *b = load(COMPARE_DOC), *c = load(COMPARE_DOC);
	struct vp_gate_config cfg = { .max_increase_pct = 0, .metrics = VP_GATE_ALL_METRICS };
	struct vp_gate_result res;

	(void)state;
	assert_int_equal(vp_gate_compare(b, c, &cfg, &res), 0);
	assert_int_equal(res.nregressions, 0);
	assert_int_equal(res.nworkloads, 6);
	assert_int_equal(res.nrows, 6 * VP_GM_COUNT);
	vp_gate_result_free(&res);
	json_decref(b);
	json_decref(c);
}

static void test_deterministic_metric(void **state)
{
	json_t *b = load(COMPARE_DOC), *c = load(COMPARE_DOC);
	struct vp_gate_result res;
	const struct vp_gate_row *r;
	double base = num(b, "ide-pio", "exits_per_op", "total");

	(void)state;
	set(c, "ide-pio", "exits_per_op", "total", json_real(base * 1.06));
	r = judge(b, c, 5, "ide-pio", VP_GM_EXITS, VP_GATE_REGRESSED, &res);
	assert_float_equal(r->change_pct, 6.0, 1e-6);
	assert_float_equal(r->allowed_pct, 5.0, 1e-12);
	assert_int_equal(res.nregressions, 1);
	vp_gate_result_free(&res);

	set(c, "ide-pio", "exits_per_op", "total", json_real(base * 1.04));
	judge(b, c, 5, "ide-pio", VP_GM_EXITS, VP_GATE_OK, &res);
	assert_int_equal(res.nregressions, 0);
	vp_gate_result_free(&res);

	/* tolerance 0: equal passes, float noise passes, a real increase fails */
	set(c, "ide-pio", "exits_per_op", "total", json_real(base * (1 + 1e-13)));
	judge(b, c, 0, "ide-pio", VP_GM_EXITS, VP_GATE_OK, &res);
	vp_gate_result_free(&res);
	set(c, "ide-pio", "exits_per_op", "total", json_real(base + 0.01));
	judge(b, c, 0, "ide-pio", VP_GM_EXITS, VP_GATE_REGRESSED, &res);
	vp_gate_result_free(&res);

	/* from zero, any increase is beyond any percentage */
	set(c, "ide-pio", "exits_per_op", "in_kernel", json_real(0.5));
	r = judge(b, c, 50, "ide-pio", VP_GM_KERNEL_EXITS, VP_GATE_REGRESSED, &res);
	assert_true(isinf(r->change_pct));
	vp_gate_result_free(&res);

	/* fewer exits is an improvement */
	set(c, "ide-pio", "interrupts", "per_op", json_real(0.5));
	judge(b, c, 0, "ide-pio", VP_GM_INTERRUPTS, VP_GATE_OK, &res);
	vp_gate_result_free(&res);
	json_decref(b);
	json_decref(c);
}

static void test_timing_metric_noise(void **state)
{
	json_t *b = load(COMPARE_DOC), *c = load(COMPARE_DOC);
	struct vp_gate_result res;
	const struct vp_gate_row *r;
	double base = num(b, "virtio-net", "timing", "us_per_op"); /* spread 4.989% */

	(void)state;
	/* +4.5%: past a 2% tolerance, within the runs' spread */
	set(c, "virtio-net", "timing", "us_per_op", json_real(base * 1.045));
	r = judge(b, c, 2, "virtio-net", VP_GM_US, VP_GATE_OK, &res);
	assert_float_equal(r->allowed_pct, 4.989, 1e-9);
	assert_float_equal(r->spread_baseline, 4.989, 1e-9);
	assert_int_equal(r->runs_baseline, 3);
	vp_gate_result_free(&res);

	set(c, "virtio-net", "timing", "us_per_op", json_real(base * 1.055));
	judge(b, c, 2, "virtio-net", VP_GM_US, VP_GATE_REGRESSED, &res);
	vp_gate_result_free(&res);

	/* the noisier of the two runs sets the allowance */
	set(c, "virtio-net", "timing", "spread_pct", json_real(8.0));
	r = judge(b, c, 2, "virtio-net", VP_GM_US, VP_GATE_OK, &res);
	assert_float_equal(r->allowed_pct, 8.0, 1e-12);
	vp_gate_result_free(&res);

	/* a quiet current run does not hide the baseline's noise */
	set(c, "virtio-net", "timing", "spread_pct", json_real(0.1));
	set(c, "virtio-net", "timing", "us_per_op", json_real(base * 1.045));
	r = judge(b, c, 2, "virtio-net", VP_GM_US, VP_GATE_OK, &res);
	assert_float_equal(r->allowed_pct, 4.989, 1e-9);
	vp_gate_result_free(&res);

	/* the tolerance wins over quiet runs */
	set(b, "virtio-net", "timing", "spread_pct", json_real(0.1));
	r = judge(b, c, 10, "virtio-net", VP_GM_US, VP_GATE_OK, &res);
	assert_float_equal(r->allowed_pct, 10.0, 1e-12);
	vp_gate_result_free(&res);
	r = judge(b, c, 2, "virtio-net", VP_GM_US, VP_GATE_REGRESSED, &res);
	assert_float_equal(r->allowed_pct, 2.0, 1e-12);
	vp_gate_result_free(&res);

	/* host_ns_per_op is the sum of kernel and qemu */
	set(c, "e1000", "host_ns_per_op", "qemu", json_real(30000.0)); /* 34000 -> 41000 */
	r = judge(b, c, 5, "e1000", VP_GM_HOST_NS, VP_GATE_REGRESSED, &res);
	assert_float_equal(r->baseline, 34000, 1e-9);
	assert_float_equal(r->current, 41000, 1e-9);
	vp_gate_result_free(&res);
	json_decref(b);
	json_decref(c);
}

static void test_null_never_fails(void **state)
{
	json_t *b = load(COMPARE_DOC), *c = load(COMPARE_DOC);
	struct vp_gate_result res;

	(void)state;
	set(c, "ide-dma", "exits_per_op", "total", json_null());
	judge(b, c, 0, "ide-dma", VP_GM_EXITS, VP_GATE_NOT_MEASURED, &res);
	assert_int_equal(res.nregressions, 0);
	vp_gate_result_free(&res);

	set(b, "ide-dma", "host_ns_per_op", "kernel", json_null());
	set(c, "ide-dma", "host_ns_per_op", "qemu", json_real(1e12));
	judge(b, c, 0, "ide-dma", VP_GM_HOST_NS, VP_GATE_NOT_MEASURED, &res);
	assert_int_equal(res.nregressions, 0);
	vp_gate_result_free(&res);

	/* failed in both: nothing measured on either side, nothing fails */
	judge(b, c, 0, "stopwatch-pv", VP_GM_US, VP_GATE_NOT_MEASURED, &res);
	vp_gate_result_free(&res);
	json_decref(b);
	json_decref(c);
}

static void test_workloads_missing_failed_new(void **state)
{
	json_t *b = load(COMPARE_DOC), *c = load(COMPARE_DOC);
	struct vp_gate_result res;
	const struct vp_gate_row *r;

	(void)state;
	json_array_remove(json_object_get(c, "workloads"), 1); /* ide-dma */
	judge(b, c, 5, "ide-dma", -1, VP_GATE_MISSING, &res);
	assert_int_equal(res.nregressions, 1);
	assert_int_equal(res.nworkloads, 5);
	vp_gate_result_free(&res);

	set(c, "e1000", NULL, "status", json_string("timeout"));
	r = judge(b, c, 5, "e1000", -1, VP_GATE_FAILED, &res);
	assert_string_equal(r->status, "timeout");
	assert_true(r->ran);
	assert_int_equal(res.nregressions, 2);
	vp_gate_result_free(&res);

	/* a workload only the current run has is news, not a failure */
	set(b, "e1000", NULL, "name", json_string("e1000-old"));
	judge(b, c, 5, "e1000", -1, VP_GATE_NEW, &res);
	assert_int_equal(row(&res, "e1000-old", -1)->verdict, VP_GATE_MISSING);
	assert_int_equal(res.nregressions, 2);
	vp_gate_result_free(&res);
	json_decref(b);
	json_decref(c);
}

static void test_option_grammar(void **state)
{
	const char *good[] = { "5%", "5", "2.5%", "0", "0%", ".5", "100" };
	const double want[] = { 5, 5, 2.5, 0, 0, 0.5, 100 };
	const char *bad[] = { "",     "%",   "-5%", "+5",    "5%%", "5 %", "1e3",
			      "0x10", "inf", "nan", "1.2.3", ".",   "5p" };
	double pct;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(vp_parse_percent(good[i], &pct), 0);
		assert_float_equal(pct, want[i], 1e-12);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!vp_parse_percent(bad[i], &pct))
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(vp_gate_metric_parse("us_per_op"), VP_GM_US);
	assert_int_equal(vp_gate_metric_parse("exits"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_docs_validate),
		cmocka_unit_test(test_wrong_type_names_the_field),
		cmocka_unit_test(test_schema_checked_first),
		cmocka_unit_test(test_truncated_json),
		cmocka_unit_test(test_identical_docs_pass),
		cmocka_unit_test(test_deterministic_metric),
		cmocka_unit_test(test_timing_metric_noise),
		cmocka_unit_test(test_null_never_fails),
		cmocka_unit_test(test_workloads_missing_failed_new),
		cmocka_unit_test(test_option_grammar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
