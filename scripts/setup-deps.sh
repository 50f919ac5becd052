#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages.
# Idempotent: only missing packages are installed, so a second run is quick.
set -euo pipefail

packages=(
  # build
  cmake ninja-build pkg-config gcc make clang llvm clang-format
  libbpf-dev libelf-dev zlib1g-dev libjansson-dev linux-libc-dev
  libmicrohttpd-dev
  # LTTng-UST traces (CTF) are read through libbabeltrace2
  libbabeltrace2-dev
  bpftool
  # tests: cmocka; Debian's stock QEMU and firmware for the guests; LTTng
  # for the ust trace backend
  libcmocka-dev python3 util-linux procps binutils
  qemu-system-x86 seabios ipxe-qemu lttng-tools liblttng-ust-dev babeltrace2
  # the HTML report's browser test
  chromium
  # the metrics tests: a real Prometheus scraping --metrics, promtool, curl
  prometheus curl
  # benchmark peers
  bpftrace linux-perf
  # the KVM lab (tests/lab): its module index and initramfs
  kmod cpio
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "setup-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The kernel programs attach to tracepoints: tracefs must be mounted.
if [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ] && [ "$(id -u)" = 0 ]; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi
# The KVM lab's boot image (a pinned Debian kernel and busybox, cached).
if [ "$(id -u)" = 0 ]; then
  "$(dirname "$0")/../tests/lab/lab-setup.sh" >/dev/null
fi
echo "setup-deps: all dependencies present"
