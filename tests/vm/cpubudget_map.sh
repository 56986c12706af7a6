#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The CPU-budget tests of build/tests/vm/grid_cpubudget_test that fill the
# lease map, and check that budgets stay enforced: the map filled to the
# product's size (16384 entries, made from userland), and more short
# leases made and ended than the map holds, one process and one cgroup
# each, with the map made 2048 entries (GRID_TEST_LEASE_ENTRIES): the same
# BPF code and the same full map, in 2.3k processes rather than 17k (two
# minutes under emulation). Their timing is loose (a freeze within 3 s,
# 80 ms of a 100 ms budget charged): they run beside another guest, while
# tests/vm/cpubudget.sh, which times freezes to 50 ms, runs alone.
source "$GRID_TOP/tests/lib.sh"

grid_load
# Through tee: a test that hangs still leaves its lines in the console.
pretty "grid_cpubudget_test a_full_lease_map"
grid_cpubudget_test a_full_lease_map | tee /tmp/map.out
[[ ${PIPESTATUS[0]} == 0 ]] || failures=$((failures + 1))
pretty "GRID_TEST_LEASE_ENTRIES=2048 grid_cpubudget_test more_short_leases"
GRID_TEST_LEASE_ENTRIES=2048 grid_cpubudget_test more_short_leases | tee -a /tmp/map.out
[[ ${PIPESTATUS[0]} == 0 ]] || failures=$((failures + 1))
ok both_map_tests_ran test "$(grep -c '^PASS .*_map_' /tmp/map.out)" -eq 2
pretty "rmmod grid"
ok rmmod_succeeds rmmod grid
ok created_destroyed_balance grid_balance
finish
