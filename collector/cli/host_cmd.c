// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `vmexit-prof --all`: every KVM VM of the host, those started later as
 * they start and those gone kept with what they did.  One set of kernel
 * programs follows them all, each key naming its VM's process; each VM has
 * its own attribution (its probes, its QMP map) and its own document, as
 * `--pid` would give it.
 */
#include "host_cmd.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "host_checks.h"
#include "live_doc.h"
#include "live_line.h"
#include "metrics.h"
#include "metrics_server.h"
#include "monotonic.h"
#include "stop_signals.h"
#include "text_report.h"
#include "doc_writer.h"

/* Facts the per-VM documents share. */
static const char host_note[] = "host-wide profile: profile.events are this VM's rows; "
				"meta.lost counts what did not fit for all VMs together";

struct vm {
	struct vp_target target;
	struct vp_attr_sources src;
	struct vp_result res;
	struct vp_timeline tl;
	char version[128];
	json_t *prev;	/* its document at the last refresh, for the rates */
	double found_s; /* since the start */
	bool gone;
};

struct host {
	const struct vp_options *o;
	struct vp_live live;
	struct vp_result all;
	struct vm **vms;
	size_t n;
	int sig;
	struct vp_metrics_server *metrics;
	bool told_metrics_file;
	double start;
	size_t reported; /* VMs whose report is out */
	int status;	 /* 1 once a document could not be written */
};

static struct vm *find(const struct host *h, int pid)
{
	for (size_t i = 0; i < h->n; i++)
		if (!h->vms[i]->gone && h->vms[i]->target.pid == pid)
			return h->vms[i];
	return NULL;
}

static void add_vm(struct host *h, const struct vp_target *t, double now)
{
	struct vm *v, **grown;
	char err[512];

	if (h->n >= VP_MAX_VMS * 4 || !(v = calloc(1, sizeof(*v))))
		return;
	v->target = *t;
	vp_result_init(&v->res);
	v->tl.interval_s = h->o->interval_s;
	v->found_s = now - h->start;
	if (vp_live_add_vm(&h->live, t)) {
		vp_note("VM pid %d: cannot follow it: %s", t->pid, strerror(errno));
		free(v);
		return;
	}
	if (vp_sources_open(&v->src, t->pid, NULL, t, h->o->verbose, err, sizeof(err))) {
		vp_note("VM pid %d: devices named by the legacy port table: %s", t->pid, err);
		memset(&v->src, 0, sizeof(v->src));
	}
	vp_qemu_version(t->exe, v->version, sizeof(v->version));
	grown = realloc(h->vms, (h->n + 1) * sizeof(*h->vms));
	if (!grown) {
		vp_live_remove_vm(&h->live, t->pid);
		vp_sources_close(&v->src);
		free(v);
		return;
	}
	h->vms = grown;
	h->vms[h->n++] = v;
	vp_note("VM pid %d (%s%s%s) found, %d vCPU%s; devices named by %s", t->pid,
		t->name[0] ? t->name : t->comm, t->uuid[0] ? " " : "", t->uuid, t->nr_vcpus,
		t->nr_vcpus == 1 ? "" : "s",
		v->src.have_usdt     ? "QEMU's USDT probes"
		: v->src.have_memmap ? "QEMU's memory map (QMP)"
				     : "the legacy port table");
}

/* Every process that holds a KVM VM and has created its vCPUs: a VMM
 * still initialising is taken at the next refresh. */
static void discover(struct host *h, double now)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct vp_target t;
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || pid == getpid() || find(h, (int)pid))
			continue;
		if (vp_target_probe("/proc", (int)pid, &t) || !t.nr_vcpus)
			continue;
		add_vm(h, &t, now);
	}
	closedir(d);
}

static json_t *doc_of(const struct host *h, const struct vm *v)
{
	struct vp_live_parts p = { .target = &v->target,
				   .kvm = true,
				   .live = &h->live,
				   .src = &v->src,
				   .res = &v->res,
				   .tl = &v->tl,
				   .version = v->version,
				   .note = host_note };

	return vp_live_doc(&p);
}

