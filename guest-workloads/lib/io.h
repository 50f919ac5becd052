/*
 * Port I/O and MMIO accessors that count every access.
 *
 * Each access is attributed to a named address region (a device's ports or
 * BAR) and to its kind, so a workload can state exactly how many register
 * accesses it issued per device: the ground truth a profiler is checked
 * against.  Accesses outside every region land in the "other" row.
 */
#ifndef GUEST_IO_H
#define GUEST_IO_H

#include <stdbool.h>
#include <stdint.h>

enum io_kind { IO_PIO_IN, IO_PIO_OUT, IO_MMIO_READ, IO_MMIO_WRITE, IO_KINDS };

#define IO_MAX_REGIONS 12

struct io_region {
	const char *name;
	bool mmio;     /* address space: MMIO (true) or ports (false) */
	bool measured; /* summed into the result line's totals */
	uint64_t base, size;
	uint64_t count[IO_KINDS];
};

struct io_counters {
	unsigned nregions;
	struct io_region region[IO_MAX_REGIONS];
	uint64_t other[IO_KINDS]; /* accesses outside every region */
};

extern struct io_counters io_counters;

/* Registers a region; returns its index or -ENOSPC. */
int io_region_add(const char *name, bool mmio, uint64_t base, uint64_t size, bool measured);
/* Sum of one kind over the measured regions. */
uint64_t io_measured(enum io_kind kind);
void io_count(enum io_kind kind, uint64_t addr);

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	io_count(IO_PIO_IN, port);
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	io_count(IO_PIO_IN, port);
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	io_count(IO_PIO_IN, port);
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
	io_count(IO_PIO_OUT, port);
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
	io_count(IO_PIO_OUT, port);
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
	io_count(IO_PIO_OUT, port);
}

/*
 * MMIO through explicit mov instructions: one access per call, in program
 * order, of exactly the stated width (a device may reject other sizes).
 */
static inline uint32_t readl(uint64_t addr)
{
	uint32_t v;
	__asm__ volatile("movl %1, %0"
			 : "=r"(v)
			 : "m"(*(volatile uint32_t *)(uintptr_t)addr)
			 : "memory");
	io_count(IO_MMIO_READ, addr);
	return v;
}

static inline void writel(uint64_t addr, uint32_t v)
{
	__asm__ volatile("movl %1, %0"
			 : "=m"(*(volatile uint32_t *)(uintptr_t)addr)
			 : "r"(v)
			 : "memory");
	io_count(IO_MMIO_WRITE, addr);
}

static inline uint16_t readw(uint64_t addr)
{
	uint16_t v;
	__asm__ volatile("movw %1, %0"
			 : "=r"(v)
			 : "m"(*(volatile uint16_t *)(uintptr_t)addr)
			 : "memory");
	io_count(IO_MMIO_READ, addr);
	return v;
}

static inline void writew(uint64_t addr, uint16_t v)
{
	__asm__ volatile("movw %1, %0"
			 : "=m"(*(volatile uint16_t *)(uintptr_t)addr)
			 : "r"(v)
			 : "memory");
	io_count(IO_MMIO_WRITE, addr);
}

/* Orders guest-memory stores against a later doorbell write and loads
   after a completion is seen (a device may run on another host thread). */
static inline void mb(void)
{
	__asm__ volatile("mfence" ::: "memory");
}
static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

#endif
