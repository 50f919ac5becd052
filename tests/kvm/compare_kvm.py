#!/usr/bin/env python3
"""`vmexit-prof run --compare` under KVM, what the main job runs.

Each workload's QEMU is started paused and the profiler attaches to it while
QEMU is still building its vCPUs: every workload must run and be profiled
(status ok, no error row), with its exits and host time per op measured by
KVM, and the exits on the device must be the accesses the guest itself
counted on it (each register access is one exit, to QEMU or in the kernel),
and the interrupts of ide-dma's DMA commands are counted.
The document must be one the reader accepts.

usage: compare_kvm.py VMEXIT_PROF QEMU [W1,W2,...]
"""
import json
import os
import subprocess
import sys
import tempfile

from doc_checks import host_is_pvm, kvm_usable

SKIP = 77


def main():
    prof, qemu = sys.argv[1:3]
    # Every workload of the main job: both ways of the stopwatch (its
    # doorbell an ioeventfd that its BAR's mapping registered), the virtio
    # devices (ioeventfds set by their drivers), e1000, whose registers are
    # mostly coalesced MMIO that no exit joins to a region (QEMU's memory
    # map names them), and IDE, which the firmware drives too: SeaBIOS reads
    # the disk with string instructions, one exit for many of QEMU's
    # dispatches, so only the kernel's own count after the firmware matches.
    pair = sys.argv[3] if len(sys.argv) > 3 else \
        "ide-pio,ide-dma,virtio-blk,e1000,virtio-net,stopwatch-mmio,stopwatch-pv"
    if not kvm_usable():
        if os.environ.get("VMEXIT_PROF_LAB"):
            print("FAIL: /dev/kvm is not usable inside the lab")
            return 1
        print("skipped: /dev/kvm is not usable on this host")
        return SKIP
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False, dir="/tmp").name
    run = subprocess.run([prof, "run", "--compare", pair, "--qemu", qemu, "--accel", "kvm",
                          "--repeat", "1", "--timeout", "300", "--json", out],
                         capture_output=True, text=True, timeout=1800)
    print(run.stdout, run.stderr)
    if run.returncode:
        print(f"FAIL: run --compare exited {run.returncode}")
        return 1
    check = subprocess.run([prof, "report", out], capture_output=True, text=True)
    if check.returncode:
        print("FAIL: vmexit-prof report refuses the document:", check.stderr.strip())
        return 1
    with open(out) as f:
        doc = json.load(f)
    os.unlink(out)
    bad = []
    if doc["meta"]["accelerator"] != "kvm" or not doc["meta"]["vm_exits_measured"]:
        bad.append(f"accelerator {doc['meta']['accelerator']}, exits measured "
                   f"{doc['meta']['vm_exits_measured']}")
    for w in doc["workloads"]:
        name = w["name"]
        if not w["ran"] or w["status"] != "ok" or "error" in w:
            bad.append(f"{name}: ran={w['ran']} status={w['status']} {w.get('error', '')}")
            continue
        e, ops = w["exits_per_op"], w["ops"]
        if w["in_kernel"]["source"] != "kvm" or None in (e["to_user"], e["in_kernel"], e["total"]):
            bad.append(f"{name}: exits not measured by KVM: {e}, {w['in_kernel']}")
            continue
        host = w["host_ns_per_op"]
        if host["qemu"] is None:
            bad.append(f"{name}: QEMU's time per op missing: {host}")
        # Without kvm_exit nothing times the kernel: no number, and a note why.
        if host_is_pvm():
            if host["kernel"] is not None or not any("kvm_exit" in n for n in doc["meta"]["notes"]):
                bad.append(f"{name}: kvm_exit does not fire on this host, yet kernel time {host['kernel']} "
                           f"and notes {doc['meta']['notes']}")
        elif host["kernel"] is None:
            bad.append(f"{name}: in-kernel time per op missing: {host}")
        exits = round(e["total"] * ops)
        guest = w["accesses"]["guest"]["reads"] + w["accesses"]["guest"]["writes"]
        print(f"{name}: {ops} ops, exits on the device {exits} (to QEMU {round(e['to_user'] * ops)}), "
              f"the guest's own accesses {guest}, host ns/op {w['host_ns_per_op']}")
        if exits != guest:
            bad.append(f"{name}: {exits} exits on the device, the guest made {guest} accesses")
        # Each op of ide-dma is two DMA commands, each completed by an
        # interrupt the kernel's irqchip delivers (its line's rising edge).
        if name == "ide-dma" and w["interrupts"]["count"] < 2 * ops:
            bad.append(f"{name}: {w['interrupts']['count']} interrupts for {ops} ops of two DMA commands")
    for b in bad:
        print("FAIL:", b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
