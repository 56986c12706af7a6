#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM for scripts/demo: three grids in network namespaces
# (home, the clubhouse, a pi), the grid-grid clubhouse, a lease from the
# pi to home, and a job from home run on the pi with gridctl run; then
# the kernel's view, and a grid-grid's network quota.
set -e
# say CMD...: shows CMD (its words with spaces quoted), then runs it.
say() {
	local w line=
	for w; do [[ $w == *[[:space:]\'\"\$]* ]] && w="'${w//\'/\'\\\'\'}'"; line+=" $w"; done
	printf '\n\033[1m%s$%s\033[0m\n' "${WHO:+$WHO }" "$line"
	"$@"
}
note() { printf '\n\033[2m# %s\033[0m\n' "$*"; }
IP=/usr/sbin/ip
D=/tmp/demo
mkdir -p $D
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT

note "three machines: home (a laptop), the clubhouse (a server), a pi; one link each to the clubhouse"
modprobe veth
for n in home clubhouse pi; do $IP netns add $n; $IP -n $n link set lo up; done
$IP link add c0 netns home type veth peer name h0 netns clubhouse
$IP link add p0 netns clubhouse type veth peer name c0 netns pi
$IP -n home addr add 10.0.1.2/24 dev c0
$IP -n clubhouse addr add 10.0.1.1/24 dev h0
$IP -n clubhouse addr add 10.0.2.1/24 dev p0
$IP -n pi addr add 10.0.2.2/24 dev c0
for l in "home c0" "clubhouse h0" "clubhouse p0" "pi c0"; do set -- $l; $IP -n $1 link set $2 up; done
$IP -n home route add 10.0.2.0/24 via 10.0.1.1
$IP -n pi route add 10.0.1.0/24 via 10.0.2.1
echo 1 | $IP netns exec clubhouse tee /proc/sys/net/ipv4/ip_forward >/dev/null

# gridd NAME HOW CONF: home and the clubhouse only use the network
# (consumers, started before grid.ko); the pi provides, with grid.ko.
gridd_for() {
	printf 'state_dir %s/%s\nsocket %s/%s.sock\nbpf no\nbeacon no\n%s' $D "$1" $D "$1" "$3" >$D/"$1".conf
	if [[ $2 == exec ]]; then
		$IP netns exec "$1" gridd --config $D/"$1".conf 2>$D/"$1".log &
	else
		gridd --config $D/"$1".conf 2>$D/"$1".log &
	fi
	pids+=($!)
	for _ in $(seq 200); do grep -q 'gridd: ready' $D/"$1".log 2>/dev/null && return; sleep 0.05; done
}
home() { WHO=home say gridctl -S $D/home.sock "$@"; }
club() { WHO=clubhouse say gridctl -S $D/clubhouse.sock "$@"; }
pi() { WHO=pi say gridctl -S $D/pi.sock "$@"; }
q() { gridctl -S $D/"$1".sock "${@:2}"; }
key() { sed -n 's/^grid [a-z]* key \([0-9a-f]*\)$/\1/p' $D/"$1".id; }

note "a gridd on each: its own keys, its own rules"
gridd_for clubhouse exec $'listen 10.0.1.1:7470\nlisten 10.0.2.1:7470\n'
gridd_for home exec $'listen 10.0.1.2:7470\npeer 10.0.1.1:7470\n'
insmod /grid/kmod/grid.ko
echo "+cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
gridd_for pi conf $'netns pi\nlisten 10.0.2.2:7470\npeer 10.0.2.1:7470\npeer 10.0.1.2:7470\n'
club init clubhouse | tee $D/clubhouse.id
home init home | tee $D/home.id
pi init pi | tee $D/pi.id

note "the clubhouse founds the grid-grid clubhouse, and invites home and the pi"
club gridgrid create clubhouse
INV=$(q clubhouse gridgrid invite clubhouse for "$(key home)" expires 1h)
home gridgrid join "$INV"
INV=$(q clubhouse gridgrid invite clubhouse for "$(key pi)" expires 1h)
pi gridgrid join "$INV"
for _ in $(seq 100); do q home gridgrid list | grep -q 'members 3$' && break; sleep 0.2; done
home gridgrid list

note "the pi shares a core and 256 MiB with the clubhouse, and checks its sandbox first"
pi share set clubhouse cpu 1 memory 256M pids 64
pi selftest

note "home asks the pi for a lease: no central server, the pi decides"
home lease request clubhouse on pi cpu 0.5 memory 128M pids 32 for 1h
home lease list

note "and runs a job on the pi, as with ssh: its output, its exit status"
home run on pi -- sh -c 'echo "hello from $(hostname), uid $(id -u) in the job"; cat /proc/self/cgroup; head -c 64 /proc/meminfo'
echo | home run on pi -- sh -c 'exit 3' || echo "(exit status $?)"
home jobs
home ledger

note "while a job runs, the pi's kernel holds it to its lease: a sandbox bound in grid.ko"
q home run on pi -- sleep 3 &
job=$!
sleep 1.5
say gridctl kernel lease list
say gridctl kernel sandbox list
wait $job

note "a grid-grid's network quota (BPF): 'lan', paced at 8 Mbit/s from namespace a to b"
source /grid/tests/quota_lib.bash
net_up
gg_make lan
say gridctl quota attach lan egress 8mbit netns a dev a0
$IP netns exec b iperf3 -s -1 >/dev/null 2>&1 &
srv=$!
sleep 0.3
say in_cgroup $CG/lan/lease $IP netns exec a iperf3 -c 10.9.0.2 -t 3 -f M
wait $srv || true
say gridctl quota
say bpftool map dump pinned /sys/fs/bpf/grid/grid_gg_net
say gridctl quota detach lan
