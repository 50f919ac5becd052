/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The reader's rules (doc_rules.c): SCHEMA.md's tables as data, walked by
 * doc_reader.c. */
#ifndef VP_DOC_RULES_H
#define VP_DOC_RULES_H

#include <stddef.h>

/* What a field may hold; several may be or-ed. */
enum {
	T_STR = 1 << 0,
	T_INT = 1 << 1,
	T_NUM = 1 << 2, /* integer or real: writers may print 4096 for 4096.0 */
	T_BOOL = 1 << 3,
	T_OBJ = 1 << 4,
	T_ARR = 1 << 5,
	T_NULL = 1 << 6,
	T_OPT = 1 << 7, /* may be absent ("or absent" in SCHEMA.md) */
};

/*
 * path is relative to the object the table applies to: "a.b" nests,
 * "a[]" means each element of array a, "*" each member of an object.
 * An intermediate that is absent, null or of the wrong type is skipped
 * here: its own rule (listed before) reports it, so one bad object gives
 * one error, not one per field under it.
 */
struct rule {
	const char *path;
	unsigned types;
	const char *one_of;	/* strings: allowed values, '|'-separated */
	size_t len;		/* arrays: required length, 0 for any */
	const struct rule *sub; /* objects: the rules of their fields */
};

/* The top level's rules, each section's below it. */
extern const struct rule vp_doc_rules[];

#endif
