// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vmexit-prof's live source attached to a process that only pretends to be a
 * vCPU (kvm_run_storm): `attach_fd PID FD [HOOK [FLAVOUR]]` treats FD as
 * vCPU 0, with KVM_RUN hooked as --run-hook HOOK and the tracepoints read as
 * --tracepoints FLAVOUR say (auto by default).  Prints "attached HOOK
 * FLAVOUR", then on SIGINT/SIGTERM the number of KVM_RUN calls it saw.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmexit_source.h"

int main(int argc, char **argv)
{
	static struct vp_target t;
	struct vp_live_opts lo = { .vcpu_filter = -1 };
	struct vp_result res;
	struct vp_live live;
	char err[256];
	sigset_t set;
	int sig;

	if (argc < 3 || argc > 5 || (argc > 3 && vp_run_hook_parse(argv[3], &lo.hook)) ||
	    (argc > 4 && vp_tp_flavour_parse(argv[4], &lo.flavour))) {
		fprintf(stderr,
			"usage: attach_fd PID FD [auto|fentry|syscalls [auto|btf|classic]]\n");
		return 2;
	}
	t.pid = atoi(argv[1]);
	t.nr_vcpus = 1;
	t.vcpus[0].fd = atoi(argv[2]);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (vp_live_open(&live, &t, &lo, err, sizeof(err))) {
		fprintf(stderr, "attach_fd: %s\n", err);
		return 2;
	}
	printf("attached %s %s\n", vp_run_hook_name(live.hook), vp_tp_flavour_name(live.flavour));
	fflush(stdout);
	sigwait(&set, &sig);
	vp_result_init(&res);
	if (vp_live_read(&live, &res) == 0)
		printf("kvm_run_calls %llu\n", (unsigned long long)res.counters[VP_C_EV_RUN_ENTER]);
	vp_result_free(&res);
	vp_live_close(&live);
	return 0;
}
