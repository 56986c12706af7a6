#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two yggdrasil nodes, a in netns a and b in netns b, peered over a veth
# underlay (fd00:1::1 <-> fd00:1::2) and reaching each other by their
# 200::/7 addresses alone: ping and a TCP exchange between those
# addresses, routed by the yggdrasil tun, and nothing to 200::/7 once the
# nodes are stopped. Then two gridds, each told only the other's 200::/7
# address, form a grid-grid and negotiate a lease over the mesh.
# Prints how long the nodes take to come up and peer, and the lease.
source "$GRID_TOP/tests/lib.sh"
source "$GRID_TOP/tests/ygg_lib.sh"

if ! why=$(ygg_available); then
	echo "SKIP $TEST: $why"
	exit 0
fi

PORT=7000
start=$(ygg_now)
since() { awk -v a="$1" -v b="$(ygg_now)" 'BEGIN { printf "%.2f", b - a }'; }

no_route() { ! $IP -n "$1" -6 route get "$2" >/dev/null 2>&1; }
in_200_7() { grep -qE '^[23][0-9a-f]{2}:' <<<"$1"; }
tun_tx() { $IP -n "$1" -j -s link show dev "$2" | jq '.[0].stats64.tx.packets'; }

# One line from NS_CLIENT to ADDR:PORT, answered from NS_SERVER by a
# one-off busybox nc, which notes its connections (netstat) meanwhile.
# Prints the answer.
tcp_exchange() {
	local client=$1 server=$2 addr=$3 srv i
	printf '#!/bin/sh\nread -r line\nnetstat -tn >/tmp/tcp.netstat\necho "got $line"\n' \
		>/tmp/tcp_srv.sh
	chmod +x /tmp/tcp_srv.sh
	: >/tmp/tcp.netstat
	$IP netns exec "$server" timeout 20 nc -l -p $PORT -e /tmp/tcp_srv.sh &
	srv=$!
	for ((i = 0; i < 50; i++)); do
		$IP netns exec "$server" netstat -tln | grep -q ":$PORT " && break
		sleep 0.1
	done
	echo "hello from $client" | $IP netns exec "$client" timeout 10 nc "$addr" $PORT
	wait $srv
}

pretty "netns a and b, veth ul0 between them: fd00:1::1 <-> fd00:1::2"
ok underlay_up ygg_underlay a fd00:1::1 b fd00:1::2
ok underlay_ping $IP netns exec a ping -6 -c 1 -w 5 fd00:1::2
ok no_route_to_200_7_without_yggdrasil no_route a 200::1

pretty "configs: a listens on fd00:1::1, b on fd00:1::2 and peers with a"
t=$(ygg_now)
ok conf_a ygg_conf a ygg-a fd00:1::1
conf_a=$(since "$t")
t=$(ygg_now)
ok conf_b ygg_conf b ygg-b fd00:1::2 fd00:1::1
A=$(ygg_addr a) B=$(ygg_addr b)
echo "    a: $A, b: $B (configs in $conf_a s and $(since "$t") s)"
ok a_address_in_200_7 in_200_7 "$A"
ok b_address_in_200_7 in_200_7 "$B"
ok addresses_differ test "$A" != "$B"

pretty "start a, then b (b dials a, whose listener is up by then)"
t=$(ygg_now)
ygg_start a a
ok a_tun_has_its_address ygg_wait_addr a
up_a=$(since "$t")
t=$(ygg_now)
ygg_start b b
ok b_tun_has_its_address ygg_wait_addr b
up_b=$(since "$t")
ok a_has_a_peer ygg_wait_peers a 1
ok b_has_a_peer ygg_wait_peers b 1
peered=$(since "$t")
ok a_peers_with_b_alone test "$(ygg_peer_addrs a)" = "$B"
ok b_peers_with_a_alone test "$(ygg_peer_addrs b)" = "$A"
echo "    a up in $up_a s; b up in $up_b s, peered with a $peered s after its start"

pretty "a <-> b by their 200::/7 addresses, through the tuns"
ok a_routes_b_by_its_tun test "$(ygg_route_dev a "$B")" = ygg-a
ok b_routes_a_by_its_tun test "$(ygg_route_dev b "$A")" = ygg-b
tx=$(tun_tx a ygg-a)
t=$(ygg_now)
ok ping_a_to_b $IP netns exec a ping -6 -c 2 -w 15 "$B"
echo "    ping a -> b: $(since "$t") s for 2 replies"
ok ping_b_to_a $IP netns exec b ping -6 -c 2 -w 15 "$A"
ok pings_went_through_a_tun test "$(tun_tx a ygg-a)" -ge $((tx + 4))

