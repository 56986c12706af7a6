#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-alone: lease ends are checked inside windows of 200 to 300 ms
#
# Runs build/tests/vm/grid_lease_test (tests/vm/grid_lease_test.c): lease
# ADD/SET/DEL/REVOKE, their states, and admission against the share at the
# boundary of every limit. Then unloads grid.ko, which must succeed, and
# balances the object log.
source "$GRID_TOP/tests/lib.sh"

grid_load
pretty "grid_lease_test"
grid_lease_test || failures=$((failures + 1))
pretty "rmmod grid"
ok rmmod_succeeds rmmod grid
ok created_destroyed_balance grid_balance
finish
