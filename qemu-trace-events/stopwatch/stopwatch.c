/*
 * vmexit-stopwatch: a stopwatch PCI device for vmexit-prof
 *
 * The same stopwatch can be driven two ways, so that a profiler can compare
 * what each costs in VM exits:
 *
 *  - emulated: every command and every read is a 32-bit access to a BAR0
 *    register, i.e. one MMIO trap per access (several per measurement);
 *  - paravirtual: the guest queues commands in a ring in its own RAM and
 *    writes the BAR1 doorbell once; under KVM that write is an ioeventfd,
 *    completed in the host kernel, and the ring is then worked off in
 *    QEMU's main loop.
 *
 * The guest-visible interface (ids, registers, ring layout, codes) lives in
 * hw/misc/vmexit_stopwatch.h, a plain C header the guest workloads share;
 * the specification is the README.md next to this file in vmexit-prof.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/event_notifier.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "sysemu/kvm.h"
#include "qom/object.h"
#include "hw/misc/vmexit_stopwatch.h"
#include "trace.h"

#define TYPE_VMEXIT_STOPWATCH "vmexit-stopwatch"
OBJECT_DECLARE_SIMPLE_TYPE(VmexitStopwatchState, VMEXIT_STOPWATCH)

/* The doorbell is a single 32-bit store */
#define STOPWATCH_DOORBELL_WIDTH 4

struct VmexitStopwatchState {
    PCIDevice parent_obj;

    MemoryRegion regs;          /* BAR0: control registers */
    MemoryRegion doorbell;      /* BAR1: doorbell page */

    /*
     * Set when the doorbell is registered as an ioeventfd; the length used
     * for registration is kept because removal must match it exactly.
     */
    EventNotifier doorbell_notifier;
    bool doorbell_eventfd;
    unsigned doorbell_eventfd_len;

    /* Properties */
    OnOffAuto ioeventfd;

    /*
     * Stopwatch.  Elapsed time is accum_ns plus, while running, the virtual
     * time since start_ns; laps are measured between lap_mark_ns values on
     * that same elapsed scale, so time spent stopped is never counted.
     */
    bool running;
    int64_t start_ns;
    uint64_t accum_ns;
    uint64_t lap_mark_ns;
    uint64_t lap_ns;
    uint32_t lap_count;
    /* Value latched by reading ELAPSED_LO, returned by ELAPSED_HI */
    uint64_t latch_ns;

    /* Paravirtual ring */
    uint64_t ring_addr;
    uint32_t ring_size;
    uint32_t ring_error;

    /* Interrupts */
    uint32_t irq_enable;
    uint32_t irq_status;
};

static int64_t stopwatch_now(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static uint64_t stopwatch_elapsed(VmexitStopwatchState *s, int64_t now)
{
    /*
     * The virtual clock never goes back on a machine, migration included;
     * the clamp only keeps a clock that restarted (as a qtest destination's
     * does) from turning into an elapsed time near 2^64.
     */
    if (!s->running || now < s->start_ns) {
        return s->accum_ns;
    }
    return s->accum_ns + (now - s->start_ns);
}

/* Back to power-on state; shared by the RESET command and device reset */
static void stopwatch_clear(VmexitStopwatchState *s)
{
    s->running = false;
    s->start_ns = 0;
    s->accum_ns = 0;
    s->lap_mark_ns = 0;
    s->lap_ns = 0;
    s->lap_count = 0;
    s->latch_ns = 0;
}

static const char *stopwatch_cmd_name(uint32_t cmd)
{
    switch (cmd) {
    case VMEXIT_STOPWATCH_CMD_START:
        return "START";
    case VMEXIT_STOPWATCH_CMD_STOP:
        return "STOP";
    case VMEXIT_STOPWATCH_CMD_LAP:
        return "LAP";
    case VMEXIT_STOPWATCH_CMD_RESET:
        return "RESET";
    case VMEXIT_STOPWATCH_CMD_READ:
        return "READ";
    default:
        return "unknown";
    }
}

/*
 * Execute one command.  This is the single implementation both interfaces
 * use, so a measurement means the same whichever way it was taken.
 * Returns false for an unknown code (which changes nothing); *elapsed_ns
 * receives the elapsed time after the command either way.
 */
static bool stopwatch_execute(VmexitStopwatchState *s, uint32_t cmd,
                              const char *source, uint64_t *elapsed_ns)
{
    int64_t now = stopwatch_now();
    uint64_t elapsed;
    bool known = true;

    switch (cmd) {
    case VMEXIT_STOPWATCH_CMD_START:
        if (!s->running) {
            s->start_ns = now;
            s->running = true;
        }
        break;
    case VMEXIT_STOPWATCH_CMD_STOP:
        if (s->running) {
            s->accum_ns += now - s->start_ns;
            s->running = false;
        }
        break;
    case VMEXIT_STOPWATCH_CMD_LAP:
        elapsed = stopwatch_elapsed(s, now);
        s->lap_ns = elapsed - s->lap_mark_ns;
        s->lap_mark_ns = elapsed;
        s->lap_count++;
        break;
    case VMEXIT_STOPWATCH_CMD_RESET:
        stopwatch_clear(s);
        break;
    case VMEXIT_STOPWATCH_CMD_READ:
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: unknown command 0x%" PRIx32 " from %s\n",
                      TYPE_VMEXIT_STOPWATCH, cmd, source);
        known = false;
        break;
    }

    elapsed = stopwatch_elapsed(s, now);
    trace_vmexit_stopwatch_cmd(source, cmd, stopwatch_cmd_name(cmd),
                               s->running, elapsed);
    if (elapsed_ns) {
        *elapsed_ns = elapsed;
    }
    return known;
}

