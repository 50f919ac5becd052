// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for collector/sources/target.c, run against a fake /proc tree built in
 * a temporary directory: fd symlinks carry the anon-inode names the kernel
 * shows, maps lines follow the /proc/PID/maps format.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "target.h"

static char root[] = "/tmp/vp-test-target-XXXXXX";

static void mkdirf(const char *fmt, int pid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), fmt, root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void make_pid(int pid, const char *comm, const char *exe)
{
	char path[PATH_MAX];

	mkdirf("%s/%d", pid);
	mkdirf("%s/%d/fd", pid);
	if (comm) {
		snprintf(path, sizeof(path), "%s/%d/comm", root, pid);
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fprintf(f, "%s\n", comm);
		fclose(f);
	}
	if (exe) {
		snprintf(path, sizeof(path), "%s/%d/exe", root, pid);
		assert_int_equal(symlink(exe, path), 0);
	}
}

static void add_fd(int pid, int fd, const char *dest)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%d/fd/%d", root, pid, fd);
	assert_int_equal(symlink(dest, path), 0);
}

static void write_maps(int pid, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/maps", root, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

enum {
	QEMU = 100,
	SLEEP = 200,
	GONE = 300,
	EXITING = 400,
	BARE_VM = 500,
	NO_MAPS = 600,
	ZOMBIE = 700,
	STARTING = 800
};

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root))
		return -1;

	/* a VMM with two vCPUs */
	make_pid(QEMU, "qemu-system-x86", "/usr/bin/qemu-system-x86_64");
	add_fd(QEMU, 0, "/dev/null");
	add_fd(QEMU, 1, "pipe:[4242]");
	add_fd(QEMU, 9, "/dev/kvm");
	add_fd(QEMU, 10, "anon_inode:kvm-vm");
	add_fd(QEMU, 11, "anon_inode:kvm-vcpu:0");
	add_fd(QEMU, 12, "anon_inode:kvm-vcpu:1");
	add_fd(QEMU, 13, "anon_inode:[eventfd]");
	{
		/* as libvirt starts QEMU: the name and UUID a fleet knows the VM by */
		static const char cmd[] =
			"qemu-system-x86_64\0-name\0guest=web-01,debug-threads=on\0"
			"-uuid\0"
			"6a1b2c3d-0000-4000-8000-0123456789ab\0-m\0512\0";
		char path[PATH_MAX];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%d/cmdline", root, QEMU);
		f = fopen(path, "w");
		assert_non_null(f);
		fwrite(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
	}
	write_maps(QEMU,
		   "555555554000-555555556000 r-xp 00000000 08:01 131 /usr/bin/qemu-system-x86_64\n"
		   /* vCPU 10 does not exist here; "kvm-vcpu:10" must not pass for vCPU 1 */
		   "7f0000000000-7f0000003000 rw-s 00000000 00:0e 1240    anon_inode:kvm-vcpu:10\n"
		   /* the coalesced-MMIO ring: same fd, non-zero offset, not the kvm_run */
		   "7f0000008000-7f0000009000 rw-s 00003000 00:0e 1234    anon_inode:kvm-vcpu:1\n"
		   "7f0000001000-7f0000004000 rw-s 00000000 00:0e 1234    anon_inode:kvm-vcpu:1\n"
		   "7f0000010000-7f0000013000 rw-s 00000000 00:0e 1233    anon_inode:kvm-vcpu:0\n"
		   "7f0000020000-7f0000021000 rw-s 00003000 00:0e 1233    anon_inode:kvm-vcpu:0\n"
		   "7ffff7dd3000-7ffff7dfc000 r-xp 00000000 08:01 99 /lib/x86_64-linux-gnu/ld.so\n"
		   "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          "
		   "[stack]\n");

	/* an ordinary process */
	make_pid(SLEEP, "sleep", "/usr/bin/sleep");
	add_fd(SLEEP, 0, "/dev/null");
	add_fd(SLEEP, 1, "/dev/pts/0");
	add_fd(SLEEP, 2, "/dev/kvm"); /* opening /dev/kvm does not make a VM */
	write_maps(SLEEP, "555555554000-555555556000 r-xp 00000000 08:01 131 /usr/bin/sleep\n");

	/* a process that exited between the two looks: its fd dir is gone */
	mkdirf("%s/%d", EXITING);

	/* a VM whose vCPUs are not created yet */
	make_pid(BARE_VM, "vmm", "/opt/vmm");
	add_fd(BARE_VM, 5, "anon_inode:kvm-vm");
	write_maps(BARE_VM, "");

	/* vCPU fds that were never mapped, and no maps file at all */
	make_pid(NO_MAPS, "vmm2", NULL);
	add_fd(NO_MAPS, 3, "anon_inode:kvm-vm");
	add_fd(NO_MAPS, 4, "anon_inode:kvm-vcpu:0");

	/* a VMM that died while starting: its entry stays until it is reaped */
	make_pid(ZOMBIE, "qemu-system-x86", NULL);
	write_maps(ZOMBIE, "");
	{
		char path[PATH_MAX];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%d/stat", root, ZOMBIE);
		f = fopen(path, "w");
		assert_non_null(f);
		/* the name may hold ") Z": only the last parenthesis ends it */
		fputs("700 (qemu (x) R) Z 1 700 700 0 -1 4194564 0 0 0 0\n", f);
		fclose(f);
	}

	/* a QEMU still initialising: nothing of KVM yet (the thread below adds it) */
	make_pid(STARTING, "qemu-system-x86", "/usr/bin/qemu-system-x86_64");
	add_fd(STARTING, 0, "/dev/null");
	write_maps(STARTING, "");
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const struct vp_vcpu_map *by_fd(const struct vp_target *t, int fd)
{
	for (int i = 0; i < t->nr_vcpus; i++)
		if (t->vcpus[i].fd == fd)
			return &t->vcpus[i];
	return NULL;
}

static void test_vmm(void **state)
{
	struct vp_target *t = calloc(1, sizeof(*t));
	const struct vp_vcpu_map *m;

	(void)state;
	assert_non_null(t);
	assert_int_equal(vp_target_probe(root, QEMU, t), 0);
	assert_int_equal(t->pid, QEMU);
	assert_string_equal(t->comm, "qemu-system-x86");
	assert_string_equal(t->exe, "/usr/bin/qemu-system-x86_64");
	assert_true(t->has_vm_fd);
	assert_int_equal(t->nr_vcpus, 2);

	m = by_fd(t, 11);
	assert_non_null(m);
	assert_int_equal(m->vcpu, 0);
	assert_int_equal(m->run_addr, 0x7f0000010000ULL);

	m = by_fd(t, 12);
	assert_non_null(m);
	assert_int_equal(m->vcpu, 1);
	assert_int_equal(m->run_addr, 0x7f0000001000ULL);
	free(t);
}

static void test_not_a_vm(void **state)
{
	struct vp_target *t = calloc(1, sizeof(*t));

	(void)state;
	assert_non_null(t);
	assert_int_equal(vp_target_probe(root, SLEEP, t), -ENOTTY);
	assert_false(t->has_vm_fd);
	assert_int_equal(t->nr_vcpus, 0);
	/* the error message names the process, so its name is known */
	assert_string_equal(t->comm, "sleep");
	free(t);
}

static void test_no_such_process(void **state)
{
	struct vp_target *t = calloc(1, sizeof(*t));

	(void)state;
	assert_non_null(t);
	assert_int_equal(vp_target_probe(root, GONE, t), -ESRCH);
	assert_int_equal(vp_target_probe(root, EXITING, t), -ESRCH);
	assert_int_equal(vp_target_probe("/nonexistent-proc-root", QEMU, t), -ESRCH);
	free(t);
}

static void test_vm_without_vcpus(void **state)
{
	struct vp_target *t = calloc(1, sizeof(*t));

	(void)state;
	assert_non_null(t);
	assert_int_equal(vp_target_probe(root, BARE_VM, t), 0);
	assert_true(t->has_vm_fd);
	assert_int_equal(t->nr_vcpus, 0);
	assert_string_equal(t->comm, "vmm");
	assert_string_equal(t->exe, "/opt/vmm");
	free(t);
}

static void test_unmapped_vcpu(void **state)
{
	struct vp_target *t = calloc(1, sizeof(*t));

	(void)state;
	assert_non_null(t);
	/* earlier results must not leak into this one */
	assert_int_equal(vp_target_probe(root, QEMU, t), 0);
	assert_int_equal(vp_target_probe(root, NO_MAPS, t), 0);
	assert_int_equal(t->pid, NO_MAPS);
	assert_string_equal(t->exe, "");
	assert_int_equal(t->nr_vcpus, 1);
	assert_int_equal(t->vcpus[0].fd, 4);
	assert_int_equal(t->vcpus[0].vcpu, 0);
	assert_int_equal(t->vcpus[0].run_addr, 0);
	free(t);
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 }, NULL);
}

