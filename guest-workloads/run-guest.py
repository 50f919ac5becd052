#!/usr/bin/env python3
"""Boot one bare-metal guest workload under QEMU and report its result line.

    run-guest.py [--qemu PATH] [--accel auto|kvm|tcg] [--device SPEC]...
                 [--workload NAME [--table PATH]] [--append "key=value ..."]
                 [--timeout SEC] [--expect STATUS] [--expect-field KEY=VALUE]...
                 [--verbose] WORKLOAD.elf

With --workload the QEMU arguments, scratch disk and default parameters come
from workloads.json (the table vmexit-prof run reads too); --device, --arg
and --disk add to them, --append replaces the defaults.

Prints the guest's VMEXIT-RESULT line.  Exit status: without --expect, the
guest's status code (0 ok, 1 fail, 2 bad-param, 3 no-device, 4 timeout,
5 exception, 6 boot-error); with --expect, 0 when the status (and every
--expect-field) matches and 1 otherwise.  Either way 124 when QEMU had to be
killed after the timeout, 125 when it produced no result line or its exit
code contradicts the line, and 77 (skip) when no usable QEMU was given.
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import sys

RESULT_TAG = "VMEXIT-RESULT"
STATUS_CODES = {"ok": 0, "fail": 1, "bad-param": 2, "no-device": 3,
                "timeout": 4, "exception": 5, "boot-error": 6}
DEBUG_EXIT = "isa-debug-exit,iobase=0xf4,iosize=0x04"
FIRMWARE_DIRS = ("/usr/share/seabios", "/usr/share/qemu")
EXIT_SKIP, EXIT_TIMEOUT, EXIT_BROKEN = 77, 124, 125
DEFAULT_TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads.json")


def load_workload(name, table=DEFAULT_TABLE):
    """The table's entry for workload `name`; ValueError naming the known ones."""
    with open(table) as f:
        workloads = json.load(f)["workloads"]
    if name not in workloads:
        raise ValueError("unknown workload %r (known: %s)" % (name, ", ".join(workloads)))
    return workloads[name]


def kvm_usable():
    """True when /dev/kvm opens read-write, as QEMU will need it."""
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC))
        return True
    except OSError:
        return False


def qemu_command(qemu, kernel, accel="auto", devices=(), append="", extra=()):
    if accel == "auto":
        accel = "kvm" if kvm_usable() else "tcg"
    cmd = [qemu, "-machine", "pc", "-m", "64", "-display", "none", "-nodefaults",
           "-serial", "stdio", "-no-reboot", "-device", DEBUG_EXIT,
           "-kernel", kernel, "-append", append]
    for d in FIRMWARE_DIRS:
        if os.path.isdir(d):
            cmd += ["-L", d]
    for d in devices:
        cmd += ["-device", d]
    cmd += list(extra)
    cmd += ["-accel", accel]
    if accel == "kvm":
        cmd += ["-cpu", "host"]
    return cmd


def parse_result(text):
    """The last result line as a dict of its key=value fields, or None."""
    result = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(RESULT_TAG + " "):
            fields = {}
            for word in line.split()[1:]:
                key, sep, value = word.partition("=")
                if sep:
                    fields[key] = value
            result = fields
    return result


