// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "usdt_replay.h"

#include <errno.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flat_hash.h"
#include "qemu_usdt.h"
#include "usdt_tables.h"

#define VDEV_NAME_LEN 32

_Static_assert(VP_REC_NAME_LEN == VP_USDT_NAME_LEN, "a recorded name is a kernel table's value");

struct vp_usdt_replay {
	/* The probes' tables (bpf/qemu_usdt.bpf.c), as big as theirs. */
	struct vp_fhash mr_counts, mr_names, mr_markers, access_mr, thread_last_mr, vdev_mr,
		event_counts, vdev_type, irq_counts;
	__u64 mark_epoch, dropped_counts, dropped_names;
	struct vp_fhash vdev_names; /* u64 -> char[VDEV_NAME_LEN], from the recorder */
	uint64_t nevents;
	int err;
};

/* The probes' code sees the replay being driven. */
static struct vp_usdt_replay *ucur;

static inline void *bpf_map_lookup_elem(struct vp_fhash *h, const void *key)
{
	return vp_fhash_lookup(h, key);
}

/* A BPF hash map's update: a new key past max_entries is refused. */
static inline int bpf_map_update_elem(struct vp_fhash *h, const void *key, const void *val,
				      __u64 flags)
{
	void *v;
	int full;

	if (flags == BPF_NOEXIST && vp_fhash_lookup(h, key))
		return -EEXIST;
	v = vp_fhash_get(h, key, &full);
	if (!v) {
		if (!full)
			ucur->err = -ENOMEM;
		return -E2BIG;
	}
	memcpy(v, val, h->val_size);
	return 0;
}

#define mr_counts      (ucur->mr_counts)
#define mr_names       (ucur->mr_names)
#define mr_markers     (ucur->mr_markers)
#define access_mr      (ucur->access_mr)
#define thread_last_mr (ucur->thread_last_mr)
#define vdev_mr	       (ucur->vdev_mr)
#define event_counts   (ucur->event_counts)
#define vdev_type      (ucur->vdev_type)
#define irq_counts     (ucur->irq_counts)
#define mark_epoch     (ucur->mark_epoch)
#define dropped_counts (ucur->dropped_counts)
#define dropped_names  (ucur->dropped_names)

#include "qemu_usdt_core.bpf.h"

#undef mr_counts
#undef mr_names
#undef mr_markers
#undef access_mr
#undef thread_last_mr
#undef vdev_mr
#undef event_counts
#undef vdev_type
#undef irq_counts
#undef mark_epoch
#undef dropped_counts
#undef dropped_names

struct vp_usdt_replay *vp_usdt_replay_new(void)
{
	struct vp_usdt_replay *ur = calloc(1, sizeof(*ur));

	if (!ur)
		return NULL;
	vp_fhash_init(&ur->mr_counts, sizeof(struct vp_usdt_key), sizeof(struct vp_usdt_value),
		      VP_USDT_MAX_REGIONS);
	vp_fhash_init(&ur->mr_names, sizeof(__u64), VP_USDT_NAME_LEN, VP_USDT_MAX_REGIONS);
	vp_fhash_init(&ur->mr_markers, sizeof(__u64), sizeof(__u32), VP_USDT_MAX_MARKERS);
	vp_fhash_init(&ur->access_mr, sizeof(struct vp_usdt_access), sizeof(__u64),
		      VP_USDT_MAX_JOINS);
	vp_fhash_init(&ur->thread_last_mr, sizeof(__u32), sizeof(__u64), VP_USDT_MAX_JOINS);
	vp_fhash_init(&ur->vdev_mr, sizeof(__u64), sizeof(__u64), VP_USDT_MAX_JOINS);
	vp_fhash_init(&ur->event_counts, sizeof(struct vp_usdt_event_key),
		      sizeof(struct vp_usdt_value), VP_USDT_MAX_JOINS);
	vp_fhash_init(&ur->vdev_type, sizeof(__u64), sizeof(__u32), VP_USDT_MAX_JOINS);
	vp_fhash_init(&ur->irq_counts, sizeof(struct vp_usdt_irq_key),
		      sizeof(struct vp_usdt_irq_value), VP_USDT_MAX_JOINS);
	vp_fhash_init(&ur->vdev_names, sizeof(__u64), VDEV_NAME_LEN, VP_USDT_MAX_JOINS);
	return ur;
}

