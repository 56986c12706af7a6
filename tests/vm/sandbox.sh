#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-alone: a killed job is checked gone within 100 ms
#
# Runs build/tests/vm/grid_sandbox_test (tests/vm/grid_sandbox_test.c):
# binding cgroups to leases, and the kill at a lease's end with its latency
# (printed as "# ... latency N ms"). Then unloads grid.ko, which must
# succeed, checks that no test cgroup is left, and balances the object log.
source "$GRID_TOP/tests/lib.sh"

grid_load
pretty "grid_sandbox_test"
grid_sandbox_test || failures=$((failures + 1))
pretty "rmmod grid"
ok rmmod_succeeds rmmod grid
ok no_test_cgroup_is_left sh -c '! ls -d /sys/fs/cgroup/gridtest.* 2>/dev/null'
ok created_destroyed_balance grid_balance
finish
