// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "pid_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "attr_sources.h"
#include "errors.h"
#include "host_checks.h"
#include "monotonic.h"
#include "vmexit_source.h"
#include "doc_writer.h"
#include "live_doc.h"
#include "live_line.h"
#include "metrics.h"
#include "metrics_server.h"
#include "stop_signals.h"
#include "text_report.h"
#include "target.h"
#include "timeline.h"

/* Cheap checks first; nothing is loaded yet.  *kvm tells whether the
 * target is a KVM VM (else only its USDT probes can profile it, which the
 * caller finds out). */
static int check_target(const struct vp_options *o, struct vp_target *t, bool *kvm)
{
	const char *outputs[] = { o->json_path, o->metrics_file };
	int err = vp_check_live_target(o->pid, o->vcpu, outputs, 2, t);

	*kvm = err != -ENOTTY;
	return err == -ENOTTY ? 0 : err;
}

struct loop_fds {
	int sig;
	int pid; /* pidfd: readable once the target exits */
};

static int open_loop_fds(int pid, struct loop_fds *f)
{
	f->sig = vp_stop_signals_fd();
	f->pid = vp_pidfd_open(pid);
	return f->sig < 0 ? f->sig : f->pid < 0 ? f->pid : 0;
}

struct session {
	const struct vp_options *o;
	struct vp_target target;
	struct vp_target probe; /* the target as the last refresh found it */
	bool kvm;		/* the kernel programs are attached; else QEMU's probes alone */
	struct vp_live live;
	struct vp_attr_sources src;
	struct vp_result res;
	struct vp_timeline tl;
	struct loop_fds fds;
	json_t *prev_doc; /* at the last refresh, for the rates */
	size_t unnamed;	  /* accesses no source named when QEMU's map was last read */
	struct vp_metrics_server *metrics; /* --metrics; NULL: none */
	bool told_metrics_file;		   /* a failed write is told once */
	char version[128];		   /* QEMU's, asked once */
};

static json_t *build_doc(struct session *s);

/* The document's metrics to the server and the file.  A write that fails
 * (a full disk) is told once; the profile goes on. */
static void publish(struct session *s, const json_t *doc)
{
	int err;

	if (!doc)
		return;
	if (s->metrics)
		vp_metrics_server_publish(s->metrics, doc);
	if (s->o->metrics_file && (err = vp_metrics_write(s->o->metrics_file, doc)) &&
	    !s->told_metrics_file) {
		vp_error("cannot write %s: %s", s->o->metrics_file, strerror(-err));
		s->told_metrics_file = true;
	}
}

/* Listening is the first thing tried, before anything is attached: a
 * port in use is bad input, not a profile without its server. */
static int start_metrics(struct session *s)
{
	char err[256];

	if (!s->o->metrics_listen)
		return 0;
	s->metrics = vp_metrics_server_start(&s->o->metrics_addr, err, sizeof(err));
	if (!s->metrics) {
		vp_error("--metrics %s: %s", s->o->metrics_listen, err);
		return -1;
	}
	return 0;
}

/* The maps of the VM, read; an exit its vCPU thread made before the
 * profiler saw it enter KVM_RUN has no vCPU, unless there is only one. */
static int read_live(struct session *s)
{
	int ret = vp_live_read(&s->live, &s->res);

	if (!ret && s->target.nr_vcpus == 1)
		vp_result_resolve_vcpu(&s->res, (uint16_t)s->target.vcpus[0].vcpu);
	return ret;
}

/* On a terminal the whole report so far, redrawn like top, the costliest
 * rows of each table under a line of current rates; in a log one line. */
static void live_view(struct session *s, double seconds, bool tty)
{
	struct vp_text_style style;
	json_t *doc = build_doc(s);

	if (!doc)
		return;
	if (tty) {
		vp_tt_style_auto(STDOUT_FILENO, &style);
		style.max_rows = 8;
		fputs("\033[H\033[2J", stdout);
	}
	publish(s, doc);
	/* Rates since the last refresh; the first has none before it. */
	vp_text_live_line(stdout, doc, s->prev_doc, seconds);
	if (tty) {
		vp_text_render(stdout, doc, &style);
		fflush(stdout);
	}
	json_decref(s->prev_doc);
	s->prev_doc = doc;
}

