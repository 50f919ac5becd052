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
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "guest-workloads"))
import vp_qmp  # noqa: E402
import doc_checks  # noqa: E402
import check_run  # noqa: E402

SKIP = 77
DEVICE = {"virtio-blk": "virtio-blk", "virtio-net": "virtio-net"}


def qemu_child(pid):
    """The QEMU that `vmexit-prof run` (pid) started: its child booting the image."""
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        for child in f.read().split():
            with open(f"/proc/{child}/cmdline", "rb") as c:
                if b"-kernel" in c.read().split(b"\0"):
                    return int(child)
    return None


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
    sock, out, run_doc = f"{tmp}/qmp.sock", f"{tmp}/profile.json", f"{tmp}/run.json"
    # The guest runner boots it paused; the profiler finds its own socket on
    # the command line (QEMU's map, for a QEMU without probes); the test
    # starts the guest through another.
    extra = ["--arg=-S", "--arg=-qmp", f"--arg=unix:{tmp}/prof.sock,server=on,wait=off",
             "--arg=-qmp", f"--arg=unix:{sock},server=on,wait=off"]
    cmd = [prof_bin, "run", workload, "--qemu", qemu, "--accel", "kvm", "--guest-dir",
           guest_dir, "--timeout", "600", "--json", run_doc] + extra
    vm = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    prof = None
    try:
        q = vp_qmp.Qmp(sock, time.monotonic() + 60)
        qemu_pid = qemu_child(vm.pid)
        if not qemu_pid:
            print("FAIL: vmexit-prof run started no QEMU")
            return 1
        prof = doc_checks.start_profiler([prof_bin, "--pid", str(qemu_pid), "--interval", "1", "--json", out], 60)
        if not prof:
            return 1
        q.execute("cont")
        q.close()
        vm.wait(timeout=600)
        report, err = prof.communicate(timeout=60)
    finally:
        for p in (vm, prof):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    result = {}
    if os.path.exists(run_doc):
        with open(run_doc) as f:
            result = check_run.fields(json.load(f))
    if result.get("status") != "ok" or vm.returncode or prof.returncode:
        print(f"FAIL: guest {result} or profiler ({prof.returncode}) failed\n{vm.stdout.read()}\n{err}")
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
