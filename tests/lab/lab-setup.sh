#!/usr/bin/env bash
# Prepares the KVM lab's boot image: a pinned Debian kernel package (fetched
# with apt-get download and checked against its pinned SHA-256), unpacked
# with a module index, and a busybox initramfs that mounts the host's root
# over virtio-9p.
#
# The image lives in a cache directory keyed by the kernel package and a hash
# of this directory's boot files; it is assembled in a scratch directory and
# renamed into place only when complete, under a lock, so concurrent or
# interrupted runs never leave an entry a later run would trust.
#
# Prints the image directory on its last line of stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# Pinned: Debian 12's generic kernel flavour (the cloud flavour lacks 9p).
KERNEL_PKG=${VP_LAB_KERNEL_PKG:-linux-image-6.1.0-57-amd64}
KERNEL_VERSION=${VP_LAB_KERNEL_VERSION:-6.1.192-3}
KERNEL_SHA256=${VP_LAB_KERNEL_SHA256:-14d219d01e1283261817d961dbb3895cb5b4288d0de10e0ba0632a0d993e15bf}
cache_root=${VMEXIT_PROF_CACHE:-/var/cache/vmexit-prof}

say() { echo "lab-setup: $*" >&2; }
die() { say "error: $*"; exit 1; }

# What the lab needs on the host: TCG QEMU with 9p, kmod for the module
# index, cpio for the initramfs.
host_packages=(qemu-system-x86 kmod cpio gzip)

ensure_packages() {
  local missing=() p
  for p in "${host_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]} (install them: apt-get install ${missing[*]})"
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "could not install: ${missing[*]}"
}

# The modules the initramfs needs to reach the 9p root, in load order.
boot_modules=(virtio_pci 9pnet_virtio 9p)

boot_hash() {
  cat "$here/lab-setup.sh" "$here/initramfs-init" | sha256sum | cut -c1-12
}

fetch_deb() { # PACKAGE=VERSION DIR
  local spec=$1 dir=$2
  (cd "$dir" && apt-get download -qq "$spec" >/dev/null 2>&1) && return 0
  [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 &&
    (cd "$dir" && apt-get download -qq "$spec" >/dev/null 2>&1)
}

build_image() { # SCRATCH
  local s=$1 deb kver
  mkdir -p "$s/debs" "$s/kroot" "$s/bb" "$s/initramfs/bin" "$s/initramfs/lib/modules"
  say "fetching $KERNEL_PKG=$KERNEL_VERSION"
  fetch_deb "$KERNEL_PKG=$KERNEL_VERSION" "$s/debs" ||
    die "cannot download the lab kernel $KERNEL_PKG=$KERNEL_VERSION from the package registry"
  deb=$(ls "$s"/debs/"${KERNEL_PKG}"_*.deb)
  echo "$KERNEL_SHA256  $deb" | sha256sum -c --quiet >/dev/null 2>&1 ||
    die "$deb does not match its pinned SHA-256 $KERNEL_SHA256"
  fetch_deb busybox-static "$s/debs" || die "cannot download busybox-static from the package registry"
  dpkg-deb -x "$deb" "$s/kroot"
  dpkg-deb -x "$s"/debs/busybox-static_*.deb "$s/bb"
  rm -rf "$s/debs"
  kver=${KERNEL_PKG#linux-image-}
  [ -f "$s/kroot/boot/vmlinuz-$kver" ] || die "$KERNEL_PKG has no /boot/vmlinuz-$kver"
  depmod -b "$s/kroot" "$kver"
  for m in kvm_amd 9p; do
    modprobe -d "$s/kroot" -S "$kver" --show-depends "$m" >/dev/null 2>&1 ||
      die "$KERNEL_PKG has no $m module"
  done

  local list=() line ko
  while read -r line; do
    ko=${line#insmod }
    ko=${ko%% *}
    [ "${line%% *}" = insmod ] || continue
    case " ${list[*]} " in *" $(basename "$ko") "*) continue ;; esac
    cp "$ko" "$s/initramfs/lib/modules/"
    list+=("$(basename "$ko")")
  done < <(for m in "${boot_modules[@]}"; do modprobe -d "$s/kroot" -S "$kver" --show-depends "$m"; done)
  printf '%s\n' "${list[@]}" >"$s/initramfs/lib/modules/order"
  cp "$s/bb/bin/busybox" "$s/initramfs/bin/busybox"
  install -m 755 "$here/initramfs-init" "$s/initramfs/init"
  (cd "$s/initramfs" && find . | cpio -o -H newc --quiet | gzip -1) >"$s/initramfs.gz"
  rm -rf "$s/initramfs"
  ln -s "kroot/boot/vmlinuz-$kver" "$s/vmlinuz"
  echo "$kver" >"$s/kernel-release"
}

main() {
  local dest scratch
  dest="$cache_root/lab/${KERNEL_PKG}_${KERNEL_VERSION}-$(boot_hash)"
  if [ -f "$dest/initramfs.gz" ]; then
    echo "$dest"
    return 0
  fi
  ensure_packages
  mkdir -p "$cache_root/lab" || die "cannot create $cache_root/lab"
  exec 9>"$cache_root/lab/.lock"
  flock 9
  if [ ! -f "$dest/initramfs.gz" ]; then
    scratch=$(mktemp -d "$cache_root/lab/.build.XXXXXX")
    chmod 755 "$scratch"
    trap 'rm -rf "$scratch"' EXIT
    build_image "$scratch"
    mv "$scratch" "$dest"
    trap - EXIT
    say "lab image ready in $dest"
  fi
  echo "$dest"
}

main "$@"
