// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "result.h"
#include "growbuf.h"
#include "vmexit_stat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void vp_result_init(struct vp_result *r)
{
	memset(r, 0, sizeof(*r));
}

void vp_result_free(struct vp_result *r)
{
	free(r->rows);
	r->rows = NULL;
	r->nrows = r->cap = 0;
}

int vp_result_copy(struct vp_result *dst, const struct vp_result *src)
{
	int err = 0;

	vp_result_clear(dst);
	for (size_t i = 0; i < src->nrows && !err; i++)
		err = vp_result_append(dst, &src->rows[i].key, &src->rows[i].st);
	memcpy(dst->counters, src->counters, sizeof(dst->counters));
	dst->meta = src->meta;
	return err;
}

void vp_result_clear(struct vp_result *r)
{
	r->nrows = 0;
	memset(r->counters, 0, sizeof(r->counters));
}

const struct vp_row *vp_result_find(const struct vp_result *r, const struct vp_key *key)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (keys_equal(&r->rows[i].key, key))
			return &r->rows[i];
	return NULL;
}

void vp_stat_merge(struct vp_stat *dst, const struct vp_stat *src)
{
	stat_merge(dst, src);
}

static uint64_t key_hash(const struct vp_key *k)
{
	uint64_t h = 1469598103934665603ull;
	const uint64_t words[] = { (uint64_t)k->kind | (uint64_t)k->dir << 8 |
					   (uint64_t)k->isa << 16 | (uint64_t)k->size << 24 |
					   (uint64_t)k->vcpu << 32 | (uint64_t)k->flags << 48,
				   (uint64_t)k->code | (uint64_t)k->vm << 32, k->addr };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		h ^= words[i];
		h *= 1099511628211ull;
		h ^= h >> 29;
	}
	return h;
}

int vp_result_merge(struct vp_result *dst, const struct vp_result *src)
{
	size_t size = 16, mask;
	size_t *slot; /* index into src's rows + 1, 0: empty */
	bool *seen;
	int err = 0;

	if (!src->nrows)
		return 0;
	while (size < 2 * src->nrows)
		size *= 2;
	mask = size - 1;
	slot = calloc(size, sizeof(*slot));
	seen = calloc(src->nrows, sizeof(*seen));
	if (!slot || !seen) {
		free(slot);
		free(seen);
		return -ENOMEM;
	}
	for (size_t i = 0; i < src->nrows; i++) {
		size_t h = key_hash(&src->rows[i].key) & mask;

		while (slot[h])
			h = (h + 1) & mask;
		slot[h] = i + 1;
	}
	for (size_t j = 0; j < dst->nrows; j++) {
		const struct vp_key *k = &dst->rows[j].key;

		for (size_t h = key_hash(k) & mask; slot[h]; h = (h + 1) & mask) {
			size_t i = slot[h] - 1;

			if (keys_equal(&src->rows[i].key, k)) {
				stat_merge(&dst->rows[j].st, &src->rows[i].st);
				seen[i] = true;
				break;
			}
		}
	}
	for (size_t i = 0; !err && i < src->nrows; i++)
		if (!seen[i])
			err = vp_result_append(dst, &src->rows[i].key, &src->rows[i].st);
	free(slot);
	free(seen);
	return err;
}

int vp_result_append(struct vp_result *r, const struct vp_key *key, const struct vp_stat *st)
{
	if (vp_grow((void **)&r->rows, r->nrows, &r->cap, sizeof(*r->rows), 64))
		return -ENOMEM;
	r->rows[r->nrows].key = *key;
	r->rows[r->nrows].st = *st;
	r->nrows++;
	return 0;
}

int vp_result_add(struct vp_result *r, const struct vp_key *key, const struct vp_stat *st)
{
	struct vp_row *row = (struct vp_row *)vp_result_find(r, key);

	if (row) {
		vp_stat_merge(&row->st, st);
		return 0;
	}
	return vp_result_append(r, key, st);
}

/* The event counter each kind of row counts, or -1. */
static int counter_of(uint8_t kind)
{
	switch (kind) {
	case VP_K_EXIT: return VP_C_EV_EXIT;
	case VP_K_USER: return VP_C_EV_USER_EXIT;
	case VP_K_PIO: return VP_C_EV_PIO;
	case VP_K_MMIO: return VP_C_EV_MMIO;
	case VP_K_FAST_MMIO: return VP_C_EV_FAST_MMIO;
	case VP_K_CPUID: return VP_C_EV_CPUID;
	case VP_K_MSR: return VP_C_EV_MSR;
	case VP_K_HYPERCALL: return VP_C_EV_HYPERCALL;
	case VP_K_IRQ:
	case VP_K_MSI: return VP_C_EV_IRQ;
	case VP_K_RUN: return VP_C_EV_RUN_ENTER;
	default: return -1;
	}
}