t=$(ygg_now)
reply=$(tcp_exchange a b "$B")
echo "    tcp a -> b: '$reply' in $(since "$t") s"
ok tcp_a_to_b test "$reply" = "got hello from a"
ok tcp_between_200_7_addresses grep -qE " $B:$PORT +$A:[0-9]+ " /tmp/tcp.netstat
reply=$(tcp_exchange b a "$A")
ok tcp_b_to_a test "$reply" = "got hello from b"
ok tcp_between_200_7_addresses_back grep -qE " $A:$PORT +$B:[0-9]+ " /tmp/tcp.netstat

pretty "two gridds over yggdrasil: home in a, pi in b, by their 200::/7 addresses only"
# Nothing in grid knows yggdrasil: its addresses are IPv6 addresses, and
# the gridds are told them and nothing else.
G=/tmp/ygg-gridd
mkdir -p $G
gpids=()
gridd_up() {
	local name=$1 ns=$2
	shift 2
	# grid.ko's netlink family is in the first namespace: gridd runs
	# there and keeps its peers' sockets in NS (gridd.conf 'netns').
	printf 'state_dir %s/%s\nsocket %s/%s.sock\nbpf no\nbeacon no\nnetns %s\n' \
		$G "$name" $G "$name" "$ns" >$G/"$name".conf
	printf '%s\n' "$@" >>$G/"$name".conf
	: >$G/"$name".log
	gridd --config $G/"$name".conf 2>>$G/"$name".log &
	gpids+=($!)
	for ((i = 0; i < 100; i++)); do
		grep -q 'gridd: ready' $G/"$name".log && return 0
		sleep 0.1
	done
	cat $G/"$name".conf $G/"$name".log >&2
	return 1
}
GH() { gridctl -S $G/home.sock "$@"; }
GP() { gridctl -S $G/pi.sock "$@"; }
grid_load
grid_cgroups >/dev/null
ok pi_gridd_up gridd_up pi b "listen [$B]:7470"
ok home_gridd_up gridd_up home a "listen [$A]:7470" "peer [$B]:7470"
ok pi_init GP init pi
ok home_init GH init home
HK=$(GH -j status | jq -r .gridd.key)
PK=$(GP -j status | jq -r .gridd.key)
ok pi_founds GP gridgrid create mesh
ok pi_shares GP share set mesh cpu 1 memory 256M pids 64
ok home_joins GH gridgrid join "$(GP -j gridgrid invite mesh for "$HK" | jq -r .token)"
session_by_200() {
	GH -j peer list | jq -e --arg k "$PK" --arg a "[$B]:7470" \
		'[.peers[] | select(.type == "session" and .state == "open" and .key == $k and .addr == $a)] | length == 1'
}
t=$(ygg_now)
for ((i = 0; i < 100; i++)); do session_by_200 >/dev/null && break; sleep 0.2; done
ok home_has_a_session_with_pi_at_its_200_address session_by_200
pi_knows_home() { GP -j gridgrid list | jq -e '.gridgrids[0].members == 2'; }
for ((i = 0; i < 50; i++)); do pi_knows_home >/dev/null && break; sleep 0.2; done
ok pi_admitted_home_by_its_proof pi_knows_home
echo "    a session over yggdrasil, and home's proof admitted, $(since "$t") s after the join"
t=$(ygg_now)
reply=$(GH -j lease request mesh on pi cpu 0.5 memory 64M for 1h)
LEASE=$(jq -r '.id' <<<"$reply")
echo "    lease request to grant over yggdrasil: $(since "$t") s: $reply" | cut -c1-300
ok lease_granted_over_yggdrasil test -n "$LEASE" -a "$LEASE" != null
ok home_holds_it sh -c "gridctl -S $G/home.sock -j lease list | jq -e '[.leases[] | select(.id == $LEASE)] | length == 1'"
ok grid_ko_has_it gridctl -j kernel lease show "$LEASE"
ok pi_saw_home_at_its_200_address grep -qF "peer [$A]:" $G/pi.log
for p in "${gpids[@]}"; do kill "$p" 2>/dev/null; done
wait "${gpids[@]}" 2>/dev/null

pretty "stop both: their tuns go, and with them every route to 200::/7"
t=$(ygg_now)
ok stop_a ygg_stop a
ok stop_b ygg_stop b
echo "    stopped in $(since "$t") s"
ok a_no_route_to_b_once_stopped no_route a "$B"
ok b_no_route_to_a_once_stopped no_route b "$A"
ok ping_fails_once_stopped test "$($IP netns exec a ping -6 -c 1 -w 2 "$B" >/dev/null 2>&1; echo $?)" != 0
ygg_stop_all
echo "    the whole test: $(since "$start") s"
finish
