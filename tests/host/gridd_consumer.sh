#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gridd on the host, where there is no grid.ko: a consumer only, as on a
# traveller's laptop. Two gridds (home and friend), each with its own
# state and socket, go through the story as far as a consumer can, and
# the local API refuses malformed requests without changing anything.
# Prints PASS/FAIL lines for tests/run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
T=host/gridd_consumer
D=$(mktemp -d)
B=$top/build/bin
failures=0
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

ok() {
	local name=$1
	shift
	if "$@" >/dev/null 2>"$D/err"; then
		echo "PASS $T/$name"
	else
		echo "FAIL $T/$name: $* ($(head -c 300 "$D/err"))"
		failures=$((failures + 1))
	fi
}
refused() {
	local s=$1 err
	shift
	err=$("$@" 2>&1 >/dev/null) && { echo "worked" >&2; return 1; }
	[[ $err == *"$s"* ]] || { echo "said: $err" >&2; return 1; }
}
up() {
	printf 'state_dir %s/%s\nsocket %s/%s.sock\nbpf no\n%s' "$D" "$1" "$D" "$1" "${EXTRA:-}" >"$D/$1.conf"
	: >"$D/$1.log"
	"$B/gridd" --config "$D/$1.conf" 2>>"$D/$1.log" &
	pids+=($!)
	eval "pid_$1=$!"
	for ((i = 0; i < 100; i++)); do
		[[ -S $D/$1.sock ]] && grep -q 'gridd: ready' "$D/$1.log" && return 0
		sleep 0.05
	done
	return 1
}
H() { "$B/gridctl" -S "$D/home.sock" "$@"; }
F() { "$B/gridctl" -S "$D/friend.sock" "$@"; }

if [[ ! -x $B/gridd ]]; then
	echo "SKIP $T: build/bin/gridd is not built"
	exit 0
fi

# ---- configuration ------------------------------------------------------------
ok shipped_config_reads "$B/gridd" --check-config --config "$top/user/conf/gridd.conf"
bad() {
	printf '%b' "$2" >"$D/bad.conf"
	refused "$1" "$B/gridd" --check-config --config "$D/bad.conf"
}
ok unknown_setting_named_with_its_line bad "bad.conf:2: unknown setting 'colour'" 'bpf yes\ncolour blue\n'
ok setting_twice_refused bad "bad.conf:2: 'bpf' is set twice" 'bpf yes\nbpf no\n'
ok value_missing_refused bad "bad.conf:1: 'socket' needs a value" 'socket\n'
ok two_values_refused bad "bad.conf:1: 'bpf' takes one value" 'bpf yes no\n'
ok bad_boolean_refused bad "bad.conf:1: 'maybe' is not a valid bpf (yes or no)" 'bpf maybe\n'
ok relative_path_refused bad "bad.conf:3: 'var/lib' is not a valid state_dir" '# c\n\nstate_dir var/lib\n'
ok unknown_group_refused bad "bad.conf:1: no group 'nosuchgroup'" 'group nosuchgroup\n'
ok pause_settings_read sh -c "printf 'pause battery\npause file /run/grid/metered\npause schedule 22:30-07:00\npause schedule 12:00-13:00\n' >$D/p.conf && $B/gridd --check-config --config $D/p.conf"
ok pause_bad_schedule_refused bad "bad.conf:1: 'schedule' is not a valid pause" 'pause schedule 25:00-26:00\n'
ok pause_relative_file_refused bad "bad.conf:1: 'file' is not a valid pause" 'pause file metered\n'
ok pause_unknown_refused bad "bad.conf:1: 'sunset' is not a valid pause" 'pause sunset\n'
ok comments_and_blank_lines_are_fine sh -c "printf '# x\n\n  bpf no # inline\n' >$D/c.conf && $B/gridd --check-config --config $D/c.conf"
ok gridctl_says_gridd_is_not_running refused "gridd is not running" H agent list

