/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one way vmexit-prof writes a file: whole or not at all. */
#ifndef VP_ATOMIC_FILE_H
#define VP_ATOMIC_FILE_H

#include <stdio.h>

/*
 * Writes path through write(f, arg) (0 or -errno): into a temporary file
 * beside it, flushed to the disk, then renamed over path, so a reader sees
 * the old file or the whole new one, also after a crash.  On failure the
 * temporary is removed and path is untouched.  0 or -errno.
 */
int vp_atomic_write(const char *path, int (*write)(FILE *f, void *arg), void *arg);

#endif
