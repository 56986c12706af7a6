#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by the quota tests (sourced, not run): a sender namespace "a" and
# a receiver namespace "b" joined by a veth pair, IPv4 and IPv6, and
# iperf3 runs started from inside a grid-grid's cgroup.
#
#   net_up                 a0 (10.9.0.1, fd00::1) in a <-> b0 (.2, ::2) in b
#   gg_make NAME           /sys/fs/cgroup/grid/NAME/lease (mkdir -p)
#   in_cgroup CG CMD...    runs CMD inside cgroup CG
#   iperf NAME CG NS ARGS  iperf3 client in CG, in netns NS, against a
#                          one-off server in b; JSON in /tmp/NAME.json
#   rx_mark, rx_since      IP bytes b0 received in between (any program)
#   received NAME          bytes per second the receiver got
#   retransmits NAME       the sender's retransmits
#   within PCT GOT WANT    |GOT - WANT| <= PCT% of WANT (prints both)
#
# Busybox sh runs its own ip and tc applets ahead of PATH: use $IP, $TC.
IP=/usr/sbin/ip
TC=/usr/sbin/tc
CG=/sys/fs/cgroup/grid
port=5300

net_up() {
	modprobe veth 2>/dev/null
	modprobe sch_fq 2>/dev/null
	$IP netns add a && $IP netns add b &&
		$IP link add a0 netns a type veth peer name b0 netns b &&
		$IP -n a addr add 10.9.0.1/24 dev a0 &&
		$IP -n b addr add 10.9.0.2/24 dev b0 &&
		$IP -n a -6 addr add fd00::1/64 dev a0 nodad &&
		$IP -n b -6 addr add fd00::2/64 dev b0 nodad &&
		$IP -n a link set lo up && $IP -n b link set lo up &&
		$IP -n a link set a0 up && $IP -n b link set b0 up
}

gg_make() { mkdir -p "$CG/$1/lease"; }

in_cgroup() {
	local cg=$1
	shift
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}

# iperf NAME CGROUP NETNS ARGS...: the server is one-off, on a fresh port.
iperf() {
	local name=$1 cg=$2 ns=$3
	shift 3
	port=$((port + 1))
	local server
	# Bounded: a spent budget may cut iperf3's own control connection.
	$IP netns exec b timeout 40 iperf3 -s -1 -p $port >/dev/null 2>&1 &
	server=$!
	sleep 0.3
	in_cgroup "$cg" $IP netns exec "$ns" timeout 30 iperf3 -p $port -J "$@" \
		>"/tmp/$name.json" 2>/tmp/$name.err
	# Only the server: a caller's own background jobs (gridd) go on.
	wait $server
}

# What b0 received in IP bytes and packets: its link counters, less 14
# bytes of Ethernet a packet. rx_mark before, rx_since after.
rx() { $IP -n b -s -j link show b0 | jq -r ".[0].stats64.rx.$1"; }
rx_mark() { rx_b0_bytes=$(rx bytes) rx_b0_packets=$(rx packets); }
rx_since() {
	local p=$(($(rx packets) - rx_b0_packets))
	echo $(($(rx bytes) - rx_b0_bytes - 14 * p))
}

received() {
	jq -r '.end | (.sum_received.bytes // .sum.bytes) /
		(.sum_received.seconds // .sum.seconds) | floor' "/tmp/$1.json"
}

# UDP: what left the sender at its pace, received or lost after it (the
# receiver's count of datagrams missing, each LEN bytes): under emulation
# the receiving iperf3 drops some now and then, which is no pacing's fault.
sent_paced() {
	jq -r --argjson len "$2" '.end.sum_received |
		(.bytes + (.lost_packets // 0) * $len) / .seconds | floor' "/tmp/$1.json"
}
lost() { jq -r '.end.sum_received.lost_packets // 0' "/tmp/$1.json"; }

received_bytes() {
	jq -r '.end | (.sum_received.bytes // .sum.bytes)' "/tmp/$1.json"
}

retransmits() { jq -r '.end.sum_sent.retransmits // 0' "/tmp/$1.json"; }

within() {
	local pct=$1 got=$2 want=$3
	echo "    got $got, want $want (+-$pct%): $(echo "scale=2; ($got - $want) * 100 / $want" | bc)%" >&2
	[ "$(echo "d = $got - $want; if (d < 0) d = -d; d * 100 <= $pct * $want" | bc)" = 1 ]
}

# The value of a field of GG in `gridctl quota -j`.
quota_field() {
	gridctl -j quota show "$1" | jq -r ".[0].$2"
}
