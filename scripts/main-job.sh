#!/usr/bin/env bash
# main-job.sh BUILD QEMU OUT ACCEL: the main job's profiling, run where
# scripts/run-main.sh chose (natively, or inside the KVM lab).  Every bundled
# workload compared per operation, emulated beside paravirtual, and under KVM
# the test VMM's guest profiled live with vmexit-prof --pid.
set -euo pipefail
build=$1 qemu=$2 out=$3 accel=$4
prof="$build/collector/vmexit-prof"

"$prof" run --compare ide-pio,ide-dma,virtio-blk,e1000,virtio-net,stopwatch-mmio,stopwatch-pv \
  --qemu "$qemu" --accel "$accel" --repeat 5 --timeout 180 --json "$out/workloads.json" >"$out/workloads.txt"
"$prof" report "$out/workloads.json" --html "$out/workloads.html" >/dev/null
[ "$accel" = kvm ] || exit 0

vmm_out=$(mktemp)
trap 'rm -f "$vmm_out"; [ -n "${vmm:-}" ] && kill "$vmm" 2>/dev/null || true' EXIT
"$build/tests/vmm/vmexit-test-vmm" --wait-signal --linger-ms 200 \
  --out 20000 --in 10000 --mmio-write 5000 --mmio-read 5000 --cpuid 1000 >"$vmm_out" &
vmm=$!
for _ in $(seq 100); do
  grep -q '^ready' "$vmm_out" && break
  if ! kill -0 "$vmm" 2>/dev/null; then
    wait "$vmm" || true
    echo "main-job: the test VMM could not start a VM (see above)" >&2
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
{
  echo
  echo "Guest ground truth:"
  grep -E '^(expect|handled|elapsed)' "$vmm_out"
} >>"$out/vmexit-prof.txt"
