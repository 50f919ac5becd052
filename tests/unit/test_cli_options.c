// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for collector/cli/cli_options.c: what the command line accepts,
 * what it refuses, and that every refusal names the culprit.
 */
#include <errno.h>
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli_options.h"

#define MAX_ARGS 16

static char err[256];

/* parse(&o, "--pid", "1", NULL): argv[0] is the program name. */
static int parse(struct vp_options *o, ...)
{
	static char *argv[MAX_ARGS + 2];
	int argc = 0;
	va_list ap;
	char *a;

	argv[argc++] = "vmexit-prof";
	va_start(ap, o);
	while ((a = va_arg(ap, char *)))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	assert_true(argc <= MAX_ARGS);
	memset(err, 0, sizeof(err));
	return vp_parse_options(argc, argv, o, err, sizeof(err));
}

static void test_defaults(void **state)
{
	struct vp_options o;

	(void)state;
	assert_int_equal(parse(&o, "--pid", "42", NULL), 0);
	assert_int_equal(o.pid, 42);
	assert_true(o.interval_s == 1.0);
	assert_true(o.duration_s == 0.0);
	assert_int_equal(o.vcpu, -1);
	assert_null(o.json_path);
	assert_false(o.verbose);
	assert_false(o.help);
	assert_false(o.version);
}

static void check_all_set(const struct vp_options *o)
{
	assert_int_equal(o->pid, 42);
	assert_true(o->duration_s == 2.5);
	assert_true(o->interval_s == 0.25);
	assert_int_equal(o->vcpu, 3);
	assert_non_null(o->json_path);
	assert_string_equal(o->json_path, "out.json");
	assert_true(o->verbose);
	assert_false(o->help);
}

static void test_long_and_short_forms(void **state)
{
	struct vp_options o;

	(void)state;
	assert_int_equal(parse(&o, "--pid", "42", "--duration", "2.5", "--interval", "0.25",
			       "--vcpu", "3", "--json", "out.json", "--verbose", NULL),
			 0);
	check_all_set(&o);
	assert_int_equal(parse(&o, "--pid=42", "--duration=2.5", "--interval=0.25", "--vcpu=3",
			       "--json=out.json", "--verbose", NULL),
			 0);
	check_all_set(&o);
	assert_int_equal(parse(&o, "-p", "42", "-d", "2.5", "-i", "0.25", "-c", "3", "-j",
			       "out.json", "-v", NULL),
			 0);
	check_all_set(&o);
	assert_int_equal(parse(&o, "-vp42", "-d2.5", "-i0.25", "-c3", "-jout.json", NULL), 0);
	check_all_set(&o);

	/* vCPU 0 is a real vCPU, not "all" */
	assert_int_equal(parse(&o, "--pid", "1", "--vcpu", "0", NULL), 0);
	assert_int_equal(o.vcpu, 0);
	/* the options may come in any order, the last one wins */
	assert_int_equal(parse(&o, "-i", "5", "--pid", "9", "-i", "7", NULL), 0);
	assert_int_equal(o.pid, 9);
	assert_true(o.interval_s == 7.0);
}

/* Refused with -EINVAL and a message naming both the option and the value. */
static void check_bad_value(const char *opt, const char *shortopt, const char *value)
{
	struct vp_options o;
	char want_opt[32], want_val[64], joined[96];

	snprintf(want_opt, sizeof(want_opt), "for %s", opt);
	snprintf(want_val, sizeof(want_val), "'%s'", value);
	snprintf(joined, sizeof(joined), "%s=%s", opt, value);

	int ret = parse(&o, "--pid", "1", opt, value, NULL);

	if (ret != -EINVAL || !strstr(err, want_opt) || !strstr(err, want_val))
		fail_msg("%s '%s': returned %d, message \"%s\"", opt, value, ret, err);

	if (parse(&o, "--pid", "1", joined, NULL) != -EINVAL || !strstr(err, want_opt) ||
	    !strstr(err, want_val))
		fail_msg("%s: message \"%s\"", joined, err);

	/* the short form is reported under the long name the user can look up */
	if (parse(&o, "--pid", "1", shortopt, value, NULL) != -EINVAL || !strstr(err, want_opt) ||
	    !strstr(err, want_val))
		fail_msg("%s '%s': message \"%s\"", shortopt, value, err);
}

