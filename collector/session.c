// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "host_checks.h"
#include "live_source.h"
#include "report_json.h"
#include "report_text.h"
#include "target.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void cpu_vendor(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "vendor_id : %31s", buf) == 1)
			break;
	fclose(f);
}

static void fill_meta(struct vp_meta *m, const struct vp_target *t)
{
	struct utsname u;

	m->pid = t->pid;
	snprintf(m->vmm_comm, sizeof(m->vmm_comm), "%s", t->comm);
	snprintf(m->vmm_exe, sizeof(m->vmm_exe), "%s", t->exe);
	m->nr_vcpus = t->nr_vcpus;
	if (uname(&u) == 0)
		snprintf(m->kernel_release, sizeof(m->kernel_release), "%s", u.release);
	cpu_vendor(m->cpu_vendor, sizeof(m->cpu_vendor));
}

/* Fails before anything is attached if the result could not be written later. */
static int check_json_path(const char *path)
{
	char probe[4096];
	int fd;

	if (snprintf(probe, sizeof(probe), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(probe))
		return -ENAMETOOLONG;
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	unlink(probe);
	return 0;
}

/* Cheap checks first, in the order a user fixes them; nothing is loaded yet. */
static int check_target(const struct vp_options *o, struct vp_target *t)
{
	char tracefs[256];
	int err = vp_target_probe("/proc", o->pid, t), werr;

	if (err == -ESRCH) {
		vp_error("no process with pid %d", o->pid);
		return -1;
	}
	if (vp_check_privileges()) {
		vp_error("must run as root (or with CAP_BPF and CAP_PERFMON) to load BPF programs");
		return -1;
	}
	if (vp_check_btf()) {
		vp_error("this kernel exposes no BTF (/sys/kernel/btf/vmlinux); it needs CONFIG_DEBUG_INFO_BTF");
		return -1;
	}
	if (vp_find_tracefs(tracefs, sizeof(tracefs)) ||
	    !vp_tracepoint_exists(tracefs, "kvm", "kvm_userspace_exit")) {
		vp_error("this kernel has no kvm tracepoints (is KVM built in or loaded?)");
		return -1;
	}
	if (o->json_path && (werr = check_json_path(o->json_path))) {
		vp_error("cannot write %s: %s", o->json_path, strerror(-werr));
		return -1;
	}
	if (err == -ENOTTY) {
		vp_error("process %d (%s) is not a KVM virtual machine: it holds no KVM VM file descriptor",
			 o->pid, t->comm);
		return -1;
	}
	if (err) {
		vp_error("cannot inspect process %d: %s", o->pid, strerror(-err));
		return -1;
	}
	if (o->vcpu >= 0 && o->vcpu >= t->nr_vcpus) {
		vp_error("--vcpu %d: process %d has %d vCPU%s", o->vcpu, o->pid, t->nr_vcpus,
			 t->nr_vcpus == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

struct loop_fds {
	int sig;
	int pid; /* pidfd: readable once the target exits */
};

static int open_loop_fds(int pid, struct loop_fds *f)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	f->sig = signalfd(-1, &set, SFD_CLOEXEC);
	f->pid = (int)syscall(SYS_pidfd_open, pid, 0);
	if (f->sig < 0 || f->pid < 0)
		return -errno;
	return 0;
}

static void live_view(const struct vp_result *cur, const struct vp_result *prev, double seconds, bool tty)
{
	struct vp_text_opts to = { .max_rows = 8, .prev = prev, .seconds = seconds };

	if (!tty) {
		vp_report_line(stdout, cur, prev, seconds);
		return;
	}
	fputs("\033[H\033[2J", stdout);
	vp_report_text(stdout, cur, &to);
	fflush(stdout);
}

/* Returns when the duration ends, a signal arrives or the target exits. */
static void run_loop(const struct vp_options *o, struct vp_live *live, struct vp_target *t,
		     struct vp_result *res, struct loop_fds *fds, double start)
{
	struct vp_result prev;
	double next_tick = start + o->interval_s, last_tick = start;
	bool tty = isatty(STDOUT_FILENO), told_no_exit = false, have_prev = false;

	vp_result_init(&prev);
	for (;;) {
		struct pollfd p[2] = { { .fd = fds->sig, .events = POLLIN }, { .fd = fds->pid, .events = POLLIN } };
		double now = now_s(), wake = next_tick;

		if (o->duration_s && start + o->duration_s < wake)
			wake = start + o->duration_s;
		if (poll(p, 2, wake > now ? (int)((wake - now) * 1000) + 1 : 0) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (p[1].revents) {
			res->meta.target_exited = true;
			break;
		}
		now = now_s();
		if (o->duration_s && now >= start + o->duration_s)
			break;
		if (now < next_tick)
			continue;
		/* vCPUs can be hot-plugged: keep the kernel's fd table current. */
		if (vp_target_probe("/proc", t->pid, t) == 0)
			vp_live_update_vcpus(live, t);
		res->meta.nr_vcpus = t->nr_vcpus;
		res->meta.duration_s = now - start;
		if (vp_live_read(live, res) == 0) {
			if (!told_no_exit && !vp_result_has_exit_events(res) && res->counters[VP_C_EV_USER_EXIT]) {
				vp_note("kvm_exit/kvm_entry do not fire on this host; reporting what does "
					"(exits to user space, port and MMIO accesses, CPUID, MSR)");
				told_no_exit = true;
			}
			/* Rates since the last refresh; the first refresh has none before it. */
			live_view(res, have_prev ? &prev : NULL, now - last_tick, tty);
			have_prev = vp_result_copy(&prev, res) == 0;
		}
		last_tick = now;
		while (next_tick <= now)
			next_tick += o->interval_s;
	}
	vp_result_free(&prev);
}

int vp_session_run(const struct vp_options *o)
{
	struct vp_live_opts lo = { .vcpu_filter = o->vcpu, .verbose = o->verbose };
	static struct vp_target target; /* large: keep it off the stack */
	struct loop_fds fds = { -1, -1 };
	struct vp_result res;
	struct vp_live live;
	char err[256];
	double start;
	int ret;

	if (check_target(o, &target))
		return VP_EXIT_BAD_INPUT;
	if (open_loop_fds(o->pid, &fds)) {
		vp_error("process %d went away before attaching", o->pid);
		return VP_EXIT_BAD_INPUT;
	}
	if (vp_live_open(&live, &target, &lo, err, sizeof(err))) {
		vp_error("%s", err);
		return VP_EXIT_BAD_INPUT;
	}
	if (live.missing[0])
		vp_note("tracepoints missing on this kernel, not traced: %s", live.missing);
	vp_note("attached to pid %d (%s), %d vCPU%s; Ctrl-C to stop", o->pid, target.comm, target.nr_vcpus,
		target.nr_vcpus == 1 ? "" : "s");
	vp_result_init(&res);
	fill_meta(&res.meta, &target);
	start = now_s();
	run_loop(o, &live, &target, &res, &fds, start);
	res.meta.duration_s = now_s() - start;
	ret = vp_live_read(&live, &res);
	vp_live_close(&live);
	close(fds.sig);
	close(fds.pid);
	if (ret) {
		vp_error("cannot read the kernel maps: %s", strerror(-ret));
		vp_result_free(&res);
		return 1;
	}
	if (isatty(STDOUT_FILENO))
		fputs("\033[H\033[2J", stdout);
	vp_report_text(stdout, &res, &(struct vp_text_opts){ 0 });
	if (o->json_path && (ret = vp_json_write_file(&res, o->json_path)))
		vp_error("cannot write %s: %s", o->json_path, strerror(-ret));
	vp_result_free(&res);
	return ret ? 1 : 0;
}
