# Sourced by the tests that profile the project's QEMU through its USDT
# probes: they skip (77), saying why, where that cannot run.  $1: VP_QEMU.
vp_need_usdt_qemu() {
  [ -n "$1" ] || { echo "skipped: configured without VP_QEMU (qemu-trace-events/build-qemu.sh)"; exit 77; }
  [ -x "$1" ] || { echo "skipped: no $1"; exit 77; }
  [ "$(id -u)" = 0 ] || { echo "skipped: loading BPF programs needs root"; exit 77; }
}
