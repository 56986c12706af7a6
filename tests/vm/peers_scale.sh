#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-mem: 2048
# vm-alone: 50 gridds keep both vCPUs busy; another guest would slow its timers
#
# 50 gridds, each with its peers in a network namespace of its own, on one
# bridge, join one grid-grid; each gets a lease; a revocation made at one
# reaches all. The time of each step, and the gossip's traffic (messages
# and bytes every gridd sent, from `gridctl peer list`) at 10 grids and at
# 50, to show how it grows.
#
#   g0 (founder, the provider: one grid.ko, one share per grid-grid)
#    |  fd00:50::1
#   br0 ---- g1 fd00:50::2 ... g49 fd00:50::50, each dialing g0 alone
#
# Every gridd runs in the first namespace (grid.ko's netlink family is
# there) with 'netns gN' for its sockets. Only g0's address is configured:
# memberships reach the others by gossip through it, and the leases are
# g0's, since one kernel holds one share of a grid-grid.
source "$GRID_TOP/tests/lib.sh"

# Nothing here is of one kernel more than another, and it takes 100 s
# under emulation: on the first kernel of the suite only.
case $(uname -r) in
6.1.*) ;;
*)
	echo "SKIP $TEST: 50 gridds run on the 6.1 kernel only, for the suite's time (nothing in them is kernel-specific)"
	exit 0
	;;
esac
N=${PEERS_SCALE_N:-50}
FIRST=10
IP=/usr/sbin/ip
D=/tmp/scale
mkdir -p $D
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for ((i = 0; i < N; i++)); do $IP netns del g$i 2>/dev/null; done
	$IP link del br0 2>/dev/null
}
trap cleanup EXIT
export GRIDD_PEER_TIMERS=3000,2000,6000,600000,900000,1000

G() { local i=$1; shift; gridctl -S $D/g$i.sock "$@"; }
now() { awk '{ print $1 }' /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# wait_all SECS WHAT CMD: CMD i succeeds for every i in [1, N) within SECS.
wait_all() {
	local secs=$1 what=$2 i left end
	shift 2
	end=$(($(date +%s) + secs))
	while :; do
		left=0
		for ((i = 1; i < N; i++)); do
			"$@" $i >/dev/null 2>&1 || left=$((left + 1))
		done
		((left == 0)) && return 0
		if (($(date +%s) >= end)); then
			echo "    $what: $left of $((N - 1)) not there in $secs s" >&2
			return 1
		fi
		sleep 0.5
	done
}
# The bytes and messages every gridd has sent: "messages bytes".
traffic() {
	local i m=0 b=0 line
	for ((i = 0; i < $1; i++)); do
		line=$(G $i peer list | grep '^totals')
		[[ $line =~ messages\ sent\ ([0-9]+).*bytes\ sent\ ([0-9]+) ]] ||
			{ echo "    g$i: no totals: $line" >&2; continue; }
		m=$((m + BASH_REMATCH[1]))
		b=$((b + BASH_REMATCH[2]))
	done
	echo "$m $b"
}

pretty "$N namespaces on one bridge"
modprobe veth 2>/dev/null
modprobe bridge 2>/dev/null
$IP link add br0 type bridge mcast_snooping 0
$IP link set br0 up
for ((i = 0; i < N; i++)); do
	$IP netns add g$i
	$IP link add e0 netns g$i type veth peer name v$i
	$IP link set v$i master br0 up
	$IP -n g$i link set lo up
	$IP netns exec g$i sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.e0.accept_dad=0
	$IP -n g$i addr add fd00:50::$((i + 1))/64 dev e0 nodad
	$IP -n g$i link set e0 up
done
ok g1_reaches_g0 $IP netns exec g1 ping -6 -c 1 -w 5 fd00:50::1

grid_load
grid_cgroups >/dev/null

# start I: gridd for gN, not waited for.
start() {
	local i=$1
	{
		printf 'state_dir %s/g%d\nsocket %s/g%d.sock\nbpf no\nbeacon no\n' $D "$i" $D "$i"
		printf 'netns g%d\nlisten [fd00:50::%d]:7470\n' "$i" $((i + 1))
		((i)) && printf 'peer [fd00:50::1]:7470\n'
	} >$D/g$i.conf
	gridd --config $D/g$i.conf 2>$D/g$i.log &
	pids+=($!)
}
ready() { grep -q 'gridd: ready' $D/g$1.log; }
# members I: gridd I knows WANT members of 'many'.
members() { G "$1" -j gridgrid list | grep -q "\"members\":$WANT[,}]"; }

# grow FROM TO: gridds FROM..TO-1 started, made grids, invited and joined.
grow() {
	local from=$1 to=$2 i t
	t=$(now)
	for ((i = from; i < to; i++)); do start $i; done
	for ((i = from; i < to; i++)); do
		until ready $i; do sleep 0.2; done
	done
	echo "    gridds $from..$((to - 1)) started in $(since "$t") s" >&2
	t=$(now)
	for ((i = from; i < to; i++)); do G $i init g$i >/dev/null || return 1; done
	echo "    their grids made in $(since "$t") s" >&2
	if ((from == 0)); then
		# Memory alone: a limit the lease does not name is a quarter of the share's.
		G 0 gridgrid create many >/dev/null && G 0 share set many memory 4G >/dev/null || return 1
	fi
	t=$(now)
	for ((i = from; i < to; i++)); do
		((i)) || continue
		k=$(G $i -j status | jq -r .gridd.key)
		G $i gridgrid join "$(G 0 -j gridgrid invite many for "$k" | jq -r .token)" >/dev/null || return 1
	done
	echo "    invited and joined in $(since "$t") s" >&2
}

pretty "the first $FIRST grids"
ok first_grids_up grow 0 $FIRST
t=$(now)
N_SAVE=$N N=$FIRST WANT=$FIRST
ok first_grids_know_each_other wait_all 60 "grids that know all $FIRST" members
N=$N_SAVE
echo "    all $FIRST know all $FIRST members $(since "$t") s after the last join"
read -r m10 b10 < <(traffic $FIRST)
echo "[+] traffic at $FIRST grids: $m10 messages, $b10 bytes sent in all"

pretty "$((N - FIRST)) more: $N in all"
ok more_grids_up grow $FIRST $N
t=$(now)
WANT=$N
ok all_grids_know_each_other wait_all 120 "grids that know all $N" members
echo "    all $N know all $N members $(since "$t") s after the last join"
t_gossip=$(since "$t")
read -r m50 b50 < <(traffic $N)
echo "[+] traffic at $N grids: $m50 messages, $b50 bytes sent in all"
awk -v m1="$m10" -v b1="$b10" -v m2="$m50" -v b2="$b50" -v n1=$FIRST -v n2="$N" 'BEGIN {
	printf "[+] gossip traffic grew %.1fx in messages and %.1fx in bytes for %.0fx the grids (n^2 would be %.0fx)\n",
		m2 / m1, b2 / b1, n2 / n1, (n2 * n2) / (n1 * n1) }'

