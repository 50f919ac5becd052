// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "simple_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "growbuf.h"

#define ST_HEADER_ID  0xffffffffffffffffULL
#define ST_MAGIC      0xf2b177cb0aa429b4ULL
#define ST_VERSION    4
#define ST_DROPPED_ID 0xfffffffffffffffeULL
#define ST_MAPPING    0
#define ST_EVENT      1
#define ST_REC_HEADER 24 /* event id, timestamp, length, pid */

/* QEMU numbers its events from 0: ids below this are found by index, as a
 * file names every event QEMU has (thousands) and each record has one. */
#define ST_DENSE_IDS 65536

/* Event ids are the file's own, named by its mapping records. */
struct id_map {
	uint64_t id;
	const struct vp_qemu_event *e; /* NULL: not in the catalogue */
	int16_t nargs;		       /* e's, worked out once: a record's are */
	uint16_t strings;	       /* decoded by them: bit i, argument i is a string */
};

struct rec {
	uint64_t ts;
	size_t off;		       /* of the record header */
	const struct vp_qemu_event *e; /* as the id was named when it came */
	int16_t nargs;
	uint16_t strings;
};

struct parser {
	const uint8_t *p;
	size_t len, pos;
	struct id_map *ids;
	size_t nids, ids_cap;
	uint32_t *slot; /* by id below ST_DENSE_IDS: its index in ids + 1, 0: none */
	struct rec *recs;
	size_t nrecs, recs_cap;
};

static bool take(struct parser *ps, void *out, size_t n)
{
	if (ps->len - ps->pos < n)
		return false;
	memcpy(out, ps->p + ps->pos, n);
	ps->pos += n;
	return true;
}

static const struct id_map *id_find(const struct parser *ps, uint64_t id)
{
	if (id < ST_DENSE_IDS)
		return ps->slot && ps->slot[id] ? &ps->ids[ps->slot[id] - 1] : NULL;
	for (size_t i = ps->nids; i-- > 0;)
		if (ps->ids[i].id == id)
			return &ps->ids[i];
	return NULL;
}

static int mapping(struct parser *ps)
{
	char name[128];
	uint64_t id;
	uint32_t n;
	struct id_map *m;

	if (!take(ps, &id, sizeof(id)) || !take(ps, &n, sizeof(n)) || ps->len - ps->pos < n)
		return -EAGAIN;
	snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1),
		 (const char *)ps->p + ps->pos);
	ps->pos += n;
	if (!(m = (struct id_map *)id_find(ps, id))) {
		if (id < ST_DENSE_IDS && !ps->slot &&
		    !(ps->slot = calloc(ST_DENSE_IDS, sizeof(*ps->slot))))
			return -ENOMEM;
		if (vp_grow((void **)&ps->ids, ps->nids, &ps->ids_cap, sizeof(*m), 64))
			return -ENOMEM;
		m = &ps->ids[ps->nids++];
		m->id = id;
		if (id < ST_DENSE_IDS)
			ps->slot[id] = (uint32_t)ps->nids;
	}
	m->e = vp_qemu_event_find(name);
	m->nargs = (int16_t)(m->e ? vp_qemu_event_nargs(m->e) : 0);
	m->strings = 0;
	for (int i = 0; i < m->nargs && i < VP_TRACE_MAX_ARGS; i++)
		if (vp_qemu_event_arg_is_string(m->e, i))
			m->strings |= (uint16_t)(1u << i);
	return 0;
}

/* Decodes a record's arguments as its event declares them: strings as a
 * length and their bytes, everything else as 8 bytes.  false: they overrun
 * the record. */
static bool decode(const uint8_t *p, size_t len, const struct rec *r, struct vp_trace_arg *args,
		   int *nargs)
{
	int n = r->nargs;
	size_t pos = 0;

	if (n > VP_TRACE_MAX_ARGS)
		return false;
	for (int i = 0; i < n; i++) {
		memset(&args[i], 0, sizeof(args[i]));
		if (r->strings & (1u << i)) {
			uint32_t sl;

			if (len - pos < sizeof(sl))
				return false;
			memcpy(&sl, p + pos, sizeof(sl));
			pos += sizeof(sl);
			if (len - pos < sl)
				return false;
			args[i].s = (const char *)p + pos;
			args[i].slen = sl;
			pos += sl;
		} else {
			if (len - pos < 8)
				return false;
			memcpy(&args[i].v, p + pos, 8);
			pos += 8;
		}
	}
	*nargs = n;
	return true;
}

/* One event record: counted, and kept for the aggregate if it is one of
 * the catalogue's.  -EAGAIN: the file ends inside it. */
