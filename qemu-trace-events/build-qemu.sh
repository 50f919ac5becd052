#!/usr/bin/env bash
# Builds the project's qemu-system-x86_64 from Debian's qemu source package,
# with every trace backend (dtrace -> USDT, simple, ust -> LTTng, log) and the
# stopwatch device overlay from this directory.
#
# The result lives in a cache directory keyed by the source version and a hash
# of the overlay; an unchanged build is skipped.  A build is assembled in a
# scratch directory and renamed into place only when complete, so a failed
# download or build never leaves an entry a later run would trust.
#
# Prints the path of the built binary on its last line of stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# Pinned: Debian 12's qemu source, and the SHA-256 of its .dsc (apt verifies
# the rest of the download against the .dsc and the signed archive index).
QEMU_SRC_VERSION=${QEMU_SRC_VERSION:-1:7.2+dfsg-7+deb12u18}
QEMU_DSC_SHA256=${QEMU_DSC_SHA256:-6b6bd27b947ec89e40a1d6b26d9c9f3c698ca691da13163e0483f6061bbb20b3}
cache_root=${VMEXIT_PROF_CACHE:-/var/cache/vmexit-prof}

say() { echo "build-qemu: $*" >&2; }
die() { say "error: $*"; exit 1; }

build_packages=(dpkg-dev meson ninja-build pkg-config gcc make python3 flex bison
                libglib2.0-dev libpixman-1-dev libfdt-dev libslirp-dev zlib1g-dev
                systemtap-sdt-dev liblttng-ust-dev seabios ipxe-qemu)

ensure_packages() {
  local missing=() p
  for p in "${build_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing build dependencies: ${missing[*]} (install them: apt-get install ${missing[*]})"
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "could not install: ${missing[*]}"
}

# apt-get source needs a deb-src entry for the running suite.
ensure_deb_src() {
  if apt-get source --print-uris -qq "qemu=$QEMU_SRC_VERSION" >/dev/null 2>&1; then
    return 0
  fi
  local suite file=/etc/apt/sources.list.d/vmexit-prof-deb-src.sources
  suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
  [ -n "$suite" ] || die "cannot tell this machine's Debian suite from /etc/os-release"
  [ "$(id -u)" = 0 ] || die "no deb-src entry for $suite and not root to add one"
  say "no deb-src entry for $suite: adding $file"
  cat >"$file" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq || die "apt-get update failed after adding $file"
}

# x86_64 only, KVM and TCG, every trace backend; no docs or firmware (Debian's
# seabios and ipxe-qemu provide it through -L).
configure_flags=(--target-list=x86_64-softmmu --enable-kvm --enable-tcg
                 --enable-trace-backends=dtrace,simple,ust,log
                 --disable-docs --disable-install-blobs --disable-werror
                 --disable-gtk --disable-sdl --disable-vnc --disable-opengl --disable-spice
                 --disable-xen --disable-libusb --disable-usb-redir --disable-curl)

overlay_hash() {
  # Everything that changes the built binary: the overlay and the configuration.
  { (cd "$here" && find . -type f \( -name '*.c' -o -name '*.h' -o -name '*.patch' -o -name 'trace-events' -o -name '*.md' \) \
      -print0 | sort -z | xargs -0 sha256sum)
    printf '%s\n' "${configure_flags[@]}"; } | sha256sum | cut -c1-16
}

fetch_source() {
  local dir=$1
  mkdir -p "$dir"
  (cd "$dir" && apt-get source -qq "qemu=$QEMU_SRC_VERSION" >/dev/null 2>"$dir/fetch.log") ||
    die "download of qemu $QEMU_SRC_VERSION failed (see $dir/fetch.log)"
  local dsc
  dsc=$(ls "$dir"/qemu_*.dsc)
  if [ -n "$QEMU_DSC_SHA256" ]; then
    echo "$QEMU_DSC_SHA256  $dsc" | sha256sum -c --quiet - || die "checksum mismatch for $dsc"
  fi
  # dpkg-source checked every file against the .dsc; keep its digest as a record.
  sha256sum "$dsc" >"$dir/dsc.sha256"
}

