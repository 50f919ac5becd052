// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "qemu_usdt_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_memory.h"
#include "devices.h"
#include "growbuf.h"
#include "qemu_events.h"
#include "qemu_usdt.h"
#include "qemu_usdt.skel.h"
#include "target.h"
#include "vdev_name.h"

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

static void note_missing(struct vp_usdt *u, const char *event)
{
	size_t len = strlen(u->missing);

	snprintf(u->missing + len, sizeof(u->missing) - len, "%s%s", len ? " " : "", event);
}

/* Joins and interrupts are extras: a QEMU without one of these probes is
 * still profiled, and the report says what was not counted. */
static void attach_optional(struct vp_usdt *u)
{
	struct qemu_usdt *s = u->skel;
	const struct {
		struct bpf_program *prog;
		struct bpf_link **link;
		const char *event;
	} opt[] = {
		{ s->progs.vp_ioeventfd_mmio, &s->links.vp_ioeventfd_mmio,
		  "kvm_set_ioeventfd_mmio" },
		{ s->progs.vp_ioeventfd_pio, &s->links.vp_ioeventfd_pio, "kvm_set_ioeventfd_pio" },
		{ s->progs.vp_pci_cfg_write, &s->links.vp_pci_cfg_write, "pci_cfg_write" },
		{ s->progs.vp_virtio_status, &s->links.vp_virtio_status, "virtio_set_status" },
		{ s->progs.vp_virtio_notify, &s->links.vp_virtio_notify, "virtio_notify" },
		{ s->progs.vp_virtio_notify_irqfd, &s->links.vp_virtio_notify_irqfd,
		  "virtio_notify_irqfd" },
		{ s->progs.vp_ioapic_irq, &s->links.vp_ioapic_irq, "ioapic_set_irq" },
		{ s->progs.vp_stopwatch_irq, &s->links.vp_stopwatch_irq,
		  "vmexit_stopwatch_irq_raise" },
		{ s->progs.vp_virtio_blk_complete, &s->links.vp_virtio_blk_complete,
		  "virtio_blk_req_complete" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (attach(opt[i].prog, opt[i].link, u->pid, opt[i].event, err, sizeof(err)))
			note_missing(u, opt[i].event);
}

static void attach_events(struct vp_usdt *u)
{
	char exe[64];

	snprintf(exe, sizeof(exe), "/proc/%d/exe", u->pid);
	for (size_t i = 0; i < vp_qemu_events_count; i++) {
		const struct vp_qemu_event *e = &vp_qemu_events[i];
		LIBBPF_OPTS(bpf_usdt_opts, o,
			    .usdt_cookie =
				    (__u64)i << VP_USDT_COOKIE_SHIFT | vp_qemu_event_object_arg(e));
		struct bpf_link *l;

		if (!vp_qemu_event_counted(e) || u->nevent_links == VP_USDT_MAX_EVENT_LINKS)
			continue;
		l = bpf_program__attach_usdt(u->skel->progs.vp_event, u->pid, exe, "qemu", e->name,
					     &o);
		if (l) {
			u->event_links[u->nevent_links++] = l;
			continue;
		}
		note_missing(u, e->name);
	}
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
	attach_optional(u);
	attach_events(u);
	return 0;
fail:
	vp_usdt_close(u);
	return ret < 0 ? ret : -EINVAL;
}

void vp_usdt_set_vcpu_runs(struct vp_usdt *u, const struct vp_target *t)
{
	int fd = bpf_map__fd(u->skel->maps.vcpu_runs);

	for (int i = 0; i < t->nr_vcpus; i++) {
		__u32 key = (__u32)t->vcpus[i].vcpu;
		__u64 v = t->vcpus[i].run_addr;

		if (v && t->vcpus[i].vcpu >= 0 && key < VP_USDT_MAX_VCPUS)
			bpf_map_update_elem(fd, &key, &v, BPF_ANY);
	}
}

static void mr_name(int names_fd, __u64 mr, char *out, size_t len)
{
	char name[VP_USDT_NAME_LEN] = "";

	bpf_map_lookup_elem(names_fd, &mr, name);
	name[sizeof(name) - 1] = '\0';
	snprintf(out, len, "%s", name);
}

static int read_joins(struct vp_usdt *u, struct vp_usdt_counts *c, int names_fd)
{
	int fd = bpf_map__fd(u->skel->maps.access_mr);
	struct vp_usdt_access key, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct vp_usdt_join *j;
		__u64 mr;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &mr))
			continue;
		if (vp_grow((void **)&c->joins, c->njoins, &c->joins_cap, sizeof(*j), 16))
			return -ENOMEM;
		j = &c->joins[c->njoins++];
		memset(j, 0, sizeof(*j));
		j->kind = key.kind;
		j->addr = key.addr;
		mr_name(names_fd, mr, j->region, sizeof(j->region));
	}
	return 0;
}

