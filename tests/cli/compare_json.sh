#!/usr/bin/env bash
# `vmexit-prof run --compare stopwatch-mmio,stopwatch-pv --repeat 3 --json F`
# under TCG: F is a vmexit-prof/2 document that `vmexit-prof report` accepts,
# with both workloads (ok, QEMU's counts equal to the guest's, the doorbell
# write counted as served outside QEMU's dispatch, the ring's interrupts),
# three timing runs each and one speedup; the text says there are no VM exits.
# Usage: compare_json.sh VMEXIT_PROF VP_QEMU
set -u
prof=$1 qemu=${2:-}
. "$(dirname "$0")/usdt_env.sh"
vp_need_usdt_qemu "$qemu"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

(cd "$scratch" && TMPDIR="$scratch" timeout 600 "$prof" run --compare stopwatch-mmio,stopwatch-pv \
  --qemu "$qemu" --accel tcg --repeat 3 --json "$scratch/cmp.json") >"$scratch/out" 2>"$scratch/err"
status=$?
fail=0
[ "$status" = 0 ] || { echo "FAIL: exit status $status, want 0"; fail=1; }
grep -q "no VM exits" "$scratch/out" || { echo "FAIL: no TCG note"; fail=1; }
grep -q "stopwatch-pv" "$scratch/out" || { echo "FAIL: no workload table"; fail=1; }
"$prof" report "$scratch/cmp.json" >/dev/null 2>"$scratch/report.err" ||
  { echo "FAIL: vmexit-prof report refuses the document: $(cat "$scratch/report.err")"; fail=1; }
python3 - "$scratch/cmp.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "vmexit-prof/2", d["schema"]
m = d["meta"]
assert m["command"] == "compare" and m["accelerator"] == "tcg" and m["vm_exits_measured"] is False, m
assert m["attribution"]["source"] == "qemu-usdt" and m["qemu"]["usdt"] is True, m
assert m["qemu"]["version"].startswith("7.2"), m["qemu"]
w = {x["name"]: x for x in d["workloads"]}
assert set(w) == {"stopwatch-mmio", "stopwatch-pv"}, set(w)
for x in w.values():
    assert x["status"] == "ok" and x["device"] == "stopwatch" and x["ran"], x
    acc = x["accesses"]
    assert acc["qemu"]["reads"] == acc["guest"]["reads"], x
    t = x["timing"]
    assert len(t["runs_us_per_op"]) == 3 and t["us_per_op"] > 0, t
    assert t["min"] <= t["us_per_op"] <= t["max"] and t["spread_pct"] >= 0, t
    assert x["in_kernel"]["source"] == "derived", x
    assert x["host_ns_per_op"] == {"kernel": None, "qemu": None}, x
    to_user = (acc["qemu"]["reads"] + acc["qemu"]["writes"]) / x["ops"]
    assert abs(x["exits_per_op"]["to_user"] - to_user) < 1e-9, x
mm, pv = w["stopwatch-mmio"], w["stopwatch-pv"]
assert mm["accesses"]["qemu"]["writes"] == mm["accesses"]["guest"]["writes"], mm
assert mm["exits_per_op"]["in_kernel"] == 0, mm
# the doorbell is an ioeventfd only under KVM: here QEMU dispatches it
assert pv["in_kernel"]["ioeventfd"] == pv["accesses"]["guest"]["writes"] - pv["accesses"]["qemu"]["writes"] == 0, pv
assert pv["exits_per_op"]["total"] < mm["exits_per_op"]["total"] / 10, (pv["exits_per_op"], mm["exits_per_op"])
# the guests poll: the stopwatch raises no interrupt for them
assert pv["interrupts"]["count"] == 0 and mm["interrupts"]["count"] == 0, (pv, mm)
s = d["speedups"]
assert len(s) == 1 and s[0]["paravirtual"] == "stopwatch-pv" and s[0]["emulated"] == "stopwatch-mmio", s
assert s[0]["ratio"] > 0 and s[0]["exits_ratio"] > 10, s
print("ok: compare document, speedup %.2fx time, %.1fx exits" % (s[0]["ratio"], s[0]["exits_ratio"]))
PY
[ -z "$(ls "$scratch" | grep -v -e '^cmp.json$' -e '^out$' -e '^err$' -e '^report.err$')" ] ||
  { echo "FAIL: scratch files left: $(ls "$scratch")"; fail=1; }
[ $fail = 0 ] || { echo "--- stdout"; cat "$scratch/out"; echo "--- stderr"; cat "$scratch/err"; }
exit $fail
