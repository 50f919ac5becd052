// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the HTML report: both recorded documents render with
 * every chart, nothing in the page reaches the network, every document
 * string is escaped, and broken documents render dashes instead of
 * crashing.  The browser-side checks are in tests/html.
 */
#include <errno.h>
#include <math.h>
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

#include "report_html.h"
#include "report_html_int.h"

#ifndef VP_TEST_DATA_DIR
#error "VP_TEST_DATA_DIR: the recorded documents (tests/data)"
#endif
#define PROFILE_DOC VP_TEST_DATA_DIR "/result-profile.json"
#define COMPARE_DOC VP_TEST_DATA_DIR "/result-compare.json"

static json_t *load(const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);

	if (!doc)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	return doc;
}

/* The page as one string; the caller frees it. */
static char *render(const json_t *doc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(vp_html_render(doc, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_true(len > 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static void _fail_msg_at(const char *file, int line, const char *what, const char *s)
{
	print_error("%s:%d: %s in the page: %s\n", file, line, what, s);
	_fail(file, line);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void has(const char *page, const char *s, bool want, const char *file, int line)
{
	if ((strstr(page, s) != NULL) != want)
		_fail_msg_at(file, line, want ? "missing" : "found", s);
}

#define assert_has(page, s)   has((page), (s), true, __FILE__, __LINE__)
#define assert_lacks(page, s) has((page), (s), false, __FILE__, __LINE__)

/* One file, nothing fetched: no URL, no src, one inline script, and a
 * policy that would block a fetch anyway. */
static void assert_self_contained(const char *page)
{
	assert_true(!strncmp(page, "<!DOCTYPE html>", 15));
	assert_lacks(page, "http://");
	assert_lacks(page, "https://");
	assert_lacks(page, "src=");
	assert_lacks(page, "url(");
	assert_lacks(page, "@import");
	assert_int_equal(count(page, "<script"), 1);
	assert_has(page, "Content-Security-Policy\" content=\"default-src 'none'");
	assert_has(page, "</html>\n");
}

static void test_profile_page(void **state)
{
	static const char *const ids[] = {
		"id=\"summary\"",	  "id=\"chart-exit-reasons\"", "id=\"table-exit-reasons\"",
		"id=\"chart-devices\"",	  "id=\"table-devices\"",      "id=\"latency-reasons\"",
		"id=\"latency-devices\"", "id=\"chart-timeline\"",     "id=\"table-vcpus\"",
		"id=\"table-accesses\"",  "id=\"hist-reason-0\"",      "id=\"hist-reason-8\"",
		"id=\"hist-device-0\"",	  "id=\"hist-device-3\"",
	};
	json_t *doc = load(PROFILE_DOC);
	char *page = render(doc);

	(void)state;
	assert_self_contained(page);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_has(page, ids[i]);
	assert_lacks(page, "id=\"chart-speedups\"");
	/* IO on vCPU 0: 40100 exits, 561.4 ms; the IDE controller's 47208 exits to QEMU. */
	assert_has(page, "data-count=\"40100\"");
	assert_has(page, "data-value=\"561400000\"");
	assert_has(page, ">561 ms<");
	assert_has(page, "data-series=\"to_user\" data-value=\"47208\"");
	assert_has(page, "data-series=\"in_kernel\" data-value=\"9800\"");
	assert_has(page, "data-marker=\"p99\" data-value=\"35650\"");
	/* A device name with angle brackets. */
	assert_has(page, "virtio block &lt;vda&gt;");
	assert_lacks(page, "<vda>");
	/* 2 vCPUs x 10 intervals, two series each. */
	assert_int_equal(count(page, "<circle class=\"pt\""), 40);
	free(page);

	/* The timeline is optional: no samples, no chart and no link to it. */
	json_object_del(json_object_get(doc, "profile"), "timeline");
	page = render(doc);
	assert_lacks(page, "chart-timeline");
	assert_lacks(page, "href=\"#timeline\"");
	assert_has(page, "id=\"chart-exit-reasons\"");
	free(page);
	json_decref(doc);
}

static void test_compare_page(void **state)
{
	static const char *const ids[] = {
		"id=\"summary\"",
		"id=\"speedups\"",
		"id=\"chart-speedups\"",
		"id=\"chart-speedup-time\"",
		"id=\"chart-speedup-exits\"",
		"id=\"table-speedups\"",
		"id=\"table-workloads\"",
		"id=\"chart-workload-exits\"",
	};
	json_t *doc = load(COMPARE_DOC);
	char *page = render(doc);

	(void)state;
	assert_self_contained(page);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_has(page, ids[i]);
	assert_lacks(page, "id=\"chart-timeline\"");
	assert_lacks(page, "id=\"chart-exit-reasons\"");
	/* The failed workload's error, every special character escaped. */
	assert_lacks(page, "<script>alert");
	assert_has(page, "QEMU &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
			 "&quot;friends&quot; has no "
			 "stopwatch device");
	assert_has(page, "<span class=\"badge bad\">error</span>");
	assert_has(page, "data-series=\"ratio\" data-value=\"4.005048\"");
	assert_has(page, "data-series=\"exits_ratio\" data-value=\"144.891892\"");
	assert_has(page, "data-series=\"to_user\" data-value=\"268.05\"");
	assert_has(page, ">4.01\xc3\x97<");
	free(page);
	json_decref(doc);
}

/* Every string value, whatever its field, replaced by markup. */
static void poison(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach (j, key, v) {
			if (json_is_string(v))
				json_object_set_new(j, key, json_string("<i>'\"&"));
			else
				poison(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach (j, i, v) {
			if (json_is_string(v))
				json_array_set_new(j, i, json_string("<i>'\"&"));
			else
				poison(v);
		}
	}
}

static void test_every_string_escaped(void **state)
{
	const char *paths[] = { PROFILE_DOC, COMPARE_DOC };

	(void)state;
	for (int k = 0; k < 2; k++) {
		json_t *doc = load(paths[k]);
		char *page;

		json_array_append_new(json_object_get(json_object_get(doc, "meta"), "notes"),
				      json_string("x"));
		poison(doc);
		page = render(doc);
		assert_lacks(page, "<i>");
		assert_has(page, "&lt;i&gt;&#39;&quot;&amp;");
		assert_self_contained(page);
		free(page);
		json_decref(doc);
	}
}

static void test_broken_documents(void **state)
{
	static const char *const docs[] = {
		"{}",
		"{\"meta\": null, \"profile\": null, \"workloads\": null}",
		"{\"meta\": {\"lost\": {\"stats_full\": 3}, \"notes\": [null, 5, \"\"]},"
		" \"profile\": {\"exit_reasons\": [{}, null, {\"latency\": {}}, {\"time_ns\": "
		"1e300, \"count\": -1}],"
		" \"devices\": [{\"latency\": {\"log2_slots\": [\"a\", -5, 1e18], \"p50_ns\": "
		"1e30, \"max_ns\": -3}},"
		" {\"to_user\": null, \"in_kernel\": \"x\"}],"
		" \"timeline\": {\"samples\": [{}, {\"t\": 1}, {\"t\": 2, \"vcpu\": 99, "
		"\"exits_to_user\": 5}]},"
		" \"vcpus\": [{}], \"accesses\": [{\"address\": -1}, {\"address\": 1e30}]}}",
		"{\"workloads\": [null, {}, {\"timing\": 5, \"exits_per_op\": {\"to_user\": "
		"null}}],"
		" \"speedups\": [{}, {\"ratio\": 0, \"exits_ratio\": 1e-9}, {\"ratio\": -2}]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_error_t jerr;
		json_t *doc = json_loads(docs[i], 0, &jerr);
		char *page;

		assert_non_null(doc);
		page = render(doc);
		assert_self_contained(page);
		assert_has(page, VH_DASH);
		assert_lacks(page, "nan");
		assert_lacks(page, "inf<");
		free(page);
		json_decref(doc);
	}
}

static void test_formatting(void **state)
{
	char b[48];

	(void)state;
	assert_string_equal(vp_fmt_ns(850, b, sizeof(b)), "850 ns");
	assert_string_equal(vp_fmt_ns(12400, b, sizeof(b)), "12.4 \xc2\xb5s");
	assert_string_equal(vp_fmt_ns(999999, b, sizeof(b)), "1.00 ms");
	assert_string_equal(vp_fmt_ns(561400000, b, sizeof(b)), "561 ms");
	assert_string_equal(vp_fmt_ns(1.5e9, b, sizeof(b)), "1.50 s");
	assert_string_equal(vp_fmt_us(1666.1, b, sizeof(b)), "1.67 ms");
	assert_string_equal(vp_fmt_count(999, b, sizeof(b)), "999");
	assert_string_equal(vp_fmt_count(40100, b, sizeof(b)), "40100");
	assert_string_equal(vp_fmt_count(8100000, b, sizeof(b)), "8.100M");
	assert_string_equal(vp_fmt_per_op(0.35, b, sizeof(b)), "0.35");
	assert_string_equal(vp_fmt_per_op(0, b, sizeof(b)), "0.00");
	assert_string_equal(vh_fmt_ratio(144.891892, b, sizeof(b)), "145\xc3\x97");
	assert_string_equal(vh_fmt_raw(4.005048, b, sizeof(b)), "4.005048");
	assert_string_equal(vh_fmt_raw(30, b, sizeof(b)), "30");
	assert_string_equal(vh_fmt_raw(632622000, b, sizeof(b)), "632622000");
	assert_string_equal(vh_fmt_raw(0.1, b, sizeof(b)), "0.1");
	assert_string_equal(vp_fmt_ns(NAN, b, sizeof(b)), VH_DASH);
	assert_string_equal(vh_fmt_raw(NAN, b, sizeof(b)), "");
}

static void test_write_atomic(void **state)
{
	char dir[] = "/tmp/vp-html-XXXXXX", path[128], tmp[160], err[256] = "";
	json_t *doc = load(COMPARE_DOC);
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.html", dir);
	assert_int_equal(vp_html_write(doc, path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 1000);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	assert_int_not_equal(access(tmp, F_OK), 0);

	/* A directory that does not exist: -ENOENT, one line naming the file. */
	snprintf(path, sizeof(path), "%s/no/such/report.html", dir);
	assert_int_equal(vp_html_write(doc, path, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "report.html"));
	assert_null(strchr(err, '\n'));

	/* The target is a directory: the rename fails and the temporary goes. */
	snprintf(path, sizeof(path), "%s/adir", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	err[0] = '\0';
	assert_true(vp_html_write(doc, path, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "adir"));
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	assert_int_not_equal(access(tmp, F_OK), 0);

	rmdir(path);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	unlink(path);
	rmdir(dir);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_page),
		cmocka_unit_test(test_compare_page),
		cmocka_unit_test(test_every_string_escaped),
		cmocka_unit_test(test_broken_documents),
		cmocka_unit_test(test_formatting),
		cmocka_unit_test(test_write_atomic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
