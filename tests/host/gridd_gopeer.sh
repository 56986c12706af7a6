#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gridd's peer sessions against tests/gopeer, a second implementation of
# the peer protocol (user/peer/PROTOCOL.md) in Go on flynn/noise, which
# shares no code with gridd. First the Go peer against itself, so that its
# own checks and fault modes are known to work; then against gridd on the
# host (a consumer only, which is enough for peer sessions) listening on
# [::1]: a good session, each fault closed by gridd with a log line saying
# why, and a good session again after all of them.
# Prints PASS/FAIL/SKIP lines for tests/run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
T=host/gridd_gopeer
D=$(mktemp -d)
B=$top/build/bin
GP=$top/build/tests/gopeer
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
		echo "FAIL $T/$name: $* ($(head -c 600 "$D/err"))"
		failures=$((failures + 1))
	fi
}

if ! command -v go >/dev/null; then
	echo "SKIP $T: go is not installed (golang-go)"
	exit 0
fi
if [[ ! -f /usr/share/gocode/src/github.com/flynn/noise/state.go ]]; then
	echo "SKIP $T: flynn/noise is not installed (golang-github-flynn-noise-dev)"
	exit 0
fi
ok gopeer_builds bash "$top/tests/gopeer/build.sh" "$GP"
[[ -x $GP ]] || exit 1

# ---- the Go peer against itself -------------------------------------------------
# glisten NAME ARGS: a Go peer listening on [::1], its port in $lport, its
# identity in $lid.
glisten() {
	local name=$1 i
	shift
	"$GP" -listen '[::1]:0' "$@" >"$D/$name.out" 2>"$D/$name.err" &
	lpid=$!
	pids+=("$lpid")
	for ((i = 0; i < 200; i++)); do
		lport=$(sed -n 's/^listening on \[::1\]:\([0-9]*\)$/\1/p' "$D/$name.out")
		lid=$(sed -n 's/^identity \([0-9a-f]*\)$/\1/p' "$D/$name.out")
		[[ -n $lport ]] && return 0
		sleep 0.02
	done
	echo "the listener did not start: $(cat "$D/$name.err")" >&2
	return 1
}
# pair NAME WANT_L WANT_C WHY 'LISTENER ARGS' CONNECTOR ARGS...: each side
# ends with its exit status, and one of them said WHY (an ERE) if not empty.
pair() {
	local name=$1 want_l=$2 want_c=$3 why=$4 largs=$5 lrc=0 crc=0
	shift 5
	# shellcheck disable=SC2086
	glisten "$name.l" $largs || return 1
	"$GP" -connect "[::1]:$lport" "$@" >"$D/$name.c.out" 2>"$D/$name.c.err" || crc=$?
	wait "$lpid" || lrc=$?
	if ((lrc != want_l || crc != want_c)); then
		echo "listener exit $lrc (want $want_l): $(cat "$D/$name.l.err");" \
			"connector exit $crc (want $want_c): $(cat "$D/$name.c.err")" >&2
		return 1
	fi
	if [[ -n $why ]] && ! cat "$D/$name.l.err" "$D/$name.c.err" | grep -Eq "$why"; then
		echo "neither side said '$why': $(cat "$D/$name.l.err" "$D/$name.c.err")" >&2
		return 1
	fi
}
self_good() {
	pair self_good 0 0 '' '' -ping 5 || return 1
	[[ $(grep -c '^pong ok$' "$D/self_good.c.out") == 5 ]] ||
		{ echo "not 5 pongs: $(cat "$D/self_good.c.out")" >&2; return 1; }
	[[ $(sed -n 's/^handshake ok, peer identity \([0-9a-f]*\) .*/\1/p' "$D/self_good.c.out") == "$lid" ]] ||
		{ echo "the identity it saw is not the listener's $lid: $(cat "$D/self_good.c.out")" >&2; return 1; }
}
# -expect needs the identity before the connection: a fixed one.
seed=$(printf '%064x' 7470)
self_expect() {
	pair self_expect_seed 0 0 '' "-identity-seed $seed" -ping 1 || return 1
	local id=$lid
	pair self_expect_ok 0 0 '' "-identity-seed $seed" -ping 1 -expect "$id" || return 1
	pair self_expect_other 3 1 'not the expected' "-identity-seed $seed" -expect "${id//?/a}"
}
ok self_session_with_pings self_good
ok self_expect_checks_the_identity self_expect
# A fault of the connector: the listener refuses it, the connector sees it closed.
ok self_bad_binding_refused pair self_bb 1 3 'binding does not verify' '' -bad-binding
ok self_wrong_identity_refused pair self_wi 1 3 'binding does not verify' '' -wrong-identity
ok self_prologue_refused pair self_pr 1 3 'message 2 does not decrypt' '' -prologue 'grid peer protocol 2'
ok self_payload0_refused pair self_p0 1 3 'message 0 has a 5-byte payload' '' -payload0
ok self_garbage_refused pair self_ga 1 3 'does not decrypt' '' -garbage
ok self_bad_cbor_refused pair self_bc 1 3 'longer than needed' '' -bad-cbor
# A fault of the listener: the connector refuses it.
ok self_listener_bad_binding_refused pair self_lbb 3 1 'binding does not verify' -bad-binding -ping 3
ok self_listener_wrong_identity_refused pair self_lwi 3 1 'binding does not verify' -wrong-identity -ping 3
ok self_listener_prologue_refused pair self_lpr 3 1 'message 1 does not decrypt' '-prologue grid-peer-protocol-2' -ping 3
ok self_listener_garbage_refused pair self_lga 3 1 'does not decrypt' -garbage -ping 3
ok self_listener_bad_cbor_refused pair self_lbc 3 1 'longer than needed' -bad-cbor -ping 3

