#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-alone: two gridds and their jobs' sandboxes; its peers keep alive every 1 s (GRIDD_PEER_TIMERS)
#
# Remote jobs end to end (user/gridd/jobs_*.c, PROTOCOL.md §11): home, a
# laptop's grid, runs jobs on pi, a provider, with gridctl run, over a
# session between their gridds in two network namespaces:
#
#     home [ns home] c0 10.0.3.1/24 ----------- c0 10.0.3.2/24 [ns pi] pi
#
# home is a consumer (ip netns exec, before grid.ko); pi uses grid.ko
# (gridd.conf 'netns pi'). home founds the grid-grid club, pi joins and
# shares, home asks pi for a lease, and then: stdout, stderr and exit
# codes exact, input through, a terminal, signals, a memory hog, a fork
# bomb, the lease's end, gridctl away and back (attach), and pi's gridd
# killed mid-job.
source "$GRID_TOP/tests/lib.sh"

D=/tmp/jobs
mkdir -p $D
source "$GRID_TOP/tests/jobs_lib.bash"
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for n in home pi; do $IP netns del $n 2>/dev/null; done
}
trap cleanup EXIT
export GRIDD_PEER_TIMERS=3000,1000,3000,60000,90000,2000

H() { gridctl -S $D/home.sock "$@"; }
P() { gridctl -S $D/pi.sock "$@"; }
said() { echo "    $*"; }
# is WANT CMD...: CMD's stdout is WANT.
is() {
	local want=$1 got
	shift
	got=$("$@") || true
	[[ $got == "$want" ]] || { echo "    got: $(printf '%q' "$got" | cut -c 1-200)" >&2; return 1; }
}
# status N CMD...: CMD exits with N.
status() {
	local want=$1 rc=0
	shift
	"$@" >/dev/null 2>&1 || rc=$?
	[[ $rc == "$want" ]] || { echo "    status $rc" >&2; return 1; }
}
R() { H run on pi -- "$@"; }

pretty "two grids: home (a consumer) and pi (a provider)"
ok network veth_pair home 10.0.3.1 pi 10.0.3.2
start home home $'listen 10.0.3.1:7470\npeer 10.0.3.2:7470\n'
ok home_up ready home
grid_load
grid_cgroups >/dev/null
PI_CONF="netns pi"$'\n'"listen [::]:7470"$'\n'"pause file $D/pause"$'\n'
start pi - "$PI_CONF"
ok pi_up ready pi
HK=$(H init home | key_of)
PK=$(P init pi | key_of)
H gridgrid create club >/dev/null
INV=$(H gridgrid invite club for "$PK" expires 1h)
ok pi_joins P gridgrid join "$INV"
ok home_knows_pi until_ok 15 sh -c "gridctl -S $D/home.sock gridgrid list | grep -q '^club .* members 2\$'"
ok pi_shares P share set club cpu 1 memory 256M pids 64
ok lease_granted H lease request club on pi cpu 0.5 memory 128M pids 32 for 1h

pretty "trust before the first foreign job: gridctl selftest on pi"
ok refused_before_selftest sh -c "! gridctl -S $D/home.sock run on pi -- true 2>$D/pre.err && grep -q 'selftest' $D/pre.err"
P selftest >$D/selftest.out 2>&1
ok selftest_passes test $? = 0
sed 's/^/    /' $D/selftest.out
for c in host_processes write_outside_work capabilities load_module network_none \
	leave_cgroup raise_limits devgrid_scoped devices_and_tasks; do
	ok "selftest_$c" grep -q "^$c pass" $D/selftest.out
done
ok selftest_json sh -c "gridctl -S $D/pi.sock -j selftest | jq -e '.checks | length == 10 and all(.state == \"pass\")'"

pretty "stdio and status, like ssh"
ok stdout_exact is "hello" R echo hello
ok stderr_exact sh -c "[ \"\$(gridctl -S $D/home.sock run on pi -- sh -c 'echo err >&2; echo out' 2>&1 >/dev/null)\" = err ]"
ok exit_3 status 3 R sh -c 'exit 3'
ok killed_by_9_is_137 status 137 R sh -c 'kill -9 $$'
ok not_found_127 status 127 R /no/such/program
ok stdin_through sh -c "[ \"\$(echo through | gridctl -S $D/home.sock run on pi -- cat)\" = through ]"
head -c 104857600 /dev/urandom >$D/in100
t=$EPOCHREALTIME
ok hundred_mib_through_and_back sh -c "gridctl -S $D/home.sock run on pi -- cat <$D/in100 | cmp - $D/in100"
said "100 MiB there and back in $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
rm -f $D/in100
ok job_is_root_in_its_namespace is "0" R id -u
ok work_dir_is_home is "/work" R pwd
ok no_terminal_without_t is "not a tty" R tty
ok terminal_with_t sh -c "gridctl -S $D/home.sock run on pi -t -- tty </dev/null | tr -d '\r' | grep -qx '/dev/pts/0'"
ok interactive_shell_with_t sh -c "printf 'echo in-\$((6*7))\nexit 4\n' | gridctl -S $D/home.sock run on pi -t -- sh -i | tr -d '\r' | grep -qx in-42"

