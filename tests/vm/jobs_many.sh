#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-alone: three gridds and 80 sandboxes at once
# vm-mem: 512
#
# 200 short jobs from two holder grids (home and laptop, 100 each, 40 at a
# time from each) run on one provider (pi): every one completes with its
# own output, none is lost and none runs twice. Prints the jobs per second.
#
#   home   [ns holders] 10.0.3.1:7470 \
#                                      c0 --- c0 [ns pi] 10.0.3.2:7470 pi
#   laptop [ns holders] 10.0.3.1:7471 /
source "$GRID_TOP/tests/lib.sh"

D=/tmp/jobs_many
mkdir -p $D
source "$GRID_TOP/tests/jobs_lib.bash"
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for n in holders pi; do $IP netns del $n 2>/dev/null; done
}
trap cleanup EXIT
# A handshake within 10 s, dead after 20 s: a provider starting 80
# sandboxes at once under emulation is busy for seconds, and its sessions
# must outlast that.
export GRIDD_PEER_TIMERS=10000,1000,20000,60000,90000,2000

said() { echo "    $*"; }

pretty "three grids: home and laptop hold, pi provides"
ok network veth_pair holders 10.0.3.1 pi 10.0.3.2
start home holders $'listen 10.0.3.1:7470\npeer 10.0.3.2:7470\n'
start laptop holders $'listen 10.0.3.1:7471\npeer 10.0.3.2:7470\npeer 10.0.3.1:7470\n'
ok home_up ready home
ok laptop_up ready laptop
grid_load
grid_cgroups >/dev/null
start pi - $'netns pi\nlisten 10.0.3.2:7470\n'
ok pi_up ready pi
G home init home >/dev/null
LK=$(G laptop init laptop | key_of)
PK=$(G pi init pi | key_of)
G home gridgrid create club >/dev/null
ok laptop_joins G laptop gridgrid join "$(G home gridgrid invite club for "$LK" expires 1h)"
ok pi_joins G pi gridgrid join "$(G home gridgrid invite club for "$PK" expires 1h)"
ok all_know_all until_ok 20 sh -c "gridctl -S $D/laptop.sock gridgrid list | grep -q 'members 3\$' && gridctl -S $D/home.sock gridgrid list | grep -q 'members 3\$'"
ok pi_shares G pi share set club cpu 1 memory 768M pids 1024
ok pi_selftest G pi selftest
ok home_lease G home lease request club on pi cpu 0.5 memory 384M pids 512 for 1h
ok laptop_lease G laptop lease request club on pi cpu 0.5 memory 384M pids 512 for 1h

pretty "200 jobs, 40 at a time from each holder"
# many WHO: 100 jobs of WHO, each saying its name and number, 40 at once.
many() {
	seq 1 100 | xargs -P 40 -I{} gridctl -S $D/"$1".sock run on pi -- echo "$1-{}" \
		>$D/"$1".out 2>$D/"$1".err
}
t=$EPOCHREALTIME
many home &
a=$!
many laptop &
b=$!
wait $a
ra=$?
wait $b
rb=$?
dt=$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
said "200 jobs in $dt s: $(awk -v d="$dt" 'BEGIN { printf "%.1f", 200 / d }') jobs/s"
ok home_all_ran test "$ra" = 0
ok laptop_all_ran test "$rb" = 0
for who in home laptop; do
	ok "${who}_each_once" sh -c "sort $D/$who.out | uniq -c | awk '\$1 != 1 { bad++ } END { exit bad }'"
	ok "${who}_hundred" test "$(sort -u $D/$who.out | grep -c "^$who-[0-9]*\$")" = 100
	ok "${who}_nothing_else" test "$(wc -l <$D/$who.out)" = 100
	# gridctl may say it waits (a session being made again): never a refusal.
	ok "${who}_nothing_refused" sh -c "! grep -v -e 'still waiting' -e 'trying again' $D/$who.err | grep -q ."
	ok "${who}_lists_100_ended" test "$(G "$who" -j jobs | jq '[.jobs[] | select(.state == "ended" and .status == 0)] | length')" = 100
done
ok pi_started_200 test "$(grep -c 'gridd: job [0-9a-f]* for ' $D/pi.log)" = 200
ok pi_started_each_once test "$(grep -o 'gridd: job [0-9a-f]* for ' $D/pi.log | sort -u | wc -l)" = 200
ok pi_forgot_them_all until_ok 10 sh -c "[ -z \"\$(ls $D/pi/jobs | grep -v selftest)\" ]"
ok no_job_cgroups_left until_ok 10 sh -c "! ls -d /sys/fs/cgroup/grid/club/lease-*/job-* 2>/dev/null | grep -q ."

pretty "the end"
for n in home laptop pi; do
	ok "${n}_alive" sh -c "grep -q 'gridd: ready' $D/$n.log && gridctl -S $D/$n.sock status >/dev/null"
done
if ((failures)); then
	for n in home laptop pi; do
		echo "--- $n.log"
		tail -n 20 $D/$n.log
	done
	head -n 5 $D/home.err $D/laptop.err
fi
finish
