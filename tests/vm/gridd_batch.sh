#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gridd's batches against grid.ko: requests that arrive together are served
# in one transaction, then each one's after step tells grid.ko. Many
# renewals of one lease, or share sets of one grid-grid, at once, some of
# which grid.ko refuses, must leave the state and grid.ko agreeing; and a
# share del or leave whose after step never ran (gridd killed after the
# commit) is finished at the next start.
#
#   20 x gridctl lease renew ID ──┐
#   10 x gridctl share set GG ────┼─► gridd ──one batch──► state.db ─► grid.ko
#                                 ┘   (one request per lease or share a batch)
source "$GRID_TOP/tests/lib.sh"

D=/tmp/batch
mkdir -p $D
printf 'state_dir %s/state\nsocket %s/gridd.sock\n' $D $D >$D/gridd.conf
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
down() {
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	pid=
}
# refused SENTENCE CMD...: CMD fails and says SENTENCE on stderr.
refused() {
	local s=$1 err
	shift
	err=$("$@" 2>&1 >/dev/null) && return 1
	[[ $err == *"$s"* ]] || { echo "    said: $err" >&2; return 1; }
}
state_lease() { $G -j lease list | jq ".leases[] | select(.id == $1 and .role == \"issued\")"; }
klease() { gridctl -j kernel lease show "$1"; }
state_share() { $G -j share list | jq ".shares[] | select(.gridgrid == \"$1\")"; }
kshare() { gridctl -j kernel share show "$1"; }

grid_load
grid_cgroups >/dev/null
ok gridd_up up
$G init home >/dev/null
$G agent add alice uid 1000 >/dev/null
$G gridgrid create club >/dev/null
ok share_set $G share set club memory 4G
ID=$($G -j lease issue club to alice memory 256M for 1h | jq -r .id)
ok lease_issued test -n "$ID" -a "$ID" != null

# at_once CMD: gridd stopped while the clients CMD starts connect and send,
# so that as many as it takes in at once wait for one batch.
at_once() {
	kill -STOP "$pid"
	"$@"
	sleep 2
	kill -CONT "$pid"
	wait "${pids[@]}"
}

pretty "20 renewals of one lease at once, every fourth one too big"
renewals() {
	pids=()
	for ((i = 1; i <= 20; i++)); do
		if ((i % 4 == 0)); then
			$G -j lease renew "$ID" memory 100G >$D/renew.$i.out 2>$D/renew.$i.err &
		else
			$G -j lease renew "$ID" for 2h >$D/renew.$i.out 2>$D/renew.$i.err &
		fi
		pids+=($!)
	done
}
at_once renewals
# -j: a success is the lease, a failure {"error": ...}, both on stdout.
cat $D/renew.*.out | jq -s 'map(select(.serial))' >$D/renewed.json
n_ok=$(jq length $D/renewed.json)
ok renewals_that_fit_succeed test "$n_ok" = 15
ok the_others_are_refused_as_too_big sh -c "cat $D/renew.*.out | jq -s -e 'map(.error // empty) | length == 5 and all(startswith(\"share exhausted: memory\"))'"
ok every_success_has_its_own_serial jq -e '[.[].serial] | length == (unique | length)' $D/renewed.json
S=$(state_lease "$ID" | jq .serial)
K=$(klease "$ID" | jq .serial)
ok state_serial_counts_the_successes test "$S" = $((1 + n_ok))
ok grid_ko_has_the_states_serial test "$K" = "$S"
ok the_last_success_is_the_state jq -e "[.[].serial] | max == $S" $D/renewed.json
ok grid_ko_kept_the_memory sh -c "gridctl -j kernel lease show $ID | jq -e '.state == \"active\" and .limits.memory_bytes == 268435456'"
ok the_states_record_is_kept test "$(sqlite3 $D/state/state.db "SELECT count(*) FROM leases_issued l JOIN records r ON r.id = l.record WHERE l.lease_id = $ID AND l.serial = $S")" = 1

