#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gridctl ledger on the host: one gridd with a private socket and state,
# whose ledger is written straight into its state.db while it is stopped
# (as jobs_provider.c and jobs_holder.c write it when remote jobs end):
#
#   pi     provided 3 jobs, used 1         balance +700ms
#   nas    used 2 jobs (one without a receipt)   balance -3.5s
#   anon   provided 1 job, a key no name is known for
#
# and gridctl's sums, filters and receipts checked exactly, in text and
# JSON; a uid that is no agent is refused, an agent sees the grid's all.
# Prints PASS/FAIL lines for tests/run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
T=host/gridd_ledger
D=$(mktemp -d)
B=$top/build/bin
failures=0
pid=
cleanup() {
	[[ -z $pid ]] || kill -9 "$pid" 2>/dev/null
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
	printf 'state_dir %s/home\nsocket %s/home.sock\nbpf no\nlisten none\nbeacon no\ngroup nogroup\n' \
		"$D" "$D" >"$D/home.conf"
	: >"$D/home.log"
	"$B/gridd" --config "$D/home.conf" 2>>"$D/home.log" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ -S $D/home.sock ]] && grep -q 'gridd: ready' "$D/home.log" && return 0
		sleep 0.05
	done
	return 1
}
down() { kill "$pid" && wait "$pid" 2>/dev/null; pid=; }
H() { "$B/gridctl" -S "$D/home.sock" "$@"; }
# nobody, let in by the socket's group.
N() { setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all \
	"$B/gridctl" -S "$D/home.sock" "$@"; }
# jq -e EXPR over 'gridctl -j ARGS...'.
J() { local e=$1; shift; H -j "$@" | jq -e "$e"; }
NJ() { local e=$1; shift; N -j "$@" | jq -e "$e"; }
# Text: one line of 'gridctl ARGS...' is exactly WANT.
says() { local want=$1; shift; H "$@" | grep -qxF -- "$want"; }
# SQL on the state of a stopped gridd.
sql() { /usr/bin/python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript(sys.stdin.read())
db.commit()
' "$D/home/state.db"; }

if [[ ! -x $B/gridd ]]; then
	echo "SKIP $T: build/bin/gridd is not built"
	exit 0
fi

PI=$(printf 'a1%.0s' {1..32})
NAS=$(printf 'b2%.0s' {1..32})
ANON=$(printf 'c3%.0s' {1..32})
PI2=$(printf 'd4%.0s' {1..32})
NONE=$(printf 'e5%.0s' {1..32})
# Receipt ids: r1.. as 32 bytes each.
r() { printf "%064x" "$1"; }

chmod 711 "$D"
ok up up
ok no_ledger_before_the_grid refused "no grid yet" H ledger
ok init H init home
ok empty_ledger J '.ledger == []' ledger
ok empty_ledger_says_nothing bash -c "[[ -z \$('$B/gridctl' -S '$D/home.sock' ledger) ]]"
ok stopped down
# The first receipt names a record that is kept (the grid's own, as a
# stand-in for a signed receipt): its bytes come with it.
ok ledger_written sql <<EOF
INSERT INTO peers (pk, name, addr, first_seen, last_seen) VALUES
  (x'$PI', 'pi', NULL, 1796000000, 1796000000),
  (x'$NAS', 'nas', NULL, 1796000000, 1796000000),
  (x'$PI2', 'pi', NULL, 1796000000, 1796000000);
INSERT INTO ledger (at, peer, lease_id, role, receipt, cpu_us, memory_peak, bytes_out, bytes_in) VALUES
  (1796000100, x'$PI', 7, 'provided', (SELECT record FROM self), 400000, 33554432, 0, 0),
  (1796000000, x'$PI', 7, 'provided', x'$(r 2)', 500000, 67108864, 0, 0),
  (1796000200, x'$PI', 8, 'provided', x'$(r 3)', 300000, 16777216, 0, 0),
  (1796000300, x'$PI', 21, 'used', x'$(r 4)', 500000, 134217728, 1536, 2048),
  (1796001000, x'$NAS', 30, 'used', x'$(r 5)', 2000000, 1073741824, 1048576, 0),
  (1796000900, x'$NAS', 30, 'used', NULL, 1500000, 536870912, 1048576, 0),
  (1796002000, x'$ANON', 9, 'provided', x'$(r 6)', 1000, 4096, 0, 0);
EOF
ok up_again up

PL="pi (${PI:0:16})"
NL="nas (${NAS:0:16})"
AL=${ANON:0:16}
# ---- the sums -----------------------------------------------------------------
ok three_peers J '.ledger | length == 3' ledger
ok pi_provided_sums J ".ledger[] | select(.key == \"$PI\") | .peer == \"$PL\" and (.roles[] | select(.role == \"provided\") |
	.jobs == 3 and .cpu_us == 1200000 and .memory_peak == 67108864 and .bytes_sent == 0 and
	.bytes_received == 0 and .since == 1796000000)" ledger
ok pi_used_sums J ".ledger[] | select(.key == \"$PI\") | .roles[] | select(.role == \"used\") |
	.jobs == 1 and .cpu_us == 500000 and .memory_peak == 134217728 and .bytes_sent == 1536 and
	.bytes_received == 2048 and .since == 1796000300" ledger
ok pi_balance J ".ledger[] | select(.key == \"$PI\") | .balance_cpu_us == 700000 and (.roles | length == 2)" ledger
ok nas_used_sums J ".ledger[] | select(.key == \"$NAS\") | .peer == \"$NL\" and (.roles | length == 1) and
	(.roles[0] | .role == \"used\" and .jobs == 2 and .cpu_us == 3500000 and .memory_peak == 1073741824 and
	.bytes_sent == 2097152 and .bytes_received == 0 and .since == 1796000900)" ledger
