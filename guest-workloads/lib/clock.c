#include "clock.h"

#include "errors.h"
#include "io.h"

#define PIT_HZ	     1193182u
#define PIT_CH2	     0x42
#define PIT_MODE     0x43
#define PIT_GATE     0x61 /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 out */
#define CALIBRATE_MS 10u
/* Rounds of calibration; the lowest result is kept (see tsc_calibrate). */
#define CALIBRATE_ROUNDS 3u
/* Each poll is a port read; even at ~20 us per exit 10 ms needs ~500. */
#define CALIBRATE_MAX_POLLS 50000000ul

static uint64_t khz;

static bool pit_ch2_done(void *arg)
{
	(void)arg;
	return inb(PIT_GATE) & 0x20;
}

/* One round: TSC cycles across `count` PIT ticks, 0 if the PIT never
   signalled. */
static uint64_t pit_round(uint32_t count)
{
	/* Gate on, speaker off; mode 0 (interrupt on terminal count): OUT2
       goes low when the count is written and high when it reaches 0. */
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	outb(PIT_MODE, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	/* t0 before the write that starts the count and t1 after OUT2 was
       seen high: the span can only be too long (a delayed poll, a vCPU
       descheduled), never too short. */
	uint64_t t0 = rdtsc();
	outb(PIT_CH2, count >> 8);
	long polls = wait_until(pit_ch2_done, 0, CALIBRATE_MAX_POLLS);
	uint64_t t1 = rdtsc();
	return polls < 0 ? 0 : t1 - t0;
}

uint64_t tsc_calibrate(void)
{
	uint32_t count = PIT_HZ / (1000u / CALIBRATE_MS);

	/* Every round overestimates if anything, so the lowest is the best;
       a single stalled round (seen under TCG at boot: +10 % and more)
       then costs nothing.  Busy-waits converted with it last at least as
       long as asked. */
	khz = 0;
	for (unsigned r = 0; r < CALIBRATE_ROUNDS; r++) {
		uint64_t cycles = pit_round(count);
		/* cycles over count / PIT_HZ seconds, in kHz */
		uint64_t k = cycles * PIT_HZ / ((uint64_t)count * 1000u);
		if (cycles && (!khz || k < khz))
			khz = k;
	}
	return khz;
}

uint64_t tsc_khz(void)
{
	return khz;
}

uint64_t cycles_to_ns(uint64_t cycles)
{
	if (!khz)
		return 0;
	/* Split to keep cycles * 1e6 from overflowing for long intervals. */
	return cycles / khz * 1000000u + cycles % khz * 1000000u / khz;
}

long wait_until(bool (*cond)(void *arg), void *arg, unsigned long max_iterations)
{
	/* No PAUSE in the loop: on VMX/SVM hosts a PAUSE spin triggers
       pause-loop exits, which would add exits the workload never meant. */
	for (unsigned long i = 1; i <= max_iterations; i++)
		if (cond(arg))
			return (long)i;
	return -ETIMEDOUT;
}

struct spin {
	uint64_t t0, target, now;
};

static bool spun(void *arg)
{
	struct spin *s = arg;
	s->now = rdtsc();
	return s->now - s->t0 >= s->target;
}

int64_t busy_wait_us(uint64_t us)
{
	if (!khz)
		return -ENODEV;
	if (us > BUSY_WAIT_MAX_US)
		return -EINVAL;
	/* us * khz / 1000 cycles; 6e7 us * 1e8 kHz still fits in 64 bits. */
	struct spin s = { .t0 = rdtsc(), .target = (us * khz + 999) / 1000 };
	s.now = s.t0;
	if (wait_until(spun, &s, (unsigned long)(us * 1000 + 1000000)) < 0)
		return -ETIMEDOUT;
	return (int64_t)(s.now - s.t0);
}
