#!/usr/bin/env python3
"""vmexit-prof record on the test VMM, against the live profile of the same run.

usage: record_vmm.py VMEXIT_PROF TEST_VMM [equal|killed]
       record_vmm.py VMEXIT_PROF QEMU qemu|tcg GUEST_DIR

equal:  the live profiler (--pid) and the recorder watch the same guest from
        before its first exit to its end; `report FILE` of the recording
        gives the live document's counts exactly (events, exit reasons per
        vCPU, accesses per port and address, CPUID leaves) and its times
        within the two observers' own clock reads of each other; the
        recording lists the slowest exits, slowest first, none slower than
        the longest exit, each port one with its device; nothing was lost.
killed: the recorder killed by SIGKILL while the guest runs leaves a file
        that reads: a report of what it had written, its tables adding up,
        a note saying where it stops; no program left loaded.
qemu:   the same as equal on the project's QEMU running the virtio-blk
        workload, booted paused and let go once both have attached: the
        recording's devices are named by QEMU's probes as the live
        profile's, with the same accesses, ioeventfd kicks, interrupts and
        device events, and the guest's own kicks.
tcg:    the same QEMU and workload without KVM, where QEMU's probes are
        the only source of both: the recording gives the live profile's
        devices, accesses, interrupts and device events.
Exit status 77 (skip) when /dev/kvm cannot be used on this host (tcg:
when the project's QEMU has no probes, or not root).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import doc_checks
from paused_qemu import PausedQemu

PROF, VMM = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "equal"
GUEST_DIR = sys.argv[4] if len(sys.argv) > 4 else None
COUNTS = ["--out", "3000", "--in", "2000", "--mmio-write", "1500", "--mmio-read", "1000", "--cpuid", "700"]
LONG = ["--out", "4000000", "--in", "0", "--mmio-write", "0", "--mmio-read", "0", "--cpuid", "0"]


def programs_loaded():
    out = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True).stdout
    names = (" name tp_kvm_", " name btf_kvm_", " name tp_sys_", " name fentry_kvm_run", " name fexit_kvm_run",
             " name vp_")
    return sum(1 for line in out.splitlines() if any(n in line for n in names))


def report(path, scratch):
    out = os.path.join(scratch, "rec.json")
    r = subprocess.run([PROF, "report", path, "--json", out, "--color", "never"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode:
        return None, f"report of the recording: status {r.returncode}: {r.stderr.strip()}"
    with open(out) as f:
        return json.load(f), r.stdout


def rows(doc, table, key):
    return {key(r): r for r in doc["profile"][table]}


# The two observers' programs run one after the other on each tracepoint,
# each reading the clock itself: the second's times of an exit are off by
# what the first's programs took, tens of ns on a real host but 10 us and
# more in the lab (TCG), where the first runs of a program's new paths
# also stall for translation, now in one observer, now in the other.  So
# a table's times are compared in total, each row's counts exactly; the
# replay itself equals the kernel's aggregation to the nanosecond
# (bpf/replay).
TIME_SLACK = 0.10
SAMPLE_NS = 15000


def close(a, b, samples):
    if a is None or b is None:
        return a == b
    return abs(a - b) <= max(TIME_SLACK * max(a, b), SAMPLE_NS * samples)


def compare(live, rec):
    errors = []
    lp, rp = live["profile"], rec["profile"]
    if lp["events"] != rp["events"]:
        errors.append(f"events: live {lp['events']}, recording {rp['events']}")
    tables = {
        "exit_reasons": lambda r: (r["where"], r["vcpu"], r["reason"], r["code"]),
        "accesses": lambda r: (r["kind"], r["address"], r.get("direction"), r["size"]),
        "other": lambda r: (r["kind"], r["name"], r["code"], r.get("address"), r.get("direction")),
        "devices": lambda r: r["device"],
        "vcpus": lambda r: r["vcpu"],
    }
    counts = {"exit_reasons": ["count"], "accesses": ["count", "to_user", "device"], "other": ["count"],
              "devices": ["to_user", "in_kernel", "interrupts"], "vcpus": ["exits_to_user", "kernel_exits", "kvm_run_calls"]}
    times = {"exit_reasons": ["time_ns"], "accesses": ["user_ns", "kernel_ns"], "devices": ["user_ns", "kernel_ns"],
             "vcpus": ["user_ns", "kernel_ns"]}
    for table, key in tables.items():
        a, b = rows(live, table, key), rows(rec, table, key)
        if set(a) != set(b):
            errors.append(f"{table}: only live {sorted(set(a) - set(b), key=str)}, "
                          f"only recording {sorted(set(b) - set(a), key=str)}")
        for k in set(a) & set(b):
            for f in counts[table]:
                if a[k].get(f) != b[k].get(f):
                    errors.append(f"{table} {k}: {f} live {a[k].get(f)}, recording {b[k].get(f)}")
        samples = sum(r.get("count", r.get("to_user", r.get("exits_to_user", 0))) or 0 for r in a.values())
        for f in times.get(table, []):
            ta = sum(r.get(f) or 0 for r in a.values())
            tb = sum(r.get(f) or 0 for r in b.values())
            if not close(ta, tb, samples):
                errors.append(f"{table}: {f} in all live {ta}, recording {tb}")
    for f in ("pid", "vcpus", "exited"):
        if lp["target"][f] != rp["target"][f]:
            errors.append(f"target.{f}: live {lp['target'][f]}, recording {rp['target'][f]}")
    for f in ("kvm_run_hook", "kvm_tracepoints", "accelerator", "vm_exits_measured"):
        if live["meta"].get(f) != rec["meta"].get(f):
            errors.append(f"meta.{f}: live {live['meta'].get(f)}, recording {rec['meta'].get(f)}")
    return errors


def check_slowest(rec):
    errors = []
    slow = rec["profile"].get("slowest_exits")
    if not slow:
        return ["the recording lists no slowest exits"]
    totals = [s["total_ns"] for s in slow]
    if totals != sorted(totals, reverse=True):
        errors.append(f"slowest exits not slowest first: {totals}")
    longest = max((r["latency"]["max_ns"] for r in rec["profile"]["exit_reasons"]
                   if r["where"] == "kernel" and r["latency"]), default=0)
    if rec["profile"]["kvm_exit_fired"] and totals[0] < longest:
        errors.append(f"slowest exit {totals[0]} ns, yet an exit's kernel time alone was {longest} ns")
    dur = rec["meta"]["duration_s"]
    named = {(r["kind"], r["address"], r.get("direction"), r["size"]): r["device"]
             for r in rec["profile"]["accesses"]}
    for s in slow:
        # every event comes after the recording's start, attaching included
        if not 0 < s["start_s"] <= dur + 1:
            errors.append(f"slow exit at {s['start_s']} s, outside the {dur} s recorded")
        if s["kernel_ns"] is not None and s["kernel_ns"] > s["total_ns"]:
            errors.append(f"slow exit {s}: kernel part longer than the exit")
        a = s["access"]
        if a:
            key = (a["kind"], a["address"], a.get("direction"), a["size"])
            if key not in named:
                errors.append(f"slow exit {s}: an access the accesses table does not have")
            elif named[key] != a["device"]:
                errors.append(f"slow exit {s}: device {a['device']}, the table says {named[key]}")
    return errors


def stop_both(live, recorder, timeout):
    """Both observers' ends once the VM has ended: what went wrong, as sentences."""
    errors = []
    for name, p in (("live profile", live), ("recorder", recorder)):
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            return [f"the {name} did not stop when the VM exited"]
        if p.returncode:
            errors.append(f"{name}: status {p.returncode}: {err.strip()}")
        if name == "recorder":
            print(err.strip().splitlines()[-1])
    return errors


