#!/usr/bin/env bash
# `vmexit-prof run WORKLOAD`: boots a bundled guest through the C runner
# (collector/runner/guest_runner.c) on TCG with Debian's QEMU and checks the printed
# result, the exit status and, for refusals, the one-line error.
# Usage: run_workload.sh VMEXIT_PROF CASE
set -u
prof=$1 case=$2
qemu=/usr/bin/qemu-system-x86_64
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
[ -x "$qemu" ] || { echo "skipped: no $qemu (apt-get install qemu-system-x86)"; exit 77; }

# want_status N, want_out REGEX (stdout), want_err FIXED (stderr)
want_out=() want_err=() err_lines=
case "$case" in
  selftest)
    args=(run selftest --qemu "$qemu" --accel tcg --append ops=20) ; want_status=0
    want_out=('^status +ok$' '^pio_out +20$' '^mmio_write +20$' '^ioapic +mmio +0xfec00000 ') ;;
  virtio-blk)
    # the table supplies the scratch disk, the drive, the device and ops=20 size=8 batch=8
    args=(run virtio-blk --qemu "$qemu" --accel tcg) ; want_status=0
    want_out=('^status +ok$' '^kicks +6$' '^mmio_write +26$' '^verified +81920$') ;;
  unknown-workload)
    args=(run frobnicate --qemu "$qemu") ; want_status=2 ; err_lines=1
    want_err=("unknown workload 'frobnicate' (known: selftest, ide-pio, ide-dma, virtio-blk, e1000, virtio-net, stopwatch-mmio, stopwatch-pv)") ;;
  stopwatch-stock-qemu)
    args=(run stopwatch-mmio --qemu "$qemu" --accel tcg) ; want_status=1
    want_out=('^status +no-device$')
    want_err=("$qemu has no vmexit-stopwatch device") ;;
  run-doc)
    # the run document, read back by report; HTML is for profiles and comparisons
    args=(run selftest --qemu "$qemu" --accel tcg --append ops=20 --json "$scratch/run.json") ; want_status=0
    want_out=('^pio_out +20$') ;;
  bad-disk)
    args=(run selftest --qemu "$qemu" --disk 0) ; want_status=2 ; err_lines=1
    want_err=("invalid value '0' for --disk") ;;
  *) echo "unknown case $case"; exit 1 ;;
esac

# Run from an empty directory under an empty TMPDIR: the scratch disk and
# serial file must be removed afterwards.
mkdir "$scratch/tmp"
(cd "$scratch" && TMPDIR="$scratch/tmp" timeout 300 "$prof" "${args[@]}") >"$scratch/out" 2>"$scratch/err"
status=$?

fail=0
[ "$status" = "$want_status" ] || { echo "FAIL: exit status $status, want $want_status"; fail=1; }
for re in "${want_out[@]}"; do
  grep -qE -- "$re" "$scratch/out" || { echo "FAIL: stdout lacks /$re/"; fail=1; }
done
for s in "${want_err[@]}"; do
  grep -qF -- "$s" "$scratch/err" || { echo "FAIL: stderr lacks '$s'"; fail=1; }
done
if [ -n "$err_lines" ]; then
  [ "$(wc -l <"$scratch/err")" = "$err_lines" ] || { echo "FAIL: stderr is not $err_lines line(s)"; fail=1; }
  [ ! -s "$scratch/out" ] || { echo "FAIL: wrote to stdout"; fail=1; }
fi
if [ "$case" = run-doc ]; then
  "$prof" report "$scratch/run.json" >"$scratch/report" 2>&1 || { echo "FAIL: report refused the run document"; fail=1; }
  grep -q 'run of selftest' "$scratch/report" && grep -qE '^pio_out +20$' "$scratch/report" ||
    { echo "FAIL: report of the run document:"; cat "$scratch/report"; fail=1; }
  "$prof" report "$scratch/run.json" --html "$scratch/r.html" >"$scratch/html.out" 2>&1
  [ $? = 2 ] && [ "$(wc -l <"$scratch/html.out")" = 1 ] && [ ! -e "$scratch/r.html" ] ||
    { echo "FAIL: report --html of a run document:"; cat "$scratch/html.out"; fail=1; }
fi
[ -z "$(ls -A "$scratch/tmp")" ] || { echo "FAIL: scratch files left: $(ls "$scratch/tmp")"; fail=1; }
if [ $fail = 0 ]; then
  echo "ok: $case (exit $status)"
else
  echo "--- stdout"; cat "$scratch/out"; echo "--- stderr"; cat "$scratch/err"
fi
exit $fail
