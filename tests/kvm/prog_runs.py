#!/usr/bin/env python3
"""Each kernel program runs once per event it is attached to.

usage: prog_runs.py VMEXIT_PROF TEST_VMM [auto|fentry]

The test VMM makes a known number of port, MMIO and CPUID exits.  While the
profiler is still attached after the guest halted, the kernel's own run
counts of our programs (kernel.bpf_stats_enabled) are compared with the
guest's ground truth: one kvm_pio program run per port instruction, one
kvm_cpuid run per CPUID, one kvm_userspace_exit run per exit the VMM
handled, and no more runs than the profiler itself counted events.
With `auto`, where kvm_entry fires (not on a PVM host) nothing hooks
KVM_RUN: four programs run per exit to the VMM.  With `fentry` (and where
auto has to hook it), KVM_RUN is seen by fentry/fexit on
kvm_arch_vcpu_ioctl_run, once per call.  Either way no program is on the
host's other system calls, and the kvm tracepoints are read by their
tp_btf programs, without their classic twins (kvm_exit's on AMD hosts
only: its reason is read from SVM's state).
Exit status 77 (skip) when /dev/kvm cannot be used on this host.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile

import doc_checks

PROF, VMM = sys.argv[1], sys.argv[2]
HOOK = sys.argv[3] if len(sys.argv) > 3 else "auto"
OUT, IN, MMIO_W, MMIO_R, CPUID = 300, 200, 150, 100, 70
STATS = "/proc/sys/kernel/bpf_stats_enabled"


def run_counts():
    """Program name -> summed run_cnt of our live programs."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True, check=True).stdout
    runs = {}
    for p in json.loads(out):
        name = p.get("name", "")
        if name.startswith(("tp_kvm_", "btf_kvm_", "tp_sys_", "fentry_kvm_run", "fexit_kvm_run")):
            runs[name] = runs.get(name, 0) + p.get("run_cnt", 0)
    return runs


def main():
    try:
        with open(STATS) as f:
            old_stats = f.read().strip()
        with open(STATS, "w") as f:
            f.write("1")
    except OSError as e:
        print(f"FAIL: cannot enable BPF run statistics: {e}")
        return 1
    try:
        return measure()
    finally:
        with open(STATS, "w") as f:
            f.write(old_stats)


def measure():
    counts = ["--out", str(OUT), "--in", str(IN), "--mmio-write", str(MMIO_W),
              "--mmio-read", str(MMIO_R), "--cpuid", str(CPUID)]
    vmm, pid = doc_checks.start_test_vmm(VMM, 4000, counts)
    if not vmm:
        return pid
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    prof = doc_checks.start_profiler([PROF, "--pid", str(pid), "--interval", "0.5", "--json", out,
                                      "--run-hook", HOOK], 90)
    if not prof:
        vmm.kill()
        return 1
    before = run_counts()
    os.kill(pid, signal.SIGUSR1)
    handled = {}
    while True:
        line = doc_checks.read_line(vmm.stdout, 60)
        if not line:
            print("FAIL: the test VMM did not finish its guest")
            vmm.kill()
            prof.kill()
            return 1
        f = line.split()
        if f[0] == "handled" and len(f) == 3:
            handled[f[1]] = int(f[2])
        if f[0] == "elapsed_ns":
            break
    # The guest has halted; the VMM lingers, so the programs are still loaded.
    after = run_counts()
    vmm.communicate(timeout=60)
    prof.communicate(timeout=30)
    with open(out) as fh:
        doc = json.load(fh)
    os.unlink(out)
    runs = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    events = doc["profile"]["events"]
    print("program runs during the guest:", json.dumps(runs, sort_keys=True))
    print("events the profiler counted:", json.dumps(events, sort_keys=True))

    errors = []
    exits_to_user = handled.get("io", 0) + handled.get("mmio", 0) + handled.get("hlt", 0)
    # The kvm tracepoints as BTF-typed raw tracepoints where the kernel has
    # them: no record filled for each event.
    flavour = doc["meta"].get("kvm_tracepoints")
    if flavour != "btf":
        errors.append(f"kvm tracepoints read as {flavour}, not tp_btf: {doc['meta']['notes']}")

    # kvm_exit's tp_btf twin reads its reason from SVM's state: AMD hosts only.
    svm = os.path.exists("/sys/module/kvm_amd")

    def prog(event):
        if flavour != "btf" or (event == "kvm_exit" and not svm):
            return "tp_" + event
        return "btf_" + event

    for event, want in (("kvm_pio", OUT + IN), ("kvm_cpuid", CPUID),
                        ("kvm_userspace_exit", exits_to_user)):
        if runs.get(prog(event)) != want:
            errors.append(f"{prog(event)} ran {runs.get(prog(event))} times for {want} events the guest made")
    # Every kvm tracepoint event of the guest is counted once by the profiler;
    # a program that runs more often than that runs twice for one event.
    for event in ("kvm_pio", "kvm_mmio", "kvm_exit", "kvm_entry", "kvm_userspace_exit", "kvm_cpuid"):
        p = prog(event)
        if p in runs and event in events and runs[p] > events[event]:
            errors.append(f"{p} ran {runs[p]} times, the profiler counted {events[event]} {event} events")
    if flavour == "btf":
        doubled = sorted(p for p in runs if p.startswith("tp_kvm_") and (svm or p != "tp_kvm_exit"))
        if doubled:
            errors.append(f"classic programs loaded beside their tp_btf twins: {doubled}")
    # KVM_RUN is seen where only KVM_RUN passes, or not at all: no program
    # on the host's every system call; fentry runs once per call (the
    # first, then one after each exit the VMM handled but the last, a HLT
    # it does not resume).
    hook = doc["meta"].get("kvm_run_hook")
    want = HOOK if HOOK != "auto" else "fentry" if os.path.exists("/sys/module/kvm_pvm") else "none"
    if hook != want:
        errors.append(f"KVM_RUN hooked by {hook}, not {want}: {doc['meta']['notes']}")
    taxed = sorted(p for p in after if p.startswith("tp_sys_"))
    if taxed:
        errors.append(f"syscall programs loaded: {taxed}")
    for name in ("fentry_kvm_run", "fexit_kvm_run"):
        want_runs = exits_to_user if hook == "fentry" else None
        if runs.get(name) != want_runs:
            errors.append(f"{name} ran {runs.get(name)} times for {exits_to_user} KVM_RUN calls, "
                          f"hook {hook}")
    return doc_checks.verdict(errors, "every program ran once per event")


if __name__ == "__main__":
    sys.exit(main())
