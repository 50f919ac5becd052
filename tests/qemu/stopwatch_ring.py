"""The paravirtual path of the vmexit-stopwatch device: batches of commands
in a ring in guest RAM, one doorbell each, their interrupts (INTx, MSI) and
every ring error (part of test_stopwatch_qtest.py)."""

import struct
import time

from qtest_client import (MSI_FLAGS_64BIT, MSI_FLAGS_ENABLE, PCI_CAP_ID_MSI,
                          PCI_COMMAND, PCI_COMMAND_MASTER, RAM_SIZE)
from stopwatch_device import (BAR0_ADDR, CMD_BOGUS, CMD_LAP, CMD_READ,
                              CMD_RESET, CMD_START, CMD_STOP, ENTRY_BAD_CMD,
                              ENTRY_DONE, ENTRY_PENDING, ENTRY_SIZE,
                              ERR_BAD_ADDR, ERR_BAD_INDEX, ERR_BAD_SIZE,
                              ERR_NO_MASTER, ERR_NO_RING, ERR_NONE,
                              HEADER_SIZE, IRQ_RING_DONE, IRQ_RING_ERROR,
                              MSI_ADDR, MSI_DATA, REG_IRQ_ACK,
                              REG_IRQ_ENABLE, REG_IRQ_STATUS, REG_LAP_COUNT,
                              REG_RING_ADDR_HI, REG_RING_ADDR_LO,
                              REG_RING_ERROR, REG_RING_SIZE, REG_STATUS,
                              RING_ADDR, RING_SIZE, STATUS_RUNNING)


def wait_consumer(sw, addr, want, polls):
    """The consumer index, once it reaches want or polls run out."""
    consumer = None
    for _ in range(polls):
        _, consumer = sw.header(addr)
        if consumer == want:
            break
        time.sleep(0.01)
    return consumer


def check_results(c, sw, addr, size, indices, want, label):
    for index, (status, result) in zip(indices, want):
        c.eq("%s: entry %d (slot %d) status, result_ns" %
             (label, index, index % size), sw.entry(addr, size, index)[1:],
             (status, result))


