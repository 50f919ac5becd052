// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "record_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "cli_options.h"
#include "doc_writer.h"
#include "errors.h"
#include "host_checks.h"
#include "live_doc.h"
#include "monotonic.h"
#include "qemu_memmap.h"
#include "qmp.h"
#include "recording.h"
#include "stop_signals.h"
#include "target.h"
#include "qemu_usdt_source.h"
#include "qemu_events.h"
#include "qemu_usdt.h"
#include "vdev_name.h"
#include "vmexit_source.h"

#define QMP_TIMEOUT_S 5

/* QEMU's memory map as QMP gives it, kept raw in the recording so the
 * reader parses it as a live profile would.  NULL: no QMP (the device
 * table's legacy ports still name what they can). */
static json_t *memmap_blob(const struct vp_record_opts *o, char *why, size_t whylen)
{
	char path[4096], err[256];
	struct vp_qmp q;
	json_t *pci, *blob;
	char *mtree;
	int ret;

	if (o->qmp)
		snprintf(path, sizeof(path), "%s", o->qmp);
	else if (vp_qmp_socket_for_pid("/proc", o->pid, path, sizeof(path))) {
		snprintf(why, whylen, "no QMP socket on the QEMU command line");
		return NULL;
	}
	ret = vp_qmp_open(&q, path, o->pid, QMP_TIMEOUT_S, err, sizeof(err));
	if (ret) {
		snprintf(why, whylen, "%s", err);
		return NULL;
	}
	ret = vp_memmap_query(&q, &mtree, &pci, err, sizeof(err));
	vp_qmp_close(&q);
	if (ret) {
		snprintf(why, whylen, "%s", err);
		return NULL;
	}
	blob = json_pack("{s:s, s:o, s:s}", "mtree", mtree, "pci", pci, "qmp", path);
	free(mtree);
	return blob;
}

static int write_blob(struct vp_rec_writer *w, enum vp_rec_meta kind, json_t *blob)
{
	char *text = json_dumps(blob, JSON_COMPACT);
	int ret;

	if (!text)
		return -ENOMEM;
	ret = vp_rec_writer_meta(w, kind, text, strlen(text));
	free(text);
	return ret;
}

/* l: the kernel programs, NULL for a QEMU without KVM, where QEMU's
 * probes are the only source (the replay's settings are then its
 * defaults). */
