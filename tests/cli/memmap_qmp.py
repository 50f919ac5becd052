#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Attribution source 2 against Debian's stock QEMU (no USDT):
`vmexit-prof memmap` must learn the memory map over QMP and name the
devices of the PCI BARs (as query-pci reports them) and of the legacy
ports.  TCG; exit 77 (skip) without /usr/bin/qemu-system-x86_64.

usage: memmap_qmp.py VMEXIT_PROF
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from vp_qmp import Qmp  # noqa: E402

QEMU = "/usr/bin/qemu-system-x86_64"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def pci_bars(qmp):
    """{(slot, bar): (kind, start, end)} of the assigned BARs."""
    bars = {}
    for bus in qmp.execute("query-pci"):
        for d in bus["devices"]:
            for r in d["regions"]:
                if r["address"] not in (-1, 0):
                    kind = "pio" if r["type"] == "io" else "mmio"
                    bars[(d["slot"], r["bar"])] = (kind, r["address"], r["address"] + r["size"] - 1)
    return bars


def parse_map(text):
    """The range lines of `vmexit-prof memmap`: (space, start, end, region, device)."""
    rows = []
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 6 and f[0] in ("mmio", "pio"):
            rows.append((f[0], int(f[1], 16), int(f[2], 16), f[4], f[5]))
    return rows


def device_at(rows, space, addr):
    for s, start, end, _, dev in rows:
        if s == space and start <= addr <= end:
            return dev
    return None


def main():
    prof = sys.argv[1]
    if not os.access(QEMU, os.X_OK):
        print(f"SKIP: {QEMU} is missing")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        img, sock = os.path.join(tmp, "disk.img"), os.path.join(tmp, "qmp.sock")
        with open(img, "wb") as f:
            f.truncate(1 << 20)
        qemu = subprocess.Popen(
            [QEMU, "-S", "-qmp", f"unix:{sock},server=on,wait=off", "-display", "none",
             "-nodefaults", "-serial", "null", "-machine", "pc", "-accel", "tcg", "-m", "64",
             "-L", "/usr/share/seabios", "-L", "/usr/share/qemu",
             "-drive", f"file={img},if=none,id=d0,format=raw",
             "-device", "virtio-blk-pci,drive=d0,disable-legacy=on,id=vblk0",
             "-device", "e1000,netdev=n0", "-netdev", "hubport,id=n0,hubid=0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            qmp = Qmp(sock, time.monotonic() + 20)
            qmp.execute("cont")
            # SeaBIOS assigns the BARs early in POST; wait for all four.
            deadline = time.monotonic() + 30
            while True:
                bars = pci_bars(qmp)
                have = {k for k in bars if k in ((2, 1), (2, 4), (3, 0), (3, 1))}
                if len(have) == 4:
                    break
                if time.monotonic() > deadline:
                    fail(f"firmware never assigned the BARs: {bars}")
                time.sleep(0.2)
            qmp.close()

            # Found on QEMU's command line, and given explicitly.
            for how in (["--pid", str(qemu.pid)], ["--qmp", sock]):
                out = subprocess.run([prof, "memmap"] + how, capture_output=True, text=True,
                                     timeout=60)
                if out.returncode:
                    fail(f"memmap {how}: status {out.returncode}: {out.stderr}")
                print(f"$ vmexit-prof memmap {' '.join(how)}")
                print(out.stdout)
            rows = parse_map(out.stdout)

            want = {(2, 1): "virtio-blk", (2, 4): "virtio-blk", (3, 0): "e1000", (3, 1): "e1000"}
            for (slot, bar), dev in want.items():
                space, start, end = bars[(slot, bar)]
                inside = [r for r in rows if r[0] == space and start <= r[1] and r[2] <= end]
                if not inside:
                    fail(f"no range in {dev}'s BAR{bar} {start:#x}-{end:#x}")
                for r in inside:
                    if r[4] != dev:
                        fail(f"{r[3]} at {r[1]:#x} in {dev}'s BAR{bar} is called {r[4]}")
                # the first and last byte of the register blocks QEMU maps
                for addr in (start, inside[-1][2]):
                    if device_at(rows, space, addr) != dev:
                        fail(f"{space} {addr:#x} is not {dev}")
                print(f"ok: {dev} BAR{bar} {space} {start:#x}-{end:#x} ({len(inside)} ranges)")
            for port, dev in ((0x1f0, "ide"), (0x1f7, "ide"), (0x3f6, "ide"), (0x3f8, "serial"),
                              (0x3fd, "serial"), (0xcf8, "pci-config"), (0xcfc, "pci-config")):
                got = device_at(rows, "pio", port)
                if got != dev:
                    fail(f"port {port:#x} is {got}, want {dev}")
                print(f"ok: port {port:#x} -> {dev}")
            if device_at(rows, "mmio", 0x80000000) is not None:
                fail("0x80000000 (a hole above 64 MiB of RAM) is mapped")
        finally:
            qemu.kill()
            _, err = qemu.communicate(timeout=30)
            if err.strip():
                print("QEMU:", err.decode(errors="replace").strip())
    # bad input: no socket at all
    out = subprocess.run([prof, "memmap", "--qmp", "/nonexistent/qmp.sock"], capture_output=True,
                         text=True, timeout=30)
    if out.returncode != 2 or "cannot connect" not in out.stderr:
        fail(f"memmap on a missing socket: {out.returncode} {out.stderr}")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
