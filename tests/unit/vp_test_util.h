/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers shared by the unit tests; include after <cmocka.h>. */
#ifndef VP_TEST_UTIL_H
#define VP_TEST_UTIL_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "doc_reader.h"
#include "doc_writer.h"
#include "result.h"

/* n samples of ns each; slot i holds [2^i, 2^(i+1)) ns, the last slot
 * everything slower.  user: VMM time, else kernel-handling time. */
static inline void vp_test_samples(struct vp_stat *s, uint64_t ns, uint32_t n, bool user)
{
	int slot = 0;

	while (slot < VP_HIST_SLOTS - 1 && (ns >> (slot + 1)))
		slot++;
	s->slots[slot] += n;
	s->count += n;
	*(user ? &s->user_count : &s->kern_count) += n;
	*(user ? &s->user_ns : &s->kern_ns) += ns * n;
	if (!s->min_ns || ns < s->min_ns)
		s->min_ns = ns;
	if (ns > s->max_ns)
		s->max_ns = ns;
}

/* Each field of the object json_pack() builds from fmt has that value in o;
 * a field packed as null must be absent or null. */
static inline void vp_expect_json(json_t *o, const char *fmt, ...)
{
	json_error_t e;
	const char *k;
	json_t *want, *v;
	va_list ap;

	va_start(ap, fmt);
	want = json_vpack_ex(&e, 0, fmt, ap);
	va_end(ap);
	if (!want)
		fail_msg("json_pack: %s", e.text);
	json_object_foreach (want, k, v) {
		json_t *got = json_object_get(o, k);

		if (json_is_null(v) ? got && !json_is_null(got) : !json_equal(got, v)) {
			char *s = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL, msg[128];

			snprintf(msg, sizeof(msg), "%s is %s", k, s ? s : "absent");
			free(s);
			json_decref(want);
			fail_msg("%s", msg);
		}
	}
	json_decref(want);
}

static inline size_t vp_dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static inline void vp_write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	assert_true(snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A line starting with these space-separated fields, however the columns are padded. */
static inline bool vp_has_row(const char *text, const char *fields)
{
	char *s = malloc(strlen(text) + 2), *d = s + 1;
	size_t n = strlen(fields);
	bool found = false;

	assert_non_null(s);
	s[0] = '\n';
	for (const char *p = text; *p; p++)
		if (*p != ' ' || (d[-1] != ' ' && d[-1] != '\n'))
			*d++ = *p;
	*d = '\0';
	for (char *p = s; !found && (p = strchr(p, '\n')); p++)
		found = !strncmp(p + 1, fields, n) && (p[n + 1] == ' ' || p[n + 1] == '\n');
	free(s);
	return found;
}

/* doc saved into dir as the commands save it, loaded as the reports load
 * it: both must agree.  Drops doc. */
static inline void vp_save_and_read_back(const char *dir, json_t *doc, const char *what,
					 unsigned variant)
{
	char path[PATH_MAX], err[512];
	json_t *back;

	assert_non_null(doc);
	snprintf(path, sizeof(path), "%s/doc.json", dir);
	if (vp_doc_save(json_incref(doc), path, err, sizeof(err)))
		fail_msg("%s variant %#x: the writer's document is refused: %s", what, variant,
			 err);
	back = vp_doc_load(path, err, sizeof(err));
	if (!back)
		fail_msg("%s variant %#x: %s", what, variant, err);
	json_decref(back);
	unlink(path);
	json_decref(doc);
}

#endif
