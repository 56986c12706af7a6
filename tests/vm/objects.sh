#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs build/tests/vm/grid_objects_test (tests/vm/grid_objects_test.c): the
# struct rules of every object ioctl, names and keys, and the life of grids,
# grid-grids, peers and shares. Then unloads grid.ko, which must succeed,
# and balances the object log.
source "$GRID_TOP/tests/lib.sh"

grid_load
pretty "grid_objects_test"
grid_objects_test || failures=$((failures + 1))
pretty "rmmod grid"
ok rmmod_succeeds rmmod grid
ok created_destroyed_balance grid_balance
finish
