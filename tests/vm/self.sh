#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-alone: a pending lease is checked inside a 400 ms window
#
# Runs build/tests/vm/grid_self_test (tests/vm/grid_self_test.c): what a
# task inside a sandbox may ask (GRID_IOC_SELF, GRID_IOC_VERSION) and may
# not. The cpu, memory and pids controllers are enabled first, as gridd
# would, so that SELF's usage numbers have cgroup files to agree with. Then
# unloads grid.ko, which must succeed, checks that no test cgroup is left,
# and balances the object log.
source "$GRID_TOP/tests/lib.sh"

pretty "enable cpu, memory and pids for child cgroups"
echo "+cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
grid_load
pretty "grid_self_test"
grid_self_test || failures=$((failures + 1))
pretty "rmmod grid"
ok rmmod_succeeds rmmod grid
ok no_test_cgroup_is_left sh -c '! ls -d /sys/fs/cgroup/gridtest.* 2>/dev/null'
ok created_destroyed_balance grid_balance
finish
