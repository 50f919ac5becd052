"""The vmexit-stopwatch PCI device as a guest driver sees it, over qtest.

The constants mirror qemu-trace-events/include/hw/misc/vmexit_stopwatch.h.
Used by test_stopwatch_qtest.py and its parts (stopwatch_registers.py,
stopwatch_ring.py, stopwatch_lifecycle.py) and by test_trace_backends.py.
"""

import struct

from qtest_client import (PCI_BAR0, PCI_BAR1, PCI_CAP_ID_MSI, PCI_COMMAND,
                          PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY,
                          PCI_CLASS_REVISION, PCI_INTERRUPT_PIN, PCI_STATUS,
                          PCI_STATUS_INTERRUPT, Qtest, find_device)

VENDOR_ID = 0x1234
DEVICE_ID = 0x5357
REVISION = 0x01
CLASS = 0x00ff

# BAR0 registers
REG_ID = 0x00
REG_CMD = 0x04
REG_STATUS = 0x08
REG_LAP_COUNT = 0x0c
REG_ELAPSED_LO = 0x10
REG_ELAPSED_HI = 0x14
REG_LAP_LO = 0x18
REG_LAP_HI = 0x1c
REG_RING_ADDR_LO = 0x40
REG_RING_ADDR_HI = 0x44
REG_RING_SIZE = 0x48
REG_RING_ERROR = 0x4c
REG_IRQ_ENABLE = 0x50
REG_IRQ_STATUS = 0x54
REG_IRQ_ACK = 0x58

ID_VALUE = 0x53570001
STATUS_RUNNING = 0x1

CMD_START, CMD_STOP, CMD_LAP, CMD_RESET, CMD_READ = 1, 2, 3, 4, 5
CMD_BOGUS = 0x99

ENTRY_PENDING, ENTRY_DONE, ENTRY_BAD_CMD = 0, 1, 2

ERR_NONE, ERR_NO_RING, ERR_BAD_SIZE, ERR_BAD_ADDR = 0, 1, 2, 3
ERR_BAD_INDEX, ERR_DMA, ERR_NO_MASTER = 4, 5, 6

IRQ_RING_DONE, IRQ_RING_ERROR = 0x1, 0x2

HEADER_SIZE = 8
ENTRY_SIZE = 16

# Test machine layout (pc, -m 128M: qtest_client.RAM_SIZE)
BAR0_ADDR = 0xe0000000
BAR1_ADDR = 0xe0001000
BAR_SIZE = 0x1000
RING_ADDR = 0x00100000
RING_SIZE = 8
MSI_ADDR = 0x00200000
MSI_DATA = 0x4d53


def start_qemu(qemu, workdir, name, device="vmexit-stopwatch", extra=()):
    """A qtest QEMU with the device, its vmexit_stopwatch_* events logged."""
    return Qtest(qemu, device, workdir, name, extra,
                 trace="vmexit_stopwatch_*")


class Stopwatch:
    """The device, as the guest driver sees it."""

    def __init__(self, qt, fn):
        self.qt = qt
        self.fn = fn

    def reg(self, off):
        return self.qt.readl(BAR0_ADDR + off)

    def set(self, off, val):
        self.qt.writel(BAR0_ADDR + off, val)

    def cmd(self, code):
        self.set(REG_CMD, code)

    def elapsed(self):
        lo = self.reg(REG_ELAPSED_LO)  # latches
        return lo | (self.reg(REG_ELAPSED_HI) << 32)

    def lap(self):
        return self.reg(REG_LAP_LO) | (self.reg(REG_LAP_HI) << 32)

    def kick(self):
        self.qt.writel(BAR1_ADDR, 1)

    def intx_pending(self):
        return bool(self.fn.read16(PCI_STATUS) & PCI_STATUS_INTERRUPT)

    # The ring in guest RAM
    def ring_setup(self, addr, size):
        self.set(REG_RING_ADDR_LO, addr & 0xffffffff)
        self.set(REG_RING_ADDR_HI, addr >> 32)
        self.set(REG_RING_SIZE, size)

    def ring_init(self, addr, size):
        self.qt.write(addr, bytes(HEADER_SIZE + size * ENTRY_SIZE))

    def header(self, addr):
        return struct.unpack("<II", self.qt.read(addr, HEADER_SIZE))

    def entry(self, addr, size, index):
        slot = addr + HEADER_SIZE + (index % size) * ENTRY_SIZE
        return struct.unpack("<IIQ", self.qt.read(slot, ENTRY_SIZE))

    def post(self, addr, size, cmds):
        """Queue cmds after the current producer; return their indices."""
        producer, _ = self.header(addr)
        indices = []
        for i, code in enumerate(cmds):
            index = (producer + i) & 0xffffffff
            slot = addr + HEADER_SIZE + (index % size) * ENTRY_SIZE
            self.qt.write(slot, struct.pack("<IIQ", code, ENTRY_PENDING,
                                            0xdeadbeefdeadbeef))
            indices.append(index)
        self.qt.write(addr, struct.pack("<I", (producer + len(cmds))
                                        & 0xffffffff))
        return indices


def find_stopwatch(qt):
    return find_device(qt, VENDOR_ID, DEVICE_ID)


def setup_device(qt, c):
    """Find the device, check its PCI identity, map its BARs, enable it."""
    fn = find_stopwatch(qt)
    c.true("device found by PCI ids %04x:%04x" % (VENDOR_ID, DEVICE_ID),
           fn is not None)
    if fn is None:
        return None, None
    class_rev = fn.read32(PCI_CLASS_REVISION)
    c.eq("revision", class_rev & 0xff, REVISION)
    c.eq("class code (base, sub)", class_rev >> 16, CLASS)
    c.eq("interrupt pin A", fn.read8(PCI_INTERRUPT_PIN), 1)
    c.true("MSI capability present", fn.find_cap(PCI_CAP_ID_MSI) is not None)

    for bar, addr, name in ((PCI_BAR0, BAR0_ADDR, "BAR0"),
                            (PCI_BAR1, BAR1_ADDR, "BAR1")):
        fn.write32(bar, 0xffffffff)
        mask = fn.read32(bar)
        c.eq(name + " is 4 KiB 32-bit memory", mask, (~(BAR_SIZE - 1)) &
             0xffffffff)
        fn.write32(bar, addr)
        c.eq(name + " programmed", fn.read32(bar), addr)
    fn.write16(PCI_COMMAND, fn.read16(PCI_COMMAND) | PCI_COMMAND_MEMORY |
               PCI_COMMAND_MASTER)
    return fn, Stopwatch(qt, fn)
