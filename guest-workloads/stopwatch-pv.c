/*
 * stopwatch-pv: the same measurements through the paravirtual ring.
 *
 * A measurement (op) is three ring entries, START, LAP and STOP; `batch`
 * measurements are queued in guest memory and announced with ONE doorbell
 * write, then the guest polls the ring's consumer index (no interrupt)
 * with a bounded wait.  Under KVM the doorbell is an ioeventfd: the kick
 * never leaves the kernel and the ring is worked off in QEMU's main loop.
 *
 * Register accesses: opening reads ID; setup writes RING_ADDR_LO/HI,
 * RING_SIZE and CMD=RESET; the run writes the doorbell once per batch; the
 * end reads RING_ERROR.  In all (kicks = ceil(ops / batch)):
 *   mmio_write = kicks + 4,  mmio_read = 2,  pio = 0.
 *
 * Checks: every entry completes with DONE; within a measurement
 * START <= LAP <= STOP elapsed, across measurements STOP results never
 * decrease and the whole run's time is nonzero; the device time does not
 * exceed what the guest's TSC saw; RING_ERROR stays NONE.
 *
 * wait_us=N (N > 0): the device has to measure a wait of the guest, so ops
 * are no longer batched (`batch` is not used).  Each op queues START alone
 * and kicks, waits until the device has executed it, busy-waits N us (TSC),
 * then queues STOP and READ and kicks again: still three entries per op,
 * but two kicks, so kicks = 2 * ops, mmio_write = 2 * ops + 4,
 * mmio_read = 2.  The op's interval is STOP's result minus START's (the
 * stopwatch runs only in between); READ must repeat STOP's.  Each interval
 * is checked against the wait as in stopwatch-mmio; the result adds wait_us
 * and interval_ns (the mean interval per op).
 */
#include "stopwatch-dev.h"

const char workload_name[] = "stopwatch-pv";

#define ENTRIES_PER_OP 3
#define RING_ENTRIES   VMEXIT_STOPWATCH_RING_MAX_ENTRIES
#define MAX_BATCH      (RING_ENTRIES / ENTRIES_PER_OP)
/* Polls of the consumer index per batch.  Under TCG the doorbell completes
   the batch before the write returns; under KVM the main loop needs
   microseconds to milliseconds; the bound only stops a dead device. */
#define MAX_POLLS 20000000ul

static struct {
	struct vmexit_stopwatch_ring_header hdr;
	struct vmexit_stopwatch_ring_entry entry[RING_ENTRIES];
} ring __attribute__((aligned(64)));

static volatile struct vmexit_stopwatch_ring_header *const hdr = &ring.hdr;
static volatile struct vmexit_stopwatch_ring_entry *const entries = ring.entry;

static uint32_t producer; /* next entry the guest fills */
static uint64_t kicks, polls;

static bool batch_done(void *arg)
{
	return hdr->consumer == *(const uint32_t *)arg;
}

static const uint32_t op_cmds[ENTRIES_PER_OP] = {
	VMEXIT_STOPWATCH_CMD_START,
	VMEXIT_STOPWATCH_CMD_LAP,
	VMEXIT_STOPWATCH_CMD_STOP,
};

static void queue(uint32_t cmd)
{
	volatile struct vmexit_stopwatch_ring_entry *e = &entries[producer % RING_ENTRIES];
	e->cmd = cmd;
	e->status = VMEXIT_STOPWATCH_ENTRY_PENDING;
	e->result_ns = 0;
	producer++;
}

/* Publishes what was queued, rings the doorbell once and polls until the
   device has consumed it all. */
static int kick(const struct stopwatch *sw)
{
	mb(); /* entries visible before the producer index */
	hdr->producer = producer;
	mb(); /* and the index before the doorbell */
	writel(sw->doorbell + VMEXIT_STOPWATCH_DOORBELL, 1);
	kicks++;
	long n_polls = wait_until(batch_done, &producer, MAX_POLLS);
	if (n_polls < 0) {
		uint32_t err = sw_read(sw, VMEXIT_STOPWATCH_REG_RING_ERROR);
		printf("error: batch %lu: consumer %u, producer %u after %lu polls; RING_ERROR "
		       "%u\n",
		       (unsigned long)kicks, hdr->consumer, producer, MAX_POLLS, err);
		return err ? GS_FAIL : GS_TIMEOUT;
	}
	polls += (uint64_t)n_polls;
	mb(); /* results are read only after the index */
	return GS_OK;
}

/* The results of the n entries from idx on, all of which must be DONE. */
static int results(uint32_t idx, unsigned n, uint64_t *r)
{
	for (unsigned k = 0; k < n; k++) {
		volatile struct vmexit_stopwatch_ring_entry *e = &entries[(idx + k) % RING_ENTRIES];
		if (e->status != VMEXIT_STOPWATCH_ENTRY_DONE)
			return fail("ring entry %u (cmd %u) has status %u, not DONE", idx + k,
				    e->cmd, e->status);
		r[k] = e->result_ns;
	}
	return GS_OK;
}

