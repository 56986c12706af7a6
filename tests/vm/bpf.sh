#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The BPF programs through BPF_PROG_TEST_RUN in the guest kernel, the one
# their vmlinux.h was generated from (the host run may differ or skip):
# classification, pacing, the token bucket, budgets, IPv6, concurrency.
# Here nothing may skip: the guest has root, BPF and cgroup v2.
source "$GRID_TOP/tests/lib.sh"

pretty "net_quota_test"
rc=0
out=$(net_quota_test 2>&1) || rc=$?
echo "$out"
if ((rc != 0)); then
	echo "[-] net_quota_test exited with status $rc"
	failures=$((failures + 1))
fi
ran() { grep -q '^PASS ' <<<"$out"; }
no_skip() { ! grep -q '^SKIP' <<<"$out"; }
ok net_quota_ran ran
ok nothing_was_skipped no_skip
finish