pretty "each gets a lease from g0, all at once"
t=$(now)
for ((i = 1; i < N; i++)); do
	G $i -j lease request many on g0 memory 16M for 1h >$D/lease.$i 2>&1 &
done
wait_leases() { grep -q '"id":' $D/lease.$1; }
ok every_grid_got_its_lease wait_all 60 "leases" wait_leases
echo "    $((N - 1)) leases granted in $(since "$t") s"
t_leases=$(since "$t")
ok g0_issued_them test "$(G 0 -j lease list | jq '[.leases[] | select(.role == "issued")] | length')" -ge $((N - 1))
ok grid_ko_has_them test "$(gridctl -j kernel lease list | jq '[.leases[] | select(.gridgrid == "many")] | length')" -ge $((N - 1))

pretty "a revocation at g0 reaches all"
victim=$((N - 1))
vk=$(G $victim -j status | jq -r .gridd.key)
t=$(now)
ok g0_revokes G 0 gridgrid revoke many member "$vk" reason scale
# At every other grid the victim's membership ends: one member fewer.
WANT=$((N - 1))
N_SAVE=$N N=$victim
ok every_grid_knows wait_all 60 "grids that know the revocation" members
N=$N_SAVE
echo "    the revocation reached all $((N - 2)) others in $(since "$t") s"
t_revoke=$(since "$t")
ok victim_learns_it sh -c "for i in \$(seq 1 60); do grep -q 'this grid was revoked from many' $D/g$victim.log && exit 0; sleep 0.5; done; exit 1"

echo "[+] $N gridds: gossip of all memberships ${t_gossip} s, $((N - 1)) leases ${t_leases} s, a revocation to all ${t_revoke} s"
for p in "${pids[@]}"; do
	kill -0 "$p" 2>/dev/null || { echo "FAIL $TEST/gridd_${p}_died"; failures=$((failures + 1)); }
done
echo "[+] a member's gridd: $(awk '/VmRSS/ { print $2 }' /proc/${pids[1]}/status) kB resident; the founder's $(awk '/VmRSS/ { print $2 }' /proc/${pids[0]}/status) kB"
finish
