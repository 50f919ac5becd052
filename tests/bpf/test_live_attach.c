// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live programs on the running kernel: they load with CO-RE, attach to
 * every kvm tracepoint and to ioctl(KVM_RUN), count only the target's
 * threads, and leave nothing behind when closed.  ioctl(KVM_RUN) on a
 * non-KVM fd fails with ENOTTY but still passes the syscall tracepoints,
 * which makes it a real event source on any host: the syscall hook is
 * asked for (fentry on kvm_arch_vcpu_ioctl_run never sees such a call; the
 * kvm tests cover it on KVM).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vmexit_source.h"

#define CALLS 5

/* Programs of ours currently loaded in the kernel (names start "tp_"). */
static int our_programs(void)
{
	__u32 id = 0;
	int n = 0;

	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    (!strncmp(info.name, "tp_kvm_", 7) || !strncmp(info.name, "tp_sys_", 7) ||
		     !strncmp(info.name, "btf_kvm_", 8)))
			n++;
		close(fd);
	}
	return n;
}

static void kvm_run_calls(int fd, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(ioctl(fd, KVM_RUN, 0), -1);
}

static void attach_count_filter_detach(void **state)
{
	static struct kvm_run fake_run; /* where a VMM would have mapped it */
	static struct vp_target t;
	struct vp_live_opts lo = { .vcpu_filter = -1, .hook = VP_RUN_HOOK_SYSCALLS };
	struct vp_result res;
	struct vp_live live;
	char err[256] = "";
	int before, fd;
	pid_t child;

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: attaching BPF programs needs root\n");
		return;
	}
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	t.pid = getpid();
	t.nr_vcpus = 1;
	t.vcpus[0] = (struct vp_vcpu_map){ .fd = fd, .vcpu = 0, .run_addr = (uintptr_t)&fake_run };

	before = our_programs();
	if (vp_live_open(&live, &t, &lo, err, sizeof(err)))
		fail_msg("vp_live_open: %s", err);
	assert_string_equal(live.missing, ""); /* every traced event exists on this kernel */
	/* one program per kvm tracepoint, whichever flavour, and the pair on
	 * the system calls */
	assert_int_equal(our_programs(), before + 13);
	assert_int_equal(live.hook, VP_RUN_HOOK_SYSCALLS);

	kvm_run_calls(fd, CALLS);
	child = fork();
	if (child == 0) {
		for (int i = 0; i < 3; i++)
			ioctl(fd, KVM_RUN, 0);
		_exit(0);
	}
	waitpid(child, NULL, 0);

	vp_result_init(&res);
	assert_int_equal(vp_live_read(&live, &res), 0);
	assert_int_equal(res.counters[VP_C_EV_RUN_ENTER], CALLS);
	struct vp_key k = { .kind = VP_K_RUN, .vcpu = 0 };
	const struct vp_row *run = vp_result_find(&res, &k);
	assert_non_null(run);
	assert_int_equal(run->st.count, CALLS);
	assert_true(run->st.kern_ns > 0);
	assert_true(run->st.max_ns >= run->st.min_ns);
	vp_result_free(&res);

	vp_live_close(&live);
	/* Programs are freed once their last reference goes; allow the RCU grace period. */
	for (int i = 0; i < 200 && our_programs() != before; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	assert_int_equal(our_programs(), before);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attach_count_filter_detach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
