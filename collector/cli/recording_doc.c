// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "recording_doc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "attr_sources.h"
#include "live_doc.h"
#include "qemu_memmap.h"
#include "recording.h"
#include "replay.h"
#include "vmexit_source.h"

struct reading {
	json_t *header;
	struct vp_replay *rp;
	struct vp_replay_opts ro;
	uint64_t lost[VP_REC_NTYPES];
	json_t *memmap; /* the last map recorded */
	json_t *end;	/* the recorder's END record; NULL when it was cut off */
	char *err;
	size_t errlen;
};

static int parse_programs(struct reading *rd, json_t *h)
{
	json_t *prog = json_object_get(h, "programs"), *marks;
	json_int_t pid = 0, filter = -1, entries = 0, start = 0;
	int cae = 0;
	double interval = 1;
	size_t i;
	json_t *m;

	if (json_unpack(h, "{s:{s:I}, s:{s:I}, s?F}", "target", "pid", &pid, "clock", "start_ns",
			&start, "interval_s", &interval) ||
	    json_unpack(prog, "{s:b, s:I, s:I, s:o}", "count_at_entry", &cae, "vcpu_filter",
			&filter, "stats_entries", &entries, "marker_ports", &marks) ||
	    pid <= 0 || entries <= 0 || entries > VP_MAX_STATS || !json_is_array(marks)) {
		snprintf(rd->err, rd->errlen, "recording header lacks its target or programs");
		return -EINVAL;
	}
	memset(&rd->ro, 0, sizeof(rd->ro));
	rd->ro.tgid = (uint32_t)pid;
	rd->ro.vcpu_filter = filter < 0 ? -1 : (int)filter;
	rd->ro.count_at_entry = cae;
	rd->ro.stats_entries = (uint32_t)entries;
	rd->ro.start_ns = (uint64_t)start;
	rd->ro.interval_s = interval > 0 ? interval : 1;
	rd->ro.nslowest = VP_RECORDING_SLOWEST;
	for (i = 0; i < VP_MARKER_SPANS; i++) {
		rd->ro.marker_ports[i].first = 1;
		rd->ro.marker_ports[i].last = 0; /* unused */
	}
	json_array_foreach (marks, i, m) {
		json_int_t f, l;

		if (i < VP_MARKER_SPANS && !json_unpack(m, "[I,I]", &f, &l)) {
			rd->ro.marker_ports[i].first = (uint16_t)f;
			rd->ro.marker_ports[i].last = (uint16_t)l;
		}
	}
	return 0;
}

static int on_header(void *arg, json_t *h)
{
	struct reading *rd = arg;
	int ret = parse_programs(rd, h);

	if (ret)
		return ret;
	rd->header = json_incref(h);
	rd->rp = vp_replay_new(&rd->ro);
	return rd->rp ? 0 : -ENOMEM;
}

static int on_event(void *arg, const struct vp_replay_ev *ev)
{
	struct reading *rd = arg;

	return vp_replay_event(rd->rp, ev);
}

static int on_meta(void *arg, enum vp_rec_meta kind, const uint8_t *data, size_t len)
{
	struct reading *rd = arg;
	json_t **slot = kind == VP_RECM_MEMMAP ? &rd->memmap : kind == VP_RECM_END ? &rd->end : NULL;
	size_t at = 0;

	if (kind == VP_RECM_LOST) {
		for (int t = 0; t < VP_REC_NTYPES; t++) {
			uint64_t v = 0;

			for (int shift = 0; at < len && shift < 64; shift += 7) {
				v |= (uint64_t)(data[at] & 0x7f) << shift;
				if (!(data[at++] & 0x80))
					break;
			}
			rd->lost[t] = v;
		}
		return 0;
	}
	if (slot) {
		json_t *j = json_loadb((const char *)data, len, 0, NULL);

		if (!json_is_object(j)) {
			json_decref(j);
			snprintf(rd->err, rd->errlen, "recording damaged: a record of QEMU's map or "
						      "of its end is not JSON");
			return -EINVAL;
		}
		json_decref(*slot);
		*slot = j;
	}
	return 0; /* a kind of a later version: skipped */
}

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
static void live_parts(const struct reading *rd, struct vp_target *t, struct vp_live *l,
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
	t->nr_vcpus = (int)json_integer_value(json_object_get(json_object_get(h, "target"), "vcpus"));
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
	snprintf(src->usdt_why, sizeof(src->usdt_why), "QEMU's probes are not recorded");
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

static json_t *build(struct reading *rd, const struct vp_rec_read_info *info, char *err,
		     size_t errlen)
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
	p.kvm = true;
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
			 info->end_at, info->truncated ? ", inside a frame" : "");
		p.notes[p.nnotes++] = cut;
	}
	if (dropped)
		p.notes[p.nnotes++] = "the recorder's ring buffer was full at times: the events "
				      "it dropped (meta.lost.record_dropped) are in no figure";
	p.notes[p.nnotes++] = "from a recording: devices named by QEMU's recorded memory map "
			      "or the legacy port table (QEMU's probes are not recorded)";
	doc = vp_live_doc(&p);
	if (!doc)
		snprintf(err, errlen, "out of memory");
	if (src.have_memmap)
		vp_memmap_free(&src.memmap);
	vp_result_free(&res);
	return doc;
}

json_t *vp_recording_doc(const char *path, char *err, size_t errlen)
{
	struct vp_rec_reader_cb cb = { on_header, on_event, on_meta };
	struct reading rd = { .err = err, .errlen = errlen };
	struct vp_rec_read_info info;
	FILE *f = fopen(path, "rb");
	json_t *doc = NULL;
	char why[256] = "";
	int ret;

	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	err[0] = '\0';
	ret = vp_rec_read(f, &cb, &rd, &info, why, sizeof(why));
	fclose(f);
	if (ret) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", path,
				 why[0] ? why : ret == -ENOMEM ? "out of memory" : strerror(-ret));
		else {
			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "%s: %s", path, why);
		}
	} else {
		doc = build(&rd, &info, err, errlen);
	}
	json_decref(rd.header);
	json_decref(rd.memmap);
	json_decref(rd.end);
	vp_replay_free(rd.rp);
	return doc;
}
