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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qtest_client import (PCI_BAR0, PCI_BAR1, PCI_COMMAND,  # noqa: E402
                          PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, SKIP,
                          Qtest)
from stopwatch_device import (BAR0_ADDR, BAR1_ADDR, CMD_RESET,  # noqa: E402
                              CMD_START, CMD_STOP, DEVICE_ID, REG_ID,
                              Stopwatch, find_stopwatch)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from vp_trace import lttng, lttng_session  # noqa: E402

WANT = {"vmexit_stopwatch_mmio_write": 3, "vmexit_stopwatch_mmio_read": 3, "vmexit_stopwatch_cmd": 3}


def drive(qemu, workdir, args, env=None):
    """Three register writes and three reads, with 1 ms of virtual time between
    start and stop.  Returns the driven QEMU's pid."""
    with Qtest(qemu, "vmexit-stopwatch", workdir, "driven", args, env=env) as q:
        pid = q.proc.pid
        fn = find_stopwatch(q)
        if fn is None:
            raise RuntimeError("no stopwatch device on the PCI bus")
        fn.write32(PCI_BAR0, BAR0_ADDR)
        fn.write32(PCI_BAR1, BAR1_ADDR)
        fn.write32(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)
        sw = Stopwatch(q, fn)
        sw.cmd(CMD_START)
        q.clock_step(1000000)
        sw.cmd(CMD_STOP)
        ident = sw.reg(REG_ID)
        elapsed = sw.elapsed()
        sw.cmd(CMD_RESET)
        if ident >> 16 != DEVICE_ID or elapsed != 1000000:
            raise RuntimeError(f"device answered id={ident:#x} elapsed={elapsed}")
    return pid


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
    drive(qemu, tmp, ["-trace", f"events={events},file={out}"])
    text = subprocess.run([sys.executable, reader, os.path.join(share, "trace-events-all"), out],
                          capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in text.splitlines() if line.strip()]


def ust(qemu, tmp):
    for tool in ("lttng", "lttng-sessiond", "babeltrace2"):
        if not shutil.which(tool):
            print(f"FAIL: {tool} is not installed (scripts/setup-deps.sh installs it)")
            return None
    # Other QEMUs on the machine may emit the same events: the vpid context
    # tells them apart.
    with lttng_session(f"{tmp}/lttng", ["vmexit_stopwatch_*"], per_process=False):
        # The provider must be listed while a QEMU runs.
        with Qtest(qemu, "vmexit-stopwatch", tmp, "listed"):
            listed = lttng("list", "-u").stdout
        if "qemu:vmexit_stopwatch_cmd" not in listed:
            print("FAIL: `lttng list -u` does not list qemu:vmexit_stopwatch_cmd while QEMU runs")
            return None
        pid = drive(qemu, tmp, [])
    text = subprocess.run(["babeltrace2", f"{tmp}/lttng"], capture_output=True, text=True, check=True).stdout
    names = []
    for line in text.splitlines():
        # "[12:00:00.1] (+?.?) host qemu:vmexit_stopwatch_cmd: { cpu_id = 0 }, { vpid = 42 }, { ... }"
        if f"vpid = {pid} " not in line and f"vpid = {pid}}}" not in line:
            continue
        for field in line.split():
            if field.startswith("qemu:"):
                names.append(field[len("qemu:"):].rstrip(":"))
                break
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
