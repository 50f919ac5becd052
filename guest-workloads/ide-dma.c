/*
 * ide-dma: ATA DMA transfers to the primary master of the pc machine's
 * PIIX3 IDE function, through its bus master (PCI IDE bus-master interface,
 * registers at BAR4, placed here if the firmware left it at 0).
 *
 * An op is one LBA range of `size` sectors (range i starts at LBA i*size):
 * written once with WRITE DMA (0xca) and read back once with READ DMA
 * (0xc8), LBA28, from/into one 64 KiB-aligned buffer described by a
 * one-entry PRD table (so a transfer never crosses a 64 KiB boundary).  All
 * ranges are written first, then all are read back and compared byte for
 * byte with the pattern (seed, LBA).  The drive's INTRQ stays enabled so
 * the bus master's interrupt bit reports completion; the CPU keeps
 * interrupts off and polls.
 *
 * Per DMA command (n sectors, any n): BM status write clearing INT and ERR
 * (IDENTIFY's or the previous command's interrupt set INT), BM command =
 * direction (stopped), task file and command (6 writes), BM command =
 * direction | start; poll the BM status until INT or ERR; BM command =
 * direction (stop); one ATA status read (acknowledges INTRQ).
 * That is 6 ide-cmd writes, 1 ide-cmd read, 4 ide-bmdma writes and polls.
 * Before the loop: BM stop, BM status read and clear, PRD pointer
 * (3 writes, 1 read), then ide_identify(): 1 control write, 2 command-block
 * writes, 258 command-block reads, alternate-status polls.  So:
 *
 *   ide-cmd    writes = 2 + 12 ops        reads = 258 + 2 ops
 *   ide-ctl    writes = 1                 reads = polls - bm_polls (>= 3)
 *   ide-bmdma  writes = 3 + 8 ops         reads = 1 + bm_polls (bm_polls >= 2 ops)
 *   pio_out = 6 + 20 ops                  pio_in = 259 + 2 ops + polls
 *   bytes = 1024 size ops (written plus read), verified = 512 size ops, mmio = 0
 *
 * independent of size.  The workload checks these itself.
 */
#include "ide-dev.h"

const char workload_name[] = "ide-dma";

#define DMA_BUF_SIZE 65536u

/* The buffer is one 64 KiB-aligned block: one PRD entry covers any size. */
static uint8_t buf[DMA_BUF_SIZE] __attribute__((aligned(DMA_BUF_SIZE)));
/* PRD: 32-bit physical address, then byte count (0 = 64 KiB) | EOT. */
static volatile uint32_t prd[2] __attribute__((aligned(16)));

static uint64_t bm_polls;

struct bm_wait {
	struct ide *d;
	uint8_t st;
};

static bool bm_done(void *arg)
{
	struct bm_wait *w = arg;
	w->d->polls++;
	bm_polls++;
	w->st = inb(w->d->bm + BM_STATUS);
	return w->st & (BM_ST_INT | BM_ST_ERROR);
}

static int dma_command(struct ide *d, uint64_t op, bool to_disk, uint32_t lba, unsigned n)
{
	const char *what = to_disk ? "WRITE DMA" : "READ DMA";
	uint8_t dir = to_disk ? 0 : BM_CMD_TO_MEMORY;
	/* Identity-mapped: the buffer's address is its physical address. */
	prd[0] = (uint32_t)(uintptr_t)buf;
	prd[1] = PRD_EOT | ((n * ATA_SECTOR) & 0xffffu);
	mb();

	/* INT may still be set by an earlier interrupt (IDENTIFY's, the
       previous command's): clear it first, or the poll would end at once. */
	outb(d->bm + BM_STATUS, d->bm_keep | BM_ST_INT | BM_ST_ERROR);
	outb(d->bm + BM_CMD, dir);
	ide_command(to_disk ? ATA_CMD_WRITE_DMA : ATA_CMD_READ_DMA, lba, n);
	outb(d->bm + BM_CMD, dir | BM_CMD_START);
	struct bm_wait w = { d, 0 };
	long polls = wait_until(bm_done, &w, IDE_POLL_MAX);
	outb(d->bm + BM_CMD, dir);
	uint8_t ata = inb(ATA_STATUS);
	mb();

	if (polls < 0) {
		printf("error: op %lu: %s: no completion after %lu polls (bus master 0x%02x, ATA "
		       "0x%02x)\n",
		       (unsigned long)op, what, (unsigned long)IDE_POLL_MAX, w.st, ata);
		return GS_TIMEOUT;
	}
	if (w.st & BM_ST_ERROR)
		return fail("op %lu: %s: bus master error, status 0x%02x (ATA 0x%02x)",
			    (unsigned long)op, what, w.st, ata);
	if (w.st & BM_ST_ACTIVE)
		return fail("op %lu: %s: bus master still active at the interrupt (status 0x%02x): "
			    "the drive moved less than the PRD table",
			    (unsigned long)op, what, w.st);
	return ide_check_status(ata, false, what, op);
}

