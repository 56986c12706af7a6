#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kill -9 of either gridd at a random point of a lease negotiation,
# ROUNDS times (50 on 6.1, 10 on the others, for time):
#
#   home (holder) --- session over [::1] --- pi (provider, grid.ko)
#   gridctl lease request mesh on pi ...     share: memory 1G
#        \__ kill -9 home or pi, 0..400 ms after the request starts __/
#
# Each round, the killed gridd is started again and the request either
# was answered (gridctl printed the lease: acknowledged) or not. At the
# end, with both running until every request is answered:
#   - every acknowledged lease is held by home and issued by pi, with the
#     same record, and is in grid.ko (nothing acknowledged is lost);
#   - each request has at most one lease: pi's answers are one per request
#     and every lease pi issued is the answer of exactly one (none granted
#     twice), and home holds exactly the leases its requests were granted;
#   - both states pass PRAGMA integrity_check.
source "$GRID_TOP/tests/lib.sh"

case $(uname -r) in
6.1.*) ROUNDS=${PEERS_CRASH_ROUNDS:-50} ;;
*) ROUNDS=${PEERS_CRASH_ROUNDS:-10} ;;
esac
D=/tmp/pcrash
mkdir -p $D
declare -A pid
cleanup() { for p in "${pid[@]}"; do kill -9 "$p" 2>/dev/null; done; }
trap cleanup EXIT

# A dead session is found in 1.5 s, redialed within 0.5 s.
export GRIDD_PEER_TIMERS=2000,500,1500,120000,180000,500

