#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 10,000 leases created, dumped (netlink and gridfs) and destroyed, with
# the figures: create and destroy rates, dump time, kernel memory per lease.
source "$GRID_TOP/tests/lib.sh"

grid_load
pretty "grid_stress scale 10000"
grid_stress scale 10000 || failures=$((failures + 1))
grid_unload
ok created_destroyed_balance grid_balance
finish
