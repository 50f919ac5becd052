// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ust_trace.h"

#include <babeltrace2/babeltrace.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "growbuf.h"

#define UST_PREFIX    "qemu:"
#define UST_MAX_DEPTH 16 /* an LTTng session's tree is ust/pid/NAME or ust/uid/U/64-bit */

enum arg_kind { K_UINT, K_SINT, K_BOOL, K_STR };

/* What an event class is to the reader, worked out once: every event of
 * a class has its payload laid out alike. */
struct cls {
	const bt_event_class *ec;
	const struct vp_qemu_event *e; /* NULL: not the catalogue's */
	bool qemu;		       /* named qemu:*, catalogue's or not */
	bool usable;		       /* its payload is as the catalogue declares */
	int nargs;
	uint64_t idx[VP_TRACE_MAX_ARGS]; /* payload member of each argument */
	enum arg_kind kind[VP_TRACE_MAX_ARGS];
	int64_t vpid_member; /* in the common context; -1: none */
	int64_t env_vpid;    /* the trace's own (per-process buffers); -1: none */
};

struct reader {
	struct vp_qtrace_agg *agg;
	struct vp_trace_stats *st;
	bt_message_iterator *it;
	struct cls *cls; /* open addressing, by event class */
	size_t ncls, cls_cap;
	bool have_pid;
	uint64_t qemu_events; /* named qemu:*, of any process */
	int err;
};

struct dirs {
	char **v;
	size_t n, cap;
};

static int add_dir(struct dirs *d, const char *path)
{
	char *s = strdup(path);

	if (!s || vp_grow((void **)&d->v, d->n, &d->cap, sizeof(*d->v), 8)) {
		free(s);
		return -ENOMEM;
	}
	d->v[d->n++] = s;
	return 0;
}

/* Every directory under path holding a `metadata` file: one CTF trace each. */
static int find_traces(const char *path, int depth, struct dirs *d)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return depth ? 0 : -errno;
	while (!ret && (de = readdir(dir))) {
		char sub[4096];
		struct stat sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub) ||
		    lstat(sub, &sb))
			continue;
		if (S_ISREG(sb.st_mode) && !strcmp(de->d_name, "metadata"))
			ret = add_dir(d, path);
		else if (S_ISDIR(sb.st_mode) && depth < UST_MAX_DEPTH)
			ret = find_traces(sub, depth + 1, d);
	}
	closedir(dir);
	return ret;
}

static int64_t member_index(const bt_field_class *st, const char *name)
{
	uint64_t n;

	if (!st || bt_field_class_get_type(st) != BT_FIELD_CLASS_TYPE_STRUCTURE)
		return -1;
	n = bt_field_class_structure_get_member_count(st);
	for (uint64_t i = 0; i < n; i++) {
		const bt_field_class_structure_member *m =
			bt_field_class_structure_borrow_member_by_index_const(st, i);

		if (!strcmp(bt_field_class_structure_member_get_name(m), name))
			return (int64_t)i;
	}
	return -1;
}

static bool kind_of(const bt_field_class *fc, bool want_string, enum arg_kind *k)
{
	bt_field_class_type t = bt_field_class_get_type(fc);

	if (want_string) {
		*k = K_STR;
		return t == BT_FIELD_CLASS_TYPE_STRING;
	}
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER))
		*k = K_SINT;
	else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER))
		*k = K_UINT;
	else if (t == BT_FIELD_CLASS_TYPE_BOOL)
		*k = K_BOOL;
	else
		return false;
	return true;
}

static int64_t env_vpid(const bt_stream *s)
{
	const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(
		bt_stream_borrow_trace_const(s), "vpid");

	return v && bt_value_is_signed_integer(v) ? bt_value_integer_signed_get(v) : -1;
}

/* Maps the catalogue's arguments, by name, to the payload's members. */
static void map_args(struct cls *c)
{
	const bt_field_class *pl = bt_event_class_borrow_payload_field_class_const(c->ec);
	int n = vp_qemu_event_nargs(c->e);
	char name[64];

	if (n > VP_TRACE_MAX_ARGS)
		return;
	for (int i = 0; i < n; i++) {
		int64_t m;

		if (!vp_qemu_event_arg_name(c->e, i, name, sizeof(name)) ||
		    (m = member_index(pl, name)) < 0)
			return;
		c->idx[i] = (uint64_t)m;
		if (!kind_of(bt_field_class_structure_member_borrow_field_class_const(
				     bt_field_class_structure_borrow_member_by_index_const(pl, m)),
			     vp_qemu_event_arg_is_string(c->e, i), &c->kind[i]))
			return;
	}
	c->nargs = n;
	c->usable = true;
}

