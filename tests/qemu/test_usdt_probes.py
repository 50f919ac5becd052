#!/usr/bin/env python3
"""The project's QEMU carries a USDT probe for every catalogued trace event.

Reads the binary's SystemTap SDT notes (readelf -n) and checks each event of
qemu-trace-events/events.catalogue has a probe of provider `qemu` guarded by
a semaphore (so it costs nothing until a tracer attaches), with as many
arguments as the catalogue declares.

usage: test_usdt_probes.py QEMU CATALOGUE   (exit 77 when QEMU is not built)
"""
import os
import re
import subprocess
import sys

SKIP = 77


def probes(binary):
    out = subprocess.run(["readelf", "-n", "--wide", binary], capture_output=True, text=True, check=True).stdout
    found, cur = {}, {}
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Provider:"):
            cur = {"provider": line.split(":", 1)[1].strip()}
        elif line.startswith("Name:") and cur:
            cur["name"] = line.split(":", 1)[1].strip()
        elif line.startswith("Location:") and cur:
            m = re.search(r"Semaphore:\s*(0x[0-9a-f]+)", line)
            cur["semaphore"] = int(m.group(1), 16) if m else 0
        elif line.startswith("Arguments:") and cur:
            args = line.split(":", 1)[1].strip()
            cur["nargs"] = len(args.split()) if args else 0
            if cur.get("provider") == "qemu":
                found[cur["name"]] = cur
            cur = {}
    return found


def catalogue(path):
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        device, role, event, args = line.rstrip("\n").split("\t")
        yield device, event, 0 if args.strip() in ("", "void") else args.count(",") + 1


def main():
    qemu, cat = sys.argv[1], sys.argv[2]
    if not qemu or not os.access(qemu, os.X_OK):
        print("skipped: the project's QEMU is not built (configure with -DVP_QEMU=PATH)")
        return SKIP
    have = probes(qemu)
    errors = []
    n = 0
    for device, event, nargs in catalogue(cat):
        n += 1
        p = have.get(event)
        if not p:
            errors.append(f"{device}: no USDT probe qemu:{event}")
        elif not p["semaphore"]:
            errors.append(f"{device}: qemu:{event} has no semaphore")
        elif p["nargs"] != nargs:
            errors.append(f"{device}: qemu:{event} has {p['nargs']} arguments, catalogue says {nargs}")
    for e in errors:
        print("FAIL:", e)
    print(f"{n - len(errors)}/{n} catalogued events have a USDT probe ({len(have)} qemu probes in all)")
    return 1 if errors or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
