#!/usr/bin/env python3
"""QEMU's simple trace as a source: `vmexit-prof report --qemu-trace` of a
bundled workload's trace gives the per-device accesses QEMU's USDT probes
counted in the same run, and the event counts QEMU's own reader
(simpletrace.py) finds in the same file; a truncated trace gives what it
holds and says where it stops; a file of another kind or format version is
refused with one line and status 2.

usage: test_simple_trace_source.py VMEXIT_PROF QEMU WORKLOAD   (77: no project QEMU or not root)
"""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from vp_trace import check_against, probes_unusable, refused  # noqa: E402
from vp_verdict import verdict  # noqa: E402

SKIP = 77


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def inside_a_record(data, near):
    """An offset strictly inside the record that holds byte `near`, so that
    the cut can never fall on a boundary by chance: after the 24-byte file
    header, each record is a u64 type, then a mapping (u64 id, u32 length,
    name) or an event whose u32 length counts from its u64 id on."""
    pos = 24
    while True:
        kind = int.from_bytes(data[pos:pos + 8], "little")
        if kind == 0:
            end = pos + 20 + int.from_bytes(data[pos + 16:pos + 20], "little")
        else:
            end = pos + 8 + int.from_bytes(data[pos + 24:pos + 28], "little")
        if end > near or end >= len(data):
            return pos + 12
        pos = end


def main():
    prof, qemu, workload = sys.argv[1:4]
    why = probes_unusable(qemu)
    if why:
        print(f"SKIP: {why}")
        return SKIP
    share = os.path.join(os.path.dirname(os.path.realpath(qemu)), "..", "share", "qemu")
    tmp = tempfile.mkdtemp()
    errors = []
    try:
        events, trace = os.path.join(tmp, "events"), os.path.join(tmp, "trace.bin")
        with open(events, "w") as f:
            f.write(run([prof, "trace-events"], check=True).stdout)
        r = run([prof, "run", workload, "--qemu", qemu, "--accel", "tcg", "--profile",
                 "--arg", "-trace", "--arg", f"events={events},file={trace}",
                 "--json", os.path.join(tmp, "run.json")], cwd=tmp)
        if r.returncode:
            print(f"FAIL: run {workload}: {r.stderr.strip()}")
            return 1
        t = run([prof, "report", "--qemu-trace", trace, "--json", os.path.join(tmp, "t.json")])
        if t.returncode:
            print(f"FAIL: report --qemu-trace: status {t.returncode}: {t.stderr.strip()}")
            return 1
        usdt = json.load(open(os.path.join(tmp, "run.json")))["run"]["usdt"]
        doc = json.load(open(os.path.join(tmp, "t.json")))
        if doc["meta"].get("source") != "qemu-simple-trace":
            errors.append(f"meta.source is {doc['meta'].get('source')!r}")
        # QEMU's own reader of the same file.
        lines = run([sys.executable, os.path.join(share, "scripts", "simpletrace.py"),
                     os.path.join(share, "trace-events-all"), trace], check=True).stdout.splitlines()
        names = collections.Counter(line.split()[0] for line in lines if line.strip())
        # QEMU's own accesses at reset, on no vCPU, come before the probes
        # are attached to the paused QEMU: only the trace has them.
        early = 0
        for line in lines:
            if line.startswith("memory_region_ops_"):
                if "cpu_index=0xffffffffffffffff" not in line:
                    break
                early += 1
        dropped = doc["meta"]["lost"].get("trace_dropped", 0)
        if dropped and not any("dropped events" in n for n in doc["meta"]["notes"]):
            errors.append(f"QEMU dropped {dropped} events and no note says so")
        errs, total, ndev, nevents = check_against(doc, usdt, names, early, dropped,
                                                   "simpletrace.py")
        errors += errs
        # A trace cut short, as when QEMU is killed.
        cut = os.path.join(tmp, "cut.bin")
        with open(trace, "rb") as f, open(cut, "wb") as g:
            data = f.read()
            g.write(data[:inside_a_record(data, len(data) * 3 // 5)])
        c = run([prof, "report", "--qemu-trace", cut, "--json", os.path.join(tmp, "c.json")])
        if c.returncode:
            errors.append(f"a truncated trace: status {c.returncode}: {c.stderr.strip()}")
        else:
            cdoc = json.load(open(os.path.join(tmp, "c.json")))
            ctotal = sum(d["to_user"] for d in cdoc["profile"]["devices"])
            if not any("ends inside a record" in n for n in cdoc["meta"]["notes"]):
                errors.append(f"a truncated trace has no note saying so: {cdoc['meta']['notes']}")
            if not 0 < ctotal < total:
                errors.append(f"a truncated trace gives {ctotal} accesses of {total}")
        # Another kind of file, and another format version.
        other = os.path.join(tmp, "v3.bin")
        with open(trace, "rb") as f, open(other, "wb") as g:
            head = bytearray(f.read(24))
            head[16:24] = (3).to_bytes(8, "little")
            g.write(head)
        errors += refused(prof, ((os.path.join(tmp, "run.json"), "not a QEMU simple trace"),
                                 (other, "format 3")))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return verdict(errors, f"{workload}: {total} accesses over {ndev} devices agree with the "
                   f"probes ({early} made before the guest ran, {dropped} dropped by QEMU) and "
                   f"with simpletrace.py; {nevents} device events agree")


if __name__ == "__main__":
    sys.exit(main())
