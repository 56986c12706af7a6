#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The BPF programs through BPF_PROG_TEST_RUN in the guest kernel, the one
# their vmlinux.h was generated from (the host run may differ or skip).
source "$GRID_TOP/tests/lib.sh"

pretty "net_count_test"
out=$(net_count_test) || failures=$((failures + 1))
echo "$out"
no_skip() { ! grep -q '^SKIP' <<<"$out"; }
ok nothing_was_skipped no_skip
finish
