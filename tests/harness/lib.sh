# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for tests/harness/*.sh: host tests of the project's tooling.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Prints the pids of running QEMU processes, one per line.
qemu_pids() { pgrep -x qemu-system-x86 || pgrep -f '^qemu-system-x86_64 ' || true; }

# Fails if a QEMU process is running that was not in the list $1.
no_new_qemu() {
	local p
	for p in $(qemu_pids); do
		if ! grep -qx "$p" <<<"$1"; then
			echo "QEMU $p is still running: $(tr '\0' ' ' </proc/$p/cmdline | cut -c1-200)"
			return 1
		fi
	done
}
