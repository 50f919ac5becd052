#!/usr/bin/env python3
"""How fast `report --qemu-trace` reads each of QEMU's trace backends, side
by side on the same events: one run of a bundled workload under TCG traced
through the simple backend and an LTTng-UST session at once, then both
traces read whole ROUNDS times by BUILD_DIR/bench/trace_read (the best
round of each), against the 1 M records/s a trace reader must keep.

Needs the project's QEMU (VP_QEMU of the build), lttng-tools and the rights
to trace it (root, or a user session daemon the QEMU registers with).

usage: trace_read.py BUILD_DIR [--workload ide-pio] [--rounds 5] [--keep DIR]
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "pylib"))
from vp_trace import lttng_session  # noqa: E402


def record(prof, workload, tmp):
    names = subprocess.run([prof, "trace-events"], capture_output=True, text=True,
                           check=True).stdout.split()
    events = os.path.join(tmp, "events")
    with open(events, "w") as f:
        f.write("\n".join(names) + "\n")
    # Its default buffers are large enough that LTTng keeps every event, as
    # the simple backend does: the two traces then hold the same records.
    with lttng_session(f"{tmp}/lttng", names):
        r = subprocess.run([prof, "run", workload, "--accel", "tcg", "--arg", "-trace",
                            "--arg", f"events={events},file={tmp}/trace.bin"],
                           capture_output=True, text=True, cwd=tmp)
    if r.returncode:
        sys.exit(f"trace_read: run {workload}: {r.stderr.strip()}")
    pid = re.search(r"QEMU pid (\d+)", r.stderr).group(1)
    mine = glob.glob(os.path.join(tmp, "lttng", "ust", "pid", f"*-{pid}-*"))
    if len(mine) != 1:
        sys.exit(f"trace_read: no LTTng trace of QEMU pid {pid}: {mine}")
    return os.path.join(tmp, "trace.bin"), mine[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--workload", default="ide-pio")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--keep", help="record into DIR and keep it")
    a = ap.parse_args()
    prof = os.path.join(a.build, "collector", "vmexit-prof")
    reader = os.path.join(a.build, "bench", "trace_read")
    for tool in ("lttng", "lttng-sessiond"):
        if not shutil.which(tool):
            sys.exit(f"trace_read: {tool} is not installed (scripts/setup-deps.sh installs it)")
    tmp = a.keep or tempfile.mkdtemp(prefix="vp-trace-read-")
    os.makedirs(tmp, exist_ok=True)
    try:
        simple, ust = record(prof, a.workload, tmp)
        size = sum(os.path.getsize(f) for f in glob.glob(os.path.join(ust, "**"), recursive=True)
                   if os.path.isfile(f))
        print(f"{a.workload} under TCG: simple trace {os.path.getsize(simple) / 1e6:.1f} MB, "
              f"LTTng-UST trace {size / 1e6:.1f} MB")
        sys.stdout.flush()
        return subprocess.run([reader, simple, ust, str(a.rounds)]).returncode
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