def equal(scratch):
    before = programs_loaded()
    vmm, pid = doc_checks.start_test_vmm(VMM, 300, COUNTS)
    if not vmm:
        return pid
    live_json, rec = os.path.join(scratch, "live.json"), os.path.join(scratch, "run.vpr")
    live = doc_checks.start_profiler([PROF, "--pid", str(pid), "--interval", "0.5", "--json", live_json], 90)
    recorder = doc_checks.start_profiler([PROF, "record", "--pid", str(pid), "-o", rec, "--interval", "0.5"], 90)
    if not live or not recorder:
        os.kill(pid, signal.SIGKILL)
        return 1
    os.kill(pid, signal.SIGUSR1)
    vmm.communicate(timeout=300)
    errors = stop_both(live, recorder, 60)
    if errors:
        return doc_checks.verdict(errors, "")
    with open(live_json) as f:
        live_doc = json.load(f)
    rec_doc, text = report(rec, scratch)
    if rec_doc is None:
        return doc_checks.verdict([text], "")
    print(text)
    errors += compare(live_doc, rec_doc)
    errors += check_slowest(rec_doc)
    errors += doc_checks.table_sums(rec_doc)
    if rec_doc["meta"].get("source") != "recording":
        errors.append(f"meta.source {rec_doc['meta'].get('source')}")
    if "Slowest exits" not in text:
        errors.append("the terminal report has no slowest exits")
    if programs_loaded() != before:
        errors.append("BPF programs left loaded")
    size = os.path.getsize(rec)
    ev = rec_doc["profile"]["events"]
    n = sum(ev.values())
    return doc_checks.verdict(errors, f"recording equals the live profile: {n} events, "
                                      f"{size} bytes ({size / max(n, 1):.1f} per event)")


