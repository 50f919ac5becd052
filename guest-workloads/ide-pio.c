/*
 * ide-pio: ATA PIO data transfers to the primary master of the pc machine's
 * PIIX3 IDE function, through the compatibility ports 0x1f0-0x1f7/0x3f6.
 *
 * An op is one LBA range of `size` sectors (range i starts at LBA i*size):
 * it is written once with WRITE SECTORS (0x30) and read back once with
 * READ SECTORS (0x20), LBA28, every data word through the 16-bit data port
 * with one counted outw/inw.  All ranges are written first, then all are
 * read back and compared byte for byte with the pattern (seed, LBA).
 * Interrupts are disabled at the drive (nIEN); completion is polled.
 *
 * Per WRITE SECTORS of n sectors: task file and command (6 writes); poll
 * for the first DRQ; then per sector 256 data writes, a poll until BSY
 * clears and one status read (DRQ set for more sectors, clear after the
 * last).  Per READ SECTORS of n sectors: 6 writes; per sector a poll, one
 * status read (DRQ set), 256 data reads; a last poll (DRQ clear).
 * Before the loop, ide_identify(): 1 control write, 2 command-block writes,
 * 258 command-block reads.  Polls read the alternate status (ide-ctl) and
 * nothing else does, so with n = size:
 *
 *   ide-cmd   writes = 2 + ops * (12 + 256 n)   reads = 258 + 258 n ops
 *   ide-ctl   writes = 1                        reads = polls
 *   pio_out = 3 + ops * (12 + 256 n)            pio_in = 258 + 258 n ops + polls
 *   polls >= 3 + 2 ops (n + 1)  (one per wait when the drive is never busy)
 *   bytes = 1024 n ops (written plus read), verified = 512 n ops, mmio = 0
 *
 * The workload checks these itself (status fail if they do not hold).
 */
#include "ide-dev.h"

const char workload_name[] = "ide-pio";

static uint8_t buf[IDE_MAX_SECTORS * ATA_SECTOR];

static int pio_write(struct ide *d, uint64_t op, uint32_t lba, unsigned n)
{
	int st;
	ide_command(ATA_CMD_WRITE_SECTORS, lba, n);
	if ((st = ide_wait_idle(d, "WRITE SECTORS")) != GS_OK)
		return st;
	if ((st = ide_check_status(d->last, true, "WRITE SECTORS start", op)) != GS_OK)
		return st;
	const uint8_t *p = buf;
	for (unsigned s = 0; s < n; s++, p += ATA_SECTOR) {
		for (unsigned i = 0; i < ATA_SECTOR; i += 2)
			outw(ATA_DATA, (uint16_t)(p[i] | p[i + 1] << 8));
		if ((st = ide_wait_idle(d, "WRITE SECTORS block")) != GS_OK)
			return st;
		uint8_t status = inb(ATA_STATUS);
		if ((st = ide_check_status(status, s + 1 < n, "WRITE SECTORS block", op)) != GS_OK)
			return st;
	}
	return GS_OK;
}

static int pio_read(struct ide *d, uint64_t op, uint32_t lba, unsigned n)
{
	int st;
	ide_command(ATA_CMD_READ_SECTORS, lba, n);
	uint8_t *p = buf;
	for (unsigned s = 0; s < n; s++, p += ATA_SECTOR) {
		if ((st = ide_wait_idle(d, "READ SECTORS block")) != GS_OK)
			return st;
		uint8_t status = inb(ATA_STATUS);
		if ((st = ide_check_status(status, true, "READ SECTORS block", op)) != GS_OK)
			return st;
		for (unsigned i = 0; i < ATA_SECTOR; i += 2) {
			uint16_t w = inw(ATA_DATA);
			p[i] = (uint8_t)w;
			p[i + 1] = (uint8_t)(w >> 8);
		}
	}
	if ((st = ide_wait_idle(d, "READ SECTORS end")) != GS_OK)
		return st;
	return ide_check_status(d->last, false, "READ SECTORS end", op);
}

int workload_main(void)
{
	uint64_t ops, size, seed;
	static struct ide d;
	int st;

	if ((st = ide_params(&ops, &size, &seed)) != GS_OK)
		return st;
	if ((st = ide_open(&d, false)) != GS_OK)
		return st;
	if ((st = ide_identify(&d, ATA_CTL_NIEN)) != GS_OK)
		return st;
	if ((st = ide_check_fit(&d, ops, size)) != GS_OK)
		return st;

	unsigned n = (unsigned)size;
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < ops; i++) {
		uint32_t lba = (uint32_t)(i * n);
		ide_pattern_fill(buf, lba, n, (uint32_t)seed);
		if ((st = pio_write(&d, i + 1, lba, n)) != GS_OK)
			return st;
	}
	for (uint64_t i = 0; i < ops; i++) {
		uint32_t lba = (uint32_t)(i * n);
		memset(buf, 0xa5, n * ATA_SECTOR);
		if ((st = pio_read(&d, i + 1, lba, n)) != GS_OK)
			return st;
		if ((st = ide_pattern_check(buf, lba, n, (uint32_t)seed, i + 1)) != GS_OK)
			return st;
	}
	guest_result.cycles = rdtsc() - t0;
	guest_result.ops = ops;
	guest_result.bytes = 2 * ops * n * ATA_SECTOR;
	ide_result(&d, size, seed, ops * n * ATA_SECTOR);

	uint64_t out = 3 + ops * (12 + 256 * size), in = 258 + 258 * size * ops + d.polls;
	if ((st = ide_expect_region("ide-cmd", 258 + 258 * size * ops,
				    2 + ops * (12 + 256 * size))) != GS_OK ||
	    (st = ide_expect_region("ide-ctl", d.polls, 1)) != GS_OK)
		return st;
	if (io_measured(IO_PIO_OUT) != out || io_measured(IO_PIO_IN) != in ||
	    io_measured(IO_MMIO_READ) || io_measured(IO_MMIO_WRITE))
		return fail("measured totals differ from pio_out=%lu pio_in=%lu mmio=0",
			    (unsigned long)out, (unsigned long)in);
	if (d.polls < 3 + 2 * ops * (size + 1))
		return fail("%lu polls, fewer than one per wait", (unsigned long)d.polls);
	return GS_OK;
}
