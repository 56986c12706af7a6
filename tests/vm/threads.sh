#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 8 threads mixing lease ioctls, status and netlink dumps for 30 s; then
# the module must unload with its object log balanced and no splat.
source "$GRID_TOP/tests/lib.sh"

grid_load
pretty "grid_stress threads 8 ${GRID_STRESS_SECONDS:-30}"
grid_stress threads 8 ${GRID_STRESS_SECONDS:-30} || failures=$((failures + 1))
ok nothing_left jq -e '.ioctl | .leases == 0 and .grids == 0 and .gridgrids == 0' <(gridctl -j status via ioctl)
grid_unload
ok created_destroyed_balance grid_balance
finish