int vp_result_of_vm(const struct vp_result *all, uint32_t vm, struct vp_result *out)
{
	vp_result_clear(out);
	/* What did not fit is the host's; the events are the VM's rows. */
	for (int c = VP_C_STATS_FULL; c < VP_C_MAX; c++)
		out->counters[c] = all->counters[c];
	for (size_t i = 0; i < all->nrows; i++) {
		struct vp_key k = all->rows[i].key;
		int c;

		if (k.vm != vm)
			continue;
		k.vm = 0;
		if (vp_result_append(out, &k, &all->rows[i].st))
			return -ENOMEM;
		if (k.flags & VP_KEY_FOLDED || (c = counter_of(k.kind)) < 0)
			continue;
		out->counters[c] += all->rows[i].st.count;
	}
	out->counters[VP_C_EV_ENTRY] = out->counters[VP_C_EV_EXIT];
	out->counters[VP_C_EV_RUN_EXIT] = out->counters[VP_C_EV_RUN_ENTER];
	return 0;
}

void vp_result_resolve_vcpu(struct vp_result *r, uint16_t vcpu)
{
	size_t kept = 0;

	for (size_t i = 0; i < r->nrows; i++) {
		struct vp_row row = r->rows[i];
		struct vp_row *same;

		if (row.key.vcpu == VP_VCPU_UNKNOWN) {
			row.key.vcpu = vcpu;
			/* Only rows kept so far can hold the key: later ones are
			 * looked at in their turn, and merge into this one then. */
			same = NULL;
			for (size_t j = 0; j < kept && !same; j++)
				if (keys_equal(&r->rows[j].key, &row.key))
					same = &r->rows[j];
			if (!same)
				for (size_t j = i + 1; j < r->nrows && !same; j++)
					if (keys_equal(&r->rows[j].key, &row.key))
						same = &r->rows[j];
			if (same) {
				vp_stat_merge(&same->st, &row.st);
				continue;
			}
		}
		r->rows[kept++] = row;
	}
	r->nrows = kept;
}

uint64_t vp_stat_samples(const struct vp_stat *s)
{
	uint64_t n = 0;

	for (int i = 0; i < VP_HIST_SLOTS; i++)
		n += s->slots[i];
	return n;
}

uint64_t vp_stat_total_ns(const struct vp_stat *s)
{
	return s->user_ns + s->kern_ns;
}

uint64_t vp_stat_percentile(const struct vp_stat *s, double p)
{
	uint64_t n = vp_stat_samples(s), seen = 0, rank;

	if (!n)
		return 0;
	if (p >= 100.0)
		return s->max_ns;
	rank = (uint64_t)ceil(p / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	for (int i = 0; i < VP_HIST_SLOTS; i++) {
		if (!s->slots[i])
			continue;
		if (seen + s->slots[i] >= rank) {
			/* Interpolate inside the bucket [2^i, 2^(i+1)). */
			double lo = i ? ldexp(1.0, i) : 0.0, hi = ldexp(1.0, i + 1);
			double frac = (double)(rank - seen) / (double)s->slots[i];
			uint64_t v = (uint64_t)(lo + frac * (hi - lo));

			if (v < s->min_ns)
				v = s->min_ns;
			if (v > s->max_ns)
				v = s->max_ns;
			return v;
		}
		seen += s->slots[i];
	}
	return s->max_ns;
}

static int by_cost(const void *pa, const void *pb)
{
	const struct vp_row *a = *(const struct vp_row *const *)pa;
	const struct vp_row *b = *(const struct vp_row *const *)pb;
	uint64_t ta = vp_stat_total_ns(&a->st), tb = vp_stat_total_ns(&b->st);

	if (ta != tb)
		return ta < tb ? 1 : -1;
	if (a->st.count != b->st.count)
		return a->st.count < b->st.count ? 1 : -1;
	if (a->key.vcpu != b->key.vcpu)
		return a->key.vcpu < b->key.vcpu ? -1 : 1;
	if (a->key.addr != b->key.addr)
		return a->key.addr < b->key.addr ? -1 : 1;
	if (a->key.code != b->key.code)
		return a->key.code < b->key.code ? -1 : 1;
	if (a->key.dir != b->key.dir)
		return (int)a->key.dir - (int)b->key.dir;
	if (a->key.size != b->key.size)
		return (int)a->key.size - (int)b->key.size;
	if (a->key.isa != b->key.isa)
		return (int)a->key.isa - (int)b->key.isa;
	return (int)a->key.kind - (int)b->key.kind;
}

size_t vp_result_select(const struct vp_result *r, enum vp_key_kind kind,
			const struct vp_row ***out)
{
	const struct vp_row **sel;
	size_t n = 0;

	*out = NULL;
	sel = calloc(r->nrows ? r->nrows : 1, sizeof(*sel));
	if (!sel)
		return 0;
	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i].key.kind == kind)
			sel[n++] = &r->rows[i];
	qsort(sel, n, sizeof(*sel), by_cost);
	*out = sel;
	return n;
}