# ---- gridd ------------------------------------------------------------------------
if [[ ! -x $B/gridd ]]; then
	echo "SKIP $T/gridd: build/bin/gridd is not built"
	exit $((failures > 0))
fi
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); print(s.getsockname()[1])')
printf 'state_dir %s/home\nsocket %s/home.sock\nbpf no\nlisten [::1]:%s\n' "$D" "$D" "$port" >"$D/home.conf"
if ! "$B/gridd" --check-config --config "$D/home.conf" >/dev/null 2>"$D/check.err"; then
	if grep -q "unknown setting 'listen'" "$D/check.err"; then
		echo "SKIP $T/gridd: build/bin/gridd does not take the 'listen' setting yet"
		exit $((failures > 0))
	fi
	echo "FAIL $T/gridd_takes_listen: $(head -c 300 "$D/check.err")"
	exit 1
fi
up() {
	local i
	: >"$D/home.log"
	"$B/gridd" --config "$D/home.conf" 2>>"$D/home.log" &
	pid_home=$!
	pids+=("$pid_home")
	for ((i = 0; i < 100; i++)); do
		[[ -S $D/home.sock ]] && grep -q 'gridd: ready' "$D/home.log" && return 0
		sleep 0.05
	done
	return 1
}
H() { "$B/gridctl" -S "$D/home.sock" "$@"; }
listening() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -n $(ss -Hltn "sport = :$port") ]] && return 0
		sleep 0.05
	done
	echo "nothing listens on [::1]:$port: $(tail -n 5 "$D/home.log")" >&2
	return 1
}
ok gridd_up up
ok gridd_init H init home
HK=$(H -j status | jq -r .gridd.key)
ok status_has_the_grid_key sh -c "echo '$HK' | grep -Eqx '[0-9a-f]{64}'"
ok gridd_listens listening

