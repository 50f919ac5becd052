// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "recording.h"
#include "recording_int.h"

bool vp_rec_is_recording(FILE *f)
{
	char magic[8];
	bool yes = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
		   !memcmp(magic, VP_REC_MAGIC, sizeof(magic));

	rewind(f);
	return yes;
}

struct cursor {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t get_varint(struct cursor *c)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (c->p >= c->end) {
			c->bad = true;
			return 0;
		}
		b = *c->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

int vp_rec_decode(const uint8_t *raw, size_t n, const struct vp_rec_reader_cb *cb, void *arg,
		  struct vp_rec_read_info *info)
{
	struct cursor c = { raw, raw + n, false };
	struct vp_replay_ev ev = { 0 };
	uint64_t ts = 0;
	uint32_t tid = 0;
	bool have_tid = false;

	while (c.p < c.end) {
		uint8_t tag = *c.p++;
		int ret = 0;

		if (tag & 0x80) {
			uint64_t len = get_varint(&c);

			if (c.bad || len > (uint64_t)(c.end - c.p))
				return -EINVAL;
			if (tag == VP_RECM_LOST) {
				struct cursor l = { c.p, c.p + len, false };
				uint64_t lost[VP_REC_NTYPES];

				/* a short record (an older recorder's) leaves the rest 0 */
				for (int t = 0; t < VP_REC_NTYPES; t++)
					lost[t] = get_varint(&l);
				if (cb->lost)
					ret = cb->lost(arg, lost);
			} else if (cb->meta) {
				ret = cb->meta(arg, (enum vp_rec_meta)tag, c.p, len);
			}
			c.p += len;
			if (tag == VP_RECM_END)
				info->ended = true;
		} else {
			uint8_t type = tag & 0x0f, flags = (tag >> 4) & 3;
			int nf = vp_rec_fields(type, flags);
			uint64_t f[8] = { 0 };

			if (nf < 0)
				return -EINVAL;
			if (!(tag & VP_REC_TAG_SAME_TID)) {
				tid = (uint32_t)get_varint(&c);
				have_tid = true;
			} else if (!have_tid) {
				return -EINVAL;
			}
			ts += (uint64_t)unzigzag(get_varint(&c));
			for (int i = 0; i < nf; i++)
				f[i] = get_varint(&c);
			if (c.bad)
				return -EINVAL;
			/* The names are copied only into the records that carry
			 * them and read only from those: clearing them for every
			 * record shows in the reader's speed. */
			memset(ev.a, 0, sizeof(ev.a));
			memset(ev.u, 0, sizeof(ev.u));
			ev.type = type;
			ev.flags = flags;
			ev.tid = tid;
			ev.ts = ts;
			if (type == VP_REC_RUN_ENTER) {
				int i = 0;

				if (flags & VP_REC_F_VCPU)
					ev.a[0] = f[i++];
				if (flags & VP_REC_F_RUN) {
					ev.a[1] = f[i++];
					for (int w = 0; w < VP_REC_RUN_UNION_WORDS; w++)
						ev.u[w] = f[i++];
				}
			} else {
				for (int i = 0; i < nf && i < 3; i++)
					ev.a[i] = f[i];
			}
			if (type == VP_REC_THREAD) {
				if (c.end - c.p < (ptrdiff_t)sizeof(ev.comm))
					return -EINVAL;
				memcpy(ev.comm, c.p, sizeof(ev.comm));
				c.p += sizeof(ev.comm);
			} else if (type == VP_REC_QEMU && (flags & VP_REC_F_NAME)) {
				if (c.end - c.p < (ptrdiff_t)sizeof(ev.name))
					return -EINVAL;
				memcpy(ev.name, c.p, sizeof(ev.name));
				c.p += sizeof(ev.name);
			}
			info->events++;
			if (cb->event)
				ret = cb->event(arg, &ev);
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int read_header(FILE *f, const struct vp_rec_reader_cb *cb, void *arg, uint64_t *at,
		       char *err, size_t errlen)
{
	uint8_t head[16];
	uint32_t version, len;
	json_error_t jerr;
	char *text;
	json_t *h;
	int ret = 0;

	if (fread(head, 1, sizeof(head), f) != sizeof(head) || memcmp(head, VP_REC_MAGIC, 8)) {
		snprintf(err, errlen, "not a vmexit-prof recording");
		return -EINVAL;
	}
	version = get_le32(head + 8);
	len = get_le32(head + 12);
	if (version != VP_REC_VERSION) {
		snprintf(err, errlen,
			 "recording format version %u; this vmexit-prof reads version %d", version,
			 VP_REC_VERSION);
		return -EINVAL;
	}
	if (len > VP_REC_HEADER_MAX || !(text = malloc(len ? len : 1))) {
		snprintf(err, errlen, "recording header of %u bytes is damaged", len);
		return -EINVAL;
	}
	if (fread(text, 1, len, f) != len) {
		snprintf(err, errlen, "the recording ends inside its header");
		free(text);
		return -EINVAL;
	}
	h = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!json_is_object(h)) {
		snprintf(err, errlen, "recording header is not a JSON object");
		json_decref(h);
		return -EINVAL;
	}
	if (cb->header)
		ret = cb->header(arg, h);
	json_decref(h);
	*at = sizeof(head) + len;
	return ret;
}

int vp_rec_read(FILE *f, const struct vp_rec_reader_cb *cb, void *arg,
		struct vp_rec_read_info *info, char *err, size_t errlen)
{
	uint8_t head[VP_REC_FRAME_HEAD], *comp = NULL, *raw = NULL;
	uint64_t at;
	int ret;

	memset(info, 0, sizeof(*info));
	rewind(f);
	ret = read_header(f, cb, arg, &at, err, errlen);
	if (ret)
		return ret;
	info->end_at = at;
	for (;;) {
		size_t got = fread(head, 1, sizeof(head), f);
		uint32_t rawlen, clen;
		uLongf outlen;

		if (!got)
			break;
		if (got < sizeof(head)) {
			info->truncated = true;
			break;
		}
		rawlen = get_le32(head + 4);
		clen = get_le32(head + 8);
		if (get_le32(head) != VP_REC_FRAME_MAGIC || rawlen > VP_REC_FRAME_MAX ||
		    clen > compressBound(VP_REC_FRAME_MAX)) {
			snprintf(err, errlen, "recording damaged at byte %llu: not a frame",
				 (unsigned long long)at);
			ret = -EINVAL;
			break;
		}
		free(comp);
		free(raw);
		comp = malloc(clen ? clen : 1);
		raw = malloc(rawlen ? rawlen : 1);
		if (!comp || !raw) {
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
			break;
		}
		if (fread(comp, 1, clen, f) != clen) {
			info->truncated = true;
			break;
		}
		outlen = rawlen;
		if (uncompress(raw, &outlen, comp, clen) != Z_OK || outlen != rawlen ||
		    (uint32_t)crc32(0, raw, rawlen) != get_le32(head + 12)) {
			snprintf(err, errlen,
				 "recording damaged at byte %llu: a frame fails its check",
				 (unsigned long long)at);
			ret = -EINVAL;
			break;
		}
		ret = vp_rec_decode(raw, rawlen, cb, arg, info);
		if (ret == -EINVAL)
			snprintf(err, errlen,
				 "recording damaged at byte %llu: a record is malformed",
				 (unsigned long long)at);
		if (ret)
			break;
		at += sizeof(head) + clen;
		info->end_at = at;
		info->frames++;
	}
	free(comp);
	free(raw);
	return ret;
}
