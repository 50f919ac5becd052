// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The process half of guest_runner.h: scratch disk, QEMU's command line,
 * fork/exec, wait with a deadline.
 */
#include "guest_runner.h"
#include "growbuf.h"
#include "monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGV 96

struct vp_guest {
	pid_t pid;	 /* 0 once reaped */
	int status;	 /* waitpid status once reaped */
	char disk[64];	 /* scratch disk path, "" if none */
	char serial[64]; /* serial console file */
	char qmp[64];	 /* QMP socket path, "" if none */
	int log_fd;	 /* QEMU's own stdout/stderr, unlinked */
	const char *accel;
	char *missing_device;
	char *text; /* serial output, after wait */
	char *argv[MAX_ARGV];
	char *owned[MAX_ARGV]; /* argv strings we allocated */
	size_t argc, nowned;
};

bool vp_kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (fd < 0)
		return false;
	/* Opening is not enough (e.g. no VMX in a nested guest): try a VM. */
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm >= 0)
		close(vm);
	close(fd);
	return vm >= 0;
}

/* name with a '/' as is, else the first executable on PATH, into out. */
static int find_program(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return access(name, X_OK) ? -ENOENT : 0;
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(out, len, "%.*s/%s", (int)n, p, name);
		if (n && !access(out, X_OK))
			return 0;
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

/* Runs argv with stdout+stderr into a pipe, returns what it wrote (malloc'd). */
static char *capture(char *const argv[])
{
	int pfd[2];
	pid_t pid;
	char *buf = NULL;

	if (pipe2(pfd, O_CLOEXEC))
		return NULL;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0 || vp_read_all(pfd[0], &buf, NULL))
		buf = NULL;
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return buf;
}

/* true when `qemu -device help` lists driver (the part of spec before ','). */
static bool qemu_has_device(const char *qemu, const char *spec)
{
	char *argv[] = { (char *)qemu, "-machine", "none", "-device", "help", NULL };
	char *out = capture(argv), want[128];
	bool found;

	snprintf(want, sizeof(want), "name \"%.*s\"", (int)strcspn(spec, ","), spec);
	found = out && strstr(out, want);
	free(out);
	return found;
}

static int push(struct vp_guest *g, const char *arg, bool copy)
{
	char *a = (char *)arg;

	if (g->argc + 2 > MAX_ARGV)
		return -E2BIG;
	if (copy) {
		if (!(a = strdup(arg)))
			return -ENOMEM;
		g->owned[g->nowned++] = a;
	}
	g->argv[g->argc++] = a;
	g->argv[g->argc] = NULL;
	return 0;
}

/* arg with every "{disk}" replaced by the scratch disk's path. */
static int push_table_arg(struct vp_guest *g, const char *arg)
{
	const char *at = strstr(arg, "{disk}");
	char buf[512];

	if (!at)
		return push(g, arg, false);
	if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - arg), arg, g->disk, at + 6) >=
		    (int)sizeof(buf) ||
	    strstr(at + 6, "{disk}"))
		return -E2BIG;
	return push(g, buf, true);
}

static int make_scratch(char *path, size_t len, const char *what, off_t size)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/vp-%s-XXXXXX", dir && *dir ? dir : "/tmp", what);
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (size && ftruncate(fd, size)) {
		int ret = -errno;

		close(fd);
		unlink(path);
		path[0] = '\0';
		return ret;
	}
	close(fd);
	return 0;
}

