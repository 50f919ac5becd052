// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The result document's reader.  Validation is a table per object kind
 * (reports/doc/SCHEMA.md's tables, transcribed): keeping the schema as data
 * means a field added to SCHEMA.md is one line here, and every error names
 * the field by the same path a person would write (workloads[2].ops).
 */
#include "doc_reader.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

#define END                                                                                        \
	{                                                                                          \
		NULL, 0, NULL, 0, NULL                                                             \
	}

static const struct rule latency_rules[] = {
	{ "samples", T_INT, NULL, 0, NULL },
	{ "min_ns", T_INT, NULL, 0, NULL },
	{ "p50_ns", T_INT, NULL, 0, NULL },
	{ "p90_ns", T_INT, NULL, 0, NULL },
	{ "p99_ns", T_INT, NULL, 0, NULL },
	{ "max_ns", T_INT, NULL, 0, NULL },
	{ "log2_slots", T_ARR, NULL, 32, NULL },
	{ "log2_slots[]", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule meta_rules[] = {
	{ "command", T_STR, "profile|compare", 0, NULL },
	{ "tool_version", T_STR, NULL, 0, NULL },
	{ "created", T_STR, NULL, 0, NULL },
	{ "host", T_OBJ, NULL, 0, NULL },
	{ "host.kernel", T_STR, NULL, 0, NULL },
	{ "host.cpu_vendor", T_STR, NULL, 0, NULL },
	{ "host.cpu_model", T_STR, NULL, 0, NULL },
	{ "host.cpus", T_INT, NULL, 0, NULL },
	{ "qemu", T_OBJ, NULL, 0, NULL },
	{ "qemu.binary", T_STR | T_NULL, NULL, 0, NULL },
	{ "qemu.version", T_STR | T_NULL, NULL, 0, NULL },
	{ "qemu.usdt", T_BOOL, NULL, 0, NULL },
	{ "accelerator", T_STR, "kvm|tcg|unknown", 0, NULL },
	{ "vm_exits_measured", T_BOOL, NULL, 0, NULL },
	{ "kvm_run_hook", T_STR | T_NULL | T_OPT, "fentry|syscalls", 0, NULL },
	{ "attribution", T_OBJ, NULL, 0, NULL },
	{ "attribution.source", T_STR, NULL, 0, NULL },
	{ "attribution.detail", T_STR, NULL, 0, NULL },
	{ "duration_s", T_NUM | T_NULL, NULL, 0, NULL },
	{ "lost", T_OBJ, NULL, 0, NULL },
	{ "lost.*", T_INT, NULL, 0, NULL },
	{ "notes", T_ARR, NULL, 0, NULL },
	{ "notes[]", T_STR, NULL, 0, NULL },
	END,
};

static const struct rule vcpu_rules[] = {
	{ "vcpu", T_INT | T_NULL, NULL, 0, NULL },
	{ "exits_to_user", T_INT, NULL, 0, NULL },
	{ "user_ns", T_INT, NULL, 0, NULL },
	{ "kernel_exits", T_INT, NULL, 0, NULL },
	{ "kernel_ns", T_INT | T_NULL, NULL, 0, NULL },
	{ "kvm_run_calls", T_INT, NULL, 0, NULL },
	{ "kvm_run_ns", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule exit_device_rules[] = {
	{ "device", T_STR, NULL, 0, NULL },
	{ "count", T_INT, NULL, 0, NULL },
	{ "time_ns", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule exit_reason_rules[] = {
	{ "where", T_STR, "user|kernel", 0, NULL },
	{ "vcpu", T_INT | T_NULL, NULL, 0, NULL },
	{ "reason", T_STR, NULL, 0, NULL },
	{ "code", T_INT | T_NULL, NULL, 0, NULL },
	{ "folded", T_BOOL | T_OPT, NULL, 0, NULL },
	{ "isa", T_STR | T_OPT, "VMX|SVM", 0, NULL },
	{ "devices", T_ARR | T_OPT, NULL, 0, NULL },
	{ "devices[]", T_OBJ, NULL, 0, exit_device_rules },
	{ "count", T_INT, NULL, 0, NULL },
	{ "time_ns", T_INT, NULL, 0, NULL },
	{ "latency", T_OBJ | T_NULL, NULL, 0, latency_rules },
	END,
};

static const struct rule device_rules[] = {
	{ "device", T_STR, NULL, 0, NULL },
	{ "name", T_STR, NULL, 0, NULL },
	{ "class", T_STR, "emulated|paravirtual|platform|unknown", 0, NULL },
	{ "to_user", T_INT, NULL, 0, NULL },
	{ "in_kernel", T_INT, NULL, 0, NULL },
	{ "in_kernel_kinds", T_OBJ, NULL, 0, NULL },
	{ "in_kernel_kinds.*", T_INT, NULL, 0, NULL },
	{ "user_ns", T_INT, NULL, 0, NULL },
	{ "kernel_ns", T_INT | T_NULL, NULL, 0, NULL },
	{ "interrupts", T_INT, NULL, 0, NULL },
	{ "latency", T_OBJ | T_NULL, NULL, 0, latency_rules },
	{ "source", T_STR, NULL, 0, NULL },
	{ "qemu_events", T_OBJ | T_OPT, NULL, 0, NULL },
	{ "qemu_events.*", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule access_rules[] = {
	{ "kind", T_STR, "pio|mmio|fast_mmio", 0, NULL },
	{ "address", T_INT | T_NULL, NULL, 0, NULL },
	{ "folded", T_BOOL | T_OPT, NULL, 0, NULL },
	{ "direction", T_STR | T_OPT, "read|write", 0, NULL },
	{ "size", T_INT, NULL, 0, NULL },
	{ "device", T_STR, NULL, 0, NULL },
	{ "region", T_STR | T_NULL, NULL, 0, NULL },
	{ "count", T_INT, NULL, 0, NULL },
	{ "to_user", T_INT, NULL, 0, NULL },
	{ "user_ns", T_INT, NULL, 0, NULL },
	{ "kernel_ns", T_INT | T_NULL, NULL, 0, NULL },
	{ "latency", T_OBJ | T_NULL, NULL, 0, latency_rules },
	END,
};

static const struct rule other_rules[] = {
	{ "kind", T_STR, NULL, 0, NULL },
	{ "name", T_STR, NULL, 0, NULL },
	{ "code", T_INT | T_NULL, NULL, 0, NULL },
	{ "address", T_INT | T_NULL | T_OPT, NULL, 0, NULL },
	{ "folded", T_BOOL | T_OPT, NULL, 0, NULL },
	{ "direction", T_STR | T_OPT, NULL, 0, NULL },
	{ "count", T_INT, NULL, 0, NULL },
	{ "device", T_STR | T_OPT, NULL, 0, NULL },
	END,
};

static const struct rule sample_rules[] = {
	{ "t", T_NUM, NULL, 0, NULL },
	{ "vcpu", T_INT | T_NULL, NULL, 0, NULL },
	{ "exits_to_user", T_INT, NULL, 0, NULL },
	{ "kernel_exits", T_INT, NULL, 0, NULL },
	{ "user_ns", T_INT, NULL, 0, NULL },
	{ "kernel_ns", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule profile_rules[] = {
	{ "target", T_OBJ, NULL, 0, NULL },
	{ "target.pid", T_INT, NULL, 0, NULL },
	{ "target.comm", T_STR, NULL, 0, NULL },
	{ "target.exited", T_BOOL, NULL, 0, NULL },
	{ "target.vcpus", T_INT, NULL, 0, NULL },
	{ "kvm_exit_fired", T_BOOL, NULL, 0, NULL },
	{ "events", T_OBJ, NULL, 0, NULL },
	{ "events.*", T_INT, NULL, 0, NULL },
	{ "vcpus", T_ARR, NULL, 0, NULL },
	{ "vcpus[]", T_OBJ, NULL, 0, vcpu_rules },
	{ "exit_reasons", T_ARR, NULL, 0, NULL },
	{ "exit_reasons[]", T_OBJ, NULL, 0, exit_reason_rules },
	{ "devices", T_ARR, NULL, 0, NULL },
	{ "devices[]", T_OBJ, NULL, 0, device_rules },
	{ "accesses", T_ARR, NULL, 0, NULL },
	{ "accesses[]", T_OBJ, NULL, 0, access_rules },
	{ "other", T_ARR, NULL, 0, NULL },
	{ "other[]", T_OBJ, NULL, 0, other_rules },
	{ "timeline", T_OBJ | T_OPT, NULL, 0, NULL },
	{ "timeline.interval_s", T_NUM, NULL, 0, NULL },
	{ "timeline.samples", T_ARR, NULL, 0, NULL },
	{ "timeline.samples[]", T_OBJ, NULL, 0, sample_rules },
	END,
};

static const struct rule workload_rules[] = {
	{ "name", T_STR, NULL, 0, NULL },
	{ "group", T_STR | T_NULL, NULL, 0, NULL },
	{ "path", T_STR | T_NULL, "emulated|paravirtual", 0, NULL },
	{ "device", T_STR, NULL, 0, NULL },
	{ "device_class", T_STR, NULL, 0, NULL },
	{ "params", T_STR, NULL, 0, NULL },
	{ "ran", T_BOOL, NULL, 0, NULL },
	{ "status", T_STR, NULL, 0, NULL },
	{ "error", T_STR | T_OPT, NULL, 0, NULL },
	{ "ops", T_INT, NULL, 0, NULL },
	{ "bytes_per_op", T_NUM | T_NULL, NULL, 0, NULL },
	{ "exits_per_op", T_OBJ, NULL, 0, NULL },
	{ "exits_per_op.to_user", T_NUM | T_NULL, NULL, 0, NULL },
	{ "exits_per_op.in_kernel", T_NUM | T_NULL, NULL, 0, NULL },
	{ "exits_per_op.total", T_NUM | T_NULL, NULL, 0, NULL },
	{ "accesses", T_OBJ, NULL, 0, NULL },
	{ "accesses.qemu", T_OBJ, NULL, 0, NULL },
	{ "accesses.guest", T_OBJ, NULL, 0, NULL },
	{ "accesses.firmware", T_OBJ, NULL, 0, NULL },
	{ "accesses.*.reads", T_INT, NULL, 0, NULL },
	{ "accesses.*.writes", T_INT, NULL, 0, NULL },
	{ "in_kernel", T_OBJ, NULL, 0, NULL },
	{ "in_kernel.ioeventfd", T_INT, NULL, 0, NULL },
	{ "in_kernel.coalesced", T_INT, NULL, 0, NULL },
	{ "in_kernel.source", T_STR, "kvm|derived", 0, NULL },
	{ "interrupts", T_OBJ, NULL, 0, NULL },
	{ "interrupts.count", T_INT, NULL, 0, NULL },
	{ "interrupts.per_op", T_NUM | T_NULL, NULL, 0, NULL },
	{ "host_ns_per_op", T_OBJ, NULL, 0, NULL },
	{ "host_ns_per_op.kernel", T_NUM | T_NULL, NULL, 0, NULL },
	{ "host_ns_per_op.qemu", T_NUM | T_NULL, NULL, 0, NULL },
	{ "guest", T_OBJ, NULL, 0, NULL },
	{ "guest.cycles", T_INT, NULL, 0, NULL },
	{ "guest.tsc_khz", T_INT, NULL, 0, NULL },
	{ "guest.cycles_per_op", T_NUM | T_NULL, NULL, 0, NULL },
	{ "timing", T_OBJ, NULL, 0, NULL },
	{ "timing.us_per_op", T_NUM | T_NULL, NULL, 0, NULL },
	{ "timing.runs_us_per_op", T_ARR, NULL, 0, NULL },
	{ "timing.runs_us_per_op[]", T_NUM, NULL, 0, NULL },
	{ "timing.min", T_NUM | T_NULL, NULL, 0, NULL },
	{ "timing.max", T_NUM | T_NULL, NULL, 0, NULL },
	{ "timing.spread_pct", T_NUM | T_NULL, NULL, 0, NULL },
	{ "timing.us_per_op_profiled", T_NUM | T_NULL, NULL, 0, NULL },
	{ "events_not_recorded", T_INT, NULL, 0, NULL },
	{ "qemu_events_per_op", T_OBJ | T_OPT, NULL, 0, NULL },
	{ "qemu_events_per_op.*", T_NUM | T_NULL, NULL, 0, NULL },
	END,
};

static const struct rule speedup_rules[] = {
	{ "group", T_STR, NULL, 0, NULL },
	{ "paravirtual", T_STR, NULL, 0, NULL },
	{ "emulated", T_STR, NULL, 0, NULL },
	{ "ratio", T_NUM | T_NULL, NULL, 0, NULL },
	{ "exits_ratio", T_NUM | T_NULL, NULL, 0, NULL },
	END,
};

static const struct rule doc_rules[] = {
	{ "meta", T_OBJ, NULL, 0, meta_rules },
	{ "profile", T_OBJ | T_OPT, NULL, 0, profile_rules },
	{ "workloads", T_ARR | T_OPT, NULL, 0, NULL },
	{ "workloads[]", T_OBJ, NULL, 0, workload_rules },
	{ "speedups", T_ARR | T_OPT, NULL, 0, NULL },
	{ "speedups[]", T_OBJ, NULL, 0, speedup_rules },
	END,
};

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static bool type_ok(const json_t *v, unsigned types)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return types & T_OBJ;
	case JSON_ARRAY: return types & T_ARR;
	case JSON_STRING: return types & T_STR;
	case JSON_INTEGER: return types & (T_INT | T_NUM);
	case JSON_REAL: return types & T_NUM;
	case JSON_TRUE:
	case JSON_FALSE: return types & T_BOOL;
	default: return types & T_NULL;
	}
}

static void expected(char *buf, size_t len, unsigned types)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ T_STR, "a string" },	 { T_INT, "an integer" }, { T_NUM, "a number" },
		{ T_BOOL, "a boolean" }, { T_OBJ, "an object" },  { T_ARR, "an array" },
		{ T_NULL, "null" },
	};
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (types & names[i].bit && off < len)
			off += snprintf(buf + off, len - off, "%s%s", off ? " or " : "",
					names[i].name);
}

static bool in_list(const char *s, const char *list)
{
	size_t n = strlen(s);

	for (const char *p = list; *p;) {
		size_t m = strcspn(p, "|");

		if (m == n && !strncmp(p, s, n))
			return true;
		p += m + (p[m] == '|');
	}
	return false;
}

static int check_rules(const json_t *obj, const char *where, const struct rule *rules, char *err,
		       size_t errlen);

static int check_value(const json_t *v, const char *where, const struct rule *r, char *err,
		       size_t errlen)
{
	char want[96];

	if (!type_ok(v, r->types)) {
		expected(want, sizeof(want), r->types);
		snprintf(err, errlen, "%s: expected %s, got %s", where, want, type_name(v));
		return -1;
	}
	if (r->one_of && json_is_string(v) && !in_list(json_string_value(v), r->one_of)) {
		snprintf(err, errlen, "%s: expected one of %s", where, r->one_of);
		return -1;
	}
	if (r->len && json_is_array(v) && json_array_size(v) != r->len) {
		snprintf(err, errlen, "%s: expected %zu elements, got %zu", where, r->len,
			 json_array_size(v));
		return -1;
	}
	if (r->sub && json_is_object(v))
		return check_rules(v, where, r->sub, err, errlen);
	return 0;
}

static void join(char *out, size_t len, const char *where, const char *name)
{
	snprintf(out, len, "%s%s%s", where, *where ? "." : "", name);
}

/* Follows path (what is left of r->path) from node, whose path is where. */
static int walk(const json_t *node, const char *where, const char *path, const struct rule *r,
		char *err, size_t errlen)
{
	size_t n = strcspn(path, ".");
	const char *rest = path[n] ? path + n + 1 : NULL;
	bool each = n >= 2 && !strncmp(path + n - 2, "[]", 2);
	char name[64], here[256];
	const json_t *child;
	const char *key;
	size_t i;

	if (!json_is_object(node))
		return 0;
	if (n == 1 && *path == '*') {
		json_object_foreach ((json_t *)node, key, child) {
			join(here, sizeof(here), where, key);
			if (rest ? walk(child, here, rest, r, err, errlen)
				 : check_value(child, here, r, err, errlen))
				return -1;
		}
		return 0;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(each ? n - 2 : n), path);
	join(here, sizeof(here), where, name);
	child = json_object_get(node, name);
	if (each) {
		if (!json_is_array(child))
			return 0;
		const json_t *v;

		json_array_foreach (child, i, v) {
			char elem[300];

			snprintf(elem, sizeof(elem), "%s[%zu]", here, i);
			if (rest ? walk(v, elem, rest, r, err, errlen)
				 : check_value(v, elem, r, err, errlen))
				return -1;
		}
		return 0;
	}
	if (rest)
		return child ? walk(child, here, rest, r, err, errlen) : 0;
	if (!child) {
		if (r->types & T_OPT)
			return 0;
		snprintf(err, errlen, "%s: missing", here);
		return -1;
	}
	return check_value(child, here, r, err, errlen);
}

static int check_rules(const json_t *obj, const char *where, const struct rule *rules, char *err,
		       size_t errlen)
{
	for (const struct rule *r = rules; r->path; r++)
		if (walk(obj, where, r->path, r, err, errlen))
			return -1;
	return 0;
}

/* Names and jansson's "near '...'" come from the file: keep the error one
 * printable line whatever the document holds. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int validate(const json_t *doc, char *err, size_t errlen)
{
	const json_t *schema;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "expected a JSON object at the top level, got %s",
			 type_name(doc));
		return -1;
	}
	schema = json_object_get(doc, "schema");
	if (!schema) {
		snprintf(err, errlen, "schema: missing; not a " VP_DOC_SCHEMA " result document");
		return -1;
	}
	if (!json_is_string(schema)) {
		snprintf(err, errlen, "schema: expected a string, got %s", type_name(schema));
		return -1;
	}
	if (strcmp(json_string_value(schema), VP_DOC_SCHEMA)) {
		snprintf(err, errlen, "schema: \"%.64s\" is not " VP_DOC_SCHEMA,
			 json_string_value(schema));
		return -1;
	}
	if (check_rules(doc, "", doc_rules, err, errlen))
		return -1;
	if (!json_object_get(doc, "profile") && !json_object_get(doc, "workloads")) {
		snprintf(err, errlen, "profile, workloads: missing (a document has at least one)");
		return -1;
	}
	return 0;
}

int vp_doc_validate(const json_t *doc, char *err, size_t errlen)
{
	int ret = validate(doc, err, errlen);

	if (ret)
		one_line(err);
	return ret;
}

json_t *vp_doc_load(const char *path, char *err, size_t errlen)
{
	char why[256];
	json_error_t e;
	json_t *doc;
	FILE *f;

	/* fopen ourselves: jansson's own open error would not say why */
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		one_line(err);
		return NULL;
	}
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
	if (!doc && ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		fclose(f);
		one_line(err);
		return NULL;
	}
	fclose(f);
	if (!doc) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, e.line, e.column, e.text);
		one_line(err);
		return NULL;
	}
	if (validate(doc, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", path, why);
		one_line(err);
		json_decref(doc);
		return NULL;
	}
	return doc;
}
