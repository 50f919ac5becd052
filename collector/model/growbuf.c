// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "growbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int vp_grow(void **arr, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t want;
	void *p;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : first;
	p = realloc(*arr, want * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = want;
	return 0;
}

int vp_read_all(int fd, char **out, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		ssize_t got;

		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = cap * 2 + 8192);

			if (!b) {
				free(buf);
				*out = NULL;
				return -ENOMEM;
			}
			buf = b;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = -errno;

			free(buf);
			*out = NULL;
			return err;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}
