// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A stand-in for a vCPU thread where /dev/kvm is unusable: N ioctl(KVM_RUN)
 * calls on a non-KVM fd.  Each fails with ENOTTY but passes the same
 * raw_syscalls tracepoints a real KVM_RUN does, so it measures what tracing
 * the syscall path costs.  Waits for SIGUSR1 after printing "ready <pid> <fd>",
 * then prints "elapsed_ns <ns>".
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	struct timespec a, b;
	sigset_t set;
	int fd = open("/dev/null", O_RDONLY), sig;

	if (n <= 0 || fd < 0) {
		fprintf(stderr, "usage: kvm_run_storm [CALLS > 0]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("ready %d %d\n", (int)getpid(), fd);
	fflush(stdout);
	sigwait(&set, &sig);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		ioctl(fd, KVM_RUN, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("elapsed_ns %lld\n",
	       (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return 0;
}
