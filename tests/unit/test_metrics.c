// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the metrics exporter (reports/metrics, and what
 * collector/cli/metrics_server.c decides): what Prometheus stores must be
 * the document's numbers, whatever names a VM brings, and a guest that
 * touches many addresses must not grow the number of series.
 */
#include <errno.h>
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <jansson.h>

#include "metrics.h"
#include "metrics_server.h"

#ifndef VP_TEST_DATA_DIR
#error "VP_TEST_DATA_DIR: the recorded documents (tests/data)"
#endif
#define PROFILE_DOC VP_TEST_DATA_DIR "/result-profile.json"

static json_t *load(const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);

	if (!doc)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	return doc;
}

static char *render(const json_t *doc, enum vp_metrics_format fmt)
{
	size_t len;
	char *text = vp_metrics_text(doc, fmt, &len);

	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	return text;
}

/* The value of the sample whose line starts with prefix ("name{labels}"). */
static double sample(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
		if (!strncmp(l, prefix, n) && l[n] == ' ')
			return strtod(l + n + 1, NULL);
		if (!strchr(l, '\n'))
			break;
	}
	fail_msg("no sample %s", prefix);
	return -1;
}

/* Sample lines, i.e. series (a histogram bucket counts as one). */
static size_t series(const char *text)
{
	size_t n = 0;

	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');

		n += *l != '#';
		if (!nl)
			break;
		l = nl + 1;
	}
	return n;
}

static void test_counters_are_the_documents(void **state)
{
	json_t *doc = load(PROFILE_DOC);
	char *t = render(doc, VP_METRICS_PROMETHEUS);
	const json_t *row;
	size_t i;
	double sum_ide = 0;

	(void)state;
	/* every exit row is a series of its own here: equal to its count */
	json_array_foreach (json_object_get(json_object_get(doc, "profile"), "exit_reasons"), i,
			    row) {
		char p[256];
		const char *where = json_string_value(json_object_get(row, "where"));

		snprintf(p, sizeof(p),
			 "vmexit_prof_exits_total{domain=\"4242\",vcpu=\"%lld\",isa=\"vmx\","
			 "where=\"%s\",reason=\"%s\"}",
			 json_integer_value(json_object_get(row, "vcpu")), where,
			 json_string_value(json_object_get(row, "reason")));
		assert_true(sample(t, p) ==
			    (double)json_integer_value(json_object_get(row, "count")));
	}
	/* devices: e1000's coalesced writes, virtio-blk's kicks and interrupts */
	assert_true(sample(t, "vmexit_prof_device_accesses_total{domain=\"4242\",device=\"e1000\","
			      "kind=\"coalesced\"}") == 9800);
	assert_true(sample(t, "vmexit_prof_ioeventfd_kicks_total{domain=\"4242\",device=\"virtio-"
			      "blk\"}") == 5120);
	assert_true(
		sample(t, "vmexit_prof_device_interrupts_total{domain=\"4242\",device=\"ide\"}") ==
		2048);
	assert_true(sample(t, "vmexit_prof_device_accesses_total{domain=\"4242\",device=\"ide\","
			      "kind=\"vmm\"}") == 47208);
	/* seconds, not nanoseconds: ide's 632622000 ns of QEMU time */
	sum_ide = sample(t, "vmexit_prof_device_vmm_duration_seconds_sum{domain=\"4242\","
			    "device=\"ide\"}");
	assert_true(sum_ide > 0.6326219 && sum_ide < 0.6326221);
	assert_true(sample(t, "vmexit_prof_tracepoint_events_total{domain=\"4242\","
			      "event=\"kvm_exit\"}") == 412345);
	assert_true(sample(t, "vmexit_prof_lost_events_total{domain=\"4242\","
			      "cause=\"stats_full\"}") == 0);
	/* 0.0.4 text has no "# EOF"; OpenMetrics ends with it, counters by base name */
	assert_null(strstr(t, "# EOF"));
	assert_non_null(strstr(t, "# TYPE vmexit_prof_exits_total counter\n"));
	free(t);
	t = render(doc, VP_METRICS_OPENMETRICS);
	assert_non_null(strstr(t, "# TYPE vmexit_prof_exits counter\n"));
	assert_non_null(strstr(t, "# TYPE vmexit_prof_target info\n"));
	assert_non_null(strstr(t, "# UNIT vmexit_prof_exit_duration_seconds seconds\n"));
	assert_string_equal(t + strlen(t) - 6, "# EOF\n");
	free(t);
	json_decref(doc);
}

