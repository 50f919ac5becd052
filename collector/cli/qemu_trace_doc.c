// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "qemu_trace_doc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attribution.h"
#include "doc_writer.h"
#include "qemu_events.h"
#include "qemu_trace_agg.h"
#include "result.h"
#include "simple_trace.h"
#include "ust_trace.h"

void vp_print_trace_events(FILE *out)
{
	for (size_t i = 0; i < vp_qemu_events_count; i++)
		fprintf(out, "%s\n", vp_qemu_events[i].name);
}

static bool saw_event(const struct vp_usdt_counts *c, const char *name)
{
	for (size_t i = 0; i < c->nevents; i++)
		if (!strcmp(c->events[i].e->name, name))
			return true;
	return false;
}

/* What the document says of each backend's trace. */
static const struct {
	const char *source, *what, *unit, *enable, *dropped;
} kinds[] = {
	[VP_TRACE_SIMPLE] = { "qemu-simple-trace", "QEMU's simple trace", "records",
			      "trace QEMU with -trace events=FILE, FILE listing them",
			      "QEMU dropped events, its trace buffer full: the counts miss them "
			      "(lost.trace_dropped)" },
	[VP_TRACE_UST] = { "qemu-ust-trace", "QEMU's LTTng-UST trace", "events",
			   "enable them in the LTTng session as qemu:NAME",
			   "LTTng discarded events, its ring buffers full: the counts miss them "
			   "(lost.trace_dropped)" },
};

/* The notes only a trace has; into m, with their text in buf. */
static void trace_notes(const struct vp_trace_stats *st, struct vp_doc_meta *m, char *buf,
			size_t len)
{
	size_t at = 0;

	if (st->truncated) {
		m->notes[m->nnotes++] = buf + at;
		at += (size_t)snprintf(buf + at, len - at,
				       "the trace ends inside a record at byte %llu: this is what "
				       "comes before",
				       (unsigned long long)st->valid_bytes) +
		      1;
	}
	if (st->nother_pids && at < len) {
		m->notes[m->nnotes++] = buf + at;
		at += (size_t)snprintf(buf + at, len - at,
				       "%llu events of %s%u other process%s (pid %u%s) are left "
				       "out: these counts are pid %u's, the first QEMU traced; "
				       "report one process's trace (its ust/pid/ directory)",
				       (unsigned long long)st->other_events,
				       st->nother_pids > VP_TRACE_OTHER_PIDS ? "more than " : "",
				       st->nother_pids > VP_TRACE_OTHER_PIDS ? VP_TRACE_OTHER_PIDS
									     : st->nother_pids,
				       st->nother_pids == 1 ? "" : "es", st->other_pids[0],
				       st->nother_pids > 1 ? ", ..." : "", st->pid) +
		      1;
	}
	if (!st->used && at < len) {
		m->notes[m->nnotes++] = buf + at;
		snprintf(buf + at, len - at,
			 "the trace holds none of the events vmexit-prof reads: %s "
			 "(vmexit-prof trace-events)",
			 kinds[st->kind].enable);
	}
	if (st->dropped || st->dropped_unknown)
		m->notes[m->nnotes++] = kinds[st->kind].dropped;
}

json_t *vp_trace_doc(const char *path, const struct vp_trace_stats *st,
		     const struct vp_qtrace_agg *agg, char *err, size_t errlen)
{
	struct vp_usdt_counts c;
	struct vp_attribution a = { .usdt = &c };
	struct vp_device_total *dev = NULL;
	struct vp_result res;
	char detail[512], notes[768];
	bool kvm;
	struct vp_doc_meta m;
	struct vp_profile_input in;
	size_t ndev;
	json_t *doc;

	if (vp_qtrace_counts(agg, &c)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	kvm = saw_event(&c, "kvm_run_exit");
	m = (struct vp_doc_meta){
		.command = "profile",
		.source = kinds[st->kind].source,
		.accelerator = kvm ? "kvm" : (st->used ? "tcg" : NULL),
		.attribution_source = vp_attr_source_name(VP_ATTR_USDT),
		.attribution_detail = detail,
		.duration_s = st->last_ns > st->first_ns ? (st->last_ns - st->first_ns) / 1e9 : 0,
		.usdt_counts_dropped = c.dropped_counts,
		.trace_dropped = st->dropped,
	};
	snprintf(detail, sizeof(detail),
		 "%s %s (pid %u): %llu %s, %llu of them the catalogue's events",
		 kinds[st->kind].what, path, st->pid, (unsigned long long)st->records,
		 kinds[st->kind].unit, (unsigned long long)st->used);
	trace_notes(st, &m, notes, sizeof(notes));
	if (kvm)
		m.notes[m.nnotes++] = "a trace holds no struct kvm_run: QEMU's exits are "
				      "counted, but no port or address of an exit is joined to "
				      "its device, and no exit is timed";
	else
		m.notes[m.nnotes++] = "TCG: QEMU ran the guest without KVM, so there are no VM "
				      "exits; each device access counted is one QEMU dispatched";
	vp_result_init(&res);
	res.meta.pid = (int)st->pid;
	res.meta.nr_vcpus = vp_qtrace_vcpus(agg);
	ndev = vp_device_totals(&res, &a, &dev);
	in = (struct vp_profile_input){ .r = &res, .dev = dev, .ndev = ndev, .a = &a };
	doc = vp_doc_new(&m);
	if (doc)
		json_object_set_new(doc, "profile", vp_profile_json(&in));
	else
		snprintf(err, errlen, "out of memory");
	free(dev);
	vp_result_free(&res);
	vp_usdt_counts_free(&c);
	return doc;
}

json_t *vp_qemu_trace_doc(const char *path, char *err, size_t errlen)
{
	struct vp_qtrace_agg *agg = vp_qtrace_agg_new();
	struct vp_trace_stats st;
	struct stat sb;
	json_t *doc = NULL;
	int ret;

	if (!agg) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* An LTTng session writes a directory of CTF traces; QEMU's simple
	 * backend, one file. */
	if (!stat(path, &sb) && S_ISDIR(sb.st_mode))
		ret = vp_ust_trace_read(path, agg, &st, err, errlen);
	else
		ret = vp_simple_trace_read(path, agg, &st, err, errlen);
	if (!ret)
		doc = vp_trace_doc(path, &st, agg, err, errlen);
	vp_qtrace_agg_free(agg);
	return doc;
}