static void cls_init(struct cls *c, const bt_event_class *ec, const bt_event *ev)
{
	const char *name = bt_event_class_get_name(ec);
	const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(ec);

	*c = (struct cls){ .ec = ec };
	c->vpid_member = member_index(
		bt_stream_class_borrow_event_common_context_field_class_const(sc), "vpid");
	c->env_vpid = env_vpid(bt_event_borrow_stream_const(ev));
	if (!name || strncmp(name, UST_PREFIX, strlen(UST_PREFIX)))
		return;
	c->qemu = true;
	if ((c->e = vp_qemu_event_find(name + strlen(UST_PREFIX))))
		map_args(c);
}

static size_t cls_hash(const bt_event_class *ec, size_t cap)
{
	return (size_t)(((uintptr_t)ec >> 4) * 0x9e3779b97f4a7c15ULL) & (cap - 1);
}

static int cls_grow(struct reader *r)
{
	size_t cap = r->cls_cap ? r->cls_cap * 2 : 64;
	struct cls *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < r->cls_cap; i++) {
		size_t h;

		if (!r->cls[i].ec)
			continue;
		for (h = cls_hash(r->cls[i].ec, cap); t[h].ec; h = (h + 1) & (cap - 1))
			;
		t[h] = r->cls[i];
	}
	free(r->cls);
	r->cls = t;
	r->cls_cap = cap;
	return 0;
}

static const struct cls *cls_of(struct reader *r, const bt_event *ev)
{
	const bt_event_class *ec = bt_event_borrow_class_const(ev);
	size_t h;

	if (r->cls_cap) {
		for (h = cls_hash(ec, r->cls_cap); r->cls[h].ec; h = (h + 1) & (r->cls_cap - 1))
			if (r->cls[h].ec == ec)
				return &r->cls[h];
	}
	if ((r->ncls + 1) * 2 > r->cls_cap && cls_grow(r))
		return NULL;
	for (h = cls_hash(ec, r->cls_cap); r->cls[h].ec; h = (h + 1) & (r->cls_cap - 1))
		;
	cls_init(&r->cls[h], ec, ev);
	r->ncls++;
	return &r->cls[h];
}

static void other_pid(struct vp_trace_stats *st, uint32_t pid)
{
	unsigned int n =
		st->nother_pids < VP_TRACE_OTHER_PIDS ? st->nother_pids : VP_TRACE_OTHER_PIDS;

	st->other_events++;
	for (unsigned int i = 0; i < n; i++)
		if (st->other_pids[i] == pid)
			return;
	if (st->nother_pids < VP_TRACE_OTHER_PIDS)
		st->other_pids[st->nother_pids] = pid;
	/* past the array, distinct pids are no longer told apart */
	if (st->nother_pids <= VP_TRACE_OTHER_PIDS)
		st->nother_pids++;
}

/* The event's process, -1 when the trace does not say. */
static int64_t vpid_of(const struct cls *c, const bt_event *ev)
{
	const bt_field *ctx;

	if (c->vpid_member >= 0 && (ctx = bt_event_borrow_common_context_field_const(ev))) {
		const bt_field *f =
			bt_field_structure_borrow_member_field_by_index_const(ctx, c->vpid_member);
		bt_field_class_type t = bt_field_get_class_type(f);

		if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER))
			return bt_field_integer_signed_get_value(f);
		if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER))
			return (int64_t)bt_field_integer_unsigned_get_value(f);
	}
	return c->env_vpid;
}

/* false: the event is another process's, left out. */
static bool ours(struct reader *r, int64_t vpid, bool catalogue)
{
	if (vpid < 0)
		return true;
	if (!r->have_pid && catalogue) {
		r->have_pid = true;
		r->st->pid = (uint32_t)vpid;
	}
	if (!r->have_pid || (uint32_t)vpid == r->st->pid)
		return true;
	other_pid(r->st, (uint32_t)vpid);
	return false;
}

static void timestamp(const bt_message *msg, struct vp_trace_stats *st)
{
	int64_t ns;

	if (!bt_message_event_borrow_stream_class_default_clock_class_const(msg) ||
	    bt_clock_snapshot_get_ns_from_origin(
		    bt_message_event_borrow_default_clock_snapshot_const(msg), &ns) ||
	    ns < 0)
		return;
	if (!st->first_ns || (uint64_t)ns < st->first_ns)
		st->first_ns = (uint64_t)ns;
	if ((uint64_t)ns > st->last_ns)
		st->last_ns = (uint64_t)ns;
}