pretty "the sandbox on pi"
ok sees_no_host_pids is "1 2" R sh -c 'cd /proc; echo $(ls -d [0-9]* | sort -n | head -2)'
ok no_network_by_default sh -c "! gridctl -S $D/home.sock run on pi -- sh -c 'ls /sys/class/net | grep -v lo | grep -q .'"
ok in_its_cgroup is "0::/" R cat /proc/self/cgroup
# Egress would be the provider's own network namespace: not offered yet.
ok egress_refused sh -c "! gridctl -S $D/home.sock run on pi net egress -- true 2>$D/egress.err && grep -q \"net none\" $D/egress.err"
ok cannot_write_the_root status 1 R sh -c 'touch /usr/x 2>/dev/null && exit 0 || exit 1'
# 64 sleeps asked for; the lease allows 32 tasks, the init and the shell among them.
fork_bomb() {
	local n
	# ash gives up at the first fork refused: the last count printed is
	# how many sleeps there were.
	n=$(R sh -c 'i=0; while [ $i -lt 64 ]; do sleep 10 & i=$((i+1)); echo $i; done' 2>/dev/null | tail -n 1)
	[[ $n -ge 16 && $n -le 30 ]] || { echo "    $n sleeps" >&2; return 1; }
}
ok fork_bomb_stops_at_pids_max fork_bomb
R sh -c 'x=a; while :; do x=$x$x; done' 2>$D/oom.err
ok memory_hog_oom_killed test $? = 137
ok holder_told_of_the_oom grep -q 'out of memory' $D/oom.err
grep -q 'out of memory' $D/oom.err || sed 's/^/    said: /' $D/oom.err

pretty "gridctl away and back: the job goes on, its output arrives once"
H run on pi -- sh -c 'echo first; sleep 3; echo second' >$D/away.out 2>&1 &
rp=$!
sleep 1.5
kill -9 $rp 2>/dev/null
wait $rp 2>/dev/null
JOB=$(H -j jobs | jq -r '.jobs[] | select(.state == "running") | .job' | head -n 1)
ok job_listed_running test -n "$JOB"
ok attach_gets_the_rest sh -c "gridctl -S $D/home.sock job attach $JOB | grep -qx second"
ok first_was_delivered_before grep -qx first $D/away.out

pretty "pi's gridd killed mid-job: the job goes on, its output reaches home"
H run on pi -- sh -c 'sleep 2; echo after-restart' >$D/restart.out 2>$D/restart.err &
rp=$!
sleep 1
kill -9 $pid_pi
wait $pid_pi 2>/dev/null
: >$D/pi.log.old && cat $D/pi.log >>$D/pi.log.old && : >$D/pi.log
start pi - "$PI_CONF"
ok pi_up_again ready pi
ok pi_reattached until_ok 10 grep -q 'reattached' $D/pi.log
wait $rp
ok output_after_restart grep -qx after-restart $D/restart.out

pretty "signals and the lease's end"
H run on pi -- sleep 30 >/dev/null 2>&1 &
rp=$!
sleep 1.5
JOB=$(H -j jobs | jq -r '.jobs[] | select(.state == "running") | .job' | head -n 1)
ok job_cgroup_under_the_lease test -d /sys/fs/cgroup/grid/club/lease-*/job-"$JOB"
ok job_cgroup_oom_group is 1 cat /sys/fs/cgroup/grid/club/lease-*/job-"$JOB"/memory.oom.group
ok job_kill H job kill "$JOB" TERM
wait $rp
ok killed_by_term_is_143 test $? = 143
LID=$(H -j lease request club on pi cpu 0.5 memory 64M pids 8 for 8s | jq -r .id)
ok short_lease test "$LID" -gt 0
ok lease_end_kills_the_job sh -c "gridctl -S $D/home.sock run on pi lease $LID -- sleep 30 2>$D/end.err; [ \$? = 137 ]"
ok holder_told_the_lease_ended grep -q "lease $LID ended" $D/end.err

pretty "a nomad provider: its pause freezes a job, not kills it, and it goes on"
H run on pi -- sh -c 'echo one; sleep 2; echo two' >$D/pause.out 2>$D/pause.err &
rp=$!
ok first_line_out until_ok 10 grep -qx one $D/pause.out
touch $D/pause
JOB=$(H -j jobs | jq -r '.jobs[] | select(.state == "running" or .state == "paused") | .job' | head -n 1)
ok job_frozen until_ok 10 grep -qx 'frozen 1' /sys/fs/cgroup/grid/club/lease-*/job-"$JOB"/cgroup.events
ok holder_lists_it_paused until_ok 10 sh -c "gridctl -S $D/home.sock -j jobs | jq -e '.jobs[] | select(.job == \"$JOB\" and .state == \"paused\")'"
ok new_job_refused_while_paused sh -c "! gridctl -S $D/home.sock run on pi -- true 2>$D/pause2.err && grep -q 'pauses while' $D/pause2.err"
sleep 3
ok frozen_job_did_not_go_on sh -c "! grep -q two $D/pause.out"
rm -f $D/pause
wait $rp
ok paused_job_ends_well test $? = 0
ok paused_job_all_output is "one,two," tr '\n' , <$D/pause.out
ok holder_told_paused grep -q 'paused' $D/pause.err
ok job_runs_after_the_pause is "after" R echo after

pretty "the end"
ok pi_alive kill -0 $pid_pi
ok home_alive kill -0 $pid_home
for n in home pi; do
	eval "p=\$pid_$n"
	kill -TERM "$p"
	wait "$p"
	ok "${n}_stops_cleanly" test $? = 0
done
pids=()
if ((failures)); then
	for n in home pi; do
		echo "--- $n.log"
		tail -n 60 $D/$n.log
	done
fi
finish
