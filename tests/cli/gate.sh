#!/usr/bin/env bash
# vmexit-prof gate against edited copies of the recorded compare document.
# Usage: gate.sh VMEXIT_PROF CASE
set -u
prof=$1 case=$2
data=$(cd "$(dirname "$0")/../data" && pwd)/result-compare.json
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
command -v python3 >/dev/null || { echo "skipped: needs python3"; exit 77; }

# edit OUT 'python statements on d': a copy of the recorded document
edit() {
	python3 - "$data" "$scratch/$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
w = {x["name"]: x for x in d.get("workloads", [])}
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), indent=1)
EOF
}

base=$scratch/B.json cur=$scratch/C.json
cp "$data" "$base"
cp "$data" "$cur"
want_status=2 want_err= want_out=()
case "$case" in
  pass)
    # +4% exits (within 5%), +6% time on a workload whose runs spread 8%
    edit C.json 'w["ide-pio"]["exits_per_op"]["total"] *= 1.04
w["e1000"]["timing"]["spread_pct"] = 8.0
w["e1000"]["timing"]["us_per_op"] *= 1.06'
    args=(--baseline "$base" --current "$cur")
    want_status=0 want_out=('## vmexit-prof gate: PASS' '| e1000 | us_per_op | 201.7 | 213.802 | +6.00% | +8% | 3.12% (3 runs), 8.00% (3 runs) | ok |') ;;
  regression)
    edit C.json 'w["virtio-blk"]["exits_per_op"]["total"] = 2.2
w["virtio-net"]["timing"]["us_per_op"] = 50.0
d["workloads"].remove(w["ide-dma"])'
    args=(--baseline "$base" --current "$cur" --max-increase 5% --markdown "$scratch/summary.md")
    want_status=1
    want_out=('## vmexit-prof gate: REGRESSION' '### Regressions'
              '| virtio-blk | exits_per_op | 1.85 | 2.2 | +18.92% | +5% |'
              '| virtio-net | us_per_op | 44.1 | 50 | +13.38% | +5% |'
              '| ide-dma | (workload) | ok | absent | | |') ;;
  missing-baseline)
    args=(--current "$cur") ; want_err='gate: --baseline FILE is required' ;;
  unreadable)
    args=(--baseline "$scratch/nope.json" --current "$cur")
    want_err="cannot read $scratch/nope.json: No such file or directory" ;;
  malformed)
    head -c 700 "$data" >"$cur"
    args=(--baseline "$base" --current "$cur") ; want_err="$cur:" ;;
  foreign-schema)
    edit C.json 'd["schema"] = "vmexit-prof/1"'
    args=(--baseline "$base" --current "$cur")
    want_err="$cur: schema: \"vmexit-prof/1\" is not vmexit-prof/2" ;;
  wrong-type)
    edit B.json 'd["workloads"][2]["timing"]["us_per_op"] = "416"'
    args=(--baseline "$base" --current "$cur")
    want_err="$base: workloads[2].timing.us_per_op: expected a number or null, got a string" ;;
  unknown-metric)
    args=(--baseline "$base" --current "$cur" --metric us_per_op,exits)
    want_err="unknown metric 'exits' for --metric (known: exits_per_op, user_exits_per_op, kernel_exits_per_op, interrupts_per_op, us_per_op, host_ns_per_op)" ;;
  bad-max-increase)
    args=(--baseline "$base" --current "$cur" --max-increase -5%)
    want_err="invalid value '-5%' for --max-increase" ;;
  no-workloads)
    edit C.json 'del d["workloads"]; del d["speedups"]
d["profile"] = json.load(open(sys.argv[1][:-len("compare.json")] + "profile.json"))["profile"]'
    args=(--baseline "$base" --current "$cur")
    want_err="$cur: workloads: missing" ;;
  *) echo "unknown case $case"; exit 1 ;;
esac

"$prof" gate "${args[@]}" >"$scratch/out" 2>"$scratch/err"
status=$?

fail=0
[ "$status" = "$want_status" ] || { echo "FAIL: exit status $status, want $want_status"; fail=1; }
if [ "$want_status" = 2 ]; then
	[ "$(wc -l <"$scratch/err")" = 1 ] || { echo "FAIL: stderr is not one line:"; cat "$scratch/err"; fail=1; }
	grep -qF -- "vmexit-prof: error: $want_err" "$scratch/err" ||
		{ echo "FAIL: stderr lacks '$want_err':"; cat "$scratch/err"; fail=1; }
	[ ! -s "$scratch/out" ] || { echo "FAIL: wrote to stdout:"; cat "$scratch/out"; fail=1; }
else
	[ ! -s "$scratch/err" ] || { echo "FAIL: wrote to stderr:"; cat "$scratch/err"; fail=1; }
	for line in "${want_out[@]}"; do
		grep -qxF -- "$line" "$scratch/out" || { echo "FAIL: stdout lacks line '$line'"; fail=1; }
	done
	if [ "$case" = regression ]; then
		cmp -s "$scratch/out" "$scratch/summary.md" || { echo "FAIL: --markdown file differs from stdout"; fail=1; }
		ls "$scratch"/summary.md.tmp.* 2>/dev/null && { echo "FAIL: temporary file left"; fail=1; }
	fi
	[ $fail = 0 ] || cat "$scratch/out"
fi
[ $fail = 0 ] && echo "ok: $case -> exit $status $(head -n1 "$scratch/err")"
exit $fail
