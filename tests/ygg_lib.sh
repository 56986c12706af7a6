# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# yggdrasil nodes in network namespaces, for the VM tests (sourced, not
# run; POSIX sh and local, so bash and busybox sh both take it). A node
# NAME keeps its files in $YGG_DIR/NAME: conf (JSON), addr (its 200::/7
# address), log, pid, ns, ifname, admin.sock. Nodes peer only with the
# peers they are given: no multicast discovery, no public peers.
#
#   ygg_available              yggdrasil is in the VM and /dev/net/tun can
#                              be had (loads tun.ko); else says why on
#                              stdout and fails
#   ygg_underlay NSA ADDRA NSB ADDRB
#                              netns NSA and NSB joined by a veth pair ul0
#                              with ADDRA/64 and ADDRB/64 (IPv6, no DAD);
#                              lo up in both
#   ygg_conf NAME IFNAME LISTEN [PEER...]
#                              writes NAME's config: tun IFNAME, listening
#                              on LISTEN, peering with each PEER; LISTEN
#                              and PEER are addresses (tcp://[ADDR]:$YGG_PORT)
#                              or URIs. Fresh keys each time
#   ygg_addr NAME              prints NAME's 200::/7 address (from its keys;
#                              known before it starts)
#   ygg_start NAME NS          starts NAME in netns NS in the background.
#                              Not in $(...): the node is a child of the
#                              calling shell, which ygg_stop reaps
#   ygg_wait_addr NAME [SECS]  waits (default 20 s) until NAME's tun holds
#                              its address; prints it
#   ygg_wait_peers NAME [N] [SECS]
#                              waits until NAME has at least N (1) peers
#   ygg_peer_addrs NAME        prints the 200::/7 address of each of NAME's
#                              peers (links), one a line
#   ygg_route_dev NS ADDR      prints the device NS routes ADDR by
#   ygg_stop NAME              SIGTERM, then SIGKILL after 5 s; waits for
#                              it and for its tun to go
#   ygg_stop_all               every node started
#   ygg_now                    seconds since boot (/proc/uptime), for timings
#
# yggdrasil dials its Peers once at start and again only a minute later:
# start the node that listens first and wait for its address (its
# listener is up by then) before starting a node that peers with it. Let
# one node of a pair name the other: when both do, the first one's retry
# a minute on adds a second link between them (harmless, but two peers).
#
# Busybox sh runs its own ip applet ahead of PATH: Debian's is $IP.
IP=/usr/sbin/ip
YGG_DIR=${YGG_DIR:-/tmp/ygg}
YGG_PORT=${YGG_PORT:-7700}
YGG_BIN=${YGG_BIN:-/usr/sbin/yggdrasil}
YGG_CTL=${YGG_CTL:-/usr/sbin/yggdrasilctl}

ygg_now() { cut -d' ' -f1 /proc/uptime; }

ygg_available() {
	if [ ! -x "$YGG_BIN" ] || [ ! -x "$YGG_CTL" ]; then
		echo "yggdrasil is not in the VM (install the Debian package yggdrasil: scripts/deps)"
		return 1
	fi
	modprobe tun 2>/dev/null
	if [ ! -c /dev/net/tun ] && grep -q ' tun$' /proc/misc; then
		mkdir -p /dev/net && mknod -m 0666 /dev/net/tun c 10 200
	fi
	if [ ! -c /dev/net/tun ]; then
		echo "no /dev/net/tun in the VM (tun.ko did not load)"
		return 1
	fi
}

ygg_underlay() {
	modprobe veth 2>/dev/null
	$IP netns add "$1" && $IP netns add "$3" &&
		$IP link add ul0 netns "$1" type veth peer name ul0 netns "$3" &&
		$IP -n "$1" link set lo up && $IP -n "$3" link set lo up &&
		$IP -n "$1" -6 addr add "$2/64" dev ul0 nodad &&
		$IP -n "$3" -6 addr add "$4/64" dev ul0 nodad &&
		$IP -n "$1" link set ul0 up && $IP -n "$3" link set ul0 up
}

# An address as a TCP URI; a URI as it is.
_ygg_uri() {
	case $1 in
	*://*) echo "$1" ;;
	*) echo "tcp://[$1]:$YGG_PORT" ;;
	esac
}

