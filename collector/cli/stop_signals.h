/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What ends or reloads a long-running command, as file descriptors its
 * poll loop waits on: SIGINT, SIGTERM and SIGHUP, and the target's exit.
 */
#ifndef VP_STOP_SIGNALS_H
#define VP_STOP_SIGNALS_H

/* Blocks SIGINT, SIGTERM and SIGHUP and returns a signalfd for them, or
 * -errno. */
int vp_stop_signals_fd(void);
/* The signal read from fd (0 when none could be read). */
int vp_stop_signal_read(int fd);
/* A pidfd, readable once process pid exits, or -errno. */
int vp_pidfd_open(int pid);

#endif
