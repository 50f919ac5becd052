#include "ide-dev.h"

int ide_open(struct ide *d, bool dma)
{
	memset(d, 0, sizeof(*d));
	if (pci_find_device(IDE_PCI_VENDOR, IDE_PCI_DEVICE, &d->pci)) {
		printf("error: no PIIX3 IDE function (%04x:%04x) on PCI bus 0\n", IDE_PCI_VENDOR,
		       IDE_PCI_DEVICE);
		return GS_NO_DEVICE;
	}
	uint32_t cc = d->pci.class_code;
	/* Class 01 (mass storage), subclass 01 (IDE); prog-if bit 0 clear: the
       primary channel decodes the compatibility ports 0x1f0/0x3f6. */
	if (cc >> 8 != 0x0101 || (cc & 0x01)) {
		printf("error: IDE function class 0x%06x: primary channel not in compatibility "
		       "mode\n",
		       cc);
		return GS_NO_DEVICE;
	}
	if (dma) {
		if (!(cc & 0x80)) {
			printf("error: IDE function class 0x%06x: no bus master\n", cc);
			return GS_NO_DEVICE;
		}
		if (pci_probe_bars(&d->pci))
			return fail("could not place the IDE function's BAR4");
		const struct pci_bar *b = &d->pci.bar[4];
		if (!b->io || b->size < 8 || !b->addr || b->addr > 0xfff8)
			return fail("IDE BAR4 is not a port range of at least 8 bytes (addr 0x%lx "
				    "size 0x%lx%s)",
				    (unsigned long)b->addr, (unsigned long)b->size,
				    b->io ? "" : ", memory");
		d->bm = (uint16_t)b->addr;
		pci_enable(&d->pci, PCI_CMD_IO | PCI_CMD_MASTER);
	} else {
		pci_enable(&d->pci, PCI_CMD_IO);
	}
	io_region_add("ide-cmd", false, ATA_CMD_BASE, 8, true);
	io_region_add("ide-ctl", false, ATA_CTL, 1, true);
	if (dma)
		io_region_add("ide-bmdma", false, d->bm, d->pci.bar[4].size, true);
	printf("ide: 00:%02x.%u class 0x%06x", d->pci.slot, d->pci.fn, cc);
	if (dma)
		printf(" bus master at 0x%x%s", d->bm,
		       d->pci.bar[4].assigned_by_us ? " (assigned)" : "");
	printf("\n");
	return GS_OK;
}

static bool alt_not_busy(void *arg)
{
	struct ide *d = arg;
	d->polls++;
	d->last = inb(ATA_CTL);
	return !(d->last & ATA_SR_BSY);
}

int ide_wait_idle(struct ide *d, const char *what)
{
	if (wait_until(alt_not_busy, d, IDE_POLL_MAX) < 0) {
		printf("error: %s: drive still busy (status 0x%02x) after %lu polls\n", what,
		       d->last, (unsigned long)IDE_POLL_MAX);
		return GS_TIMEOUT;
	}
	return GS_OK;
}

int ide_check_status(uint8_t st, bool drq, const char *what, uint64_t op)
{
	if (st & (ATA_SR_ERR | ATA_SR_DF)) {
		uint8_t err = inb(ATA_ERROR);
		return fail("op %lu: %s: device error, status 0x%02x error 0x%02x",
			    (unsigned long)op, what, st, err);
	}
	if (st & ATA_SR_BSY)
		return fail("op %lu: %s: status 0x%02x still busy", (unsigned long)op, what, st);
	if (!(st & ATA_SR_DRQ) != !drq)
		return fail("op %lu: %s: status 0x%02x, DRQ should be %s", (unsigned long)op, what,
			    st, drq ? "set" : "clear");
	return GS_OK;
}

void ide_command(uint8_t cmd, uint32_t lba, unsigned nsect)
{
	outb(ATA_DEVICE, ATA_DEV_OBS | ATA_DEV_LBA | ((lba >> 24) & 0x0f));
	outb(ATA_NSECT, (uint8_t)nsect); /* 256 would be 0; we stop at 128 */
	outb(ATA_LBA_LOW, (uint8_t)lba);
	outb(ATA_LBA_MID, (uint8_t)(lba >> 8));
	outb(ATA_LBA_HIGH, (uint8_t)(lba >> 16));
	outb(ATA_COMMAND, cmd);
}

static bool floating(uint8_t st)
{
	/* 0xff/0x7f: nothing drives the bus (pull-ups); 0x00: no drive behind
       an emulated channel, and never a ready ATA disk (DRDY or BSY is set). */
	return st == 0xff || st == 0x7f || st == 0x00;
}