static json_t *header_json(const struct vp_record_opts *o, const struct vp_target *t,
			   const struct vp_live *l, uint64_t start_ns, const char *version,
			   json_t *probes)
{
	struct vp_port_span spans[VP_MARKER_SPANS];
	json_t *marks = json_array();
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	vp_marker_ports(spans);
	for (int i = 0; i < VP_MARKER_SPANS; i++)
		json_array_append_new(marks, json_pack("[i,i]", spans[i].first, spans[i].last));
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack(
		"{s:s, s:s, s:s, s:o, s:{s:i, s:o, s:o, s:o, s:o, s:i}, s:{s:o}, "
		"s:{s:s, s:I}, s:f, s:s, s:{s:s, s:s, s:b, s:i, s:I, s:o, s:s, s:s}, s:o}",
		"format", "vmexit-prof recording", "tool_version", VP_VERSION, "created", when,
		"host", vp_doc_host(), "target", "pid", t->pid, "comm", vp_json_text(t->comm),
		"exe", vp_json_text(t->exe), "name", vp_json_text(t->name), "uuid",
		vp_json_text(t->uuid), "vcpus", t->nr_vcpus, "qemu", "version",
		vp_json_text(version), "clock", "id", "CLOCK_MONOTONIC", "start_ns",
		(json_int_t)start_ns, "interval_s", o->interval_s, "accelerator", l ? "kvm" : "tcg",
		"programs", "kvm_run_hook", l ? vp_run_hook_name(l->hook) : "none",
		"kvm_tracepoints", l ? vp_tp_flavour_name(l->flavour) : "", "count_at_entry",
		l && l->hook == VP_RUN_HOOK_NONE, "vcpu_filter", o->vcpu, "stats_entries",
		(json_int_t)(l ? l->stats_entries : VP_MAX_STATS), "marker_ports", marks, "missing",
		l ? l->missing : "", "fentry_why", l ? l->fentry_why : "", "qemu_probes", probes);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define MAX_VDEVS 256

struct recorder {
	struct vp_rec_writer *w;
	struct ring_buffer *rb;
	int err;
	/* The kernel programs, under KVM; else QEMU's probes alone, into a
	 * ring of their own. */
	bool kvm;
	struct vp_live live;
	int events_fd, lost_fd;
	/* QEMU's probes, where its binary has them, recording into the same
	 * ring as the kernel programs. */
	struct vp_usdt usdt;
	bool have_usdt;
	char usdt_why[256];
	/* The VirtIODevices whose type was looked up in QEMU's memory. */
	uint64_t vdevs[MAX_VDEVS];
	size_t nvdevs;
	uint64_t probe_events; /* of the events recorded, QEMU's probes' */
	uint64_t start_ns;
	struct vp_target probe;	      /* the target as the last refresh found it */
	uint64_t lost[VP_REC_NTYPES]; /* the ring's drops last read, by type */
};

/* The VirtIODevice a probe event names, or 0. */
static uint64_t vdev_of(const struct vp_rec_ev *e)
{
	uint32_t op = VP_UO_OP(e->a[0]), x = VP_UO_X(e->a[0]);

	if (e->type != VP_REC_QEMU || (e->flags & VP_REC_F_NAME))
		return 0;
	if (op == VP_UO_VIRTIO_STATUS || op == VP_UO_VDEV_TYPE ||
	    (op == VP_UO_IRQ && VP_UO_SUB(e->a[0]) == VP_UI_VIRTIO) ||
	    (op == VP_UO_EVENT && x < vp_qemu_events_count &&
	     vp_qemu_event_names_vdev(&vp_qemu_events[x])))
		return e->a[1];
	return 0;
}

/* A device's type is read from QEMU's memory while QEMU runs, the first
 * time an event names the device: the reader of the recording cannot. */
static int name_vdev(struct recorder *r, uint64_t vdev)
{
	char name[32];
	json_t *j;
	char *text;
	int ret;

	for (size_t i = 0; i < r->nvdevs; i++)
		if (r->vdevs[i] == vdev)
			return 0;
	if (r->nvdevs == MAX_VDEVS)
		return 0;
	r->vdevs[r->nvdevs++] = vdev;
	if (vp_vdev_name(r->usdt.pid, vdev, name, sizeof(name)))
		return 0;
	j = json_pack("{s:I, s:s}", "vdev", (json_int_t)vdev, "name", name);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text)
		return -ENOMEM;
	ret = vp_rec_writer_meta(r->w, VP_RECM_VDEV, text, strlen(text));
	free(text);
	return ret;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct recorder *r = ctx;
	const struct vp_rec_ev *e = size >= sizeof(*e) ? data : NULL;
	uint64_t vdev = e ? vdev_of(e) : 0;
	int ret = vp_rec_writer_event(r->w, data, size);

	if (e && e->type == VP_REC_QEMU)
		r->probe_events++;
	if (!ret && vdev)
		ret = name_vdev(r, vdev);
	if (ret)
		r->err = ret;
	return ret ? -1 : 0;
}

static void probes_open(struct recorder *r, const struct vp_record_opts *o,
			const struct vp_target *t)
{
	r->have_usdt = !vp_usdt_open_recording(
		&r->usdt, o->pid, o->verbose, r->kvm ? vp_live_events_fd(&r->live) : -1,
		r->kvm ? vp_live_rec_lost_fd(&r->live) : -1, (size_t)o->ring_mb << 20, r->usdt_why,
		sizeof(r->usdt_why));
	if (r->have_usdt && r->kvm)
		vp_usdt_set_vcpu_runs(&r->usdt, t);
}

static json_t *probes_json(const struct recorder *r)
{
	return json_pack("{s:b, s:s, s:s}", "attached", r->have_usdt, "missing",
			 r->have_usdt ? r->usdt.missing : "", "why",
			 r->have_usdt ? "" : r->usdt_why);
}

static void probes_close(struct recorder *r)
{
	if (r->have_usdt)
		vp_usdt_close(&r->usdt);
	r->have_usdt = false;
}

/* The ring's drops so far into the recording and r->lost; a read that
 * failed changes neither, the last counts stand.  0 or -errno of the
 * write. */
static int write_lost(struct recorder *r)
{
	uint64_t now[VP_REC_NTYPES];

	if (vp_rec_lost_read(r->lost_fd, now))
		return 0;
	memcpy(r->lost, now, sizeof(now));
	return vp_rec_writer_lost(r->w, r->lost);
}

