#!/usr/bin/env bash
# Bad input: one line on stderr naming the problem, exit status 2, and no
# program of ours left in the kernel.  Usage: bad_input.sh VMEXIT_PROF CASE
set -u
prof=$1 case=$2
scratch=$(mktemp -d)
victim=
cleanup() { [ -n "$victim" ] && kill "$victim" 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT

loaded() { bpftool prog show 2>/dev/null | grep -cE 'name (tp_(kvm|sys)_|btf_kvm_|fentry_kvm_run|fexit_kvm_run)' || true; }

# A live process that is not a VM.
sleep 60 & victim=$!

env_prefix=()
case "$case" in
  missing-pid)  args=() ;                                   want='--pid PID or --all is required' ;;
  bad-duration) args=(--pid "$victim" --duration 1x) ;     want="invalid value '1x' for --duration" ;;
  bad-interval) args=(--pid "$victim" --interval 0) ;      want="invalid value '0' for --interval" ;;
  bad-vcpu)     args=(--pid "$victim" --vcpu -1) ;         want="invalid value '-1' for --vcpu" ;;
  unknown-opt)  args=(--pid "$victim" --frobnicate) ;      want='unknown option --frobnicate' ;;
  no-such-pid)  args=(--pid 2147483646) ;                  want='no process with pid 2147483646' ;;
  not-a-vm)     args=(--pid "$victim") ;                   want="process $victim (sleep) is not a KVM virtual machine" ;;
  bad-qmp)      args=(--pid "$victim" --qmp /nonexistent/qmp.sock) ; want='--qmp /nonexistent/qmp.sock: ' ;;
  bad-json)     args=(--pid "$victim" --json /nonexistent-dir/out.json) ; want='cannot write /nonexistent-dir/out.json' ;;
  metrics-bad-port) args=(--pid "$victim" --metrics 70000) ; want="invalid value '70000' for --metrics" ;;
  metrics-bad-addr) args=(--pid "$victim" --metrics 999.1.1.1:9100) ; want="invalid value '999.1.1.1:9100' for --metrics" ;;
  metrics-file)     args=(--pid "$victim" --metrics-file /nonexistent-dir/vm.prom) ; want='cannot write /nonexistent-dir/vm.prom' ;;
  all-with-pid)     args=(--all --pid "$victim") ; want='--all profiles every VM of the host: not with --pid' ;;
  all-bad-json)     args=(--all --json /nonexistent-dir/vms) ; want='--json /nonexistent-dir/vms: with --all, a directory' ;;
  all-metrics-file) args=(--all --metrics-file /nonexistent-dir/vm.prom) ; want='cannot write /nonexistent-dir/vm.prom' ;;
  record-no-output) args=(record --pid "$victim") ; want='record: --pid and --output are required' ;;
  record-not-a-vm)  args=(record --pid "$victim" -o "$scratch/rec") ; want="process $victim (sleep) is not a KVM virtual machine, and QEMU's probes cannot be attached" ;;
  record-bad-ring)  args=(record --pid "$victim" -o "$scratch/rec" --ring-mb 3) ; want="invalid value '3' for --ring-mb" ;;
  record-no-such-pid) args=(record --pid 2147483646 -o "$scratch/rec") ; want='no process with pid 2147483646' ;;
  record-unwritable) args=(record --pid "$$" -o /nonexistent-dir/rec) ; want='cannot write /nonexistent-dir/rec' ;;
  report-bad-recording)
    printf 'VMXPREC\n\003\000\000\000\002\000\000\000{}' > "$scratch/rec"
    args=(report "$scratch/rec") ; want='recording format version 3; this vmexit-prof reads version 2' ;;
  all-no-btf)
    mkdir -p "$scratch/sys/kernel/tracing/events/kvm/kvm_userspace_exit"
    env_prefix=(env VMEXIT_PROF_SYSROOT="$scratch")
    args=(--all) ; want='this kernel exposes no BTF' ;;
  not-root)
    if [ "$(id -u)" != 0 ]; then echo "skipped: needs root to drop to an unprivileged user"; exit 77; fi
    env_prefix=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    args=(--pid "$victim") ; want='must run as root' ;;
  no-btf)
    mkdir -p "$scratch/sys/kernel/tracing/events/kvm/kvm_userspace_exit"
    env_prefix=(env VMEXIT_PROF_SYSROOT="$scratch")
    args=(--pid "$victim") ; want='this kernel exposes no BTF' ;;
  no-kvm-tracepoints)
    mkdir -p "$scratch/sys/kernel/btf" "$scratch/sys/kernel/tracing/events/sched"
    : > "$scratch/sys/kernel/btf/vmlinux"
    env_prefix=(env VMEXIT_PROF_SYSROOT="$scratch")
    args=(--pid "$victim") ; want='this kernel has no kvm tracepoints' ;;
  *) echo "unknown case $case"; exit 1 ;;
esac

before=$(loaded)
"${env_prefix[@]}" "$prof" "${args[@]}" >"$scratch/out" 2>"$scratch/err"
status=$?
after=$(loaded)

fail=0
[ "$status" = 2 ] || { echo "FAIL: exit status $status, want 2"; fail=1; }
[ "$(wc -l <"$scratch/err")" = 1 ] || { echo "FAIL: stderr is not one line:"; cat "$scratch/err"; fail=1; }
grep -qF -- "$want" "$scratch/err" || { echo "FAIL: stderr lacks '$want':"; cat "$scratch/err"; fail=1; }
[ ! -s "$scratch/out" ] || { echo "FAIL: wrote to stdout:"; cat "$scratch/out"; fail=1; }
[ "$after" = "$before" ] || { echo "FAIL: $((after - before)) BPF programs left loaded"; fail=1; }
ls /nonexistent-dir 2>/dev/null && { echo "FAIL: created the JSON directory"; fail=1; }
[ $fail = 0 ] && echo "ok: $case -> $(cat "$scratch/err")"
exit $fail
