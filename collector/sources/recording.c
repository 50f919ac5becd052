// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "recording.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "recording_int.h"

/* A frame is written once this many raw bytes are waiting. */
#define FRAME_TARGET (1u << 20)

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
	if (clen + VP_REC_FRAME_HEAD > w->compcap) {
		free(w->comp);
		w->compcap = clen + VP_REC_FRAME_HEAD;
		w->comp = malloc(w->compcap);
		if (!w->comp)
			return w->err = -ENOMEM;
	}
	if (compress2(w->comp + VP_REC_FRAME_HEAD, &clen, w->raw, w->nraw, Z_BEST_SPEED) != Z_OK)
		return w->err = -ENOMEM;
	put_le32(w->comp, VP_REC_FRAME_MAGIC);
	put_le32(w->comp + 4, (uint32_t)w->nraw);
	put_le32(w->comp + 8, (uint32_t)clen);
	put_le32(w->comp + 12, (uint32_t)crc32(0, w->raw, w->nraw));
	/* One write: a recorder killed now leaves this frame whole or cut. */
	ret = write_all(w->fd, w->comp, VP_REC_FRAME_HEAD + clen);
	if (ret)
		return w->err = ret;
	w->bytes += VP_REC_FRAME_HEAD + clen;
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
