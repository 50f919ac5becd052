// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pure half of guest_runner.h: the workload table (workloads.json) and
 * the guest's result lines.  No processes here, so the unit tests cover it
 * whole.
 */
#include "guest_runner.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const char *const status_names[] = {
	"ok", "fail", "bad-param", "no-device", "timeout", "exception", "boot-error",
};

int vp_guest_status_code(const char *status)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (!strcmp(status, status_names[i]))
			return (int)i;
	return -1;
}

static void free_workload(struct vp_workload *w)
{
	free(w->name);
	free(w->description);
	for (size_t i = 0; i < w->nargs; i++)
		free(w->args[i]);
	free(w->args);
	free(w->defaults);
	free(w->group);
	free(w->path);
}

void vp_workloads_free(struct vp_workload_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free_workload(&t->w[i]);
	free(t->w);
	t->w = NULL;
	t->n = 0;
}

/* A string member, or NULL when absent/null; *bad set when of another type. */
static char *opt_string(json_t *o, const char *key, bool *bad)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	return strdup(json_string_value(v));
}

static int load_one(const char *name, json_t *o, struct vp_workload *w, char *err, size_t errlen)
{
	json_t *args = json_object_get(o, "args"), *disk = json_object_get(o, "disk_mib");
	json_t *pq = json_object_get(o, "project_qemu");
	bool bad = false;

	memset(w, 0, sizeof(*w));
	w->name = strdup(name);
	w->description = opt_string(o, "description", &bad);
	w->defaults = opt_string(o, "defaults", &bad);
	w->group = opt_string(o, "group", &bad);
	w->path = opt_string(o, "path", &bad);
	if (!w->defaults && !bad)
		w->defaults = strdup("");
	if (bad || !json_is_object(o) || (args && !json_is_array(args)) ||
	    (disk && (!json_is_integer(disk) || json_integer_value(disk) < 0 ||
		      json_integer_value(disk) > 1 << 20)) ||
	    (pq && !json_is_boolean(pq))) {
		snprintf(err, errlen, "workload '%s': a field has the wrong type", name);
		return -EINVAL;
	}
	w->disk_mib = disk ? (unsigned)json_integer_value(disk) : 0;
	w->project_qemu = pq && json_is_true(pq);
	w->args = calloc(json_array_size(args) + 1, sizeof(*w->args));
	if (!w->name || !w->defaults || !w->args)
		return -ENOMEM;
	for (size_t i = 0; i < json_array_size(args); i++) {
		json_t *a = json_array_get(args, i);

		if (!json_is_string(a)) {
			snprintf(err, errlen, "workload '%s': args[%zu] is not a string", name, i);
			return -EINVAL;
		}
		if (!(w->args[w->nargs++] = strdup(json_string_value(a))))
			return -ENOMEM;
	}
	return 0;
}

int vp_workloads_load(const char *path, struct vp_workload_table *t, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root, *all;
	const char *name;
	json_t *o;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	if (!path)
		path = VP_WORKLOADS_JSON;
	root = json_load_file(path, 0, &je);
	if (!root) {
		/* jansson keeps no errno: tell a missing file from a broken one. */
		FILE *f = fopen(path, "r");

		if (!f) {
			ret = -errno;
			snprintf(err, errlen, "cannot read workload table %s: %s", path,
				 strerror(errno));
			return ret;
		}
		fclose(f);
		snprintf(err, errlen, "workload table %s:%d: %s", path, je.line, je.text);
		return -EINVAL;
	}
	all = json_object_get(root, "workloads");
	if (!json_is_object(all) || !json_object_size(all)) {
		snprintf(err, errlen, "workload table %s: no \"workloads\" object", path);
		json_decref(root);
		return -EINVAL;
	}
	t->w = calloc(json_object_size(all), sizeof(*t->w));
	if (!t->w) {
		json_decref(root);
		return -ENOMEM;
	}
	/* jansson >= 2.8 iterates in insertion order: the file's order. */
	json_object_foreach (all, name, o) {
		ret = load_one(name, o, &t->w[t->n++], err, errlen);
		if (ret)
			break;
	}
	json_decref(root);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		vp_workloads_free(t);
	}
	return ret;
}

const struct vp_workload *vp_workload_find(const struct vp_workload_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->w[i].name, name))
			return &t->w[i];
	return NULL;
}