/* What QEMU does while the profiler waits: /dev/kvm, the VM, then each
 * vCPU and its kvm_run mapping, a while apart. */
static void *qemu_starts(void *arg)
{
	(void)arg;
	sleep_ms(60);
	add_fd(STARTING, 9, "/dev/kvm");
	add_fd(STARTING, 10, "anon_inode:kvm-vm");
	sleep_ms(60);
	add_fd(STARTING, 11, "anon_inode:kvm-vcpu:0");
	add_fd(STARTING, 12, "anon_inode:kvm-vcpu:1");
	sleep_ms(60);
	write_maps(STARTING,
		   "7f0000010000-7f0000013000 rw-s 00000000 00:0e 1233    anon_inode:kvm-vcpu:0\n");
	sleep_ms(60);
	write_maps(STARTING,
		   "7f0000010000-7f0000013000 rw-s 00000000 00:0e 1233    anon_inode:kvm-vcpu:0\n"
		   "7f0000020000-7f0000023000 rw-s 00000000 00:0e 1234    anon_inode:kvm-vcpu:1\n");
	return NULL;
}

static void test_wait_for_starting_vmm(void **state)
{
	struct vp_target *t = calloc(1, sizeof(*t));
	char err[200] = "";
	pthread_t th;

	(void)state;
	assert_non_null(t);
	/* what one look sees today, while QEMU has not opened /dev/kvm */
	assert_int_equal(vp_target_probe(root, STARTING, t), -ENOTTY);
	assert_int_equal(pthread_create(&th, NULL, qemu_starts, NULL), 0);
	assert_int_equal(vp_target_wait_vcpus(root, STARTING, 2, 10.0, t, err, sizeof(err)), 0);
	pthread_join(th, NULL);
	assert_int_equal(t->nr_vcpus, 2);
	assert_int_not_equal(t->vcpus[0].run_addr, 0);
	assert_int_not_equal(t->vcpus[1].run_addr, 0);
	/* already there: no wait */
	assert_int_equal(vp_target_wait_vcpus(root, QEMU, 2, 0.0, t, err, sizeof(err)), 0);
	free(t);
}

