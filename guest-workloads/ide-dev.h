/*
 * The PIIX3 IDE function (8086:7010) of QEMU's pc machine, primary channel,
 * master drive: what the ide-pio and ide-dma workloads share.
 *
 * Registers (ATA/ATAPI-6 task file, PCI IDE bus-master interface):
 *   command block 0x1f0-0x1f7 (region "ide-cmd"), control block 0x3f6
 *   (region "ide-ctl": alternate status when read, device control when
 *   written), bus-master block at BAR4 (region "ide-bmdma", DMA only).
 *   All three are measured regions.
 *
 * Counting rule used by both workloads: the alternate status register is
 * read only inside bounded waits (ide_wait_idle), and every such read is
 * counted in ide.polls; the status register proper (0x1f7, which also
 * acknowledges the drive's interrupt) is read a fixed number of times.  So
 * every count is a fixed formula of ops and size, plus `polls` for reads
 * whose number depends on how fast the device completes.
 */
#ifndef IDE_DEV_H
#define IDE_DEV_H

#include "guest.h"

#define IDE_PCI_VENDOR 0x8086
#define IDE_PCI_DEVICE 0x7010

/* Command block, primary channel (compatibility mode). */
#define ATA_CMD_BASE 0x1f0
#define ATA_DATA     (ATA_CMD_BASE + 0) /* 16-bit */
#define ATA_ERROR    (ATA_CMD_BASE + 1) /* read */
#define ATA_NSECT    (ATA_CMD_BASE + 2)
#define ATA_LBA_LOW  (ATA_CMD_BASE + 3)
#define ATA_LBA_MID  (ATA_CMD_BASE + 4)
#define ATA_LBA_HIGH (ATA_CMD_BASE + 5)
#define ATA_DEVICE   (ATA_CMD_BASE + 6)
#define ATA_STATUS   (ATA_CMD_BASE + 7) /* read */
#define ATA_COMMAND  (ATA_CMD_BASE + 7) /* write */
/* Control block: alternate status (read), device control (write). */
#define ATA_CTL 0x3f6

#define ATA_SR_BSY  0x80
#define ATA_SR_DRDY 0x40
#define ATA_SR_DF   0x20
#define ATA_SR_DRQ  0x08
#define ATA_SR_ERR  0x01

#define ATA_DEV_OBS  0xa0 /* bits 7 and 5: obsolete, set by convention */
#define ATA_DEV_LBA  0x40
#define ATA_CTL_NIEN 0x02 /* drive does not assert INTRQ */

#define ATA_CMD_READ_SECTORS  0x20
#define ATA_CMD_WRITE_SECTORS 0x30
#define ATA_CMD_READ_DMA      0xc8
#define ATA_CMD_WRITE_DMA     0xca
#define ATA_CMD_IDENTIFY      0xec

#define ATA_SECTOR	512u
#define ATA_LBA28_LIMIT 0x10000000u

/* Bus-master registers of the primary channel, offsets in BAR4. */
#define BM_CMD		 0x0
#define BM_STATUS	 0x2
#define BM_PRD		 0x4
#define BM_CMD_START	 0x01
#define BM_CMD_TO_MEMORY 0x08 /* the bus master writes memory (a disk read) */
#define BM_ST_ACTIVE	 0x01
#define BM_ST_ERROR	 0x02 /* write 1 to clear */
#define BM_ST_INT	 0x04 /* write 1 to clear */
#define BM_ST_CAPABLE	 0x60 /* drive 0/1 DMA capable: read/write, kept */
#define PRD_EOT		 0x80000000u

/* Polls allowed in one bounded wait (one status read each). */
#define IDE_POLL_MAX 10000000ul

/* Largest transfer of one command in both workloads: 128 sectors, 64 KiB,
   one PRD entry (its byte count 0 stands for 64 KiB). */
#define IDE_MAX_SECTORS 128u

struct ide {
	struct pci_dev pci;
	uint16_t bm;	  /* bus-master base (BAR4), DMA only */
	uint8_t bm_keep;  /* the BM status bits written back unchanged */
	uint8_t last;	  /* last alternate status read by ide_wait_idle */
	uint32_t sectors; /* LBA28 capacity from IDENTIFY words 60-61 */
	uint64_t polls;	  /* reads made inside bounded waits, both registers */
	uint16_t id[256]; /* IDENTIFY DEVICE data */
};

/* The parameters both IDE workloads take, with their defaults (README):
 * ops=64 size=1 seed=1.  GS_OK or GS_BAD_PARAM. */
int ide_params(uint64_t *ops, uint64_t *size, uint64_t *seed);

/*
 * Finds the IDE function on bus 0 (GS_NO_DEVICE if absent or the primary
 * channel is not in compatibility mode), enables its port decoding (and
 * with dma: places BAR4 when the firmware left it unassigned, and enables
 * bus mastering), and registers ide-cmd, ide-ctl (and ide-bmdma).
 * No accesses to the measured regions.
 */
int ide_open(struct ide *d, bool dma);

/*
 * Selects the master and identifies it.  Accesses:
 *   ide-ctl write 1 (device control = ctl), ide-cmd writes 2 (device, command),
 *   ide-cmd reads 258 (status twice, 256 data words), polls 3 or more.
 * GS_NO_DEVICE when the status floats (0x00, 0x7f, 0xff), IDENTIFY DEVICE is
 * aborted (not an ATA disk) or yields no data, or LBA is not supported;
 * GS_TIMEOUT, GS_FAIL otherwise on error.
 */
int ide_identify(struct ide *d, uint8_t ctl);

/* Writes the task file and the command: 6 ide-cmd writes. */
void ide_command(uint8_t cmd, uint32_t lba, unsigned nsect);

/* Polls the alternate status until BSY is clear; the value is left in
   d->last.  GS_OK or GS_TIMEOUT (after printing `what`). */
int ide_wait_idle(struct ide *d, const char *what);

/* Checks a status value: no ERR/DF/BSY, DRQ as wanted.  GS_OK or GS_FAIL
   (after printing why, and reading the error register on ERR). */
int ide_check_status(uint8_t st, bool drq, const char *what, uint64_t op);

/* The test pattern: deterministic bytes for nsect sectors from `lba` on. */
void ide_pattern_fill(uint8_t *buf, uint32_t lba, unsigned nsect, uint32_t seed);
/* GS_OK if buf holds the pattern, else GS_FAIL naming the first bad byte. */
int ide_pattern_check(const uint8_t *buf, uint32_t lba, unsigned nsect, uint32_t seed, uint64_t op);

/* ops ranges of size sectors must fit on the disk: GS_OK or GS_BAD_PARAM. */
int ide_check_fit(const struct ide *d, uint64_t ops, uint64_t size);

/* Compares a measured region's counts with the formula: GS_OK or GS_FAIL. */
int ide_expect_region(const char *name, uint64_t reads, uint64_t writes);

/* Adds size, seed, polls, verified and disk_sectors to the result line. */
void ide_result(const struct ide *d, uint64_t size, uint64_t seed, uint64_t verified);

#endif
