/*
 * Time: the TSC, calibrated once against the PIT, and a bounded wait so no
 * polling loop can hang a guest (and with it a CI job).
 */
#ifndef GUEST_CLOCK_H
#define GUEST_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* Measures the TSC against 10 ms of PIT channel 2, three times, keeping
   the lowest (each round can only come out too high); returns kHz, 0 if
   the PIT never signalled (the result is then reported in cycles only). */
uint64_t tsc_calibrate(void);
/* The last calibration's result (0: unknown). */
uint64_t tsc_khz(void);
/* Cycles to nanoseconds with the calibration; 0 if unknown. */
uint64_t cycles_to_ns(uint64_t cycles);

/*
 * Calls cond(arg) until it returns true, at most max_iterations times.
 * Returns the number of calls made (>= 1) on success, -ETIMEDOUT otherwise.
 * An iteration is a call, not a time: the bound holds however slow the
 * machine is, and a test states how many polls it allows.
 */
long wait_until(bool (*cond)(void *arg), void *arg, unsigned long max_iterations);

/* Longest busy_wait_us() accepts: 60 s. */
#define BUSY_WAIT_MAX_US 60000000ull

/*
 * Spins until at least `us` microseconds of TSC time have passed, converted
 * with the calibration.  Bounded like wait_until(): at most
 * us * 1000 + 1000000 polls, each an rdtsc (which takes well over 1 ns on
 * any CPU), so only a TSC that stopped can exhaust it.  Returns the TSC
 * cycles actually spun (>= the target), -ENODEV when the TSC is not
 * calibrated, -EINVAL for us > BUSY_WAIT_MAX_US, -ETIMEDOUT when the bound
 * ran out.  No exits: rdtsc is not intercepted and nothing else is touched.
 */
int64_t busy_wait_us(uint64_t us);

#endif