/* The maps, read once for all VMs, then each VM's share of them. */
static int read_vms(struct host *h, double now)
{
	int ret = vp_live_read(&h->live, &h->all);

	for (size_t i = 0; !ret && i < h->n; i++) {
		struct vm *v = h->vms[i];

		ret = vp_result_of_vm(&h->all, (uint32_t)v->target.pid, &v->res);
		vp_live_meta(&v->res.meta, &v->target);
		v->res.meta.duration_s = now - h->start - v->found_s;
		v->res.meta.target_exited = v->gone;
		if (!ret && v->target.nr_vcpus == 1)
			vp_result_resolve_vcpu(&v->res, (uint16_t)v->target.vcpus[0].vcpu);
		if (!ret)
			vp_sources_collect(&v->src, false);
	}
	return ret;
}

/* A VM done with (gone, or the profile over): its report and document
 * from what its last read holds, then the kernel forgets it, its probes
 * are detached and nothing of it stays, so VMs that come and go do not
 * make the profiler grow. */
static void finish(struct host *h, size_t i)
{
	struct vm *v = h->vms[i];
	struct vp_text_style style;
	json_t *doc = doc_of(h, v);
	char path[4096], err[512];

	if (v->gone)
		vp_note("VM pid %d (%s) is gone", v->target.pid,
			v->target.name[0] ? v->target.name : v->target.comm);
	vp_live_remove_vm(&h->live, v->target.pid);
	vp_sources_close(&v->src);
	if (doc) {
		vp_tt_style_auto(STDOUT_FILENO, &style);
		printf("%s", h->reported++ ? "\n" : "");
		vp_text_render(stdout, doc, &style);
		fflush(stdout);
	}
	if (doc && h->o->json_path) {
		snprintf(path, sizeof(path), "%s/vm-%d.json", h->o->json_path, v->target.pid);
		if (vp_doc_save(json_incref(doc), path, err, sizeof(err))) {
			vp_error("%s", err);
			h->status = 1;
		}
	}
	json_decref(doc);
	json_decref(v->prev);
	vp_result_free(&v->res);
	vp_timeline_free(&v->tl);
	free(v);
	memmove(&h->vms[i], &h->vms[i + 1], (h->n - i - 1) * sizeof(*h->vms));
	h->n--;
}

static void mark_gone(struct host *h)
{
	for (size_t i = 0; i < h->n; i++) {
		struct vm *v = h->vms[i];
		struct vp_target t;
		int ret;

		if (v->gone)
			continue;
		/* A VMM that closed its VM, or a zombie not reaped yet, is done. */
		ret = vp_target_probe("/proc", v->target.pid, &t);
		if (ret == -ESRCH || ret == -ENOTTY || (kill(v->target.pid, 0) && errno == ESRCH)) {
			v->gone = true;
			continue;
		}
		/* vCPUs can be hot-plugged: keep the fd tables current */
		if (!ret && t.nr_vcpus) {
			v->target = t;
			vp_live_update_vcpus(&h->live, &v->target);
			vp_sources_update_vcpus(&v->src, &v->target);
		}
	}
}

/* The VMs still running, one document each, to the server and the file. */
static void publish(struct host *h, json_t *docs)
{
	int err;

	if (h->metrics)
		vp_metrics_server_publish(h->metrics, docs);
	if (h->o->metrics_file && (err = vp_metrics_write(h->o->metrics_file, docs)) &&
	    !h->told_metrics_file) {
		vp_error("cannot write %s: %s", h->o->metrics_file, strerror(-err));
		h->told_metrics_file = true;
	}
}

static void refresh(struct host *h, double now, double seconds)
{
	json_t *docs = json_array();

	mark_gone(h);
	if (read_vms(h, now))
		vp_note("cannot read the kernel maps");
	for (size_t i = 0; i < h->n;) {
		struct vm *v = h->vms[i];
		json_t *doc;

		if (v->gone) {
			finish(h, i);
			continue;
		}
		i++;
		vp_timeline_add(&v->tl, &v->res, now - h->start - v->found_s);
		if (!(doc = doc_of(h, v)))
			continue;
		printf("pid %d %s: ", v->target.pid,
		       v->target.name[0] ? v->target.name : v->target.comm);
		vp_text_live_line(stdout, doc, v->prev, seconds);
		json_array_append(docs, doc);
		json_decref(v->prev);
		v->prev = doc;
	}
	fflush(stdout);
	publish(h, docs);
	json_decref(docs);
	discover(h, now);
}

