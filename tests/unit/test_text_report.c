// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the terminal report of a result document: number formats,
 * neutralized strings, column alignment, colour off and on, "–" for null.
 * The whole-report look is pinned by the golden tests (tests/golden/).
 */
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>

#include "text_report.h"
#include "text_table.h"

/* Output of a renderer as a malloc'd string. */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *capture_start(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

static char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

static void test_time_units(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(vp_fmt_ns(0, b, sizeof(b)), "0 ns");
	assert_string_equal(vp_fmt_ns(850, b, sizeof(b)), "850 ns");
	assert_string_equal(vp_fmt_ns(999.4, b, sizeof(b)), "999 ns");
	/* what would round to "1000 ns" moves to the next unit */
	assert_string_equal(vp_fmt_ns(999.6, b, sizeof(b)), "1.00 \u00b5s");
	assert_string_equal(vp_fmt_ns(12400, b, sizeof(b)), "12.4 \u00b5s");
	assert_string_equal(vp_fmt_ns(999960, b, sizeof(b)), "1.00 ms");
	assert_string_equal(vp_fmt_ns(3.2e6, b, sizeof(b)), "3.20 ms");
	assert_string_equal(vp_fmt_ns(561.4e6, b, sizeof(b)), "561 ms");
	assert_string_equal(vp_fmt_ns(1.5e9, b, sizeof(b)), "1.50 s");
	assert_string_equal(vp_fmt_ns(17120330000.0, b, sizeof(b)), "17.1 s");
	assert_string_equal(vp_fmt_ns(2.5, b, sizeof(b)), "2.50 ns");
	assert_string_equal(vp_fmt_us(1666.1, b, sizeof(b)), "1.67 ms");
	assert_string_equal(vp_fmt_us(44.1, b, sizeof(b)), "44.1 \u00b5s");
	assert_string_equal(vp_fmt_ns(-1, b, sizeof(b)), VP_TT_NONE);
	assert_string_equal(vp_fmt_ns(NAN, b, sizeof(b)), VP_TT_NONE);
}

static void test_count_units(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(vp_fmt_count(0, b, sizeof(b)), "0");
	assert_string_equal(vp_fmt_count(412345, b, sizeof(b)), "412345");
	assert_string_equal(vp_fmt_count(999999, b, sizeof(b)), "999999");
	assert_string_equal(vp_fmt_count(1234567, b, sizeof(b)), "1.235M");
	assert_string_equal(vp_fmt_count(98765432, b, sizeof(b)), "98.77M");
	assert_string_equal(vp_fmt_count(3.2e9, b, sizeof(b)), "3.200G");
	assert_string_equal(vp_fmt_per_op(0.3, b, sizeof(b)), "0.30");
	assert_string_equal(vp_fmt_per_op(268.05, b, sizeof(b)), "268.05");
	assert_string_equal(vp_fmt_per_op(-0.5, b, sizeof(b)), VP_TT_NONE);
}

static void test_clean_neutralizes_escapes(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "ide", "ide" },
		{ "evil\033[2J\033]0;pwned\007", "evil\\x1b[2J\\x1b]0;pwned\\x07" },
		{ "tab\there\nnew\rline\177", "tab\\x09here\\x0anew\\x0dline\\x7f" },
		{ "c1 \xc2\x9b"
		  "31m",
		  "c1 \\u009b31m" }, /* 8-bit CSI */
		{ "bidi \xe2\x80\xae"
		  "txt",
		  "bidi \\u202etxt" }, /* RIGHT-TO-LEFT OVERRIDE */
		{ "12.4 \u00b5s \u2013 caf\u00e9 \xf0\x9f\x90\xa7",
		  "12.4 \u00b5s \u2013 caf\u00e9 \xf0\x9f\x90\xa7" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = vp_tt_clean(cases[i].in);

		assert_string_equal(out, cases[i].want);
		free(out);
	}
	assert_int_equal(vp_tt_width("12.4 \u00b5s"), 7);
	assert_int_equal(vp_tt_width(VP_TT_NONE), 1);
}

