/*
 * vmexit-stopwatch: the paravirtual path
 *
 * The guest queues commands in a ring in its own RAM and writes the BAR1
 * doorbell once.  This file checks the ring, works it off by DMA with the
 * same command code as the registers (stopwatch_execute), publishes the
 * consumer index and interrupts once per batch; and it is where a doorbell
 * arrives, from BAR1's MMIO handler or from the main-loop handler of its
 * ioeventfd.  The device itself is vmexit_stopwatch.c; what the two files
 * share is declared in vmexit_stopwatch_internal.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/event_notifier.h"
#include "qemu/log.h"
#include "qemu/rcu.h"
#include "exec/memory.h"
#include "hw/pci/pci.h"
#include "sysemu/kvm.h"
#include "hw/misc/vmexit_stopwatch.h"
#include "vmexit_stopwatch_internal.h"
#include "trace.h"

void stopwatch_ring_fail(VmexitStopwatchState *s, uint32_t code,
                         const char *reason)
{
    s->ring_error = code;
    trace_vmexit_stopwatch_ring_error(s->ring_addr, s->ring_size, code,
                                      reason);
    qemu_log_mask(LOG_GUEST_ERROR, "%s: ring at 0x%" PRIx64 ": %s\n",
                  TYPE_VMEXIT_STOPWATCH, s->ring_addr, reason);
}

/*
 * True if [addr, addr + len) is writable RAM in this device's bus-master
 * address space.  Checking the whole ring before the first transfer means a
 * bad RING_ADDR has no side effect at all (not even a header read), and it
 * keeps the ring out of MMIO: a ring placed over this device's own BARs
 * would otherwise make the device re-enter itself.
 */
static bool stopwatch_ring_is_ram(VmexitStopwatchState *s, hwaddr addr,
                                  hwaddr len)
{
    AddressSpace *as = pci_get_address_space(&s->parent_obj);

    if (addr + len < addr) {
        return false;
    }

    RCU_READ_LOCK_GUARD();
    while (len) {
        hwaddr xlat, chunk = len;
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &chunk,
                                                   true,
                                                   MEMTXATTRS_UNSPECIFIED);

        if (!chunk || !memory_region_is_ram(mr) || memory_region_is_rom(mr)) {
            return false;
        }
        addr += chunk;
        len -= chunk;
    }
    return true;
}

static hwaddr stopwatch_entry_addr(VmexitStopwatchState *s, uint32_t index)
{
    return s->ring_addr + VMEXIT_STOPWATCH_RING_HEADER_SIZE +
           (hwaddr)(index & (s->ring_size - 1)) *
           VMEXIT_STOPWATCH_RING_ENTRY_SIZE;
}

/*
 * Work off every entry between the guest's producer and our consumer, in
 * order, then publish the new consumer and interrupt once for the batch.
 * Runs with the BQL held, from the doorbell's MMIO handler or from the
 * main-loop handler of its ioeventfd.
 */