/* Default: `batch` ops of START, LAP, STOP per doorbell. */
static int run_batched(const struct stopwatch *sw, uint64_t ops, uint64_t batch,
		       uint64_t *last_stop)
{
	uint64_t done_ops = 0;
	int st;

	while (done_ops < ops) {
		uint64_t n = ops - done_ops < batch ? ops - done_ops : batch;
		uint32_t first = producer;
		for (uint64_t k = 0; k < n * ENTRIES_PER_OP; k++)
			queue(op_cmds[k % ENTRIES_PER_OP]);
		if ((st = kick(sw)) != GS_OK)
			return st;

		for (uint32_t idx = first; idx != producer; idx += ENTRIES_PER_OP) {
			uint64_t r[ENTRIES_PER_OP];
			if ((st = results(idx, ENTRIES_PER_OP, r)) != GS_OK)
				return st;
			if (r[0] < *last_stop || r[1] < r[0] || r[2] < r[1])
				return fail("op %lu: START %lu, LAP %lu, STOP %lu ns after %lu: "
					    "not monotonic",
					    (unsigned long)done_ops + 1, (unsigned long)r[0],
					    (unsigned long)r[1], (unsigned long)r[2],
					    (unsigned long)*last_stop);
			*last_stop = r[2];
			done_ops++;
		}
	}
	return GS_OK;
}

/* wait_us > 0: per op, START; kick; busy-wait; STOP, READ; kick. */
static int run_waiting(const struct stopwatch *sw, uint64_t ops, uint64_t wait_us,
		       uint64_t *last_stop, uint64_t *intervals, uint64_t *min_interval)
{
	int st;

	for (uint64_t i = 1; i <= ops; i++) {
		uint32_t first = producer;
		uint64_t op_t0 = rdtsc();
		queue(VMEXIT_STOPWATCH_CMD_START);
		/* The kick returns once START has run, so the wait lies inside the
           device's interval even when the ring is served later (ioeventfd). */
		if ((st = kick(sw)) != GS_OK || (st = sw_busy_wait(wait_us, i)) != GS_OK)
			return st;
		queue(VMEXIT_STOPWATCH_CMD_STOP);
		queue(VMEXIT_STOPWATCH_CMD_READ);
		if ((st = kick(sw)) != GS_OK)
			return st;
		uint64_t op_cycles = rdtsc() - op_t0;

		uint64_t r[ENTRIES_PER_OP]; /* START, STOP, READ */
		if ((st = results(first, ENTRIES_PER_OP, r)) != GS_OK)
			return st;
		if (r[0] < *last_stop || r[1] < r[0] || r[2] != r[1])
			return fail("op %lu: START %lu, STOP %lu, READ %lu ns after %lu: not "
				    "monotonic, "
				    "or READ differs from STOP",
				    (unsigned long)i, (unsigned long)r[0], (unsigned long)r[1],
				    (unsigned long)r[2], (unsigned long)*last_stop);
		if ((st = sw_check_interval(i, r[1] - r[0], wait_us, op_cycles)) != GS_OK)
			return st;
		*intervals += r[1] - r[0];
		if (!*min_interval || r[1] - r[0] < *min_interval)
			*min_interval = r[1] - r[0];
		*last_stop = r[1];
	}
	return GS_OK;
}

int workload_main(void)
{
	uint64_t ops = 100, batch = 10, wait_us = 0;
	const struct param params[] = {
		{ "ops", &ops, 1, 10000000 },
		{ "batch", &batch, 1, MAX_BATCH },
		{ "wait_us", &wait_us, 0, SW_MAX_WAIT_US },
	};
	struct stopwatch sw;
	int st;

	if ((st = guest_params(params, 3)) != GS_OK)
		return st;
	if ((st = stopwatch_open(&sw, true)) != GS_OK)
		return st;
	if (wait_us && !tsc_khz())
		return fail("wait_us=%lu needs a calibrated TSC", (unsigned long)wait_us);

	uint64_t ring_pa = (uint64_t)(uintptr_t)&ring; /* identity-mapped */
	hdr->producer = 0;
	hdr->consumer = 0;
	sw_write(&sw, VMEXIT_STOPWATCH_REG_RING_ADDR_LO, (uint32_t)ring_pa);
	sw_write(&sw, VMEXIT_STOPWATCH_REG_RING_ADDR_HI, (uint32_t)(ring_pa >> 32));
	sw_write(&sw, VMEXIT_STOPWATCH_REG_RING_SIZE, RING_ENTRIES);
	sw_write(&sw, VMEXIT_STOPWATCH_REG_CMD, VMEXIT_STOPWATCH_CMD_RESET);

	uint64_t last_stop = 0, intervals = 0, min_interval = 0;
	uint64_t t0 = rdtsc();
	st = wait_us ? run_waiting(&sw, ops, wait_us, &last_stop, &intervals, &min_interval)
		     : run_batched(&sw, ops, batch, &last_stop);
	if (st != GS_OK)
		return st;
	uint64_t cycles = rdtsc() - t0;

	uint32_t err = sw_read(&sw, VMEXIT_STOPWATCH_REG_RING_ERROR);
	if (err != VMEXIT_STOPWATCH_RING_ERR_NONE)
		return fail("RING_ERROR is %u after the run", err);
	if (!last_stop)
		return fail("the device measured no time at all in %lu ops", (unsigned long)ops);
	if (tsc_khz() && last_stop > sw_plausible_ns(cycles))
		return fail("device counted %lu ns in %lu ns of guest time",
			    (unsigned long)last_stop, (unsigned long)cycles_to_ns(cycles));

	guest_result.ops = ops;
	guest_result.kicks = kicks;
	guest_result.bytes = ops * ENTRIES_PER_OP * VMEXIT_STOPWATCH_RING_ENTRY_SIZE;
	guest_result.cycles = cycles;
	result_add("batch=%lu", (unsigned long)batch);
	result_add("device_ns=%lu", (unsigned long)last_stop);
	result_add("polls=%lu", (unsigned long)polls);
	if (wait_us) {
		result_add("wait_us=%lu", (unsigned long)wait_us);
		result_add("interval_ns=%lu", (unsigned long)(intervals / ops));
		result_add("interval_min_ns=%lu", (unsigned long)min_interval);
	}
	return GS_OK;
}
