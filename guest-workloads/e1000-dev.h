/*
 * Intel 82540EM (e1000, PCI 8086:100e): the registers and descriptor
 * formats the e1000 workload uses, and opening one NIC through BAR0.
 * Written from the 8254x family software developer's manual.
 */
#ifndef E1000_DEV_H
#define E1000_DEV_H

#include "guest.h"

#define E1000_VENDOR_ID	    0x8086
#define E1000_DEVICE_ID	    0x100e  /* 82540EM */
#define E1000_BAR0_MIN_SIZE 0x20000 /* 128 KiB of registers */

/* Register offsets in BAR0. */
#define E1000_CTRL	0x0000
#define E1000_STATUS	0x0008
#define E1000_IMC	0x00d8
#define E1000_RCTL	0x0100
#define E1000_TCTL	0x0400
#define E1000_TIPG	0x0410
#define E1000_RDBAL	0x2800
#define E1000_RDBAH	0x2804
#define E1000_RDLEN	0x2808
#define E1000_RDH	0x2810
#define E1000_RDT	0x2818
#define E1000_TDBAL	0x3800
#define E1000_TDBAH	0x3804
#define E1000_TDLEN	0x3808
#define E1000_TDH	0x3810
#define E1000_TDT	0x3818
#define E1000_GPRC	0x4074 /* good packets received (clear on read) */
#define E1000_GPTC	0x4080 /* good packets transmitted (clear on read) */
#define E1000_MTA	0x5200 /* multicast table, 128 dwords */
#define E1000_MTA_WORDS 128
#define E1000_RAL0	0x5400
#define E1000_RAH0	0x5404

/* CTRL */
#define E1000_CTRL_LRST	   (1u << 3)
#define E1000_CTRL_SLU	   (1u << 6)
#define E1000_CTRL_RST	   (1u << 26)
#define E1000_CTRL_VME	   (1u << 30)
#define E1000_CTRL_PHY_RST (1u << 31)
/* STATUS */
#define E1000_STATUS_LU (1u << 1)
/* RAH */
#define E1000_RAH_AV (1u << 31)
/* RCTL */
#define E1000_RCTL_EN	      (1u << 1)
#define E1000_RCTL_BAM	      (1u << 15)
#define E1000_RCTL_BSIZE_2048 (0u << 16) /* with BSEX = 0 */
#define E1000_RCTL_SECRC      (1u << 26)
/* TCTL */
#define E1000_TCTL_EN	   (1u << 1)
#define E1000_TCTL_PSP	   (1u << 3)
#define E1000_TCTL_CT(x)   ((uint32_t)(x) << 4)
#define E1000_TCTL_COLD(x) ((uint32_t)(x) << 12)
/* TIPG for the 82540EM (copper): IPGT 10, IPGR1 8, IPGR2 6 */
#define E1000_TIPG_VALUE (10u | 8u << 10 | 6u << 20)

/* Legacy transmit descriptor. */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso, cmd, status, css;
	uint16_t special;
};
#define E1000_TXD_CMD_EOP  0x01
#define E1000_TXD_CMD_IFCS 0x02
#define E1000_TXD_CMD_RS   0x08
#define E1000_TXD_STAT_DD  0x01

/* Legacy receive descriptor. */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status, errors;
	uint16_t special;
};
#define E1000_RXD_STAT_DD  0x01
#define E1000_RXD_STAT_EOP 0x02

_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy TX descriptor is 16 bytes");
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "legacy RX descriptor is 16 bytes");

struct e1000 {
	struct pci_dev pci;
	const char *name; /* its region's name, for messages */
	uint64_t regs;	  /* BAR0 */
	uint8_t mac[6];
	uint64_t reset_polls; /* CTRL reads until RST cleared */
	uint64_t link_polls;  /* STATUS reads until LU was set */
};

static inline uint32_t e1000_read(const struct e1000 *nic, uint32_t reg)
{
	return readl(nic->regs + reg);
}

static inline void e1000_write(const struct e1000 *nic, uint32_t reg, uint32_t v)
{
	writel(nic->regs + reg, v);
}

/*
 * Finds up to `max` 82540EMs on bus 0, in slot order; returns how many
 * exist (no device accesses beyond PCI configuration).
 */
int e1000_find(struct pci_dev *out, int max);

/*
 * Places and enables BAR0 (memory decoding and bus mastering) and
 * registers it as the measured MMIO region `region`.  No MMIO access.
 * GS_OK or GS_FAIL.
 */
int e1000_open(struct e1000 *nic, const struct pci_dev *pci, const char *region);

/*
 * The common bring-up, in this order: IMC = all, CTRL = RST, CTRL read until
 * RST clears (bounded; reset_polls reads), IMC = all, CTRL = that value with
 * SLU set (and LRST, PHY_RST, VME cleared), STATUS read until LU (bounded;
 * link_polls reads), RAL0 and RAH0 read (the MAC the NIC loaded from its
 * EEPROM), RAL0 and RAH0 written back with AV.
 * MMIO: 6 writes, reset_polls + link_polls + 2 reads.
 * GS_OK, GS_TIMEOUT or GS_FAIL.
 */
int e1000_bring_up(struct e1000 *nic);

#endif