ok nas_balance_negative J ".ledger[] | select(.key == \"$NAS\") | .balance_cpu_us == -3500000" ledger
ok a_peer_without_a_name_by_its_key J ".ledger[] | select(.key == \"$ANON\") | .peer == \"$AL\" and .balance_cpu_us == 1000" ledger
ok pi_provided_line says "$PL provided 3 jobs cpu 1.2s memory-peak 64M sent 0 received 0 since 2026-11-30T00:53:20Z" ledger
ok pi_used_line says "$PL used 1 job cpu 500ms memory-peak 128M sent 1.5K received 2K since 2026-11-30T00:58:20Z" ledger
ok pi_balance_line says "balance with $PL: +700ms cpu" ledger
ok nas_balance_line says "balance with $NL: -3.5s cpu" ledger
ok anon_balance_line says "balance with $AL: +1ms cpu" ledger
ok text_has_a_line_per_role_and_peer bash -c "[[ \$('$B/gridctl' -S '$D/home.sock' ledger | wc -l) == 7 ]]"
ok balance_follows_its_peers_lines bash -c "'$B/gridctl' -S '$D/home.sock' ledger | grep -A1 -F '$PL used' | grep -qF 'balance with $PL'"

# ---- one peer -------------------------------------------------------------------
# Two grids are called pi; only one has a ledger with this grid: that one.
ok peer_by_name J ".ledger | length == 1 and .[0].key == \"$PI\" and .[0].balance_cpu_us == 700000" ledger peer pi
ok peer_by_key J ".ledger | length == 1 and .[0].key == \"$NAS\"" ledger peer "$NAS"
ok peer_by_name_text_is_its_own bash -c "! '$B/gridctl' -S '$D/home.sock' ledger peer pi | grep -q nas"
ok a_key_with_no_ledger_is_empty J '.ledger == []' ledger peer "$NONE"
ok unknown_peer_refused refused "no peer grid 'nosuch' is known here" H ledger peer nosuch
ok unknown_peer_refused_in_json J '.error == "no peer grid '"'nosuch'"' is known here"' ledger peer nosuch
ok not_a_name_refused refused "'Pi!' is not a grid's name or key" H ledger peer 'Pi!'
ok peer_needs_a_value refused "peer" H ledger peer
ok unknown_word_refused refused "unknown word 'bogus'" H ledger bogus

# ---- receipts ---------------------------------------------------------------------
SELF=$(sqlite3 "$D/home/state.db" 'SELECT lower(hex(record)) FROM self')
BYTES=$(sqlite3 "$D/home/state.db" "SELECT lower(hex(bytes)) FROM records WHERE id = x'$SELF'")
ok receipts_are_the_lines_that_have_one J '.receipts | length == 6' ledger receipts
ok receipts_in_the_order_kept J "[.receipts[].id] == [\"$SELF\", \"$(r 2)\", \"$(r 3)\", \"$(r 4)\", \"$(r 5)\", \"$(r 6)\"]" ledger receipts
ok pi_receipts J ".receipts | length == 4 and all(.key == \"$PI\") and ([.[].lease_id] == [7, 7, 8, 21]) and
	([.[].role] == [\"provided\", \"provided\", \"provided\", \"used\"])" ledger peer pi receipts
ok receipt_fields J ".receipts[1] | .id == \"$(r 2)\" and .cpu_us == 500000 and .memory_peak == 67108864 and
	.at == 1796000000 and .peer == \"$PL\" and (has(\"record\") | not)" ledger peer pi receipts
ok a_kept_receipt_comes_with_its_bytes J ".receipts[0].record == \"$BYTES\"" ledger receipts
ok nas_receipts_by_key J ".receipts | length == 1 and .[0].id == \"$(r 5)\" and .[0].bytes_sent == 1048576" ledger receipts peer "$NAS"
ok receipt_line says "$PL used lease 21 cpu 500ms memory-peak 128M sent 1.5K received 2K at 2026-11-30T00:58:20Z" ledger peer pi receipts
ok receipt_id_line says "	receipt $(r 4)" ledger peer pi receipts

# ---- who sees it --------------------------------------------------------------------
ok a_user_who_is_no_agent_is_refused refused "uid 65534 is none of this grid's agents" N ledger
ok refused_in_json_too NJ '.error | test("uid 65534 is none of this grid.s agents")' ledger
ok agent_for_nobody H agent add carol uid 65534
ok an_agent_sees_the_grids_whole_ledger NJ ".ledger | length == 3 and (.[] | select(.key == \"$PI\") | .balance_cpu_us == 700000)" ledger
ok an_agent_sees_the_receipts NJ '.receipts | length == 6' ledger receipts

# ---- a name two grids with a ledger took -------------------------------------------
ok stopped_again down
ok second_pi_line sql <<EOF
INSERT INTO ledger (at, peer, lease_id, role, receipt, cpu_us, memory_peak, bytes_out, bytes_in) VALUES
  (1796003000, x'$PI2', 40, 'used', x'$(r 7)', 10, 4096, 0, 0);
EOF
ok up_once_more up
ok a_name_two_peers_took_is_refused refused "more than one grid called 'pi': say which by its key" H ledger peer pi
ok each_by_its_key J ".ledger | length == 1 and .[0].balance_cpu_us == -10" ledger peer "$PI2"
ok sqlite_integrity sh -c "sqlite3 '$D/home/state.db' 'PRAGMA integrity_check' | grep -qx ok"
exit $((failures > 0))
