#!/usr/bin/env python3
"""Boot one guest workload through `vmexit-prof run` and check its result.

    check_run.py VMEXIT_PROF QEMU EXPECT [--expect-field KEY=VALUE]... [RUN OPTIONS...]

Runs `VMEXIT_PROF run --qemu QEMU --json DOC RUN OPTIONS...` (a WORKLOAD of
workloads.json, or --elf IMAGE, with --append, --device, --arg, --disk as
`vmexit-prof run --help` says) and reads the run document it writes
(reports/doc/SCHEMA.md, "run").  Passes when the run itself did not fail
(no timeout, QEMU's exit code agrees with the guest's line), the guest's
status is EXPECT and every --expect-field matches the result line's field
as printed.

Exit status 0 pass, 1 fail, 77 skip (no QEMU given, as when VP_QEMU is
empty, or none found).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

EXIT_SKIP = 77


def run_document(prof, qemu, args, timeout=300):
    """Runs `prof run --qemu qemu args` with --json.  Returns (document or
    None, exit status, stdout, stderr)."""
    with tempfile.TemporaryDirectory(prefix="vp-run-") as tmp:
        path = os.path.join(tmp, "run.json")
        proc = subprocess.run([prof, "run", "--qemu", qemu, "--json", path] + list(args),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace", timeout=timeout)
        doc = None
        if os.path.exists(path):
            with open(path) as f:
                doc = json.load(f)
    return doc, proc.returncode, proc.stdout, proc.stderr


def fields(doc):
    """The guest's result line as {key: value as printed}; {} without one."""
    g = doc["run"]["guest"]
    if not g:
        return {}
    out = {"workload": g["workload"], "status": g["status"]}
    out.update((k, str(v)) for k, v in g["counts"].items())
    out.update((e["key"], e["value"]) for e in g["extra"])
    return out


def find_qemu(qemu):
    """The QEMU binary, or None after printing why the test is skipped."""
    if not qemu:
        print("skip: no QEMU given (the project's build is needed; set VP_QEMU)")
        return None
    found = shutil.which(qemu)
    if not found:
        print("skip: QEMU %r not found (install qemu-system-x86)" % qemu)
    return found


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    prof, qemu, expect = argv[:3]
    want, args, rest = [], [], iter(argv[3:])
    for a in rest:
        if a == "--expect-field":
            want.append(next(rest, ""))
        elif a.startswith("--expect-field="):
            want.append(a.split("=", 1)[1])
        else:
            args.append(a)
    qemu = find_qemu(qemu)
    if not qemu:
        return EXIT_SKIP
    doc, status, out, err = run_document(prof, qemu, args)
    sys.stdout.write(out)
    sys.stdout.write(err)
    if doc is None:
        print("FAIL: vmexit-prof run wrote no document (exit status %d)" % status)
        return 1
    run = doc["run"]
    if run.get("error"):
        print("FAIL: the run failed: %s" % run["error"])
        return 1
    got = fields(doc)
    wrong = []
    if run["status"] != expect:
        wrong.append("status=%s, want %s" % (run["status"], expect))
    for w in want:
        key, _, value = w.partition("=")
        if got.get(key) != value:
            wrong.append("%s=%s, want %s" % (key, got.get(key), value))
    # vmexit-prof's own status says the same: 0 exactly for status=ok.
    if (status == 0) != (run["status"] == "ok"):
        wrong.append("exit status %d for status=%s" % (status, run["status"]))
    for w in wrong:
        print("mismatch: %s" % w)
    if run["guest"]:
        print(run["guest"]["line"])
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
