#!/usr/bin/env bash
# lab-run as its users see it: the command's stdout, stderr and status come
# back exactly; inside, the root is read-only, --share is writable at its own
# path, a path the command names is the host's even below the lab's tmpfs, /dev/kvm works and kvm_exit exists; a lab that cannot start gives 125
# and one line.
set -uo pipefail
lab_run=$1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

share=$(mktemp -d)
below_tmpfs=$(mktemp -d -p /var/tmp) # the lab mounts its own tmpfs on /var/tmp
echo "host file" >"$below_tmpfs/f"
out=$(mktemp) err=$(mktemp)
trap 'rm -rf "$share" "$below_tmpfs" "$out" "$err"' EXIT

# One boot: the command checks the inside and answers on stdout, stderr and
# its status, with an argument that needs quoting on the way.
"$lab_run" --share "$share" --smp 1 -- bash -c '
  printf "arg=[%s]\n" "$1"
  printf "to stderr\n" >&2
  touch /usr/lab-write-test 2>/dev/null && echo "root is writable"
  echo shared >"$2/from-lab" || echo "share not writable"
  [ -c /dev/kvm ] && echo "kvm ok"
  [ -d /sys/kernel/tracing/events/kvm/kvm_exit ] && echo "kvm_exit ok"
  [ "$(ulimit -l)" = unlimited ] && echo "memlock ok"
  echo "cpus $(nproc)"
  cat "$3/f"
  exit 42' lab "a  b'c" "$share" "$below_tmpfs" >"$out" 2>"$err"
status=$?
[ $status = 42 ] || fail "status: want 42, got $status ($(cat "$err"))"
want=$(printf 'arg=[a  b'\''c]\nkvm ok\nkvm_exit ok\nmemlock ok\ncpus 1\nhost file')
[ "$(cat "$out")" = "$want" ] || fail "stdout: want [$want], got [$(cat "$out")]"
[ "$(cat "$err")" = "to stderr" ] || fail "stderr: want [to stderr], got [$(cat "$err")]"
[ "$(cat "$share/from-lab" 2>/dev/null)" = shared ] || fail "the --share directory did not get the lab's file"

# A kernel package the registry does not have: 125, one line, no boot.
VP_LAB_KERNEL_VERSION=0.0-0 "$lab_run" -- true >"$out" 2>"$err"
status=$?
[ $status = 125 ] || fail "missing kernel package: want 125, got $status"
[ "$(wc -l <"$err")" = 1 ] && grep -q 'cannot download the lab kernel' "$err" ||
  fail "missing kernel package: want one line naming it, got [$(cat "$err")]"

# A lab whose second stage is not there does not boot: 125 and the reason.
VP_LAB_APPEND=vplab.init=/nonexistent "$lab_run" --smp 1 -- true >"$out" 2>"$err"
status=$?
[ $status = 125 ] || fail "unbootable lab: want 125, got $status"
[ "$(wc -l <"$err")" = 1 ] && grep -q 'lab did not start.*nonexistent' "$err" ||
  fail "unbootable lab: want one line with the reason, got [$(cat "$err")]"

# A bad option: 125 and one line.
"$lab_run" --smp x -- true >"$out" 2>"$err"
[ $? = 125 ] && [ "$(wc -l <"$err")" = 1 ] || fail "bad --smp: want 125 and one line, got [$(cat "$err")]"

[ $fails = 0 ] && echo "ok: lab-run returns output and status exactly, and 125 with one line when the lab cannot start"
[ $fails = 0 ]
