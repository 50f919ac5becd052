#!/usr/bin/env bash
# Golden test of `vmexit-prof report`: renders tests/data/result-NAME.json
# and compares the output, byte for byte, with the expected file here:
#   text   NAME.txt        the terminal report, no colour
#   color  NAME-color.txt  the same with colour forced (ANSI escapes)
#   json   NAME.json       the document re-written by --json (normalized);
#                          its own text report must also equal NAME.txt
#   metrics      NAME.prom       the metrics written by --metrics (Prometheus
#                                text 0.0.4), which promtool must accept
#   openmetrics  NAME.om         the same in OpenMetrics 1.0.0
# Usage: check_golden.sh VMEXIT_PROF NAME [text|color|json|metrics|openmetrics]
# After a deliberate change of the output, regenerate and review the diff:
#   VP_UPDATE_GOLDEN=1 tests/golden/check_golden.sh build/collector/vmexit-prof profile text
# (or VP_UPDATE_GOLDEN=1 ctest -R golden/ to regenerate them all).
set -u
prof=$1 name=$2 kind=${3:-text}
here=$(cd "$(dirname "$0")" && pwd)
input=$here/../data/result-$name.json
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

run() { # run ARGS...: the report on stdout into $scratch/out; fails on any complaint
	"$prof" report "$@" >"$scratch/out" 2>"$scratch/err"
	local status=$?
	if [ "$status" != 0 ] || [ -s "$scratch/err" ]; then
		echo "FAIL: vmexit-prof report $* exited $status:"
		cat "$scratch/err"
		exit 1
	fi
}

case "$kind" in
  text)  golden=$here/$name.txt;       run "$input" --color never;  cp "$scratch/out" "$scratch/got" ;;
  color) golden=$here/$name-color.txt; run "$input" --color always; cp "$scratch/out" "$scratch/got" ;;
  json)
    golden=$here/$name.json
    run "$input" --json "$scratch/got" --color never
    # what --json writes must read back as the same report
    cp "$scratch/out" "$scratch/first"
    run "$scratch/got" --color never
    if ! cmp -s "$scratch/first" "$scratch/out"; then
      echo "FAIL: the re-written document does not render like the original:"
      diff -u "$scratch/first" "$scratch/out"
      exit 1
    fi ;;
  metrics)
    golden=$here/$name.prom
    run "$input" --metrics "$scratch/got" --color never
    if command -v promtool >/dev/null; then
      # lint complaints (a counter without _total...) are printed, and fail it
      if ! promtool check metrics <"$scratch/got" >"$scratch/lint" 2>&1; then
        echo "FAIL: promtool check metrics refuses the output:"
        cat "$scratch/lint"
        exit 1
      fi
    fi ;;
  openmetrics)
    golden=$here/$name.om
    run "$input" --metrics "$scratch/got" --metrics-format openmetrics --color never
    [ "$(tail -n1 "$scratch/got")" = "# EOF" ] || { echo "FAIL: the exposition does not end in # EOF"; exit 1; } ;;
  *) echo "unknown kind $kind"; exit 1 ;;
esac

if [ -n "${VP_UPDATE_GOLDEN:-}" ]; then
  cp "$scratch/got" "$golden"
  echo "updated $golden"
  exit 0
fi
if [ ! -f "$golden" ]; then
  echo "FAIL: no golden file $golden (create it with VP_UPDATE_GOLDEN=1)"
  exit 1
fi
if ! cmp -s "$golden" "$scratch/got"; then
  echo "FAIL: output differs from $golden (- expected, + got);"
  echo "if the change is intended: VP_UPDATE_GOLDEN=1 $0 $*"
  diff -u "$golden" "$scratch/got" | cat -v
  exit 1
fi
echo "ok: $golden"