/* Accesses no source could name a device for. */
static size_t unnamed_accesses(const struct session *s)
{
	struct vp_attribution a = vp_sources_attribution(&s->src);
	size_t n = 0;

	for (size_t i = 0; i < s->res.nrows; i++) {
		const struct vp_key *k = &s->res.rows[i].key;

		if ((k->kind == VP_K_PIO || k->kind == VP_K_MMIO || k->kind == VP_K_FAST_MMIO) &&
		    !(k->flags & VP_KEY_FOLDED) &&
		    vp_attribute_access(&a, k->kind, k->addr).dev == vp_device_unknown())
			n++;
	}
	return n;
}

/* The probes' counts, and QEMU's map again when an access appeared that
 * nothing could name: a profile begun before the firmware read a map
 * without the BARs the firmware then assigned.  Asking only then keeps
 * QMP quiet on a VM whose map does not change. */
static void collect_sources(struct session *s)
{
	bool reread = s->src.qmp_path[0] && unnamed_accesses(s) > s->unnamed;

	vp_sources_collect(&s->src, reread);
	if (reread)
		s->unnamed = unnamed_accesses(s);
}

/* SIGHUP, a daemon's reload: what can change under a running profile is
 * read again while the programs stay attached and the counts go on.
 * QEMU's map, for devices plugged or BARs moved since it was read; the
 * metrics file, written now so that one a rotation moved away is back at
 * once, its failure told again.  Any other signal ends the profile: false. */
static bool on_signal(struct session *s)
{
	json_t *doc;

	if (vp_stop_signal_read(s->fds.sig) != SIGHUP)
		return false;
	if (s->src.qmp_path[0]) {
		vp_sources_collect(&s->src, true);
		s->unnamed = unnamed_accesses(s);
	}
	s->told_metrics_file = false;
	if (s->o->metrics_file) {
		doc = build_doc(s);
		publish(s, doc);
		json_decref(doc);
	}
	vp_note("reloaded");
	return true;
}

/* Returns when the duration ends, a signal but SIGHUP arrives or the
 * target exits. */
static void run_loop(struct session *s, double start)
{
	const struct vp_options *o = s->o;
	double next_tick = start + o->interval_s, last_tick = start;
	bool tty = isatty(STDOUT_FILENO), told_no_exit = false;

	for (;;) {
		struct pollfd p[2] = { { .fd = s->fds.sig, .events = POLLIN },
				       { .fd = s->fds.pid, .events = POLLIN } };
		double now = vp_now_s(), wake = next_tick;

		if (o->duration_s && start + o->duration_s < wake)
			wake = start + o->duration_s;
		if (poll(p, 2, wake > now ? (int)((wake - now) * 1000) + 1 : 0) < 0 &&
		    errno != EINTR)
			break;
		if (p[0].revents && !on_signal(s))
			break;
		if (p[1].revents) {
			s->res.meta.target_exited = true;
			break;
		}
		now = vp_now_s();
		if (o->duration_s && now >= start + o->duration_s)
			break;
		if (now < next_tick)
			continue;
		s->res.meta.duration_s = now - start;
		if (s->kvm) {
			/* vCPUs can be hot-plugged: keep the fd tables current.  A
			 * QEMU shutting down closes its vCPU fds first: that is no
			 * VM without vCPUs. */
			if (vp_target_probe("/proc", s->target.pid, &s->probe) == 0 &&
			    s->probe.nr_vcpus > 0) {
				s->target = s->probe;
				vp_live_update_vcpus(&s->live, &s->target);
				vp_sources_update_vcpus(&s->src, &s->target);
			}
			s->res.meta.nr_vcpus = s->target.nr_vcpus;
			if (read_live(s))
				goto next;
			if (!told_no_exit && !vp_result_has_exit_events(&s->res) &&
			    s->res.counters[VP_C_EV_USER_EXIT]) {
				vp_note("kvm_exit/kvm_entry do not fire on this host; reporting "
					"what does "
					"(exits to user space, port and MMIO accesses, CPUID, "
					"MSR)");
				told_no_exit = true;
			}
			vp_timeline_add(&s->tl, &s->res, now - start);
		}
		collect_sources(s);
		live_view(s, now - last_tick, tty);
	next:
		last_tick = now;
		while (next_tick <= now)
			next_tick += o->interval_s;
	}
}

/* Attaches everything or nothing: 0, or an error already reported. */
/* The kernel memory the tables lock: per-CPU maps cost a value per
 * possible CPU, so the same VM costs more on a bigger host. */
static void note_map_memory(const struct session *s)
{
	uint64_t bytes = 0;

	if (s->kvm)
		bytes += vp_live_map_bytes(&s->live);
	if (s->src.have_usdt)
		bytes += vp_usdt_map_bytes(&s->src.usdt);
	if (bytes)
		vp_note("the kernel's tables lock %.1f MiB (%d possible CPUs)",
			(double)bytes / (1024.0 * 1024.0), libbpf_num_possible_cpus());
}

