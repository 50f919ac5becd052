/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The least of a QMP client that `run --profile` and the QMP attribution
 * source need: connect to QEMU's unix socket, leave capabilities
 * negotiation, run commands and hand back their "return" value.  Blocking,
 * with a deadline on every wait.
 */
#ifndef VP_QMP_H
#define VP_QMP_H

#include <stddef.h>
#include <sys/types.h>

struct json_t;

struct vp_qmp {
	int fd;
	/* bytes received but not yet parsed; grows, since one reply (query-pci,
	 * `info mtree -f`) is a single line of several kilobytes */
	char *buf;
	size_t len, cap;
};

/* Connects (retrying while QEMU pid creates the socket, up to timeout_s),
 * reads the greeting, sends qmp_capabilities.  0 or -errno with err. */
int vp_qmp_open(struct vp_qmp *q, const char *path, pid_t pid, double timeout_s, char *err,
		size_t errlen);
/* Executes command (no arguments); 0 on "return", -EIO on "error". */
int vp_qmp_command(struct vp_qmp *q, const char *command, char *err, size_t errlen);
/* Executes command with args (a JSON object, borrowed; NULL for none).  On
 * success *ret (if ret) owns the reply's "return" value; -EIO on "error". */
int vp_qmp_execute(struct vp_qmp *q, const char *command, struct json_t *args, struct json_t **ret,
		   char *err, size_t errlen);
void vp_qmp_close(struct vp_qmp *q);

/* The QMP socket a QEMU command line listens on: `-qmp unix:PATH,server..`
 * or `-chardev socket,id=X,path=PATH,server..` with `-mon chardev=X,
 * mode=control`.  0, -ENOENT (none) or -ENAMETOOLONG. */
int vp_qmp_socket_from_argv(int argc, char *const argv[], char *path, size_t len);
/* The same for a running process, from <proc_root>/<pid>/cmdline; a
 * relative path is resolved through the process's cwd. */
int vp_qmp_socket_for_pid(const char *proc_root, int pid, char *path, size_t len);

#endif
