#!/usr/bin/env bash
# QEMU's own events per device, against what the guest did:
# - interrupts: virtio-blk with irq=1 lets the device notify, and QEMU
#   notifies once per batch of completed requests, i.e. once per kick of the
#   guest; with irq=0 (the default) the queue suppresses them;
# - work: virtio_blk_req_complete is one per request (2 x ops: each op is
#   written, then read back), and virtio_queue_notify one per kick plus the
#   one QEMU makes itself when it starts the queue's ioeventfd at DRIVER_OK
#   (virtio_device_start_ioeventfd_impl kicks every queue once, for
#   requests already in the ring).  That kick and the guest's first one go
#   through the same eventfd: when the guest kicks before QEMU's main loop
#   has read it, the two are one read, one notify (kicks, not kicks + 1).
# Each run goes through `vmexit-prof run --profile`, whose device table
# ends with the interrupts and the events.
# Usage: qemu_events.sh VMEXIT_PROF VP_QEMU
set -u
prof=$1 qemu=${2:-}
. "$(dirname "$0")/usdt_env.sh"
vp_need_usdt_qemu "$qemu"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0

for append in "ops=20 batch=8 irq=1" "ops=20 batch=1 irq=1" "ops=24 batch=5 irq=1" "ops=20 batch=8"; do
  (cd "$scratch" && TMPDIR="$scratch" timeout 300 "$prof" run virtio-blk --profile --qemu "$qemu" \
    --accel tcg --append "$append") >"$scratch/out" 2>"$scratch/err"
  status=$?
  kicks=$(awk '$1 == "kicks" { print $2 }' "$scratch/out")
  ops=$(awk '$1 == "ops" { print $2 }' "$scratch/out")
  irqs=$(awk '/^INTERRUPTS/ { t = 1; next } /^$/ { t = 0 } t && $1 == "virtio-blk" { print $2 }' "$scratch/out")
  event() { awk -v e="$1" '/^QEMU EVENTS/ { t = 1; next } t && $1 == "virtio-blk" && $2 == e { print $3 }' "$scratch/out"; }
  notifies=$(event virtio_queue_notify) completes=$(event virtio_blk_req_complete)
  case $append in
    *irq=1) want=$kicks ;;
    *) want= ;;
  esac
  if [ "$status" != 0 ] || [ -z "$kicks" ] || [ "${irqs:-}" != "$want" ] ||
     { [ "${notifies:-}" != $((kicks + 1)) ] && [ "${notifies:-}" != "$kicks" ]; } ||
     [ "${completes:-}" != $((2 * ops)) ]; then
    echo "FAIL: $append: status $status, kicks ${kicks:-?}, ops ${ops:-?}: virtio-blk interrupts" \
         "'${irqs:-none}' (want '${want:-none}'), virtio_queue_notify '${notifies:-}' (want kicks + 1, or kicks when the two merged)," \
         "virtio_blk_req_complete '${completes:-}' (want 2 x ops)"
    cat "$scratch/out" "$scratch/err"
    fail=1
  else
    echo "ok: $append: $kicks kicks, virtio-blk interrupts ${irqs:-none}, $notifies queue notifies, $completes completions"
  fi
done
exit $fail