/* Interrupts: MSI when the guest enabled it, INTx (pin A) otherwise */

static void stopwatch_raise_irq(VmexitStopwatchState *s, uint32_t events)
{
    PCIDevice *pdev = &s->parent_obj;

    /* Events the guest did not enable are not recorded, nor signalled */
    events &= s->irq_enable;
    if (!events) {
        return;
    }
    s->irq_status |= events;

    if (msi_enabled(pdev)) {
        msi_notify(pdev, 0);
        trace_vmexit_stopwatch_irq_raise(s->irq_status, "msi");
    } else {
        pci_set_irq(pdev, 1);
        trace_vmexit_stopwatch_irq_raise(s->irq_status, "intx");
    }
}

static void stopwatch_lower_irq(VmexitStopwatchState *s, uint32_t events)
{
    s->irq_status &= ~events;
    /*
     * Drop INTx even when MSI is on now: the line may have been raised
     * before the guest switched to MSI, and must not stay stuck.
     */
    if (!s->irq_status) {
        pci_set_irq(&s->parent_obj, 0);
    }
    trace_vmexit_stopwatch_irq_lower(s->irq_status);
}

/* Paravirtual path */

static void stopwatch_ring_fail(VmexitStopwatchState *s, uint32_t code,
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

/* BAR0: registers */

static const char *stopwatch_reg_name(hwaddr offset)
{
    switch (offset) {
    case VMEXIT_STOPWATCH_REG_ID:
        return "ID";
    case VMEXIT_STOPWATCH_REG_CMD:
        return "CMD";
    case VMEXIT_STOPWATCH_REG_STATUS:
        return "STATUS";
    case VMEXIT_STOPWATCH_REG_LAP_COUNT:
        return "LAP_COUNT";
    case VMEXIT_STOPWATCH_REG_ELAPSED_LO:
        return "ELAPSED_LO";
    case VMEXIT_STOPWATCH_REG_ELAPSED_HI:
        return "ELAPSED_HI";
    case VMEXIT_STOPWATCH_REG_LAP_LO:
        return "LAP_LO";
    case VMEXIT_STOPWATCH_REG_LAP_HI:
        return "LAP_HI";
    case VMEXIT_STOPWATCH_REG_RING_ADDR_LO:
        return "RING_ADDR_LO";
    case VMEXIT_STOPWATCH_REG_RING_ADDR_HI:
        return "RING_ADDR_HI";
    case VMEXIT_STOPWATCH_REG_RING_SIZE:
        return "RING_SIZE";
    case VMEXIT_STOPWATCH_REG_RING_ERROR:
        return "RING_ERROR";
    case VMEXIT_STOPWATCH_REG_IRQ_ENABLE:
        return "IRQ_ENABLE";
    case VMEXIT_STOPWATCH_REG_IRQ_STATUS:
        return "IRQ_STATUS";
    case VMEXIT_STOPWATCH_REG_IRQ_ACK:
        return "IRQ_ACK";
    default:
        return "unknown";
    }
}

static uint64_t stopwatch_regs_read(void *opaque, hwaddr offset,
                                    unsigned size)
{
    VmexitStopwatchState *s = opaque;
    uint32_t val;

    switch (offset) {
    case VMEXIT_STOPWATCH_REG_ID:
        val = VMEXIT_STOPWATCH_ID_VALUE;
        break;
    case VMEXIT_STOPWATCH_REG_CMD:
    case VMEXIT_STOPWATCH_REG_IRQ_ACK:
        /* Write-only: reads as zero, distinct from an unknown offset */
        val = 0;
        break;
    case VMEXIT_STOPWATCH_REG_STATUS:
        val = s->running ? VMEXIT_STOPWATCH_STATUS_RUNNING : 0;
        break;
    case VMEXIT_STOPWATCH_REG_LAP_COUNT:
        val = s->lap_count;
        break;
    case VMEXIT_STOPWATCH_REG_ELAPSED_LO:
        /*
         * Latch all 64 bits now, so the HI read that follows returns the
         * matching half even if the low half wrapped in between.
         */
        s->latch_ns = stopwatch_elapsed(s, stopwatch_now());
        val = extract64(s->latch_ns, 0, 32);
        break;
    case VMEXIT_STOPWATCH_REG_ELAPSED_HI:
        val = extract64(s->latch_ns, 32, 32);
        break;
    case VMEXIT_STOPWATCH_REG_LAP_LO:
        val = extract64(s->lap_ns, 0, 32);
        break;
    case VMEXIT_STOPWATCH_REG_LAP_HI:
        val = extract64(s->lap_ns, 32, 32);
        break;
    case VMEXIT_STOPWATCH_REG_RING_ADDR_LO:
        val = extract64(s->ring_addr, 0, 32);
        break;
    case VMEXIT_STOPWATCH_REG_RING_ADDR_HI:
        val = extract64(s->ring_addr, 32, 32);
        break;
    case VMEXIT_STOPWATCH_REG_RING_SIZE:
        val = s->ring_size;
        break;
    case VMEXIT_STOPWATCH_REG_RING_ERROR:
        val = s->ring_error;
        break;
    case VMEXIT_STOPWATCH_REG_IRQ_ENABLE:
        val = s->irq_enable;
        break;
    case VMEXIT_STOPWATCH_REG_IRQ_STATUS:
        val = s->irq_status;
        break;
    default:
        /* Like a bus with nothing behind it */
        val = UINT32_MAX;
        qemu_log_mask(LOG_GUEST_ERROR, "%s: read of unknown offset 0x%"
                      HWADDR_PRIx "\n", TYPE_VMEXIT_STOPWATCH, offset);
        break;
    }

    trace_vmexit_stopwatch_mmio_read(offset, stopwatch_reg_name(offset), size,
                                     val);
    return val;
}

static void stopwatch_regs_write(void *opaque, hwaddr offset, uint64_t data,
                                 unsigned size)
{
    VmexitStopwatchState *s = opaque;
    uint32_t val = data;

    trace_vmexit_stopwatch_mmio_write(offset, stopwatch_reg_name(offset), size,
                                      val);

    switch (offset) {
    case VMEXIT_STOPWATCH_REG_CMD:
        stopwatch_execute(s, val, "reg", NULL);
        break;
    case VMEXIT_STOPWATCH_REG_RING_ADDR_LO:
        s->ring_addr = deposit64(s->ring_addr, 0, 32, val);
        break;
    case VMEXIT_STOPWATCH_REG_RING_ADDR_HI:
        s->ring_addr = deposit64(s->ring_addr, 32, 32, val);
        break;
    case VMEXIT_STOPWATCH_REG_RING_SIZE:
        /*
         * Checked here rather than at the doorbell so the driver learns at
         * once; an invalid size leaves no ring rather than a truncated one.
         */
        if (val == 0 ||
            (is_power_of_2(val) && val <= VMEXIT_STOPWATCH_RING_MAX_ENTRIES)) {
            s->ring_size = val;
        } else {
            s->ring_size = 0;
            stopwatch_ring_fail(s, VMEXIT_STOPWATCH_RING_ERR_BAD_SIZE,
                                "ring size not a power of two up to 256");
        }
        break;
    case VMEXIT_STOPWATCH_REG_IRQ_ENABLE:
        s->irq_enable = val & VMEXIT_STOPWATCH_IRQ_ALL;
        break;
    case VMEXIT_STOPWATCH_REG_IRQ_ACK:
        stopwatch_lower_irq(s, val & VMEXIT_STOPWATCH_IRQ_ALL);
        break;
    case VMEXIT_STOPWATCH_REG_ID:
    case VMEXIT_STOPWATCH_REG_STATUS:
    case VMEXIT_STOPWATCH_REG_LAP_COUNT:
    case VMEXIT_STOPWATCH_REG_ELAPSED_LO:
    case VMEXIT_STOPWATCH_REG_ELAPSED_HI:
    case VMEXIT_STOPWATCH_REG_LAP_LO:
    case VMEXIT_STOPWATCH_REG_LAP_HI:
    case VMEXIT_STOPWATCH_REG_RING_ERROR:
    case VMEXIT_STOPWATCH_REG_IRQ_STATUS:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to read-only %s\n",
                      TYPE_VMEXIT_STOPWATCH, stopwatch_reg_name(offset));
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to unknown offset 0x%"
                      HWADDR_PRIx "\n", TYPE_VMEXIT_STOPWATCH, offset);
        break;
    }
}

