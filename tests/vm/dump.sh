#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs build/tests/vm/grid_dump_test (tests/vm/grid_dump_test.c): dumps
# that finish under churn, and events with generations. Then unloads
# grid.ko, which must succeed, and balances the object log.
source "$GRID_TOP/tests/lib.sh"

grid_load
pretty "grid_dump_test"
grid_dump_test || failures=$((failures + 1))
pretty "rmmod grid"
ok rmmod_succeeds rmmod grid
ok no_test_cgroup_is_left sh -c '! ls -d /sys/fs/cgroup/gridtest.* 2>/dev/null'
ok created_destroyed_balance grid_balance
finish
