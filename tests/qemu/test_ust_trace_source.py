#!/usr/bin/env python3
"""QEMU's LTTng-UST trace as a source: `vmexit-prof report --qemu-trace DIR`
of an LTTng session that recorded a bundled workload gives the per-device
accesses QEMU's USDT probes counted in the same run, and the event counts
babeltrace2's own text output finds in the same trace; events LTTng
discarded are reported (lost.trace_dropped and a note) and the counts are
then short by at most that many.

With --tiny, LTTng's ring buffers are the smallest it takes, so that it
discards events of a busy QEMU: they must be reported as such.

With --both, the run is traced through the simple backend too, at once:
the two documents' devices are the same.  With --bad, no QEMU runs: an
empty directory, a CTF trace of another program and a garbage metadata
file are each refused with status 2 and one line.

usage: test_ust_trace_source.py VMEXIT_PROF QEMU WORKLOAD [--both|--tiny]
       test_ust_trace_source.py VMEXIT_PROF --bad
(77: no project QEMU, not root, or no LTTng)
"""
import collections
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from vp_trace import check_against, lttng_session, probes_unusable, refused  # noqa: E402
from vp_verdict import verdict  # noqa: E402

SKIP = 77
QEMU_PID = re.compile(r"QEMU pid (\d+)")
BT_EVENT = re.compile(r"\) [^ ]* ?qemu:([a-z0-9_]+): .*\{ vpid = (\d+) \}")
BT_DISCARDED = re.compile(r"discarded (\d+) events?\b", re.I)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def other_app_trace(d):
    """A CTF 1.8 trace of three events of another program (myapp:hello)."""
    os.makedirs(d)
    with open(os.path.join(d, "metadata"), "w") as f:
        f.write("""/* CTF 1.8 */
typealias integer { size = 32; align = 8; signed = false; } := uint32_t;
typealias integer { size = 64; align = 8; signed = false; } := uint64_t;
trace { major = 1; minor = 8; byte_order = le;
	packet.header := struct { uint32_t magic; uint32_t stream_id; }; };
clock { name = monotonic; freq = 1000000000; };
typealias integer { size = 64; align = 8; signed = false; map = clock.monotonic.value; } := ts_t;
stream { id = 0; event.header := struct { uint32_t id; ts_t timestamp; };
	packet.context := struct { uint64_t content_size; uint64_t packet_size; }; };
event { name = "myapp:hello"; id = 0; stream_id = 0; fields := struct { uint32_t value; }; };
""")
    size = 24 + 16 * 3
    with open(os.path.join(d, "stream_0"), "wb") as f:
        f.write(struct.pack("<IIQQ", 0xC1FC1FC1, 0, size * 8, size * 8))
        for i in range(3):
            f.write(struct.pack("<IQI", 0, 1000 + i, i))


def bad_inputs(prof):
    tmp = tempfile.mkdtemp(prefix="vp-ust-bad-")
    errors = []
    try:
        empty, other, garbage = (os.path.join(tmp, n) for n in ("empty", "other", "garbage"))
        os.makedirs(empty)
        other_app_trace(os.path.join(other, "ust", "uid", "0", "64-bit"))
        os.makedirs(os.path.join(garbage, "t"))
        with open(os.path.join(garbage, "t", "metadata"), "wb") as f:
            f.write(os.urandom(4096))
        if shutil.which("babeltrace2"):
            # The hand-made trace is one: babeltrace2 itself reads it.
            text = run(["babeltrace2", other]).stdout
            if text.count("myapp:hello") != 3:
                errors.append(f"babeltrace2 does not read the other program's trace: {text!r}")
        errors += refused(prof, ((empty, "no CTF trace under it"),
                                 (other, "not a trace of QEMU"),
                                 (garbage, "not a CTF trace babeltrace2 can read")))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return verdict(errors, "an empty directory, another program's CTF trace and garbage "
                   "metadata are each refused with status 2 and one line")


def record(prof, qemu, workload, tmp, both, tiny):
    """The workload under TCG, its USDT probes attached by --profile, recorded
    by an LTTng session and, with both, by the simple backend as well.
    Returns QEMU's pid or raises."""
    events = os.path.join(tmp, "events")
    names = run([prof, "trace-events"], check=True).stdout.split()
    with open(events, "w") as f:
        f.write("\n".join(names) + "\n")
    size = {"subbuf": "4096", "nsubbuf": 2} if tiny else {}
    with lttng_session(f"{tmp}/lttng", names, **size):
        cmd = [prof, "run", workload, "--qemu", qemu, "--accel", "tcg", "--profile",
               "--json", os.path.join(tmp, "run.json")]
        if both:
            cmd += ["--arg", "-trace", "--arg", f"events={events},file={tmp}/trace.bin"]
        r = run(cmd, cwd=tmp)
    if r.returncode:
        raise RuntimeError(f"run {workload}: {r.stderr.strip()}")
    m = QEMU_PID.search(r.stderr)
    if not m:
        raise RuntimeError(f"run {workload} names no QEMU pid: {r.stderr.strip()}")
    return int(m.group(1))


