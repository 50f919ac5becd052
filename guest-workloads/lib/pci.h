/*
 * PCI configuration access (mechanism #1, ports 0xcf8/0xcfc), enumeration of
 * bus 0, BAR sizing and assignment, and command-register enabling.
 */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_CFG_ADDR 0xcf8
#define PCI_CFG_DATA 0xcfc

#define PCI_VENDOR_ID	   0x00
#define PCI_DEVICE_ID	   0x02
#define PCI_COMMAND	   0x04
#define PCI_CLASS_REVISION 0x08 /* class << 8 | revision */
#define PCI_HEADER_TYPE	   0x0e
#define PCI_BAR0	   0x10
#define PCI_INTERRUPT_LINE 0x3c

#define PCI_CMD_IO     0x0001
#define PCI_CMD_MEMORY 0x0002
#define PCI_CMD_MASTER 0x0004

#define PCI_BAR_IO     0x1
#define PCI_BAR_MEM_64 0x4 /* memory BAR type field == 2 */
#define PCI_NUM_BARS   6

struct pci_bar {
	uint64_t addr; /* 0 when the BAR is not implemented */
	uint64_t size;
	bool io, is64, assigned_by_us;
};

struct pci_dev {
	uint8_t bus, slot, fn;
	uint16_t vendor, device;
	uint32_t class_code; /* base << 16 | sub << 8 | prog-if */
	uint8_t revision, header_type;
	struct pci_bar bar[PCI_NUM_BARS];
};

uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
uint16_t pci_read16(const struct pci_dev *d, uint8_t off);
uint8_t pci_read8(const struct pci_dev *d, uint8_t off);
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v);
void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v);

/* Fills up to max devices found on bus 0; returns how many exist. */
int pci_scan(struct pci_dev *out, int max);
/* 0 and *out filled, or -ENODEV. */
int pci_find_device(uint16_t vendor, uint16_t device, struct pci_dev *out);
int pci_find_class(uint8_t base, uint8_t sub, struct pci_dev *out);
/* Sizes every BAR; gives an address to those the firmware left at 0 (or
   put above 4 GiB, outside the guest's identity map).  0 or -ENOSPC. */
int pci_probe_bars(struct pci_dev *d);
/* Sets bits (PCI_CMD_*) in the command register. */
void pci_enable(const struct pci_dev *d, uint16_t bits);

#endif