void vp_workload_names(const struct vp_workload_table *t, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < t->n && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", t->w[i].name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s == '-' || !*s)
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0); /* values are decimal or 0x hex */
	return errno || *end ? -EINVAL : 0;
}

static int copy_word(char *dst, const char *src, size_t n)
{
	if (strlen(src) >= VP_GUEST_WORD)
		return -EINVAL;
	memcpy(dst, src, n + 1);
	return 0;
}

static int result_field(struct vp_guest_result *r, const char *key, const char *value)
{
	static const struct {
		const char *key;
		size_t off;
	} nums[] = {
#define F(f) { #f, offsetof(struct vp_guest_result, f) }
		F(ops),	       F(bytes), F(pio_out), F(pio_in),	 F(mmio_read),
		F(mmio_write), F(kicks), F(cycles),  F(tsc_khz),
#undef F
	};

	if (!strcmp(key, "workload"))
		return copy_word(r->workload, value, strlen(value));
	if (!strcmp(key, "status")) {
		r->code = vp_guest_status_code(value);
		return copy_word(r->status, value, strlen(value));
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (!strcmp(key, nums[i].key))
			return parse_u64(value, (uint64_t *)((char *)r + nums[i].off));
	if (r->nextra == VP_GUEST_MAX_EXTRA)
		return 0; /* more than we keep: the standard fields still count */
	if (copy_word(r->extra[r->nextra].key, key, strlen(key)) ||
	    copy_word(r->extra[r->nextra].value, value, strlen(value)))
		return -EINVAL;
	r->nextra++;
	return 0;
}

static int region_field(struct vp_guest_region *g, const char *key, const char *value)
{
	if (!strcmp(key, "region"))
		return copy_word(g->name, value, strlen(value));
	if (!strcmp(key, "space")) {
		g->mmio = !strcmp(value, "mmio");
		return g->mmio || !strcmp(value, "pio") ? 0 : -EINVAL;
	}
	if (!strcmp(key, "base"))
		return parse_u64(value, &g->base);
	if (!strcmp(key, "size"))
		return parse_u64(value, &g->size);
	if (!strcmp(key, "reads"))
		return parse_u64(value, &g->reads);
	if (!strcmp(key, "writes"))
		return parse_u64(value, &g->writes);
	return 0; /* workload= and anything newer */
}

int vp_guest_parse_line(const char *line, struct vp_guest_result *r)
{
	char buf[1024], *save, *word;
	struct vp_guest_region region = { 0 };
	struct vp_guest_result res = { 0 };
	bool is_result;

	if (strlen(line) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, line);
	buf[strcspn(buf, "\r\n")] = '\0';
	word = strtok_r(buf, " ", &save);
	if (!word)
		return -EINVAL;
	is_result = !strcmp(word, "VMEXIT-RESULT");
	if (!is_result && strcmp(word, "VMEXIT-REGION"))
		return -EINVAL;
	res.code = -1;
	while ((word = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(word, '=');

		if (!eq || eq == word)
			return -EINVAL;
		*eq = '\0';
		if (is_result ? result_field(&res, word, eq + 1)
			      : region_field(&region, word, eq + 1))
			return -EINVAL;
	}
	if (is_result) {
		if (!res.status[0])
			return -EINVAL; /* status is always last: a cut line */
		res.valid = true;
		snprintf(res.line, sizeof(res.line), "%.*s", (int)strcspn(line, "\r\n"), line);
		/* keep the regions gathered so far */
		res.nregions = r->nregions;
		memcpy(res.regions, r->regions, sizeof(res.regions));
		*r = res;
		return 0;
	}
	if (!region.name[0])
		return -EINVAL;
	if (r->nregions < VP_GUEST_MAX_REGIONS)
		r->regions[r->nregions++] = region;
	return 0;
}

int vp_guest_parse_output(const char *text, struct vp_guest_result *r)
{
	memset(r, 0, sizeof(*r));
	r->code = -1;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];

		/* Tags anywhere in a line: QEMU or the console may prefix noise. */
		if (n < sizeof(line)) {
			const char *tag;

			memcpy(line, p, n);
			line[n] = '\0';
			if ((tag = strstr(line, "VMEXIT-RESULT ")) ||
			    (tag = strstr(line, "VMEXIT-REGION ")))
				vp_guest_parse_line(tag, r);
		}
		p += n + (nl ? 1 : 0);
	}
	return r->valid ? 0 : -ENOENT;
}