static int event(struct parser *ps, struct vp_trace_stats *st)
{
	size_t off = ps->pos;
	uint64_t id, ts;
	uint32_t length, pid;
	const struct id_map *m;

	if (!take(ps, &id, 8) || !take(ps, &ts, 8) || !take(ps, &length, 4) || !take(ps, &pid, 4))
		return -EAGAIN;
	if (length < ST_REC_HEADER)
		return -EPROTO;
	if (ps->len - off < length)
		return -EAGAIN;
	ps->pos = off + length;
	st->pid = pid;
	if (id == ST_DROPPED_ID) {
		uint64_t n = 0;

		if (length >= ST_REC_HEADER + 8)
			memcpy(&n, ps->p + off + ST_REC_HEADER, 8);
		st->dropped += n;
		return 0;
	}
	st->records++;
	if (!st->first_ns || ts < st->first_ns)
		st->first_ns = ts;
	if (ts > st->last_ns)
		st->last_ns = ts;
	if (!(m = id_find(ps, id))) {
		st->unmapped++;
		return 0;
	}
	if (!m->e)
		return 0;
	if (ps->nrecs && ts < ps->recs[ps->nrecs - 1].ts)
		st->reordered = true;
	if (vp_grow((void **)&ps->recs, ps->nrecs, &ps->recs_cap, sizeof(struct rec), 4096))
		return -ENOMEM;
	ps->recs[ps->nrecs++] = (struct rec){ ts, off, m->e, m->nargs, m->strings };
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* equal times keep the file's order */
	return x->off < y->off ? -1 : x->off > y->off;
}

static int feed(struct parser *ps, struct vp_qtrace_agg *agg, struct vp_trace_stats *st)
{
	struct vp_trace_arg args[VP_TRACE_MAX_ARGS];

	/* Threads take their timestamp before their place in QEMU's buffer,
	 * so records of several threads can be slightly out of order. */
	if (st->reordered)
		qsort(ps->recs, ps->nrecs, sizeof(*ps->recs), by_time);
	for (size_t i = 0; i < ps->nrecs; i++) {
		const struct rec *r = &ps->recs[i];
		uint32_t length;
		int n;

		memcpy(&length, ps->p + r->off + 16, sizeof(length));
		if (!decode(ps->p + r->off + ST_REC_HEADER, length - ST_REC_HEADER, r, args, &n))
			continue; /* not as the catalogue declares it: another QEMU */
		if (vp_qtrace_feed(agg, r->e, args, n) == -ENOMEM)
			return -ENOMEM;
		st->used++;
	}
	return 0;
}

int vp_simple_trace_parse(const uint8_t *buf, size_t len, struct vp_qtrace_agg *agg,
			  struct vp_trace_stats *st, char *err, size_t errlen)
{
	struct parser ps = { .p = buf, .len = len };
	uint64_t head[3];
	int ret = 0;

	memset(st, 0, sizeof(*st));
	st->kind = VP_TRACE_SIMPLE;
	if (!take(&ps, head, sizeof(head)) || head[0] != ST_HEADER_ID || head[1] != ST_MAGIC) {
		snprintf(err, errlen, "not a QEMU simple trace file (no simple-trace header)");
		return -EPROTO;
	}
	if (head[2] != ST_VERSION) {
		snprintf(err, errlen,
			 "QEMU simple trace format %llu, not %d (the one this QEMU writes)",
			 (unsigned long long)head[2], ST_VERSION);
		return -EPROTO;
	}
	while (ps.pos < ps.len) {
		size_t start = ps.pos;
		uint64_t type;

		if (!take(&ps, &type, sizeof(type))) {
			ret = -EAGAIN;
		} else if (type == ST_MAPPING) {
			ret = mapping(&ps);
		} else if (type == ST_EVENT) {
			ret = event(&ps, st);
		} else {
			ret = -EPROTO;
		}
		if (ret == -EAGAIN || ret == -EPROTO) {
			/* What follows cannot be read: keep what came before. */
			st->truncated = true;
			ps.pos = start;
			ret = 0;
			break;
		}
		if (ret)
			break;
	}
	st->valid_bytes = ps.pos;
	if (!ret)
		ret = feed(&ps, agg, st);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory reading the trace");
	free(ps.ids);
	free(ps.slot);
	free(ps.recs);
	return ret;
}

int vp_simple_trace_read(const char *path, struct vp_qtrace_agg *agg, struct vp_trace_stats *st,
			 char *err, size_t errlen)
{
	struct stat sb;
	void *map = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0 || fstat(fd, &sb)) {
		ret = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-ret));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (sb.st_size > 0) {
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			ret = -errno;
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(-ret));
			close(fd);
			return ret;
		}
	}
	close(fd);
	ret = vp_simple_trace_parse(map, (size_t)sb.st_size, agg, st, err, errlen);
	if (map)
		munmap(map, (size_t)sb.st_size);
	return ret;
}
