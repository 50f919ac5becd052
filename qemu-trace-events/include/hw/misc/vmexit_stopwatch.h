/*
 * vmexit-stopwatch: guest-visible interface of the stopwatch PCI device.
 *
 * This header is shared, unchanged, by the QEMU device model
 * (include/hw/misc/vmexit_stopwatch.h in the patched QEMU tree) and by the
 * bare-metal guest workloads of vmexit-prof.  It therefore depends on
 * <stdint.h> only: no QEMU headers, no libc beyond that, no compiler
 * extensions.  Everything the guest sees in memory or in a BAR is
 * little-endian.
 *
 * See docs/specs/vmexit-stopwatch.md for the full specification.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef VMEXIT_STOPWATCH_H
#define VMEXIT_STOPWATCH_H

#include <stdint.h>

/* PCI identity */
#define VMEXIT_STOPWATCH_VENDOR_ID      0x1234u  /* QEMU's vendor id */
#define VMEXIT_STOPWATCH_DEVICE_ID      0x5357u  /* "SW" */
#define VMEXIT_STOPWATCH_REVISION       0x01u
#define VMEXIT_STOPWATCH_CLASS          0x00ffu  /* base 0x00, sub 0xff */

/* BARs: both 32-bit non-prefetchable memory, 4 KiB each */
#define VMEXIT_STOPWATCH_BAR_REGS       0
#define VMEXIT_STOPWATCH_BAR_DOORBELL   1
#define VMEXIT_STOPWATCH_BAR_SIZE       0x1000u

/*
 * BAR0 register offsets.  Every register is 32 bits wide and must be
 * accessed with aligned 4-byte loads/stores; other sizes are rejected by
 * the device.  Offsets not listed here read as 0xffffffff and ignore writes.
 * RO: writes ignored.  WO: reads return 0.  RW: reads return what was
 * last (validly) written.
 */
#define VMEXIT_STOPWATCH_REG_ID             0x00u /* RO magic | version */
#define VMEXIT_STOPWATCH_REG_CMD            0x04u /* WO a CMD_* code */
#define VMEXIT_STOPWATCH_REG_STATUS         0x08u /* RO STATUS_* bits */
#define VMEXIT_STOPWATCH_REG_LAP_COUNT      0x0cu /* RO laps since reset */
#define VMEXIT_STOPWATCH_REG_ELAPSED_LO     0x10u /* RO read latches 64 bits */
#define VMEXIT_STOPWATCH_REG_ELAPSED_HI     0x14u /* RO high half of latch */
#define VMEXIT_STOPWATCH_REG_LAP_LO         0x18u /* RO last lap, low half */
#define VMEXIT_STOPWATCH_REG_LAP_HI         0x1cu /* RO last lap, high half */
#define VMEXIT_STOPWATCH_REG_RING_ADDR_LO   0x40u /* RW ring address, low */
#define VMEXIT_STOPWATCH_REG_RING_ADDR_HI   0x44u /* RW ring address, high */
#define VMEXIT_STOPWATCH_REG_RING_SIZE      0x48u /* RW entries: 0 or 2^n */
#define VMEXIT_STOPWATCH_REG_RING_ERROR     0x4cu /* RO a RING_ERR_* code */
#define VMEXIT_STOPWATCH_REG_IRQ_ENABLE     0x50u /* RW IRQ_* mask */
#define VMEXIT_STOPWATCH_REG_IRQ_STATUS     0x54u /* RO IRQ_* pending */
#define VMEXIT_STOPWATCH_REG_IRQ_ACK        0x58u /* WO 1 clears IRQ_* bit */

/* REG_ID: "SW" in the high half, interface version in the low half */
#define VMEXIT_STOPWATCH_ID_MAGIC           0x5357u
#define VMEXIT_STOPWATCH_ID_VERSION         0x0001u
#define VMEXIT_STOPWATCH_ID_VALUE \
    ((VMEXIT_STOPWATCH_ID_MAGIC << 16) | VMEXIT_STOPWATCH_ID_VERSION)

/* REG_STATUS bits */
#define VMEXIT_STOPWATCH_STATUS_RUNNING     0x1u

/*
 * Command codes: written to REG_CMD (emulated path) or placed in a ring
 * entry's cmd field (paravirtual path).  Both paths execute them the same.
 */
