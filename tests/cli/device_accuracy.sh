#!/usr/bin/env bash
# The accuracy bar under TCG: `vmexit-prof run W --profile` groups
# QEMU's USDT counts by device (collector/model/devices.c); for the device under
# test, and for the PIT and PCI configuration, QEMU's accesses after the
# firmware's last fw_cfg access must equal the guest's own counts exactly.
# The one known difference, asserted exactly: virtio kicks.  QEMU's memory
# core hands a write to a virtio notify region to its ioeventfd before the
# device's ops (memory_region_dispatch_write_eventfds, also under TCG), so
# memory_region_ops_write never fires for it: QEMU writes = guest - kicks.
# Then QEMU's own events of the device's work (its trace events, counted
# through their USDT probes) against what the guest did:
#   ide-pio     one ide_sector_write and one ide_sector_read per op (one
#               sector each: size=1);
#   ide-dma     two ide_dma_cb per op (the write, then the read back);
#   virtio-blk  one virtio_blk_req_complete per request (2 x ops) and one
#               virtio_queue_notify per kick, plus the one QEMU makes itself
#               when it starts the queue's ioeventfd (unless that one and
#               the guest's first kick merged in the eventfd: then kicks);
#   stopwatch   one vmexit_stopwatch_cmd per command register write (mmio),
#               or per ring entry plus the reset (pv: 3 x ops + 1), and one
#               ring batch and doorbell per kick (pv).
# virtio-net's start-up kick may merge with the guest's first one in the
# eventfd, so its notifies are not exact; e1000 has no work events in this
# QEMU (only drops).
# Usage: device_accuracy.sh VMEXIT_PROF VP_QEMU WORKLOAD
set -u
prof=$1 qemu=${2:-} w=$3
. "$(dirname "$0")/usdt_env.sh"
vp_need_usdt_qemu "$qemu"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

case $w in
  ide-pio|ide-dma) dev=ide ;;
  stopwatch-mmio|stopwatch-pv) dev=stopwatch ;;
  *) dev=$w ;;
esac
(cd "$scratch" && TMPDIR="$scratch" timeout 300 "$prof" run "$w" --qemu "$qemu" --accel tcg --profile) \
  >"$scratch/out" 2>"$scratch/err"
status=$?
fail=0
[ "$status" = 0 ] || { echo "FAIL: exit status $status, want 0"; fail=1; }
grep -q "^READS/WRITES: after the firmware's last fw_cfg access" "$scratch/out" ||
  { echo "FAIL: no firmware marker (fw_cfg) seen"; fail=1; }
kicks=$(awk '$1 == "kicks" { print $2 }' "$scratch/out")

# DEVICE CLASS READS WRITES TOTAL PER-OP FW-READS FW-WRITES GUEST-READS GUEST-WRITES
check() { # device, writes QEMU cannot see
  local d=$1 unseen=$2 row qr qw gr gw
  row=$(awk -v d="$d" '$1 == d && NF == 10' "$scratch/out")
  [ -n "$row" ] || { echo "FAIL: no device line with guest counts for $d"; fail=1; return; }
  read -r _ _ qr qw _ _ _ _ gr gw <<<"$row"
  if [ "$qr" = "$gr" ] && [ "$qw" = $((gw - unseen)) ]; then
    echo "ok: $w $d QEMU reads $qr writes $qw = guest reads $gr writes $gw - $unseen"
  else
    echo "FAIL: $w $d QEMU $qr/$qw, guest $gr/$gw (writes QEMU cannot see: $unseen)"; fail=1
  fi
}
case $dev in
  virtio-blk|virtio-net) check "$dev" "${kicks:-x}" ;;
  *) check "$dev" 0 ;;
esac
check pit 0
check pci-config 0

field() { awk -v k="$1" '$1 == k { print $2 }' "$scratch/out"; }
ops=$(field ops) mmio_write=$(field mmio_write)
expect() { # event, count wanted (or counts, "a|b")
  local got
  got=$(awk -v d="$dev" -v e="$1" '/^QEMU EVENTS/ { t = 1; next } t && $1 == d && $2 == e { print $3 }' "$scratch/out")
  if [ -n "$2" ] && [[ "|$2|" == *"|${got:-0}|"* ]]; then
    echo "ok: $w $dev $1 = $2"
  else
    echo "FAIL: $w $dev $1 = ${got:-none}, want ${2:-?}"; fail=1
  fi
}
case $w in
  ide-pio) expect ide_sector_write "$ops"; expect ide_sector_read "$ops" ;;
  ide-dma) expect ide_dma_cb $((2 * ops)) ;;
  virtio-blk) expect virtio_blk_req_complete $((2 * ops)); expect virtio_queue_notify "$((kicks + 1))|$kicks" ;;
  stopwatch-mmio) expect vmexit_stopwatch_cmd "$mmio_write" ;;
  stopwatch-pv)
    expect vmexit_stopwatch_cmd $((3 * ops + 1))
    expect vmexit_stopwatch_ring_batch "$kicks"
    expect vmexit_stopwatch_doorbell_mmio "$kicks" ;;
esac
[ $fail = 0 ] || { echo "--- stdout"; cat "$scratch/out"; echo "--- stderr"; cat "$scratch/err"; }
exit $fail
