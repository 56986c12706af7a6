#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gridctl end to end against grid.ko, with no gridd:
#
#   grid home ── grid kid (its member)      peer pi ── clubhouse, other
#
#   gridgrid clubhouse, share cpu 2 memory 2G pids 100, cgroup $GG
#   ├── lease 7  ── lease cgroup $GG/gridctl.$$, sandbox in it   revoked: its job dies
#   ├── lease 8     pending (no sandbox yet), then revoked
#   ├── lease 10    the largest blob, deleted while live: its id keeps its serial
#   ├── lease 12 ── sandbox $GG/gridctl.$$.pids   5 pids: a sixth task is refused
#   └── lease 9  ── sandbox $GG/gridctl.$$.end    expires after 2 s: its job dies
#   gridgrid other, no share: leases are refused
#
# GG is /sys/fs/cgroup/grid/clubhouse, which 'share add' makes and
# delegates; a sandbox must be below it, and the module writes each lease's
# limits into its lease cgroup, the child of GG the sandbox is in.
#
# Every object's add, set, del, list and show in text and JSON, checked by
# value; read-modify-write of grids, shares, peers and leases; the error
# sentences (exit 1) and usage errors (exit 2), and with -j the same
# sentence as {"error": ...} on stdout; sandboxes bound, shown and unbound
# by path and by id; 'gridctl self' inside a sandbox and outside;
# 'gridctl -j monitor' seeing the events of all this, one object per line.
# At the end everything is deleted, rmmod must succeed and the module's
# created/destroyed log must balance.
source "$GRID_TOP/tests/lib.sh"
set -o pipefail

K_HOME=$(printf 'a1%.0s' {1..32})
K_KID=$(printf 'b2%.0s' {1..32})
K_CHARTER=$(printf 'c3%.0s' {1..32})
K_PI=$(printf 'd4%.0s' {1..32})
K_NEW=$(printf 'e5%.0s' {1..32})
GG=/sys/fs/cgroup/grid/clubhouse
L7=$GG/gridctl.$$
SB=$L7/job
SB_END=$GG/gridctl.$$.end
SB_OUTER=$L7/outer
SB_PIDS=$GG/gridctl.$$.pids
STRAY=/sys/fs/cgroup/gridctl.$$.stray
mon_log=/tmp/gridctl-monitor.json
monitor=
sleepers=()

# Subshells inherit the trap for a moment after they fork; only the test
# itself cleans up.
cleanup() {
	[[ $BASHPID == "$$" ]] || return
	[[ -n $monitor ]] && kill "$monitor" 2>/dev/null
	for pid in "${sleepers[@]}"; do kill -9 "$pid" 2>/dev/null; done
	rmdir "$SB/inner" "$SB" "$L7" "$SB_END" "$SB_PIDS" "$STRAY" "$GG" 2>/dev/null
}
trap cleanup EXIT

# gridctl with the kernel objects (grid, gridgrid, share, peer, lease) under
# 'gridctl kernel', where they live since gridd owns the top-level verbs:
# this test drives grid.ko directly, with no gridd.
kgc() {
	local opts=()
	while [[ ${1:-} == -* ]]; do opts+=("$1"); shift; done
	case ${1:-} in
	grid | gridgrid | share | peer | lease) gridctl "${opts[@]}" kernel "$@" ;;
	*) gridctl "${opts[@]}" "$@" ;;
	esac
}

# refuses STATUS SENTENCE ARGS...: gridctl ARGS exits STATUS saying
# "gridctl: ...SENTENCE..." on stderr, and gridctl -j ARGS exits STATUS
# with {"error": "...SENTENCE..."} on stdout and nothing on stderr.
refuses() {
	local want=$1 sentence=$2 rc=0 err out
	shift 2
	err=$(kgc "$@" 2>&1 >/dev/null) || rc=$?
	if [[ $rc != "$want" || $err != "gridctl: "*"$sentence"* ]]; then
		echo "    status $rc: $err" >&2
		return 1
	fi
	rc=0
	out=$(kgc -j "$@" 2>/tmp/gridctl.err) || rc=$?
	if [[ $rc != "$want" || -s /tmp/gridctl.err ]] ||
	   ! jq -e --arg s "$sentence" '.error | contains($s)' <<<"$out" >/dev/null; then
		echo "    -j status $rc: $out $(cat /tmp/gridctl.err)" >&2
		return 1
	fi
}

# json FILTER ARGS...: gridctl -j ARGS works and jq FILTER holds for what
# it prints.
json() {
	local filter=$1
	shift
	kgc -j "$@" | jq -e "$filter"
}

# shows REGEX ARGS...: gridctl ARGS works and prints a line matching REGEX.
shows() {
	local re=$1
	shift
	kgc "$@" | grep -qE -- "$re"
}

# Prints nothing and, with -j, an empty object: how a change says it worked.
quiet() { [[ -z $(kgc "$@") ]]; }
quiet_json() { [[ $(kgc -j "$@") == "{}" ]]; }

# events FILTER: the monitor has printed a line for which jq FILTER holds.
events() { jq -se "any(.[]; $1)" "$mon_log"; }

