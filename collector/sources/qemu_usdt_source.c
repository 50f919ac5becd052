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
#include "qemu_events.h"
#include "qemu_usdt.h"
#include "qemu_usdt.skel.h"
#include "target.h"
#include "usdt_tables.h"
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

static int usdt_open(struct vp_usdt *u, int pid, bool verbose, bool record, int ring_fd,
		     int lost_fd, size_t ring_bytes, char *err, size_t errlen)
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
	u->skel->rodata->record_events = record;
	if (record && ring_fd < 0) {
		ret = bpf_map__set_max_entries(u->skel->maps.events, (__u32)ring_bytes);
		if (ret) {
			snprintf(err, errlen, "cannot size the recording's ring buffer: %s",
				 strerror(-ret));
			goto fail;
		}
	} else if (record) {
		ret = bpf_map__reuse_fd(u->skel->maps.events, ring_fd);
		if (!ret)
			ret = bpf_map__reuse_fd(u->skel->maps.rec_lost, lost_fd);
		if (ret) {
			snprintf(err, errlen, "cannot share the recording's ring buffer: %s",
				 strerror(-ret));
			goto fail;
		}
	}
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

int vp_usdt_open(struct vp_usdt *u, int pid, bool verbose, char *err, size_t errlen)
{
	return usdt_open(u, pid, verbose, false, -1, -1, 0, err, errlen);
}

int vp_usdt_open_recording(struct vp_usdt *u, int pid, bool verbose, int ring_fd, int lost_fd,
			   size_t ring_bytes, char *err, size_t errlen)
{
	return usdt_open(u, pid, verbose, true, ring_fd, lost_fd, ring_bytes, err, errlen);
}

int vp_usdt_events_fd(const struct vp_usdt *u)
{
	return bpf_map__fd(u->skel->maps.events);
}

int vp_usdt_rec_lost_fd(const struct vp_usdt *u)
{
	return bpf_map__fd(u->skel->maps.rec_lost);
}

void vp_usdt_detach(struct vp_usdt *u)
{
	for (size_t i = 0; i < u->nevent_links; i++)
		bpf_link__destroy(u->event_links[i]);
	u->nevent_links = 0;
	if (u->skel)
		qemu_usdt__detach(u->skel);
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

/* Keys and values are at most a name long. */
#define ENTRY_MAX VP_USDT_NAME_LEN

static int map_each(void *ctx, enum vp_usdt_table t, vp_usdt_entry_fn fn, void *arg)
{
	const struct vp_usdt_maps *m = ctx;
	__u64 key[ENTRY_MAX / 8], next[ENTRY_MAX / 8], val[ENTRY_MAX / 8];
	void *prev = NULL;
	int ret;

	while (!bpf_map_get_next_key(m->fd[t], prev, next)) {
		memcpy(key, next, sizeof(key));
		prev = key;
		/* Nothing removes entries, but one gone meanwhile is skipped. */
		if (bpf_map_lookup_elem(m->fd[t], key, val))
			continue;
		if ((ret = fn(arg, key, val)))
			return ret;
	}
	return 0;
}

static int map_lookup(void *ctx, enum vp_usdt_table t, const void *key, void *val)
{
	const struct vp_usdt_maps *m = ctx;

	return bpf_map_lookup_elem(m->fd[t], key, val);
}

static int live_vdev_name(void *ctx, uint64_t vdev, char *buf, size_t len)
{
	const struct vp_usdt_maps *m = ctx;

	return m->pid > 0 ? vp_vdev_name(m->pid, vdev, buf, len) : -ENOENT;
}

int vp_usdt_read_maps(const struct vp_usdt_maps *m, struct vp_usdt_counts *c)
{
	const struct vp_usdt_tables t = { .ctx = (void *)m,
					  .each = map_each,
					  .lookup = map_lookup,
					  .vdev_name = live_vdev_name,
					  .mark_epoch = m->mark_epoch,
					  .dropped_counts = m->dropped_counts,
					  .dropped_names = m->dropped_names };

	return vp_usdt_counts_build(&t, c);
}

int vp_usdt_read(struct vp_usdt *u, struct vp_usdt_counts *c)
{
	const struct vp_usdt_maps m = VP_USDT_MAPS_OF(u->skel, u->pid);

	return vp_usdt_read_maps(&m, c);
}

uint64_t vp_usdt_map_bytes(const struct vp_usdt *u)
{
	return u->skel ? vp_bpf_object_map_bytes(u->skel->obj) : 0;
}

void vp_usdt_close(struct vp_usdt *u)
{
	vp_usdt_detach(u);
	qemu_usdt__destroy(u->skel);
	u->skel = NULL;
}
