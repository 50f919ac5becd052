"""The vmexit-stopwatch device's lifecycle: hot-unplug and re-plug (exit and
realize again), and migration of a running stopwatch (part of
test_stopwatch_qtest.py)."""

import os
import time

from qtest_client import PciFunction
from stopwatch_device import (CMD_LAP, CMD_READ, CMD_RESET, CMD_START,
                              CMD_STOP, DEVICE_ID, ENTRY_DONE, IRQ_RING_DONE,
                              REG_IRQ_ENABLE, REG_LAP_COUNT,
                              REG_RING_ADDR_LO, REG_RING_SIZE, REG_STATUS,
                              RING_ADDR, RING_SIZE, STATUS_RUNNING, VENDOR_ID,
                              Stopwatch, find_stopwatch, setup_device,
                              start_qemu)

# ACPI PCI hotplug (PIIX4 PM): writing 1 << slot here ejects the slot, as
# the guest's ACPI code would after a device_del
ACPI_PCIHP_EJECT = 0xae08
HOTPLUG_SLOT = 5


def test_hotplug(qt, c):
    """realize and exit mirror each other: unplug, plug again, still works."""
    label = "hotplug"
    devfn = HOTPLUG_SLOT << 3
    qt.qmp.execute("device_add", driver="vmexit-stopwatch", id="sw-hot",
                   bus="pci.0", addr="0x%x" % HOTPLUG_SLOT, ioeventfd="on")
    fn = PciFunction(qt, devfn)
    c.eq(label + ": hot-added device in slot %d" % HOTPLUG_SLOT,
         fn.read32(0), (DEVICE_ID << 16) | VENDOR_ID)

    qt.qmp.execute("device_del", id="sw-hot")
    qt.outl(ACPI_PCIHP_EJECT, 1 << HOTPLUG_SLOT)
    qt.qmp.wait_event("DEVICE_DELETED")
    c.eq(label + ": slot empty after unplug (exit ran)", fn.read32(0),
         0xffffffff)

    # The same id and slot again: the eventfd and MSI were fully released
    qt.qmp.execute("device_add", driver="vmexit-stopwatch", id="sw-hot",
                   bus="pci.0", addr="0x%x" % HOTPLUG_SLOT, ioeventfd="on")
    c.eq(label + ": plugged in again", fn.read32(0),
         (DEVICE_ID << 16) | VENDOR_ID)
    qt.qmp.execute("device_del", id="sw-hot")
    qt.outl(ACPI_PCIHP_EJECT, 1 << HOTPLUG_SLOT)
    qt.qmp.wait_event("DEVICE_DELETED")
    c.eq(label + ": unplugged again", fn.read32(0), 0xffffffff)


def wait_migration(qmp):
    for _ in range(3000):
        status = qmp.execute("query-migrate").get("status")
        if status in ("completed", "failed", "cancelled"):
            return status
        time.sleep(0.01)
    return "timeout"


def test_migration(qemu, workdir, c):
    """vmstate: a running stopwatch, its lap and the ring survive migration.

    The source queues ring entries but the destination takes the doorbell.
    qtest's virtual clock is not part of the migration stream (a real
    machine's is), so the destination's clock is set to the source's.
    """
    label = "migration"
    state = os.path.join(workdir, "migration.state")
    with start_qemu(qemu, workdir, "migsrc") as src:
        fn, sw = setup_device(src, c)
        if sw is None:
            return
        sw.cmd(CMD_RESET)
        sw.cmd(CMD_START)
        src.clock_step(1000)
        sw.cmd(CMD_LAP)
        t_src = src.clock_step(500)
        sw.ring_init(RING_ADDR, RING_SIZE)
        sw.ring_setup(RING_ADDR, RING_SIZE)
        sw.set(REG_IRQ_ENABLE, IRQ_RING_DONE)
        idx = sw.post(RING_ADDR, RING_SIZE, [CMD_READ, CMD_STOP])
        src.qmp.execute("migrate", uri="exec:cat > " + state)
        c.eq(label + ": outgoing", wait_migration(src.qmp), "completed")

    with start_qemu(qemu, workdir, "migdst",
                    extra=["-incoming", "defer"]) as dst:
        dst.qmp.execute("migrate-incoming", uri="exec:cat " + state)
        c.eq(label + ": incoming", wait_migration(dst.qmp), "completed")
        fn = find_stopwatch(dst)
        if fn is None:
            c.true(label + ": device present on the destination", False)
            return
        sw = Stopwatch(dst, fn)
        dst.clock_set(t_src)
        c.eq(label + ": STATUS, LAP_COUNT, LAP, ELAPSED",
             (sw.reg(REG_STATUS), sw.reg(REG_LAP_COUNT), sw.lap(),
              sw.elapsed()), (STATUS_RUNNING, 1, 1000, 1500))
        c.eq(label + ": ring and interrupt registers",
             (sw.reg(REG_RING_ADDR_LO), sw.reg(REG_RING_SIZE),
              sw.reg(REG_IRQ_ENABLE)), (RING_ADDR, RING_SIZE, IRQ_RING_DONE))
        dst.clock_step(100)
        sw.kick()
        c.eq(label + ": source's ring entries done on the destination",
             [sw.entry(RING_ADDR, RING_SIZE, i)[1:] for i in idx],
             [(ENTRY_DONE, 1600), (ENTRY_DONE, 1600)])
        c.eq(label + ": consumer", sw.header(RING_ADDR)[1], 2)