apply_overlay() {
  local src=$1
  # The overlay mirrors QEMU's tree: each file goes to its own path there,
  # but a trace-events fragment is appended to QEMU's file of that folder.
  (cd "$here" && find hw include docs -type f ! -name trace-events) | while read -r f; do
    mkdir -p "$src/$(dirname "$f")" && cp "$here/$f" "$src/$f"
  done
  (cd "$here" && find hw -type f -name trace-events) | while read -r f; do
    cat "$here/$f" >>"$src/$f"
  done
  patch -s -p1 -d "$src" <"$here/qemu-overlay.patch" || die "overlay patch does not apply to qemu $QEMU_SRC_VERSION"
}

build() {
  local src=$1 prefix=$2
  mkdir -p "$src/build"
  (cd "$src/build" &&
    ../configure --prefix="$prefix" "${configure_flags[@]}" >"$src/configure.log" 2>&1) ||
    die "configure failed (see $src/configure.log)"
  say "compiling (about 5 minutes on 2 cores)"
  # ninja's own [n/N] progress, one line at a time.
  (cd "$src/build" && ninja -j"$(nproc)" qemu-system-x86_64 trace/trace-events-all 2>&1 |
     awk '/^\[[0-9]+\/[0-9]+\]/ { split($1, p, /[\[\/\]]/); if (p[2] % 200 == 0 || p[2] == p[3]) { print "build-qemu: " $1; fflush() } next } /error|FAILED/ { print; fflush() }' >&2;
   exit "${PIPESTATUS[0]}") || die "build failed"
  mkdir -p "$prefix/bin" "$prefix/share/qemu/scripts"
  cp "$src/build/qemu-system-x86_64" "$prefix/bin/"
  # The event list of this very binary, and QEMU's own reader of simple-trace
  # files (which needs it), for the tests and the trace sources.
  [ -f "$src/build/trace/trace-events-all" ] || die "the build left no trace/trace-events-all"
  cp "$src/build/trace/trace-events-all" "$prefix/share/qemu/trace-events-all"
  cp "$src/scripts/simpletrace.py" "$prefix/share/qemu/scripts/"
  cp -r "$src/scripts/tracetool" "$prefix/share/qemu/scripts/"
  cp "$src/scripts/tracetool.py" "$prefix/share/qemu/scripts/" 2>/dev/null || true
}

scratch=
cleanup() { if [ -n "$scratch" ]; then rm -rf "$scratch"; fi; }
trap cleanup EXIT

main() {
  local version=${QEMU_SRC_VERSION#*:} key entry
  key="qemu-${version}-$(overlay_hash)"
  entry="$cache_root/$key"
  if [ -x "$entry/bin/qemu-system-x86_64" ] && [ -f "$entry/.complete" ]; then
    say "up to date: $entry"
    echo "$entry/bin/qemu-system-x86_64"
    return 0
  fi
  mkdir -p "$cache_root"
  # One build at a time; a second caller waits and then finds it done.
  exec 9>"$cache_root/.lock"
  flock 9
  if [ -x "$entry/bin/qemu-system-x86_64" ] && [ -f "$entry/.complete" ]; then
    echo "$entry/bin/qemu-system-x86_64"
    return 0
  fi
  ensure_packages
  ensure_deb_src
  # Leftovers of an interrupted build are never trusted: clear them.
  rm -rf "$cache_root"/.build-qemu-*
  scratch=$(mktemp -d "$cache_root/.build-$key.XXXXXX")
  say "fetching Debian's qemu $QEMU_SRC_VERSION"
  fetch_source "$scratch/src"
  local src
  src=$(find "$scratch/src" -maxdepth 1 -type d -name 'qemu-*' | head -1)
  [ -n "$src" ] || die "no unpacked source in $scratch/src"
  apply_overlay "$src"
  build "$src" "$scratch/install"
  cp "$src/build/config-host.mak" "$scratch/install/" 2>/dev/null || true
  touch "$scratch/install/.complete"
  rm -rf "$entry"
  mv "$scratch/install" "$entry"
  say "built $entry"
  echo "$entry/bin/qemu-system-x86_64"
}

main "$@"