static void test_wait_gives_up(void **state)
{
	struct vp_target *t = calloc(1, sizeof(*t));
	char err[200];

	(void)state;
	assert_non_null(t);
	assert_int_equal(vp_target_wait_vcpus(root, SLEEP, 1, 0.05, t, err, sizeof(err)),
			 -ETIMEDOUT);
	assert_string_equal(err, "it opened no KVM VM within 0 s");
	assert_int_equal(vp_target_wait_vcpus(root, BARE_VM, 2, 0.05, t, err, sizeof(err)),
			 -ETIMEDOUT);
	assert_string_equal(err, "it has created 0 of its 2 vCPUs after 0 s");
	assert_int_equal(vp_target_wait_vcpus(root, NO_MAPS, 1, 0.05, t, err, sizeof(err)),
			 -ETIMEDOUT);
	assert_string_equal(err, "it has not mapped the kvm_run of all its vCPUs after 0 s");
	/* a QEMU that died is not waited for */
	assert_int_equal(vp_target_wait_vcpus(root, GONE, 1, 30.0, t, err, sizeof(err)), -ESRCH);
	assert_string_equal(err, "it exited before creating its vCPUs");
	assert_int_equal(vp_target_wait_vcpus(root, ZOMBIE, 1, 30.0, t, err, sizeof(err)), -ESRCH);
	free(t);
}

/* The -name and -uuid of a VMM command line, NUL-separated as in /proc. */
static void expect_cmdline(const char *cmd, size_t len, const char *name, const char *uuid)
{
	struct vp_target *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	vp_target_parse_cmdline(cmd, len, t);
	assert_string_equal(t->name, name);
	assert_string_equal(t->uuid, uuid);
	free(t);
}

#define EXPECT_CMDLINE(lit, name, uuid) expect_cmdline(lit, sizeof(lit) - 1, name, uuid)

static void test_cmdline_name(void **state)
{
	struct vp_target *t = calloc(1, sizeof(*t));

	(void)state;
	assert_non_null(t);
	/* what the exporter labels the VM by, read from the probe of /proc */
	assert_int_equal(vp_target_probe(root, QEMU, t), 0);
	assert_string_equal(t->name, "web-01");
	assert_string_equal(t->uuid, "6a1b2c3d-0000-4000-8000-0123456789ab");
	free(t);
	/* a bare name, and options before it */
	EXPECT_CMDLINE("qemu\0-name\0db\0", "db", "");
	EXPECT_CMDLINE("qemu\0-name\0db,process=qemu-db\0", "db", "");
	EXPECT_CMDLINE("qemu\0-name\0debug-threads=on,guest=late\0", "late", "");
	/* ",," is a comma inside the value; two dashes work as one */
	EXPECT_CMDLINE("qemu\0--name\0guest=a,,b,debug-threads=on\0", "a,b", "");
	/* no name, or -name without a value at the end */
	EXPECT_CMDLINE("qemu\0-m\0512\0-name\0", "", "");
	EXPECT_CMDLINE("qemu\0-uuid\0u-1\0", "", "u-1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmm),
		cmocka_unit_test(test_not_a_vm),
		cmocka_unit_test(test_no_such_process),
		cmocka_unit_test(test_vm_without_vcpus),
		cmocka_unit_test(test_unmapped_vcpu),
		cmocka_unit_test(test_wait_for_starting_vmm),
		cmocka_unit_test(test_wait_gives_up),
		cmocka_unit_test(test_cmdline_name),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
