// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The parts of the result document every command shares: schema, meta,
 * value helpers and the atomic writer. */
#include "doc_writer.h"
#include "atomic_file.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

json_t *vp_json_text(const char *s)
{
	json_t *j;
	char copy[512];
	size_t i;

	if (!s)
		return json_null();
	if ((j = json_string(s)))
		return j;
	/* Names come from QEMU, guests and /proc: any bytes, JSON needs UTF-8. */
	for (i = 0; s[i] && i < sizeof(copy) - 1; i++)
		copy[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	copy[i] = '\0';
	return json_string(copy);
}

json_t *vp_json_num_or_null(double v)
{
	/* JSON has no NaN or infinity, and jansson makes no value of them:
	 * a 0/0 must not take the whole object it sits in away. */
	return v < 0 || !isfinite(v) ? json_null() : json_real(v);
}

json_t *vp_json_latency(const struct vp_stat *st)
{
	json_t *slots;

	if (!vp_stat_samples(st))
		return json_null();
	slots = json_array();
	for (int i = 0; i < VP_HIST_SLOTS; i++)
		json_array_append_new(slots, json_integer(st->slots[i]));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "samples",
			 (json_int_t)vp_stat_samples(st), "min_ns", (json_int_t)st->min_ns,
			 "p50_ns", (json_int_t)vp_stat_percentile(st, 50), "p90_ns",
			 (json_int_t)vp_stat_percentile(st, 90), "p99_ns",
			 (json_int_t)vp_stat_percentile(st, 99), "max_ns", (json_int_t)st->max_ns,
			 "log2_slots", slots);
}

static void cpuinfo(char *vendor, size_t vlen, char *model, size_t mlen)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(vendor, vlen, "unknown");
	snprintf(model, mlen, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		colon += strspn(colon + 1, " \t") + 1;
		colon[strcspn(colon, "\n")] = '\0';
		if (!strncmp(line, "vendor_id", 9))
			snprintf(vendor, vlen, "%s", colon);
		else if (!strncmp(line, "model name", 10)) {
			snprintf(model, mlen, "%s", colon);
			break;
		}
	}
	fclose(f);
}

json_t *vp_doc_host(void)
{
	char vendor[64], model[128], release[128] = "unknown";
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(release, sizeof(release), "%s", u.release);
	cpuinfo(vendor, sizeof(vendor), model, sizeof(model));
	return json_pack("{s:o, s:o, s:o, s:I}", "kernel", vp_json_text(release), "cpu_vendor",
			 vp_json_text(vendor), "cpu_model", vp_json_text(model), "cpus",
			 (json_int_t)sysconf(_SC_NPROCESSORS_ONLN));
}

void vp_qemu_version(const char *binary, char *out, size_t len)
{
	char cmd[PATH_MAX + 64], line[256] = "";
	FILE *p;

	out[0] = '\0';
	/* The binary path comes from /proc or our own table, never a shell
	 * string from outside; still refuse anything a shell would read. */
	if (!binary || strpbrk(binary, "'\\\n"))
		return;
	snprintf(cmd, sizeof(cmd), "'%s' --version 2>/dev/null", binary);
	if (!(p = popen(cmd, "r")))
		return;
	if (fgets(line, sizeof(line), p)) {
		const char *v = strstr(line, "version ");

		line[strcspn(line, "\n")] = '\0';
		snprintf(out, len, "%s", v ? v + 8 : line);
	}
	pclose(p);
}

json_t *vp_doc_new(const struct vp_doc_meta *m)
{
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	json_t *notes = json_array(), *meta;

	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < m->nnotes; i++)
		json_array_append_new(notes, vp_json_text(m->notes[i]));
	meta = json_pack(
		"{s:s, s:s, s:s, s:o, s:{s:o, s:o, s:b}, s:s, s:b, s:{s:s, s:o}, s:o, "
		"s:{s:I, s:I, s:I, s:I, s:I}, s:o}",
		"command", m->command, "tool_version", VP_VERSION, "created", created, "host",
		m->host ? json_incref((json_t *)m->host) : vp_doc_host(), "qemu", "binary",
		vp_json_text(m->qemu_binary), "version",
		m->qemu_version && m->qemu_version[0] ? vp_json_text(m->qemu_version) : json_null(),
		"usdt", m->qemu_usdt, "accelerator", m->accelerator ? m->accelerator : "unknown",
		"vm_exits_measured", m->vm_exits_measured, "attribution", "source",
		m->attribution_source ? m->attribution_source : "none", "detail",
		vp_json_text(m->attribution_detail ? m->attribution_detail : ""), "duration_s",
		m->duration_s < 0 ? json_null() : json_real(m->duration_s), "lost", "stats_full",
		(json_int_t)m->stats_full, "threads_full", (json_int_t)m->threads_full,
		"kvm_run_unreadable", (json_int_t)m->kvm_run_unreadable, "usdt_counts_dropped",
		(json_int_t)m->usdt_counts_dropped, "usdt_names_dropped",
		(json_int_t)m->usdt_names_dropped, "notes", notes);
	if (!meta)
		return NULL;
	json_object_set_new(meta, "kvm_run_hook",
			    m->kvm_run_hook ? json_string(m->kvm_run_hook) : json_null());
	json_object_set_new(meta, "kvm_tracepoints",
			    m->kvm_tracepoints ? json_string(m->kvm_tracepoints) : json_null());
	if (m->source) {
		bool recording = !strcmp(m->source, "recording");

		json_object_set_new(meta, "source", json_string(m->source));
		json_object_set_new(json_object_get(meta, "lost"),
				    recording ? "record_dropped" : "trace_dropped",
				    json_integer((json_int_t)m->trace_dropped));
	}
	return json_pack("{s:s, s:o}", "schema", VP_DOC_SCHEMA, "meta", meta);
}

static int dump_to(FILE *f, void *doc)
{
	return json_dumpf(doc, f, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12)) ? -EIO
											     : 0;
}

int vp_json_dump_atomic(json_t *doc, const char *path)
{
	int err;

	if (!doc)
		return -EINVAL;
	err = vp_atomic_write(path, dump_to, doc);
	json_decref(doc);
	return err;
}

int vp_doc_save(json_t *doc, const char *path, char *err, size_t errlen)
{
	char why[256];
	int ret;

	if (doc && vp_doc_validate(doc, why, sizeof(why))) {
		snprintf(err, errlen, "cannot write %s: vmexit-prof could not read it back: %s",
			 path, why);
		json_decref(doc);
		return -EPROTO;
	}
	ret = vp_json_dump_atomic(doc, path);
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
	return ret;
}