/* What the probes learnt of a VirtIODevice: its type from the type's own
 * events or from its name in QEMU's memory, else the region of its status
 * write.  QEMU also sets a status itself when the VM stops or resumes, on
 * a thread whose last write was anything: only a virtio region counts. */
static void name_vdev(struct vp_usdt *u, int names_fd, __u64 vdev, char *region, size_t len,
		      const char **device_id)
{
	char name[32];
	__u32 type;
	__u64 mr;

	if (!bpf_map_lookup_elem(bpf_map__fd(u->skel->maps.vdev_type), &vdev, &type) &&
	    type == VP_VDEV_BLK) {
		*device_id = "virtio-blk";
		return;
	}
	if (!vp_vdev_name(u->pid, vdev, name, sizeof(name)) &&
	    vp_device_by_id(name) != vp_device_unknown()) {
		*device_id = vp_device_by_id(name)->id;
		return;
	}
	if (!bpf_map_lookup_elem(bpf_map__fd(u->skel->maps.vdev_mr), &vdev, &mr)) {
		mr_name(names_fd, mr, region, len);
		if (strncmp(region, "virtio-pci", 10))
			region[0] = '\0';
	}
}

static int read_irqs(struct vp_usdt *u, struct vp_usdt_counts *c, int names_fd)
{
	int fd = bpf_map__fd(u->skel->maps.irq_counts);
	struct vp_usdt_irq_key key, next, *prev = NULL;
	__u64 epoch = u->skel->bss->mark_epoch;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct vp_usdt_irq_value v;
		struct vp_usdt_irq *q;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v) || !v.raised)
			continue;
		if (vp_grow((void **)&c->irqs, c->nirqs, &c->irqs_cap, sizeof(*q), 8))
			return -ENOMEM;
		q = &c->irqs[c->nirqs++];
		memset(q, 0, sizeof(*q));
		q->kind = key.kind;
		q->line = key.line;
		q->obj = key.obj;
		q->raised = v.raised;
		q->guest_raised = v.epoch == epoch ? v.since_mark : 0;
		if (key.kind == VP_UI_VIRTIO)
			name_vdev(u, names_fd, key.obj, q->region, sizeof(q->region),
				  &q->device_id);
	}
	return 0;
}

static int read_events(struct vp_usdt *u, struct vp_usdt_counts *c, int names_fd)
{
	int fd = bpf_map__fd(u->skel->maps.event_counts);
	struct vp_usdt_event_key key, next, *prev = NULL;
	__u64 epoch = u->skel->bss->mark_epoch;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct vp_usdt_value v;
		struct vp_usdt_event *ev;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v) || key.event >= vp_qemu_events_count)
			continue;
		if (vp_grow((void **)&c->events, c->nevents, &c->events_cap, sizeof(*ev), 16))
			return -ENOMEM;
		ev = &c->events[c->nevents++];
		memset(ev, 0, sizeof(*ev));
		ev->e = &vp_qemu_events[key.event];
		ev->obj = key.obj;
		ev->total = v.total;
		ev->guest = v.epoch == epoch ? v.since_mark : 0;
		if (vp_qemu_event_object_arg(ev->e) == 1)
			name_vdev(u, names_fd, key.obj, ev->region, sizeof(ev->region),
				  &ev->device_id);
	}
	return 0;
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
	for (size_t i = 0; i < c->n; i++)
		mr_name(names_fd, c->r[i].mr, c->r[i].name, sizeof(c->r[i].name));
	vp_usdt_sort_regions(c);
	if (read_joins(u, c, names_fd) || read_irqs(u, c, names_fd) || read_events(u, c, names_fd))
		goto nomem;
	c->dropped_counts = u->skel->bss->dropped_counts;
	c->dropped_names = u->skel->bss->dropped_names;
	c->fw_cfg_accesses = u->skel->bss->mark_epoch;
	return 0;
nomem:
	vp_usdt_counts_free(c);
	return -ENOMEM;
}

uint64_t vp_usdt_map_bytes(const struct vp_usdt *u)
{
	return u->skel ? vp_bpf_object_map_bytes(u->skel->obj) : 0;
}

void vp_usdt_close(struct vp_usdt *u)
{
	for (size_t i = 0; i < u->nevent_links; i++)
		bpf_link__destroy(u->event_links[i]);
	u->nevent_links = 0;
	/* Detaches the links stored in skel->links, then unloads. */
	qemu_usdt__destroy(u->skel);
	u->skel = NULL;
}