void vp_usdt_replay_free(struct vp_usdt_replay *ur)
{
	if (!ur)
		return;
	vp_fhash_free(&ur->mr_counts);
	vp_fhash_free(&ur->mr_names);
	vp_fhash_free(&ur->mr_markers);
	vp_fhash_free(&ur->access_mr);
	vp_fhash_free(&ur->thread_last_mr);
	vp_fhash_free(&ur->vdev_mr);
	vp_fhash_free(&ur->event_counts);
	vp_fhash_free(&ur->vdev_type);
	vp_fhash_free(&ur->irq_counts);
	vp_fhash_free(&ur->vdev_names);
	free(ur);
}

int vp_usdt_replay_event(struct vp_usdt_replay *ur, const struct vp_replay_ev *ev)
{
	char name[VP_USDT_NAME_LEN];

	ucur = ur;
	ur->err = 0;
	if (ev->type != VP_REC_QEMU)
		return 0;
	if (ev->flags & VP_REC_F_NAME) {
		memcpy(name, ev->name, sizeof(name));
		name[sizeof(name) - 1] = '\0';
		usdt_learn_name(ev->a[0], name);
	} else {
		usdt_apply(ev->tid, ev->a[0], ev->a[1], ev->a[2]);
	}
	ur->nevents++;
	return ur->err;
}

int vp_usdt_replay_vdev(struct vp_usdt_replay *ur, uint64_t vdev, const char *name)
{
	char *v;
	int full;

	v = vp_fhash_get(&ur->vdev_names, &vdev, &full);
	if (!v)
		return full ? 0 : -ENOMEM;
	snprintf(v, VDEV_NAME_LEN, "%s", name);
	return 0;
}

static struct vp_fhash *table(struct vp_usdt_replay *ur, enum vp_usdt_table t)
{
	switch (t) {
	case VP_UT_MR_COUNTS: return &ur->mr_counts;
	case VP_UT_MR_NAMES: return &ur->mr_names;
	case VP_UT_ACCESS_MR: return &ur->access_mr;
	case VP_UT_IRQ_COUNTS: return &ur->irq_counts;
	case VP_UT_EVENT_COUNTS: return &ur->event_counts;
	case VP_UT_VDEV_TYPE: return &ur->vdev_type;
	case VP_UT_VDEV_MR:
	default: return &ur->vdev_mr;
	}
}

static int each(void *ctx, enum vp_usdt_table t, vp_usdt_entry_fn fn, void *arg)
{
	const struct vp_fhash *h = table(ctx, t);
	const void *key;
	size_t pos = 0;
	void *val;
	int ret;

	while ((val = vp_fhash_next(h, &pos, &key)))
		if ((ret = fn(arg, key, val)))
			return ret;
	return 0;
}

static int lookup(void *ctx, enum vp_usdt_table t, const void *key, void *val)
{
	const struct vp_fhash *h = table(ctx, t);
	const void *v = vp_fhash_lookup(h, key);

	if (!v)
		return -ENOENT;
	memcpy(val, v, h->val_size);
	return 0;
}

static int vdev_name(void *ctx, uint64_t vdev, char *buf, size_t len)
{
	struct vp_usdt_replay *ur = ctx;
	const char *v = vp_fhash_lookup(&ur->vdev_names, &vdev);

	if (!v)
		return -ENOENT;
	snprintf(buf, len, "%.*s", VDEV_NAME_LEN, v);
	return 0;
}

int vp_usdt_replay_counts(struct vp_usdt_replay *ur, struct vp_usdt_counts *c)
{
	const struct vp_usdt_tables t = { .ctx = ur,
					  .each = each,
					  .lookup = lookup,
					  .vdev_name = vdev_name,
					  .mark_epoch = ur->mark_epoch,
					  .dropped_counts = ur->dropped_counts,
					  .dropped_names = ur->dropped_names };

	return vp_usdt_counts_build(&t, c);
}

uint64_t vp_usdt_replay_events(const struct vp_usdt_replay *ur)
{
	return ur->nevents;
}
