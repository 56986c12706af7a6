#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The product's network programs attached to a cgroup in the guest kernel,
# meeting real UDP packets on lo: nothing counted until the storage is
# written, then exact counts for the grid-grid and its lease, budgets,
# the pace and the bucket in the state, and the cost per packet from the
# kernel's run-time statistics. Here nothing may skip: the guest has root,
# BPF, cgroup v2 and IPv6 on lo.
source "$GRID_TOP/tests/lib.sh"

pretty "net_attach_test"
rc=0
out=$(net_attach_test 2>&1) || rc=$?
echo "$out"
if ((rc != 0)); then
	echo "[-] net_attach_test exited with status $rc"
	failures=$((failures + 1))
fi
ran() { grep -q '^PASS ' <<<"$out"; }
no_skip() { ! grep -q '^SKIP' <<<"$out"; }
ok net_attach_ran ran
ok nothing_was_skipped no_skip
finish
