#!/usr/bin/env python3
"""vmexit-prof --all on a host whose VMs come and go.

usage: host_wide.py VMEXIT_PROF TEST_VMM [vms|cycles]
       host_wide.py VMEXIT_PROF QEMU qemus GUEST_DIR

vms:    three test VMMs, each making its own numbers of port, MMIO and CPUID
        exits, started and stopped at different times during one --all run,
        their lives overlapping: each has its own document with exactly its
        counts, none of another's; the metrics file names those running.
cycles: 50 VMs started and stopped one after another: the profiler's RSS
        and its loaded BPF programs stay where they were after the first
        few, and its tables keep nothing of the VMs gone.
qemus:  three QEMUs (the project's, with its probes) running the virtio-blk
        workload, each with its own number of requests, booted paused and
        let go once found, started and ended at different times during one
        --all run: each has its own document naming its devices by its own
        probes, with exactly its own guest's ioeventfd kicks, none of
        another's.
Each leaves no program of ours loaded.
Exit status 77 (skip) when /dev/kvm cannot be used on this host.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

import doc_checks
from paused_qemu import PausedQemu

PROF, VMM = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "vms"
GUEST_DIR = sys.argv[4] if len(sys.argv) > 4 else None
NAMES = (" name tp_kvm_", " name tp_sys_", " name btf_kvm_", " name fentry_kvm_run",
         " name fexit_kvm_run")


def programs_loaded():
    out = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True).stdout
    return sum(1 for line in out.splitlines() if any(n in line for n in NAMES))


def map_entries(name):
    """Entries of each of our maps called name (there is one per profiler)."""
    maps = json.loads(subprocess.run(["bpftool", "-j", "map", "show"], capture_output=True,
                                     text=True).stdout or "[]")
    counts = []
    for m in maps:
        if m.get("name") == name:
            dump = subprocess.run(["bpftool", "-j", "map", "dump", "id", str(m["id"])],
                                  capture_output=True, text=True).stdout
            counts.append(len(json.loads(dump or "[]")))
    return counts


def counts(n):
    return ["--out", str(n), "--in", "0", "--mmio-write", str(n // 3), "--mmio-read", "0",
            "--cpuid", str(n // 7)]


class Profiler:
    """vmexit-prof --all, with its notes on stderr read as they come."""

    def __init__(self, argv):
        self.proc = doc_checks.start_profiler(argv, 30)
        self.said, self.out = [], []
        # Each VM's report comes when it ends: drained as it comes, so a
        # full pipe never stalls the profiler.
        if self.proc:
            self.drain = threading.Thread(target=lambda: self.out.extend(self.proc.stdout))
            self.drain.start()

    def wait_note(self, text, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if any(text in line for line in self.said):
                return True
            line = doc_checks.read_line(self.proc.stderr, 1)
            if line:
                self.said.append(line.rstrip())
        return False

    def wait_gone(self, pid, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if any(f"VM pid {pid} " in line and "is gone" in line for line in self.said):
                return True
            line = doc_checks.read_line(self.proc.stderr, 1)
            if line:
                self.said.append(line.rstrip())
        return False

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=120)
        self.drain.join(timeout=30)
        self.said += self.proc.stderr.read().splitlines()
        return "".join(self.out)


def start_vm(prof, n, linger_ms, errors):
    """A test VMM making n port exits (and n/3 MMIO, n/7 CPUID), running once
    the profiler has found it; (process, pid) or (None, status)."""
    vmm, pid = doc_checks.start_test_vmm(VMM, linger_ms, counts(n))
    if not vmm:
        return None, pid
    if not prof.wait_note(f"VM pid {pid} "):
        errors.append(f"the VM of pid {pid} was not found: {prof.said[-3:]}")
    os.kill(pid, signal.SIGUSR1)
    return vmm, pid


def expected(vmm_out):
    want = {"pio": 0, "mmio": 0, "cpuid": 0}
    for line in vmm_out.splitlines():
        f = line.split()
        if f and f[0] == "expect" and f[1] in ("pio", "mmio"):
            want[f[1]] += int(f[5])
        elif f and f[0] == "expect" and f[1] == "cpuid":
            want["cpuid"] = int(f[2])
    return want


def got(doc):
    p = doc["profile"]
    have = {k: sum(r["count"] for r in p["accesses"] if r["kind"] == k) for k in ("pio", "mmio")}
    have["cpuid"] = sum(r["count"] for r in p["other"] if r["kind"] == "cpuid")
    return have


def vms():
    errors, before = [], programs_loaded()
    out = tempfile.mkdtemp()
    metrics = os.path.join(out, "vms.prom")
    prof = Profiler([PROF, "--all", "--interval", "0.3", "--json", out, "--metrics-file", metrics])
    if not prof.proc:
        return 1
    # A lives longest, B ends first, C starts while A and B run.
    a, pa = start_vm(prof, 300, 4000, errors)
    if not a:
        prof.stop()
        return pa
    b, pb = start_vm(prof, 500, 1500, errors)
    c, pc = start_vm(prof, 700, 2500, errors)
    time.sleep(0.8)
    text = open(metrics).read() if os.path.exists(metrics) else ""
    running = set(re.findall(r'domain="(\d+)"', text))
    if not {str(pa), str(pb), str(pc)} <= running:
        errors.append(f"the metrics file names {sorted(running)} while {pa}, {pb} and {pc} run")
    outs = {}
    for vmm, pid in ((a, pa), (b, pb), (c, pc)):
        outs[pid] = vmm.communicate(timeout=120)[0]
    for pid in (pa, pb, pc):
        if not prof.wait_gone(pid):
            errors.append(f"the end of VM {pid} was not noticed")
    report = prof.stop()
    if prof.proc.returncode != 0:
        errors.append(f"vmexit-prof --all exited {prof.proc.returncode}: {prof.said[-3:]}")
    seen = {}
    for pid in (pa, pb, pc):
        path = os.path.join(out, f"vm-{pid}.json")
        if not os.path.exists(path):
            errors.append(f"no document for VM {pid} in {sorted(os.listdir(out))}")
            continue
        doc = json.load(open(path))
        want, have = expected(outs[pid]), got(doc)
        seen[pid] = have
        if doc["profile"]["target"]["pid"] != pid or want != have:
            errors.append(f"VM {pid}: want {want}, its document has {have} "
                          f"(pid {doc['profile']['target']['pid']})")
        errors += [f"VM {pid}: {e}" for e in doc_checks.table_sums(doc)]
        if f"pid {pid} " not in report:
            errors.append(f"the report has no section for VM {pid}")
    if programs_loaded() != before:
        errors.append(f"{programs_loaded() - before} programs of ours still loaded")
    return doc_checks.verdict(errors, f"three VMs, each its own counts: {seen}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cycles():
    errors, before = [], programs_loaded()
    prof = Profiler([PROF, "--all", "--interval", "0.2"])
    if not prof.proc:
        return 1
    rss, progs = [], []
    for i in range(50):
        vmm, pid = start_vm(prof, 50, 0, errors)
        if not vmm:
            prof.stop()
            return pid
        vmm.communicate(timeout=60)
        if not prof.wait_gone(pid):
            errors.append(f"cycle {i}: the end of VM {pid} was not noticed")
        rss.append(rss_kib(prof.proc.pid))
        progs.append(programs_loaded())
        if errors:
            break
    left = {"vms": map_entries("vms"), "threads": map_entries("threads"),
            "vcpu_fds": map_entries("vcpu_fds")}
    prof.stop()
    if len(set(progs)) != 1:
        errors.append(f"programs loaded changed as VMs came and went: {progs}")
    if rss and rss[-1] - rss[4] > 1024:
        errors.append(f"RSS grew from {rss[4]} KiB after 5 VMs to {rss[-1]} KiB after 50")
    for name, n in left.items():
        if any(n):
            errors.append(f"map {name} keeps {n} entries of VMs gone")
    if programs_loaded() != before:
        errors.append(f"{programs_loaded() - before} programs of ours still loaded")
    return doc_checks.verdict(errors, f"50 VMs came and went: RSS {rss[0]} -> {rss[4]} -> "
                              f"{rss[-1]} KiB, {progs[-1]} programs throughout, maps {left}")


def kicks(doc):
    dev = next((d for d in doc["profile"]["devices"] if d["device"] == "virtio-blk"), None)
    return (dev["in_kernel_kinds"].get("ioeventfd"), dev["source"]) if dev else (None, None)


def qemus():
    errors, before = [], programs_loaded()
    out = tempfile.mkdtemp()
    tmp = tempfile.mkdtemp(prefix="vp-hw-", dir="/tmp")
    prof = Profiler([PROF, "--all", "--interval", "0.3", "--json", out])
    if not prof.proc:
        return 1
    vms = []
    try:
        # A has the most to do and lives longest; C starts while A and B run.
        for name, ops in (("vm-a", 24), ("vm-b", 8), ("vm-c", 16)):
            q = PausedQemu(PROF, VMM, GUEST_DIR, tmp, name, append=f"ops={ops} size=8 batch=8")
            vms.append(q)
            if not q.pid or not prof.wait_note(f"VM pid {q.pid} ", 120):
                errors.append(f"{name}: QEMU {q.pid} was not found: {prof.said[-3:]}")
            q.go()
        results = {q.name: q.result() for q in vms}
        for q in vms:
            if not prof.wait_gone(q.pid, 60):
                errors.append(f"the end of {q.name} (pid {q.pid}) was not noticed")
    finally:
        for q in vms:
            q.kill()
    prof.stop()
    seen = {}
    for q in vms:
        r = results.get(q.name, {})
        if r.get("status") != "ok":
            errors.append(f"{q.name}: the guest did not finish: {r} {q.out[-500:]}")
            continue
        path = os.path.join(out, f"vm-{q.pid}.json")
        if not os.path.exists(path):
            errors.append(f"no document for {q.name} (pid {q.pid}) in {sorted(os.listdir(out))}")
            continue
        doc = json.load(open(path))
        got_kicks, source = kicks(doc)
        seen[q.name] = (int(r["kicks"]), got_kicks)
        if doc["profile"]["target"]["name"] != q.name:
            errors.append(f"{q.name}: its document names {doc['profile']['target']['name']}")
        if got_kicks != int(r["kicks"]):
            errors.append(f"{q.name}: the guest kicked {r['kicks']} times, its document has {got_kicks}")
        if source != "qemu-usdt" or doc["meta"]["attribution"]["source"] != "qemu-usdt":
            errors.append(f"{q.name}: virtio-blk named by {source}, not its own QEMU's probes")
        errors += [f"{q.name}: {e}" for e in doc_checks.table_sums(doc)]
    if len({k for k, _ in seen.values()}) != 3:
        errors.append(f"the three guests did not kick a different number of times each: {seen}")
    if programs_loaded() != before:
        errors.append(f"{programs_loaded() - before} programs of ours still loaded")
    return doc_checks.verdict(errors, f"three QEMUs, each its own kicks (guest, document): {seen}")


def main():
    if not doc_checks.kvm_usable() and not doc_checks.in_lab():
        print("skipped: /dev/kvm is not usable here")
        return doc_checks.SKIP
    return {"vms": vms, "cycles": cycles, "qemus": qemus}[MODE]()


if __name__ == "__main__":
    sys.exit(main())
