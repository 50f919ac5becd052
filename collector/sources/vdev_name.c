// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "vdev_name.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>

/* VirtIODevice's name follows its DeviceState, a few hundred bytes in. */
#define VDEV_SCAN_BYTES 1024
#define NAME_MAX_LEN	24

static ssize_t peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

/* Only a whole "virtio-" word of lower case and digits is taken: the
 * DeviceState before it holds other pointers, none to such a string. */
static bool is_virtio_name(const char *s, size_t n)
{
	size_t i;

	if (strncmp(s, "virtio-", 7))
		return false;
	for (i = 7; i < n && s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return i > 7 && i < n;
}

int vp_vdev_name(pid_t pid, uint64_t vdev, char *buf, size_t len)
{
	uint64_t words[VDEV_SCAN_BYTES / sizeof(uint64_t)];
	ssize_t got = peek(pid, vdev, words, sizeof(words));

	for (ssize_t i = 0; got > 0 && i < got / (ssize_t)sizeof(words[0]); i++) {
		char name[NAME_MAX_LEN];

		if (words[i] < 0x10000 || words[i] >> 47)
			continue;
		if (peek(pid, words[i], name, sizeof(name)) != (ssize_t)sizeof(name))
			continue;
		if (is_virtio_name(name, sizeof(name)) && strlen(name) < len) {
			strcpy(buf, name);
			return 0;
		}
	}
	return -ENOENT;
}