# ---- a consumer's story ---------------------------------------------------------
ok home_up up home
ok friend_up up friend
ok status_says_consumer_only sh -c "'$B/gridctl' -S '$D/home.sock' status | grep -q 'consumer only'"
ok home_init H init home
ok friend_init F init friend
ok key_file_is_0600 sh -c "test \$(stat -c %a '$D'/home/keys/grid-*.key) = 600"
ok state_folder_is_0700 sh -c "test \$(stat -c %a '$D/home') = 700"
ok agent_add H agent add alice uid 4242
ok agent_uid_taken_is_refused refused "uid 4242 acts as another agent already" H agent add bob uid 4242
ok agent_root_refused refused "root acts as the grid" H agent add boss uid 0
ok agent_bad_name_refused refused "1 to 31 of a-z" H agent add Alice
FK=$(F -j status | jq -r .gridd.key)
HK=$(H -j status | jq -r .gridd.key)
ok grid_certify H grid certify "$FK" as friend-pi
ok grid_certify_self_refused refused "cannot be its own member" H grid certify "$HK" as me
ok create H gridgrid create clubhouse
INV=$(H -j gridgrid invite clubhouse for "$FK" expires 1h | jq -r .token)
ok invitation_for_too_long_refused refused "lives at most 30d" H gridgrid invite clubhouse for "$FK" expires 60d
# One character in the middle changed (to another): inside a signed record.
mid=$((${#INV} / 2))
c=${INV:mid:1}; [[ $c == A ]] && c=B || c=A
# It falls in the inviter's key: refused as no key, or as a bad signature.
tampered() {
	local err
	err=$(F gridgrid join "${INV:0:mid}$c${INV:mid+1}" 2>&1 >/dev/null) && return 1
	[[ $err == *"does not verify"* || $err == *"not a valid Ed25519 public key"* ]] ||
		{ echo "said: $err" >&2; return 1; }
}
ok tampered_token_refused tampered
ok join F gridgrid join "$INV"
ONCE=$(H -j gridgrid invite clubhouse once expires 1h | jq -r .token)
ok share_refused_without_grid_ko refused "no grid.ko" H share set clubhouse memory 1G
ok lease_issue_refused_without_grid_ko refused "no grid.ko" H lease issue clubhouse to alice memory 1M for 1h
ok leave F gridgrid leave clubhouse
ok leaving_shows sh -c "'$B/gridctl' -S '$D/friend.sock' -j gridgrid list | jq -e '.gridgrids[0].state == \"left\"'"
ok one_time_invitation_lets_a_grid_join_again F gridgrid join "$ONCE"
PROOF=$(F -j gridgrid proof clubhouse | jq -r '.tokens[0].token')
ok its_proof_is_admitted H gridgrid admit "$PROOF"
ok records_verify_as_exported sh -c "'$B/gridctl' -S '$D/home.sock' -j record list | jq -e '.records | length >= 6'"

# ---- a proof against what home knows now, not only what it proves offline ----
# x, an admin, joins by an invitation that home sees accepted only after
# it expired; later x is revoked, and a grid it invites is not let in. m1
# claims a one-time admin invitation, m2 claims it again, and the grid m2
# invites is not let in.
G() { "$B/gridctl" -S "$D/$1.sock" "${@:2}"; }
key() { G "$1" -j status | jq -r .gridd.key; }
restart_home() {
	kill "$pid_home" && wait "$pid_home" 2>/dev/null
	GRIDD_NOW=${1:-} up home
}
proof() { G "$1" -j gridgrid proof clubhouse | jq -r '.tokens[0].token'; }
for n in x mole m1 m2 y; do
	ok "${n}_up" up "$n"
	ok "${n}_init" G "$n" init "$n"
done
XINV=$(H -j gridgrid invite clubhouse for "$(key x)" expires 1h admin | jq -r .token)
ok x_joins G x gridgrid join "$XINV"
XPROOF=$(proof x)
ok home_two_hours_later restart_home $(($(date +%s) + 7200))
ok an_invitation_expired_when_first_shown_is_refused refused "invitation expired" H gridgrid admit "$XPROOF"
ok home_now restart_home
ok shown_in_time_it_is_admitted H gridgrid admit "$XPROOF"
ok home_two_hours_later_again restart_home $(($(date +%s) + 7200))
ok a_proof_admitted_before_is_admitted_again H gridgrid admit "$XPROOF"
ok home_now_again restart_home
ok x_revoked H gridgrid revoke clubhouse member "$(key x)" reason "test"
MINV=$(G x -j gridgrid invite clubhouse for "$(key mole)" expires 1h | jq -r .token)
ok mole_joins_offline G mole gridgrid join "$MINV"
ok a_grid_invited_by_a_revoked_one_is_refused refused "was revoked from clubhouse" H gridgrid admit "$(proof mole)"
ONCE2=$(H -j gridgrid invite clubhouse once expires 1h admin | jq -r .token)
ok m1_claims_a_one_time_admin_invitation G m1 gridgrid join "$ONCE2"
ok m1_is_admitted H gridgrid admit "$(proof m1)"
ok m2_claims_it_again_offline G m2 gridgrid join "$ONCE2"
YINV=$(G m2 -j gridgrid invite clubhouse for "$(key y)" expires 1h | jq -r .token)
ok y_joins_offline G y gridgrid join "$YINV"
ok a_one_time_invitation_used_twice_inside_a_chain_is_refused refused "used by another grid" H gridgrid admit "$(proof y)"
ok m2_itself_is_refused refused "used by another grid" H gridgrid admit "$(proof m2)"

# ---- names are the members' own: two can take one ----------------------------------
# Two grids call themselves pi; friend knows both as members. "on pi"
# names neither: gridd refuses it rather than ask whichever row came first.
for n in pi1 pi2; do
	ok "${n}_up" up "$n"
	ok "${n}_init_as_pi" G "$n" init pi
	ok "${n}_joins" G "$n" gridgrid join "$(H -j gridgrid invite clubhouse for "$(key "$n")" expires 1h | jq -r .token)"
	ok "friend_admits_${n}" F gridgrid admit "$(proof "$n")"
done
ok a_name_two_members_took_is_refused refused "more than one member of clubhouse is called 'pi': say which by its key" \
	F lease request clubhouse on pi memory 1M for 10m

# ---- malformed requests change nothing --------------------------------------------
before=$(H -j record list | md5sum)
ok malformed_requests_are_refused /usr/bin/python3 - "$D/home.sock" <<'EOF'
import socket, struct, sys
path = sys.argv[1]
def ask(raw, expect_answer=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(5)
    data = b""
    try:
        s.sendall(raw)
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
            if len(data) >= 4 and len(data) >= 4 + struct.unpack(">I", data[:4])[0]:
                break
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    s.close()
    return data
def frame(b):
    return struct.pack(">I", len(b)) + b
# each body must get an answer whose status is negative (a CBOR nint)
bodies = [
    b"\xff",                              # not CBOR
    b"\xa0",                              # no version
    b"\xa2\x01\x02\x02\x01",              # version 2
    b"\xa2\x01\x01\x02\x18\x63",          # unknown op 99
    b"\xa2\x02\x01\x01\x01",              # keys out of order
    b"\xa2\x01\x18\x01\x02\x01",          # non-shortest head
    b"\xa3\x01\x01\x02\x02\x03\xa1\x01\x05", # init with name = 5 (not text)
    b"\xa3\x01\x01\x02\x02\x03\xa1\x18\x3f\x00", # unknown argument 63
    b"\xa2\x01\x01\x02\x01" + b"\x00",    # trailing byte
]
for b in bodies:
    r = ask(frame(b))
    if len(r) < 6 or r[4] & 0xe0 != 0xa0:
        sys.exit("no answer to %r: %r" % (b, r))
    # {1: 1, 2: status ...}: status is the byte after a2/a3.. 01 01 02
    i = r.index(b"\x02", 5)
    if r[i + 1] & 0xe0 != 0x20:
        sys.exit("%r was not refused: %r" % (b, r))
# frames of length 0 and past the maximum: the connection is closed
for raw in (struct.pack(">I", 0), struct.pack(">I", 1 << 20) + b"x" * 16):
    r = ask(raw)
    if r:
        sys.exit("a bad frame was answered: %r" % r)
# and gridd still answers a good request
r = ask(frame(b"\xa2\x01\x01\x02\x01"))
if r[4:9] != b"\xa2\x01\x01\x02\x00" and b"\x02\x00" not in r[4:12]:
    sys.exit("status request failed after the bad ones: %r" % r)
EOF
ok sighup_is_not_a_stop kill -HUP "$pid_home"
ok sighup_is_said_not_obeyed sh -c "sleep 0.5; kill -0 $pid_home && grep -q 'SIGHUP: the configuration is read at start only' '$D/home.log'"
ok state_unchanged_by_them bash -c "[[ \"\$('$B/gridctl' -S '$D/home.sock' -j record list | md5sum)\" == '$before' ]]"
ok gridd_still_running kill -0 "$pid_home"

kill "${pids[@]}" 2>/dev/null
wait 2>/dev/null
pids=()
# A key file no row names: what an undone request or a crash leaves.
head -c 64 /dev/urandom | install -m 600 /dev/stdin "$D/home/keys/agent-deadbeef.key"
ok restart_keeps_the_grid up home
ok a_key_file_no_record_names_is_removed test ! -e "$D/home/keys/agent-deadbeef.key"
ok the_grids_key_file_stays sh -c "ls '$D'/home/keys/grid-*.key"
ok the_grid_is_still_home sh -c "'$B/gridctl' -S '$D/home.sock' -j status | jq -e '.gridd.grid == \"home\" and .gridd.key == \"$HK\"'"
ok sqlite_integrity sh -c "sqlite3 '$D/home/state.db' 'PRAGMA integrity_check' | grep -qx ok"
ok wal_mode sh -c "sqlite3 '$D/home/state.db' 'PRAGMA journal_mode' | grep -qx wal"

# ---- a user who is not root, let in by the group ------------------------------------
# nobody, in nogroup: let in by the socket's group, acting as no agent until
# the grid makes it one, and never as the grid.
chmod 711 "$D"
N() { setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all \
	"$B/gridctl" -S "$D/lab.sock" "$@"; }
L() { "$B/gridctl" -S "$D/lab.sock" "$@"; }
EXTRA=$'group nogroup\n'
ok lab_up up lab
EXTRA=
ok lab_init L init lab
ok socket_is_the_groups sh -c "test \"\$(stat -c '%a %G' '$D/lab.sock')\" = '660 nogroup'"
ok a_user_who_is_no_agent_holds_no_lease refused "uid 65534 is none of this grid's agents" N lease list
ok a_user_is_not_the_grid refused "root" N agent add mallory uid 65534
ok status_says_who_asks sh -c "'$B/gridctl' -S '$D/lab.sock' status >/dev/null && setpriv --reuid 65534 --regid 65534 --clear-groups '$B/gridctl' -S '$D/lab.sock' -j status | jq -e '.gridd.uid == 65534 and .gridd.acting_as == null'"
ok lab_agent_for_nobody L agent add carol uid 65534
ok the_agent_lists_its_own_leases sh -c "setpriv --reuid 65534 --regid 65534 --clear-groups '$B/gridctl' -S '$D/lab.sock' -j lease list | jq -e '.leases | length == 0'"
cat >"$D/hold.py" <<'EOF'
import socket, sys, time
# 24 connections that say nothing: how many does gridd keep?
cs = []
for i in range(24):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    cs.append(s)
# Those gridd has not accepted yet look kept: wait (at most 20 s, for a
# busy host) until it has turned 8 away, then a moment for a ninth.
def kept():
    n = 0
    for s in cs:
        s.setblocking(False)
        try:
            n += s.recv(1, socket.MSG_PEEK) != b""
        except BlockingIOError:
            n += 1
    return n
end = time.monotonic() + 20
while kept() > 16 and time.monotonic() < end:
    time.sleep(0.05)
time.sleep(0.5)
print(kept(), flush=True)
time.sleep(float(sys.argv[2]))
EOF
ok one_user_holds_at_most_16_connections sh -c "test \$(setpriv --reuid 65534 --regid 65534 --clear-groups /usr/bin/python3 '$D/hold.py' '$D/lab.sock' 0) = 16"
setpriv --reuid 65534 --regid 65534 --clear-groups /usr/bin/python3 "$D/hold.py" "$D/lab.sock" 3 >/dev/null &
sleep 1.5
ok root_is_served_while_a_user_holds_its_16 L status
wait $!
ok status_names_the_agent sh -c "setpriv --reuid 65534 --regid 65534 --clear-groups '$B/gridctl' -S '$D/lab.sock' -j status | jq -e '.gridd.acting_as == \"carol\"'"
exit $((failures > 0))
