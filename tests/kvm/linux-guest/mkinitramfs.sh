#!/usr/bin/env bash
# mkinitramfs.sh OUT: the Linux guest's initramfs, from the lab's own kernel
# package (tests/lab/lab-setup.sh): busybox, the drivers of the devices the
# test gives it (IDE, virtio-blk, e1000, virtio-net) and ./init.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
image=$("$here/../../lab/lab-setup.sh" | tail -n 1)
release=$(cat "$image/kernel-release")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/lib/modules" "$work/proc" "$work/sys" "$work/dev" "$work/tmp"
cp "$image/bb/bin/busybox" "$work/bin/busybox"
install -m 755 "$here/init" "$work/init"
for m in ata_piix sd_mod virtio_pci virtio_blk virtio_net e1000; do
  modprobe -d "$image/kroot" -S "$release" --show-depends "$m"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
  cp "$ko" "$work/lib/modules/"
  basename "$ko" >>"$work/lib/modules/order"
done
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
echo "$image/vmlinuz"
