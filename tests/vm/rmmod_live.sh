#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod with 1,000 live leases and a sandbox with a running job: the job
# is killed, every object freed (the created/destroyed log balances) and
# kernel memory is back to its baseline.
source "$GRID_TOP/tests/lib.sh"

echo +cpu +memory +pids >/sys/fs/cgroup/cgroup.subtree_control
cg=/sys/fs/cgroup/rmmod-job
mkdir -p "$cg"

# Baseline after one load/unload, as in loadunload.sh.
grid_load >/dev/null; grid_unload >/dev/null
sync; echo 3 >/proc/sys/vm/drop_caches; sleep 1
before=$(kernel_mem_kb)

grid_load
sleep 1000 &
job=$!
echo "$job" >"$cg/cgroup.procs"
grid_stress populate 1000 "$cg" || failures=$((failures + 1))
ok job_runs kill -0 "$job"
ok status_counts_them jq -e '.ioctl | .leases == 1000 and .sandboxes == 1' <(gridctl -j status via ioctl)
grid_unload
wait "$job"
ok job_was_killed test $? = 137
ok module_is_gone sh -c '! grep -q "^grid " /proc/modules'
sync; echo 3 >/proc/sys/vm/drop_caches; sleep 2
after=$(kernel_mem_kb)
pretty "kernel memory: before $before kB, after $after kB"
ok kernel_memory_back_to_baseline test $((after - before)) -lt 512
ok created_destroyed_balance grid_balance
rmdir "$cg"
finish
