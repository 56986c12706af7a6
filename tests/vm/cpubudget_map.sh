#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The CPU-budget tests of build/tests/vm/grid_cpubudget_test that fill the
# lease map, more leases made and ended than it holds and then a full map,
# and check that budgets stay enforced (whose names have "_map_"). They
# take minutes of work, and their timing is loose (a freeze within 3 s,
# 80 ms of a 100 ms budget charged): they run beside another guest, while
# tests/vm/cpubudget.sh, which times freezes to 50 ms, runs alone.
source "$GRID_TOP/tests/lib.sh"

grid_load
pretty "grid_cpubudget_test _map_"
# Through tee: a test that hangs still leaves its lines in the console.
grid_cpubudget_test _map_ | tee /tmp/map.out
[[ ${PIPESTATUS[0]} == 0 ]] || failures=$((failures + 1))
ok both_map_tests_ran test "$(grep -c '^PASS .*_map_' /tmp/map.out)" -eq 2
pretty "rmmod grid"
ok rmmod_succeeds rmmod grid
ok created_destroyed_balance grid_balance
finish
