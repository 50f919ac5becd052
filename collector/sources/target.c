// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "target.h"
#include "monotonic.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define VCPU_INODE "anon_inode:kvm-vcpu:"

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static int scan_fds(const char *dir_path, struct vp_target *t)
{
	DIR *dir = opendir(dir_path);
	struct dirent *de;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char link[PATH_MAX], dest[128];
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(link, sizeof(link), "%s/%s", dir_path, de->d_name) >=
		    (int)sizeof(link))
			continue;
		n = readlink(link, dest, sizeof(dest) - 1);
		if (n < 0)
			continue; /* closed meanwhile */
		dest[n] = '\0';
		if (!strcmp(dest, "anon_inode:kvm-vm")) {
			t->has_vm_fd = 1;
		} else if (!strncmp(dest, VCPU_INODE, strlen(VCPU_INODE)) &&
			   t->nr_vcpus < VP_TARGET_MAX_VCPUS) {
			struct vp_vcpu_map *m = &t->vcpus[t->nr_vcpus++];

			m->fd = atoi(de->d_name);
			m->vcpu = atoi(dest + strlen(VCPU_INODE));
			m->run_addr = 0;
		}
	}
	closedir(dir);
	return 0;
}

/*
 * -name's value is a QEMU option list, "guest=NAME,debug-threads=on" as
 * libvirt writes it or a bare "NAME,...", where ",," stands for a comma
 * inside a value.
 */
static void name_from_opts(const char *p, char *out, size_t len)
{
	out[0] = '\0';
	for (bool first = true;; first = false) {
		const char *v = strncmp(p, "guest=", 6) ? p : p + 6;
		bool take = v != p || (first && p[strcspn(p, "=,")] != '=');
		size_t n = 0;

		for (; *v && !(v[0] == ',' && v[1] != ','); v++) {
			if (v[0] == ',')
				v++;
			if (take && n + 1 < len)
				out[n++] = *v;
		}
		if (take) {
			out[n] = '\0';
			return;
		}
		if (!*v)
			return;
		p = v + 1;
	}
}

void vp_target_parse_cmdline(const char *cmdline, size_t len, struct vp_target *t)
{
	const char *end = cmdline + len;

	t->name[0] = t->uuid[0] = '\0';
	for (const char *a = cmdline; a < end; a += strnlen(a, (size_t)(end - a)) + 1) {
		const char *v = a + strnlen(a, (size_t)(end - a)) + 1;
		/* QEMU takes its options with one dash or two */
		const char *opt = a[0] == '-' && a[1] == '-' ? a + 1 : a;

		if (v >= end)
			break;
		if (!strcmp(opt, "-name"))
			name_from_opts(v, t->name, sizeof(t->name));
		else if (!strcmp(opt, "-uuid") && strlen(v) < sizeof(t->uuid))
			snprintf(t->uuid, sizeof(t->uuid), "%s", v);
	}
}

static void read_cmdline(const char *path, struct vp_target *t)
{
	char buf[32768];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	vp_target_parse_cmdline(buf, n, t);
}

/* The VMM mmaps each vCPU fd at offset 0 to reach its struct kvm_run. */
static void scan_maps(const char *path, struct vp_target *t)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		uint64_t start, offset;
		const char *name = strstr(line, VCPU_INODE);

		if (!name || sscanf(line, "%" SCNx64 "-%*x %*s %" SCNx64, &start, &offset) != 2 ||
		    offset)
			continue;
		for (int i = 0; i < t->nr_vcpus; i++)
			if (t->vcpus[i].vcpu == atoi(name + strlen(VCPU_INODE)) &&
			    !t->vcpus[i].run_addr)
				t->vcpus[i].run_addr = start;
	}
	fclose(f);
}

int vp_target_probe(const char *proc_root, int pid, struct vp_target *t)
{
	char path[PATH_MAX];
	ssize_t n;
	int err;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	snprintf(path, sizeof(path), "%s/%d", proc_root, pid);
	if (access(path, F_OK))
		return -ESRCH;
	snprintf(path, sizeof(path), "%s/%d/comm", proc_root, pid);
	read_line(path, t->comm, sizeof(t->comm));
	snprintf(path, sizeof(path), "%s/%d/exe", proc_root, pid);
	n = readlink(path, t->exe, sizeof(t->exe) - 1);
	t->exe[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root, pid);
	read_cmdline(path, t);
	snprintf(path, sizeof(path), "%s/%d/fd", proc_root, pid);
	err = scan_fds(path, t);
	if (err == -ENOENT)
		return -ESRCH; /* exited between the two looks */
	if (err)
		return err == -EPERM ? -EACCES : err;
	if (!t->has_vm_fd)
		return -ENOTTY;
	snprintf(path, sizeof(path), "%s/%d/maps", proc_root, pid);
	scan_maps(path, t);
	return 0;
}

/* A zombie still has its /proc entry, but will never create a vCPU. */
static int exited(const char *proc_root, int pid)
{
	char path[PATH_MAX], line[512], *paren;

	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, pid);
	read_line(path, line, sizeof(line));
	paren = strrchr(line, ')');
	return paren && (paren[1] == ' ') && (paren[2] == 'Z' || paren[2] == 'X');
}

static int vcpus_ready(const struct vp_target *t, int want)
{
	int mapped = 0;

	for (int i = 0; i < t->nr_vcpus; i++)
		mapped += t->vcpus[i].run_addr != 0;
	return t->nr_vcpus >= want && mapped == t->nr_vcpus;
}

static void how_far(const struct vp_target *t, int err, int want, double waited, char *buf,
		    size_t len)
{
	if (err == -ESRCH)
		snprintf(buf, len, "it exited before creating its vCPUs");
	else if (err == -ENOTTY)
		snprintf(buf, len, "it opened no KVM VM within %.0f s", waited);
	else if (err)
		snprintf(buf, len, "cannot read its file descriptors: %s", strerror(-err));
	else if (t->nr_vcpus < want)
		snprintf(buf, len, "it has created %d of its %d vCPU%s after %.0f s", t->nr_vcpus,
			 want, want == 1 ? "" : "s", waited);
	else
		snprintf(buf, len, "it has not mapped the kvm_run of all its vCPUs after %.0f s",
			 waited);
}

int vp_target_wait_vcpus(const char *proc_root, int pid, int want, double timeout_s,
			 struct vp_target *t, char *err, size_t errlen)
{
	double start = vp_now_s();
	int ret;

	if (want < 1)
		want = 1;
	for (;;) {
		ret = vp_target_probe(proc_root, pid, t);
		if (!ret && vcpus_ready(t, want))
			return 0;
		if (ret == -ESRCH || exited(proc_root, pid))
			ret = -ESRCH;
		/* Unreadable fds will not become readable by waiting. */
		if (ret == -ESRCH || (ret && ret != -ENOTTY) || vp_now_s() - start >= timeout_s)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	how_far(t, ret, want, vp_now_s() - start, err, errlen);
	return ret == -ESRCH || (ret && ret != -ENOTTY) ? ret : -ETIMEDOUT;
}