uint64_t vp_result_total_count(const struct vp_result *r, enum vp_key_kind kind)
{
	uint64_t n = 0;

	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i].key.kind == kind)
			n += r->rows[i].st.count;
	return n;
}

bool vp_result_has_exit_events(const struct vp_result *r)
{
	return r->counters[VP_C_EV_EXIT] > 0;
}

static int by_vcpu(const void *a, const void *b)
{
	return (int)((const struct vp_vcpu_sum *)a)->vcpu -
	       (int)((const struct vp_vcpu_sum *)b)->vcpu;
}

size_t vp_result_vcpu_sums(const struct vp_result *r, struct vp_vcpu_sum **out)
{
	struct vp_vcpu_sum *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < r->nrows; i++) {
		const struct vp_row *row = &r->rows[i];
		struct vp_vcpu_sum *s = NULL;

		if (row->key.kind != VP_K_USER && row->key.kind != VP_K_EXIT &&
		    row->key.kind != VP_K_RUN)
			continue;
		for (size_t j = 0; j < n && !s; j++)
			if (v[j].vcpu == row->key.vcpu)
				s = &v[j];
		if (!s) {
			if (vp_grow((void **)&v, n, &cap, sizeof(*v), 8)) {
				free(v);
				*out = NULL;
				return 0;
			}
			s = &v[n++];
			memset(s, 0, sizeof(*s));
			s->vcpu = row->key.vcpu;
		}
		if (row->key.kind == VP_K_USER) {
			s->user += row->st.count;
			s->user_ns += row->st.user_ns;
		} else if (row->key.kind == VP_K_EXIT) {
			s->kern += row->st.count;
			s->kern_ns += row->st.kern_ns;
		} else {
			/* VP_K_RUN keeps the whole call in kern_* (vmexit.h) */
			s->runs += row->st.count;
			s->run_ns += row->st.kern_ns;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), by_vcpu);
	*out = v;
	return n;
}

struct vp_key vp_key_folded(enum vp_key_kind kind)
{
	bool per_vcpu = kind == VP_K_EXIT || kind == VP_K_USER || kind == VP_K_RUN;

	return (struct vp_key){
		.kind = (__u8)kind,
		.flags = VP_KEY_FOLDED,
		.vcpu = per_vcpu ? VP_VCPU_UNKNOWN : VP_VCPU_ANY,
		.addr = VP_ADDR_FOLDED,
	};
}

static int add_count(struct vp_result *r, struct vp_key k, uint64_t n)
{
	struct vp_stat st = { .count = n };

	return vp_result_add(r, &k, &st);
}

int vp_result_add_thread(struct vp_result *r, const struct vp_thread *t, int vcpu_filter,
			 bool host_wide, bool count_at_entry)
{
	uint32_t vm = host_wide ? t->tgid : 0;
	int err = 0;

	for (int i = 0; !err && i < VP_HELD_N; i++) {
		struct vp_key k = t->held[i].key;
		const struct vp_stat *st = &t->held[i].st;

		if (!k.kind || !(st->count || st->user_count || st->kern_count))
			continue;
		k.vm = vm;
		err = vp_result_add(r, &k, st);
	}
	if (err || !count_at_entry || (vcpu_filter >= 0 && t->vcpu != (uint16_t)vcpu_filter))
		return err;
	if (t->in_exit)
		err = add_count(r,
				(struct vp_key){ .kind = VP_K_EXIT,
						 .isa = t->isa,
						 .vcpu = t->vcpu,
						 .code = t->exit_reason,
						 .vm = vm },
				1);
	if (!err && t->in_user)
		err = add_count(r,
				(struct vp_key){ .kind = VP_K_USER,
						 .vcpu = t->vcpu,
						 .code = t->user_reason,
						 .vm = vm },
				1);
	if (!err && t->acc_kind && t->acc_n)
		err = add_count(r,
				(struct vp_key){ .kind = t->acc_kind,
						 .dir = t->acc_dir,
						 .size = t->acc_size,
						 .vcpu = VP_VCPU_ANY,
						 .vm = vm,
						 .addr = t->acc_addr },
				t->acc_n);
	return err;
}
