#include "io.h"

#include "errors.h"

struct io_counters io_counters;

/* Last region hit: consecutive accesses usually go to the same device, and
   under KVM's instruction emulator every guest instruction is costly. */
static unsigned last_hit;

int io_region_add(const char *name, bool mmio, uint64_t base, uint64_t size, bool measured)
{
	if (io_counters.nregions == IO_MAX_REGIONS)
		return -ENOSPC;
	unsigned i = io_counters.nregions++;
	struct io_region *r = &io_counters.region[i];
	r->name = name;
	r->mmio = mmio;
	r->measured = measured;
	r->base = base;
	r->size = size;
	for (unsigned k = 0; k < IO_KINDS; k++)
		r->count[k] = 0;
	return (int)i;
}

static bool region_has(const struct io_region *r, bool mmio, uint64_t addr)
{
	return r->mmio == mmio && addr >= r->base && addr - r->base < r->size;
}

void io_count(enum io_kind kind, uint64_t addr)
{
	bool mmio = kind == IO_MMIO_READ || kind == IO_MMIO_WRITE;
	unsigned n = io_counters.nregions;

	if (last_hit < n && region_has(&io_counters.region[last_hit], mmio, addr)) {
		io_counters.region[last_hit].count[kind]++;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		if (region_has(&io_counters.region[i], mmio, addr)) {
			io_counters.region[i].count[kind]++;
			last_hit = i;
			return;
		}
	}
	io_counters.other[kind]++;
}

uint64_t io_measured(enum io_kind kind)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < io_counters.nregions; i++)
		if (io_counters.region[i].measured)
			sum += io_counters.region[i].count[kind];
	return sum;
}
