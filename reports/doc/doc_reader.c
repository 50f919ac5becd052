// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The result document's reader.  Validation is a table per object kind
 * (reports/doc/SCHEMA.md's tables, transcribed): keeping the schema as data
 * means a field added to SCHEMA.md is one line here, and every error names
 * the field by the same path a person would write (workloads[2].ops).
 */
#include "doc_reader.h"
#include "doc_rules.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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
	if (check_rules(doc, "", vp_doc_rules, err, errlen))
		return -1;
	if (!json_object_get(doc, "profile") && !json_object_get(doc, "workloads") &&
	    !json_object_get(doc, "run")) {
		snprintf(err, errlen,
			 "profile, workloads, run: missing (a document has at least one)");
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