static const MemoryRegionOps stopwatch_regs_ops = {
    .read = stopwatch_regs_read,
    .write = stopwatch_regs_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* One register per access: other widths never reach the handlers */
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

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

static const MemoryRegionOps stopwatch_doorbell_ops = {
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
static void stopwatch_doorbell_notify(EventNotifier *e)
{
    VmexitStopwatchState *s = container_of(e, VmexitStopwatchState,
                                           doorbell_notifier);

    if (!event_notifier_test_and_clear(e)) {
        return;
    }
    trace_vmexit_stopwatch_doorbell_eventfd();
    stopwatch_kick(s);
}

static bool stopwatch_use_ioeventfd(VmexitStopwatchState *s)
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

static void stopwatch_realize(PCIDevice *pdev, Error **errp)
{
    VmexitStopwatchState *s = VMEXIT_STOPWATCH(pdev);
    Error *err = NULL;
    int ret;

    pci_config_set_interrupt_pin(pdev->config, 1);

    /* Without working MSI on this board, INTx alone still serves */
    ret = msi_init(pdev, 0, 1, true, false, &err);
    if (ret == -ENOTSUP) {
        error_free(err);
    } else if (ret) {
        error_propagate(errp, err);
        return;
    }

    /* The last step that can fail, so only MSI has to be undone */
    s->doorbell_eventfd = stopwatch_use_ioeventfd(s);
    if (s->doorbell_eventfd) {
        ret = event_notifier_init(&s->doorbell_notifier, 0);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "cannot create doorbell eventfd");
            s->doorbell_eventfd = false;
            msi_uninit(pdev);
            return;
        }
    }

    memory_region_init_io(&s->regs, OBJECT(s), &stopwatch_regs_ops, s,
                          "vmexit-stopwatch-regs",
                          VMEXIT_STOPWATCH_BAR_SIZE);
    pci_register_bar(pdev, VMEXIT_STOPWATCH_BAR_REGS,
                     PCI_BASE_ADDRESS_SPACE_MEMORY, &s->regs);

    memory_region_init_io(&s->doorbell, OBJECT(s), &stopwatch_doorbell_ops, s,
                          "vmexit-stopwatch-doorbell",
                          VMEXIT_STOPWATCH_BAR_SIZE);
    pci_register_bar(pdev, VMEXIT_STOPWATCH_BAR_DOORBELL,
                     PCI_BASE_ADDRESS_SPACE_MEMORY, &s->doorbell);

    if (s->doorbell_eventfd) {
        event_notifier_set_handler(&s->doorbell_notifier,
                                   stopwatch_doorbell_notify);
        /*
         * Length 0 matches a store of any width; KVM then puts the doorbell
         * on its fast-MMIO bus, which completes the kick without even
         * decoding the instruction (and shows up as kvm_fast_mmio).
         */
        s->doorbell_eventfd_len = kvm_ioeventfd_any_length_enabled() ?
                                  0 : STOPWATCH_DOORBELL_WIDTH;
        memory_region_add_eventfd(&s->doorbell, VMEXIT_STOPWATCH_DOORBELL,
                                  s->doorbell_eventfd_len, false, 0,
                                  &s->doorbell_notifier);
    }
}