def boot(kernel, qemu="qemu-system-x86_64", accel="auto", devices=(), append="",
         timeout=120, extra=(), disk_mib=0):
    """Runs the guest. Returns (result dict or None, serial text, problem or None).

    `extra` are raw QEMU arguments; with disk_mib > 0 a zero-filled raw
    scratch disk of that size is made for the run and "{disk}" in `extra`
    names it."""
    scratch = None
    if disk_mib:
        scratch = tempfile.mkdtemp(prefix="vp-guest-")
        disk = os.path.join(scratch, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(disk_mib << 20)
        extra = [a.replace("{disk}", disk) for a in extra]
    try:
        return run(qemu_command(qemu, kernel, accel, devices, append, extra), timeout)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def run(cmd, timeout):
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        text = out.decode("utf-8", "replace")
        return parse_result(text), text, "timeout: QEMU still running after %ss" % timeout
    text = out.decode("utf-8", "replace")
    result = parse_result(text)
    if result is None:
        return None, text, "no %s line (QEMU exit code %d)" % (RESULT_TAG, proc.returncode)
    code = STATUS_CODES.get(result.get("status"))
    if code is None:
        return result, text, "unknown status %r" % result.get("status")
    # isa-debug-exit makes QEMU exit with (code << 1) | 1.
    if proc.returncode != (code << 1) | 1:
        return result, text, ("QEMU exit code %d does not match status=%s (want %d)"
                              % (proc.returncode, result["status"], (code << 1) | 1))
    return result, text, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kernel", help="a workload's multiboot ELF (NAME.elf)")
    ap.add_argument("--qemu", default="qemu-system-x86_64",
                    help="QEMU binary; empty: skip (exit 77)")
    ap.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto",
                    help="auto: kvm where /dev/kvm opens, else tcg")
    ap.add_argument("--device", action="append", default=[],
                    help="extra -device option (repeatable)")
    ap.add_argument("--append", help='guest parameters, e.g. "ops=100 batch=8"')
    ap.add_argument("--arg", action="append", default=[],
                    help='a raw QEMU argument (repeatable); "{disk}" names the scratch disk')
    ap.add_argument("--disk", type=int, default=0, metavar="MIB",
                    help="make a zero-filled raw scratch disk of MIB MiB for the run")
    ap.add_argument("--timeout", type=float, default=120, help="seconds before QEMU is killed")
    ap.add_argument("--expect", choices=sorted(STATUS_CODES),
                    help="required status; exit 0 if it matches, 1 if not")
    ap.add_argument("--expect-field", action="append", default=[], metavar="KEY=VALUE",
                    help="required result field (repeatable; implies --expect ok if none)")
    ap.add_argument("--workload", metavar="NAME",
                    help="take QEMU arguments, disk and default --append from the table")
    ap.add_argument("--table", default=DEFAULT_TABLE, help="workload table (default: %(default)s)")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo the serial console")
    args = ap.parse_args()
    if args.workload:
        try:
            w = load_workload(args.workload, args.table)
        except (OSError, ValueError, KeyError) as e:
            print("error: %s" % e, file=sys.stderr)
            return EXIT_BROKEN
        # Table first, explicit options after (QEMU takes the later of two
        # conflicting properties); --append is one string, so it replaces.
        args.arg = list(w["args"]) + args.arg
        args.disk = max(args.disk, w["disk_mib"])
        if args.append is None:
            args.append = w["defaults"]
    if args.append is None:
        args.append = ""

    if not args.qemu:
        print("skip: no QEMU given (the project's build is needed; set VP_QEMU)")
        return EXIT_SKIP
    qemu = shutil.which(args.qemu)
    if not qemu:
        print("skip: QEMU %r not found (install qemu-system-x86)" % args.qemu)
        return EXIT_SKIP
    if not os.path.isfile(args.kernel):
        print("error: no workload image %s" % args.kernel, file=sys.stderr)
        return EXIT_BROKEN
    if args.expect_field and not args.expect:
        args.expect = "ok"

    result, text, problem = boot(args.kernel, qemu, args.accel, args.device,
                                 args.append, args.timeout, args.arg, args.disk)
    if args.verbose or problem or (args.expect and result
                                   and result.get("status") != args.expect):
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    else:
        # The guest's own reasons, even when the status was expected.
        for line in text.splitlines():
            if line.startswith(("error:", "FAIL:")):
                print(line)
    if result is not None:
        line = " ".join("%s=%s" % kv for kv in result.items())
        print("%s %s" % (RESULT_TAG, line))
    if problem:
        print("error: %s" % problem, file=sys.stderr)
        return EXIT_TIMEOUT if problem.startswith("timeout") else EXIT_BROKEN
    if not args.expect:
        return STATUS_CODES[result["status"]]
    wrong = []
    if result["status"] != args.expect:
        wrong.append("status=%s, want %s" % (result["status"], args.expect))
    for want in args.expect_field:
        key, _, value = want.partition("=")
        if result.get(key) != value:
            wrong.append("%s=%s, want %s" % (key, result.get(key), value))
    for w in wrong:
        print("mismatch: %s" % w, file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
