/*
 * key=value parameters from the kernel command line (QEMU's -append).
 *
 * Strict on purpose: a typo in a CI job's parameters must fail the run, not
 * silently measure the default.  Every word must be key=value with a key the
 * workload declares, each key at most once, the value decimal or 0x-hex
 * within [min, max].
 */
#ifndef GUEST_PARAMS_H
#define GUEST_PARAMS_H

#include <stdint.h>

struct param {
	const char *key;
	uint64_t *value; /* holds the default; overwritten when given */
	uint64_t min, max;
};

/* 0, or -EINVAL with the reason in params_error(); on error no value is
   changed. */
int params_parse(const char *cmdline, const struct param *params, unsigned n);
const char *params_error(void);

#endif
