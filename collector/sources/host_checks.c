// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "host_checks.h"

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static const char *sysroot(void)
{
	const char *r = getenv("VMEXIT_PROF_SYSROOT");

	return r ? r : "";
}

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int vp_check_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (geteuid() == 0)
		return 0;
	if (syscall(SYS_capget, &hdr, data))
		return -EPERM;
	if (has_cap(data, CAP_SYS_ADMIN) || (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON)))
		return 0;
	return -EPERM;
}

int vp_check_btf(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/sys/kernel/btf/vmlinux", sysroot());
	return access(path, R_OK) ? -ENOENT : 0;
}

static bool has_events(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/events", dir);
	return access(path, F_OK) == 0;
}

int vp_find_tracefs(char *dir, size_t len)
{
	static const char *const candidates[] = { "/sys/kernel/tracing",
						  "/sys/kernel/debug/tracing" };

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		snprintf(dir, len, "%s%s", sysroot(), candidates[i]);
		if (has_events(dir))
			return 0;
	}
	/* Not mounted yet (common on minimal hosts): mount it where it belongs. */
	snprintf(dir, len, "%s/sys/kernel/tracing", sysroot());
	if (!*sysroot() && mount("tracefs", dir, "tracefs", 0, NULL) == 0 && has_events(dir))
		return 0;
	return -ENOENT;
}

bool vp_tracepoint_exists(const char *tracefs, const char *category, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/events/%s/%s", tracefs, category, name);
	return access(path, F_OK) == 0;
}

int vp_check_live_host(char *err, size_t len)
{
	char tracefs[256];

	if (vp_check_privileges()) {
		snprintf(err, len,
			 "must run as root (or with CAP_BPF and CAP_PERFMON) to load BPF "
			 "programs");
		return -1;
	}
	if (vp_check_btf()) {
		snprintf(err, len,
			 "this kernel exposes no BTF (/sys/kernel/btf/vmlinux); it needs "
			 "CONFIG_DEBUG_INFO_BTF");
		return -1;
	}
	if (vp_find_tracefs(tracefs, sizeof(tracefs)) ||
	    !vp_tracepoint_exists(tracefs, "kvm", "kvm_userspace_exit")) {
		snprintf(err, len,
			 "this kernel has no kvm tracepoints (is KVM built in or loaded?)");
		return -1;
	}
	return 0;
}