int workload_main(void)
{
	uint64_t ops, size, seed;
	static struct ide d;
	int st;

	if ((st = ide_params(&ops, &size, &seed)) != GS_OK)
		return st;
	if ((st = ide_open(&d, true)) != GS_OK)
		return st;

	/* Engine stopped, INT and ERR cleared (the capable bits kept), PRD
       table pointer set once: every command uses the same table. */
	outb(d.bm + BM_CMD, 0);
	d.bm_keep = inb(d.bm + BM_STATUS) & BM_ST_CAPABLE;
	outb(d.bm + BM_STATUS, d.bm_keep | BM_ST_INT | BM_ST_ERROR);
	outl(d.bm + BM_PRD, (uint32_t)(uintptr_t)prd);

	if ((st = ide_identify(&d, 0)) != GS_OK)
		return st;
	if (!(d.id[49] & 0x0100)) {
		printf("error: the disk does not support DMA (IDENTIFY word 49 = 0x%04x)\n",
		       d.id[49]);
		return GS_NO_DEVICE;
	}
	if ((st = ide_check_fit(&d, ops, size)) != GS_OK)
		return st;

	unsigned n = (unsigned)size;
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < ops; i++) {
		uint32_t lba = (uint32_t)(i * n);
		ide_pattern_fill(buf, lba, n, (uint32_t)seed);
		if ((st = dma_command(&d, i + 1, true, lba, n)) != GS_OK)
			return st;
	}
	for (uint64_t i = 0; i < ops; i++) {
		uint32_t lba = (uint32_t)(i * n);
		memset(buf, 0xa5, n * ATA_SECTOR);
		if ((st = dma_command(&d, i + 1, false, lba, n)) != GS_OK)
			return st;
		if ((st = ide_pattern_check(buf, lba, n, (uint32_t)seed, i + 1)) != GS_OK)
			return st;
	}
	guest_result.cycles = rdtsc() - t0;
	guest_result.ops = ops;
	guest_result.bytes = 2 * ops * n * ATA_SECTOR;
	ide_result(&d, size, seed, ops * n * ATA_SECTOR);
	result_add("bm_polls=%lu", (unsigned long)bm_polls);

	uint64_t out = 6 + 20 * ops, in = 259 + 2 * ops + d.polls;
	if ((st = ide_expect_region("ide-cmd", 258 + 2 * ops, 2 + 12 * ops)) != GS_OK ||
	    (st = ide_expect_region("ide-ctl", d.polls - bm_polls, 1)) != GS_OK ||
	    (st = ide_expect_region("ide-bmdma", 1 + bm_polls, 3 + 8 * ops)) != GS_OK)
		return st;
	if (io_measured(IO_PIO_OUT) != out || io_measured(IO_PIO_IN) != in ||
	    io_measured(IO_MMIO_READ) || io_measured(IO_MMIO_WRITE))
		return fail("measured totals differ from pio_out=%lu pio_in=%lu mmio=0",
			    (unsigned long)out, (unsigned long)in);
	if (bm_polls < 2 * ops || d.polls - bm_polls < 3)
		return fail("%lu polls (%lu of the bus master), fewer than one per wait",
			    (unsigned long)d.polls, (unsigned long)bm_polls);
	return GS_OK;
}