static int attach(struct session *s)
{
	struct vp_live_opts lo = { .vcpu_filter = s->o->vcpu,
				   .verbose = s->o->verbose,
				   .hook = s->o->run_hook,
				   .flavour = s->o->tracepoints };
	char err[512];

	if (open_loop_fds(s->o->pid, &s->fds)) {
		vp_error("process %d went away before attaching", s->o->pid);
		return -1;
	}
	if (vp_sources_open(&s->src, s->o->pid, s->o->qmp_path, s->kvm ? &s->target : NULL,
			    s->o->verbose, err, sizeof(err))) {
		vp_error("%s", err);
		return -1;
	}
	if (!s->kvm && !s->src.have_usdt) {
		vp_sources_close(&s->src);
		vp_error("process %d (%s) is not a KVM virtual machine: it holds no KVM VM file "
			 "descriptor, and no QEMU USDT probes could be attached",
			 s->o->pid, s->target.comm);
		return -1;
	}
	if (s->kvm && vp_live_open(&s->live, &s->target, &lo, err, sizeof(err))) {
		vp_sources_close(&s->src);
		vp_error("%s", err);
		return -1;
	}
	if (s->kvm)
		vp_live_tell(&s->live);
	if (!s->kvm)
		vp_note("process %d is QEMU without KVM (TCG): no VM exits exist; profiling its "
			"device models through its USDT probes",
			s->o->pid);
	vp_note("attached to pid %d (%s), %d vCPU%s; devices named by %s; Ctrl-C to stop",
		s->o->pid, s->target.comm, s->target.nr_vcpus, s->target.nr_vcpus == 1 ? "" : "s",
		s->src.have_usdt     ? "QEMU's USDT probes"
		: s->src.have_memmap ? "QEMU's memory map (QMP)"
				     : "the legacy port table");
	note_map_memory(s);
	return 0;
}

static json_t *build_doc(struct session *s)
{
	struct vp_live_parts p = { .target = &s->target,
				   .kvm = s->kvm,
				   .live = &s->live,
				   .src = &s->src,
				   .res = &s->res,
				   .tl = &s->tl,
				   .version = s->version };

	return vp_live_doc(&p);
}

int vp_session_run(const struct vp_options *o)
{
	static struct session s; /* large: keep it off the stack */
	struct vp_text_style style;
	char err[512];
	double start;
	json_t *doc;
	int ret = 0;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.fds.sig = s.fds.pid = -1;
	s.tl.interval_s = o->interval_s;
	if (check_target(o, &s.target, &s.kvm) || start_metrics(&s))
		return VP_EXIT_BAD_INPUT;
	if (attach(&s)) {
		vp_metrics_server_stop(s.metrics);
		return VP_EXIT_BAD_INPUT;
	}
	vp_result_init(&s.res);
	vp_live_meta(&s.res.meta, &s.target);
	vp_qemu_version(s.target.exe, s.version, sizeof(s.version));
	if (o->metrics_listen || o->metrics_file) {
		/* a scrape before the first refresh sees the VM, with no events yet */
		doc = build_doc(&s);
		publish(&s, doc);
		json_decref(doc);
	}
	start = vp_now_s();
	run_loop(&s, start);
	json_decref(s.prev_doc);
	s.res.meta.duration_s = vp_now_s() - start;
	if (s.kvm) {
		vp_live_detach(&s.live);
		ret = read_live(&s);
		vp_live_close(&s.live);
	}
	vp_sources_collect(&s.src, true);
	close(s.fds.sig);
	close(s.fds.pid);
	if (ret) {
		vp_sources_close(&s.src);
		vp_error("cannot read the kernel maps: %s", strerror(-ret));
		vp_metrics_server_stop(s.metrics);
		vp_result_free(&s.res);
		return 1;
	}
	doc = build_doc(&s);
	vp_sources_close(&s.src);
	publish(&s, doc);
	vp_metrics_server_stop(s.metrics);
	if (isatty(STDOUT_FILENO))
		fputs("\033[H\033[2J", stdout);
	vp_tt_style_auto(STDOUT_FILENO, &style);
	if (doc)
		vp_text_render(stdout, doc, &style);
	if (o->json_path && (ret = vp_doc_save(json_incref(doc), o->json_path, err, sizeof(err))))
		vp_error("%s", err);
	json_decref(doc);
	vp_result_free(&s.res);
	vp_timeline_free(&s.tl);
	return ret ? 1 : 0;
}
