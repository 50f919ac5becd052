// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "target.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
		if (snprintf(link, sizeof(link), "%s/%s", dir_path, de->d_name) >= (int)sizeof(link))
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

		if (!name || sscanf(line, "%" SCNx64 "-%*x %*s %" SCNx64, &start, &offset) != 2 || offset)
			continue;
		for (int i = 0; i < t->nr_vcpus; i++)
			if (t->vcpus[i].vcpu == atoi(name + strlen(VCPU_INODE)) && !t->vcpus[i].run_addr)
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
