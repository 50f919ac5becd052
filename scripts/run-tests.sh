#!/usr/bin/env bash
# Installs what is missing, builds the project's QEMU (cached) and the
# project, and runs every test with ctest.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

"$top/scripts/setup-deps.sh"
qemu=$("$top/qemu-trace-events/build-qemu.sh" | tail -n 1)
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVP_QEMU="$qemu" >/dev/null
cmake --build "$build" -j"$(nproc)"
# The KVM lab's image (kernel and initramfs, cached), made before the tests
# so that its download is not counted in their time; kvm/lab reports a
# failure here as its own.
"$top/tests/lab/lab-setup.sh" >/dev/null || echo "run-tests: the KVM lab could not be prepared; the kvm tests will say why" >&2
cd "$build"
ctest --output-on-failure -j"$(nproc)"
