#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The owner's story, with two grids in one guest: two gridds, each with its
# own state folder and socket, drive one grid.ko.
#
#   home (provider)                      friend (consumer)
#   gridctl -S /tmp/story/home.sock      gridctl -S /tmp/story/friend.sock
#        \                                   /
#         gridd (home) --- grid.ko --- gridd (friend)
#
# init, create, invite, join, share, issue, import, renew, revoke, leave,
# and the end of a lease in grid.ko at its not_after; then a gridd killed
# and started again on a fresh module registers what its state holds.
source "$GRID_TOP/tests/lib.sh"

D=/tmp/story
mkdir -p $D
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; }
trap cleanup EXIT

# up NAME: a gridd with its own state and socket, ready.
up() {
	printf 'state_dir %s/%s\nsocket %s/%s.sock\n' $D "$1" $D "$1" >$D/"$1".conf
	# A fresh log, so that "ready" is this start's.
	: >$D/"$1".log
	gridd --config $D/"$1".conf 2>>$D/"$1".log &
	eval "pid_$1=$!"
	pids+=($!)
	for ((i = 0; i < 100; i++)); do
		[[ -S $D/$1.sock ]] && grep -q 'gridd: ready' $D/"$1".log && return 0
		sleep 0.1
	done
	return 1
}
H() { gridctl -S $D/home.sock "$@"; }
F() { gridctl -S $D/friend.sock "$@"; }
# refused SENTENCE CMD...: CMD fails and says SENTENCE on stderr.
refused() {
	local s=$1 err
	shift
	err=$("$@" 2>&1 >/dev/null) && return 1
	[[ $err == *"$s"* ]] || { echo "    said: $err" >&2; return 1; }
}
klease() { gridctl -j kernel lease show "$1"; }

grid_load
grid_cgroups >/dev/null

pretty "two gridds"
ok home_up up home
# friend keeps at most 1 live lease for one holder (256 unless told).
export GRIDD_HELD_MAX=1
ok friend_up up friend
unset GRIDD_HELD_MAX
ok without_a_grid_leases_are_refused refused "no grid yet" H lease list
ok home_init H init home
ok friend_init F init friend
ok init_twice_is_refused refused "this machine's grid is 'home' already" H init again
ok both_grids_are_in_grid_ko sh -c 'gridctl -j kernel grid list | jq -e "[.grids[].name] | sort == [\"friend\", \"home\"]"'
ok the_key_file_is_0600 sh -c "test \$(stat -c %a $D/home/keys/grid-*.key) = 600"
ok no_secret_in_the_log sh -c "! grep -qiE 'seed|secret' $D/home.log"
HK=$(H -j status | jq -r .gridd.key)
FK=$(F -j status | jq -r .gridd.key)
ok keys_differ test "$HK" != "$FK"

pretty "a grid-grid, an invitation, a join"
ok create H gridgrid create clubhouse
ok create_twice_is_refused refused "named clubhouse already" H gridgrid create clubhouse
INV=$(H -j gridgrid invite clubhouse for "$FK" expires 1h | jq -r .token)
ok invitation_is_one_line_of_text sh -c "[[ '$INV' == grid1:* ]]"
ok someone_else_cannot_join_by_it refused "the invitation is for another grid" \
	H gridgrid join "$INV"
ok friend_joins F gridgrid join "$INV"
ok joining_again_is_refused refused "already a member of clubhouse" F gridgrid join "$INV"
ok friend_is_a_member sh -c "gridctl -S $D/friend.sock -j gridgrid list | jq -e '.gridgrids[0] | .name == \"clubhouse\" and .state == \"member\" and .admin == false'"
PROOF=$(F -j gridgrid proof clubhouse | jq -r '.tokens[0].token')
ok home_admits_the_proof H gridgrid admit "$PROOF"
ok friend_cannot_invite refused "not an admin of clubhouse" F gridgrid invite clubhouse for "$HK"
ok the_charter_is_in_grid_ko sh -c 'gridctl -j kernel gridgrid list | jq -e "[.gridgrids[].name] == [\"clubhouse\"]"'