# good NAME: the Go peer dials gridd, 3 pings are answered, the identity
# in gridd's hello is gridd's grid key, and gridd logs the session with the
# same id (h's first 8 bytes) as the Go peer computed.
good() {
	local rc=0 id sid src i
	"$GP" -connect "[::1]:$port" -ping 3 >"$D/$1.out" 2>"$D/$1.err" || rc=$?
	((rc == 0)) || { echo "exit $rc: $(cat "$D/$1.err")" >&2; return 1; }
	[[ $(grep -c '^pong ok$' "$D/$1.out") == 3 ]] ||
		{ echo "not 3 pongs: $(cat "$D/$1.out")" >&2; return 1; }
	id=$(sed -n 's/^handshake ok, peer identity \([0-9a-f]*\) .*/\1/p' "$D/$1.out")
	[[ $id == "$HK" ]] || { echo "gridd's hello says $id, its status $HK" >&2; return 1; }
	sid=$(sed -n 's/^handshake ok, .* (session \([0-9a-f]*\))$/\1/p' "$D/$1.out")
	src=$(sed -n 's/^connected to .* from //p' "$D/$1.out")
	for ((i = 0; i < 40; i++)); do
		grep -F "peer $src " "$D/home.log" | grep -q "h $sid" && return 0
		sleep 0.05
	done
	echo "gridd did not log the session $sid of $src: $(grep -F "peer $src" "$D/home.log")" >&2
	return 1
}
# fault NAME WHY ARGS: the Go peer misbehaves; gridd closes the connection
# (exit status 3) and logs a line for the peer's address saying WHY (an ERE).
fault() {
	local name=$1 why=$2 rc=0 src i
	shift 2
	"$GP" -connect "[::1]:$port" "$@" >"$D/$name.out" 2>"$D/$name.err" || rc=$?
	((rc == 3)) ||
		{ echo "exit $rc, not 3 (gridd closed the connection): $(cat "$D/$name.err")" >&2; return 1; }
	src=$(sed -n 's/^connected to .* from //p' "$D/$name.out")
	for ((i = 0; i < 40; i++)); do
		grep -F -e "peer $src: " -e "peer $src " "$D/home.log" | grep -Eq "$why" && return 0
		sleep 0.05
	done
	echo "$(cat "$D/$name.err"); no line in gridd's log for $src saying '$why':" \
		"$(grep -F "peer $src" "$D/home.log")" >&2
	return 1
}
ok session_handshake_pings_identity good good1
ok bad_binding_closed fault bad_binding 'binding does not verify' -bad-binding
ok binding_by_another_key_closed fault wrong_identity 'binding does not verify' -wrong-identity
ok other_prologue_closed fault prologue 'does not (verify|decrypt)' -prologue 'grid peer protocol 2'
ok payload_in_message_0_closed fault payload0 'payload' -payload0
ok flipped_bit_closed fault garbage 'does not (verify|decrypt)' -garbage
ok non_deterministic_hello_closed fault bad_cbor 'deterministic' -bad-cbor
ok gridd_still_running kill -0 "$pid_home"
ok still_serves_a_good_peer good good2

# ---- raw bytes on the port: garbage, truncated, oversized ---------------------------
# While a good peer holds its session, raw sockets send what no peer
# would: gridd drops each of them and goes on serving the session and
# new peers.
raw() {
	/usr/bin/python3 - "$port" "$1" <<'PYRAW'
import os, socket, struct, sys, time
port, kind = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("::1", port), timeout=5)
if kind == "garbage":
    s.sendall(os.urandom(4096))
elif kind == "short-frame":
    s.sendall(struct.pack(">H", 3) + b"abc")
elif kind == "truncated":
    s.sendall(struct.pack(">H", 200) + os.urandom(50))
elif kind == "oversized":
    # The largest length, then more than that: one frame, then junk.
    s.sendall(struct.pack(">H", 65535) + os.urandom(65535 + 4096))
elif kind == "flood":
    try:
        for _ in range(64):
            s.sendall(os.urandom(65536))
    except OSError:
        pass
elif kind == "silent":
    time.sleep(0.2)
s.close()
PYRAW
}
"$GP" -connect "[::1]:$port" -ping 2 -hold 4s >"$D/held.out" 2>"$D/held.err" &
held=$!
for kind in garbage short-frame truncated oversized flood silent; do
	ok "raw_${kind//-/_}_sent" raw "$kind"
done
ok raw_frames_each_logged sh -c "grep -c 'shorter than any message\|does not verify\|connection was closed' '$D/home.log' | awk '{ exit !(\$1 >= 4) }'"
ok held_session_survived_the_raw_bytes wait "$held"
ok gridd_running_after_raw_bytes kill -0 "$pid_home"
ok serves_a_new_peer_after_raw_bytes good good3
kill "$pid_home" 2>/dev/null
wait "$pid_home" 2>/dev/null
pids=()
exit $((failures > 0))
