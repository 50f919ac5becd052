#!/usr/bin/env bash
# The main job: builds everything (the project's QEMU included, cached),
# profiles every bundled guest workload with `vmexit-prof run --compare` and
# writes what each device costs per operation, the emulated device beside its
# paravirtual counterpart, with the speedups: out/workloads.txt, .html and
# .json; then profiles the test VMM's guest live with vmexit-prof --pid
# (out/vmexit-prof.txt, .html and .json).
#
# It runs under KVM everywhere: natively where /dev/kvm works, else inside
# the project's KVM lab (tests/lab), and under TCG only when neither can.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
out=${OUT_DIR:-$top/out}

"$top/scripts/setup-deps.sh"
qemu=$("$top/qemu-trace-events/build-qemu.sh" | tail -n 1)
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVP_QEMU="$qemu" >/dev/null
cmake --build "$build" -j"$(nproc)"
mkdir -p "$out"
rm -f "$out"/workloads.* "$out"/vmexit-prof.*

if "$build/tests/vmm/vmexit-test-vmm" --out 1 --in 0 --mmio-write 0 --mmio-read 0 --cpuid 0 >/dev/null 2>"$out/kvm-check.log"; then
  echo "run-main: this host's /dev/kvm works: profiling natively under KVM"
  "$top/scripts/main-job.sh" "$build" "$qemu" "$out" kvm
else
  echo "run-main: no usable /dev/kvm here ($(cat "$out/kvm-check.log")): profiling under KVM in the lab" \
       "(tests/lab: an emulated AMD host, so its host times are those of nested exits, 25-50 µs each)"
  set +e
  "$top/tests/lab/lab-run" --share "$out" -- "$top/scripts/main-job.sh" "$build" "$qemu" "$out" kvm
  status=$?
  set -e
  if [ $status = 125 ]; then
    echo "run-main: the lab cannot run here either: profiling under TCG, where exits are QEMU's dispatches"
    "$top/scripts/main-job.sh" "$build" "$qemu" "$out" tcg
  elif [ $status != 0 ]; then
    exit $status
  fi
fi
cat "$out/workloads.txt"
[ -f "$out/vmexit-prof.txt" ] && cat "$out/vmexit-prof.txt"
echo "Reports: $out/workloads.{txt,html,json}$([ -f "$out/vmexit-prof.txt" ] && echo " and $out/vmexit-prof.{txt,html,json}")"