pretty "a share and leases"
ok consumer_side_without_membership_share_refused refused "not a member of other" \
	H share set other memory 1G
# The guest has no default route yet: an egress rate has no device to pace.
ok egress_without_a_route_refused refused "no default route is up" \
	H share set clubhouse memory 2G egress 5MB/s
ok refused_share_not_in_grid_ko sh -c '! gridctl kernel share show clubhouse 2>/dev/null'
ok refused_share_not_kept sh -c "gridctl -S $D/home.sock -j share list | jq -e '.shares == []'"
IP=/usr/sbin/ip
modprobe veth 2>/dev/null
modprobe sch_fq 2>/dev/null
$IP link add s0 type veth peer name s1
$IP addr add 10.77.0.1/24 dev s0
$IP link set s0 up
$IP link set s1 up
$IP route add default via 10.77.0.2 dev s0
ok share_set H share set clubhouse cpu 50% memory 2G pids 256 egress 5MB/s \
	egress-budget 10G/day cpu-budget 2h/day
ok share_quota_in_bpf sh -c 'gridctl -j quota show clubhouse | jq -e ".[0].egress_rate == 5242880 and .[0].egress_budget == 10737418240"'
ok share_set_again_changes_it H share set clubhouse cpu 50% memory 2G pids 256 egress 5MB/s \
	egress-budget 10G/day cpu-budget 2h/day
ok share_in_grid_ko sh -c 'gridctl -j kernel share show clubhouse | jq -e ".share.memory_bytes == 2147483648 and .share.pids == 256"'
ok share_cgroup_made test -d /sys/fs/cgroup/grid/clubhouse
L1=$(H -j lease issue clubhouse to "$FK" cpu 0.5 memory 512M for 1h)
ID1=$(jq -r .id <<<"$L1")
TOK1=$(jq -r .token <<<"$L1")
ok lease_issued test -n "$ID1" -a "$ID1" != null
ok lease_in_grid_ko sh -c "gridctl -j kernel lease show $ID1 | jq -e '.state == \"active\" and .limits.memory_bytes == 536870912 and .blob_len > 100'"
ok exhausted_says_which refused "share exhausted: memory" \
	H lease issue clubhouse to "$FK" memory 1900M for 1h
ok a_refused_lease_is_not_kept sh -c "[[ \$(gridctl -S $D/home.sock -j lease list | jq '.leases | length') == 1 ]]"
ok not_a_member_is_refused refused "not a member of clubhouse" \
	H lease issue clubhouse to 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef memory 1M for 1h
ok friend_imports F lease import "$TOK1"
ok import_twice_is_refused refused "is held already" F lease import "$TOK1"
TOKX=$(H -j lease issue clubhouse to "$FK" memory 1M for 1h | jq -r .token)
ok a_lease_past_the_holders_bound_is_refused refused "holds 1 live leases already" F lease import "$TOKX"
ok friend_holds_it sh -c "gridctl -S $D/friend.sock -j lease list | jq -e '.leases[0] | .role == \"held\" and .id == $ID1'"
ok renew H lease renew "$ID1" for 2h
ok renewal_in_grid_ko sh -c "gridctl -j kernel lease show $ID1 | jq -e '.serial == 2'"
ok renew_changes_only_what_it_names H lease renew "$ID1" memory 256M
ok renewal_kept_the_cpu_and_the_duration sh -c "gridctl -j kernel lease show $ID1 | jq -e '.serial == 3 and .limits.memory_bytes == 268435456 and .limits.cpu_quota_us == (.limits.cpu_period_us / 2)'"
ok a_lease_names_no_budget_period refused "count over its share's period" \
	H lease issue clubhouse to "$FK" memory 1M cpu-budget 1m period 1h for 1h
