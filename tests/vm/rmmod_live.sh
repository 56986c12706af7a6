#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod with 1,000 live leases and a sandbox with a running job: the job
# is killed, every object freed (the created/destroyed log balances) and
# kernel memory is back to its baseline.
source "$GRID_TOP/tests/lib.sh"

ggdir=$(grid_cgroups)/gg2
cg=$ggdir/l5000

# Baseline after one load/unload, as in loadunload.sh.
grid_load >/dev/null; grid_unload >/dev/null
sync; echo 3 >/proc/sys/vm/drop_caches; sleep 1
before=$(kernel_mem_kb)

grid_load
grid_stress populate 1000 "$ggdir" || failures=$((failures + 1))
sleep 1000 &
job=$!
echo "$job" >"$cg/cgroup.procs"
ok job_runs kill -0 "$job"
ok status_counts_them jq -e '.ioctl | .leases == 1000 and .sandboxes == 1' <(gridctl -j status via ioctl)
grid_unload
# A job the unload did not kill must not hang the test.
for ((i = 0; i < 50; i++)); do kill -0 "$job" 2>/dev/null || break; sleep 0.1; done
kill -9 "$job" 2>/dev/null && pretty "the job outlived rmmod"
wait "$job"
ok job_was_killed test $? = 137
ok module_is_gone sh -c '! grep -q "^grid " /proc/modules'
sync; echo 3 >/proc/sys/vm/drop_caches; sleep 2
after=$(kernel_mem_kb)
pretty "kernel memory: before $before kB, after $after kB"
ok kernel_memory_back_to_baseline test $((after - before)) -lt 512
ok created_destroyed_balance grid_balance
rmdir "$cg" "$ggdir"
finish
