#!/usr/bin/env python3
"""The project's QEMU records its trace events through the simple and the ust
(LTTng) backends.

Drives the stopwatch device through qtest with a known number of register
accesses (3 writes, 3 reads) and checks that the trace holds exactly those
device events.

usage: test_trace_backends.py QEMU simple|ust   (exit 77 when QEMU is not built)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qtest_client import QTest  # noqa: E402

SKIP = 77
VENDOR, DEVICE = 0x1234, 0x5357
BAR0, BAR1 = 0xe0000000, 0xe0001000
REG_ID, REG_CMD, REG_ELAPSED_LO, REG_ELAPSED_HI = 0x00, 0x04, 0x10, 0x14
CMD_START, CMD_STOP, CMD_RESET = 1, 2, 4
WANT = {"vmexit_stopwatch_mmio_write": 3, "vmexit_stopwatch_mmio_read": 3, "vmexit_stopwatch_cmd": 3}


def drive(qemu, args, env=None):
    """Three register writes and three reads, with 1 ms of virtual time between start and stop."""
    q = QTest(qemu, ["-device", "vmexit-stopwatch", *args], env=env)
    try:
        dev = q.find_pci(VENDOR, DEVICE)
        if dev is None:
            raise RuntimeError("no stopwatch device on the PCI bus")
        q.pci_cfg_write(dev, 0x10, BAR0)
        q.pci_cfg_write(dev, 0x14, BAR1)
        q.pci_cfg_write(dev, 0x04, 0x6)  # memory space + bus master
        q.writel(BAR0 + REG_CMD, CMD_START)
        q.cmd("clock_step 1000000")
        q.writel(BAR0 + REG_CMD, CMD_STOP)
        ident = q.readl(BAR0 + REG_ID)
        elapsed = q.readl(BAR0 + REG_ELAPSED_LO) | (q.readl(BAR0 + REG_ELAPSED_HI) << 32)
        q.writel(BAR0 + REG_CMD, CMD_RESET)
        if ident >> 16 != 0x5357 or elapsed != 1000000:
            raise RuntimeError(f"device answered id={ident:#x} elapsed={elapsed}")
    finally:
        q.close()


def count(names, wanted):
    got = {k: 0 for k in wanted}
    for n in names:
        if n in got:
            got[n] += 1
    return got


def simple(qemu, tmp):
    share = os.path.join(os.path.dirname(os.path.realpath(qemu)), "..", "share", "qemu")
    reader = os.path.join(share, "scripts", "simpletrace.py")
    if not os.path.exists(reader):
        print(f"FAIL: {reader} missing: the build installs QEMU's simple-trace reader")
        return None
    events, out = os.path.join(tmp, "events"), os.path.join(tmp, "trace.bin")
    with open(events, "w") as f:
        f.write("vmexit_stopwatch_*\n")
    drive(qemu, ["-trace", f"events={events},file={out}"])
    text = subprocess.run([sys.executable, reader, os.path.join(share, "trace-events-all"), out],
                          capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in text.splitlines() if line.strip()]


def lttng(*args, check=True):
    return subprocess.run(["lttng", *args], capture_output=True, text=True, check=check)


def ust(qemu, tmp):
    for tool in ("lttng", "lttng-sessiond", "babeltrace2"):
        if not shutil.which(tool):
            print(f"FAIL: {tool} is not installed (scripts/setup-deps.sh installs it)")
            return None
    if subprocess.run(["pgrep", "-x", "lttng-sessiond"], capture_output=True).returncode:
        subprocess.run(["lttng-sessiond", "--daemonize"], check=True)
        time.sleep(1)
    session = f"vmexit-prof-test-{os.getpid()}"
    lttng("create", session, f"--output={tmp}/lttng")
    try:
        lttng("enable-event", "-u", "qemu:vmexit_stopwatch_*", "-s", session)
        lttng("start", session)
        # The provider must be listed while a QEMU runs.
        q = QTest(qemu, ["-device", "vmexit-stopwatch"])
        listed = lttng("list", "-u").stdout
        q.close()
        if "qemu:vmexit_stopwatch_cmd" not in listed:
            print("FAIL: `lttng list -u` does not list qemu:vmexit_stopwatch_cmd while QEMU runs")
            return None
        drive(qemu, [])
        lttng("stop", session)
    finally:
        lttng("destroy", session, check=False)
    text = subprocess.run(["babeltrace2", f"{tmp}/lttng"], capture_output=True, text=True, check=True).stdout
    names = []
    for line in text.splitlines():
        # "[12:00:00.1] (+?.?) host qemu:vmexit_stopwatch_cmd: { cpu_id = 0 }, { ... }"
        for field in line.split():
            if field.startswith("qemu:"):
                names.append(field[len("qemu:"):].rstrip(":"))
                break
    # Two QEMUs ran under the session; only the driven one makes register accesses.
    return names


def main():
    qemu, backend = sys.argv[1], sys.argv[2]
    if not qemu or not os.access(qemu, os.X_OK):
        print("skipped: the project's QEMU is not built (configure with -DVP_QEMU=PATH)")
        return SKIP
    tmp = tempfile.mkdtemp(prefix=f"vp-{backend}-")
    try:
        names = simple(qemu, tmp) if backend == "simple" else ust(qemu, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if names is None:
        return 1
    got = count(names, WANT)
    if got != WANT:
        print(f"FAIL: {backend} trace holds {got}, the test made {WANT}")
        return 1
    print(f"ok: {backend} trace holds exactly the device events made: {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
