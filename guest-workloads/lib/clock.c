#include "clock.h"

#include "errors.h"
#include "io.h"

#define PIT_HZ          1193182u
#define PIT_CH2         0x42
#define PIT_MODE        0x43
#define PIT_GATE        0x61    /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 out */
#define CALIBRATE_MS    10u
/* Each poll is a port read; even at ~20 us per exit 10 ms needs ~500. */
#define CALIBRATE_MAX_POLLS 50000000ul

static uint64_t khz;

static bool pit_ch2_done(void *arg)
{
    (void)arg;
    return inb(PIT_GATE) & 0x20;
}

uint64_t tsc_calibrate(void)
{
    uint32_t count = PIT_HZ / (1000u / CALIBRATE_MS);

    /* Gate on, speaker off; mode 0 (interrupt on terminal count): OUT2
       goes low when the count is written and high when it reaches 0. */
    outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
    outb(PIT_MODE, 0xb0);       /* channel 2, lobyte/hibyte, mode 0, binary */
    outb(PIT_CH2, count & 0xff);
    outb(PIT_CH2, count >> 8);
    uint64_t t0 = rdtsc();
    long polls = wait_until(pit_ch2_done, 0, CALIBRATE_MAX_POLLS);
    uint64_t t1 = rdtsc();
    khz = polls < 0 ? 0 : (t1 - t0) / CALIBRATE_MS;
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
