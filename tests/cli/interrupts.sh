#!/usr/bin/env bash
# Interrupts per device from QEMU's own events (issue 6), against a known
# count: virtio-blk with irq=1 lets the device notify, and QEMU notifies
# once per batch of completed requests, i.e. once per kick of the guest; with
# irq=0 (the default) the queue suppresses them.  Each run goes through
# `vmexit-prof run --profile`, whose device table ends with the interrupts.
# Usage: interrupts.sh VMEXIT_PROF VP_QEMU
set -u
prof=$1 qemu=${2:-}
[ -n "$qemu" ] || { echo "skipped: configured without VP_QEMU (qemu-trace-events/build-qemu.sh)"; exit 77; }
[ -x "$qemu" ] || { echo "skipped: no $qemu"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "skipped: loading BPF programs needs root"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0

for append in "ops=20 batch=8 irq=1" "ops=20 batch=1 irq=1" "ops=24 batch=5 irq=1" "ops=20 batch=8"; do
  (cd "$scratch" && TMPDIR="$scratch" timeout 300 "$prof" run virtio-blk --profile --qemu "$qemu" \
    --accel tcg --append "$append") >"$scratch/out" 2>"$scratch/err"
  status=$?
  kicks=$(awk '$1 == "kicks" { print $2 }' "$scratch/out")
  irqs=$(awk '/^INTERRUPTS/ { t = 1; next } t && $1 == "virtio-blk" { print $2 }' "$scratch/out")
  case $append in
    *irq=1) want=$kicks ;;
    *) want= ;;
  esac
  if [ "$status" != 0 ] || [ -z "$kicks" ] || [ "${irqs:-}" != "$want" ]; then
    echo "FAIL: $append: status $status, kicks ${kicks:-?}, virtio-blk interrupts '${irqs:-none}', want '${want:-none}'"
    cat "$scratch/out" "$scratch/err"
    fail=1
  else
    echo "ok: $append: $kicks kicks, virtio-blk interrupts ${irqs:-none}"
  fi
done
exit $fail
