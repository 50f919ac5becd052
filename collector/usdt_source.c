// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "usdt_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_events.h"
#include "qemu_usdt.h"
#include "qemu_usdt.skel.h"

static bool usdt_verbose;

static int usdt_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	/* Without --verbose libbpf's multi-line chatter becomes our one line. */
	return usdt_verbose ? vfprintf(stderr, fmt, ap) : 0;
}

/* Attaches prog to the catalogue's event; the link goes into *link so the
 * skeleton's destroy detaches it. */
static int attach(struct bpf_program *prog, struct bpf_link **link, int pid, const char *event,
		  char *err, size_t errlen)
{
	const struct vp_qemu_event *e = vp_qemu_event_find(event);
	char exe[64];
	int ret;

	if (!e) {
		snprintf(err, errlen, "event %s is not in the QEMU event catalogue", event);
		return -ENOENT;
	}
	/* The running image, even if the binary on disk was replaced or deleted
	 * since QEMU started: the kernel resolves this link to its inode. */
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	*link = bpf_program__attach_usdt(prog, pid, exe, "qemu", e->name, NULL);
	if (!*link) {
		ret = -errno;
		snprintf(err, errlen, "cannot attach to USDT probe qemu:%s of process %d: %s%s",
			 e->name, pid, strerror(-ret),
			 ret == -ENOENT ? " (a QEMU built without --enable-trace-backends=dtrace?)"
					: "");
		return ret;
	}
	return 0;
}

int vp_usdt_open(struct vp_usdt *u, int pid, bool verbose, char *err, size_t errlen)
{
	int ret;

	memset(u, 0, sizeof(*u));
	u->pid = pid;
	usdt_verbose = verbose;
	libbpf_set_print(usdt_print);
	u->skel = qemu_usdt__open();
	if (!u->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the USDT BPF object: %s", strerror(-ret));
		return ret;
	}
	u->skel->rodata->target_tgid = pid;
	ret = qemu_usdt__load(u->skel);
	if (ret) {
		snprintf(err, errlen, "cannot load the USDT BPF programs: %s%s", strerror(-ret),
			 verbose ? "" : " (run with --verbose for the verifier's log)");
		goto fail;
	}
	ret = attach(u->skel->progs.vp_mr_read, &u->skel->links.vp_mr_read, pid,
		     "memory_region_ops_read", err, errlen);
	if (!ret)
		ret = attach(u->skel->progs.vp_mr_write, &u->skel->links.vp_mr_write, pid,
			     "memory_region_ops_write", err, errlen);
	if (ret)
		goto fail;
	return 0;
fail:
	vp_usdt_close(u);
	return ret < 0 ? ret : -EINVAL;
}

static struct vp_usdt_region *region_for(struct vp_usdt_counts *c, uint64_t mr)
{
	struct vp_usdt_region *r;

	for (size_t i = 0; i < c->n; i++)
		if (c->r[i].mr == mr)
			return &c->r[i];
	r = realloc(c->r, (c->n + 1) * sizeof(*r));
	if (!r)
		return NULL;
	c->r = r;
	r = &c->r[c->n++];
	memset(r, 0, sizeof(*r));
	r->mr = mr;
	return r;
}

static int by_total(const void *a, const void *b)
{
	const struct vp_usdt_region *x = a, *y = b;
	uint64_t tx = x->reads + x->writes, ty = y->reads + y->writes;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return strcmp(x->name, y->name);
}

int vp_usdt_read(struct vp_usdt *u, struct vp_usdt_counts *c)
{
	int counts_fd = bpf_map__fd(u->skel->maps.mr_counts);
	int names_fd = bpf_map__fd(u->skel->maps.mr_names);
	struct vp_usdt_key key, next, *prev = NULL;

	memset(c, 0, sizeof(*c));
	while (!bpf_map_get_next_key(counts_fd, prev, &next)) {
		struct vp_usdt_region *r;
		struct vp_usdt_value v;
		uint64_t since;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(counts_fd, &key, &v))
			continue; /* removed meanwhile: nothing removes, but be safe */
		if (!(r = region_for(c, key.mr)))
			goto nomem;
		/* Counted since an older marker: untouched after the last one. */
		since = v.epoch == u->skel->bss->mark_epoch ? v.since_mark : 0;
		if (key.dir == VP_USDT_WRITE) {
			r->writes += v.total;
			r->guest_writes += since;
		} else {
			r->reads += v.total;
			r->guest_reads += since;
		}
	}
	for (size_t i = 0; i < c->n; i++) {
		char name[VP_USDT_NAME_LEN] = "";
		__u64 mr = c->r[i].mr;

		bpf_map_lookup_elem(names_fd, &mr, name);
		name[sizeof(name) - 1] = '\0';
		snprintf(c->r[i].name, sizeof(c->r[i].name), "%s", name);
	}
	qsort(c->r, c->n, sizeof(*c->r), by_total);
	c->dropped_counts = u->skel->bss->dropped_counts;
	c->dropped_names = u->skel->bss->dropped_names;
	c->fw_cfg_accesses = u->skel->bss->mark_epoch;
	return 0;
nomem:
	vp_usdt_counts_free(c);
	return -ENOMEM;
}

bool vp_usdt_find(const struct vp_usdt_counts *c, const char *name, uint64_t *reads,
		  uint64_t *writes)
{
	bool found = false;

	*reads = *writes = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->r[i].name, name))
			continue;
		*reads += c->r[i].reads;
		*writes += c->r[i].writes;
		found = true;
	}
	return found;
}

void vp_usdt_counts_free(struct vp_usdt_counts *c)
{
	free(c->r);
	c->r = NULL;
	c->n = 0;
}

void vp_usdt_close(struct vp_usdt *u)
{
	/* Detaches the links stored in skel->links, then unloads. */
	qemu_usdt__destroy(u->skel);
	u->skel = NULL;
}
