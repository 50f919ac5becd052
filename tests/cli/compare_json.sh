#!/usr/bin/env bash
# `vmexit-prof run --compare stopwatch-mmio,stopwatch-pv --json F` under TCG:
# F parses as vmexit-prof-compare/1 with both workloads (ok, QEMU's counts
# equal to the guest's) and one speedup entry; the text says VM exits are
# not measured.
# Usage: compare_json.sh VMEXIT_PROF VP_QEMU
set -u
prof=$1 qemu=${2:-}
[ -n "$qemu" ] || { echo "skipped: configured without VP_QEMU (qemu-trace-events/build-qemu.sh)"; exit 77; }
[ -x "$qemu" ] || { echo "skipped: no $qemu"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "skipped: loading BPF programs needs root"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

(cd "$scratch" && TMPDIR="$scratch" timeout 600 "$prof" run --compare stopwatch-mmio,stopwatch-pv \
  --qemu "$qemu" --accel tcg --json "$scratch/cmp.json") >"$scratch/out" 2>"$scratch/err"
status=$?
fail=0
[ "$status" = 0 ] || { echo "FAIL: exit status $status, want 0"; fail=1; }
grep -q "VM exits are not measured" "$scratch/out" || { echo "FAIL: no TCG note"; fail=1; }
python3 - "$scratch/cmp.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "vmexit-prof-compare/1", d["schema"]
assert d["accel"] == "tcg" and d["vm_exits_measured"] is False
w = {x["name"]: x for x in d["workloads"]}
assert set(w) == {"stopwatch-mmio", "stopwatch-pv"}, set(w)
for x in w.values():
    assert x["status"] == "ok" and x["device"] == "stopwatch", x
    assert x["qemu_accesses"]["reads"] == x["guest_accesses"]["reads"], x
    assert x["qemu_accesses"]["writes"] == x["guest_accesses"]["writes"], x
    assert x["us_per_op"] is not None and x["us_per_op"] > 0, x
s = d["speedups"]
assert len(s) == 1 and s[0]["paravirtual"] == "stopwatch-pv" and s[0]["emulated"] == "stopwatch-mmio", s
assert s[0]["ratio"] > 0, s
print("ok: compare JSON, speedup %.2f" % s[0]["ratio"])
PY
[ -z "$(ls "$scratch" | grep -v -e '^cmp.json$' -e '^out$' -e '^err$')" ] ||
  { echo "FAIL: scratch files left: $(ls "$scratch")"; fail=1; }
[ $fail = 0 ] || { echo "--- stdout"; cat "$scratch/out"; echo "--- stderr"; cat "$scratch/err"; }
exit $fail