/* SIGHUP looks for new VMs at once and keeps counting; the others end. */
static void run_loop(struct host *h)
{
	const struct vp_options *o = h->o;
	double next = h->start + o->interval_s, last = h->start;

	for (;;) {
		struct pollfd p = { .fd = h->sig, .events = POLLIN };
		double now = vp_now_s(), wake = next;

		if (o->duration_s && h->start + o->duration_s < wake)
			wake = h->start + o->duration_s;
		if (poll(&p, 1, wake > now ? (int)((wake - now) * 1000) + 1 : 0) < 0 &&
		    errno != EINTR)
			break;
		if (p.revents) {
			if (vp_stop_signal_read(h->sig) != SIGHUP)
				break;
			discover(h, vp_now_s());
			vp_note("reloaded");
			continue;
		}
		now = vp_now_s();
		if (o->duration_s && now >= h->start + o->duration_s)
			break;
		if (now < next)
			continue;
		refresh(h, now, now - last);
		last = now;
		while (next <= now)
			next += o->interval_s;
	}
}

static int check_json_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return access(dir, W_OK) ? -errno : 0;
}

static void free_host(struct host *h)
{
	for (size_t i = 0; i < h->n; i++) {
		json_decref(h->vms[i]->prev);
		vp_result_free(&h->vms[i]->res);
		vp_timeline_free(&h->vms[i]->tl);
		free(h->vms[i]);
	}
	free(h->vms);
	vp_result_free(&h->all);
	vp_metrics_server_stop(h->metrics);
	if (h->sig >= 0)
		close(h->sig);
}

int vp_host_run(const struct vp_options *o)
{
	static struct host h; /* holds every VM: keep it off the stack */
	struct vp_live_opts lo = { .vcpu_filter = -1,
				   .verbose = o->verbose,
				   .hook = o->run_hook,
				   .flavour = o->tracepoints };
	char err[512];
	int ret;

	memset(&h, 0, sizeof(h));
	h.o = o;
	h.sig = -1;
	vp_result_init(&h.all);
	if (vp_check_live_host(err, sizeof(err))) {
		vp_error("%s", err);
		return VP_EXIT_BAD_INPUT;
	}
	if (o->json_path && (ret = check_json_dir(o->json_path))) {
		vp_error("--json %s: with --all, a directory for one document per VM: %s",
			 o->json_path, strerror(-ret));
		return VP_EXIT_BAD_INPUT;
	}
	if (o->metrics_file && (ret = vp_check_writable(o->metrics_file))) {
		vp_error("cannot write %s: %s", o->metrics_file, strerror(-ret));
		return VP_EXIT_BAD_INPUT;
	}
	if (o->metrics_listen &&
	    !(h.metrics = vp_metrics_server_start(&o->metrics_addr, err, sizeof(err)))) {
		vp_error("--metrics %s: %s", o->metrics_listen, err);
		return VP_EXIT_BAD_INPUT;
	}
	if ((h.sig = vp_stop_signals_fd()) < 0 ||
	    vp_live_open(&h.live, NULL, &lo, err, sizeof(err))) {
		vp_error("%s", h.sig < 0 ? strerror(errno) : err);
		free_host(&h);
		return VP_EXIT_BAD_INPUT;
	}
	h.start = vp_now_s();
	vp_note("attached host-wide (KVM_RUN hook %s, tracepoints %s); looking for VMs every "
		"%g s; Ctrl-C to stop",
		vp_run_hook_name(h.live.hook), vp_tp_flavour_name(h.live.flavour), o->interval_s);
	discover(&h, h.start);
	run_loop(&h);
	vp_live_detach(&h.live);
	mark_gone(&h);
	ret = read_vms(&h, vp_now_s());
	if (ret)
		vp_error("cannot read the kernel maps: %s", strerror(-ret));
	if (!h.reported && !h.n)
		printf("no KVM VM ran on this host while it was profiled\n");
	while (h.n)
		finish(&h, 0);
	vp_live_close(&h.live);
	ret = ret || h.status ? 1 : 0;
	free_host(&h);
	return ret;
}
