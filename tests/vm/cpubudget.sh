#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-alone: a budget is checked frozen within 50 ms of CPU time
#
# Runs build/tests/vm/grid_cpubudget_test (tests/vm/grid_cpubudget_test.c):
# GRID_IOC_CPU_WATCH's checks, and CPU-time budgets enforced by grid.ko
# freezing a grid-grid's cgroup from the BPF accounting. Then unloads
# grid.ko with nothing frozen left behind, and balances the object log.
# The two tests that fill the lease map (about two minutes of leases made
# and ended) run in tests/vm/cpubudget_map.sh, beside another guest.
source "$GRID_TOP/tests/lib.sh"

grid_load
pretty "grid_cpubudget_test '!_map_'"
grid_cpubudget_test '!_map_' || failures=$((failures + 1))
pretty "rmmod grid"
ok rmmod_succeeds rmmod grid
ok created_destroyed_balance grid_balance
finish
