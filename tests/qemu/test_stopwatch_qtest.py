#!/usr/bin/env python3
"""Device-level test of QEMU's vmexit-stopwatch PCI device over qtest.

    test_stopwatch_qtest.py QEMU_SYSTEM_X86_64

Starts QEMU with the qtest accelerator (no guest code runs: this script plays
the guest, one register access at a time, and owns the virtual clock, so
every time it checks is exact), finds the device by its PCI ids, maps its
BARs and checks the emulated path, the paravirtual ring, interrupts and the
error cases; then does the ring again with the doorbell forced onto an
ioeventfd, hot-unplugs and re-plugs a second device, and migrates a running
stopwatch.  Exits 0 if all checks pass, 1 if any failed, 2 on bad usage,
77 (skip) if the binary is missing or has no vmexit-stopwatch device.

Python 3 standard library only.  The checks live in parts beside this
script; main runs them in order, several in one QEMU:

    qtest_client.py         the qtest/QMP client, PCI config access
    stopwatch_device.py     the device's constants, Stopwatch (the guest
                            driver's view), finding and mapping the device
    stopwatch_registers.py  the emulated path (test_emulated)
    stopwatch_ring.py       the ring, its interrupts and its errors
    stopwatch_lifecycle.py  hotplug and migration
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qtest_client import SKIP, QtestError  # noqa: E402
from stopwatch_device import (ID_VALUE, REG_ID, setup_device,  # noqa: E402
                              start_qemu)
from stopwatch_lifecycle import test_hotplug, test_migration  # noqa: E402
from stopwatch_registers import test_emulated  # noqa: E402
from stopwatch_ring import test_ring, test_ring_errors  # noqa: E402


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def eq(self, what, got, want):
        if got == want:
            self.passed += 1
            print("ok   %s" % what)
        else:
            self.failed += 1
            print("FAIL %s: got %s, want %s" % (what, fmt(got), fmt(want)))

    def true(self, what, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok   %s" % what)
        else:
            self.failed += 1
            print("FAIL %s%s" % (what, ": " + detail if detail else ""))


def fmt(v):
    if isinstance(v, int):
        return "%d (0x%x)" % (v, v)
    return repr(v)


def run_instance(qemu, workdir, c, device, name, body):
    with start_qemu(qemu, workdir, name, device) as qt:
        fn, sw = setup_device(qt, c)
        if sw is not None:
            body(qt, sw, fn)
    return qt


def main():
    if len(sys.argv) != 2:
        print("usage: %s QEMU_SYSTEM_X86_64" % sys.argv[0], file=sys.stderr)
        return 2
    if not sys.argv[1]:
        print("SKIP: no QEMU binary given (build one with "
              "qemu-trace-events/build-qemu.sh)")
        return SKIP
    qemu = os.path.abspath(sys.argv[1])  # QEMU runs in a scratch cwd
    if not (os.path.isfile(qemu) and os.access(qemu, os.X_OK)):
        print("SKIP: no executable QEMU at %s" % qemu)
        return SKIP
    try:
        out = subprocess.run([qemu, "-machine", "none", "-device", "help"],
                             stdin=subprocess.DEVNULL, capture_output=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        print("SKIP: cannot run %s: %s" % (qemu, e))
        return SKIP
    if b'"vmexit-stopwatch"' not in out.stdout + out.stderr:
        print("SKIP: %s has no vmexit-stopwatch device "
              "(build it with qemu-trace-events/build-qemu.sh)" % qemu)
        return SKIP

    c = Checker()
    workdir = tempfile.mkdtemp(prefix="stopwatch-qtest-")
    try:
        # Default device: without KVM there is no ioeventfd, so the doorbell
        # store reaches the MMIO handler and the ring is done when it returns.
        def default_body(qt, sw, fn):
            test_emulated(qt, sw, c)
            consumer = test_ring(qt, sw, fn, c, 1, "ring via MMIO")
            test_ring_errors(qt, sw, fn, c, consumer)
        qt = run_instance(qemu, workdir, c, "vmexit-stopwatch", "mmio",
                          default_body)
        trace = qt.trace_text()
        if "vmexit_stopwatch_" in trace:
            c.true("trace: doorbells taken by the MMIO handler",
                   "vmexit_stopwatch_doorbell_mmio" in trace and
                   "vmexit_stopwatch_doorbell_eventfd" not in trace)
            for ev in ("mmio_read", "mmio_write", "ring_batch", "ring_error",
                       "cmd", "irq_raise", "irq_lower"):
                c.true("trace: vmexit_stopwatch_%s fired" % ev,
                       "vmexit_stopwatch_%s " % ev in trace)
        else:
            print("note: no trace output (QEMU built without the log trace "
                  "backend); trace checks skipped")

        # ioeventfd=on without KVM: memory.c signals the EventNotifier
        # itself and the ring is done later in QEMU's main loop, so poll.
        def eventfd_body(qt, sw, fn):
            test_ring(qt, sw, fn, c, 500, "ring via ioeventfd")
            test_hotplug(qt, c)
            c.eq("cold-plugged device still answers after hotplug",
                 sw.reg(REG_ID), ID_VALUE)
        qt = run_instance(qemu, workdir, c, "vmexit-stopwatch,ioeventfd=on",
                          "eventfd", eventfd_body)
        trace = qt.trace_text()
        if "vmexit_stopwatch_" in trace:
            c.true("trace: doorbells taken by the ioeventfd handler",
                   "vmexit_stopwatch_doorbell_eventfd" in trace and
                   "vmexit_stopwatch_doorbell_mmio" not in trace)

        test_migration(qemu, workdir, c)
    except (QtestError, OSError, socket.timeout) as e:
        c.true("qtest session", False, str(e))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