/* Until a signal, the duration or the target's end; what was recorded is
 * written every interval.  The reason it ended. */
static const char *record_loop(const struct vp_record_opts *o, struct recorder *r,
			       struct vp_target *t, int sig, int pidfd, double start)
{
	double next = start + o->interval_s;

	for (;;) {
		struct pollfd p[3] = { { .fd = sig, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN },
				       { .fd = ring_buffer__epoll_fd(r->rb), .events = POLLIN } };
		double now = vp_now_s(), wake = next;

		if (o->duration_s && start + o->duration_s < wake)
			wake = start + o->duration_s;
		if (poll(p, 3, wake > now ? (int)((wake - now) * 1000) + 1 : 0) < 0 &&
		    errno != EINTR)
			return "error";
		if (ring_buffer__consume(r->rb) < 0 && r->err)
			return "error";
		if (p[0].revents && vp_stop_signal_read(sig) != SIGHUP)
			return "signal";
		if (p[1].revents)
			return "target exited";
		now = vp_now_s();
		if (o->duration_s && now >= start + o->duration_s)
			return "duration";
		if (now < next)
			continue;
		/* vCPUs can be hot-plugged: keep the fd table current. */
		if (r->kvm && vp_target_probe("/proc", t->pid, &r->probe) == 0 &&
		    r->probe.nr_vcpus > 0) {
			*t = r->probe;
			vp_live_update_vcpus(&r->live, t);
			if (r->have_usdt)
				vp_usdt_set_vcpu_runs(&r->usdt, t);
		}
		if (write_lost(r) || vp_rec_writer_flush(r->w))
			return "error";
		while (next <= now)
			next += o->interval_s;
	}
}

/* Cheap checks first, as the live profile makes them; nothing is loaded
 * yet.  *kvm: the process holds a KVM VM (else only QEMU's probes can be
 * recorded). */
static int check_target(const struct vp_record_opts *o, struct vp_target *t, bool *kvm)
{
	int err = vp_check_live_target(o->pid, o->vcpu, &o->out, 1, t);

	*kvm = err != -ENOTTY;
	return err == -ENOTTY ? 0 : err;
}

/* The sources attached and the file begun, or a line printed. */
static int record_open(const struct vp_record_opts *o, struct recorder *r, struct vp_target *t,
		       const char *version)
{
	struct vp_live_opts lo = { .vcpu_filter = o->vcpu,
				   .verbose = o->verbose,
				   .hook = o->hook,
				   .flavour = o->flavour,
				   .record_ring_bytes = (size_t)o->ring_mb << 20 };
	char err[512];
	json_t *header;

	if (r->kvm && vp_live_open(&r->live, t, &lo, err, sizeof(err))) {
		vp_error("%s", err);
		return -1;
	}
	probes_open(r, o, t);
	if (!r->kvm && !r->have_usdt) {
		vp_error("process %d (%s) is not a KVM virtual machine, and QEMU's probes cannot "
			 "be attached (%s): nothing to record",
			 o->pid, t->comm, r->usdt_why);
		return -1;
	}
	r->events_fd = r->kvm ? vp_live_events_fd(&r->live) : vp_usdt_events_fd(&r->usdt);
	r->lost_fd = r->kvm ? vp_live_rec_lost_fd(&r->live) : vp_usdt_rec_lost_fd(&r->usdt);
	header = header_json(o, t, r->kvm ? &r->live : NULL, r->start_ns, version, probes_json(r));
	r->w = header ? vp_rec_writer_open(o->out, header, err, sizeof(err)) : NULL;
	json_decref(header);
	if (!r->w) {
		vp_error("%s", header ? err : "out of memory");
		return -1;
	}
	r->rb = ring_buffer__new(r->events_fd, on_event, r, NULL);
	if (!r->rb) {
		vp_error("cannot read the kernel's ring buffer");
		return -1;
	}
	return 0;
}

/* What record_open left, in the order nothing is lost: the programs
 * stopped first, then what is still in the ring recorded. */
static void record_close(struct recorder *r)
{
	if (r->kvm && r->live.skel)
		vp_live_detach(&r->live);
	if (r->have_usdt)
		vp_usdt_detach(&r->usdt);
	if (r->rb)
		ring_buffer__consume(r->rb);
}

static void record_free(struct recorder *r)
{
	ring_buffer__free(r->rb);
	r->rb = NULL;
	probes_close(r);
	if (r->kvm && r->live.skel)
		vp_live_close(&r->live);
}

