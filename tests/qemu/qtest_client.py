"""A client for QEMU's qtest protocol, shared by the tests of tests/qemu.

A QEMU under -machine pc -accel qtest runs no guest code: the test plays the
guest, one port or memory access at a time, and owns the virtual clock.  Each
QEMU also gets a QMP monitor (device_add, migrate, ...).  PciFunction and
find_device do type 1 PCI configuration access through ports 0xcf8/0xcfc.

Python 3 standard library only.
"""

import json
import os
import socket
import subprocess
import time

SKIP = 77  # the exit code of a skipped test

# The test machine: pc with 128 MiB of RAM, so the PCI hole starts at 128 MiB
RAM_SIZE = 128 << 20

# PCI configuration space
PCI_COMMAND = 0x04
PCI_STATUS = 0x06
PCI_CLASS_REVISION = 0x08
PCI_BAR0 = 0x10
PCI_BAR1 = 0x14
PCI_CAP_PTR = 0x34
PCI_INTERRUPT_PIN = 0x3d
PCI_COMMAND_MEMORY = 0x2
PCI_COMMAND_MASTER = 0x4
PCI_STATUS_INTERRUPT = 0x08
PCI_STATUS_CAP_LIST = 0x10
PCI_CAP_ID_MSI = 0x05
MSI_FLAGS_ENABLE = 0x1
MSI_FLAGS_64BIT = 0x80


class QtestError(Exception):
    pass


def blank_bios(workdir):
    """The path of a blank 64 KiB firmware image in workdir.

    qtest runs no guest code, so a blank image is firmware enough, and the
    tests need no seabios package.
    """
    bios = os.path.join(workdir, "blank-bios.bin")
    if not os.path.exists(bios):
        with open(bios, "wb") as f:
            f.write(bytes(64 * 1024))
    return bios


