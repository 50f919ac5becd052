// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "flat_hash.h"

#include <stdlib.h>
#include <string.h>

/* A slot: one byte in use, the key, the value, each 8-aligned. */
#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

static size_t slot_size(const struct vp_fhash *h)
{
	return 8 + ALIGN8(h->key_size) + ALIGN8(h->val_size);
}

static unsigned char *slot(const struct vp_fhash *h, size_t i)
{
	return h->slots + i * slot_size(h);
}

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t x = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		x = (x ^ b[i]) * 1099511628211ULL;
	return x ^ (x >> 29);
}

void vp_fhash_init(struct vp_fhash *h, size_t key_size, size_t val_size, size_t max_entries)
{
	memset(h, 0, sizeof(*h));
	h->key_size = key_size;
	h->val_size = val_size;
	h->max_entries = max_entries;
}

void vp_fhash_free(struct vp_fhash *h)
{
	free(h->slots);
	h->slots = NULL;
	h->n = h->nslots = 0;
}

static unsigned char *find(const struct vp_fhash *h, const void *key)
{
	size_t mask = h->nslots - 1, i;

	if (!h->nslots)
		return NULL;
	for (i = hash_bytes(key, h->key_size) & mask;; i = (i + 1) & mask) {
		unsigned char *s = slot(h, i);

		if (!s[0] || !memcmp(s + 8, key, h->key_size))
			return s;
	}
}

void *vp_fhash_lookup(const struct vp_fhash *h, const void *key)
{
	unsigned char *s = find(h, key);

	return s && s[0] ? s + 8 + ALIGN8(h->key_size) : NULL;
}

static int grow(struct vp_fhash *h)
{
	size_t old_n = h->nslots, n = old_n ? old_n * 2 : 64;
	unsigned char *old = h->slots;
	struct vp_fhash bigger = *h;

	bigger.slots = calloc(n, slot_size(h));
	if (!bigger.slots)
		return -1;
	bigger.nslots = n;
	for (size_t i = 0; i < old_n; i++) {
		unsigned char *s = old + i * slot_size(h);

		if (s[0])
			memcpy(find(&bigger, s + 8), s, slot_size(h));
	}
	free(old);
	*h = bigger;
	return 0;
}

void *vp_fhash_get(struct vp_fhash *h, const void *key, int *full)
{
	unsigned char *s = find(h, key);

	*full = 0;
	if (s && s[0])
		return s + 8 + ALIGN8(h->key_size);
	if (h->n >= h->max_entries) {
		*full = 1;
		return NULL;
	}
	if ((h->n + 1) * 2 > h->nslots) {
		if (grow(h))
			return NULL;
		s = find(h, key);
	}
	s[0] = 1;
	memcpy(s + 8, key, h->key_size);
	memset(s + 8 + ALIGN8(h->key_size), 0, h->val_size);
	h->n++;
	return s + 8 + ALIGN8(h->key_size);
}

void *vp_fhash_next(const struct vp_fhash *h, size_t *pos, const void **key)
{
	for (; *pos < h->nslots; (*pos)++) {
		unsigned char *s = slot(h, *pos);

		if (s[0]) {
			(*pos)++;
			*key = s + 8;
			return s + 8 + ALIGN8(h->key_size);
		}
	}
	return NULL;
}
