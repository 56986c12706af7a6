# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest scripts that run gridds to run remote jobs
# (tests/vm/jobs.sh, jobs_many.sh, tests/bench/run.sh): gridds in network
# namespaces and the steps to a grid-grid with a provider. Set D (a
# folder of its own) before sourcing.
IP=/usr/sbin/ip
pids=()

# start NAME NS|- CONF: a gridd for grid NAME, in the background. NS: all
# of it in that namespace (a consumer, before grid.ko or without it); -:
# started here, where grid.ko's netlink is, CONF saying 'netns NS' for
# its peers. Its log is $D/NAME.log, its socket $D/NAME.sock.
start() {
	printf 'state_dir %s/%s\nsocket %s/%s.sock\nbpf no\nbeacon no\n%s' \
		"$D" "$1" "$D" "$1" "$3" >"$D/$1.conf"
	# Not through a function: $! must be gridd's own pid.
	if [[ $2 != - ]]; then
		$IP netns exec "$2" gridd --config "$D/$1.conf" 2>>"$D/$1.log" &
	else
		gridd --config "$D/$1.conf" 2>>"$D/$1.log" &
	fi
	eval "pid_$1=$!"
	pids+=($!)
}
ready() {
	local i
	for ((i = 0; i < 300; i++)); do
		[[ -S $D/$1.sock ]] && grep -q 'gridd: ready' "$D/$1.log" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
G() { local who=$1; shift; gridctl -S "$D/$who.sock" "$@"; }
key_of() { sed -n 's/^grid [a-z]* key \([0-9a-f]*\)$/\1/p'; }
# until_ok SECS CMD...: CMD succeeds within SECS seconds.
until_ok() {
	local end=$((SECONDS + $1))
	shift
	while ((SECONDS < end)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	"$@"
}
# veth_pair NS1 ADDR1 NS2 ADDR2: two namespaces, one link (c0 each side).
veth_pair() {
	modprobe veth 2>/dev/null
	$IP netns add "$1" && $IP -n "$1" link set lo up &&
		$IP netns add "$3" && $IP -n "$3" link set lo up &&
		$IP link add c0 netns "$1" type veth peer name c0 netns "$3" &&
		$IP -n "$1" addr add "$2/24" dev c0 && $IP -n "$3" addr add "$4/24" dev c0 &&
		$IP -n "$1" link set c0 up && $IP -n "$3" link set c0 up
}
# club HOLDER PROVIDER: HOLDER founds the grid-grid club, PROVIDER joins
# and shares with it (after its selftest), each knowing the other.
club() {
	local pk
	G "$1" init "$1" >/dev/null && pk=$(G "$2" init "$2" | key_of) &&
		G "$1" gridgrid create club >/dev/null &&
		G "$2" gridgrid join "$(G "$1" gridgrid invite club for "$pk" expires 1h)" >/dev/null &&
		until_ok 20 sh -c "gridctl -S $D/$1.sock gridgrid list | grep -q '^club .* members 2\$'"
}
