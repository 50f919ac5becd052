#!/usr/bin/env bash
# `vmexit-prof report` on bad input: exit status 2, one line on stderr
# naming the problem, nothing on stdout, and no output file left behind
# (not even a temporary one).  Usage: report_bad_input.sh VMEXIT_PROF CASE
set -u
prof=$1 case=$2
here=$(cd "$(dirname "$0")" && pwd)
good=$here/../data/result-profile.json
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
out=$scratch/out.json

case "$case" in
  missing-file)   args=("$scratch/nope.json" --json "$out") ;  want="nope.json" ;;
  malformed-json) printf '{"schema": "vmexit-prof/2", "meta": {' >"$scratch/bad.json"
                  args=("$scratch/bad.json" --json "$out") ;    want="bad.json" ;;
  wrong-schema)   printf '{"schema": "vmexit-prof/1", "rows": []}' >"$scratch/old.json"
                  args=("$scratch/old.json" --json "$out") ;    want="schema" ;;
  unknown-option) args=("$good" --frobnicate) ;                 want="unknown option --frobnicate" ;;
  no-file)        args=(--color never) ;                        want="FILE.json is required" ;;
  two-files)      args=("$good" "$good") ;                      want="unexpected argument" ;;
  bad-color)      args=("$good" --color sometimes) ;            want="invalid value 'sometimes' for --color" ;;
  unwritable-out) args=("$good" --json /nonexistent-dir/out.json) ; want="cannot write /nonexistent-dir/out.json" ;;
  unwritable-html) args=("$good" --html /nonexistent-dir/out.html) ; want="cannot write /nonexistent-dir/out.html" ;;
  bad-input-html) printf '[]' >"$scratch/arr.json"
                  args=("$scratch/arr.json" --html "$scratch/out.json.html") ; want="arr.json" ;;
  unwritable-metrics) args=("$good" --metrics /nonexistent-dir/out.prom) ; want="cannot write /nonexistent-dir/out.prom" ;;
  metrics-compare) args=("$here/../data/result-compare.json" --metrics "$scratch/out.json.prom") ; want="only a profile (--pid) document has metrics" ;;
  bad-metrics-format) args=("$good" --metrics "$scratch/out.json.prom" --metrics-format json) ; want="invalid value 'json' for --metrics-format" ;;
  *) echo "unknown case $case"; exit 1 ;;
esac

"$prof" report "${args[@]}" >"$scratch/stdout" 2>"$scratch/stderr"
status=$?
fail=0
[ "$status" = 2 ] || { echo "FAIL: exit status $status, want 2"; fail=1; }
[ ! -s "$scratch/stdout" ] || { echo "FAIL: stdout is not empty:"; head -5 "$scratch/stdout"; fail=1; }
[ "$(wc -l <"$scratch/stderr")" = 1 ] || { echo "FAIL: stderr is not one line:"; cat "$scratch/stderr"; fail=1; }
grep -qF -- "$want" "$scratch/stderr" || { echo "FAIL: stderr lacks '$want':"; cat "$scratch/stderr"; fail=1; }
leftover=$(find "$scratch" -name 'out.json*')
[ -z "$leftover" ] || { echo "FAIL: output file left behind: $leftover"; fail=1; }
[ "$fail" = 0 ] && echo "ok: $(cat "$scratch/stderr")"
exit "$fail"
