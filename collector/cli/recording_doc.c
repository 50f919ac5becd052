// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "recording_doc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "attr_sources.h"
#include "live_doc.h"
#include "qemu_memmap.h"
#include "recording_load.h"
#include "vmexit_source.h"

bool vp_is_recording(const char *path)
{
	FILE *f = fopen(path, "rb");
	bool yes = f && vp_rec_is_recording(f);

	if (f)
		fclose(f);
	return yes;
}

static const char *str_of(json_t *o, const char *path1, const char *path2)
{
	const char *s = json_string_value(json_object_get(json_object_get(o, path1), path2));

	return s ? s : "";
}

/* The parts a live profile had, as the recording kept them. */
static void live_parts(const struct vp_recording *rd, struct vp_target *t, struct vp_live *l,
		       struct vp_attr_sources *src)
{
	json_t *h = rd->header, *prog = json_object_get(h, "programs");
	char why[256];

	memset(t, 0, sizeof(*t));
	t->pid = (int)rd->ro.tgid;
	snprintf(t->comm, sizeof(t->comm), "%s", str_of(h, "target", "comm"));
	snprintf(t->exe, sizeof(t->exe), "%s", str_of(h, "target", "exe"));
	snprintf(t->name, sizeof(t->name), "%s", str_of(h, "target", "name"));
	snprintf(t->uuid, sizeof(t->uuid), "%s", str_of(h, "target", "uuid"));
	t->nr_vcpus =
		(int)json_integer_value(json_object_get(json_object_get(h, "target"), "vcpus"));
	memset(l, 0, sizeof(*l));
	if (vp_run_hook_parse(str_of(h, "programs", "kvm_run_hook"), &l->hook))
		l->hook = VP_RUN_HOOK_NONE;
	if (vp_tp_flavour_parse(str_of(h, "programs", "kvm_tracepoints"), &l->flavour))
		l->flavour = VP_TP_CLASSIC;
	snprintf(l->missing, sizeof(l->missing), "%s",
		 json_string_value(json_object_get(prog, "missing")) ?: "");
	snprintf(l->fentry_why, sizeof(l->fentry_why), "%s",
		 json_string_value(json_object_get(prog, "fentry_why")) ?: "");
	memset(src, 0, sizeof(*src));
	src->pid = t->pid;
	if (json_is_true(json_object_get(json_object_get(h, "qemu_probes"), "attached")) &&
	    !vp_usdt_replay_counts(rd->usdt, &src->counts)) {
		src->have_counts = src->have_usdt = true;
		snprintf(src->usdt.missing, sizeof(src->usdt.missing), "%s",
			 str_of(h, "qemu_probes", "missing"));
	} else {
		snprintf(src->usdt_why, sizeof(src->usdt_why), "%s",
			 str_of(h, "qemu_probes", "why")[0] ? str_of(h, "qemu_probes", "why")
							    : "QEMU's probes were not recorded");
	}
	if (!rd->memmap) {
		snprintf(src->qmp_why, sizeof(src->qmp_why), "QEMU's memory map was not recorded");
		return;
	}
	snprintf(src->qmp_path, sizeof(src->qmp_path), "%s",
		 json_string_value(json_object_get(rd->memmap, "qmp")) ?: "");
	if (vp_memmap_from_answers(&src->memmap,
				   json_string_value(json_object_get(rd->memmap, "mtree")) ?: "",
				   json_object_get(rd->memmap, "pci"), why, sizeof(why))) {
		vp_memmap_free(&src->memmap);
		memset(&src->memmap, 0, sizeof(src->memmap));
		snprintf(src->qmp_why, sizeof(src->qmp_why), "the recorded map: %s", why);
		return;
	}
	src->have_memmap = true;
}

static json_t *build(struct vp_recording *rd, char *err, size_t errlen)
{
	static struct vp_target t; /* large: off the stack */
	struct vp_attr_sources src;
	struct vp_result res;
	struct vp_live l;
	char cut[160];
	uint64_t dropped = 0;
	const char *ended = json_string_value(json_object_get(rd->end, "ended"));
	json_t *doc = NULL;
	struct vp_live_parts p;

	for (int i = 0; i < VP_REC_NTYPES; i++)
		dropped += rd->lost[i];
	vp_result_init(&res);
	if (vp_replay_result(rd->rp, &res)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	live_parts(rd, &t, &l, &src);
	vp_live_meta(&res.meta, &t);
	if (rd->end)
		res.meta.duration_s = json_number_value(json_object_get(rd->end, "duration_s"));
	else if (vp_replay_last_ns(rd->rp) > rd->ro.start_ns)
		res.meta.duration_s = (double)(vp_replay_last_ns(rd->rp) - rd->ro.start_ns) / 1e9;
	res.meta.target_exited = ended && !strcmp(ended, "target exited");
	memset(&p, 0, sizeof(p));
	p.target = &t;
	/* A QEMU without KVM was recorded by its probes alone. */
	p.kvm = strcmp(json_string_value(json_object_get(rd->header, "accelerator")) ?: "kvm",
		       "tcg");
	p.live = &l;
	p.src = &src;
	p.res = &res;
	p.tl = vp_replay_timeline(rd->rp);
	p.version = str_of(rd->header, "qemu", "version");
	p.source = "recording";
	p.host = json_object_get(rd->header, "host");
	p.dropped = dropped;
	p.slow = vp_replay_slowest(rd->rp, &p.nslow);
	if (!rd->end) {
		snprintf(cut, sizeof(cut),
			 "the recording stops at byte %" PRIu64 "%s: the recorder did not finish "
			 "(killed?); this is what it had written",
			 rd->info.end_at, rd->info.truncated ? ", inside a frame" : "");
		p.notes[p.nnotes++] = cut;
	}
	if (dropped)
		p.notes[p.nnotes++] = "the recorder's ring buffer was full at times: the events "
				      "it dropped (meta.lost.record_dropped) are in no figure";
	if (!src.have_counts)
		p.notes[p.nnotes++] = "from a recording without QEMU's probe events: devices named "
				      "by QEMU's recorded memory map or the legacy port table";
	doc = vp_live_doc(&p);
	if (!doc)
		snprintf(err, errlen, "out of memory");
	if (src.have_memmap)
		vp_memmap_free(&src.memmap);
	if (src.have_counts)
		vp_usdt_counts_free(&src.counts);
	vp_result_free(&res);
	return doc;
}

json_t *vp_recording_doc(const char *path, char *err, size_t errlen)
{
	struct vp_recording rec;
	FILE *f = fopen(path, "rb");
	json_t *doc = NULL;
	char why[256];

	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (vp_recording_load(f, &rec, why, sizeof(why)))
		snprintf(err, errlen, "%s: %s", path, why);
	else
		doc = build(&rec, err, errlen);
	fclose(f);
	vp_recording_free(&rec);
	return doc;
}