static void test_invalid_values(void **state)
{
	static const char *const seconds[] = { "0",   "0.0", "-1",   "-0.5",  "1x",  "",
					       "nan", "inf", "-inf", "1e300", "1e8", "abc" };
	static const char *const pids[] = {
		"0", "-1", "1x", "", "nan", "2147483648", "99999999999999999999", "1.5"
	};
	static const char *const vcpus[] = {
		"-1", "1x", "", "65534", "65535", "99999999999", "nan"
	};

	(void)state;
	for (size_t i = 0; i < sizeof(seconds) / sizeof(seconds[0]); i++) {
		check_bad_value("--interval", "-i", seconds[i]);
		check_bad_value("--duration", "-d", seconds[i]);
	}
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++)
		check_bad_value("--pid", "-p", pids[i]);
	for (size_t i = 0; i < sizeof(vcpus) / sizeof(vcpus[0]); i++)
		check_bad_value("--vcpu", "-c", vcpus[i]);
	check_bad_value("--json", "-j", "");
	check_bad_value("--run-hook", "-R", "kprobe");
	check_bad_value("--run-hook", "-R", "");
	check_bad_value("--tracepoints", "-T", "raw");
}

/* Where KVM_RUN is hooked and how the tracepoints are read: the cheapest
 * the kernel allows, unless asked. */
static void test_run_hook(void **state)
{
	struct vp_options o;

	(void)state;
	assert_int_equal(parse(&o, "--pid", "1", NULL), 0);
	assert_int_equal(o.run_hook, VP_RUN_HOOK_AUTO);
	assert_int_equal(parse(&o, "--pid", "1", "--run-hook", "syscalls", NULL), 0);
	assert_int_equal(o.run_hook, VP_RUN_HOOK_SYSCALLS);
	assert_int_equal(parse(&o, "--pid", "1", "-R", "fentry", NULL), 0);
	assert_int_equal(o.run_hook, VP_RUN_HOOK_FENTRY);
	assert_int_equal(parse(&o, "--pid", "1", "-R", "none", NULL), 0);
	assert_int_equal(o.run_hook, VP_RUN_HOOK_NONE);
	assert_int_equal(parse(&o, "--run-hook=auto", "--pid", "1", NULL), 0);
	assert_int_equal(o.run_hook, VP_RUN_HOOK_AUTO);
	assert_int_equal(o.tracepoints, VP_TP_AUTO);
	assert_int_equal(parse(&o, "--pid", "1", "--tracepoints", "classic", NULL), 0);
	assert_int_equal(o.tracepoints, VP_TP_CLASSIC);
	assert_int_equal(parse(&o, "--pid", "1", "-T", "btf", NULL), 0);
	assert_int_equal(o.tracepoints, VP_TP_BTF);
}

static void test_missing_value(void **state)
{
	struct vp_options o;

	(void)state;
	assert_int_equal(parse(&o, "--pid", "1", "--interval", NULL), -EINVAL);
	assert_non_null(strstr(err, "--interval"));
	assert_int_equal(parse(&o, "--pid", "1", "-d", NULL), -EINVAL);
	assert_non_null(strstr(err, "-d"));
	assert_int_equal(parse(&o, "--pid", NULL), -EINVAL);
	assert_non_null(strstr(err, "--pid"));
}

static void test_missing_pid(void **state)
{
	struct vp_options o;

	(void)state;
	assert_int_equal(parse(&o, NULL), -EINVAL);
	assert_non_null(strstr(err, "--pid"));
	assert_int_equal(parse(&o, "--interval", "2", "--vcpu", "1", NULL), -EINVAL);
	assert_non_null(strstr(err, "--pid"));
}