static void stopwatch_exit(PCIDevice *pdev)
{
    VmexitStopwatchState *s = VMEXIT_STOPWATCH(pdev);

    if (s->doorbell_eventfd) {
        memory_region_del_eventfd(&s->doorbell, VMEXIT_STOPWATCH_DOORBELL,
                                  s->doorbell_eventfd_len, false, 0,
                                  &s->doorbell_notifier);
        event_notifier_set_handler(&s->doorbell_notifier, NULL);
        event_notifier_cleanup(&s->doorbell_notifier);
        s->doorbell_eventfd = false;
    }
    msi_uninit(pdev);
}

static void stopwatch_reset(DeviceState *dev)
{
    VmexitStopwatchState *s = VMEXIT_STOPWATCH(dev);

    trace_vmexit_stopwatch_reset();
    stopwatch_clear(s);
    s->ring_addr = 0;
    s->ring_size = 0;
    s->ring_error = VMEXIT_STOPWATCH_RING_ERR_NONE;
    s->irq_enable = 0;
    stopwatch_lower_irq(s, VMEXIT_STOPWATCH_IRQ_ALL);
    /* A kick from before the reset must not act on the next ring */
    if (s->doorbell_eventfd) {
        event_notifier_test_and_clear(&s->doorbell_notifier);
    }
}