def test_ring(qt, sw, fn, c, polls, label):
    """The paravirtual path: batches of commands, one doorbell each."""
    sw.cmd(CMD_RESET)
    sw.ring_init(RING_ADDR, RING_SIZE)
    sw.ring_setup(RING_ADDR, RING_SIZE)
    c.eq(label + ": ring registers read back",
         (sw.reg(REG_RING_ADDR_LO), sw.reg(REG_RING_ADDR_HI),
          sw.reg(REG_RING_SIZE)), (RING_ADDR, 0, RING_SIZE))
    sw.set(REG_IRQ_ENABLE, 0xffffffff)
    c.eq(label + ": IRQ_ENABLE keeps only defined bits",
         sw.reg(REG_IRQ_ENABLE), IRQ_RING_DONE | IRQ_RING_ERROR)

    # Batch 1: START, READ, an unknown code, at t=0
    idx = sw.post(RING_ADDR, RING_SIZE, [CMD_START, CMD_READ, CMD_BOGUS])
    c.true(label + ": no interrupt before the doorbell",
           not sw.intx_pending() and sw.reg(REG_IRQ_STATUS) == 0)
    sw.kick()
    c.eq(label + ": batch 1 consumer", wait_consumer(sw, RING_ADDR, 3, polls),
         3)
    check_results(c, sw, RING_ADDR, RING_SIZE, idx,
                  [(ENTRY_DONE, 0), (ENTRY_DONE, 0), (ENTRY_BAD_CMD, 0)],
                  label + ": batch 1")
    c.eq(label + ": RING_ERROR after batch 1", sw.reg(REG_RING_ERROR),
         ERR_NONE)
    c.eq(label + ": ring START is seen by STATUS", sw.reg(REG_STATUS),
         STATUS_RUNNING)
    c.eq(label + ": IRQ_STATUS after batch 1", sw.reg(REG_IRQ_STATUS),
         IRQ_RING_DONE)
    c.true(label + ": INTx asserted (PCI status) after batch 1",
           sw.intx_pending())
    sw.set(REG_IRQ_ACK, IRQ_RING_DONE)
    c.true(label + ": IRQ_ACK clears IRQ_STATUS and lowers INTx",
           sw.reg(REG_IRQ_STATUS) == 0 and not sw.intx_pending())

    # Batch 2 wraps the ring (slots 3..7, 0, 1) at t=700 us
    qt.clock_step(700000)
    idx = sw.post(RING_ADDR, RING_SIZE, [CMD_LAP, CMD_READ, CMD_STOP,
                                         CMD_READ, CMD_START, CMD_LAP,
                                         CMD_READ])
    sw.kick()
    c.eq(label + ": batch 2 consumer (wrapped)",
         wait_consumer(sw, RING_ADDR, 10, polls), 10)
    check_results(c, sw, RING_ADDR, RING_SIZE, idx,
                  [(ENTRY_DONE, 700000)] * 7, label + ": batch 2")
    c.eq(label + ": slot 2 (beyond producer) untouched",
         sw.entry(RING_ADDR, RING_SIZE, 2)[:2], (CMD_BOGUS, ENTRY_BAD_CMD))
    c.eq(label + ": ring commands act like register commands "
         "(STATUS, LAP_COUNT, LAP)",
         (sw.reg(REG_STATUS), sw.reg(REG_LAP_COUNT), sw.lap()),
         (STATUS_RUNNING, 2, 0))
    qt.clock_step(300000)
    c.eq(label + ": ELAPSED register continues from the ring's START",
         sw.elapsed(), 1000000)

    # Batch 3: STOP, RESET, READ
    idx = sw.post(RING_ADDR, RING_SIZE, [CMD_STOP, CMD_RESET, CMD_READ])
    sw.kick()
    c.eq(label + ": batch 3 consumer",
         wait_consumer(sw, RING_ADDR, 13, polls), 13)
    check_results(c, sw, RING_ADDR, RING_SIZE, idx,
                  [(ENTRY_DONE, 1000000), (ENTRY_DONE, 0), (ENTRY_DONE, 0)],
                  label + ": batch 3")
    sw.set(REG_IRQ_ACK, IRQ_RING_DONE)

    # A full ring in one go: 8 entries, one doorbell
    qt.clock_step(1000)
    sw.cmd(CMD_START)
    qt.clock_step(42)
    idx = sw.post(RING_ADDR, RING_SIZE, [CMD_READ] * RING_SIZE)
    sw.kick()
    c.eq(label + ": full ring consumer",
         wait_consumer(sw, RING_ADDR, 13 + RING_SIZE, polls), 13 + RING_SIZE)
    check_results(c, sw, RING_ADDR, RING_SIZE, idx,
                  [(ENTRY_DONE, 42)] * RING_SIZE, label + ": full ring")
    sw.set(REG_IRQ_ACK, IRQ_RING_DONE)

    # An empty doorbell: nothing to do, no interrupt
    sw.kick()
    time.sleep(0.05 if polls > 1 else 0)
    c.eq(label + ": empty doorbell leaves consumer",
         sw.header(RING_ADDR)[1], 13 + RING_SIZE)
    c.eq(label + ": empty doorbell raises no interrupt",
         (sw.reg(REG_IRQ_STATUS), sw.intx_pending()), (0, False))

    # MSI: pointed at guest RAM, so the message shows up as a memory write
    cap = fn.find_cap(PCI_CAP_ID_MSI)
    flags = fn.read16(cap + 2)
    c.true(label + ": MSI capability is 64-bit", flags & MSI_FLAGS_64BIT)
    fn.write32(cap + 4, MSI_ADDR)
    fn.write32(cap + 8, 0)
    fn.write16(cap + 12, MSI_DATA)
    fn.write16(cap + 2, flags | MSI_FLAGS_ENABLE)
    qt.writel(MSI_ADDR, 0)
    idx = sw.post(RING_ADDR, RING_SIZE, [CMD_READ, CMD_READ])
    sw.kick()
    wait_consumer(sw, RING_ADDR, 15 + RING_SIZE, polls)
    c.eq(label + ": MSI message written once the batch is done",
         qt.readl(MSI_ADDR), MSI_DATA)
    c.true(label + ": MSI, not INTx",
           sw.reg(REG_IRQ_STATUS) == IRQ_RING_DONE and not sw.intx_pending())
    sw.set(REG_IRQ_ACK, IRQ_RING_DONE)
    fn.write16(cap + 2, flags & ~MSI_FLAGS_ENABLE)
    return 15 + RING_SIZE


