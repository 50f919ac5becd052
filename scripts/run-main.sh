#!/usr/bin/env bash
# The main job: builds everything (the project's QEMU included, cached),
# profiles every bundled guest workload with `vmexit-prof run --compare` and
# writes what each device costs per operation, the emulated device beside its
# paravirtual counterpart, with the speedups: out/workloads.txt, .html and
# .json.  Where /dev/kvm works it also profiles the test VMM's guest with
# vmexit-prof --pid (out/vmexit-prof.txt and .json).
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

# Every bundled workload profiled, each emulated device beside its
# paravirtual counterpart: one result document, its text and HTML reports.
"$prof" run --compare ide-pio,ide-dma,virtio-blk,e1000,virtio-net,stopwatch-mmio,stopwatch-pv \
  --qemu "$qemu" --repeat 5 --json "$out/workloads.json" | tee "$out/workloads.txt"
"$prof" report "$out/workloads.json" --html "$out/workloads.html" >/dev/null
echo "Reports: $out/workloads.txt, $out/workloads.html (open in a browser), $out/workloads.json"

if ! "$build/tests/vmm/vmexit-test-vmm" --out 0 --in 0 --mmio-write 0 --mmio-read 0 --cpuid 0 >/dev/null 2>"$out/kvm-check.log"; then
  echo "No usable /dev/kvm here ($(cat "$out/kvm-check.log")): the workloads ran under TCG, so their exits are QEMU's dispatches, and no live VM can be profiled." >&2
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

"$prof" --pid "$vmm" --interval 1 --json "$out/vmexit-prof.json" \
  >"$out/vmexit-prof.txt" 2>"$out/vmexit-prof.log" &
live=$!
for _ in $(seq 100); do grep -q attached "$out/vmexit-prof.log" && break; sleep 0.1; done
kill -USR1 "$vmm"
wait "$vmm"
vmm=
wait "$live"
"$prof" report "$out/vmexit-prof.json" --html "$out/vmexit-prof.html" >/dev/null
cat "$out/vmexit-prof.txt"
echo
echo "Guest ground truth:"
grep -E '^(expect|handled|elapsed)' "$vmm_out"
echo "Report: $out/vmexit-prof.txt, .html and .json"
