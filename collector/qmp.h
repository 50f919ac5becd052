/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The least of a QMP client that `run --profile` needs: connect to QEMU's
 * unix socket, leave capabilities negotiation, run argument-less commands
 * (cont).  Blocking, with a deadline on every wait.
 */
#ifndef VP_QMP_H
#define VP_QMP_H

#include <stddef.h>
#include <sys/types.h>

struct vp_qmp {
	int fd;
	char buf[8192]; /* bytes received but not yet parsed */
	size_t len;
};

/* Connects (retrying while QEMU pid creates the socket, up to timeout_s),
 * reads the greeting, sends qmp_capabilities.  0 or -errno with err. */
int vp_qmp_open(struct vp_qmp *q, const char *path, pid_t pid, double timeout_s, char *err,
		size_t errlen);
/* Executes command (no arguments); 0 on "return", -EIO on "error". */
int vp_qmp_command(struct vp_qmp *q, const char *command, char *err, size_t errlen);
void vp_qmp_close(struct vp_qmp *q);

#endif