start() {
	local name=$1
	: >>$D/"$name".log
	gridd --config $D/"$name".conf 2>>$D/"$name".log &
	pid[$name]=$!
	for ((i = 0; i < 200; i++)); do
		[[ -S $D/$name.sock ]] && gridctl -S $D/"$name".sock status >/dev/null 2>&1 &&
			return 0
		sleep 0.05
	done
	return 1
}
H() { gridctl -S $D/home.sock "$@"; }
P() { gridctl -S $D/pi.sock "$@"; }
session_open() {
	H -j peer list 2>/dev/null | jq -e '[.peers[] | select(.type == "session" and .state == "open")] | length == 1' >/dev/null
}
until_ok() {
	local end=$((SECONDS + $1))
	shift
	while ((SECONDS < end)); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

grid_load
grid_cgroups >/dev/null
printf 'state_dir %s/pi\nsocket %s/pi.sock\nbpf no\nbeacon no\nlisten [::1]:7472\n' $D $D >$D/pi.conf
printf 'state_dir %s/home\nsocket %s/home.sock\nbpf no\nbeacon no\nlisten [::1]:7471\npeer [::1]:7472\n' \
	$D $D >$D/home.conf

pretty "pi provides mesh; home joins"
ok pi_up start pi
ok home_up start home
ok pi_init P init pi
ok home_init H init home
ok pi_founds P gridgrid create mesh
ok pi_shares P share set mesh memory 1G
ok home_joins H gridgrid join "$(P -j gridgrid invite mesh for "$(H -j status | jq -r .gridd.key)" | jq -r .token)"
ok session until_ok 20 session_open
ok pi_admitted_home until_ok 20 sh -c "gridctl -S $D/pi.sock -j gridgrid list | jq -e '.gridgrids[0].members == 2' >/dev/null"

pretty "$ROUNDS rounds: a request, and a kill -9 at a random point of it"
acked=()
kills_home=0 kills_pi=0
t_start=$SECONDS
for ((r = 0; r < ROUNDS; r++)); do
	H -j lease request mesh on pi memory 1M for 1h >$D/req.$r 2>/dev/null &
	req=$!
	sleep "0.$(printf '%03d' $((RANDOM % 400)))"
	if ((RANDOM % 2)); then victim=home; kills_home=$((kills_home + 1)); else victim=pi; kills_pi=$((kills_pi + 1)); fi
	kill -9 "${pid[$victim]}"
	wait "${pid[$victim]}" 2>/dev/null
	# Started again at once: a request parked on home waits for pi.
	if ! start $victim; then
		echo "FAIL $TEST/restart_$r: $victim did not start again"
		failures=$((failures + 1))
		break
	fi
	if wait $req; then
		id=$(jq -r .id $D/req.$r)
		[[ $id =~ ^[0-9]+$ ]] && acked+=("$id")
	fi
	# No wait for the session: the next request parks until it opens.
done
echo "[+] $((SECONDS - t_start)) s for the rounds"
echo "[+] $ROUNDS rounds: home killed $kills_home times, pi $kills_pi; ${#acked[@]} leases acknowledged"

pretty "both up: every request answered"
pending() { sqlite3 $D/home/state.db "SELECT count(*) FROM asked WHERE state = 'pending'"; }
ok no_request_left_pending until_ok 60 sh -c "test \$(sqlite3 $D/home/state.db \"SELECT count(*) FROM asked WHERE state = 'pending'\") = 0"
echo "[+] home asked $(sqlite3 $D/home/state.db 'SELECT count(*) FROM asked'), granted $(sqlite3 $D/home/state.db "SELECT count(*) FROM asked WHERE state = 'granted'"), refused $(sqlite3 $D/home/state.db "SELECT count(*) FROM asked WHERE state = 'refused'"), still pending $(pending)"

# One query each (a process is dear under emulation): "id record" lines.
sqlite3 $D/home/state.db "SELECT lease_id || ' ' || hex(record) FROM leases_held" | sort >$D/held
sqlite3 $D/pi/state.db "SELECT lease_id || ' ' || hex(record) FROM leases_issued WHERE revoked IS NULL" |
	sort >$D/issued
gridctl -j kernel lease list | jq -r '.leases[] | select(.gridgrid == "mesh") | .id' | sort >$D/kernel
# (None acknowledged, in a run whose kills all came early: an empty file,
# not one empty line that reads as a lease without an id.)
if ((${#acked[@]})); then printf '%s\n' "${acked[@]}" | sort >$D/acked; else : >$D/acked; fi
lost=$(awk 'FILENAME ~ /held$/ { h[$1] = $2; next }
	FILENAME ~ /issued$/ { i[$1] = $2; next }
	FILENAME ~ /kernel$/ { k[$1] = 1; next }
	!($1 in h) || h[$1] != i[$1] || !($1 in k) { print "    acknowledged lease " $1 " is lost somewhere" > "/dev/stderr"; n++ }
	END { print n + 0 }' $D/held $D/issued $D/kernel $D/acked)
ok no_acknowledged_lease_lost test $lost = 0
ok each_request_answered_once test "$(sqlite3 $D/pi/state.db 'SELECT count(*) FROM answered')" = \
	"$(sqlite3 $D/pi/state.db 'SELECT count(DISTINCT peer || req) FROM answered')"
ok every_lease_issued_answers_one_request test "$(sqlite3 $D/pi/state.db 'SELECT count(*) FROM leases_issued')" = \
	"$(sqlite3 $D/pi/state.db 'SELECT count(DISTINCT lease_id) FROM answered WHERE lease_id IS NOT NULL')"
ok no_lease_issued_without_its_answer test "$(sqlite3 $D/pi/state.db 'SELECT count(*) FROM leases_issued i WHERE NOT EXISTS (SELECT 1 FROM answered a WHERE a.lease_id = i.lease_id)')" = 0
ok home_holds_what_it_was_granted test "$(sqlite3 $D/home/state.db 'SELECT count(*) FROM leases_held')" = \
	"$(sqlite3 $D/home/state.db "SELECT count(*) FROM asked WHERE state = 'granted'")"
ok no_lease_granted_twice test "$(sqlite3 $D/home/state.db "SELECT count(*) FROM asked WHERE state = 'granted'")" = \
	"$(sqlite3 $D/home/state.db "SELECT count(DISTINCT lease_id) FROM asked WHERE state = 'granted'")"
ok grid_ko_has_every_live_lease test "$(gridctl -j kernel lease list | jq '[.leases[] | select(.gridgrid == "mesh")] | length')" = \
	"$(sqlite3 $D/pi/state.db 'SELECT count(*) FROM leases_issued WHERE revoked IS NULL')"
ok home_integrity test "$(sqlite3 $D/home/state.db 'PRAGMA integrity_check')" = ok
ok pi_integrity test "$(sqlite3 $D/pi/state.db 'PRAGMA integrity_check')" = ok
if ((failures)); then
	tail -n 30 $D/home.log $D/pi.log
fi
finish