static const struct vp_tt_col cols[] = {
	{ "NAME", VP_TT_LEFT, 4 },
	{ "COUNT", VP_TT_RIGHT, 0 },
	{ "LATENCY\nP50", VP_TT_RIGHT, 0 },
	{ "\nP99", VP_TT_RIGHT, 0 },
};

static struct vp_table *sample_table(void)
{
	struct vp_table *t = vp_tt_new(cols, 4);

	vp_tt_row(t);
	vp_tt_cell(t, "a-long-name", VP_TT_PLAIN);
	vp_tt_cell(t, "5", VP_TT_PLAIN);
	vp_tt_cell(t, "12.4 \u00b5s", VP_TT_PLAIN);
	vp_tt_cell(t, VP_TT_NONE, VP_TT_PLAIN);
	vp_tt_row(t);
	vp_tt_cell(t, "x\033[31m", VP_TT_PLAIN);
	vp_tt_cell(t, "123456", VP_TT_RED);
	vp_tt_cell(t, "850 ns", VP_TT_PLAIN);
	vp_tt_cell(t, "1.00 ms", VP_TT_PLAIN);
	return t;
}

static void test_table_alignment(void **state)
{
	struct vp_text_style plain = { 0 };
	struct capture c;
	struct vp_table *t = sample_table();
	char *s;

	(void)state;
	vp_tt_print(capture_start(&c), t, &plain, 2);
	s = capture_end(&c);
	assert_string_equal(s, "                       ─── LATENCY ────\n"
			       "  NAME          COUNT      P50      P99\n"
			       "  a-long-name       5  12.4 \u00b5s        \u2013\n"
			       "  x\\x1b[31m    123456   850 ns  1.00 ms\n");
	free(s);
	vp_tt_free(t);
}

