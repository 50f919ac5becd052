/*
 * stopwatch-mmio: measurements through the emulated register interface.
 *
 * Every command and every read is a 32-bit access to BAR0, so each one is a
 * trap to the VMM.  One measurement (op) is:
 *
 *   write CMD=START, write CMD=LAP, write CMD=STOP,
 *   read ELAPSED_LO, ELAPSED_HI, LAP_LO, LAP_HI, LAP_COUNT
 *
 * i.e. 3 MMIO writes and 5 MMIO reads.  Around the loop: one ID read when
 * opening, one RESET before, and after the loop a RESET and reads of
 * ELAPSED_LO, ELAPSED_HI and LAP_COUNT to check it.  In all:
 *   mmio_write = 3 * ops + 2,  mmio_read = 5 * ops + 4,  pio = 0.
 *
 * The stopwatch is not reset between ops, so the elapsed time accumulates:
 * it must grow with every op, each lap must fit in the time since the
 * previous lap, the lap count must equal the op number, and the device time
 * must not exceed what the guest's TSC saw.
 *
 * wait_us=N (N > 0): each op busy-waits N us (TSC) between CMD=START and
 * CMD=LAP, so the device's START->STOP interval of the op (the growth of
 * ELAPSED, the stopwatch being stopped between ops) spans the guest's wait.
 * Same accesses, same counts.  Each interval must be at least the wait
 * (less the calibration's slack) and at most what the guest's TSC saw from
 * before START to after STOP; the result adds wait_us and interval_ns (the
 * mean interval per op).
 */
#include "stopwatch-dev.h"

const char workload_name[] = "stopwatch-mmio";

static uint64_t read64(const struct stopwatch *sw, uint32_t lo_reg, uint32_t hi_reg)
{
	/* LO first: reading ELAPSED_LO latches the value ELAPSED_HI returns. */
	uint64_t lo = sw_read(sw, lo_reg);
	return (uint64_t)sw_read(sw, hi_reg) << 32 | lo;
}

int workload_main(void)
{
	uint64_t ops = 100, wait_us = 0;
	const struct param params[] = {
		{ "ops", &ops, 1, 10000000 },
		{ "wait_us", &wait_us, 0, SW_MAX_WAIT_US },
	};
	struct stopwatch sw;
	int st;

	if ((st = guest_params(params, 2)) != GS_OK)
		return st;
	if ((st = stopwatch_open(&sw, false)) != GS_OK)
		return st;
	if (wait_us && !tsc_khz())
		return fail("wait_us=%lu needs a calibrated TSC", (unsigned long)wait_us);

	sw_write(&sw, VMEXIT_STOPWATCH_REG_CMD, VMEXIT_STOPWATCH_CMD_RESET);
	uint64_t prev_elapsed = 0, prev_lap_mark = 0, laps_total = 0, min_interval = 0;
	uint64_t t0 = rdtsc();
	for (uint64_t i = 1; i <= ops; i++) {
		uint64_t op_t0 = rdtsc();
		sw_write(&sw, VMEXIT_STOPWATCH_REG_CMD, VMEXIT_STOPWATCH_CMD_START);
		if (wait_us && (st = sw_busy_wait(wait_us, i)) != GS_OK)
			return st;
		sw_write(&sw, VMEXIT_STOPWATCH_REG_CMD, VMEXIT_STOPWATCH_CMD_LAP);
		sw_write(&sw, VMEXIT_STOPWATCH_REG_CMD, VMEXIT_STOPWATCH_CMD_STOP);
		uint64_t op_cycles = rdtsc() - op_t0;
		uint64_t elapsed = read64(&sw, VMEXIT_STOPWATCH_REG_ELAPSED_LO,
					  VMEXIT_STOPWATCH_REG_ELAPSED_HI);
		uint64_t lap =
			read64(&sw, VMEXIT_STOPWATCH_REG_LAP_LO, VMEXIT_STOPWATCH_REG_LAP_HI);
		uint32_t count = sw_read(&sw, VMEXIT_STOPWATCH_REG_LAP_COUNT);

		if (elapsed <= prev_elapsed)
			return fail("op %lu: elapsed %lu ns after %lu ns: not increasing",
				    (unsigned long)i, (unsigned long)elapsed,
				    (unsigned long)prev_elapsed);
		/* The lap ends between START and STOP of this op, so it spans at
           most from the previous lap mark to this op's final elapsed. */
		if (lap > elapsed - prev_lap_mark)
			return fail("op %lu: lap %lu ns longer than the %lu ns since the last lap",
				    (unsigned long)i, (unsigned long)lap,
				    (unsigned long)(elapsed - prev_lap_mark));
		if (count != i)
			return fail("op %lu: lap count %u", (unsigned long)i, count);
		/* Stopped between ops: ELAPSED grew by exactly this op's START->STOP. */
		if (wait_us && (st = sw_check_interval(i, elapsed - prev_elapsed, wait_us,
						       op_cycles)) != GS_OK)
			return st;
		if (!min_interval || elapsed - prev_elapsed < min_interval)
			min_interval = elapsed - prev_elapsed;
		prev_lap_mark += lap;
		laps_total += lap;
		prev_elapsed = elapsed;
	}
	uint64_t cycles = rdtsc() - t0;

	if (tsc_khz() && prev_elapsed > sw_plausible_ns(cycles))
		return fail("device counted %lu ns in %lu ns of guest time",
			    (unsigned long)prev_elapsed, (unsigned long)cycles_to_ns(cycles));
	sw_write(&sw, VMEXIT_STOPWATCH_REG_CMD, VMEXIT_STOPWATCH_CMD_RESET);
	uint64_t after =
		read64(&sw, VMEXIT_STOPWATCH_REG_ELAPSED_LO, VMEXIT_STOPWATCH_REG_ELAPSED_HI);
	uint32_t count = sw_read(&sw, VMEXIT_STOPWATCH_REG_LAP_COUNT);
	if (after || count)
		return fail("after RESET: elapsed %lu ns, lap count %u", (unsigned long)after,
			    count);

	guest_result.ops = ops;
	guest_result.cycles = cycles;
	result_add("device_ns=%lu", (unsigned long)prev_elapsed);
	result_add("laps_ns=%lu", (unsigned long)laps_total);
	if (wait_us) {
		/* The stopwatch only ran from START to STOP: its total over ops is
           the mean START->STOP interval. */
		result_add("wait_us=%lu", (unsigned long)wait_us);
		result_add("interval_ns=%lu", (unsigned long)(prev_elapsed / ops));
		result_add("interval_min_ns=%lu", (unsigned long)min_interval);
	}
	return GS_OK;
}
