#!/usr/bin/env bash
# `vmexit-prof --pid` on a QEMU that was already running a bundled workload
# before the profiler attached.  This host has no KVM, so the QEMU runs
# under TCG and is profiled through its USDT probes alone:
#   running         ide-dma: the IDE device's dispatches and its interrupt
#                   line (pin 14, the legacy table) in the document, the
#                   attribution source named, nothing left attached;
#   replaced-binary stopwatch-mmio from a copy of QEMU that is then deleted
#                   and replaced by another file: the probes still attach,
#                   through /proc/PID/exe;
#   qmp             virtio-blk (irq=1) on a QEMU with a QMP socket on its
#                   command line: the socket is found and the memory map read
#                   besides the probes, and the device's notifications are
#                   its interrupts though the driver set it up before attach.
# Usage: profile_pid.sh VMEXIT_PROF VP_QEMU CASE [GUEST_DIR]
set -u
prof=$1 qemu=${2:-} case=$3 guests=${4:-}
. "$(dirname "$0")/usdt_env.sh"
vp_need_usdt_qemu "$qemu"
scratch=$(mktemp -d)
runner=
cleanup() {
  [ -n "$runner" ] && kill "$runner" 2>/dev/null
  pkill -P "$runner" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT
loaded() { bpftool prog show 2>/dev/null | grep -c ' name vp_' ; }

case $case in
  running) workload=ide-dma append="ops=16000 size=1" device=ide ;;
  replaced-binary)
    workload=stopwatch-mmio append="ops=5000000" device=stopwatch
    cp "$qemu" "$scratch/qemu-copy" && qemu=$scratch/qemu-copy ;;
  qmp) workload=virtio-blk append="ops=16000 size=1 irq=1" device=virtio-blk ;;
  *) echo "unknown case $case"; exit 1 ;;
esac

before=$(loaded)
extra=()
[ -n "$guests" ] && extra+=(--guest-dir "$guests")
# a QMP socket on QEMU's command line, as users set one up
[ "$case" = qmp ] && extra+=(--arg=-qmp --arg "unix:$scratch/qmp.sock,server=on,wait=off")
TMPDIR="$scratch" "$prof" run "$workload" --append "$append" --qemu "$qemu" --accel tcg --timeout 120 \
  "${extra[@]}" >"$scratch/run.out" 2>&1 &
runner=$!
qpid=
for _ in $(seq 100); do
  # the runner also runs short-lived probes of QEMU: wait for the guest's
  qpid=$(pgrep -P "$runner" -f -- "-kernel .*/$workload.elf" | head -1)
  [ -n "$qpid" ] && break
  sleep 0.1
done
[ -n "$qpid" ] || { echo "FAIL: QEMU did not start"; cat "$scratch/run.out"; exit 1; }
sleep 0.3 # the guest is past the firmware and busy with its device
if [ "$case" = replaced-binary ]; then
  rm "$scratch/qemu-copy" && cp /bin/true "$scratch/qemu-copy"
fi

"$prof" --pid "$qpid" --duration 2 --json "$scratch/live.json" >"$scratch/out" 2>"$scratch/err"
status=$?
kill "$runner" "$qpid" 2>/dev/null
fail=0
[ "$status" = 0 ] || { echo "FAIL: exit status $status, want 0"; fail=1; }
grep -q "USDT probes" "$scratch/err" || { echo "FAIL: stderr does not say how devices are named"; fail=1; }
python3 - "$scratch/live.json" "$device" "$case" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1])); device, case = sys.argv[2], sys.argv[3]
m, p = d["meta"], d["profile"]
assert d["schema"] == "vmexit-prof/2" and m["command"] == "profile", m
assert m["accelerator"] == "tcg" and m["vm_exits_measured"] is False, m
assert m["attribution"]["source"] == "qemu-usdt" and m["qemu"]["usdt"] is True, m
assert any("TCG" in n for n in m["notes"]), m["notes"]
devs = {x["device"]: x for x in p["devices"]}
assert device in devs, sorted(devs)
dev = devs[device]
assert dev["source"] == "qemu-usdt", dev
# virtio-blk's kicks are ioeventfds and its completions polled from memory
assert dev["to_user"] > 1000 or case == "qmp", dev
if case != "qmp":
    # a 2 s slice of a device-bound guest: its device is the busiest
    assert max(devs.values(), key=lambda x: x["to_user"])["device"] == device, devs
else:
    assert "memory map from" in m["attribution"]["detail"], m["attribution"]
    assert m["attribution"]["detail"].count("qmp.sock") == 1, m["attribution"]
    assert dev["interrupts"] > 100, dev
if case == "running":
    # IDE raises IRQ 14 at the end of every DMA command
    assert dev["interrupts"] > 10, dev
print("ok: %s %d dispatches, %d interrupts in 2 s" % (device, dev["to_user"], dev["interrupts"]))
PY
[ "$(loaded)" = "$before" ] || { echo "FAIL: vp_* (USDT) programs left loaded"; fail=1; }
[ $fail = 0 ] || { echo "--- stdout"; cat "$scratch/out"; echo "--- stderr"; cat "$scratch/err"; echo "--- run"; cat "$scratch/run.out"; }
exit $fail
