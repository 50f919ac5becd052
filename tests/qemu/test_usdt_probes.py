#!/usr/bin/env python3
"""The project's QEMU carries a USDT probe for every catalogued trace event.

Reads the binary's SystemTap SDT notes (readelf -n) and checks each event of
qemu-trace-events/events.catalogue has a probe of provider `qemu` guarded by
a semaphore (so it costs nothing until a tracer attaches), with as many
arguments as the catalogue declares; and that the catalogue's argument lists
are those of the build's own trace-events-all.

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
        m = re.search(r"Provider:\s*(\S+)", line)  # --wide joins it to the note header
        if m:
            cur = {"provider": m.group(1)}
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
        yield device, event, args


def declared(qemu):
    """Event -> argument list, from the trace-events-all the build left beside the binary."""
    here = os.path.dirname(os.path.realpath(qemu))
    for path in (os.path.join(here, "..", "share", "qemu", "trace-events-all"), os.path.join(here, "trace-events-all")):
        if os.path.exists(path):
            out = {}
            for line in open(path):
                m = re.match(r"^(?:disable\s+)?(\w+)\((.*?)\)\s", line)
                if m:
                    out[m.group(1)] = m.group(2)
            return out
    return None


def main():
    qemu, cat = sys.argv[1], sys.argv[2]
    if not qemu or not os.access(qemu, os.X_OK):
        print("skipped: the project's QEMU is not built (configure with -DVP_QEMU=PATH)")
        return SKIP
    have = probes(qemu)
    decl = declared(qemu)
    if decl is None:
        print("FAIL: no trace-events-all beside the binary")
        return 1
    errors = []
    n = 0
    for device, event, args in catalogue(cat):
        n += 1
        nargs = 0 if args.strip() in ("", "void") else args.count(",") + 1
        if decl.get(event) != args:
            errors.append(f"{device}: {event}({args}) is declared as {event}({decl.get(event)})")
            continue
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
