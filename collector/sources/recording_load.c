// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "recording_load.h"

#include <errno.h>
#include <string.h>

struct reading {
	struct vp_recording *rec;
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
	memset(&rd->rec->ro, 0, sizeof(rd->rec->ro));
	rd->rec->ro.tgid = (uint32_t)pid;
	rd->rec->ro.vcpu_filter = filter < 0 ? -1 : (int)filter;
	rd->rec->ro.count_at_entry = cae;
	rd->rec->ro.stats_entries = (uint32_t)entries;
	rd->rec->ro.start_ns = (uint64_t)start;
	rd->rec->ro.interval_s = interval > 0 ? interval : 1;
	rd->rec->ro.nslowest = VP_RECORDING_SLOWEST;
	for (i = 0; i < VP_MARKER_SPANS; i++) {
		rd->rec->ro.marker_ports[i].first = 1;
		rd->rec->ro.marker_ports[i].last = 0; /* unused */
	}
	json_array_foreach (marks, i, m) {
		json_int_t f, l;

		if (i < VP_MARKER_SPANS && !json_unpack(m, "[I,I]", &f, &l)) {
			rd->rec->ro.marker_ports[i].first = (uint16_t)f;
			rd->rec->ro.marker_ports[i].last = (uint16_t)l;
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
	rd->rec->header = json_incref(h);
	rd->rec->rp = vp_replay_new(&rd->rec->ro);
	rd->rec->usdt = vp_usdt_replay_new();
	return rd->rec->rp && rd->rec->usdt ? 0 : -ENOMEM;
}

static int on_event(void *arg, const struct vp_replay_ev *ev)
{
	struct reading *rd = arg;

	if (ev->type == VP_REC_QEMU)
		return vp_usdt_replay_event(rd->rec->usdt, ev);
	return vp_replay_event(rd->rec->rp, ev);
}

static int on_lost(void *arg, const uint64_t lost[VP_REC_NTYPES])
{
	struct reading *rd = arg;

	memcpy(rd->rec->lost, lost, sizeof(rd->rec->lost));
	return 0;
}

static int on_meta(void *arg, enum vp_rec_meta kind, const uint8_t *data, size_t len)
{
	struct reading *rd = arg;
	json_t **slot = kind == VP_RECM_MEMMAP ? &rd->rec->memmap
			: kind == VP_RECM_END  ? &rd->rec->end
					       : NULL;
	json_t *j;
	int ret = 0;

	if (!slot && kind != VP_RECM_VDEV)
		return 0; /* a kind of a later version: skipped */
	j = json_loadb((const char *)data, len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(rd->err, rd->errlen,
			 "recording damaged: a record of QEMU's map, devices or of its end is "
			 "not JSON");
		return -EINVAL;
	}
	if (slot) {
		json_decref(*slot);
		*slot = j;
		return 0;
	}
	if (json_is_integer(json_object_get(j, "vdev")) &&
	    json_is_string(json_object_get(j, "name")))
		ret = vp_usdt_replay_vdev(rd->rec->usdt,
					  (uint64_t)json_integer_value(json_object_get(j, "vdev")),
					  json_string_value(json_object_get(j, "name")));
	json_decref(j);
	return ret;
}

int vp_recording_load(FILE *f, struct vp_recording *rec, char *err, size_t errlen)
{
	struct vp_rec_reader_cb cb = { on_header, on_event, on_lost, on_meta };
	struct reading rd = { .rec = rec, .err = err, .errlen = errlen };
	char why[256] = "";
	int ret;

	memset(rec, 0, sizeof(*rec));
	err[0] = '\0';
	ret = vp_rec_read(f, &cb, &rd, &rec->info, why, sizeof(why));
	if (ret && !err[0])
		snprintf(err, errlen, "%s",
			 why[0]		  ? why
			 : ret == -ENOMEM ? "out of memory"
					  : strerror(-ret));
	if (ret)
		vp_recording_free(rec);
	return ret;
}

void vp_recording_free(struct vp_recording *rec)
{
	json_decref(rec->header);
	json_decref(rec->memmap);
	json_decref(rec->end);
	vp_usdt_replay_free(rec->usdt);
	vp_replay_free(rec->rp);
	memset(rec, 0, sizeof(*rec));
}
