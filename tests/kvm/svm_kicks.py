#!/usr/bin/env python3
"""A paravirtual device's doorbell on KVM: every kick is an ioeventfd kick.

usage: svm_kicks.py VMEXIT_PROF QEMU GUEST_DIR [WORKLOAD]

QEMU with USDT probes (the project's) or without (Debian's: QEMU's memory map).

The modern virtio-blk workload (default) kicks its queue by an MMIO write
to the notify region, which QEMU serves by an ioeventfd: on SVM that is an
`npf` exit and a kvm_mmio write that never reaches QEMU (no kvm_fast_mmio).
vmexit-prof --pid, attached before the guest's first instruction, must
count exactly the guest's own `kicks` as that device's ioeventfd kicks,
none of them as coalesced MMIO, and give the in-kernel exits they took to
the device: the device's share of the `npf` exits is at least its kicks.
Exit status 77 (skip) when /dev/kvm cannot be used on this host.
"""
import json
import os
import sys
import tempfile

import doc_checks
from paused_qemu import PausedQemu

SKIP = 77
DEVICE = {"virtio-blk": "virtio-blk", "virtio-net": "virtio-net"}


def main():
    prof_bin, qemu, guest_dir = sys.argv[1:4]
    workload = sys.argv[4] if len(sys.argv) > 4 else "virtio-blk"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        if doc_checks.in_lab():
            print("FAIL: /dev/kvm is not usable inside the lab")
            return 1
        print("skipped: /dev/kvm is not usable on this host")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="vp-kicks-", dir="/tmp")
    out = f"{tmp}/profile.json"
    # The profiler finds its own socket on the command line (QEMU's map,
    # for a QEMU without probes); the test starts the guest through another.
    vm = PausedQemu(prof_bin, qemu, guest_dir, tmp, "kicks", workload, profiler_socket=True)
    prof = None
    try:
        if not vm.pid:
            print("FAIL: vmexit-prof run started no QEMU")
            return 1
        prof = doc_checks.start_profiler([prof_bin, "--pid", str(vm.pid), "--interval", "1", "--json", out], 60)
        if not prof:
            return 1
        vm.go()
        result = vm.result()
        report, err = prof.communicate(timeout=60)
    finally:
        vm.kill()
        if prof and prof.poll() is None:
            prof.kill()
            prof.wait()
    if result.get("status") != "ok" or vm.proc.returncode or prof.returncode:
        print(f"FAIL: guest {result} or profiler ({prof.returncode}) failed\n{vm.out}\n{err}")
        return 1
    with open(out) as f:
        doc = json.load(f)
    print(report)
    return check(doc, int(result["kicks"]), DEVICE[workload])


def check(doc, kicks, device):
    p = doc["profile"]
    errors = doc_checks.table_sums(doc)
    dev = next((d for d in p["devices"] if d["device"] == device), None)
    if not dev:
        errors.append(f"no {device} device in the profile")
    else:
        kinds = dev["in_kernel_kinds"]
        if kinds.get("ioeventfd") != kicks:
            errors.append(f"{device}: the guest kicked {kicks} times, the profile has "
                          f"{kinds.get('ioeventfd')} ioeventfd kicks")
        if kinds.get("coalesced"):
            errors.append(f"{device}: {kinds['coalesced']} writes called coalesced MMIO")
    if p["kvm_exit_fired"]:
        npf = sum(r["count"] for r in p["exit_reasons"] if r["where"] == "kernel"
                  and r["reason"] == "npf")
        mine = sum(d["count"] for r in p["exit_reasons"] if r["where"] == "kernel"
                   and r["reason"] == "npf" for d in r.get("devices", []) if d["device"] == device)
        if not kicks <= mine <= npf:
            errors.append(f"{device}: {mine} of {npf} npf exits given to the device, "
                          f"want at least its {kicks} kicks")
    return doc_checks.verdict(errors, f"{device}'s {kicks} kicks are its ioeventfd kicks in the kernel")


if __name__ == "__main__":
    sys.exit(main())
