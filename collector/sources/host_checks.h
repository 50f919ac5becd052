/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Can this host run the live source?  Each check returns 0 or a negative
 * errno and says nothing; the caller turns the answer into one message.
 * VMEXIT_PROF_SYSROOT prefixes every /sys path, so tests can present a host
 * without BTF or without kvm tracepoints.
 */
#ifndef VP_HOST_CHECKS_H
#define VP_HOST_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

/* Root, or CAP_BPF with CAP_PERFMON, or CAP_SYS_ADMIN. */
int vp_check_privileges(void);
/* The kernel's own BTF, needed for CO-RE. */
int vp_check_btf(void);
/* Finds (mounting it if needed) the tracefs that holds events/kvm. */
int vp_find_tracefs(char *dir, size_t len);
bool vp_tracepoint_exists(const char *tracefs, const char *category, const char *name);
/* All of the above, in the order a user fixes them: 0, or -1 with the one
 * line that says what is missing in err. */
int vp_check_live_host(char *err, size_t len);

#endif
