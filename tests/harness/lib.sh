# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for tests/harness/*.sh: host tests of the project's tooling.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A name for this test's VMs (scripts/vm --name), so that checks see only
# them and not VMs that other work runs at the same time.
vm_name=harness-$$-$RANDOM

# Fails if a QEMU started under $vm_name is still running.
no_qemu_left() {
	local p
	p=$(pgrep -f -- "-name $vm_name" || true)
	if [[ -n $p ]]; then
		echo "QEMU $p is still running"
		return 1
	fi
}
