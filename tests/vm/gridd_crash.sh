#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gridd killed with SIGKILL at random moments while leases are issued,
# renewed and revoked, GRIDD_CRASH_ROUNDS times (50): after each restart,
# every answer a client got is in the state and in grid.ko, once.
#
#   client loop ──issue/renew/revoke──► gridd ──► state.db, grid.ko
#        │ acked.log (what was answered)          ▲
#        └── kill -9 gridd at a random moment ────┘, then gridd again
#
# Checked each round: every acknowledged lease is in gridd's state once and
# registered in grid.ko (none lost, none twice), every acknowledged renewal
# has at least its serial there, every acknowledged revocation is revoked in
# both, and the database passes PRAGMA integrity_check.
source "$GRID_TOP/tests/lib.sh"

# 50 on the first kernel the suite boots (6.1); on the others 10, which
# keeps make check within its time on 2 cores (the code under test is the
# same userland; the kernel's part is the lease registration).
case $(uname -r) in
6.1.*) ROUNDS=${GRIDD_CRASH_ROUNDS:-50} ;;
*) ROUNDS=${GRIDD_CRASH_ROUNDS:-10} ;;
esac
D=/tmp/crash
mkdir -p $D
printf 'state_dir %s/state\nsocket %s/gridd.sock\nbpf no\n' $D $D >$D/gridd.conf
G="gridctl -S $D/gridd.sock"
pid=
cleanup() { [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null; }
trap cleanup EXIT

up() {
	: >$D/gridd.log
	gridd --config $D/gridd.conf 2>>$D/gridd.log &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		grep -q 'gridd: ready' $D/gridd.log && return 0
		sleep 0.05
	done
	cat $D/gridd.log
	return 1
}

# The client: issues, and renews or revokes what it was told about, and
# writes down each answer it got, until gridd is gone.
client() {
	local op id line
	while :; do
		op=$((RANDOM % 10))
		if ((op < 2)) && [[ -s $D/live ]]; then
			id=$(head -n 1 $D/live)
			$G lease revoke "$id" >/dev/null 2>&1 || break
			echo "revoke $id" >>$D/acked
			sed -i 1d $D/live
		elif ((op < 5)) && [[ -s $D/live ]]; then
			id=$(tail -n 1 $D/live)
			line=$($G -j lease renew "$id" for 2h 2>/dev/null) || break
			echo "renew $id ${line#*\"serial\":}" | cut -d, -f1 >>$D/acked
		else
			line=$($G -j lease issue clubhouse to alice memory 1M for 1h 2>/dev/null) || break
			id=${line#*\"id\":}
			id=${id%%,*}
			[[ $id =~ ^[0-9]+$ ]] || break
			echo "issue $id" >>$D/acked
			echo "$id" >>$D/live
		fi
	done
}

grid_load
grid_cgroups >/dev/null
ok gridd_up up
$G init home >/dev/null
$G agent add alice uid 1000 >/dev/null
$G gridgrid create clubhouse >/dev/null
$G share set clubhouse memory 100G >/dev/null
: >$D/acked
: >$D/live

# One jq over the whole round: the acknowledged answers against the state
# and grid.ko's list. Prints what does not hold.
check_round() {
	local r=$1 out
	$G -j lease list >$D/st.json || { echo "    round $r: lease list failed"; return 1; }
	gridctl -j kernel lease list >$D/kl.json || return 1
	awk '{ printf "{\"what\":\"%s\",\"id\":%s,\"serial\":%s}\n", $1, $2, ($3 == "" ? 0 : $3) }' \
		$D/acked >$D/acked.json
	out=$(jq -rn --slurpfile st $D/st.json --slurpfile kl $D/kl.json \
		--slurpfile a $D/acked.json '
		($kl[0].leases | map({key: (.id | tostring), value: .}) | from_entries) as $K |
		($kl[0].leases | group_by(.id) | map({key: (.[0].id | tostring), value: length}) | from_entries) as $KN |
		($st[0].leases | map(select(.role == "issued"))) as $S0 |
		($S0 | map({key: (.id | tostring), value: .}) | from_entries) as $S |
		($S0 | group_by(.id) | map({key: (.[0].id | tostring), value: length}) | from_entries) as $SN |
		$a[] | (.id | tostring) as $i |
		if .what == "issue" then
			select(($SN[$i] // 0) != 1 or ($KN[$i] // 0) != 1) |
			"lease \($i) acknowledged, in the state \($SN[$i] // 0) times, in grid.ko \($KN[$i] // 0)"
		elif .what == "renew" then
			select(($K[$i].serial // 0) < .serial) |
			"renewal of \($i) to serial \(.serial) acknowledged, grid.ko has \($K[$i].serial // 0)"
		else
			select(($K[$i].state // "") != "revoked" or ($S[$i].state // "") != "revoked") |
			"revocation of \($i) acknowledged, grid.ko: \($K[$i].state // "none"), state: \($S[$i].state // "none")"
		end')
	if [[ -n $out ]]; then
		sed "s/^/    round $r: /" <<<"$out"
		return 1
	fi
	if [[ $(sqlite3 -cmd '.timeout 5000' $D/state/state.db 'PRAGMA integrity_check') != ok ]]; then
		echo "    round $r: the database fails its integrity check"
		return 1
	fi
}

lost=0
for ((r = 1; r <= ROUNDS; r++)); do
	client &
	cpid=$!
	# 0.1 to 2 s into the round, in the middle of whatever it does.
	t=$((RANDOM % 1900 + 100))
	sleep "$((t / 1000)).$(printf '%03d' $((t % 1000)))"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	if ! up || ! check_round "$r"; then
		lost=$((lost + 1))
	fi
done
n_issue=$(grep -c '^issue' $D/acked)
n_renew=$(grep -c '^renew' $D/acked)
n_revoke=$(grep -c '^revoke' $D/acked)
echo "[+] $ROUNDS kills; acknowledged: $n_issue issues, $n_renew renewals, $n_revoke revocations"
ok every_round_kept_what_was_acknowledged test "$lost" = 0
ok the_client_got_answers test "$n_issue" -ge "$ROUNDS"
ok no_lease_in_grid_ko_twice sh -c "gridctl -j kernel lease list | jq -e '[.leases[].id] | length == (unique | length)'"
ok integrity_check_at_the_end sh -c "sqlite3 -cmd '.timeout 5000' $D/state/state.db 'PRAGMA integrity_check' | grep -qx ok"
kill "$pid"
wait "$pid" 2>/dev/null
pid=
finish