int vp_record(const struct vp_record_opts *opts, struct vp_target *t, bool kvm)
{
	const struct vp_record_opts o = *opts;
	static struct recorder r; /* large: off the stack */
	char version[128], why[256] = "", what[64];
	uint64_t dropped;
	json_t *memmap, *end;
	const char *ended;
	double start;
	int sig = -1, pidfd = -1, ret;

	memset(&r, 0, sizeof(r));
	r.kvm = kvm;
	sig = vp_stop_signals_fd();
	pidfd = vp_pidfd_open(o.pid);
	if (sig < 0 || pidfd < 0) {
		vp_error("process %d went away before attaching", o.pid);
		return VP_EXIT_BAD_INPUT;
	}
	vp_qemu_version(t->exe, version, sizeof(version));
	memmap = memmap_blob(&o, why, sizeof(why));
	if (!memmap && o.qmp) {
		vp_error("--qmp %s: %s", o.qmp, why);
		close(sig);
		close(pidfd);
		return VP_EXIT_BAD_INPUT;
	}
	/* Before anything is attached: no event comes before the recording's
	 * start, however long attaching takes. */
	r.start_ns = mono_ns();
	start = vp_now_s();
	if (record_open(&o, &r, t, version)) {
		if (r.w)
			vp_rec_writer_close(r.w, NULL);
		record_free(&r);
		json_decref(memmap);
		close(sig);
		close(pidfd);
		return VP_EXIT_BAD_INPUT;
	}
	if (memmap)
		write_blob(r.w, VP_RECM_MEMMAP, memmap);
	json_decref(memmap);
	if (kvm)
		snprintf(what, sizeof(what), "%d vCPU%s", t->nr_vcpus, t->nr_vcpus == 1 ? "" : "s");
	else
		snprintf(what, sizeof(what), "no KVM VM: QEMU's probes alone");
	vp_note("attached to pid %d (%s), %s, recording into %s; devices named by %s; Ctrl-C to "
		"stop",
		o.pid, t->comm, what, o.out,
		r.have_usdt ? "QEMU's USDT probes"
		: why[0]    ? "the legacy port table"
			    : "QEMU's memory map (QMP)");
	if (why[0])
		vp_note("QEMU's memory map not recorded: %s", why);
	if (kvm)
		vp_live_tell(&r.live);
	ended = record_loop(&o, &r, t, sig, pidfd, start);
	record_close(&r);
	write_lost(&r);
	dropped = 0;
	for (int i = 0; i < VP_REC_NTYPES; i++)
		dropped += r.lost[i];
	/* The map at the end knows the BARs the guest assigned meanwhile. */
	if (strcmp(ended, "target exited") && (memmap = memmap_blob(&o, why, sizeof(why)))) {
		write_blob(r.w, VP_RECM_MEMMAP, memmap);
		json_decref(memmap);
	}
	end = json_pack("{s:f, s:s}", "duration_s", vp_now_s() - start, "ended", ended);
	if (end)
		write_blob(r.w, VP_RECM_END, end);
	json_decref(end);
	record_free(&r);
	close(sig);
	close(pidfd);
	{
		uint64_t n = vp_rec_writer_events(r.w), bytes;

		ret = vp_rec_writer_close(r.w, &bytes);
		if (ret || r.err) {
			vp_error("cannot write %s: %s", o.out, strerror(-(ret ? ret : r.err)));
			return 1;
		}
		vp_note("recorded %" PRIu64 " events (%" PRIu64 " of QEMU's probes) in %.1f s into "
			"%s: %" PRIu64 " bytes, %.1f per event; %" PRIu64
			" lost (ring buffer full)%s",
			n, r.probe_events, vp_now_s() - start, o.out, bytes,
			n ? (double)bytes / (double)n : 0.0, dropped,
			dropped ? ": raise --ring-mb" : "");
	}
	return 0;
}

int vp_record_main(int argc, char **argv)
{
	static struct vp_target t; /* large: off the stack */
	struct vp_record_opts o;
	bool kvm;
	char err[512];

	if (vp_record_parse(argc, argv, &o, err, sizeof(err))) {
		vp_error("%s", err);
		return VP_EXIT_BAD_INPUT;
	}
	if (o.help) {
		vp_print_record_usage(stdout);
		return 0;
	}
	if (check_target(&o, &t, &kvm))
		return VP_EXIT_BAD_INPUT;
	return vp_record(&o, &t, kvm);
}
