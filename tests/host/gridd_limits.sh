#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gridd's bounds on the host, where there is no grid.ko: the connection
# slots (a cap for each user, a reserve for root, connections that say
# nothing or read nothing closed), key files that no row names (removed at
# start, and by the request that made them when it is undone), the live
# leases one holder may import, and an init whose commit fails.
# Prints PASS/FAIL/SKIP lines for tests/run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
T=host/gridd_limits
D=$(mktemp -d)
B=$top/build/bin
PY=/usr/bin/python3
failures=0
pids=()
mnt=
cleanup() {
	exec 2>/dev/null	# not the shell's word on each gridd killed
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	[[ -n $mnt ]] && umount "$mnt" 2>/dev/null
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
# up NAME: a gridd with its state in $D/NAME (or $STATE) and its socket
# $D/NAME.sock; EXTRA is added to its configuration.
up() {
	printf 'state_dir %s\nsocket %s/%s.sock\nbpf no\n%s' "${STATE:-$D/$1}" \
		"$D" "$1" "${EXTRA:-}" >"$D/$1.conf"
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
down() {
	local p
	eval "p=\$pid_$1"
	kill "$p" && wait "$p" 2>/dev/null
	return 0
}
G() { "$B/gridctl" -S "$D/$1.sock" "${@:2}"; }
# as UID (in nogroup, which the socket's group lets in)
as() { setpriv --reuid "$1" --regid 65534 --clear-groups --inh-caps=-all "${@:2}"; }
keys_in() { find "$1/keys" -name '*.key' | wc -l; }

if [[ ! -x $B/gridd ]]; then
	echo "SKIP $T: build/bin/gridd is not built"
	exit 0
fi
chmod 711 "$D"

# hold.py SOCKET N SECONDS: N connections that say nothing; after a
# second, prints how many gridd kept; then holds them SECONDS.
cat >"$D/hold.py" <<'EOF'
import socket, sys, time
path, n, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
cs = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    cs.append(s)
time.sleep(1)
kept = 0
for s in cs:
    s.setblocking(False)
    try:
        kept += s.recv(1) != b""
    except BlockingIOError:
        kept += 1
print(kept, flush=True)
time.sleep(hold)
EOF
# hold UID N: how many of N connections gridd keeps for UID
hold() { as "$1" "$PY" "$D/hold.py" "$D/lab.sock" "$2" 0; }
# waits for what the hold.py in the background printed, then the sum
kept() {
	local f n=0 i all
	for ((i = 0; i < 100; i++)); do
		all=1
		for f in "$@"; do [[ -s $f ]] || all=0; done
		((all)) && break
		sleep 0.1
	done
	for f in "$@"; do n=$((n + $(cat "$f" 2>/dev/null || echo 1000))); done
	echo "$n"
}

# ---- connection slots -----------------------------------------------------------
EXTRA=$'group nogroup\n'
ok lab_up up lab
EXTRA=
ok lab_init G lab init lab
ok one_user_is_kept_to_16_connections test "$(hold 65534 20)" = 16
sleep 0.5
# Eight users hold 15 each: 120 of the 128, the 8 left are root's.
holders=()
outs=()
for u in 1 2 3 4 5 6 7 8; do
	# not through as(): $! must be the holder itself
	setpriv --reuid $((60000 + u)) --regid 65534 --clear-groups \
		"$PY" "$D/hold.py" "$D/lab.sock" 15 20 >"$D/k$u" &
	holders+=($!)
	pids+=($!)
	outs+=("$D/k$u")
done
ok eight_users_hold_120_connections test "$(kept "${outs[@]}")" = 120
ok another_user_is_turned_away_from_roots_reserve test "$(hold 60009 1)" = 0
ok the_log_says_why grep -q "uid 60009 turned away: the last free connections are root's" "$D/lab.log"
ok root_is_served_while_users_hold_120 G lab status
ok root_takes_its_8 test "$(hold 0 8)" = 8
kill "${holders[@]}" 2>/dev/null
wait "${holders[@]}" 2>/dev/null
sleep 0.5	# gridd sees them go
ok slots_are_free_again_when_they_go as 60009 "$B/gridctl" -S "$D/lab.sock" status

# ---- connections that say nothing, finish nothing, or read nothing ----------------
# GRIDD_IDLE_TIMEOUT=2: closed 2 s after they were accepted, began their
# request, or were answered; a client that talks is kept.
EXTRA=$'group nogroup\n'
GRIDD_IDLE_TIMEOUT=2 ok idle_up up idle
EXTRA=
ok idle_connections_are_closed as 65534 "$PY" - "$D/idle.sock" <<'EOF'
import socket, struct, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s
status = struct.pack(">I", 5) + b"\xa2\x01\x01\x02\x01"
def closed(s):
    # reads what is there; True at EOF (gridd closed it)
    s.setblocking(False)
    try:
        while True:
            c = s.recv(1 << 16)
            if not c:
                return True
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True
silent = conn()
half = conn()
half.sendall(status[:2])
# a byte every half second: progress, but the request never ends
drip = conn()
drip.sendall(struct.pack(">I", 60000))
# asks and asks, never reads: gridd's answers fill the socket
deaf = conn()
deaf.setblocking(False)
try:
    deaf.send(status * 20000)
except BlockingIOError:
    pass
talker = conn()
t0 = time.time()
while time.time() - t0 < 4.5:
    talker.sendall(status)
    r = talker.recv(4096)
    if not r:
        sys.exit("the talker was closed")
    try:
        drip.send(b"x")
    except (BrokenPipeError, ConnectionResetError):
        pass
    time.sleep(0.5)
bad = [n for n, s in (("silent", silent), ("half", half), ("drip", drip),
                      ("deaf", deaf)) if not closed(s)]
if bad:
    sys.exit("still open after 4.5 s: %s" % " ".join(bad))
EOF
ok the_log_says_each grep -q "did not read its answer" "$D/idle.log"
ok the_log_says_half grep -q "did not finish its request" "$D/idle.log"
ok the_log_says_silent grep -q "said nothing" "$D/idle.log"
ok idle_gridd_still_serves G idle status

# ---- key files no row names ------------------------------------------------------
ok home_up up home
ok home_init G home init home
ok agent_add G home agent add alice uid 4242
ok gridgrid_create G home gridgrid create club
n=$(keys_in "$D/home")
ok three_key_files test "$n" = 3
ok agent_add_again_refused refused "agent 'alice' exists already" G home agent add alice uid 4243
ok an_agent_add_undone_leaves_no_key_file test "$(keys_in "$D/home")" = "$n"
ok gridgrid_create_again_refused refused "club" G home gridgrid create club
ok a_gridgrid_create_undone_leaves_no_key_file test "$(keys_in "$D/home")" = "$n"
HK=$(G home -j status | jq -r .gridd.key)
ok home_down down home
head -c 32 /dev/urandom | install -m 600 /dev/stdin "$D/home/keys/agent-x.key"
ok restart_home up home
ok an_orphan_key_file_is_removed_at_start test ! -e "$D/home/keys/agent-x.key"
ok the_log_says_how_many grep -q "keys: 1 key file no record names removed" "$D/home.log"
ok the_others_stay test "$(keys_in "$D/home")" = "$n"
ok the_grid_is_still_home sh -c "'$B/gridctl' -S '$D/home.sock' -j status | jq -e '.gridd.grid == \"home\" and .gridd.key == \"$HK\"'"

# ---- the live leases one holder may import ---------------------------------------
# Leases need a provider with grid.ko; here they are made up, signed by a
# member grid's key (prov, a second gridd that joined club), as a member
# that floods a holder could: that is what the bound is for. A lease
# signed by a key of no member is refused before the bound is reached.
# lease.py SEED NAME GGKEY SUBJECT HOLDER_GRID ID COUNT SERIAL NOT_BEFORE NOT_AFTER
cat >"$D/lease.py" <<'EOF'
import base64, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization
def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
def enc(o):
    if isinstance(o, int):
        return head(0, o)
    if isinstance(o, bytes):
        return head(2, len(o)) + o
    if isinstance(o, str):
        return head(3, len(o.encode())) + o.encode()
    if isinstance(o, list):
        return head(4, len(o)) + b"".join(enc(x) for x in o)
    pairs = sorted((enc(k), enc(v)) for k, v in o.items())
    return head(5, len(pairs)) + b"".join(k + v for k, v in pairs)
a = sys.argv[1:]
key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(a[0]))
pk = key.public_key().public_bytes(serialization.Encoding.Raw,
                                   serialization.PublicFormat.Raw)
first, count, serial, nb, na = (int(x) for x in a[5:10])
for lid in range(first, first + count):
    payload = enc({1: 10, 2: 1, 3: pk, 4: nb, 5: nb, 6: na, 7: a[1],
                   8: bytes.fromhex(a[3]), 9: bytes.fromhex(a[2]),
                   18: {2: 100000, 10: 86400}, 19: lid, 20: serial,
                   22: bytes.fromhex(a[4])})
    prot = bytes.fromhex("a10127")
    sig = key.sign(enc(["Signature1", prot, b"", payload]))
    rec = b"\xd2" + enc([prot, {}, payload, sig])
    tok = base64.urlsafe_b64encode(enc({1: 3, 2: [rec]})).rstrip(b"=")
    print("grid1:" + tok.decode())
EOF
now=$(date +%s)
GGK=$(G home -j gridgrid list | jq -r '.gridgrids[0].key')
AK=$(G home -j agent list | jq -r '.agents[] | select(.name == "alice") | .key')
ok prov_up up prov
ok prov_init G prov init prov
PK=$(G prov -j status | jq -r .gridd.key)
ok prov_joins_club G prov gridgrid join "$(G home -j gridgrid invite club for "$PK" | jq -r .token)"
ok home_admits_prov G home gridgrid admit "$(G prov -j gridgrid proof club | jq -r '.tokens[0].token')"
STRANGER=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
SEED=$(od -An -tx1 "$D"/prov/keys/grid-*.key | tr -d ' \n')
lease() { "$PY" "$D/lease.py" "$SEED" club "$GGK" "$AK" "$HK" "$@"; }
ok a_lease_signed_by_no_member_is_refused refused "not a member of club here" \
	G home lease import "$("$PY" "$D/lease.py" "$STRANGER" club "$GGK" "$AK" "$HK" 9 1 1 "$now" $((now + 3600)))"
import_all() {
	local t
	while read -r t; do G home lease import "$t" || return 1; done
}
if ! lease 1 1 1 "$now" $((now + 3600)) >/dev/null 2>"$D/err"; then
	echo "SKIP $T/import_bound: leases cannot be made here ($(head -c 200 "$D/err"))"
else
	ok a_made_up_lease_imports G home lease import "$(lease 1 1 1 "$now" $((now + 3600)))"
	ok up_to_256_live_leases_for_one_holder import_all < <(lease 2 255 1 "$now" $((now + 3600)))
	ok the_257th_is_refused refused "holds 256 live leases already, the most gridd keeps for one" \
		G home lease import "$(lease 300 1 1 "$now" $((now + 3600)))"
	ok a_renewal_at_the_bound_is_kept G home lease import "$(lease 7 1 2 "$now" $((now + 4000)))"
	ok an_expired_lease_is_refused refused "lease expired" \
		G home lease import "$(lease 301 1 1 $((now - 7200)) $((now - 3600)))"
	ok a_lease_past_int64_is_refused refused "past the last time gridd keeps" \
		G home lease import "$(lease 302 1 1 "$now" 9223372036854775809)"
	# The bound at 2: an expired lease renewed does not make a third.
	ok home_down_again down home
	GRIDD_HELD_MAX=2 GRIDD_NOW=$((now + 5000)) ok bounded_home up home
	ok all_256_expired_then_one_more G home lease import "$(lease 400 1 1 "$now" $((now + 9000)))"
	ok and_a_second G home lease import "$(lease 401 1 1 "$now" $((now + 9000)))"
	ok a_third_is_refused refused "holds 2 live leases already" \
		G home lease import "$(lease 402 1 1 "$now" $((now + 9000)))"
	ok an_expired_one_renewed_is_refused_at_the_bound refused "holds 2 live leases already" \
		G home lease import "$(lease 3 1 2 "$now" $((now + 9000)))"
	ok a_live_one_renewed_is_kept G home lease import "$(lease 400 1 2 "$now" $((now + 9500)))"
fi

# ---- init whose commit fails -------------------------------------------------------
# The state on a tmpfs that is full but for one page: init's key file
# takes it, and the commit finds no room. The grid in memory is taken
# back with it, and so is the key file.
mkdir "$D/full"
if ! mount -t tmpfs -o size=1m,mode=0700 tmpfs "$D/full" 2>"$D/err"; then
	echo "SKIP $T/init_undone: cannot mount a tmpfs ($(head -c 200 "$D/err"))"
else
	mnt=$D/full
	STATE=$mnt/state ok full_up up full
	G full status >/dev/null
	dd if=/dev/zero of="$mnt/filler" bs=4096 2>/dev/null
	truncate -s -4096 "$mnt/filler"
	ok init_refused_when_its_commit_fails refused "the state could not be written to disk" G full init full
	ok no_grid_after_it sh -c "'$B/gridctl' -S '$D/full.sock' -j status | jq -e '.gridd.grid == null'"
	ok no_key_file_after_it test "$(keys_in "$mnt/state")" = 0
	ok agent_add_says_no_grid refused "no grid yet" G full agent add bob uid 4343
	rm -f "$mnt/filler"
	ok init_once_there_is_room G full init full
	ok one_key_file test "$(keys_in "$mnt/state")" = 1
	FK=$(G full -j status | jq -r .gridd.key)
	ok full_down down full
	STATE=$mnt/state ok full_up_again up full
	ok the_grid_is_the_one_committed sh -c "'$B/gridctl' -S '$D/full.sock' -j status | jq -e '.gridd.grid == \"full\" and .gridd.key == \"$FK\"'"
fi

kill "${pids[@]}" 2>/dev/null
wait 2>/dev/null
pids=()
exit $((failures > 0))
