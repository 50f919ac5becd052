#!/usr/bin/env python3
"""QEMU's default display, and the regions only QEMU names, on KVM.

A pc machine with QEMU's default devices (std-VGA, floppy controller,
parallel port) boots SeaBIOS, whose VGA BIOS programs the VGA and VBE ports
and clears the text window, then the selftest workload.  vmexit-prof --pid,
attached before the first instruction, must give every access that QEMU's
own memory map places in one of its regions to a device: std-VGA's to
`vga`, those of regions the device table does not know to QEMU's name for
them, never to `unknown`.  The byte-at-a-time writes to the VGA window must
fit the kernel's tables (one key per page): nothing lost, no row folded,
and the document's tables add up.

usage: std_vga.py VMEXIT_PROF QEMU SELFTEST_ELF
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vp_qmp  # noqa: E402
import doc_checks  # noqa: E402
from doc_checks import kvm_usable, table_sums  # noqa: E402

SKIP = 77
VGA_REGIONS = {"vga-lowmem", "vga", "vbe"}
RANGE = re.compile(r"^\s*([0-9a-f]+)-([0-9a-f]+) \(prio -?\d+, ([a-z/]+)\): ([^@]+?)(?: @[0-9a-f]+)?\s*$")


def flat_views(mtree):
    """QEMU's map: (space, start, end, kind, name) of every non-RAM range."""
    out, space = [], None
    for line in mtree.splitlines():
        if line.startswith(" AS "):
            space = "mmio" if '"memory"' in line else "pio" if '"I/O"' in line else None
            continue
        m = RANGE.match(line)
        if space and m and m.group(3) != "ram":
            out.append((space, int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4)))
    return out


def region_of(ranges, kind, addr):
    space = "pio" if kind == "pio" else "mmio"
    for r in ranges:
        if r[0] == space and r[1] <= addr <= r[2]:
            return r
    return None


def main():
    prof_bin, qemu, elf = sys.argv[1:4]
    if not kvm_usable():
        if os.environ.get("VMEXIT_PROF_LAB"):
            print("FAIL: /dev/kvm is not usable inside the lab")
            return 1
        print("skipped: /dev/kvm is not usable on this host")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="vp-std-vga-", dir="/tmp")
    prof_sock, test_sock = f"{tmp}/prof.qmp", f"{tmp}/test.qmp"
    serial, out = f"{tmp}/serial.log", f"{tmp}/profile.json"
    vm = subprocess.Popen([qemu, "-machine", "pc", "-m", "64", "-display", "none", "-nic", "none",
                           "-accel", "kvm", "-cpu", "host", "-no-reboot", "-serial", f"file:{serial}",
                           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                           "-kernel", elf, "-append", "ops=16",
                           "-L", "/usr/share/seabios", "-L", "/usr/share/qemu", "-S",
                           "-qmp", f"unix:{prof_sock},server=on,wait=off",
                           "-qmp", f"unix:{test_sock},server=on,wait=off"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    prof = None
    try:
        q = vp_qmp.Qmp(test_sock, time.monotonic() + 60)
        ranges = flat_views(q.execute("human-monitor-command", **{"command-line": "info mtree -f"}))
        prof = doc_checks.start_profiler([prof_bin, "--pid", str(vm.pid), "--qmp", prof_sock, "--interval", "1", "--json", out], 60)
        if not prof:
            return 1
        q.execute("cont")
        # The firmware assigns the PCI BARs (std-VGA's MMIO registers among
        # them) after the start: QEMU's map is every range it ever showed.
        end = time.time() + 400
        while vm.poll() is None and time.time() < end:
            try:
                for r in flat_views(q.execute("human-monitor-command", **{"command-line": "info mtree -f"})):
                    if r not in ranges:
                        ranges.append(r)
            except (vp_qmp.QmpError, OSError, ValueError):
                break  # QEMU is exiting
            time.sleep(0.2)
        try:
            q.close()
        except OSError:
            pass  # QEMU exited: its end of the socket is gone
        vm.wait(timeout=max(1, end - time.time()))
        report, err = prof.communicate(timeout=60)
    finally:
        if vm.poll() is None:
            vm.kill()
            vm.wait()
        if prof and prof.poll() is None:
            prof.kill()
            prof.wait()
    with open(serial, errors="replace") as f:
        guest = f.read()
    if "VMEXIT-RESULT" not in guest or prof.returncode:
        print(f"FAIL: guest or profiler failed (qemu {vm.returncode}, vmexit-prof {prof.returncode})\n"
              f"{vm.stdout.read()}\n{guest[-2000:]}\n{err}")
        return 1
    with open(out) as f:
        doc = json.load(f)
    p = doc["profile"]
    print(report)
    back = subprocess.run([prof_bin, "report", out], capture_output=True, text=True)
    if back.returncode:
        print("FAIL: vmexit-prof report refuses the profile it wrote:", back.stderr.strip())
        return 1

    devices = {d["device"]: d for d in p["devices"]}
    bad, seen_vga, seen_named = [], 0, set()
    lost = doc["meta"]["lost"]
    folded = [a for a in p["accesses"] + p["exit_reasons"] + p["other"] if a.get("folded")]
    window = [a for a in p["accesses"] if a["kind"] == "mmio" and a["address"] is not None
              and 0xa0000 <= a["address"] < 0xc0000]
    print(f"rows: {len(p['accesses'])} accesses ({len(window)} in the VGA window), "
          f"{len(p['exit_reasons'])} exit reasons, {len(p['other'])} other; lost {lost}")
    if any(lost.values()):
        bad.append(f"events lost or folded: {lost}")
    if folded:
        bad.append(f"{len(folded)} rows folded: the kernel's table was full")
    unpaged = [a["address"] for a in window if a["address"] % 4096]
    if unpaged:
        bad.append(f"{len(unpaged)} VGA window rows not keyed per page, e.g. "
                   + ", ".join(f"{x:#x}" for x in unpaged[:4]))
    bad += table_sums(doc)
    for a in p["accesses"]:
        if a["address"] is None:
            continue  # the folded row, reported above
        n = max(a["count"], a["to_user"])
        r = region_of(ranges, a["kind"], a["address"])
        if not r:
            continue  # QEMU maps nothing there: nobody can name it
        where = f'{a["kind"]} {a["address"]:#x} ({r[4]}, {n} accesses)'
        if r[4] in VGA_REGIONS:
            seen_vga += n
            if a["device"] != "vga":
                bad.append(f"{where}: device {a['device']}, not vga")
        elif a["device"] == "unknown":
            bad.append(f"{where}: QEMU names it {r[4]!r}, the report says unknown")
        elif devices[a["device"]]["class"] == "unknown":
            seen_named.add(a["device"])
    if not seen_vga:
        bad.append("no access to std-VGA's regions seen: the VGA BIOS ran without exits?")
    vga = devices.get("vga", {})
    print(f"std-VGA: {seen_vga} accesses ({vga.get('to_user')} to QEMU, in the kernel "
          f"{vga.get('in_kernel_kinds')}); regions named by QEMU alone: {sorted(seen_named) or 'none'}")
    for b in bad:
        print("FAIL:", b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
