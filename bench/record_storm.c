// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `vmexit-prof record` of a process that only pretends to be a vCPU
 * (kvm_run_storm): `record_storm PID FD OUT [HOOK [FLAVOUR [RING_MB]]]`
 * treats FD as vCPU 0 and records until the process exits or SIGINT, as
 * the recorder records a VM; its last line on stderr says how many events,
 * bytes and drops.  What attach_fd is to the aggregating profile.
 */
#include <stdio.h>
#include <stdlib.h>

#include "record_cmd.h"

int main(int argc, char **argv)
{
	static struct vp_target t;
	struct vp_record_opts o = { .vcpu = -1, .interval_s = 1, .ring_mb = 64 };

	if (argc < 4 || argc > 7 || (argc > 4 && vp_run_hook_parse(argv[4], &o.hook)) ||
	    (argc > 5 && vp_tp_flavour_parse(argv[5], &o.flavour)) ||
	    (argc > 6 && (o.ring_mb = (unsigned)atoi(argv[6])) == 0)) {
		fprintf(stderr,
			"usage: record_storm PID FD OUT [auto|fentry|syscalls [auto|btf|classic "
			"[RING_MB]]]\n");
		return 2;
	}
	o.pid = t.pid = atoi(argv[1]);
	o.out = argv[3];
	t.nr_vcpus = 1;
	t.vcpus[0].fd = atoi(argv[2]);
	snprintf(t.comm, sizeof(t.comm), "kvm_run_storm");
	return vp_record(&o, &t, true);
}
