// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer: any bytes through the recording reader and its replay.  The
 * first byte chooses: even, the bytes are a whole file (header, frames,
 * checksums); odd, they are one frame's records already decompressed, fed
 * to the replays, so mutations reach the record decoder and the state
 * machines (the kernel programs' and QEMU's probes') rather than dying at
 * a checksum.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "recording_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct replays {
	struct vp_replay *rp;
	struct vp_usdt_replay *ur;
};

static int to_replay(void *arg, const struct vp_replay_ev *ev)
{
	struct replays *r = arg;
	int ret = vp_replay_event(r->rp, ev);

	return ret ? ret : vp_usdt_replay_event(r->ur, ev);
}

static void usdt_counts(struct vp_usdt_replay *ur)
{
	struct vp_usdt_counts c;

	if (!vp_usdt_replay_counts(ur, &c))
		vp_usdt_counts_free(&c);
}

static void records(const uint8_t *data, size_t size)
{
	struct vp_replay_opts o = { .tgid = 100,
				    .vcpu_filter = data[0] & 2 ? 0 : -1,
				    .count_at_entry = data[0] & 4,
				    .stats_entries = 16,
				    .interval_s = 0.000001,
				    .nslowest = 4 };
	struct vp_rec_reader_cb cb = { .event = to_replay };
	struct vp_rec_read_info info = { 0 };
	struct replays rs = { vp_replay_new(&o), vp_usdt_replay_new() };
	struct vp_result r;
	size_t n;

	if (rs.rp && rs.ur) {
		vp_rec_decode(data + 1, size - 1, &cb, &rs, &info);
		vp_result_init(&r);
		vp_replay_result(rs.rp, &r);
		vp_replay_slowest(rs.rp, &n);
		vp_result_free(&r);
		usdt_counts(rs.ur);
	}
	vp_usdt_replay_free(rs.ur);
	vp_replay_free(rs.rp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp_recording rec;
	struct vp_result r;
	char err[256];
	size_t n;
	FILE *f;

	if (size < 2)
		return 0;
	if (data[0] & 1) {
		records(data, size);
		return 0;
	}
	f = fmemopen((void *)(data + 1), size - 1, "rb");
	if (!f)
		return 0;
	if (!vp_recording_load(f, &rec, err, sizeof(err))) {
		vp_result_init(&r);
		vp_replay_result(rec.rp, &r);
		vp_replay_slowest(rec.rp, &n);
		vp_result_free(&r);
		usdt_counts(rec.usdt);
		vp_recording_free(&rec);
	}
	fclose(f);
	return 0;
}
