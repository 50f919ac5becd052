/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A VirtIODevice's type read from QEMU's own memory: the device keeps a
 * pointer to its name ("virtio-blk", "virtio-net", ...) near its start, set
 * once by virtio_init.  This names the devices of a QEMU whose drivers were
 * set up before the profiler attached, whatever build it is.
 */
#ifndef VP_VDEV_NAME_H
#define VP_VDEV_NAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Writes the name into buf and returns 0; -ENOENT when none was found. */
int vp_vdev_name(pid_t pid, uint64_t vdev, char *buf, size_t len);

#endif