ygg_conf() {
	local name="$1" ifname="$2" listen dir peers p
	listen=$(_ygg_uri "$3")
	shift 3
	dir=$YGG_DIR/$name
	mkdir -p "$dir" || return 1
	peers=
	for p in "$@"; do
		peers="$peers${peers:+,}\"$(_ygg_uri "$p")\""
	done
	# No AdminListen default (/var/run/yggdrasil) and no multicast: the
	# node is reached by its socket here and peers only with $peers.
	"$YGG_BIN" -genconf -json | jq --arg listen "$listen" --argjson peers "[$peers]" \
		--arg ifname "$ifname" --arg admin "unix://$dir/admin.sock" '
		.Listen = [$listen] | .Peers = $peers | .InterfacePeers = {} |
		.MulticastInterfaces = [] | .IfName = $ifname |
		.AdminListen = $admin | .NodeInfoPrivacy = true' >"$dir/conf" &&
		"$YGG_BIN" -useconffile "$dir/conf" -address >"$dir/addr" &&
		echo "$ifname" >"$dir/ifname" &&
		grep -qE '^[23][0-9a-f]{2}:' "$dir/addr"
}

ygg_addr() { cat "$YGG_DIR/$1/addr"; }

ygg_start() {
	local dir="$YGG_DIR/$1"
	[ -f "$dir/conf" ] || { echo "ygg_start: no config for node $1 (ygg_conf)" >&2; return 1; }
	echo "$2" >"$dir/ns"
	# ip netns exec execs yggdrasil: $! is the node itself.
	$IP netns exec "$2" "$YGG_BIN" -useconffile "$dir/conf" -logto stdout \
		</dev/null >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	echo "$1" >>"$YGG_DIR/started"
}

# Polls CMD... every 0.1 s for up to SECS seconds.
_ygg_poll() {
	local secs="$1" i=0
	shift
	while [ $i -lt $((secs * 10)) ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	"$@"
}

_ygg_has_addr() {
	$IP -n "$(cat "$YGG_DIR/$1/ns")" -6 -o addr show dev "$(cat "$YGG_DIR/$1/ifname")" \
		2>/dev/null | grep -qF " $(ygg_addr "$1")/7 "
}

_ygg_gone() {
	local pid
	pid=$(cat "$YGG_DIR/$1/pid")
	# A child of this shell stays a zombie until it is waited for.
	[ ! -d "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null
}

_ygg_up_or_gone() { _ygg_has_addr "$1" || _ygg_gone "$1"; }

ygg_wait_addr() {
	_ygg_poll "${2:-20}" _ygg_up_or_gone "$1"
	if ! _ygg_has_addr "$1"; then
		echo "ygg_wait_addr: node $1 has no $(ygg_addr "$1") on its tun$(
			_ygg_gone "$1" && echo ' (it exited)'); its log:" >&2
		sed 's/^/    /' "$YGG_DIR/$1/log" >&2
		return 1
	fi
	ygg_addr "$1"
}

# The log's count first, as it costs nothing (yggdrasilctl starts slowly
# under TCG), then the node's own word.
_ygg_npeers() {
	awk -v n="$2" '$3 == "Connected" { c++ } $3 == "Disconnected" { c-- }
		END { exit !(c >= n) }' "$YGG_DIR/$1/log" &&
		"$YGG_CTL" -endpoint="unix://$YGG_DIR/$1/admin.sock" -json getPeers 2>/dev/null |
		jq -e --argjson n "$2" '.peers | length >= $n' >/dev/null
}

ygg_wait_peers() {
	if ! _ygg_poll "${3:-20}" _ygg_npeers "$1" "${2:-1}"; then
		echo "ygg_wait_peers: node $1 has fewer than ${2:-1} peer(s); its log:" >&2
		sed 's/^/    /' "$YGG_DIR/$1/log" >&2
		return 1
	fi
}

ygg_peer_addrs() {
	"$YGG_CTL" -endpoint="unix://$YGG_DIR/$1/admin.sock" -json getPeers |
		jq -r '.peers[].address'
}

ygg_route_dev() {
	$IP -n "$1" -6 route get "$2" 2>/dev/null |
		sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1
}

_ygg_no_tun() {
	! $IP -n "$(cat "$YGG_DIR/$1/ns")" link show dev "$(cat "$YGG_DIR/$1/ifname")" \
		>/dev/null 2>&1
}

# Fails when the node had to be killed or its tun stayed.
ygg_stop() {
	local pid rc=0
	[ -f "$YGG_DIR/$1/pid" ] || return 0
	pid=$(cat "$YGG_DIR/$1/pid")
	kill -TERM "$pid" 2>/dev/null
	if ! _ygg_poll 5 _ygg_gone "$1"; then
		echo "ygg_stop: node $1 ignored SIGTERM; killed" >&2
		kill -KILL "$pid" 2>/dev/null
		_ygg_poll 2 _ygg_gone "$1"
		rc=1
	fi
	wait "$pid" 2>/dev/null
	_ygg_poll 2 _ygg_no_tun "$1" || rc=1
	rm -f "$YGG_DIR/$1/pid"
	return $rc
}

ygg_stop_all() {
	local n rc=0
	[ -f "$YGG_DIR/started" ] || return 0
	while read -r n; do
		ygg_stop "$n" || rc=1
	done <"$YGG_DIR/started"
	rm -f "$YGG_DIR/started"
	return $rc
}
