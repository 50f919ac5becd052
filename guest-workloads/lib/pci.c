#include "pci.h"

#include "errors.h"
#include "io.h"

/* Unassigned BARs get addresses from windows SeaBIOS leaves free: it
   allocates memory BARs downwards from 0xfec00000 and ports upwards from
   0xc000; the 64 MiB guest's RAM ends far below 0xd0000000. */
#define ALLOC_MEM_START 0xd0000000ull
#define ALLOC_MEM_END	0xe0000000ull
#define ALLOC_IO_START	0x6000u
#define ALLOC_IO_END	0xc000u

static uint64_t next_mem = ALLOC_MEM_START;
static uint32_t next_io = ALLOC_IO_START;

static uint32_t cfg_address(uint8_t bus, uint8_t slot, uint8_t fn, uint8_t off)
{
	return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)slot << 11 | (uint32_t)fn << 8 |
	       (off & 0xfcu);
}

static uint32_t cfg_read32(uint8_t bus, uint8_t slot, uint8_t fn, uint8_t off)
{
	outl(PCI_CFG_ADDR, cfg_address(bus, slot, fn, off));
	return inl(PCI_CFG_DATA);
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off)
{
	return cfg_read32(d->bus, d->slot, d->fn, off);
}

uint16_t pci_read16(const struct pci_dev *d, uint8_t off)
{
	outl(PCI_CFG_ADDR, cfg_address(d->bus, d->slot, d->fn, off));
	return inw(PCI_CFG_DATA + (off & 2));
}

uint8_t pci_read8(const struct pci_dev *d, uint8_t off)
{
	outl(PCI_CFG_ADDR, cfg_address(d->bus, d->slot, d->fn, off));
	return inb(PCI_CFG_DATA + (off & 3));
}

void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v)
{
	outl(PCI_CFG_ADDR, cfg_address(d->bus, d->slot, d->fn, off));
	outl(PCI_CFG_DATA, v);
}

void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v)
{
	outl(PCI_CFG_ADDR, cfg_address(d->bus, d->slot, d->fn, off));
	outw(PCI_CFG_DATA + (off & 2), v);
}

static void fill_header(struct pci_dev *d, uint8_t slot, uint8_t fn, uint32_t id)
{
	*d = (struct pci_dev){ .bus = 0, .slot = slot, .fn = fn };
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	uint32_t cr = pci_read32(d, PCI_CLASS_REVISION);
	d->class_code = cr >> 8;
	d->revision = (uint8_t)cr;
	d->header_type = pci_read8(d, PCI_HEADER_TYPE);
}

int pci_scan(struct pci_dev *out, int max)
{
	int n = 0;
	for (uint8_t slot = 0; slot < 32; slot++) {
		for (uint8_t fn = 0; fn < 8; fn++) {
			uint32_t id = cfg_read32(0, slot, fn, PCI_VENDOR_ID);
			if ((uint16_t)id == 0xffff) {
				if (fn == 0)
					break; /* no device in this slot */
				continue;
			}
			struct pci_dev d;
			fill_header(&d, slot, fn, id);
			if (n < max)
				out[n] = d;
			n++;
			if (fn == 0 && !(d.header_type & 0x80))
				break; /* single-function device */
		}
	}
	return n;
}

#define SCAN_MAX 64

int pci_find_device(uint16_t vendor, uint16_t device, struct pci_dev *out)
{
	static struct pci_dev all[SCAN_MAX];
	int n = pci_scan(all, SCAN_MAX);
	for (int i = 0; i < n && i < SCAN_MAX; i++) {
		if (all[i].vendor == vendor && all[i].device == device) {
			*out = all[i];
			return 0;
		}
	}
	return -ENODEV;
}

int pci_find_class(uint8_t base, uint8_t sub, struct pci_dev *out)
{
	static struct pci_dev all[SCAN_MAX];
	int n = pci_scan(all, SCAN_MAX);
	for (int i = 0; i < n && i < SCAN_MAX; i++) {
		if ((all[i].class_code >> 8) == ((uint32_t)base << 8 | sub)) {
			*out = all[i];
			return 0;
		}
	}
	return -ENODEV;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int assign(struct pci_dev *d, int i, uint8_t off)
{
	struct pci_bar *b = &d->bar[i];
	if (b->io) {
		uint64_t a = align_up(next_io, b->size);
		if (a + b->size > ALLOC_IO_END)
			return -ENOSPC;
		next_io = (uint32_t)(a + b->size);
		b->addr = a;
		pci_write32(d, off, (uint32_t)a);
	} else {
		uint64_t a = align_up(next_mem, b->size);
		if (a + b->size > ALLOC_MEM_END)
			return -ENOSPC;
		next_mem = a + b->size;
		b->addr = a;
		pci_write32(d, off, (uint32_t)a);
		if (b->is64)
			pci_write32(d, off + 4, 0);
	}
	b->assigned_by_us = true;
	return 0;
}

int pci_probe_bars(struct pci_dev *d)
{
	/* Sizing writes all-ones to a BAR: stop decoding meanwhile so the
       device never answers at a bogus address. */
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
	int err = 0;

	for (int i = 0; i < PCI_NUM_BARS; i++) {
		uint8_t off = PCI_BAR0 + 4 * i;
		struct pci_bar *b = &d->bar[i];
		uint32_t orig = pci_read32(d, off);
		pci_write32(d, off, 0xffffffffu);
		uint32_t mask = pci_read32(d, off);
		pci_write32(d, off, orig);
		*b = (struct pci_bar){ 0 };
		if (mask == 0 || mask == 0xffffffffu)
			continue; /* not implemented */
		b->io = orig & PCI_BAR_IO;
		if (b->io) {
			b->addr = orig & ~0x3u;
			b->size = (~(mask & ~0x3u) + 1) & 0xffff;
		} else {
			b->is64 = (orig & 0x6) == PCI_BAR_MEM_64;
			uint64_t m = mask & ~0xfu, a = orig & ~0xfu;
			if (b->is64 && i + 1 < PCI_NUM_BARS) {
				uint32_t orig_hi = pci_read32(d, off + 4);
				pci_write32(d, off + 4, 0xffffffffu);
				m |= (uint64_t)pci_read32(d, off + 4) << 32;
				pci_write32(d, off + 4, orig_hi);
				a |= (uint64_t)orig_hi << 32;
			} else {
				m |= 0xffffffff00000000ull;
			}
			b->addr = a;
			b->size = ~m + 1;
		}
		bool reachable = b->io || b->addr + b->size <= 0x100000000ull;
		if ((b->addr == 0 || !reachable) && assign(d, i, off) < 0)
			err = -ENOSPC;
		if (b->is64)
			i++; /* the upper half is not a BAR of its own */
	}
	pci_write16(d, PCI_COMMAND, cmd);
	return err;
}

void pci_enable(const struct pci_dev *d, uint16_t bits)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd | bits);
}
