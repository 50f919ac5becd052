#!/usr/bin/env bash
# The main job until the bundled guest workloads exist: runs the test VMM's
# guest under vmexit-prof and writes the report (text and JSON) to out/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
out=${OUT_DIR:-$top/out}

"$top/scripts/setup-deps.sh"
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target vmexit-prof vmexit-test-vmm
mkdir -p "$out"

vmm_out=$(mktemp)
trap 'rm -f "$vmm_out"; [ -n "${vmm:-}" ] && kill "$vmm" 2>/dev/null || true' EXIT
"$build/tests/vmm/vmexit-test-vmm" --wait-signal --linger-ms 200 \
  --out 20000 --in 10000 --mmio-write 5000 --mmio-read 5000 --cpuid 1000 >"$vmm_out" &
vmm=$!
for _ in $(seq 100); do
  grep -q '^ready' "$vmm_out" && break
  if ! kill -0 "$vmm" 2>/dev/null; then
    wait "$vmm" || true
    echo "profile-test-vmm: the test VMM could not start a VM on this host (see above)" >&2
    exit 1
  fi
  sleep 0.1
done

"$build/collector/vmexit-prof" --pid "$vmm" --interval 1 --json "$out/vmexit-prof.json" \
  >"$out/vmexit-prof.txt" 2>"$out/vmexit-prof.log" &
prof=$!
for _ in $(seq 100); do grep -q attached "$out/vmexit-prof.log" && break; sleep 0.1; done
kill -USR1 "$vmm"
wait "$vmm"
vmm=
wait "$prof"
cat "$out/vmexit-prof.txt"
echo
echo "Guest ground truth:"
grep -E '^(expect|handled|elapsed)' "$vmm_out"
echo "Report: $out/vmexit-prof.txt and $out/vmexit-prof.json"