static void stopwatch_process_ring(VmexitStopwatchState *s)
{
    PCIDevice *pdev = &s->parent_obj;
    uint8_t header[VMEXIT_STOPWATCH_RING_HEADER_SIZE];
    uint32_t producer, consumer, pending, done;
    bool dma_failed = false;

    if (!s->ring_size) {
        stopwatch_ring_fail(s, VMEXIT_STOPWATCH_RING_ERR_NO_RING,
                            "no ring configured");
        return;
    }
    /* Named separately: a missing bus-master bit is the usual driver bug */
    if (!(pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        stopwatch_ring_fail(s, VMEXIT_STOPWATCH_RING_ERR_NO_MASTER,
                            "bus mastering disabled");
        return;
    }
    if ((s->ring_addr & (VMEXIT_STOPWATCH_RING_ALIGN - 1)) ||
        !stopwatch_ring_is_ram(s, s->ring_addr,
                               VMEXIT_STOPWATCH_RING_BYTES(s->ring_size))) {
        stopwatch_ring_fail(s, VMEXIT_STOPWATCH_RING_ERR_BAD_ADDR,
                            "ring is misaligned or not in guest RAM");
        return;
    }

    if (pci_dma_read(pdev, s->ring_addr, header, sizeof(header)) !=
        MEMTX_OK) {
        stopwatch_ring_fail(s, VMEXIT_STOPWATCH_RING_ERR_DMA,
                            "header read failed");
        return;
    }
    /* Entries are read only after the producer index that covers them */
    smp_rmb();
    producer = ldl_le_p(header + VMEXIT_STOPWATCH_RING_OFF_PRODUCER);
    consumer = ldl_le_p(header + VMEXIT_STOPWATCH_RING_OFF_CONSUMER);

    /* Free-running counters: unsigned difference is the queue length */
    pending = producer - consumer;
    if (pending > s->ring_size) {
        stopwatch_ring_fail(s, VMEXIT_STOPWATCH_RING_ERR_BAD_INDEX,
                            "producer is more than a ring ahead of consumer");
        return;
    }

    trace_vmexit_stopwatch_ring_batch(s->ring_addr, consumer, pending,
                                      s->ring_size);
    s->ring_error = VMEXIT_STOPWATCH_RING_ERR_NONE;
    if (!pending) {
        return;
    }

    for (done = 0; done < pending; done++) {
        hwaddr entry = stopwatch_entry_addr(s, consumer + done);
        uint8_t out[VMEXIT_STOPWATCH_RING_ENTRY_SIZE -
                    VMEXIT_STOPWATCH_ENTRY_OFF_STATUS];
        uint32_t cmd, status;
        uint64_t elapsed;

        if (ldl_le_pci_dma(pdev, entry + VMEXIT_STOPWATCH_ENTRY_OFF_CMD, &cmd,
                           MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
            dma_failed = true;
            break;
        }

        status = stopwatch_execute(s, cmd, "ring", &elapsed) ?
                 VMEXIT_STOPWATCH_ENTRY_DONE : VMEXIT_STOPWATCH_ENTRY_BAD_CMD;

        /* status and result_ns are adjacent: one transfer writes both */
        stl_le_p(out, status);
        stq_le_p(out + (VMEXIT_STOPWATCH_ENTRY_OFF_RESULT -
                        VMEXIT_STOPWATCH_ENTRY_OFF_STATUS), elapsed);
        if (pci_dma_write(pdev, entry + VMEXIT_STOPWATCH_ENTRY_OFF_STATUS,
                          out, sizeof(out)) != MEMTX_OK) {
            /* The command did run; count it so consumer says so */
            done++;
            dma_failed = true;
            break;
        }
    }

    /* A guest that sees the new consumer must also see every result */
    smp_wmb();
    if (stl_le_pci_dma(pdev, s->ring_addr + VMEXIT_STOPWATCH_RING_OFF_CONSUMER,
                       consumer + done, MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        dma_failed = true;
    }

    if (dma_failed) {
        /* Not expected after the RAM check, but never silently ignored */
        stopwatch_ring_fail(s, VMEXIT_STOPWATCH_RING_ERR_DMA,
                            "entry transfer failed");
        return;
    }
    stopwatch_raise_irq(s, VMEXIT_STOPWATCH_IRQ_RING_DONE);
}

/* A doorbell, however it arrived: the ring, then an error interrupt if any */
static void stopwatch_kick(VmexitStopwatchState *s)
{
    stopwatch_process_ring(s);
    if (s->ring_error != VMEXIT_STOPWATCH_RING_ERR_NONE) {
        stopwatch_raise_irq(s, VMEXIT_STOPWATCH_IRQ_RING_ERROR);
    }
}

/* BAR1: doorbell */

/*
 * Reached only when the doorbell is not an ioeventfd (the default without
 * KVM), or for stores that do not match the registered one: with an
 * ioeventfd registered, the memory core (or KVM) signals the notifier
 * instead of calling this.
 */
static void stopwatch_doorbell_write(void *opaque, hwaddr offset,
                                     uint64_t data, unsigned size)
{
    VmexitStopwatchState *s = opaque;

    trace_vmexit_stopwatch_doorbell_mmio(offset, size, data);
    if (offset != VMEXIT_STOPWATCH_DOORBELL) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: doorbell write at offset 0x%"
                      HWADDR_PRIx " ignored\n", TYPE_VMEXIT_STOPWATCH, offset);
        return;
    }
    stopwatch_kick(s);
}

static uint64_t stopwatch_doorbell_read(void *opaque, hwaddr offset,
                                        unsigned size)
{
    /* Nothing to read here: the ring itself carries every result */
    trace_vmexit_stopwatch_mmio_read(offset, "DOORBELL_BAR", size, UINT32_MAX);
    return UINT32_MAX;
}

const MemoryRegionOps stopwatch_doorbell_ops = {
    .read = stopwatch_doorbell_read,
    .write = stopwatch_doorbell_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

/*
 * Main-loop handler of the doorbell's ioeventfd.  Several kicks before we
 * get here fold into one eventfd count, and one pass consumes everything
 * the guest has produced by then, so no kick is lost.
 */
void stopwatch_doorbell_notify(EventNotifier *e)
{
    VmexitStopwatchState *s = container_of(e, VmexitStopwatchState,
                                           doorbell_notifier);

    if (!event_notifier_test_and_clear(e)) {
        return;
    }
    trace_vmexit_stopwatch_doorbell_eventfd();
    stopwatch_kick(s);
}

bool stopwatch_use_ioeventfd(VmexitStopwatchState *s)
{
    switch (s->ioeventfd) {
    case ON_OFF_AUTO_ON:
        return true;
    case ON_OFF_AUTO_OFF:
        return false;
    default:
        /*
         * Only KVM turns the eventfd into an exit-free kick.  Elsewhere the
         * memory core would signal it itself and defer the ring to the
         * main loop for nothing; the synchronous MMIO handler is better.
         */
        return kvm_eventfds_enabled();
    }
}
