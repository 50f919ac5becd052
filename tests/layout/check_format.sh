#!/usr/bin/env bash
# check_format.sh SOURCE_DIR: every C file of the project is in its one
# style (.clang-format); QEMU's own files (qemu-trace-events/) keep QEMU's.
# Prints the files that are not and exits 1; `clang-format -i FILE` fixes one.
set -uo pipefail
top=$1
command -v clang-format >/dev/null || { echo "FAIL: clang-format is not installed (scripts/setup-deps.sh installs it)"; exit 1; }
cd "$top" || exit 1
bad=()
while IFS= read -r -d '' f; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(find bpf collector reports guest-workloads tests bench -name '*.[ch]' -print0 | sort -z)
if [ ${#bad[@]} -gt 0 ]; then
  printf 'not in the project style (.clang-format): %s\n' "${bad[@]}"
  exit 1
fi
echo "ok: every C file is in the project style"
