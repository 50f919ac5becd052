# The lab's second stage, PID 1 on the host's read-only root: writable
# tmpfs where programs must write, the writable shares, the kernel's
# filesystems for tracing and BPF, KVM loaded; then the command, its
# output and status written to the control share, and power off.
# Any failure before the command is one "vplab:" line on the console.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ctl=/run/vplab
opts=trans=virtio,version=9p2000.L,msize=512000

off() {
  sync
  echo o >/proc/sysrq-trigger
  sleep 30
}
fail() {
  echo "vplab: $*" >/dev/console
  off
}

mkdir -p /dev/shm
tmpfs=
for w in $(cat /proc/cmdline); do
  case $w in vplab.tmpfs=*) tmpfs=${w#vplab.tmpfs=} ;; esac
done
[ -n "$tmpfs" ] || fail "no vplab.tmpfs= on the kernel command line"
for d in ${tmpfs//,/ }; do
  [ -d "$d" ] && mount -t tmpfs -o mode=1777 tmpfs "$d"
done
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mkdir -p $ctl && mount -t 9p -o $opts ctl $ctl || fail "cannot mount the control share"
exec >>$ctl/lab.log 2>&1
mount -t tracefs tracefs /sys/kernel/tracing || fail "cannot mount tracefs"
mount -t debugfs debugfs /sys/kernel/debug || fail "cannot mount debugfs"
mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
while read -r tag path; do
  mkdir -p "$path" 2>/dev/null
  mount -t 9p -o $opts "$tag" "$path" || fail "cannot mount the share $path"
done <$ctl/shares

image=$(cat $ctl/image)
release=$(uname -r)
modprobe -d "$image/kroot" -S "$release" kvm_amd || fail "cannot load kvm_amd"
for _ in $(seq 50); do [ -c /dev/kvm ] && break; sleep 0.1; done
[ -c /dev/kvm ] || fail "kvm_amd loaded but /dev/kvm did not appear"
ip link set lo up 2>/dev/null || busybox ip link set lo up
hostname vmexit-prof-lab
ulimit -l unlimited
ulimit -n 65536

set -a
. $ctl/env
set +a
cd "$(cat $ctl/cwd)" 2>/dev/null || cd /
bash $ctl/command </dev/null >$ctl/stdout 2>$ctl/stderr
echo $? >$ctl/status.tmp
dmesg >$ctl/dmesg 2>/dev/null
mv $ctl/status.tmp $ctl/status
off