static int build_argv(struct vp_guest *g, const struct vp_workload *w,
		      const struct vp_guest_config *c, const char *qemu, bool kvm)
{
	static const char *const common[] = {
		"-machine", "pc", "-m", "64", "-display", "none", "-nodefaults",
	};
	static const char *const after[] = {
		"-no-reboot",
		"-device",
		"isa-debug-exit,iobase=0xf4,iosize=0x04",
	};
	static const char *const firmware[] = { "/usr/share/seabios", "/usr/share/qemu" };
	char serial[80];
	struct stat st;
	int ret = push(g, qemu, true);

	for (size_t i = 0; !ret && i < sizeof(common) / sizeof(common[0]); i++)
		ret = push(g, common[i], false);
	snprintf(serial, sizeof(serial), "file:%s", g->serial);
	ret = ret ?: push(g, "-serial", false) ?: push(g, serial, true);
	for (size_t i = 0; !ret && i < sizeof(after) / sizeof(after[0]); i++)
		ret = push(g, after[i], false);
	ret = ret ?: push(g, "-kernel", false) ?: push(g, c->elf, false) ?: push(g, "-append", false) ?:
	      push(g, c->append ? c->append : w->defaults, false);
	/* SeaBIOS and option ROMs from Debian's packages, where installed: a
	 * QEMU of the project's finds them there, not in its own prefix. */
	for (size_t i = 0; !ret && i < sizeof(firmware) / sizeof(firmware[0]); i++)
		if (!stat(firmware[i], &st) && S_ISDIR(st.st_mode))
			ret = push(g, "-L", false) ?: push(g, firmware[i], false);
	for (size_t i = 0; !ret && i < c->ndevices; i++)
		ret = push(g, "-device", false) ?: push(g, c->devices[i], false);
	for (size_t i = 0; !ret && i < w->nargs; i++) {
		/* A device the QEMU lacks is left out so the guest says no-device
		 * instead of QEMU refusing to start. */
		if (w->project_qemu && !strcmp(w->args[i], "-device") && i + 1 < w->nargs &&
		    !qemu_has_device(qemu, w->args[i + 1])) {
			if (!g->missing_device) {
				size_t n = strcspn(w->args[i + 1], ",");

				g->missing_device = strndup(w->args[i + 1], n);
			}
			i++;
			continue;
		}
		ret = push_table_arg(g, w->args[i]);
	}
	for (size_t i = 0; !ret && i < c->nargs; i++)
		ret = push_table_arg(g, c->args[i]);
	g->accel = kvm ? "kvm" : "tcg";
	ret = ret ?: push(g, "-accel", false) ?: push(g, g->accel, false);
	if (!ret && kvm)
		ret = push(g, "-cpu", false) ?: push(g, "host", false);
	if (!ret && g->qmp[0]) {
		char spec[96];

		snprintf(spec, sizeof(spec), "unix:%s,server=on,wait=off", g->qmp);
		ret = push(g, "-S", false) ?: push(g, "-qmp", false) ?: push(g, spec, true);
	}
	return ret;
}

static int spawn(struct vp_guest *g)
{
	int pfd[2], child_errno = 0;
	ssize_t n;

	/* A close-on-exec pipe carries exec's errno back to us. */
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	g->pid = fork();
	if (g->pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		g->pid = 0;
		return -errno;
	}
	if (g->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(g->log_fd, 1);
		dup2(g->log_fd, 2);
		execv(g->argv[0], g->argv);
		child_errno = errno;
		(void)!write(pfd[1], &child_errno, sizeof(child_errno));
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == sizeof(child_errno)) {
		waitpid(g->pid, NULL, 0);
		g->pid = 0;
		return -child_errno;
	}
	return 0;
}

int vp_guest_start(const struct vp_workload *w, const struct vp_guest_config *c,
		   struct vp_guest **out, char *err, size_t errlen)
{
	char qemu[4096], logpath[64];
	struct vp_guest *g;
	unsigned disk_mib;
	bool kvm;
	int ret;

	*out = NULL;
	if (access(c->elf, R_OK)) {
		ret = -errno;
		snprintf(err, errlen, "no workload image %s (build the project first): %s", c->elf,
			 strerror(errno));
		return ret;
	}
	if (find_program(c->qemu, qemu, sizeof(qemu))) {
		snprintf(err, errlen,
			 "QEMU '%s' not found (install qemu-system-x86 or give --qemu)", c->qemu);
		return -ENOENT;
	}
	kvm = c->accel != VP_ACCEL_TCG && vp_kvm_usable();
	if (c->accel == VP_ACCEL_KVM && !kvm) {
		snprintf(err, errlen,
			 "--accel kvm: /dev/kvm cannot create a VM here (use --accel tcg)");
		return -ENODEV;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->log_fd = -1;
	ret = make_scratch(g->serial, sizeof(g->serial), "serial", 0);
	disk_mib = w->disk_mib > c->disk_mib ? w->disk_mib : c->disk_mib;
	if (!ret && disk_mib)
		ret = make_scratch(g->disk, sizeof(g->disk), "disk", (off_t)disk_mib << 20);
	if (!ret && !(ret = make_scratch(logpath, sizeof(logpath), "qemu-log", 0))) {
		g->log_fd = open(logpath, O_RDWR | O_CLOEXEC);
		ret = g->log_fd < 0 ? -errno : 0;
		unlink(logpath); /* only read through log_fd */
	}
	/* A unique name for QEMU to bind: it refuses an existing file. */
	if (!ret && c->paused_qmp && !(ret = make_scratch(g->qmp, sizeof(g->qmp), "qmp", 0)))
		unlink(g->qmp);
	if (ret) {
		snprintf(err, errlen, "cannot make scratch files in %s: %s",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(-ret));
		goto fail;
	}
	ret = build_argv(g, w, c, qemu, kvm);
	if (ret) {
		snprintf(err, errlen, "QEMU command line for '%s' too long", w->name);
		goto fail;
	}
	ret = spawn(g);
	if (ret) {
		snprintf(err, errlen, "cannot run %s: %s", qemu, strerror(-ret));
		goto fail;
	}
	*out = g;
	return 0;
fail:
	vp_guest_free(g);
	return ret;
}

pid_t vp_guest_pid(const struct vp_guest *g)
{
	return g->pid;
}
const char *vp_guest_accel(const struct vp_guest *g)
{
	return g->accel;
}
const char *vp_guest_missing_device(const struct vp_guest *g)
{
	return g->missing_device;
}
char *const *vp_guest_argv(const struct vp_guest *g)
{
	return g->argv;
}
const char *vp_guest_qmp_path(const struct vp_guest *g)
{
	return g->qmp[0] ? g->qmp : NULL;
}
const char *vp_guest_serial(const struct vp_guest *g)
{
	return g->text;
}

bool vp_guest_wait_output(struct vp_guest *g, double timeout_s)
{
	double deadline = vp_now_s() + timeout_s;
	struct stat st;

	while (!(g->serial[0] && !stat(g->serial, &st) && st.st_size > 0)) {
		if (!g->pid || vp_now_s() >= deadline)
			return false;
		if (waitpid(g->pid, &g->status, WNOHANG) == g->pid) {
			g->pid = 0; /* exited: vp_guest_wait reads what it printed */
			return false;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 2 * 1000 * 1000 }, NULL);
	}
	return true;
}

