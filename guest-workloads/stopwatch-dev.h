/*
 * Finding and opening the vmexit-stopwatch PCI device, shared by the
 * stopwatch-mmio and stopwatch-pv workloads.  The register map, ring layout
 * and codes come from the device's own header (qemu-trace-events/include/hw/misc/vmexit_stopwatch.h).
 */
#ifndef STOPWATCH_DEV_H
#define STOPWATCH_DEV_H

#include "guest.h"
#include "vmexit_stopwatch.h"

struct stopwatch {
	struct pci_dev pci;
	uint64_t regs;	   /* BAR0 */
	uint64_t doorbell; /* BAR1 */
};

/*
 * Finds the device on bus 0, places and enables its BARs (and bus mastering
 * when the ring is used), registers both BARs as measured regions and checks
 * the ID register (one MMIO read).  Returns GS_OK, GS_NO_DEVICE or GS_FAIL.
 */
int stopwatch_open(struct stopwatch *sw, bool bus_master);

static inline uint32_t sw_read(const struct stopwatch *sw, uint32_t reg)
{
	return readl(sw->regs + reg);
}

static inline void sw_write(const struct stopwatch *sw, uint32_t reg, uint32_t v)
{
	writel(sw->regs + reg, v);
}

/* Upper bound for a plausible device time: the TSC time the guest saw,
   with room for calibration error and clock granularity. */
static inline uint64_t sw_plausible_ns(uint64_t tsc_cycles)
{
	return 2 * cycles_to_ns(tsc_cycles) + 50000;
}

/* wait_us=N of both workloads: a busy-wait of N us between START and STOP
   of every op; at most 1 s. */
#define SW_MAX_WAIT_US 1000000u

/* busy_wait_us(wait_us) for op number `op`: GS_OK, GS_TIMEOUT when the
   bound ran out, GS_FAIL otherwise (after printing why). */
int sw_busy_wait(uint64_t wait_us, uint64_t op);

/*
 * Checks one op's device-measured START->STOP interval around a wait of
 * wait_us: not shorter than the wait, less the TSC calibration's slack
 * (1 % + 1 us), and not longer than plausible for the op_cycles of TSC time
 * the guest saw from before START to after STOP (sw_plausible_ns).
 * GS_OK or GS_FAIL.
 */
int sw_check_interval(uint64_t op, uint64_t interval_ns, uint64_t wait_us, uint64_t op_cycles);

#endif