def babeltrace_counts(trace, pid):
    """babeltrace2's own reading of the trace: events per name of pid, the
    accesses QEMU made on no vCPU before the first on one, and what LTTng
    says it discarded."""
    p = run(["babeltrace2", trace], check=True)
    names, early, vcpu_seen = collections.Counter(), 0, False
    for line in p.stdout.splitlines():
        m = BT_EVENT.search(line)
        if not m or int(m.group(2)) != pid:
            continue
        names[m.group(1)] += 1
        if m.group(1).startswith("memory_region_ops_") and not vcpu_seen:
            if "cpu_index = -1," in line:
                early += 1
            else:
                vcpu_seen = True
    discarded = sum(int(n) for n in BT_DISCARDED.findall(p.stderr))
    return names, early, discarded


def check(prof, qemu, workload, both, tiny):
    tmp = tempfile.mkdtemp(prefix="vp-ust-")
    errors = []
    try:
        pid = record(prof, qemu, workload, tmp, both, tiny)
        mine = glob.glob(os.path.join(tmp, "lttng", "ust", "pid", f"*-{pid}-*"))
        if len(mine) != 1:
            print(f"FAIL: no per-process trace of QEMU pid {pid} under {tmp}/lttng: {mine}")
            return 1
        trace = mine[0]
        t = run([prof, "report", "--qemu-trace", trace, "--json", os.path.join(tmp, "u.json")])
        if t.returncode:
            print(f"FAIL: report --qemu-trace: status {t.returncode}: {t.stderr.strip()}")
            return 1
        doc = json.load(open(os.path.join(tmp, "u.json")))
        usdt = json.load(open(os.path.join(tmp, "run.json")))["run"]["usdt"]
        names, early, bt_discarded = babeltrace_counts(trace, pid)
        meta = doc["meta"]
        if meta.get("source") != "qemu-ust-trace":
            errors.append(f"meta.source is {meta.get('source')!r}")
        if doc["profile"]["target"]["pid"] != pid:
            errors.append(f"target.pid {doc['profile']['target']['pid']}, QEMU was {pid}")
        dropped = meta["lost"].get("trace_dropped", 0)
        if dropped != bt_discarded:
            errors.append(f"lost.trace_dropped {dropped}, babeltrace2 says LTTng discarded "
                          f"{bt_discarded}")
        if dropped and not any("discarded events" in n for n in meta["notes"]):
            errors.append(f"LTTng discarded {dropped} events and no note says so")
        errs, total, ndev, nevents = check_against(doc, usdt, names, early, dropped,
                                                   "babeltrace2")
        errors += errs
        m = re.search(r": (\d+) events, (\d+) of them", meta["attribution"]["detail"])
        if not m or int(m.group(1)) != sum(names.values()):
            errors.append(f"detail {meta['attribution']['detail']!r}: want "
                          f"{sum(names.values())} events, babeltrace2's count")
        if both:
            errors += same_as_simple(prof, tmp, doc, dropped)
        if tiny and not dropped:
            print("note: LTTng discarded nothing even so: lost events were not exercised")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return verdict(errors, f"{workload}: {total} accesses over {ndev} devices agree with the "
                   f"probes ({early} made before the guest ran, {dropped} discarded by LTTng) "
                   f"and with babeltrace2; {nevents} device events agree"
                   + ("; the simple trace of the same run gives the same devices" if both else ""))


def same_as_simple(prof, tmp, doc, ust_dropped):
    """Both backends recorded the one run: the same devices, counts and events."""
    s = run([prof, "report", "--qemu-trace", os.path.join(tmp, "trace.bin"),
             "--json", os.path.join(tmp, "s.json")])
    if s.returncode:
        return [f"report of the simple trace: status {s.returncode}: {s.stderr.strip()}"]
    sdoc = json.load(open(os.path.join(tmp, "s.json")))
    if sdoc["meta"]["source"] != "qemu-simple-trace":
        return [f"the simple trace's meta.source is {sdoc['meta']['source']!r}"]
    ust = {d["device"]: d for d in doc["profile"]["devices"]}
    simple = {d["device"]: d for d in sdoc["profile"]["devices"]}
    lost = ust_dropped + sdoc["meta"]["lost"]["trace_dropped"]
    if ust == simple:
        return []
    if lost:
        u = sum(d["to_user"] for d in ust.values())
        v = sum(d["to_user"] for d in simple.values())
        return [] if abs(u - v) <= lost else [f"{u} accesses through LTTng, {v} simple: more "
                                              f"apart than the {lost} events the two lost"]
    bad = sorted(k for k in set(ust) | set(simple) if ust.get(k) != simple.get(k))
    return [f"the two backends differ on {bad}: ust {[ust.get(k) for k in bad]}, "
            f"simple {[simple.get(k) for k in bad]}"]


def main():
    prof = sys.argv[1]
    if sys.argv[2:3] == ["--bad"]:
        return bad_inputs(prof)
    qemu, workload = sys.argv[2:4]
    both, tiny = "--both" in sys.argv[4:], "--tiny" in sys.argv[4:]
    why = probes_unusable(qemu)
    if why:
        print(f"SKIP: {why}")
        return SKIP
    for tool in ("lttng", "lttng-sessiond", "babeltrace2"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed (scripts/setup-deps.sh installs it)")
            return SKIP
    return check(prof, qemu, workload, both, tiny)


if __name__ == "__main__":
    sys.exit(main())
