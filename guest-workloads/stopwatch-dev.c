#include "stopwatch-dev.h"

static int check_bar(const struct pci_bar *b, int i)
{
    if (!b->size || b->io || b->size < VMEXIT_STOPWATCH_BAR_SIZE)
        return fail("stopwatch BAR%d is not a %u-byte memory BAR (size 0x%lx%s)", i,
                    VMEXIT_STOPWATCH_BAR_SIZE, (unsigned long)b->size, b->io ? ", io" : "");
    return GS_OK;
}

int stopwatch_open(struct stopwatch *sw, bool bus_master)
{
    if (pci_find_device(VMEXIT_STOPWATCH_VENDOR_ID, VMEXIT_STOPWATCH_DEVICE_ID, &sw->pci)) {
        printf("error: no vmexit-stopwatch device (%04x:%04x) on PCI bus 0\n",
               VMEXIT_STOPWATCH_VENDOR_ID, VMEXIT_STOPWATCH_DEVICE_ID);
        return GS_NO_DEVICE;
    }
    if (pci_probe_bars(&sw->pci))
        return fail("no room to place the stopwatch BARs");
    const struct pci_bar *regs = &sw->pci.bar[VMEXIT_STOPWATCH_BAR_REGS];
    const struct pci_bar *bell = &sw->pci.bar[VMEXIT_STOPWATCH_BAR_DOORBELL];
    int st = check_bar(regs, VMEXIT_STOPWATCH_BAR_REGS);
    if (st == GS_OK)
        st = check_bar(bell, VMEXIT_STOPWATCH_BAR_DOORBELL);
    if (st != GS_OK)
        return st;
    sw->regs = regs->addr;
    sw->doorbell = bell->addr;
    pci_enable(&sw->pci, PCI_CMD_MEMORY | (bus_master ? PCI_CMD_MASTER : 0));
    io_region_add("stopwatch-regs", true, sw->regs, regs->size, true);
    io_region_add("stopwatch-doorbell", true, sw->doorbell, bell->size, true);
    printf("stopwatch: 00:%02x.%u regs 0x%lx doorbell 0x%lx\n", sw->pci.slot, sw->pci.fn,
           (unsigned long)sw->regs, (unsigned long)sw->doorbell);

    uint32_t id = sw_read(sw, VMEXIT_STOPWATCH_REG_ID);
    if (id != VMEXIT_STOPWATCH_ID_VALUE)
        return fail("stopwatch ID register reads 0x%08x, want 0x%08x", id,
                    VMEXIT_STOPWATCH_ID_VALUE);
    return GS_OK;
}