/* The cumulative buckets step by the document's slots, le in seconds. */
static void test_histogram_buckets(void **state)
{
	json_t *doc = load(PROFILE_DOC);
	const json_t *dev =
		json_array_get(json_object_get(json_object_get(doc, "profile"), "devices"), 0);
	const json_t *slots = json_object_get(json_object_get(dev, "latency"), "log2_slots");
	char *t = render(doc, VP_METRICS_OPENMETRICS);
	double cum = 0;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(dev, "device")), "ide");
	for (int i = 0; i < 31; i++) {
		char p[200], le[32];

		/* slot i ends at 2^(i+1) ns */
		snprintf(le, sizeof(le), "%.9f", (double)(1ull << (i + 1)) / 1e9);
		for (size_t n = strlen(le); le[n - 1] == '0'; n--)
			le[n - 1] = '\0';
		if (le[strlen(le) - 1] == '.')
			le[strlen(le) - 1] = '\0';
		cum += (double)json_integer_value(json_array_get(slots, (size_t)i));
		snprintf(p, sizeof(p),
			 "vmexit_prof_device_vmm_duration_seconds_bucket{domain=\"4242\","
			 "device=\"ide\",le=\"%s\"}",
			 le);
		assert_true(sample(t, p) == cum);
	}
	cum += (double)json_integer_value(json_array_get(slots, 31));
	assert_true(sample(t, "vmexit_prof_device_vmm_duration_seconds_bucket{domain=\"4242\","
			      "device=\"ide\",le=\"+Inf\"}") == cum);
	assert_true(sample(t, "vmexit_prof_device_vmm_duration_seconds_count{domain=\"4242\","
			      "device=\"ide\"}") == cum);
	assert_true(cum == (double)json_integer_value(
				   json_object_get(json_object_get(dev, "latency"), "samples")));
	free(t);
	json_decref(doc);
}

/* Names from QEMU's command line come out escaped, uuid its own label. */
static void test_label_escaping(void **state)
{
	json_t *doc = load(PROFILE_DOC);
	json_t *target = json_object_get(json_object_get(doc, "profile"), "target");
	char *t;

	(void)state;
	json_object_set_new(target, "name", json_string("we\"b\\01\nx"));
	json_object_set_new(target, "uuid", json_string("6a1b2c3d-0000-4000-8000-0123456789ab"));
	t = render(doc, VP_METRICS_PROMETHEUS);
	assert_true(sample(t, "vmexit_prof_device_interrupts_total{domain=\"we\\\"b\\\\01\\nx\","
			      "uuid=\"6a1b2c3d-0000-4000-8000-0123456789ab\",device=\"ide\"}") ==
		    2048);
	/* no raw newline inside a sample: every line is a comment or a sample */
	for (const char *l = t; *l; l = strchr(l, '\n') + 1)
		assert_true(*l == '#' || !strncmp(l, "vmexit_prof_", 12));
	free(t);
	/* no name: the pid, as libvirt's exporters fall back to */
	json_object_set_new(target, "name", json_null());
	json_object_del(target, "uuid");
	t = render(doc, VP_METRICS_PROMETHEUS);
	assert_non_null(strstr(t, "vmexit_prof_exits_total{domain=\"4242\",vcpu="));
	assert_null(strstr(t, "uuid="));
	free(t);
	json_decref(doc);
}

/* A VM with many devices and thousands of addresses and MSRs: the series
 * are bounded by vCPUs x reasons and devices x kinds, not by addresses. */
static json_t *many(int naccess)
{
	json_t *doc = load(PROFILE_DOC), *p = json_object_get(doc, "profile");
	json_t *devs = json_object_get(p, "devices"), *acc = json_object_get(p, "accesses");
	json_t *other = json_object_get(p, "other"),
	       *proto = json_deep_copy(json_array_get(devs, 0));
	json_t *aproto = json_deep_copy(json_array_get(acc, 0));

	for (int d = 0; d < 60; d++) {
		json_t *x = json_deep_copy(proto);
		char id[32];

		snprintf(id, sizeof(id), "dev%d", d);
		json_object_set_new(x, "device", json_string(id));
		json_array_append_new(devs, x);
	}
	for (int a = 0; a < naccess; a++) {
		json_t *x = json_deep_copy(aproto);
		char id[32];

		snprintf(id, sizeof(id), "dev%d", a % 60);
		json_object_set_new(x, "address", json_integer(0xfe000000 + 4 * a));
		json_object_set_new(x, "device", json_string(id));
		json_array_append_new(acc, x);
		json_array_append_new(other, json_pack("{s:s, s:s, s:i, s:i}", "kind", "msr",
						       "name", "MSR", "code", a, "count", 1));
	}
	json_decref(proto);
	json_decref(aproto);
	return doc;
}

