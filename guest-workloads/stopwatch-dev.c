#include "stopwatch-dev.h"

static int check_bar(const struct pci_bar *b, int i)
{
	if (!b->size || b->io || b->size < VMEXIT_STOPWATCH_BAR_SIZE)
		return fail("stopwatch BAR%d is not a %u-byte memory BAR (size 0x%lx%s)", i,
			    VMEXIT_STOPWATCH_BAR_SIZE, (unsigned long)b->size, b->io ? ", io" : "");
	return GS_OK;
}

int stopwatch_open(struct stopwatch *sw, bool bus_master)
{
	if (pci_find_device(VMEXIT_STOPWATCH_VENDOR_ID, VMEXIT_STOPWATCH_DEVICE_ID, &sw->pci)) {
		printf("error: no vmexit-stopwatch device (%04x:%04x) on PCI bus 0\n",
		       VMEXIT_STOPWATCH_VENDOR_ID, VMEXIT_STOPWATCH_DEVICE_ID);
		return GS_NO_DEVICE;
	}
	if (pci_probe_bars(&sw->pci))
		return fail("no room to place the stopwatch BARs");
	const struct pci_bar *regs = &sw->pci.bar[VMEXIT_STOPWATCH_BAR_REGS];
	const struct pci_bar *bell = &sw->pci.bar[VMEXIT_STOPWATCH_BAR_DOORBELL];
	int st = check_bar(regs, VMEXIT_STOPWATCH_BAR_REGS);
	if (st == GS_OK)
		st = check_bar(bell, VMEXIT_STOPWATCH_BAR_DOORBELL);
	if (st != GS_OK)
		return st;
	sw->regs = regs->addr;
	sw->doorbell = bell->addr;
	pci_enable(&sw->pci, PCI_CMD_MEMORY | (bus_master ? PCI_CMD_MASTER : 0));
	io_region_add("stopwatch-regs", true, sw->regs, regs->size, true);
	io_region_add("stopwatch-doorbell", true, sw->doorbell, bell->size, true);
	printf("stopwatch: 00:%02x.%u regs 0x%lx doorbell 0x%lx\n", sw->pci.slot, sw->pci.fn,
	       (unsigned long)sw->regs, (unsigned long)sw->doorbell);

	uint32_t id = sw_read(sw, VMEXIT_STOPWATCH_REG_ID);
	if (id != VMEXIT_STOPWATCH_ID_VALUE)
		return fail("stopwatch ID register reads 0x%08x, want 0x%08x", id,
			    VMEXIT_STOPWATCH_ID_VALUE);
	return GS_OK;
}

int sw_busy_wait(uint64_t wait_us, uint64_t op)
{
	int64_t r = busy_wait_us(wait_us);
	if (r >= 0)
		return GS_OK;
	if (r == -ETIMEDOUT) {
		printf("error: op %lu: the TSC did not advance %lu us within the poll bound\n",
		       (unsigned long)op, (unsigned long)wait_us);
		return GS_TIMEOUT;
	}
	return fail("op %lu: busy wait of %lu us failed (error %ld)", (unsigned long)op,
		    (unsigned long)wait_us, (long)r);
}

int sw_check_interval(uint64_t op, uint64_t interval_ns, uint64_t wait_us, uint64_t op_cycles)
{
	uint64_t wait_ns = wait_us * 1000;
	/* The wait is TSC time converted with a calibration against 10 ms of
       PIT: one PIT tick (838 ns) and one poll off at worst, far below 1 %. */
	uint64_t slack = wait_ns / 100 + 1000;
	uint64_t seen_ns = cycles_to_ns(op_cycles);

	if (interval_ns + slack < wait_ns)
		return fail(
			"op %lu: device measured %lu ns from START to STOP around a %lu ns wait",
			(unsigned long)op, (unsigned long)interval_ns, (unsigned long)wait_ns);
	if (interval_ns > sw_plausible_ns(op_cycles))
		return fail(
			"op %lu: device measured %lu ns from START to STOP, the guest saw %lu ns",
			(unsigned long)op, (unsigned long)interval_ns, (unsigned long)seen_ns);
	return GS_OK;
}
