/*
 * vmexit-stopwatch: what the device model's two files share
 *
 *  - vmexit_stopwatch.c: the PCI device, BAR0 registers, command execution
 *    (both paths), interrupts, realize/exit/reset and vmstate;
 *  - vmexit_stopwatch_ring.c: the paravirtual path: ring validation, DMA,
 *    batch processing, the BAR1 doorbell and its ioeventfd handler.
 *
 * Internal to the device model; the guest-visible interface is
 * hw/misc/vmexit_stopwatch.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_VMEXIT_STOPWATCH_INTERNAL_H
#define HW_MISC_VMEXIT_STOPWATCH_INTERNAL_H

#include "exec/memory.h"
#include "hw/pci/pci.h"
#include "qapi/qapi-types-common.h"
#include "qemu/event_notifier.h"
#include "qom/object.h"

#define TYPE_VMEXIT_STOPWATCH "vmexit-stopwatch"
OBJECT_DECLARE_SIMPLE_TYPE(VmexitStopwatchState, VMEXIT_STOPWATCH)

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

/* vmexit_stopwatch.c */

/*
 * Execute one command, for either path: false for an unknown code;
 * *elapsed_ns (if not NULL) receives the elapsed time after it.
 */
bool stopwatch_execute(VmexitStopwatchState *s, uint32_t cmd,
                       const char *source, uint64_t *elapsed_ns);
/* Signal the enabled ones of events: MSI if enabled, else INTx (level) */
void stopwatch_raise_irq(VmexitStopwatchState *s, uint32_t events);

/* vmexit_stopwatch_ring.c */

/* Set RING_ERROR to code, with a trace event and a guest-error log line */
void stopwatch_ring_fail(VmexitStopwatchState *s, uint32_t code,
                         const char *reason);
/* BAR1: the doorbell page */
extern const MemoryRegionOps stopwatch_doorbell_ops;
/* Main-loop handler of the doorbell's ioeventfd */
void stopwatch_doorbell_notify(EventNotifier *e);
/* Whether realize registers the doorbell as an ioeventfd (property) */
bool stopwatch_use_ioeventfd(VmexitStopwatchState *s);

#endif
