// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "qemu_trace_doc.h"

#include <stdlib.h>
#include <string.h>

#include "attribution.h"
#include "doc_writer.h"
#include "qemu_events.h"
#include "qemu_trace_agg.h"
#include "result.h"
#include "simple_trace.h"

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

static json_t *build(const char *path, const struct vp_trace_stats *st,
		     const struct vp_usdt_counts *c, int vcpus)
{
	struct vp_attribution a = { .usdt = c };
	struct vp_device_total *dev = NULL;
	struct vp_result res;
	char detail[512], cut[160];
	bool kvm = saw_event(c, "kvm_run_exit");
	struct vp_doc_meta m = {
		.command = "profile",
		.source = "qemu-simple-trace",
		.accelerator = kvm ? "kvm" : (st->used ? "tcg" : NULL),
		.attribution_source = vp_attr_source_name(VP_ATTR_USDT),
		.attribution_detail = detail,
		.duration_s = st->last_ns > st->first_ns ? (st->last_ns - st->first_ns) / 1e9 : 0,
		.usdt_counts_dropped = c->dropped_counts,
		.trace_dropped = st->qemu_dropped,
	};
	struct vp_profile_input in;
	size_t ndev;
	json_t *doc;

	snprintf(detail, sizeof(detail),
		 "QEMU's simple trace %s (pid %u): %llu records, %llu of them the "
		 "catalogue's events",
		 path, st->pid, (unsigned long long)st->records, (unsigned long long)st->used);
	if (st->truncated) {
		snprintf(cut, sizeof(cut),
			 "the trace ends inside a record at byte %llu: this is what comes before",
			 (unsigned long long)st->valid_bytes);
		m.notes[m.nnotes++] = cut;
	}
	if (!st->used)
		m.notes[m.nnotes++] = "the trace holds none of the events vmexit-prof reads: "
				      "trace QEMU with -trace events=FILE, FILE listing them "
				      "(vmexit-prof trace-events)";
	if (st->qemu_dropped)
		m.notes[m.nnotes++] = "QEMU dropped events, its trace buffer full: the counts "
				      "miss them (lost.trace_dropped)";
	if (kvm)
		m.notes[m.nnotes++] = "a trace holds no struct kvm_run: QEMU's exits are "
				      "counted, but no port or address of an exit is joined to "
				      "its device, and no exit is timed";
	else
		m.notes[m.nnotes++] = "TCG: QEMU ran the guest without KVM, so there are no VM "
				      "exits; each device access counted is one QEMU dispatched";
	vp_result_init(&res);
	res.meta.pid = (int)st->pid;
	res.meta.nr_vcpus = vcpus;
	ndev = vp_device_totals(&res, &a, &dev);
	in = (struct vp_profile_input){ &res, dev, ndev, &a, NULL };
	doc = vp_doc_new(&m);
	if (doc)
		json_object_set_new(doc, "profile", vp_profile_json(&in));
	free(dev);
	vp_result_free(&res);
	return doc;
}

json_t *vp_qemu_trace_doc(const char *path, char *err, size_t errlen)
{
	struct vp_qtrace_agg *agg = vp_qtrace_agg_new();
	struct vp_usdt_counts c;
	struct vp_trace_stats st;
	json_t *doc = NULL;

	if (!agg) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (vp_simple_trace_read(path, agg, &st, err, errlen))
		goto out;
	if (vp_qtrace_counts(agg, &c)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	doc = build(path, &st, &c, vp_qtrace_vcpus(agg));
	if (!doc)
		snprintf(err, errlen, "out of memory");
	vp_usdt_counts_free(&c);
out:
	vp_qtrace_agg_free(agg);
	return doc;
}
