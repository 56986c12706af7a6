#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loads and unloads grid.ko 100 times with gridctl status between (so each
# cycle opens handles and talks netlink), then checks that the object log
# balances and that the kernel's unreclaimable slab plus vmalloc use is back
# where it started. A leak of even 4 KiB per cycle would show as 400 KiB.
source "$GRID_TOP/tests/lib.sh"

cycles=100
# One cycle first, so that caches the kernel fills once (the netlink
# family table, kernfs nodes for the device, ...) are part of the baseline.
grid_load >/dev/null
gridctl status >/dev/null
grid_unload >/dev/null
sync; echo 3 >/proc/sys/vm/drop_caches; sleep 1
before=$(kernel_mem_kb)
created_before=$(grid_created_count)

pretty "$cycles load/status/unload cycles"
bad=0
for ((i = 0; i < cycles; i++)); do
	insmod "$GRID_TOP/kmod/grid.ko" dyndbg=+p || { bad=1; break; }
	gridctl -j status | jq -e '.ioctl.handles == 1 and .netlink.handles == 0' >/dev/null || { bad=1; break; }
	rmmod grid || { bad=1; break; }
done
ok all_cycles_succeeded test "$bad" = 0
ok module_is_gone sh -c '! grep -q "^grid " /proc/modules'
# Module text and init sections are freed after an RCU grace period.
sync; echo 3 >/proc/sys/vm/drop_caches; sleep 2
after=$(kernel_mem_kb)
pretty "kernel memory: before $before kB, after $after kB, delta $((after - before)) kB"
ok kernel_memory_back_to_baseline test $((after - before)) -lt 256
ok every_cycle_logged_its_handles test $(($(grid_created_count) - created_before)) -ge $cycles
ok created_destroyed_balance grid_balance
finish
