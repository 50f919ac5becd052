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

/* Measures the TSC against 10 ms of PIT channel 2; returns kHz, 0 if the
   PIT never signalled (the result is then reported in cycles only). */
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

#endif