# Every line of FILE is one JSON object.
one_object_per_line() {
	local line
	while IFS= read -r line; do
		jq -e 'type == "object"' <<<"$line" >/dev/null || return 1
	done <"$1"
	[[ -s $1 ]]
}

# In gridctl status, every count ends under the end of its heading.
columns_line_up() {
	gridctl status | awk '
		NR == 2 { head = $0; next }
		NR > 2 {
			rows++
			for (i = 4; i <= length(head); i++)
				if (substr(head, i, 1) != " " && substr(head, i + 1, 1) ~ /^ ?$/ &&
				    substr($0, i, 1) !~ /[0-9]/)
					bad = 1
		}
		END { exit bad || rows != 2 }'
}

# in_sandbox CMD...: runs CMD as a task of the sandbox $SB.
in_sandbox() { sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$SB" "$@"; }

# Waits for a job that grid.ko should kill, and sets $reaped to its exit
# status; a job still alive after 10 s is ended with SIGTERM (143).
reap() {
	local pid=$1 i

	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	reaped=0
	wait "$pid" || reaped=$?
}

pretty "enable cpu, memory and pids for child cgroups"
echo "+cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
grid_load

pretty "gridctl -j monitor, in the background"
gridctl -j monitor >"$mon_log" 2>/tmp/gridctl-monitor.err &
monitor=$!

pretty "usage"
ok no_arguments_shows_the_status shows '^grid.ko .+ \(abi 1\)$'
ok status_columns_line_up columns_line_up
ok unknown_object_is_a_usage_error refuses 2 "unknown object 'bogus'; try 'gridctl help'" bogus
ok unknown_command_is_a_usage_error refuses 2 "unknown command 'frob'; try 'gridctl kernel lease help'" lease frob
ok unknown_option_is_a_usage_error refuses 2 "unknown option '--frob'" --frob
ok help_lists_the_objects shows '^  lease +signed leases' help
ok command_help_is_its_grammar shows '^Usage: gridctl kernel lease add ID serial N issuer HEX' lease add help
ok bad_key_names_its_word refuses 2 "'key' takes a public key of 64 hex digits, not all zero, not '12'" grid add home key 12
ok bad_name_names_its_word refuses 2 "'NAME' takes a name of 1 to 31 characters" grid add Home key "$K_HOME"
ok missing_value_is_a_usage_error refuses 2 "'key' needs a value" grid add home key

pretty "grid: add, set, del, list, show"
ok grid_add_home quiet grid add home key "$K_HOME"
ok grid_add_prints_an_empty_json_object quiet_json grid add kid key "$K_KID" parent home
ok grid_list_text shows "^kid key $K_KID parent home\$" grid list
ok grid_list_json json "[.grids[].name] == [\"home\", \"kid\"] and .grids[0].parent == null and .grids[1].parent == \"home\"" grid list
ok grid_show_json json ".name == \"kid\" and .key == \"$K_KID\" and .parent == \"home\"" grid show kid
ok grid_show_text shows "^home key $K_HOME\$" grid show home
ok grid_pretty_json_parses sh -c 'gridctl -p kernel grid show kid | jq -e ".name == \"kid\""'
ok grid_set_parent_none_keeps_the_key quiet grid set kid parent none
ok grid_parent_is_gone json ".key == \"$K_KID\" and .parent == null" grid show kid
ok grid_set_key_keeps_the_parent sh -c "gridctl kernel grid set kid parent home && gridctl kernel grid set kid key $K_NEW"
ok grid_key_changed_parent_kept json ".key == \"$K_NEW\" and .parent == \"home\"" grid show kid
ok grid_set_key_back quiet grid set kid key "$K_KID"
ok grid_add_eexist refuses 1 "grid 'home' already exists" grid add home key "$K_NEW"
ok grid_add_taken_key refuses 1 "key $K_KID is already the key of grid 'kid'" grid add other key "$K_KID"
ok grid_set_taken_key refuses 1 "key $K_HOME is already the key of grid 'home'" grid set kid key "$K_HOME"
ok grid_add_enoent_parent refuses 1 "no grid 'nope' to be the parent" grid add orphan key "$K_NEW" parent nope
ok grid_set_enoent refuses 1 "no grid 'nope'" grid set nope key "$K_NEW"
ok grid_show_enoent refuses 1 "no grid 'nope'" grid show nope
ok grid_set_eloop refuses 1 "'kid' cannot be the parent of 'home'" grid set home parent kid
ok grid_del_ebusy_names_the_member refuses 1 "grid 'home' is still in use by its member grid 'kid'" grid del home

pretty "gridgrid: add, set, del, list, show"
ok gridgrid_add_clubhouse quiet gridgrid add clubhouse charter "$K_NEW"
ok gridgrid_add_other quiet gridgrid add other charter "$K_CHARTER"
ok gridgrid_set_charter quiet gridgrid set clubhouse charter "$K_CHARTER"
ok gridgrid_show_json json ".name == \"clubhouse\" and .charter_key == \"$K_CHARTER\" and .share == null and .leases == 0 and .peers == 0" gridgrid show clubhouse
ok gridgrid_show_text shows "^clubhouse charter $K_CHARTER leases 0 peers 0 sandboxes 0\$" gridgrid show clubhouse
ok gridgrid_without_share_says_so shows $'^\tno share$' gridgrid show other
ok gridgrid_list_json json '[.gridgrids[].name] == ["clubhouse", "other"]' gridgrid list
ok gridgrid_add_eexist refuses 1 "grid-grid 'clubhouse' already exists" gridgrid add clubhouse charter "$K_CHARTER"
ok gridgrid_set_enoent refuses 1 "no grid-grid 'nope'" gridgrid set nope charter "$K_CHARTER"
ok gridgrid_missing_charter_is_usage refuses 2 "missing 'charter HEX'" gridgrid add third

pretty "the monitor is listening once it reports a refused lease"
for ((i = 0; i < 50; i++)); do
	gridctl kernel lease add 1 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid other \
		not-before now not-after +1h 2>/dev/null
	grep -q share-exhausted "$mon_log" && break
	sleep 0.1
done
ok monitor_is_listening grep -q share-exhausted "$mon_log"
ok lease_without_share_says_so refuses 1 "grid-grid 'other' has no share on this machine; add one with 'gridctl kernel share add other LIMITS'" \
	lease add 1 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid other not-before now not-after +1h

pretty "share: add, set, del, list, show"
ok share_add quiet share add clubhouse cpu 2 memory 2G pids 100
ok share_add_made_the_cgroup test -d "$GG"
ok share_cgroup_is_delegated grep -qw pids "$GG/cgroup.subtree_control"
ok share_show_cgroup json ".cgroup_id == $(stat -c %i "$GG" 2>/dev/null || echo 0) and .cgroup == \"$GG\"" share show clubhouse
ok share_show_cgroup_text shows "^	cgroup [0-9]+ $GG\$" share show clubhouse
ok share_show_text shows '^clubhouse cpu 2.0 memory 2G pids 100$' share show clubhouse
ok share_show_used_text shows $'^\tused cpu 0.0 memory 0 pids 0$' share show clubhouse
ok share_show_json json '.gridgrid == "clubhouse" and .share.cpu_quota_us == 200000 and .share.cpu_period_us == 100000 and .share.cpu_nanocores == 2000000000 and .share.memory_bytes == 2147483648 and .share.pids == 100 and .share.net_egress_rate == 18446744073709551615 and .share.budget_period_s == 86400 and .used.memory_bytes == 0 and .leases == 0' share show clubhouse
ok share_in_gridgrid_show json '.share.memory_bytes == 2147483648 and .used.pids == 0' gridgrid show clubhouse
gridctl -j kernel share show clubhouse >/tmp/share.before
ok share_set_two_fields quiet share set clubhouse memory 3G egress-rate 5M/s
gridctl -j kernel share show clubhouse >/tmp/share.after
ok share_set_changed_them jq -e '.share.memory_bytes == 3221225472 and .share.net_egress_rate == 5242880' /tmp/share.after
ok share_set_kept_the_rest jq -en --slurpfile a /tmp/share.before --slurpfile b /tmp/share.after \
	'[$a[0], $b[0]] | map(.share | del(.memory_bytes, .net_egress_rate)) | .[0] == .[1]'
ok share_set_shows_as_words shows '^clubhouse cpu 2.0 memory 3G pids 100 egress-rate 5M/s$' share show clubhouse
ok share_set_back quiet share set clubhouse memory 2G egress-rate max
ok share_is_as_added jq -e --slurpfile a /tmp/share.before '.share == $a[0].share' <(gridctl -j kernel share show clubhouse)
ok share_list_json json '[.shares[].gridgrid] == ["clubhouse"]' share list
ok share_add_eexist refuses 1 "grid-grid 'clubhouse' already has a share" share add clubhouse cpu 1
ok share_add_enoent refuses 1 "no grid-grid 'nope'" share add nope cpu 1
ok share_show_without_share refuses 1 "grid-grid 'other' has no share" share show other
ok share_set_without_share refuses 1 "grid-grid 'other' has no share" share set other cpu 1
ok bad_size_is_a_usage_error refuses 2 "'memory' takes a size like 512M or 2G, or max, not '12Q'" share set clubhouse memory 12Q
ok bad_cores_is_a_usage_error refuses 2 "'cpu' takes a number of cores like 1.5, or max, not 'lots'" share set clubhouse cpu lots
ok cpu_and_quota_together_is_usage refuses 2 "'cpu' and 'cpu-quota' both set the CPU quota" share set clubhouse cpu 1 cpu-quota 5000

pretty "peer: add, set, del, list, show"
ok peer_add quiet peer add "$K_PI" name pi gridgrid clubhouse gridgrid other
ok peer_show_text shows "^$K_PI name pi gridgrid clubhouse gridgrid other\$" peer show "$K_PI"
ok peer_show_json json ".key == \"$K_PI\" and .name == \"pi\" and .gridgrids == [\"clubhouse\", \"other\"]" peer show "$K_PI"
ok peer_set_name_keeps_gridgrids quiet peer set "$K_PI" name raspberry
ok peer_name_changed json '.name == "raspberry" and .gridgrids == ["clubhouse", "other"]' peer show "$K_PI"
ok peer_set_gridgrid_none_keeps_name quiet peer set "$K_PI" gridgrid none
ok peer_has_no_gridgrids json '.name == "raspberry" and .gridgrids == []' peer show "$K_PI"
ok peer_set_gridgrid quiet peer set "$K_PI" gridgrid clubhouse name pi
ok peer_list_json json ".peers | length == 1 and .[0].key == \"$K_PI\" and .[0].name == \"pi\" and .[0].gridgrids == [\"clubhouse\"]" peer list
ok gridgrid_counts_the_peer json '.peers == 1' gridgrid show clubhouse
ok peer_add_eexist refuses 1 "peer $K_PI already exists" peer add "$K_PI" name pi
ok peer_add_enoent_gridgrid refuses 1 "no grid-grid 'nope'" peer add "$K_NEW" name x gridgrid nope
ok peer_set_enoent refuses 1 "no peer $K_NEW" peer set "$K_NEW" name x
ok peer_del_enoent refuses 1 "no peer $K_NEW" peer del "$K_NEW"

pretty "lease: add, set, del, revoke, list, show"
printf 'signed lease bytes' >/tmp/blob
head -c 4097 /dev/zero >/tmp/blob.big
ok lease_add quiet lease add 7 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse \
	cpu 1.5 memory 1G pids 10 not-before now not-after +1d blob /tmp/blob
ok lease_show_json json ".id == 7 and .serial == 1 and .state == \"active\" and .gridgrid == \"clubhouse\" and .issuer == \"$K_HOME\" and .holder == \"$K_PI\" and .limits.cpu_nanocores == 1500000000 and .limits.cpu_quota_us == 150000 and .limits.memory_bytes == 1073741824 and .limits.pids == 10 and .limits.net_egress_rate == 18446744073709551615 and .limits.budget_period_s == 86400 and .blob_len == 18 and .blob == \"7369676e6564206c65617365206279746573\" and .sandboxes == 0" lease show 7
ok lease_window_is_a_day json '((.not_after_ns - .not_before_ns) / 1e9 | floor) == 86400 and (.not_before - now | fabs) < 60' lease show 7
ok lease_show_text shows '^7 serial 1 active gridgrid clubhouse sandboxes 0$' lease show 7
ok lease_show_text_limits shows $'^\tlimits cpu 1.5 memory 1G pids 10$' lease show 7
ok lease_show_text_blob shows $'^\tblob 18 bytes$' lease show 7
ok share_counts_what_is_used json '.used.cpu_nanocores == 1500000000 and .used.memory_bytes == 1073741824 and .used.pids == 10 and .leases == 1' share show clubhouse
ok lease_edquot_names_the_resource refuses 1 "would exceed the share of 'clubhouse' (cpu 1.5 of 2.0 cores in use, 1.0 requested)" \
	lease add 8 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse cpu 1 memory 512M pids 10 not-before now not-after +1h
ok lease_edquot_memory refuses 1 "would exceed the share of 'clubhouse' (memory 1G of 2G in use, 1.5G requested)" \
	lease add 8 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse cpu 0.5 memory 1.5G pids 10 not-before now not-after +1h
ok lease_edquot_unlimited refuses 1 "would exceed the share of 'clubhouse' (pids 10 of 100 in use, no limit requested)" \
	lease add 8 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse cpu 0.5 memory 512M not-before now not-after +1h
ok lease_add_pending quiet lease add 8 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse \
	cpu 0.5 memory 512M pids 10 not-before +1h not-after +2h
ok lease_is_pending json '.state == "pending" and .blob_len == 0' lease show 8
mkdir -p "$GG/gridctl.$$.pending"
ok sandbox_bind_pending_eagain refuses 1 "lease 8 has not started yet; bind once it is active" sandbox bind "$GG/gridctl.$$.pending" lease 8
ok pending_bind_left_no_sandbox json '.sandboxes == []' sandbox list
ok pending_bind_wrote_no_limits grep -qx max "$GG/gridctl.$$.pending/pids.max"
rmdir "$GG/gridctl.$$.pending"
ok lease_list_json json '[.leases[] | [.id, .state]] == [[7, "active"], [8, "pending"]]' lease list
ok lease_list_text shows '^8 serial 1 pending gridgrid clubhouse sandboxes 0$' lease list
ok lease_list_by_gridgrid json '.leases | length == 2' lease list gridgrid clubhouse
ok lease_list_by_empty_gridgrid json '.leases == []' lease list gridgrid other
ok lease_list_by_no_gridgrid refuses 1 "no grid-grid 'nope'" lease list gridgrid nope
ok lease_add_eexist refuses 1 "lease 7 already exists" \
	lease add 7 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse cpu 0.1 memory 1M pids 1 not-before now not-after +1h
ok lease_add_enokey refuses 1 "the issuer key is not a local grid's" \
	lease add 9 serial 1 issuer "$K_PI" holder "$K_PI" gridgrid clubhouse cpu 0.1 memory 1M pids 1 not-before now not-after +1h
ok lease_add_enoent_gridgrid refuses 1 "no grid-grid 'nope'" \
	lease add 9 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid nope cpu 0.1 memory 1M pids 1 not-before now not-after +1h
ok lease_add_ekeyexpired refuses 1 "the lease's window has already ended" \
	lease add 9 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse cpu 0.1 memory 1M pids 1 not-before -2h not-after -1h
ok lease_add_other_period refuses 1 "a lease's budget period is its share's: the share of 'clubhouse' has period 1d, not 1h" \
	lease add 9 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse cpu 0.1 memory 1M pids 1 period 1h not-before now not-after +1h
ok lease_add_missing_word_is_usage refuses 2 "missing 'holder HEX'" \
	lease add 9 serial 1 issuer "$K_HOME" gridgrid clubhouse not-before now not-after +1h
ok lease_add_bad_time_is_usage refuses 2 "'not-after' takes a time like now, +1h" \
	lease add 9 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse not-before now not-after soon
ok lease_add_too_big_blob refuses 1 "the blob '/tmp/blob.big' is larger than 4096 bytes" \
	lease add 9 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse not-before now not-after +1h blob /tmp/blob.big
ok lease_show_enoent refuses 1 "no lease 99" lease show 99

pretty "lease set: read-modify-write under a newer serial"
gridctl -j kernel lease show 7 >/tmp/lease.before
ok lease_set_one_field quiet lease set 7 serial 2 memory 1.5G
gridctl -j kernel lease show 7 >/tmp/lease.after
ok lease_set_changed_memory_and_serial jq -e '.serial == 2 and .limits.memory_bytes == 1610612736 and .state == "active"' /tmp/lease.after
ok lease_set_kept_the_rest jq -en --slurpfile a /tmp/lease.before --slurpfile b /tmp/lease.after \
	'[$a[0], $b[0]] | map(del(.serial, .limits.memory_bytes, .blob, .blob_len)) | .[0] == .[1]'
# The signed bytes described the old limits: a set without them drops them.
ok lease_set_without_blob_drops_it jq -e '.blob_len == 0 and (.blob == null or .blob == "")' /tmp/lease.after
ok lease_set_with_blob_keeps_it sh -c 'gridctl kernel lease set 7 serial 3 blob /tmp/blob && gridctl -j kernel lease show 7 | jq -e ".blob_len == 18"'
ok lease_set_not_after quiet lease set 7 serial 4 not-after +2d blob /tmp/blob
ok lease_not_after_moved json '.serial == 4 and .blob_len == 18 and .not_after - .not_before >= 172799 and .limits.memory_bytes == 1610612736' lease show 7
ok lease_set_estale refuses 1 "serial 4 is not newer than the lease's (4)" lease set 7 serial 4 memory 1G
ok lease_set_edquot refuses 1 "would exceed the share of 'clubhouse' (memory 512M of 2G in use, 1.75G requested)" lease set 7 serial 5 memory 1.75G
ok lease_set_enoent refuses 1 "no lease 99" lease set 99 serial 5 memory 1G
ok lease_set_only_some_words refuses 2 "unexpected 'issuer' (set changes serial, LIMITS, not-after and blob)" lease set 7 serial 5 issuer "$K_HOME"

pretty "what live leases hold back"
ok share_set_edquot_names_the_resource refuses 1 "the live leases of 'clubhouse' hold more than that (memory 2G in use, more than 1G)" share set clubhouse memory 1G
ok share_set_period_ebusy refuses 1 "the budget period of 'clubhouse' cannot change while it has live leases" share set clubhouse period 1h
ok share_del_edquot refuses 1 "the share of 'clubhouse' still holds 2 live leases" share del clubhouse
ok gridgrid_del_ebusy refuses 1 "grid-grid 'clubhouse' is still in use by 1 peer, 2 leases and its share" gridgrid del clubhouse
ok grid_del_ebusy_names_leases refuses 1 "grid 'home' is still in use by its member grid 'kid' and 2 live leases it issued" grid del home
ok grid_set_key_ebusy refuses 1 "the key of grid 'home' cannot change while 2 live leases issued under it remain" grid set home key "$K_NEW"

pretty "lease revoke"
ok lease_revoke quiet lease revoke 8
ok lease_is_revoked json '.state == "revoked"' lease show 8
ok revoked_frees_the_share json '.used.memory_bytes == 1610612736' share show clubhouse
ok lease_revoke_again refuses 1 "lease 8 is already revoked" lease revoke 8
ok lease_set_revoked refuses 1 "lease 8 was revoked and cannot be changed" lease set 8 serial 2 memory 1M
ok lease_revoke_enoent refuses 1 "no lease 99" lease revoke 99
head -c 4096 /dev/urandom >/tmp/blob.max
od -An -v -tx1 /tmp/blob.max | tr -d ' \n' >/tmp/blob.max.hex
ok lease_add_largest_blob quiet lease add 10 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse \
	cpu 0.1 memory 1M pids 1 not-before now not-after +1h blob /tmp/blob.max
ok lease_show_largest_blob jq -e --rawfile hex /tmp/blob.max.hex '.blob_len == 4096 and .blob == $hex' \
	<(gridctl -j kernel lease show 10)
ok lease_list_with_largest_blob json '[.leases[].id] == [7, 8, 10]' lease list
ok lease_del_live quiet lease del 10
ok lease_readd_same_serial_estale refuses 1 "lease 10 was deleted at a serial of at least 1 before its window ended" \
	lease add 10 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse cpu 0.1 memory 1M pids 1 not-before now not-after +1h
ok lease_readd_was_refused refuses 1 "no lease 10" lease show 10
ok lease_readd_newer_serial quiet lease add 10 serial 2 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse \
	cpu 0.1 memory 1M pids 1 not-before now not-after +1h
ok lease_del_again quiet lease del 10

pretty "sandbox: bind, unbind, list, show"
mkdir -p "$SB/inner" "$SB_END" "$STRAY"
ok sandbox_bind_outside_exdev refuses 1 "cgroup '$STRAY' is not below $GG, the cgroup of lease 7's grid-grid 'clubhouse'" sandbox bind "$STRAY" lease 7
ok sandbox_bind_gridgrid_itself_exdev refuses 1 "cgroup '$GG' is not below $GG" sandbox bind "$GG" lease 7
ok stray_binds_left_no_sandbox json '.sandboxes == []' sandbox list
rmdir "$STRAY"
id=$(gridctl sandbox bind "$SB" lease 7)
ok sandbox_bind_prints_the_cgroup_id test "$id" = "$(stat -c %i "$SB")"
ok sandbox_show_by_path json ".cgroup_id == $id and .lease_id == 7 and .gridgrid == \"clubhouse\" and .state == \"bound\" and .path == \"/grid/clubhouse/gridctl.$$/job\" and .lease_cgroup_id == $(stat -c %i "$L7")" sandbox show "$SB"
ok sandbox_show_by_id_text shows "^$id lease 7 gridgrid clubhouse bound path /grid/clubhouse/gridctl.$$/job\$" sandbox show "$id"
ok bind_wrote_memory_max grep -qx 1610612736 "$L7/memory.max"
ok bind_wrote_pids_max grep -qx 10 "$L7/pids.max"
ok bind_wrote_cpu_max grep -qx '150000 100000' "$L7/cpu.max"
ok lease_set_rewrites_memory_max sh -c "gridctl kernel lease set 7 serial 5 memory 1.25G && grep -qx 1342177280 '$L7/memory.max'"
ok lease_set_kept_pids_max grep -qx 10 "$L7/pids.max"
ok sandbox_list_json json "[.sandboxes[] | .cgroup_id] == [$id]" sandbox list
ok sandbox_list_by_gridgrid json '.sandboxes | length == 1' sandbox list gridgrid clubhouse
ok sandbox_list_by_no_gridgrid refuses 1 "no grid-grid 'nope'" sandbox list gridgrid nope
ok lease_counts_its_sandbox json '.sandboxes == 1' lease show 7
ok sandbox_bind_eexist refuses 1 "cgroup '$SB' is already bound to lease 7" sandbox bind "$SB" lease 7
ok sandbox_bind_nested_ebusy refuses 1 "cgroup '$SB/inner' is inside sandbox $id, and sandboxes do not nest" sandbox bind "$SB/inner" lease 7
ok sandbox_bind_not_a_cgroup refuses 1 "'/tmp' is not a cgroup v2 directory" sandbox bind /tmp lease 7
ok sandbox_bind_root_einval refuses 1 "'/sys/fs/cgroup' is not a cgroup v2 directory that can be killed (not the root, not threaded)" sandbox bind /sys/fs/cgroup lease 7
mkdir -p "$SB_OUTER/inner-job" "$SB_OUTER/threads"
ok sandbox_bind_inner_for_outer gridctl sandbox bind "$SB_OUTER/inner-job" lease 7
ok sandbox_bind_outer_ebusy refuses 1 "cgroup '$SB_OUTER' holds another sandbox" sandbox bind "$SB_OUTER" lease 7
ok sandbox_unbind_inner quiet sandbox unbind "$SB_OUTER/inner-job"
echo threaded >"$SB_OUTER/threads/cgroup.type"
ok sandbox_bind_threaded_einval refuses 1 "'$SB_OUTER/threads' is not a cgroup v2 directory that can be killed (not the root, not threaded)" sandbox bind "$SB_OUTER/threads" lease 7
rmdir "$SB_OUTER/threads" "$SB_OUTER/inner-job" "$SB_OUTER"
ok lease_add_second_lease quiet lease add 13 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse \
	cpu 0.1 memory 1M pids 1 not-before now not-after +1h
mkdir -p "$L7/other"
ok one_lease_per_lease_cgroup refuses 1 "the lease cgroup of '$L7/other' holds a sandbox of lease 7, and a lease cgroup serves one lease" sandbox bind "$L7/other" lease 13
rmdir "$L7/other"
mkdir -p "$SB_END/second"
ok one_lease_cgroup_per_lease refuses 1 "lease 7 has its sandboxes in another lease cgroup (id $(stat -c %i "$L7")), and a lease has one" sandbox bind "$SB_END/second" lease 7
rmdir "$SB_END/second"
ok lease_del_second_lease quiet lease del 13
ok sandbox_bind_revoked refuses 1 "lease 8 was revoked" sandbox bind "$SB_END" lease 8
ok sandbox_bind_enoent refuses 1 "no lease 99" sandbox bind "$SB_END" lease 99
ok sandbox_bind_usage refuses 2 "takes CGROUP-DIR lease ID" sandbox bind "$SB_END" 7
ok lease_del_ebusy refuses 1 "lease 7 is still in use by 1 sandbox; unbind them first" lease del 7
ok sandbox_unbind_by_path quiet sandbox unbind "$SB"
ok sandbox_is_gone refuses 1 "no sandbox with cgroup id $id" sandbox show "$id"
ok sandbox_unbind_enoent refuses 1 "no sandbox with cgroup id $id" sandbox unbind "$SB"
ok sandbox_bind_json json ".cgroup_id == $id" sandbox bind "$SB" lease 7
ok sandbox_unbind_by_id quiet_json sandbox unbind "$id"
ok sandbox_list_is_empty json '.sandboxes == []' sandbox list
ok sandbox_rebind test "$(gridctl sandbox bind "$SB" lease 7)" = "$id"

pretty "sandbox set: move a sandbox to another lease in one step"
ok lease_add_for_move quiet lease add 11 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse \
	cpu 0.1 memory 1M pids 1 not-before now not-after +1h
ok sandbox_set_moves_it test "$(gridctl sandbox set "$SB" lease 11)" = "$id"
ok sandbox_shows_new_lease json ".lease_id == 11 and .state == \"bound\"" sandbox show "$id"
ok old_lease_has_no_sandbox json '.sandboxes == 0' lease show 7
ok new_lease_has_the_sandbox json '.sandboxes == 1' lease show 11
ok sandbox_set_back test "$(gridctl sandbox set "$SB" lease 7)" = "$id"
ok sandbox_set_unbound refuses 1 "no lease 7, or cgroup '$SB_END' is not bound to a lease" sandbox set "$SB_END" lease 7
ok sandbox_set_revoked refuses 1 "lease 8 was revoked" sandbox set "$SB" lease 8
ok lease_del_after_move quiet lease del 11
ok lease_del_after_move_limits_are_lease_7s grep -qx 1342177280 "$L7/memory.max"

pretty "a lease of 5 pids holds 5 tasks, however many its job starts"
ok lease_add_5_pids quiet lease add 12 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse \
	cpu 0.1 memory 64M pids 5 not-before now not-after +1h
mkdir -p "$SB_PIDS"
ok sandbox_bind_5_pids gridctl sandbox bind "$SB_PIDS" lease 12
ok pids_max_is_5 grep -qx 5 "$SB_PIDS/pids.max"
sh -c 'echo $$ >"$0/cgroup.procs"; for i in 1 2 3 4 5 6 7 8 9 10; do sleep 100 & done 2>/dev/null; wait' "$SB_PIDS" 2>/dev/null &
pids_job=$!
sleepers+=("$pids_job")
# Until the forks are done (refused at the sixth), not a fixed second.
for ((i = 0; i < 100; i++)); do
	awk '$1 == "max" && $2 >= 1 { f = 1 } END { exit !f }' "$SB_PIDS/pids.events" && break
	sleep 0.1
done
ok at_most_5_tasks_in_the_sandbox test "$(wc -l <"$SB_PIDS/cgroup.procs")" -le 5
ok the_sixth_fork_was_refused test "$(awk '$1 == "max" { print $2 }' "$SB_PIDS/pids.events")" -ge 1
echo 1 >"$SB_PIDS/cgroup.kill"
wait "$pids_job" 2>/dev/null
ok sandbox_unbind_5_pids quiet sandbox unbind "$SB_PIDS"
ok lease_del_5_pids quiet lease del 12
rmdir "$SB_PIDS"

pretty "gridctl self, inside the sandbox and outside"
ok self_inside_json jq -e ".lease_id == 7 and .serial == 5 and .state == \"active\" and .gridgrid == \"clubhouse\" and .cgroup_id == $id and .limits.memory_bytes == 1342177280 and .limits.cpu_nanocores == 1500000000 and .pids_current >= 1 and .memory_current > 0" \
	<(in_sandbox gridctl -j self)
ok self_inside_text grep -q '^lease 7 serial 5 active gridgrid clubhouse$' <(in_sandbox gridctl self)
ok inside_only_self_works grep -q "^gridctl: kernel lease list: not permitted: .* inside a sandbox only 'gridctl self' works$" \
	<(in_sandbox gridctl kernel lease list 2>&1)
ok self_outside_fails refuses 1 "this task is not inside a grid sandbox" self

pretty "a revoked lease kills the job in its sandbox"
sleep 1000 &
job=$!
sleepers+=("$job")
echo "$job" >"$SB/cgroup.procs"
ok lease_revoke_with_sandbox quiet lease revoke 7
reap "$job"
ok revoked_job_was_killed test "$reaped" = 137
ok sandbox_is_killed json '.state == "killed" and .lease_id == 7' sandbox show "$id"
ok lease_7_is_revoked json '.state == "revoked" and .sandboxes == 1' lease show 7

pretty "a lease that expires kills the job in its sandbox, with no daemon"
ok no_gridd_runs sh -c '! pidof gridd'
ok lease_add_short quiet lease add 9 serial 1 issuer "$K_HOME" holder "$K_PI" gridgrid clubhouse \
	cpu 1 memory 1G pids 10 not-before now not-after +2s
id_end=$(gridctl sandbox bind "$SB_END" lease 9)
sleep 1000 &
job=$!
sleepers+=("$job")
echo "$job" >"$SB_END/cgroup.procs"
ok sandbox_end_is_bound test "$id_end" = "$(stat -c %i "$SB_END")"
reap "$job"
ok expired_job_was_killed test "$reaped" = 137
ok lease_show_says_expired shows '^9 serial 1 expired gridgrid clubhouse sandboxes 1$' lease show 9
ok lease_json_says_expired json '.state == "expired"' lease show 9
ok expired_sandbox_is_killed json ".cgroup_id == $id_end and .state == \"killed\"" sandbox show "$id_end"
ok lease_set_expired refuses 1 "lease 9 has expired and cannot be changed" lease set 9 serial 2 memory 1M
ok lease_revoke_expired refuses 1 "lease 9 has already expired" lease revoke 9
ok share_is_free_again json '.used.memory_bytes == 0 and .used.cpu_nanocores == 0 and .leases == 3' share show clubhouse

pretty "gridctl -j monitor saw it all, one object per line"
kill "$monitor"
wait "$monitor"
ok monitor_exits_0_on_sigterm test $? = 0
monitor=
ok monitor_said_nothing_on_stderr test ! -s /tmp/gridctl-monitor.err
ok monitor_lines_are_objects one_object_per_line "$mon_log"
ok event_lease_granted events '.event == "lease-granted" and .lease_id == 7 and .gridgrid == "clubhouse"'
ok event_share_exhausted events '.event == "share-exhausted" and .gridgrid == "clubhouse" and .resource == "cpu"'
ok event_share_exhausted_without_share events '.event == "share-exhausted" and .gridgrid == "other" and (has("resource") | not)'
ok event_sandbox_bound events ".event == \"sandbox-bound\" and .lease_id == 7 and .cgroup_id == $id"
ok event_lease_revoked events '.event == "lease-revoked" and .lease_id == 7'
ok event_sandbox_killed_on_revoke events ".event == \"sandbox-killed\" and .lease_id == 7 and .cgroup_id == $id"
ok event_lease_expired events '.event == "lease-expired" and .lease_id == 9 and .gridgrid == "clubhouse"'
ok event_sandbox_killed_on_expiry events ".event == \"sandbox-killed\" and .lease_id == 9 and .cgroup_id == $id_end"
ok event_granted_once_per_lease jq -se '[.[] | select(.event == "lease-granted") | .lease_id] == [7, 8, 10, 10, 13, 11, 12, 9]' "$mon_log"
ok event_lease_set events '.event == "lease-changed" and .lease_id == 7'
ok event_lease_deleted events '.event == "lease-deleted" and .lease_id == 10'
ok event_sandbox_unbound events ".event == \"sandbox-unbound\" and .cgroup_id == $id"
ok event_share_added events '.event == "share-added" and .gridgrid == "clubhouse"'
ok event_peer_added events ".event == \"peer-added\" and .key == \"$K_PI\""
# A refusal changes nothing, so it makes no generation; every change does.
ok every_change_has_a_generation jq -se 'map(select(.event != "share-exhausted")) | length > 20 and all(.[]; .generation | type == "number" and . > 0)' "$mon_log"
ok refusals_have_none jq -se '[.[] | select(.event == "share-exhausted")] | length > 0 and all(.[]; has("generation") | not)' "$mon_log"
ok generations_only_grow jq -se '[.[].generation // empty] as $g | $g == ($g | sort) and ($g | unique | length) >= 20' "$mon_log"
ok status_generation_is_at_least_the_last_event jq -se --argjson now "$(gridctl -j status via netlink | jq .netlink.generation)" '[.[].generation // empty] | max <= $now' "$mon_log"

pretty "delete everything"
ok sandbox_unbind_all sh -c "gridctl sandbox unbind $id && gridctl sandbox unbind '$SB_END'"
ok lease_del_all sh -c 'gridctl kernel lease del 7 && gridctl kernel lease del 8 && gridctl kernel lease del 9'
ok lease_del_enoent refuses 1 "no lease 7" lease del 7
ok peer_del quiet peer del "$K_PI"
ok share_del quiet share del clubhouse
ok share_del_enoent refuses 1 "grid-grid 'clubhouse' has no share" share del clubhouse
ok gridgrid_del sh -c 'gridctl kernel gridgrid del clubhouse && gridctl kernel gridgrid del other'
ok gridgrid_del_enoent refuses 1 "no grid-grid 'clubhouse'" gridgrid del clubhouse
ok grid_del sh -c 'gridctl kernel grid del kid && gridctl kernel grid del home'
ok grid_del_enoent refuses 1 "no grid 'home'" grid del home
for object in grid gridgrid share peer lease sandbox; do
	ok "${object}_list_is_empty" json '[.[]] == [[]]' "$object" list
done
ok status_counts_nothing json '[.ioctl, .netlink][] | [.grids, .gridgrids, .peers, .leases, .sandboxes] == [0, 0, 0, 0, 0]' status
rmdir "$SB/inner" "$SB" "$L7" "$SB_END"
ok share_del_leaves_the_cgroup test -d "$GG"
rmdir "$GG"

ok rmmod_succeeds rmmod grid
ok no_test_cgroup_is_left sh -c '! ls -d /sys/fs/cgroup/gridctl.* /sys/fs/cgroup/grid/clubhouse 2>/dev/null'
ok created_destroyed_balance grid_balance
finish