static int event(struct reader *r, const bt_message *msg)
{
	const bt_event *ev = bt_message_event_borrow_event_const(msg);
	const struct cls *c = cls_of(r, ev);
	struct vp_trace_arg args[VP_TRACE_MAX_ARGS];
	const bt_field *pl;

	if (!c)
		return -ENOMEM;
	r->st->records++;
	r->qemu_events += c->qemu;
	if (!ours(r, vpid_of(c, ev), c->e))
		return 0;
	timestamp(msg, r->st);
	if (!c->e)
		return 0;
	if (!c->usable) {
		r->st->unmapped++; /* not as the catalogue declares it: another QEMU */
		return 0;
	}
	pl = bt_event_borrow_payload_field_const(ev);
	for (int i = 0; i < c->nargs; i++) {
		const bt_field *f =
			bt_field_structure_borrow_member_field_by_index_const(pl, c->idx[i]);

		args[i] = (struct vp_trace_arg){ 0 };
		switch (c->kind[i]) {
		case K_UINT: args[i].v = bt_field_integer_unsigned_get_value(f); break;
		case K_SINT:
			/* as QEMU's simple backend records it: sign-extended */
			args[i].v = (uint64_t)bt_field_integer_signed_get_value(f);
			break;
		case K_BOOL: args[i].v = bt_field_bool_get_value(f); break;
		case K_STR:
			args[i].s = bt_field_string_get_value(f);
			args[i].slen = bt_field_string_get_length(f);
			break;
		}
	}
	if (vp_qtrace_feed(r->agg, c->e, args, c->nargs) == -ENOMEM)
		return -ENOMEM;
	r->st->used++;
	return 0;
}

/* Events LTTng could not write, its ring buffer full (discard mode). */
static void discarded(struct reader *r, const bt_message *msg)
{
	int64_t vpid = env_vpid(bt_message_discarded_events_borrow_stream_const(msg));
	uint64_t n;

	if (vpid >= 0 && r->have_pid && (uint32_t)vpid != r->st->pid)
		return;
	if (bt_message_discarded_events_get_count(msg, &n) == BT_PROPERTY_AVAILABILITY_AVAILABLE)
		r->st->dropped += n;
	else
		r->st->dropped_unknown = true;
}

static bt_graph_simple_sink_component_initialize_func_status sink_init(bt_message_iterator *it,
								       void *data)
{
	((struct reader *)data)->it = it;
	return BT_GRAPH_SIMPLE_SINK_COMPONENT_INITIALIZE_FUNC_STATUS_OK;
}

static bt_graph_simple_sink_component_consume_func_status sink_consume(bt_message_iterator *it,
								       void *data)
{
	struct reader *r = data;
	bt_message_array_const msgs;
	uint64_t n;

	switch (bt_message_iterator_next(it, &msgs, &n)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK: break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_AGAIN;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
	default: return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
	for (uint64_t i = 0; i < n; i++) {
		bt_message_type t = bt_message_get_type(msgs[i]);

		if (t == BT_MESSAGE_TYPE_EVENT && !r->err)
			r->err = event(r, msgs[i]);
		else if (t == BT_MESSAGE_TYPE_DISCARDED_EVENTS)
			discarded(r, msgs[i]);
		else if (t == BT_MESSAGE_TYPE_DISCARDED_PACKETS)
			r->st->dropped_unknown = true;
		bt_message_put_ref(msgs[i]);
	}
	return r->err ? BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR
		      : BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
}

/* babeltrace2's own reason: its first cause (the component's, deepest) and
 * the first line of it. */
static void bt_reason(char *buf, size_t len)
{
	const bt_error *e = bt_current_thread_take_error();
	uint64_t n = e ? bt_error_get_cause_count(e) : 0;
	const char *msg = n ? bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, 0))
			    : "no reason given";

	snprintf(buf, len, "%.*s", (int)strcspn(msg, "\n"), msg);
	if (e)
		bt_error_release(e);
}

static const bt_plugin *plugin(const char *name)
{
	const bt_plugin *p = NULL;

	if (bt_plugin_find(name, BT_TRUE, BT_FALSE, BT_TRUE, BT_TRUE, BT_FALSE, &p) !=
	    BT_PLUGIN_FIND_STATUS_OK)
		return NULL;
	return p;
}

/* src.ctf.fs for each trace, into flt.utils.muxer (time order across
 * streams, CPUs and traces), into our sink. */
