#!/usr/bin/env bash
# The main job: builds everything (the project's QEMU included, cached), runs
# every bundled guest workload and writes what each did per operation, the
# emulated device beside its paravirtual counterpart, to out/workloads.txt;
# where /dev/kvm works it also profiles the test VMM's guest with vmexit-prof
# (out/vmexit-prof.txt and .json).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
out=${OUT_DIR:-$top/out}

"$top/scripts/setup-deps.sh"
qemu=$("$top/qemu-trace-events/build-qemu.sh" | tail -n 1)
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVP_QEMU="$qemu" >/dev/null
cmake --build "$build" -j"$(nproc)"
mkdir -p "$out"
prof="$build/collector/vmexit-prof"

# Every bundled workload, in pairs: what the guest did per operation.
summary="$out/workloads.txt"
{
  printf '%-15s %-6s %8s %12s %12s %10s %8s\n' WORKLOAD STATUS OPS 'PIO/OP' 'MMIO/OP' 'KICKS/OP' 'US/OP'
  for w in ide-pio ide-dma virtio-blk e1000 virtio-net stopwatch-mmio stopwatch-pv; do
    "$prof" run "$w" --qemu "$qemu" >"$out/$w.txt" 2>"$out/$w.log" || true
    awk -v w="$w" '
      $1 == "status" { st = $2 } $1 == "ops" { ops = $2 } $1 == "pio_out" { po = $2 }
      $1 == "pio_in" { pi = $2 } $1 == "mmio_read" { mr = $2 } $1 == "mmio_write" { mw = $2 }
      $1 == "kicks" { k = $2 } $1 == "cycles" { c = $2 } $1 == "tsc_khz" { khz = $2 }
      END {
        if (!ops) { printf "%-15s %-6s (no result: see %s.log)\n", w, "error", w; exit }
        us = khz ? c / khz * 1000 / ops : 0
        printf "%-15s %-6s %8d %12.1f %12.1f %10.2f %8.1f\n", w, st, ops, (po + pi) / ops, (mr + mw) / ops, k / ops, us
      }' "$out/$w.txt"
  done
} >"$summary"
cat "$summary"
echo "Per workload: $out/<workload>.txt"

if ! "$build/tests/vmm/vmexit-test-vmm" --out 0 --in 0 --mmio-write 0 --mmio-read 0 --cpuid 0 >/dev/null 2>"$out/kvm-check.log"; then
  echo "No usable /dev/kvm here ($(cat "$out/kvm-check.log")): the workloads ran under TCG, and no VM exits can be profiled." >&2
  exit 0
fi

vmm_out=$(mktemp)
trap 'rm -f "$vmm_out"; [ -n "${vmm:-}" ] && kill "$vmm" 2>/dev/null || true' EXIT
"$build/tests/vmm/vmexit-test-vmm" --wait-signal --linger-ms 200 \
  --out 20000 --in 10000 --mmio-write 5000 --mmio-read 5000 --cpuid 1000 >"$vmm_out" &
vmm=$!
for _ in $(seq 100); do
  grep -q '^ready' "$vmm_out" && break
  if ! kill -0 "$vmm" 2>/dev/null; then
    wait "$vmm" || true
    echo "run-main: the test VMM could not start a VM on this host (see above)" >&2
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
