/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Growing arrays and read-to-end buffers, shared by the collector's modules. */
#ifndef VP_GROWBUF_H
#define VP_GROWBUF_H

#include <stddef.h>

/*
 * Makes room for one more element in *arr (n used, *cap allocated, elements
 * of `size` bytes), doubling from `first`.  0 or -ENOMEM (arr untouched).
 */
int vp_grow(void **arr, size_t n, size_t *cap, size_t size, size_t first);

/*
 * Reads fd to its end (retrying EINTR) into a malloc'd, NUL-terminated
 * buffer.  *out is NULL and the result -errno on failure.
 */
int vp_read_all(int fd, char **out, size_t *len);

#endif