def test_ring_errors(qt, sw, fn, c, consumer):
    label = "ring errors"
    sw.cmd(CMD_RESET)
    sw.set(REG_IRQ_ENABLE, IRQ_RING_DONE | IRQ_RING_ERROR)

    # producer more than a ring ahead of consumer
    qt.write(RING_ADDR, struct.pack("<I", consumer + RING_SIZE + 1))
    sw.kick()
    c.eq(label + ": runaway producer -> BAD_INDEX", sw.reg(REG_RING_ERROR),
         ERR_BAD_INDEX)
    c.eq(label + ": consumer not moved", sw.header(RING_ADDR)[1], consumer)
    c.eq(label + ": error interrupt", sw.reg(REG_IRQ_STATUS), IRQ_RING_ERROR)
    c.true(label + ": INTx asserted for the error", sw.intx_pending())
    sw.set(REG_IRQ_ACK, IRQ_RING_ERROR)
    qt.write(RING_ADDR, struct.pack("<I", consumer))

    # A ring straddling the end of RAM: the header and first entries are in
    # RAM, the last entry is not.  Nothing may be read or written.
    edge = RAM_SIZE - (HEADER_SIZE + RING_SIZE * ENTRY_SIZE) + ENTRY_SIZE
    sw.ring_init(edge, RING_SIZE - 1)
    qt.write(edge + HEADER_SIZE, struct.pack("<IIQ", CMD_START, ENTRY_PENDING,
                                             0x1111))
    qt.write(edge, struct.pack("<II", 1, 0))
    sw.ring_setup(edge, RING_SIZE)
    sw.kick()
    c.eq(label + ": ring crossing the end of RAM -> BAD_ADDR",
         sw.reg(REG_RING_ERROR), ERR_BAD_ADDR)
    c.eq(label + ": ... header not written (consumer still 0)",
         sw.header(edge), (1, 0))
    c.eq(label + ": ... entry not written",
         sw.entry(edge, RING_SIZE, 0), (CMD_START, ENTRY_PENDING, 0x1111))
    c.eq(label + ": ... command not executed", sw.reg(REG_STATUS), 0)
    sw.set(REG_IRQ_ACK, IRQ_RING_ERROR)

    for addr, what in ((64 << 30, "64 GiB (no memory there)"),
                       (BAR0_ADDR, "the device's own BAR0 (MMIO)"),
                       (0xfffffffffffffff8, "the top of the address space"),
                       (RING_ADDR + 4, "a misaligned address")):
        sw.ring_setup(addr, RING_SIZE)
        sw.kick()
        c.eq("%s: ring at %s -> BAD_ADDR" % (label, what),
             sw.reg(REG_RING_ERROR), ERR_BAD_ADDR)
    c.eq(label + ": registers untouched by a ring over BAR0",
         (sw.reg(REG_STATUS), sw.reg(REG_RING_SIZE)), (0, RING_SIZE))

    sw.ring_setup(RING_ADDR, 3)
    c.eq(label + ": RING_SIZE 3 -> BAD_SIZE", sw.reg(REG_RING_ERROR),
         ERR_BAD_SIZE)
    c.eq(label + ": ... and no ring", sw.reg(REG_RING_SIZE), 0)
    sw.kick()
    c.eq(label + ": doorbell without a ring -> NO_RING",
         sw.reg(REG_RING_ERROR), ERR_NO_RING)
    sw.set(REG_RING_SIZE, 512)
    c.eq(label + ": RING_SIZE 512 -> BAD_SIZE", sw.reg(REG_RING_ERROR),
         ERR_BAD_SIZE)

    # Bus mastering off: refused before any DMA
    sw.ring_setup(RING_ADDR, RING_SIZE)
    sw.post(RING_ADDR, RING_SIZE, [CMD_START])
    cmd = fn.read16(PCI_COMMAND)
    fn.write16(PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER)
    sw.kick()
    c.eq(label + ": bus mastering off -> NO_MASTER", sw.reg(REG_RING_ERROR),
         ERR_NO_MASTER)
    c.eq(label + ": ... consumer not moved", sw.header(RING_ADDR)[1],
         consumer)
    fn.write16(PCI_COMMAND, cmd)
    sw.kick()
    c.eq(label + ": bus mastering back on -> the queued entry runs",
         (sw.reg(REG_RING_ERROR), sw.header(RING_ADDR)[1],
          sw.reg(REG_STATUS)), (ERR_NONE, consumer + 1, STATUS_RUNNING))
