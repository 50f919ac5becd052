// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "recording.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "growbuf.h"

/* A frame is written once this many raw bytes are waiting. */
#define FRAME_TARGET (1u << 20)
#define FRAME_HEAD   16

int vp_rec_fields(uint8_t type, uint8_t flags)
{
	switch (type) {
	case VP_REC_EXIT:
	case VP_REC_PIO:
	case VP_REC_MMIO: return 3;
	case VP_REC_QEMU: return flags & VP_REC_F_NAME ? 1 : 3;
	case VP_REC_USER_EXIT:
	case VP_REC_MSR:
	case VP_REC_MSI: return 2;
	case VP_REC_ENTRY:
	case VP_REC_FAST_MMIO:
	case VP_REC_CPUID:
	case VP_REC_HYPERCALL:
	case VP_REC_IRQ:
	case VP_REC_THREAD: return 1;
	case VP_REC_RUN_ENTER:
		return (flags & VP_REC_F_VCPU ? 1 : 0) +
		       (flags & VP_REC_F_RUN ? 1 + VP_REC_RUN_UNION_WORDS : 0);
	case VP_REC_RUN_EXIT: return 0;
	default: return -1;
	}
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* ---- writing ---- */

struct vp_rec_writer {
	int fd;
	uint8_t *raw, *comp;
	size_t nraw, rawcap, compcap;
	uint64_t prev_ts;
	uint32_t prev_tid;
	bool have_tid;
	uint64_t lost[VP_REC_NTYPES];
	uint64_t events, bytes;
	int err; /* the first write error: later writes are not tried */
};

static int reserve(struct vp_rec_writer *w, size_t more)
{
	size_t need = w->nraw + more;

	if (need <= w->rawcap)
		return 0;
	while (w->rawcap < need)
		w->rawcap = w->rawcap ? w->rawcap * 2 : 2 * FRAME_TARGET;
	w->raw = realloc(w->raw, w->rawcap);
	return w->raw ? 0 : -ENOMEM;
}

/* LEB128 into buf (room for 10 bytes); the bytes written. */
static size_t varint_to(uint8_t *buf, uint64_t v)
{
	size_t n = 0;

	do {
		uint8_t b = v & 0x7f;

		v >>= 7;
		buf[n++] = b | (v ? 0x80 : 0);
	} while (v);
	return n;
}

static void put_varint(struct vp_rec_writer *w, uint64_t v)
{
	w->nraw += varint_to(w->raw + w->nraw, v);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vp_rec_writer_flush(struct vp_rec_writer *w)
{
	uLongf clen;
	int ret;

	if (w->err || !w->nraw)
		return w->err;
	clen = compressBound(w->nraw);
	if (clen + FRAME_HEAD > w->compcap) {
		free(w->comp);
		w->compcap = clen + FRAME_HEAD;
		w->comp = malloc(w->compcap);
		if (!w->comp)
			return w->err = -ENOMEM;
	}
	if (compress2(w->comp + FRAME_HEAD, &clen, w->raw, w->nraw, Z_BEST_SPEED) != Z_OK)
		return w->err = -ENOMEM;
	put_le32(w->comp, VP_REC_FRAME_MAGIC);
	put_le32(w->comp + 4, (uint32_t)w->nraw);
	put_le32(w->comp + 8, (uint32_t)clen);
	put_le32(w->comp + 12, (uint32_t)crc32(0, w->raw, w->nraw));
	/* One write: a recorder killed now leaves this frame whole or cut. */
	ret = write_all(w->fd, w->comp, FRAME_HEAD + clen);
	if (ret)
		return w->err = ret;
	w->bytes += FRAME_HEAD + clen;
	w->nraw = 0;
	w->have_tid = false;
	w->prev_ts = 0;
	return 0;
}

struct vp_rec_writer *vp_rec_writer_open(const char *path, const json_t *header, char *err,
					 size_t errlen)
{
	struct vp_rec_writer *w = calloc(1, sizeof(*w));
	char *text = json_dumps(header, JSON_COMPACT | JSON_SORT_KEYS);
	uint8_t head[16];
	int ret;

	if (!w || !text) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	memcpy(head, VP_REC_MAGIC, 8);
	put_le32(head + 8, VP_REC_VERSION);
	put_le32(head + 12, (uint32_t)strlen(text));
	ret = write_all(w->fd, head, sizeof(head));
	if (!ret)
		ret = write_all(w->fd, text, strlen(text));
	if (ret) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
		close(w->fd);
		goto fail;
	}
	w->bytes = sizeof(head) + strlen(text);
	free(text);
	return w;
fail:
	free(text);
	free(w);
	return NULL;
}

int vp_rec_writer_event(struct vp_rec_writer *w, const void *rec, size_t size)
{
	const struct vp_rec_ev *e = rec;
	const struct vp_rec_run *run = rec;
	const struct vp_rec_thread *th = rec;
	const struct vp_rec_name *nm = rec;
	int nf = size >= sizeof(*e) ? vp_rec_fields(e->type, e->flags) : -1;
	uint8_t tag;

	if (w->err)
		return w->err;
	if (nf < 0 || (e->type == VP_REC_RUN_ENTER && size < sizeof(*run)) ||
	    (e->type == VP_REC_THREAD && size < sizeof(*th)) ||
	    (e->type == VP_REC_QEMU && (e->flags & VP_REC_F_NAME) && size < sizeof(*nm)))
		return 0; /* not a record this version knows: the kernel side is ours */
	if (reserve(w, 1 + 10 * (2 + nf) + sizeof(nm->name)))
		return w->err = -ENOMEM;
	tag = e->type | (uint8_t)((e->flags & 3) << 4);
	if (w->have_tid && e->tid == w->prev_tid)
		tag |= VP_REC_TAG_SAME_TID;
	w->raw[w->nraw++] = tag;
	if (!(tag & VP_REC_TAG_SAME_TID))
		put_varint(w, e->tid);
	put_varint(w, zigzag((int64_t)(e->ts - w->prev_ts)));
	w->prev_ts = e->ts;
	w->prev_tid = e->tid;
	w->have_tid = true;
	if (e->type == VP_REC_RUN_ENTER) {
		if (e->flags & VP_REC_F_VCPU)
			put_varint(w, e->a[0]);
		if (e->flags & VP_REC_F_RUN) {
			put_varint(w, e->a[1]);
			for (int i = 0; i < VP_REC_RUN_UNION_WORDS; i++)
				put_varint(w, run->u[i]);
		}
	} else {
		for (int i = 0; i < nf; i++)
			put_varint(w, e->a[i]);
	}
	if (e->type == VP_REC_THREAD) {
		memcpy(w->raw + w->nraw, th->comm, sizeof(th->comm));
		w->nraw += sizeof(th->comm);
	} else if (e->type == VP_REC_QEMU && (e->flags & VP_REC_F_NAME)) {
		memcpy(w->raw + w->nraw, nm->name, sizeof(nm->name));
		w->nraw += sizeof(nm->name);
	}
	w->events++;
	return w->nraw >= FRAME_TARGET ? vp_rec_writer_flush(w) : 0;
}

int vp_rec_writer_meta(struct vp_rec_writer *w, enum vp_rec_meta kind, const void *data, size_t len)
{
	if (w->err)
		return w->err;
	if (reserve(w, 11 + len))
		return w->err = -ENOMEM;
	w->raw[w->nraw++] = (uint8_t)kind;
	put_varint(w, len);
	memcpy(w->raw + w->nraw, data, len);
	w->nraw += len;
	return w->nraw >= FRAME_TARGET ? vp_rec_writer_flush(w) : 0;
}

int vp_rec_writer_lost(struct vp_rec_writer *w, const uint64_t lost[VP_REC_NTYPES])
{
	uint8_t buf[10 * VP_REC_NTYPES];
	size_t n = 0;

	if (!memcmp(w->lost, lost, sizeof(w->lost)))
		return 0;
	memcpy(w->lost, lost, sizeof(w->lost));
	for (int t = 0; t < VP_REC_NTYPES; t++)
		n += varint_to(buf + n, lost[t]);
	return vp_rec_writer_meta(w, VP_RECM_LOST, buf, n);
}

int vp_rec_writer_close(struct vp_rec_writer *w, uint64_t *bytes)
{
	int ret = vp_rec_writer_flush(w);

	if (bytes)
		*bytes = w->bytes;
	if (fsync(w->fd) && !ret && errno != EINVAL)
		ret = -errno;
	if (close(w->fd) && !ret)
		ret = -errno;
	free(w->raw);
	free(w->comp);
	free(w);
	return ret;
}

uint64_t vp_rec_writer_events(const struct vp_rec_writer *w)
{
	return w->events;
}

/* ---- reading ---- */

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
			memset(&ev, 0, sizeof(ev));
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
	uint8_t head[FRAME_HEAD], *comp = NULL, *raw = NULL;
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