#define VMEXIT_STOPWATCH_CMD_START          0x1u /* start; no-op if running */
#define VMEXIT_STOPWATCH_CMD_STOP           0x2u /* stop; no-op if stopped */
#define VMEXIT_STOPWATCH_CMD_LAP            0x3u /* record a lap */
#define VMEXIT_STOPWATCH_CMD_RESET          0x4u /* stop, zero everything */
#define VMEXIT_STOPWATCH_CMD_READ           0x5u /* change nothing, report */

/* BAR1: a 4-byte write of any value at this offset rings the doorbell */
#define VMEXIT_STOPWATCH_DOORBELL           0x00u

/* Ring limits */
#define VMEXIT_STOPWATCH_RING_MAX_ENTRIES   256u
#define VMEXIT_STOPWATCH_RING_ALIGN         8u

/*
 * Ring layout in guest memory, at RING_ADDR (8-byte aligned):
 *
 *   struct vmexit_stopwatch_ring_header       8 bytes
 *   struct vmexit_stopwatch_ring_entry[RING_SIZE], 16 bytes each
 *
 * producer and consumer are free-running 32-bit counters (they wrap at
 * 2^32, not at RING_SIZE); entry i lives in slot i % RING_SIZE.  The guest
 * owns producer, the device owns consumer.  producer - consumer must never
 * exceed RING_SIZE.
 */
struct vmexit_stopwatch_ring_header {
    uint32_t producer;
    uint32_t consumer;
};

struct vmexit_stopwatch_ring_entry {
    uint32_t cmd;        /* in:  VMEXIT_STOPWATCH_CMD_* */
    uint32_t status;     /* out: VMEXIT_STOPWATCH_ENTRY_* */
    uint64_t result_ns;  /* out: elapsed ns after the command */
};

#define VMEXIT_STOPWATCH_RING_HEADER_SIZE   8u
#define VMEXIT_STOPWATCH_RING_ENTRY_SIZE    16u
#define VMEXIT_STOPWATCH_RING_OFF_PRODUCER  0u
#define VMEXIT_STOPWATCH_RING_OFF_CONSUMER  4u
#define VMEXIT_STOPWATCH_ENTRY_OFF_CMD      0u
#define VMEXIT_STOPWATCH_ENTRY_OFF_STATUS   4u
#define VMEXIT_STOPWATCH_ENTRY_OFF_RESULT   8u

/* Bytes of guest memory a ring of n entries occupies */
#define VMEXIT_STOPWATCH_RING_BYTES(n) \
    (VMEXIT_STOPWATCH_RING_HEADER_SIZE + \
     (uint64_t)(n) * VMEXIT_STOPWATCH_RING_ENTRY_SIZE)

/* Ring entry status, written by the device */
#define VMEXIT_STOPWATCH_ENTRY_PENDING      0x0u /* guest's initial value */
#define VMEXIT_STOPWATCH_ENTRY_DONE         0x1u
#define VMEXIT_STOPWATCH_ENTRY_BAD_CMD      0x2u /* unknown command code */

/* REG_RING_ERROR: outcome of the last doorbell (or RING_SIZE write) */
#define VMEXIT_STOPWATCH_RING_ERR_NONE      0x0u
#define VMEXIT_STOPWATCH_RING_ERR_NO_RING   0x1u /* RING_SIZE is 0 */
#define VMEXIT_STOPWATCH_RING_ERR_BAD_SIZE  0x2u /* not 2^n or > MAX */
#define VMEXIT_STOPWATCH_RING_ERR_BAD_ADDR  0x3u /* misaligned / not RAM */
#define VMEXIT_STOPWATCH_RING_ERR_BAD_INDEX 0x4u /* producer too far ahead */
#define VMEXIT_STOPWATCH_RING_ERR_DMA       0x5u /* a transfer failed */
#define VMEXIT_STOPWATCH_RING_ERR_NO_MASTER 0x6u /* bus mastering is off */

/* REG_IRQ_ENABLE / REG_IRQ_STATUS / REG_IRQ_ACK bits */
#define VMEXIT_STOPWATCH_IRQ_RING_DONE      0x1u /* a batch completed */
#define VMEXIT_STOPWATCH_IRQ_RING_ERROR     0x2u /* a doorbell hit an error */
#define VMEXIT_STOPWATCH_IRQ_ALL            0x3u

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct vmexit_stopwatch_ring_header) ==
               VMEXIT_STOPWATCH_RING_HEADER_SIZE, "ring header layout");
_Static_assert(sizeof(struct vmexit_stopwatch_ring_entry) ==
               VMEXIT_STOPWATCH_RING_ENTRY_SIZE, "ring entry layout");
#endif

#endif /* VMEXIT_STOPWATCH_H */
