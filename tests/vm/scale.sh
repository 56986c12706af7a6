#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 10,000 leases created, dumped (netlink and gridfs) and destroyed, with
# the figures: create and destroy rates, dump time, kernel memory per lease.
# The deleted leases' tombstones outlive the test (an hour), so the
# baseline is checked once more after rmmod, which frees them.
source "$GRID_TOP/tests/lib.sh"

grid_load >/dev/null; grid_unload >/dev/null
sync; echo 3 >/proc/sys/vm/drop_caches; sleep 1
before=$(kernel_mem_kb)
grid_load
pretty "grid_stress scale 10000"
grid_stress scale 10000 || failures=$((failures + 1))
grid_unload
sync; echo 3 >/proc/sys/vm/drop_caches; sleep 1
after=$(kernel_mem_kb)
pretty "kernel memory: before insmod $before kB, after rmmod $after kB"
ok memory_back_to_baseline_after_rmmod test $((after - before)) -lt 512
ok created_destroyed_balance grid_balance
finish
