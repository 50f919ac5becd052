/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A hash table of fixed-size keys and values with a BPF hash map's limit:
 * at most max_entries keys, a new key past it is refused.  The replay of a
 * recording keeps its tables in these, so what overflows there is what
 * overflowed the kernel's.
 */
#ifndef VP_FLAT_HASH_H
#define VP_FLAT_HASH_H

#include <stddef.h>
#include <stdint.h>

struct vp_fhash {
	size_t key_size, val_size, max_entries;
	size_t n, nslots; /* nslots: a power of two, at least twice n */
	unsigned char *slots;
};

void vp_fhash_init(struct vp_fhash *h, size_t key_size, size_t val_size, size_t max_entries);
void vp_fhash_free(struct vp_fhash *h);
/* The value of key, or NULL. */
void *vp_fhash_lookup(const struct vp_fhash *h, const void *key);
/* key's value, made zero-filled when new; NULL when the table is full or
 * out of memory (*full tells which). */
void *vp_fhash_get(struct vp_fhash *h, const void *key, int *full);
/* Walks the entries: *pos starts at 0; NULL at the end. */
void *vp_fhash_next(const struct vp_fhash *h, size_t *pos, const void **key);

#endif