static int build(bt_graph *g, const struct dirs *d, struct reader *r, char *err, size_t errlen)
{
	const bt_plugin *ctf = plugin("ctf"), *utils = plugin("utils");
	const bt_component_class_source *fs =
		ctf ? bt_plugin_borrow_source_component_class_by_name_const(ctf, "fs") : NULL;
	const bt_component_class_filter *mux =
		utils ? bt_plugin_borrow_filter_component_class_by_name_const(utils, "muxer")
		      : NULL;
	const bt_component_filter *m = NULL;
	const bt_component_sink *sink = NULL;
	char why[256];
	int ret = -EPROTO;

	if (!fs || !mux) {
		snprintf(err, errlen, "babeltrace2's %s plugin is not installed",
			 fs ? "utils" : "ctf");
		goto out;
	}
	if (bt_graph_add_filter_component(g, mux, "muxer", NULL, BT_LOGGING_LEVEL_NONE, &m) ||
	    bt_graph_add_simple_sink_component(g, "vmexit-prof", sink_init, sink_consume, NULL, r,
					       &sink)) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < d->n; i++) {
		const bt_component_source *src = NULL;
		bt_value *params = bt_value_map_create(), *inputs = NULL;
		char name[32];
		int bad;

		snprintf(name, sizeof(name), "src%zu", i);
		bad = !params || bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) ||
		      bt_value_array_append_string_element(inputs, d->v[i]);
		if (!bad && bt_graph_add_source_component(g, fs, name, params,
							  BT_LOGGING_LEVEL_NONE, &src)) {
			bt_reason(why, sizeof(why));
			snprintf(err, errlen, "%s: not a CTF trace babeltrace2 can read: %s",
				 d->v[i], why);
			bt_value_put_ref(params);
			goto out;
		}
		bt_value_put_ref(params);
		if (bad) {
			ret = -ENOMEM;
			goto out;
		}
		for (uint64_t p = 0; p < bt_component_source_get_output_port_count(src); p++) {
			uint64_t in = bt_component_filter_get_input_port_count(m);

			if (bt_graph_connect_ports(
				    g,
				    bt_component_source_borrow_output_port_by_index_const(src, p),
				    bt_component_filter_borrow_input_port_by_index_const(m, in - 1),
				    NULL)) {
				ret = -ENOMEM;
				goto out;
			}
		}
	}
	ret = bt_graph_connect_ports(
		      g, bt_component_filter_borrow_output_port_by_name_const(m, "out"),
		      bt_component_sink_borrow_input_port_by_name_const(sink, "in"), NULL)
		      ? -ENOMEM
		      : 0;
out:
	bt_plugin_put_ref(ctf);
	bt_plugin_put_ref(utils);
	return ret;
}

static int run(const char *dir, const struct dirs *d, struct reader *r, char *err, size_t errlen)
{
	bt_graph *g = bt_graph_create(0);
	bt_graph_run_status s = BT_GRAPH_RUN_STATUS_OK;
	char why[256];
	int ret;

	if (!g)
		return -ENOMEM;
	ret = build(g, d, r, err, errlen);
	while (!ret && (s = bt_graph_run(g)) == BT_GRAPH_RUN_STATUS_AGAIN)
		usleep(1000);
	if (!ret && s != BT_GRAPH_RUN_STATUS_OK) {
		ret = r->err ? r->err : -EPROTO;
		bt_reason(why, sizeof(why));
		if (ret == -EPROTO)
			snprintf(err, errlen, "%s: babeltrace2 cannot read its CTF trace: %s", dir,
				 why);
	}
	bt_graph_put_ref(g);
	return ret;
}

int vp_ust_trace_read(const char *dir, struct vp_qtrace_agg *agg, struct vp_trace_stats *st,
		      char *err, size_t errlen)
{
	struct reader r = { .agg = agg, .st = st };
	struct dirs d = { 0 };
	int ret;

	memset(st, 0, sizeof(*st));
	st->kind = VP_TRACE_UST;
	ret = find_traces(dir, 0, &d);
	if (ret && ret != -ENOMEM)
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(-ret));
	else if (!ret && !d.n && (ret = -ENOENT))
		snprintf(err, errlen, "%s: no CTF trace under it (no metadata file)", dir);
	if (!ret)
		ret = run(dir, &d, &r, err, errlen);
	st->traces = (unsigned int)d.n;
	if (!ret && !r.qemu_events) {
		ret = -EPROTO;
		snprintf(err, errlen,
			 "%s: not a trace of QEMU: %llu events in %zu CTF trace%s, none "
			 "named " UST_PREFIX "*",
			 dir, (unsigned long long)st->records, d.n, d.n == 1 ? "" : "s");
	}
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory reading the trace");
	for (size_t i = 0; i < d.n; i++)
		free(d.v[i]);
	free(d.v);
	free(r.cls);
	return ret;
}