static int stopwatch_post_load(void *opaque, int version_id)
{
    VmexitStopwatchState *s = opaque;

    /* The stream is input like any other: never trust a ring size */
    if (s->ring_size > VMEXIT_STOPWATCH_RING_MAX_ENTRIES ||
        (s->ring_size && !is_power_of_2(s->ring_size))) {
        return -EINVAL;
    }
    s->irq_enable &= VMEXIT_STOPWATCH_IRQ_ALL;
    s->irq_status &= VMEXIT_STOPWATCH_IRQ_ALL;
    return 0;
}

/*
 * start_ns is an absolute QEMU_CLOCK_VIRTUAL time; that clock migrates with
 * the machine, so a running stopwatch keeps running across migration.
 */
static const VMStateDescription vmstate_vmexit_stopwatch = {
    .name = TYPE_VMEXIT_STOPWATCH,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = stopwatch_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, VmexitStopwatchState),
        VMSTATE_BOOL(running, VmexitStopwatchState),
        VMSTATE_INT64(start_ns, VmexitStopwatchState),
        VMSTATE_UINT64(accum_ns, VmexitStopwatchState),
        VMSTATE_UINT64(lap_mark_ns, VmexitStopwatchState),
        VMSTATE_UINT64(lap_ns, VmexitStopwatchState),
        VMSTATE_UINT32(lap_count, VmexitStopwatchState),
        VMSTATE_UINT64(latch_ns, VmexitStopwatchState),
        VMSTATE_UINT64(ring_addr, VmexitStopwatchState),
        VMSTATE_UINT32(ring_size, VmexitStopwatchState),
        VMSTATE_UINT32(ring_error, VmexitStopwatchState),
        VMSTATE_UINT32(irq_enable, VmexitStopwatchState),
        VMSTATE_UINT32(irq_status, VmexitStopwatchState),
        VMSTATE_END_OF_LIST()
    },
};

static Property stopwatch_properties[] = {
    /* auto: an ioeventfd exactly when KVM can serve it in the kernel */
    DEFINE_PROP_ON_OFF_AUTO("ioeventfd", VmexitStopwatchState, ioeventfd,
                            ON_OFF_AUTO_AUTO),
    DEFINE_PROP_END_OF_LIST(),
};

static void stopwatch_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = stopwatch_realize;
    k->exit = stopwatch_exit;
    k->vendor_id = VMEXIT_STOPWATCH_VENDOR_ID;
    k->device_id = VMEXIT_STOPWATCH_DEVICE_ID;
    k->revision = VMEXIT_STOPWATCH_REVISION;
    k->class_id = VMEXIT_STOPWATCH_CLASS;
    dc->desc = "vmexit-prof stopwatch (emulated registers, paravirtual ring)";
    dc->reset = stopwatch_reset;
    dc->vmsd = &vmstate_vmexit_stopwatch;
    device_class_set_props(dc, stopwatch_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo vmexit_stopwatch_info = {
    .name = TYPE_VMEXIT_STOPWATCH,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VmexitStopwatchState),
    .class_init = stopwatch_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void vmexit_stopwatch_register_types(void)
{
    type_register_static(&vmexit_stopwatch_info);
}

type_init(vmexit_stopwatch_register_types)