static void test_unknown_option(void **state)
{
	struct vp_options o;

	(void)state;
	assert_int_equal(parse(&o, "--pid", "1", "--bogus", NULL), -EINVAL);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(parse(&o, "--bogus=3", "--pid", "1", NULL), -EINVAL);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(parse(&o, "--pid", "1", "-x", NULL), -EINVAL);
	assert_non_null(strstr(err, "-x"));
	/* a prefix of two long options is ambiguous, not a guess */
	assert_int_equal(parse(&o, "--pid", "1", "--ver", NULL), -EINVAL);
	/* inside a cluster the bad letter is named, not the program or a value */
	assert_int_equal(parse(&o, "-xv", "--pid", "1", NULL), -EINVAL);
	assert_string_equal(err, "unknown option -x (see --help)");
	assert_int_equal(parse(&o, "--verbose=1", "--pid", "1", NULL), -EINVAL);
	assert_string_equal(err, "option --verbose takes no value");
}

static void test_stray_argument(void **state)
{
	struct vp_options o;

	(void)state;
	assert_int_equal(parse(&o, "--pid", "1", "extra", NULL), -EINVAL);
	assert_non_null(strstr(err, "'extra'"));
	assert_int_equal(parse(&o, "extra", "--pid", "1", NULL), -EINVAL);
	assert_non_null(strstr(err, "'extra'"));
	/* "--pid 1 2": the 2 is not a second pid */
	assert_int_equal(parse(&o, "--pid", "1", "2", NULL), -EINVAL);
	assert_non_null(strstr(err, "'2'"));
}

static void test_help_and_version(void **state)
{
	struct vp_options o;

	(void)state;
	/* no --pid needed, and whatever follows is not looked at */
	assert_int_equal(parse(&o, "--help", NULL), 0);
	assert_true(o.help);
	assert_int_equal(parse(&o, "-h", "--bogus", "--interval", "0", NULL), 0);
	assert_true(o.help);
	assert_false(o.version);
	assert_int_equal(parse(&o, "--version", NULL), 0);
	assert_true(o.version);
	assert_false(o.help);
	assert_int_equal(parse(&o, "-V", "stray", NULL), 0);
	assert_true(o.version);
	assert_int_equal(parse(&o, "--pid", "5", "--help", NULL), 0);
	assert_true(o.help);
}

static void test_parse_twice(void **state)
{
	struct vp_options o;

	(void)state;
	/* stop in the middle of an argument list ... */
	assert_int_equal(parse(&o, "--pid", "1", "--interval", "0", "--vcpu", "2", NULL), -EINVAL);
	/* ... and in the middle of a cluster of short options */
	assert_int_equal(parse(&o, "-hv", "-p", "3", NULL), 0);
	assert_true(o.help);
	assert_false(o.verbose);
	/* the next call starts over, with fresh defaults */
	assert_int_equal(parse(&o, "-p", "7", "-c", "1", NULL), 0);
	assert_int_equal(o.pid, 7);
	assert_int_equal(o.vcpu, 1);
	assert_true(o.interval_s == 1.0);
	assert_false(o.help);
	assert_false(o.verbose);
	assert_int_equal(parse(&o, "-p", "7", "-c", "1", NULL), 0);
	assert_int_equal(o.pid, 7);
}

static void test_small_error_buffer(void **state)
{
	char *argv[] = { "vmexit-prof", "--pid", "1", "--interval", "0", NULL };
	struct vp_options o;
	char small[12];

	(void)state;
	memset(small, 'Z', sizeof(small));
	assert_int_equal(vp_parse_options(5, argv, &o, small, 8), -EINVAL);
	assert_int_equal(strlen(small), 7);
	assert_int_equal(small[8], 'Z');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),       cmocka_unit_test(test_long_and_short_forms),
		cmocka_unit_test(test_invalid_values), cmocka_unit_test(test_missing_value),
		cmocka_unit_test(test_missing_pid),    cmocka_unit_test(test_unknown_option),
		cmocka_unit_test(test_stray_argument), cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_parse_twice),    cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_run_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
