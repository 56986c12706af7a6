#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A laptop arrives at the clubhouse and finds its grids with no
# configuration: the link-local beacon (PROTOCOL.md §10).
#
#        laptop              clubhouse             stranger
#      [ns laptop]          [ns club]            [ns stranger]
#          l0                   c0                    s0
#           \                   |                    /
#            +----------- br0 (root namespace) -----+
#
# Only IPv6 link-local addresses, no 'peer' line anywhere. clubhouse
# founds the grid-grid and invites laptop (the token travels by hand, as
# a QR code would); then laptop's and clubhouse's gridds find each other
# by their beacons, open a session, and gossip: clubhouse admits laptop's
# proof. stranger beacons too, and is a member of nothing: no one dials
# it. (Forged and replayed beacons: unit/beacon.)
source "$GRID_TOP/tests/lib.sh"

IP=/usr/sbin/ip
D=/tmp/beacon
mkdir -p $D
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for n in laptop club stranger; do $IP netns del $n 2>/dev/null; done
	$IP link del br0 2>/dev/null
}
trap cleanup EXIT

# The guest boots without random bytes ready: the first key waits for them.
export GRIDD_BEACON_INTERVAL=300 GRIDD_PEER_TIMERS=2000,2000,6000,120000,180000,1000

up() {
	local name=$1 ns=$2
	printf 'state_dir %s/%s\nsocket %s/%s.sock\nbpf no\nlisten [::]:7470\n' \
		$D "$name" $D "$name" >$D/"$name".conf
	: >$D/"$name".log
	$IP netns exec "$ns" gridd -v --config $D/"$name".conf 2>>$D/"$name".log &
	pids+=($!)
	for ((i = 0; i < 100; i++)); do
		[[ -S $D/$name.sock ]] && grep -q 'gridd: ready' $D/"$name".log && return 0
		sleep 0.1
	done
	return 1
}
L() { gridctl -S $D/laptop.sock "$@"; }
C() { gridctl -S $D/club.sock "$@"; }
S() { gridctl -S $D/stranger.sock "$@"; }

# until SECS CMD...: CMD succeeds within SECS seconds.
until_ok() {
	local end=$((SECONDS + $1))
	shift
	while ((SECONDS < end)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	"$@"
}
open_with() { "$1" -j peer list | jq -e --arg k "$2" '[.peers[] | select(.type == "session" and .state == "open" and .key == $k)] | length == 1'; }
no_session() { "$1" -j peer list | jq -e '[.peers[] | select(.type == "session")] | length == 0'; }

pretty "a link of three namespaces, link-local only"
modprobe veth 2>/dev/null
modprobe bridge 2>/dev/null
# No MLD querier on this bridge: without snooping it floods multicast as
# a home access point does.
$IP link add br0 type bridge mcast_snooping 0
$IP link set br0 up
for n in laptop club stranger; do
	$IP netns add $n
	$IP link add "${n:0:1}0" type veth peer name "v$n"
	$IP link set "${n:0:1}0" netns $n
	$IP link set "v$n" master br0 up
	$IP netns exec $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	$IP netns exec $n $IP link set lo up
	$IP netns exec $n $IP link set "${n:0:1}0" up
done
ok laptop_has_only_link_local sh -c "! $IP netns exec laptop $IP -6 addr show scope global | grep -q inet6"

pretty "three gridds, no peers configured"
ok laptop_up up laptop laptop
ok club_up up club club
ok stranger_up up stranger stranger
ok laptop_init L init laptop
ok club_init C init clubhouse
ok stranger_init S init stranger
LK=$(L -j status | jq -r .gridd.key)
CK=$(C -j status | jq -r .gridd.key)
ok club_creates C gridgrid create clubhouse
INV=$(C -j gridgrid invite clubhouse for "$LK" | jq -r .token)
ok laptop_joins L gridgrid join "$INV"

pretty "found by the beacon"
t0=$SECONDS
ok laptop_and_club_in_session until_ok 20 open_with L "$CK"
ok club_sees_laptop until_ok 5 open_with C "$LK"
echo "[+] a session $((SECONDS - t0)) s after the join"
ok club_admitted_laptop_by_gossip until_ok 10 sh -c "gridctl -S $D/club.sock -j gridgrid list | jq -e '.gridgrids[0].members == 2'"
ok the_address_is_link_local sh -c "gridctl -S $D/laptop.sock -j peer list | jq -e '[.peers[] | select(.type == \"session\") | .addr | startswith(\"[fe80::\")] | all'"
ok stranger_heard_but_not_dialed no_session S
ok no_one_dialed_the_stranger sh -c "! grep -q 'session open' $D/stranger.log"

pretty "a laptop that leaves and comes back"
$IP netns exec laptop $IP link set l0 down
ok the_session_ends until_ok 15 no_session L
$IP netns exec laptop $IP link set l0 up
t0=$SECONDS
ok found_again until_ok 20 open_with L "$CK"
echo "[+] found again $((SECONDS - t0)) s after the link came back"

for p in "${pids[@]}"; do
	ok "gridd_${p}_still_running" kill -0 "$p"
done
if ((failures)); then
	for f in $D/*.log; do echo "--- $f"; tail -n 25 "$f"; done
fi
finish
