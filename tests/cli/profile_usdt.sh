#!/usr/bin/env bash
# `vmexit-prof run stopwatch-mmio --profile` on the project's QEMU under TCG:
# QEMU's USDT count of accesses to the stopwatch's register region must equal
# the guest's own count exactly (guest-workloads/README.md: mmio_write =
# 3*ops+2, mmio_read = 5*ops+4), and no BPF program may stay loaded.
# Usage: profile_usdt.sh VMEXIT_PROF VP_QEMU
set -u
prof=$1 qemu=${2:-}
. "$(dirname "$0")/usdt_env.sh"
vp_need_usdt_qemu "$qemu"
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)
[ -x "$bpftool" ] || { echo "skipped: no bpftool"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/tmp"

ops=50
(cd "$scratch" && TMPDIR="$scratch/tmp" timeout 300 "$prof" run stopwatch-mmio --qemu "$qemu" \
  --accel tcg --append "ops=$ops" --profile) >"$scratch/out" 2>"$scratch/err"
status=$?

fail=0
[ "$status" = 0 ] || { echo "FAIL: exit status $status, want 0"; fail=1; }
want_r=$((5 * ops + 4)) want_w=$((3 * ops + 2))
grep -qE "^mmio_read +$want_r\$" "$scratch/out" || { echo "FAIL: guest mmio_read is not $want_r"; fail=1; }
grep -qE "^mmio_write +$want_w\$" "$scratch/out" || { echo "FAIL: guest mmio_write is not $want_w"; fail=1; }
# QEMU's row, then the guest's matched region on the same line.
row=$(grep -E '^vmexit-stopwatch-regs ' "$scratch/out")
read -r _ qr qw gname gr gw <<<"$row"
[ "$qr/$qw" = "$want_r/$want_w" ] || { echo "FAIL: USDT counts $qr/$qw, want $want_r/$want_w"; fail=1; }
[ "$gname $gr/$gw" = "stopwatch-regs $want_r/$want_w" ] ||
  { echo "FAIL: guest region beside it is '$gname $gr/$gw'"; fail=1; }
# Program names from bpf/qemu_usdt.bpf.c (other tests' programs may run meanwhile).
if "$bpftool" prog show | grep -qE 'name vp_'; then
  echo "FAIL: a USDT program is still loaded"; fail=1
fi
[ -z "$(ls -A "$scratch/tmp")" ] || { echo "FAIL: scratch files left: $(ls "$scratch/tmp")"; fail=1; }
if [ $fail = 0 ]; then
  echo "ok: vmexit-stopwatch-regs reads $qr writes $qw, guest's $gname $gr/$gw"
else
  echo "--- stdout"; cat "$scratch/out"; echo "--- stderr"; cat "$scratch/err"
fi
exit $fail