/* Whole file (malloc'd, NUL-terminated) from fd's start; NULL on error. */
static char *slurp(int fd)
{
	struct stat st;
	char *buf;
	ssize_t n;

	if (fstat(fd, &st) || !(buf = malloc((size_t)st.st_size + 1)))
		return NULL;
	n = pread(fd, buf, (size_t)st.st_size, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* The last non-empty line of QEMU's own output, for error messages. */
static void last_log_line(const struct vp_guest *g, char *out, size_t len)
{
	char *log = slurp(g->log_fd), *end;

	out[0] = '\0';
	if (!log)
		return;
	end = log + strlen(log);
	while (end > log && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	while (end > log && end[-1] != '\n')
		end--;
	snprintf(out, len, "%s", end);
	free(log);
}

int vp_guest_wait(struct vp_guest *g, double timeout_s, struct vp_guest_result *r, char *err,
		  size_t errlen)
{
	double deadline = vp_now_s() + timeout_s;
	bool timed_out = false;
	char qemu_says[200];
	int fd, code, want;

	while (g->pid) {
		pid_t p = waitpid(g->pid, &g->status, WNOHANG);

		if (p == g->pid || (p < 0 && errno != EINTR)) {
			g->pid = 0;
			break;
		}
		if (timeout_s > 0 && vp_now_s() >= deadline) {
			kill(g->pid, SIGKILL);
			waitpid(g->pid, &g->status, 0);
			g->pid = 0;
			timed_out = true;
			break;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	free(g->text);
	fd = open(g->serial, O_RDONLY | O_CLOEXEC);
	g->text = fd >= 0 ? slurp(fd) : NULL;
	if (fd >= 0)
		close(fd);
	if (vp_guest_parse_output(g->text ? g->text : "", r) && !timed_out) {
		last_log_line(g, qemu_says, sizeof(qemu_says));
		snprintf(err, errlen, "no VMEXIT-RESULT line from the guest (QEMU %s %d)%s%s",
			 WIFEXITED(g->status) ? "exit code" : "signal",
			 WIFEXITED(g->status) ? WEXITSTATUS(g->status) : WTERMSIG(g->status),
			 qemu_says[0] ? ": " : "", qemu_says);
		return -EPROTO;
	}
	if (timed_out) {
		snprintf(err, errlen, "timeout: QEMU still running after %gs, killed", timeout_s);
		return -ETIMEDOUT;
	}
	/* isa-debug-exit makes QEMU exit with (code << 1) | 1. */
	code = WIFEXITED(g->status) ? WEXITSTATUS(g->status) : -1;
	want = r->code >= 0 ? (r->code << 1) | 1 : -2;
	if (code != want) {
		snprintf(err, errlen, "QEMU exit code %d does not match status=%s (want %d)", code,
			 r->status, want);
		return -EPROTO;
	}
	return 0;
}

void vp_guest_free(struct vp_guest *g)
{
	if (!g)
		return;
	if (g->pid > 0) {
		kill(g->pid, SIGKILL);
		waitpid(g->pid, NULL, 0);
	}
	if (g->disk[0])
		unlink(g->disk);
	if (g->serial[0])
		unlink(g->serial);
	if (g->qmp[0])
		unlink(g->qmp);
	if (g->log_fd >= 0)
		close(g->log_fd);
	for (size_t i = 0; i < g->nowned; i++)
		free(g->owned[i]);
	free(g->missing_device);
	free(g->text);
	free(g);
}
