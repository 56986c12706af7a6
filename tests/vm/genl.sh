#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs build/tests/vm/grid_genl_test (tests/vm/grid_genl_test.c) against a
# freshly loaded grid.ko, then unloads it and balances the object log.
source "$GRID_TOP/tests/lib.sh"

grid_load
pretty "grid_genl_test"
grid_genl_test || failures=$((failures + 1))
grid_unload
ok created_destroyed_balance grid_balance
finish