ID2=$(H -j lease issue clubhouse to "$FK" memory 100M for 1h | jq -r .id)
ok revoke H lease revoke "$ID2" reason "testing"
ok revoked_in_grid_ko sh -c "gridctl -j kernel lease show $ID2 | jq -e '.state == \"revoked\"'"
ok revoke_again_is_refused refused "was revoked" H lease revoke "$ID2"
# 5 s: time for the checks, with another guest beside this one.
ID3=$(H -j lease issue clubhouse to "$FK" memory 100M for 5s | jq -r .id)
ok short_lease_active sh -c "gridctl -j kernel lease show $ID3 | jq -e '.state == \"active\"'"
sleep 6
ok short_lease_ends_in_grid_ko_at_not_after sh -c "gridctl -j kernel lease show $ID3 | jq -e '.state == \"expired\"'"

ok a_gridgrid_without_a_share H gridgrid create lonely
ok is_in_grid_ko_too gridctl kernel gridgrid show lonely

pretty "home's gridd killed; grid.ko reloaded; home's gridd again"
kill -9 "$pid_home"
kill "$pid_friend"
wait 2>/dev/null
pids=()
gridctl kernel lease list >/dev/null
# A fresh module knows nothing: gridd's state is what must come back.
for l in $(gridctl -j kernel lease list | jq -r '.leases[].id'); do
	gridctl kernel lease del "$l" 2>/dev/null
done
for gg in clubhouse; do gridctl kernel share del $gg 2>/dev/null; done
# The BPF quota's CPU watch holds grid.ko; it is gridd's to make again.
gridctl quota detach clubhouse
ok module_unloads rmmod grid
grid_load
ok home_up_again up home
ok live_lease_registered_again sh -c "gridctl -j kernel lease show $ID1 | jq -e '.state == \"active\" and .serial == 3 and .limits.memory_bytes == 268435456'"
ok revoked_lease_not_registered sh -c "! gridctl kernel lease show $ID2 2>/dev/null"
ok share_registered_again sh -c 'gridctl -j kernel share show clubhouse | jq -e ".share.memory_bytes == 2147483648"'
ok gridgrid_without_share_registered_again gridctl kernel gridgrid show lonely
ok no_lease_twice sh -c "[[ \$(gridctl -j kernel lease list | jq '[.leases[] | select(.id == $ID1)] | length') == 1 ]]"
ok lonely_gets_a_share H share set lonely memory 64M
ok its_share_in_grid_ko gridctl kernel share show lonely
kill -9 "$pid_home"
wait "$pid_home" 2>/dev/null
# What a share del leaves when gridd dies between its commit and grid.ko.
sqlite3 $D/home/state.db "DELETE FROM shares WHERE gridgrid = 'lonely'"
ok home_up_a_third_time up home
ok a_share_the_state_no_longer_has_leaves_grid_ko sh -c '! gridctl kernel share show lonely 2>/dev/null'
ok the_other_share_stays gridctl kernel share show clubhouse
ok friend_up_again up friend

pretty "leave and revoke"
ok friend_leaves F gridgrid leave clubhouse
ok friend_has_left sh -c "gridctl -S $D/friend.sock -j gridgrid list | jq -e '.gridgrids[0].state == \"left\"'"
ok home_revokes_friend H gridgrid revoke clubhouse member "$FK" reason "left"
ok friends_leases_end sh -c "gridctl -j kernel lease show $ID1 | jq -e '.state == \"revoked\"'"
ok revoked_member_not_admitted_again refused "was revoked" H gridgrid admit "$PROOF"
ok home_leaves H gridgrid leave clubhouse
ok share_gone_from_grid_ko sh -c '! gridctl kernel share show clubhouse 2>/dev/null'
ok every_record_type_kept sh -c "gridctl -S $D/home.sock -j record list | jq -e '[.records[].type] | unique | length >= 7'"

kill "${pids[@]}"
wait 2>/dev/null
pids=()
finish