pretty "10 share sets of one grid-grid at once, some below what its lease holds"
sizes=(1G 100M 2G 200M 3G 150M 5G 50M 6G 7G)
share_sets() {
	pids=()
	for ((i = 0; i < ${#sizes[@]}; i++)); do
		$G -j share set club memory "${sizes[$i]}" >$D/share.$i.out 2>$D/share.$i.err &
		pids+=($!)
	done
}
at_once share_sets
cat $D/share.*.out | jq -s 'map(select(.serial))' >$D/shared.json
n_ok=$(jq length $D/shared.json)
ok shares_above_the_lease_succeed test "$n_ok" = 6
ok shares_below_it_are_refused sh -c "cat $D/share.*.out | jq -s -e 'map(.error // empty) | length == 4 and all(startswith(\"the live leases of club hold more than that share\"))'"
ok every_share_has_its_own_serial jq -e '[.[].serial] | length == (unique | length)' $D/shared.json
SS=$(state_share club | jq .serial)
ok share_serial_counts_the_successes test "$SS" = $((1 + n_ok))
SM=$(state_share club | jq .limits.memory_bytes)
KM=$(kshare club | jq .share.memory_bytes)
ok grid_ko_has_the_states_share test "$KM" = "$SM"
ok the_states_share_is_the_last_success jq -e "max_by(.serial) | .limits.memory_bytes == $SM" $D/shared.json
ok the_states_share_record_is_kept test "$(sqlite3 $D/state/state.db "SELECT count(*) FROM shares s JOIN records r ON r.id = s.record WHERE s.gridgrid = 'club' AND s.serial = $SS")" = 1
ok the_lease_is_still_active sh -c "gridctl -j kernel lease show $ID | jq -e '.state == \"active\"'"

pretty "what a share del or a leave leaves when gridd dies after the commit"
$G gridgrid create spare >/dev/null
ok spare_share $G share set spare cpu 10% memory 64M
ok its_bpf_quota gridctl quota show spare
$G gridgrid create gone >/dev/null
ok gone_share $G share set gone memory 32M
$G gridgrid create busy >/dev/null
ok busy_share $G share set busy memory 64M
BID=$($G -j lease issue busy to alice memory 16M for 1h | jq -r .id)
ok busy_lease test -n "$BID" -a "$BID" != null
# A share in grid.ko this grid never signed, and a grid-grid it does not know.
$G gridgrid create theirs >/dev/null
ok their_share gridctl kernel share add theirs cgroup none memory 10M
ok stranger gridctl kernel gridgrid add stranger charter "$(printf '%064d' 7)"
down
# spare: share del committed. gone, busy: leave committed (its leases
# revoked; revoked names a record, any will do for the reference).
sqlite3 $D/state/state.db "
	DELETE FROM shares WHERE gridgrid IN ('spare', 'gone', 'busy');
	UPDATE gridgrids SET left_at = strftime('%s') WHERE name IN ('gone', 'busy');
	UPDATE leases_issued SET revoked = record WHERE gridgrid = 'busy';"
ok gridd_up_again up
ok a_deleted_share_leaves_grid_ko sh -c '! gridctl kernel share show spare 2>/dev/null'
ok and_its_bpf_quota sh -c '! gridctl quota show spare 2>/dev/null'
ok its_gridgrid_stays gridctl kernel gridgrid show spare
ok a_left_gridgrid_leaves_grid_ko sh -c '! gridctl kernel gridgrid show gone 2>/dev/null'
ok a_left_gridgrids_leases_are_ended sh -c "gridctl -j kernel lease show $BID | jq -e '.state == \"revoked\"'"
ok and_its_share sh -c '! gridctl kernel share show busy 2>/dev/null'
ok one_with_leases_stays_in_grid_ko gridctl kernel gridgrid show busy
ok and_that_is_said grep -q "busy was left, but grid.ko still holds it" $D/gridd.log
ok a_share_this_grid_never_signed_stays gridctl kernel share show theirs
ok an_unknown_gridgrid_stays gridctl kernel gridgrid show stranger
ok and_is_reported grep -q "stranger in grid.ko is not in gridd's state" $D/gridd.log
ok the_live_share_stays sh -c "gridctl -j kernel share show club | jq -e '.share.memory_bytes == $SM'"
ok its_lease_stays sh -c "gridctl -j kernel lease show $ID | jq -e '.state == \"active\" and .serial == $S'"
ok integrity_check sh -c "sqlite3 $D/state/state.db 'PRAGMA integrity_check' | grep -qx ok"

kill "$pid"
wait "$pid" 2>/dev/null
pid=
gridctl kernel share del theirs 2>/dev/null
gridctl kernel gridgrid del stranger 2>/dev/null
finish