class Qtest:
    """A QEMU under -accel qtest and the text protocol to drive it.

    Its sockets, stderr (QEMU's output) and trace log are NAME.* files in
    workdir, which is also QEMU's cwd (the simple trace backend drops a
    trace-PID file there when given no file=).  trace: a pattern of trace
    events to enable and log to NAME.trace (see trace_text); extra: more
    QEMU arguments, after all the others.  Use as a context manager, or call
    close().
    """

    def __init__(self, qemu, device, workdir, name, extra=(), trace=None,
                 env=None):
        self.workdir = workdir
        sock_path = os.path.join(workdir, name + ".sock")
        qmp_path = os.path.join(workdir, name + ".qmp")
        self.trace_path = os.path.join(workdir, name + ".trace")
        self.stderr_path = os.path.join(workdir, name + ".stderr")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(sock_path)
        listener.listen(1)
        listener.settimeout(0.1)
        argv = [qemu, "-machine", "pc", "-accel", "qtest",
                "-bios", blank_bios(workdir),
                "-qtest", "unix:" + sock_path, "-qtest-log", "none",
                "-display", "none", "-nodefaults",
                "-m", "%dM" % (RAM_SIZE >> 20),
                "-device", device,
                "-chardev", "socket,id=qmp,path=%s,server=on,wait=off"
                % qmp_path, "-mon", "chardev=qmp,mode=control"]
        if trace:
            # Trace to a file: with the log backend this shows which path
            # (MMIO handler or ioeventfd) took each doorbell.
            argv += ["-trace", "enable=" + trace, "-D", self.trace_path]
        argv += extra
        self.stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.stderr, stderr=self.stderr,
                                     cwd=workdir, env=env)
        self.sock = None
        try:
            # Give up at once if QEMU exits (bad option, missing file)
            deadline = time.monotonic() + 30
            while self.sock is None:
                try:
                    self.sock, _ = listener.accept()
                except socket.timeout:
                    if (self.proc.poll() is not None or
                            time.monotonic() > deadline):
                        raise QtestError("QEMU did not connect to the qtest "
                                         "socket: " + self.stderr_text())
            self.sock.settimeout(30)
            self.buf = b""
            self.qmp = Qmp(qmp_path)
        except (QtestError, OSError) as e:
            if self.sock is not None:
                self.sock.close()
            self.proc.kill()
            self.proc.wait()
            why = self.stderr_text()
            self.stderr.close()
            if isinstance(e, QtestError):
                raise
            raise QtestError("QEMU failed at startup (%s): %s" % (e, why))
        finally:
            listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def stderr_text(self):
        self.stderr.flush()
        with open(self.stderr_path, "rb") as f:
            return f.read().decode(errors="replace").strip()

    def trace_text(self):
        try:
            with open(self.trace_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise QtestError("QEMU closed the qtest socket: "
                                 + self.stderr_text())
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def cmd(self, text):
        self.sock.sendall(text.encode() + b"\n")
        while True:
            line = self._line()
            if line.startswith("IRQ "):
                continue  # asynchronous, never a reply
            if not line.startswith("OK"):
                raise QtestError("%r -> %r" % (text, line))
            return line[2:].strip()

    def close(self):
        try:
            self.qmp.close()
            self.sock.close()
        finally:
            # A closed qtest socket does not end QEMU; SIGTERM ends it
            # cleanly (traces flushed), a kill if it has not gone in 10 s.
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.stderr.close()

    # Port I/O, memory, clock
    def outl(self, port, val):
        self.cmd("outl 0x%x 0x%x" % (port, val))

    def outw(self, port, val):
        self.cmd("outw 0x%x 0x%x" % (port, val))

    def inl(self, port):
        return int(self.cmd("inl 0x%x" % port), 16)

    def inw(self, port):
        return int(self.cmd("inw 0x%x" % port), 16)

    def inb(self, port):
        return int(self.cmd("inb 0x%x" % port), 16)

    def readl(self, addr):
        return int(self.cmd("readl 0x%x" % addr), 16)

    def writel(self, addr, val):
        self.cmd("writel 0x%x 0x%x" % (addr, val))

    def writew(self, addr, val):
        self.cmd("writew 0x%x 0x%x" % (addr, val))

    def read(self, addr, size):
        return bytes.fromhex(self.cmd("read 0x%x 0x%x" % (addr, size))[2:])

    def write(self, addr, data):
        self.cmd("write 0x%x 0x%x 0x%s" % (addr, len(data), data.hex()))

    def clock_step(self, ns):
        """Advance the virtual clock by ns; return its new value."""
        return int(self.cmd("clock_step %d" % ns))

    def clock_set(self, ns):
        return int(self.cmd("clock_set %d" % ns))


class Qmp:
    """Just enough QMP for device_add / device_del and migration."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.file = self.sock.makefile("rb")
        self.events = []
        self._message()  # greeting
        self.execute("qmp_capabilities")

    def _message(self):
        line = self.file.readline()
        if not line:
            raise QtestError("QEMU closed the QMP socket")
        return json.loads(line)

    def execute(self, command, **args):
        self.sock.sendall(json.dumps({"execute": command,
                                      "arguments": args}).encode() + b"\n")
        while True:
            msg = self._message()
            if "event" in msg:
                self.events.append(msg)
            elif "error" in msg:
                raise QtestError("QMP %s: %s" % (command,
                                                 msg["error"]["desc"]))
            else:
                return msg["return"]

    def wait_event(self, name):
        while True:
            for i, msg in enumerate(self.events):
                if msg["event"] == name:
                    return self.events.pop(i)
            self.events.append(self._message())

    def close(self):
        self.file.close()
        self.sock.close()


class PciFunction:
    """Type 1 configuration access through ports 0xcf8/0xcfc."""

    def __init__(self, qt, devfn):
        self.qt = qt
        self.devfn = devfn

    def _select(self, reg):
        self.qt.outl(0xcf8, 0x80000000 | (self.devfn << 8) | (reg & 0xfc))

    def read32(self, reg):
        self._select(reg)
        return self.qt.inl(0xcfc)

    def read16(self, reg):
        self._select(reg)
        return self.qt.inw(0xcfc + (reg & 2))

    def read8(self, reg):
        self._select(reg)
        return self.qt.inb(0xcfc + (reg & 3))

    def write32(self, reg, val):
        self._select(reg)
        self.qt.outl(0xcfc, val)

    def write16(self, reg, val):
        self._select(reg)
        self.qt.outw(0xcfc + (reg & 2), val)

    def find_cap(self, cap_id):
        if not self.read16(PCI_STATUS) & PCI_STATUS_CAP_LIST:
            return None
        ptr = self.read8(PCI_CAP_PTR) & 0xfc
        for _ in range(48):
            if not ptr:
                return None
            if self.read8(ptr) == cap_id:
                return ptr
            ptr = self.read8(ptr + 1) & 0xfc
        return None


def find_device(qt, vendor_id, device_id):
    """The first function on bus 0 with these PCI ids, or None."""
    for devfn in range(256):
        fn = PciFunction(qt, devfn)
        if fn.read32(0) == (device_id << 16) | vendor_id:
            return fn
    return None
