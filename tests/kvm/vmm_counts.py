#!/usr/bin/env python3
"""vmexit-prof attached to the test VMM, a VM with known ground truth.

usage: vmm_counts.py VMEXIT_PROF TEST_VMM [counts|fentry|fallback|sigterm|duration]

counts:   the guest makes a known number of port and MMIO accesses and CPUIDs;
          vmexit-prof must report the same counts per kind and per address, a
          VMM-time figure for each address, and stop by itself when the VM exits;
          the kvm tracepoints are read as tp_btf and, where kvm_entry fires
          (not on a PVM host), nothing hooks KVM_RUN: they alone bound each exit.
fentry:   the same with KVM_RUN seen by fentry on kvm_arch_vcpu_ioctl_run.
fallback: the same through what a kernel without those has: KVM_RUN seen
          by the raw_syscalls tracepoints, the kvm tracepoints' records.
sigterm:  SIGTERM while the guest runs ends with a full report and exit 0.
duration: --duration ends the run by itself while the guest still runs.
Each leaves no program of ours loaded.
Exit status 77 (skip) when /dev/kvm cannot be used on this host.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import doc_checks

PROF, VMM = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "counts"
COUNTS = ["--out", "300", "--in", "200", "--mmio-write", "150", "--mmio-read", "100", "--cpuid", "70"]
# Long enough to still be running when the profiler is stopped (about a minute here).
LONG = ["--out", "4000000", "--in", "0", "--mmio-write", "0", "--mmio-read", "0", "--cpuid", "0"]


def programs_loaded():
    out = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True).stdout
    names = (" name tp_kvm_", " name tp_sys_", " name fentry_kvm_run", " name fexit_kvm_run")
    return sum(1 for line in out.splitlines() if any(n in line for n in names))


def main():
    before = programs_loaded()
    exact = MODE in ("counts", "fentry", "fallback")
    vmm, pid = doc_checks.start_test_vmm(VMM, 200, COUNTS if exact else LONG)
    if not vmm:
        return pid
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    extra = {"duration": ["--duration", "3"], "fentry": ["--run-hook", "fentry"],
             "fallback": ["--run-hook", "syscalls", "--tracepoints", "classic"]}.get(MODE, [])
    prof = doc_checks.start_profiler([PROF, "--pid", str(pid), "--interval", "0.5", "--json", out] + extra, 20)
    if not prof:
        os.kill(pid, signal.SIGKILL)
        return 1
    os.kill(pid, signal.SIGUSR1)
    if not exact:
        return stop_early(vmm, prof, out, before)
    vmm_out, vmm_err = vmm.communicate(timeout=300)
    try:
        report, _ = prof.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        prof.kill()
        print("FAIL: vmexit-prof did not stop when the VM exited")
        return 1
    if vmm.returncode or prof.returncode:
        print(f"FAIL: vmm={vmm.returncode} ({vmm_err.strip()}) prof={prof.returncode}")
        return 1
    with open(out) as f:
        doc = json.load(f)
    os.unlink(out)
    print(report)
    # The same counts and times whichever way KVM_RUN is seen.
    auto = "fentry" if os.path.exists("/sys/module/kvm_pvm") else "none"
    want = {"fallback": ("syscalls", "classic"), "fentry": ("fentry", "btf")}.get(MODE, (auto, "btf"))
    got = (doc["meta"].get("kvm_run_hook"), doc["meta"].get("kvm_tracepoints"))
    if got != want:
        print(f"FAIL: KVM_RUN hook and tracepoints {got}, expected {want}: {doc['meta']['notes']}")
        return 1
    if programs_loaded() != before:
        print("FAIL: BPF programs left loaded after the profiler ended")
        return 1
    return check(doc, vmm_out)


def stop_early(vmm, prof, out, before):
    """The profiler stops before the VM does and still reports in full."""
    started = time.time()
    if MODE == "sigterm":
        time.sleep(2)
        prof.send_signal(signal.SIGTERM)
    try:
        report, err = prof.communicate(timeout=30)
    finally:
        vmm.kill()
        vmm.wait()
    errors = []
    took = time.time() - started
    if prof.returncode != 0:
        errors.append(f"exit status {prof.returncode}: {err.strip()}")
    if MODE == "duration" and not 2.5 <= took <= 10:
        errors.append(f"--duration 3 stopped after {took:.1f} s")
    if "Exit reasons" not in report or "Accesses" not in report:
        errors.append("final report lacks its tables:\n" + report)
    with open(out) as f:
        doc = json.load(f)
    os.unlink(out)
    if doc["profile"]["target"]["exited"]:
        errors.append("report claims the target exited")
    if not any(r["kind"] == "pio" and r["count"] > 0 for r in doc["profile"]["accesses"]):
        errors.append("no port exits recorded while the guest ran")
    errors += doc_checks.table_sums(doc)
    if programs_loaded() != before:
        errors.append("BPF programs left loaded")
    return doc_checks.verdict(errors, f"stopped by {MODE} after {took:.1f} s with a full report")


def check(doc, vmm_out):
    prof = doc["profile"]
    accesses = prof["accesses"]
    errors = doc_checks.table_sums(doc)

    def find(kind, **match):
        return [r for r in accesses if r["kind"] == kind and all(r.get(k) == v for k, v in match.items())]

    handled, expected, made = {}, {"pio": 0, "mmio": 0, "cpuid": 0}, set()
    for line in vmm_out.splitlines():
        f = line.split()
        if f[0] == "expect" and f[1] in ("pio", "mmio"):
            kind, direction = f[1], {"out": "write", "in": "read", "write": "write", "read": "read"}[f[2]]
            addr, size, count = int(f[3], 16), int(f[4]), int(f[5])
            # The legacy VGA window is kept per 4 KiB page, whatever VMM maps it.
            if kind == "mmio" and 0xa0000 <= addr <= 0xbffff:
                addr &= ~0xfff
            expected[kind] += count
            if count:
                made.add((kind, addr, direction, size))
            got = find(kind, address=addr, direction=direction, size=size)
            if count == 0:
                if got:
                    errors.append(f"{kind} {direction} {addr:#x}/{size}: the guest made none, the profiler shows {got}")
                continue
            if len(got) != 1 or got[0]["count"] != count:
                errors.append(f"{kind} {direction} {addr:#x}/{size}: want {count}, got {got}")
                continue
            r = got[0]
            if r["to_user"] != count or r["user_ns"] <= 0 or not r["latency"]:
                errors.append(f"{kind} {direction} {addr:#x}: not every access timed in the VMM: {r}")
            if prof["kvm_exit_fired"] and r["kernel_ns"] <= 0:
                errors.append(f"{kind} {direction} {addr:#x}: no in-kernel time although kvm_exit fired: {r}")
        elif f[0] == "expect" and f[1] == "cpuid":
            expected["cpuid"] = int(f[2])
        elif f[0] == "handled" and len(f) == 3:
            handled[f[1]] = int(f[2])
    strays = [r for r in accesses if (r["kind"], r["address"], r.get("direction"), r["size"]) not in made]
    if strays:
        errors.append(f"accesses the guest never made: {strays}")
    cpuid = sum(r["count"] for r in prof["other"] if r["kind"] == "cpuid")
    if cpuid != expected["cpuid"]:
        errors.append(f"cpuid: want {expected['cpuid']}, got {cpuid}")

    def exits(where, reason):
        return sum(r["count"] for r in prof["exit_reasons"] if r["where"] == where and r["reason"] == reason)

    for name, reason in (("io", "IO"), ("mmio", "MMIO"), ("hlt", "HLT")):
        if exits("user", reason) != handled.get(name):
            errors.append(f"exits to user space {reason}: VMM handled {handled.get(name)}, profiler saw {exits('user', reason)}")
    if not prof["target"]["exited"]:
        errors.append("report does not say the target exited")

    # On SVM every one of the guest's exits is a kvm_exit of a known reason:
    # port I/O is io, MMIO a nested page fault (npf, also taken once for
    # each of the memslot's 16 pages the guest touches first), CPUID and HLT
    # their own.
    if doc_checks.in_lab() or prof["kvm_exit_fired"]:
        if not prof["kvm_exit_fired"]:
            errors.append("kvm_exit never fired in the lab")
        if prof["events"]["kvm_exit"] != prof["events"]["kvm_entry"]:
            errors.append(f"kvm_exit fired {prof['events']['kvm_exit']} times, kvm_entry {prof['events']['kvm_entry']}")
        kernel = [r for r in prof["exit_reasons"] if r["where"] == "kernel"]
        isas = {r.get("isa") for r in kernel}
        if doc_checks.in_lab() and isas != {"SVM"}:
            errors.append(f"in-kernel exits in the lab of isa {isas}, want SVM")
        if isas == {"SVM"}:
            for reason, want in (("io", expected["pio"]), ("cpuid", expected["cpuid"]), ("hlt", 1)):
                if exits("kernel", reason) != want:
                    errors.append(f"in-kernel exits '{reason}': want {want}, got {exits('kernel', reason)}")
            npf = exits("kernel", "npf")
            if not expected["mmio"] <= npf <= expected["mmio"] + 16:
                errors.append(f"in-kernel exits 'npf': want {expected['mmio']} MMIO accesses plus at most 16 first touches, got {npf}")
        for r in kernel:
            lat = r["latency"]
            if r["count"] > 1 and not (lat and 0 < lat["p50_ns"] <= lat["p90_ns"] <= lat["p99_ns"] <= lat["max_ns"]):
                errors.append(f"in-kernel exits '{r['reason']}' lack latency percentiles: {lat}")
    if doc_checks.in_lab():
        # kvm is a module there: the programs loaded by relocating against its own BTF.
        if not os.path.exists("/sys/module/kvm/initstate") or not os.path.exists("/sys/kernel/btf/kvm"):
            errors.append("the lab's kvm is not a module with its own BTF")
    return doc_checks.verdict(errors, f"{len(accesses)} accesses and {len(prof['exit_reasons'])} exit reasons "
                                      "match the guest's ground truth")


if __name__ == "__main__":
    sys.exit(main())