def killed(scratch):
    before = programs_loaded()
    vmm, pid = doc_checks.start_test_vmm(VMM, 0, LONG)
    if not vmm:
        return pid
    rec = os.path.join(scratch, "cut.vpr")
    recorder = doc_checks.start_profiler([PROF, "record", "--pid", str(pid), "-o", rec, "--interval", "0.3"], 90)
    if not recorder:
        os.kill(pid, signal.SIGKILL)
        return 1
    os.kill(pid, signal.SIGUSR1)
    time.sleep(3)
    recorder.kill()
    recorder.wait()
    vmm.kill()
    vmm.wait()
    errors = []
    doc, text = report(rec, scratch)
    if doc is None:
        return doc_checks.verdict([text], "")
    print(text)
    notes = " ".join(doc["meta"]["notes"])
    if "the recording stops at byte" not in notes:
        errors.append(f"no note of where the recording stops: {doc['meta']['notes']}")
    out = [r for r in doc["profile"]["accesses"] if r["kind"] == "pio" and r["address"] == 0x3f0]
    if not out or out[0]["count"] < 100:
        errors.append(f"port 0x3f0 writes before the kill: {out}")
    errors += [e for e in doc_checks.table_sums(doc)]
    if programs_loaded() != before:
        errors.append("BPF programs left loaded after the recorder was killed")
    got = out[0]["count"] if out else 0
    return doc_checks.verdict(errors, f"a recorder killed after 3 s left {os.path.getsize(rec)} bytes "
                                      f"that read: {got} port writes")


def qemu(scratch, accel="kvm"):
    before = programs_loaded()
    live_json, rec = f"{scratch}/live.json", f"{scratch}/vm.vpr"
    vm = PausedQemu(PROF, VMM, GUEST_DIR, scratch, "vm", profiler_socket=True, accel=accel)
    live = recorder = None
    try:
        live = doc_checks.start_profiler([PROF, "--pid", str(vm.pid), "--interval", "1", "--json", live_json], 120)
        recorder = doc_checks.start_profiler([PROF, "record", "--pid", str(vm.pid), "-o", rec], 120)
        if not live or not recorder:
            return 1
        vm.go()
        result = vm.result()
        errors = stop_both(live, recorder, 120)
    finally:
        vm.kill()
        for p in (live, recorder):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    if result.get("status") != "ok":
        errors.append(f"the guest did not finish: {result} {vm.out[-500:]}")
    if errors:
        return doc_checks.verdict(errors, "")
    with open(live_json) as f:
        live_doc = json.load(f)
    rec_doc, text = report(rec, scratch)
    if rec_doc is None:
        return doc_checks.verdict([text], "")
    print(text)
    errors += compare(live_doc, rec_doc)
    if accel == "kvm":  # without VM exits there are no access rows to add up, no exits
        errors += doc_checks.table_sums(rec_doc)
        errors += check_slowest(rec_doc)
    for name, d in (("live", live_doc), ("recording", rec_doc)):
        if d["meta"]["attribution"]["source"] != "qemu-usdt":
            errors.append(f"{name}: devices named by {d['meta']['attribution']['source']}, not QEMU's probes")
    blk = {d["device"]: d for d in rec_doc["profile"]["devices"]}.get("virtio-blk")
    kicks = int(result.get("kicks", -1))
    if accel == "tcg":
        if rec_doc["meta"]["accelerator"] != "tcg" or not blk or not blk["to_user"]:
            errors.append(f"without KVM: accelerator {rec_doc['meta']['accelerator']}, "
                          f"virtio-blk {blk}")
    elif not blk or blk["in_kernel_kinds"].get("ioeventfd") != kicks:
        errors.append(f"virtio-blk: the guest kicked {kicks} times, the recording has "
                      f"{blk and blk['in_kernel_kinds']}")
    lv = {d["device"]: d.get("qemu_events") for d in live_doc["profile"]["devices"]}
    rv = {d["device"]: d.get("qemu_events") for d in rec_doc["profile"]["devices"]}
    if lv != rv:
        errors.append(f"QEMU's device events: live {lv}, recording {rv}")
    if programs_loaded() != before:
        errors.append("BPF programs left loaded")
    return doc_checks.verdict(errors, f"a QEMU's recording equals its live profile, probes included: "
                                      f"{kicks} kicks, events {rv.get('virtio-blk')}")


def main():
    if MODE == "tcg":
        if not os.path.exists(VMM):
            print("skipped: no project QEMU (configure with VP_QEMU)")
            return doc_checks.SKIP
        if os.geteuid() != 0:
            print("skipped: loading BPF programs needs root")
            return doc_checks.SKIP
        with tempfile.TemporaryDirectory() as scratch:
            return qemu(scratch, "tcg")
    if not doc_checks.kvm_usable() and not doc_checks.in_lab():
        print("skipped: /dev/kvm is not usable here")
        return doc_checks.SKIP
    with tempfile.TemporaryDirectory() as scratch:
        return {"equal": equal, "killed": killed, "qemu": qemu}[MODE](scratch)


if __name__ == "__main__":
    sys.exit(main())
