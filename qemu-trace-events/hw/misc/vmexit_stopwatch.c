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
 * This file is the device itself: PCI identity, BAR0 registers, the
 * command implementation both paths share, interrupts, lifecycle and
 * vmstate.  The paravirtual path (ring, doorbell, ioeventfd) is in
 * vmexit_stopwatch_ring.c; what the two share is declared in
 * vmexit_stopwatch_internal.h.
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
#include "vmexit_stopwatch_internal.h"
#include "trace.h"

/* The doorbell is a single 32-bit store */
#define STOPWATCH_DOORBELL_WIDTH 4

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
bool stopwatch_execute(VmexitStopwatchState *s, uint32_t cmd,
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

void stopwatch_raise_irq(VmexitStopwatchState *s, uint32_t events)
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