static void test_series_bounded(void **state)
{
	json_t *small = many(10), *big = many(5000);
	char *ts = render(small, VP_METRICS_PROMETHEUS), *tb = render(big, VP_METRICS_PROMETHEUS);
	const json_t *p = json_object_get(big, "profile");
	size_t vcpus = json_array_size(json_object_get(p, "vcpus"));
	size_t reasons = json_array_size(json_object_get(p, "exit_reasons"));
	size_t devices = json_array_size(json_object_get(p, "devices"));
	/* per device: 4 access kinds, 2 phases, interrupts, kicks, a histogram
	 * (31 bounds, +Inf, count, sum), QEMU events; per reason a histogram */
	size_t per_dev = 4 + 2 + 1 + 1 + 34 + 4;
	size_t bound = vcpus * reasons + reasons * 34 + vcpus * 2 + devices * per_dev + 5 /* kvm
											   kinds */
		       + 12 /* tracepoints */ + 5 /* lost */ + 2 /* target, duration */;

	(void)state;
	assert_int_equal(series(ts), series(tb));
	assert_true(series(tb) <= bound);
	assert_null(strstr(tb, "address="));
	assert_null(strstr(tb, "port="));
	assert_null(strstr(tb, "0xfe"));
	/* the 5000 MSR rows are one series */
	assert_true(sample(tb, "vmexit_prof_kvm_events_total{domain=\"4242\",kind=\"msr\"}") ==
		    20480 + 5000);
	free(ts);
	free(tb);
	json_decref(small);
	json_decref(big);
}

static void test_no_profile(void **state)
{
	json_t *doc = load(VP_TEST_DATA_DIR "/result-compare.json");
	size_t len;

	(void)state;
	assert_null(vp_metrics_text(doc, VP_METRICS_PROMETHEUS, &len));
	assert_int_equal(errno, EINVAL);
	json_decref(doc);
}

static void test_negotiate(void **state)
{
	(void)state;
	/* what Prometheus 2.x sends */
	assert_int_equal(vp_metrics_negotiate("application/openmetrics-text;version=1.0.0,"
					      "application/openmetrics-text;version=0.0.1;q=0.75,"
					      "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
			 VP_METRICS_OPENMETRICS);
	assert_int_equal(vp_metrics_negotiate("text/plain;version=0.0.4;q=0.9,"
					      "application/openmetrics-text; q=0.5"),
			 VP_METRICS_PROMETHEUS);
	/* curl, a browser, nothing */
	assert_int_equal(vp_metrics_negotiate("*/*"), VP_METRICS_PROMETHEUS);
	assert_int_equal(vp_metrics_negotiate(NULL), VP_METRICS_PROMETHEUS);
	assert_int_equal(vp_metrics_negotiate("text/html,application/xhtml+xml;q=0.9"),
			 VP_METRICS_PROMETHEUS);
	/* only an OpenMetrics this exporter does not write */
	assert_int_equal(vp_metrics_negotiate("application/openmetrics-text;version=0.0.1"),
			 VP_METRICS_PROMETHEUS);
	assert_int_equal(vp_metrics_negotiate("application/openmetrics-text;q=0"),
			 VP_METRICS_PROMETHEUS);
	assert_int_equal(vp_metrics_negotiate("Application/OpenMetrics-Text"),
			 VP_METRICS_OPENMETRICS);
}

static void test_listen_parse(void **state)
{
	struct vp_listen_addr a;
	static const char *const bad[] = {
		"",	     "0",	 "65536",	  "x",	      "91o0",
		"-1",	     ":9100",	 "1.2.3:9100",	  "::1:9100", "[::1]",
		"host:9100", "1.2.3.4:", "999.1.1.1:9100"
	};

	(void)state;
	assert_int_equal(vp_listen_parse("9100", &a), 0);
	assert_int_equal(a.sa.ss_family, AF_INET);
	assert_int_equal(a.len, sizeof(struct sockaddr_in));
	assert_int_equal(vp_listen_parse("0.0.0.0:9100", &a), 0);
	assert_int_equal(vp_listen_parse("localhost:1", &a), 0);
	assert_int_equal(vp_listen_parse("[::1]:65535", &a), 0);
	assert_int_equal(a.sa.ss_family, AF_INET6);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vp_listen_parse(bad[i], &a) != -EINVAL)
			fail_msg("'%s' was taken as an address", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_are_the_documents),
		cmocka_unit_test(test_histogram_buckets),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_series_bounded),
		cmocka_unit_test(test_no_profile),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_listen_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