static void test_table_narrow_terminal(void **state)
{
	struct vp_text_style narrow = { .color = false, .width = 36 };
	struct capture c;
	struct vp_table *t = sample_table();
	char *s, *line;

	(void)state;
	vp_tt_print(capture_start(&c), t, &narrow, 2);
	s = capture_end(&c);
	/* only the name column gives way, with an ellipsis */
	assert_non_null(strstr(s, "  a-long-\u2026       5  12.4 \u00b5s        \u2013\n"));
	for (line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(vp_tt_width(line) <= 36);
	free(s);
	vp_tt_free(t);
}

static void test_table_colour(void **state)
{
	struct vp_text_style colour = { .color = true };
	struct capture c;
	struct vp_table *t = sample_table();
	char *s;

	(void)state;
	vp_tt_print(capture_start(&c), t, &colour, 0);
	s = capture_end(&c);
	/* headings bold, the red cell red and padded outside its colour */
	assert_non_null(strstr(s, "\033[1mNAME\033[0m"));
	assert_non_null(strstr(s, "   \033[31m123456\033[0m"));
	/* the cell's own escape stays neutralized */
	assert_non_null(strstr(s, "x\\x1b[31m"));
	free(s);
	vp_tt_free(t);
}

static const char doc_text[] =
	"{\"schema\": \"vmexit-prof/2\","
	" \"meta\": {\"command\": \"compare\", \"tool_version\": \"0.2.0\", \"created\": "
	"\"2026-11-25T13:40:02Z\","
	"  \"host\": {\"kernel\": \"6.1\", \"cpu_vendor\": \"GenuineIntel\","
	"   \"cpu_model\": \"Xeon\\u001b[2J\", \"cpus\": 4},"
	"  \"qemu\": {\"binary\": null, \"version\": null, \"usdt\": false}, \"accelerator\": "
	"\"tcg\","
	"  \"vm_exits_measured\": false, \"attribution\": {\"source\": \"none\", \"detail\": \"\"},"
	"  \"duration_s\": null, \"lost\": {\"stats_full\": 7, \"threads_full\": 0},"
	"  \"notes\": [\"under TCG\\u009b\"]},"
	" \"workloads\": [{\"name\": \"evil\\u001b]0;x\\u0007\", \"group\": \"g\", \"path\": "
	"\"emulated\","
	"  \"device\": \"ide\", \"ops\": 4, \"status\": \"ok\", \"ran\": true,"
	"  \"exits_per_op\": {\"to_user\": 2.5, \"in_kernel\": null, \"total\": null},"
	"  \"timing\": {\"us_per_op\": null, \"spread_pct\": null, \"runs_us_per_op\": []}}],"
	" \"speedups\": [{\"group\": \"g\", \"paravirtual\": \"p\", \"emulated\": \"e\", "
	"\"ratio\": 3.5,"
	"  \"exits_ratio\": null},"
	"  {\"group\": \"h\", \"paravirtual\": \"q\", \"emulated\": \"f\", \"ratio\": 0.5, "
	"\"exits_ratio\": 2}]}";

static char *render(bool colour)
{
	struct vp_text_style st = { .color = colour };
	json_error_t jerr;
	json_t *doc = json_loads(doc_text, 0, &jerr);
	struct capture c;

	assert_non_null(doc);
	vp_text_render(capture_start(&c), doc, &st);
	json_decref(doc);
	return capture_end(&c);
}

static void test_render_without_colour(void **state)
{
	char *s = render(false);

	(void)state;
	/* no escape at all: neither ours nor the document's */
	assert_null(strchr(s, '\033'));
	assert_null(strstr(s, "\xc2\x9b"));
	assert_non_null(strstr(s, "Xeon\\x1b[2J"));
	assert_non_null(strstr(s, "evil\\x1b]0;x\\x07"));
	assert_non_null(strstr(s, "under TCG\\u009b"));
	assert_non_null(strstr(s, "7 stats_full"));
	/* null per-op values and times are dashes, never zeros */
	assert_non_null(strstr(s, "  Duration     \u2013\n"));
	assert_non_null(strstr(s, "2.50          \u2013      \u2013        \u2013"));
	assert_non_null(strstr(s, "3.50x      \u2013\n"));
	free(s);
}

static void test_render_with_colour(void **state)
{
	char *s = render(true);

	(void)state;
	assert_non_null(strstr(s, "\033[1mWorkloads\033[0m"));
	assert_non_null(strstr(s, "\033[31m7 \033[0m"));    /* lost events red */
	assert_non_null(strstr(s, "\033[32m3.50x\033[0m")); /* the best speedup green */
	assert_non_null(strstr(s, "\033[31m0.50x\033[0m")); /* a slowdown red */
	/* the document's own escapes stay neutralized with colour on too */
	assert_null(strstr(s, "\033[2J"));
	assert_null(strstr(s, "\033]0;"));
	free(s);
}

/* The summary says how the programs saw KVM when the document does, and
 * nothing when it does not (a comparison, an older document). */
static void test_render_names_the_kvm_hooks(void **state)
{
	struct vp_text_style st = { 0 };
	json_error_t jerr;
	json_t *doc = json_loads(doc_text, 0, &jerr);
	struct capture c;
	char *s;

	(void)state;
	assert_non_null(doc);
	vp_text_render(capture_start(&c), doc, &st);
	s = capture_end(&c);
	assert_null(strstr(s, "KVM_RUN by"));
	free(s);
	json_object_set_new(json_object_get(doc, "meta"), "kvm_run_hook", json_string("syscalls"));
	json_object_set_new(json_object_get(doc, "meta"), "kvm_tracepoints",
			    json_string("classic"));
	vp_text_render(capture_start(&c), doc, &st);
	s = capture_end(&c);
	assert_non_null(strstr(s, "(KVM_RUN by syscalls, tracepoints classic)\n"));
	free(s);
	json_object_set_new(json_object_get(doc, "meta"), "kvm_run_hook", json_string("none"));
	json_object_set_new(json_object_get(doc, "meta"), "kvm_tracepoints", json_string("btf"));
	vp_text_render(capture_start(&c), doc, &st);
	s = capture_end(&c);
	assert_non_null(strstr(s, "(KVM_RUN not hooked, tracepoints tp_btf)\n"));
	free(s);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_units),
		cmocka_unit_test(test_count_units),
		cmocka_unit_test(test_clean_neutralizes_escapes),
		cmocka_unit_test(test_table_alignment),
		cmocka_unit_test(test_table_narrow_terminal),
		cmocka_unit_test(test_table_colour),
		cmocka_unit_test(test_render_without_colour),
		cmocka_unit_test(test_render_with_colour),
		cmocka_unit_test(test_render_names_the_kvm_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