int ide_identify(struct ide *d, uint8_t ctl)
{
	int st;
	outb(ATA_CTL, ctl);
	outb(ATA_DEVICE, ATA_DEV_OBS); /* master */
	uint8_t s = inb(ATA_STATUS);
	if (floating(s)) {
		printf("error: no drive on the primary IDE channel (status 0x%02x)\n", s);
		return GS_NO_DEVICE;
	}
	if ((st = ide_wait_idle(d, "select master")) != GS_OK)
		return st;
	outb(ATA_COMMAND, ATA_CMD_IDENTIFY);
	if ((st = ide_wait_idle(d, "IDENTIFY DEVICE")) != GS_OK)
		return st;
	s = inb(ATA_STATUS);
	if (s & (ATA_SR_ERR | ATA_SR_DF)) {
		printf("error: IDENTIFY DEVICE aborted (status 0x%02x): the primary master is not "
		       "an ATA disk\n",
		       s);
		return GS_NO_DEVICE;
	}
	if (!(s & ATA_SR_DRQ)) {
		printf("error: IDENTIFY DEVICE gave no data (status 0x%02x)\n", s);
		return GS_NO_DEVICE;
	}
	for (unsigned i = 0; i < 256; i++)
		d->id[i] = inw(ATA_DATA);
	if ((st = ide_wait_idle(d, "IDENTIFY DEVICE data")) != GS_OK)
		return st;
	if ((st = ide_check_status(d->last, false, "IDENTIFY DEVICE end", 0)) != GS_OK)
		return st;

	/* Word 0 bit 15: 0 for an ATA device; word 49 bit 9: LBA supported;
       words 60-61: sectors addressable with LBA28. */
	if (d->id[0] & 0x8000) {
		printf("error: IDENTIFY word 0 = 0x%04x: not an ATA device\n", d->id[0]);
		return GS_NO_DEVICE;
	}
	if (!(d->id[49] & 0x0200)) {
		printf("error: the disk does not support LBA (IDENTIFY word 49 = 0x%04x)\n",
		       d->id[49]);
		return GS_NO_DEVICE;
	}
	d->sectors = (uint32_t)d->id[60] | (uint32_t)d->id[61] << 16;
	if (!d->sectors || d->sectors > ATA_LBA28_LIMIT) {
		printf("error: implausible LBA28 capacity %u sectors\n", d->sectors);
		return GS_NO_DEVICE;
	}
	/* Model: words 27-46, two ASCII characters per word, high byte first. */
	char model[41];
	for (unsigned i = 0; i < 20; i++) {
		model[2 * i] = (char)(d->id[27 + i] >> 8);
		model[2 * i + 1] = (char)d->id[27 + i];
	}
	model[40] = '\0';
	for (int i = 39; i >= 0 && model[i] == ' '; i--)
		model[i] = '\0';
	printf("ide: primary master \"%s\", %u sectors (%u KiB)%s\n", model, d->sectors,
	       d->sectors / 2, d->id[49] & 0x0100 ? ", DMA" : "");
	return GS_OK;
}

/* One xorshift32 stream per sector, started from the seed and the LBA. */
static uint32_t sector_state(uint32_t lba, uint32_t seed)
{
	uint32_t x = seed * 0x9e3779b9u ^ (lba + 1) * 0x85ebca6bu;
	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return x ? x : 0x6d2b79f5u;
}

static uint32_t next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

void ide_pattern_fill(uint8_t *buf, uint32_t lba, unsigned nsect, uint32_t seed)
{
	for (unsigned s = 0; s < nsect; s++) {
		uint32_t x = sector_state(lba + s, seed);
		for (unsigned i = 0; i < ATA_SECTOR; i += 4) {
			uint32_t v = next(&x);
			buf[i] = (uint8_t)v;
			buf[i + 1] = (uint8_t)(v >> 8);
			buf[i + 2] = (uint8_t)(v >> 16);
			buf[i + 3] = (uint8_t)(v >> 24);
		}
		buf += ATA_SECTOR;
	}
}

int ide_pattern_check(const uint8_t *buf, uint32_t lba, unsigned nsect, uint32_t seed, uint64_t op)
{
	for (unsigned s = 0; s < nsect; s++) {
		uint32_t x = sector_state(lba + s, seed);
		for (unsigned i = 0; i < ATA_SECTOR; i += 4) {
			uint32_t v = next(&x);
			for (unsigned b = 0; b < 4; b++) {
				uint8_t want = (uint8_t)(v >> (8 * b));
				if (buf[i + b] != want)
					return fail(
						"op %lu: LBA %u byte %u reads 0x%02x, wrote 0x%02x",
						(unsigned long)op, lba + s, i + b, buf[i + b],
						want);
			}
		}
		buf += ATA_SECTOR;
	}
	return GS_OK;
}

int ide_check_fit(const struct ide *d, uint64_t ops, uint64_t size)
{
	if (ops * size > d->sectors) {
		printf("error: parameter 'ops=%lu': ops * size = %lu sectors do not fit the disk's "
		       "%u\n",
		       (unsigned long)ops, (unsigned long)(ops * size), d->sectors);
		return GS_BAD_PARAM;
	}
	return GS_OK;
}

int ide_expect_region(const char *name, uint64_t reads, uint64_t writes)
{
	for (unsigned i = 0; i < io_counters.nregions; i++) {
		const struct io_region *r = &io_counters.region[i];
		if (strcmp(r->name, name))
			continue;
		uint64_t got_r = r->count[IO_PIO_IN], got_w = r->count[IO_PIO_OUT];
		if (got_r != reads || got_w != writes)
			return fail(
				"region %s: %lu reads and %lu writes, the formula says %lu and %lu",
				name, (unsigned long)got_r, (unsigned long)got_w,
				(unsigned long)reads, (unsigned long)writes);
		return GS_OK;
	}
	return fail("region %s is not registered", name);
}

void ide_result(const struct ide *d, uint64_t size, uint64_t seed, uint64_t verified)
{
	result_add("size=%lu", (unsigned long)size);
	result_add("seed=%lu", (unsigned long)seed);
	result_add("polls=%lu", (unsigned long)d->polls);
	result_add("verified=%lu", (unsigned long)verified);
	result_add("disk_sectors=%u", d->sectors);
}

int ide_params(uint64_t *ops, uint64_t *size, uint64_t *seed)
{
	const struct param params[] = {
		{ "ops", ops, 1, 1000000 },
		{ "size", size, 1, IDE_MAX_SECTORS },
		{ "seed", seed, 0, 0xffffffffu },
	};

	*ops = 64;
	*size = 1;
	*seed = 1;
	return guest_params(params, 3);
}
