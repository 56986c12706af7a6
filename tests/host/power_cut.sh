#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# host-background: its guests run one at a time; the host tests beside it need the other core
#
# Power cuts: gridd's state on a real filesystem (ext4 on the VM's virtio
# disk, a file here), the whole VM killed at a random moment while a client
# issues, renews and revokes leases, then booted again on the same disk,
# GRIDD_POWER_CUTS times (20). A kill -9 of gridd never tests an fsync();
# this does: what the guest had not flushed is gone, as after a real cut.
#
#   host: power_cut.sh ──scripts/vm --disk IMG --power-cut T──► guest.sh
#         ▲ console: ACK lines (answers the client got),          │
#         └────────  the state and grid.ko's leases after restart ┘
#
# After each boot, against every answer acknowledged before the cuts:
# each issued lease is in the state once; what the state has live is in
# grid.ko (registered at start on the fresh module) with at least the
# acknowledged serial, once; each acknowledged revocation is in the state;
# the database passes PRAGMA integrity_check. Prints PASS/FAIL lines.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
T=host/power_cut
ROUNDS=${GRIDD_POWER_CUTS:-20}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
failures=0

pass() { echo "PASS $T/$1"; }
fail() { echo "FAIL $T/$1: $2"; failures=$((failures + 1)); }

kver=$(scripts/kver 2>/dev/null)
if [[ -z $kver || ! -e build/kmod/$kver/grid.ko ]]; then
	echo "SKIP $T: no grid.ko built for the test kernel (make all)"
	exit 0
fi
if ! command -v mkfs.ext4 >/dev/null; then
	echo "SKIP $T: mkfs.ext4 is missing (e2fsprogs; scripts/deps)"
	exit 0
fi

img=$D/disk.img
truncate -s 256M "$img"
mkfs.ext4 -q -F "$img" || { fail make_the_disk "mkfs.ext4 failed"; exit 1; }
: >"$D/acked"
: >"$D/checked"

# check ROUND LOG: the state and grid.ko's leases of this boot against
# every ACK before it. Prints what does not hold.
check() {
	local r=$1 log=$2 st kl integ
	st=$(sed -n 's/^POWERCUT-STATE //p' "$log" | tail -n 1)
	kl=$(sed -n 's/^POWERCUT-KERNEL //p' "$log" | tail -n 1)
	integ=$(sed -n 's/^POWERCUT-INTEGRITY //p' "$log" | tail -n 1)
	if grep -q '^POWERCUT-ERROR' "$log"; then
		echo "boot $r: $(grep -m 1 '^POWERCUT-ERROR' "$log")"
		return
	fi
	# Cut before its dump was whole: nothing to judge in this boot.
	tr -d '\r' <"$log" | grep -qx POWERCUT-DUMPED || return 0
	echo "checked" >>"$D/checked"
	[[ $integ == ok ]] || echo "boot $r: the database fails its integrity check: $integ"
	awk '{ printf "{\"what\":\"%s\",\"id\":%s,\"serial\":%s}\n", $2, $3, ($4 == "" ? 0 : $4) }' \
		"$D/acked" >"$D/acked.json"
	jq -rn --argjson st "$st" --argjson kl "$kl" --slurpfile a "$D/acked.json" --arg r "$r" '
		($kl.leases | map({key: (.id | tostring), value: .}) | from_entries) as $K |
		($kl.leases | group_by(.id) | map({key: (.[0].id | tostring), value: length}) | from_entries) as $KN |
		($st.leases | map(select(.role == "issued"))) as $S0 |
		($S0 | map({key: (.id | tostring), value: .}) | from_entries) as $S |
		($S0 | group_by(.id) | map({key: (.[0].id | tostring), value: length}) | from_entries) as $SN |
		( $a[] | (.id | tostring) as $i |
		  if .what == "issue" then
			select(($SN[$i] // 0) != 1) |
			"boot \($r): lease \($i) was acknowledged; the state has it \($SN[$i] // 0) times"
		  elif .what == "renew" then
			select(($S[$i].serial // 0) < .serial) |
			"boot \($r): renewal of \($i) to serial \(.serial) was acknowledged; the state has \($S[$i].serial // 0)"
		  else
			select(($S[$i].state // "") != "revoked") |
			"boot \($r): revocation of \($i) was acknowledged; the state says \($S[$i].state // "nothing")"
		  end ),
		( $S0[] | select(.state == "live") | (.id | tostring) as $i |
		  select(($KN[$i] // 0) != 1 or ($K[$i].serial // 0) < .serial or ($K[$i].state // "") != "active") |
		  "boot \($r): live lease \($i) serial \(.serial) is in grid.ko \($KN[$i] // 0) times, serial \($K[$i].serial // 0), \($K[$i].state // "absent")" ),
		( $kl.leases | map(.id) | select(length != (unique | length)) |
		  "boot \($r): a lease is in grid.ko twice" )'
}

problems=$D/problems
: >"$problems"
cuts=0
for ((r = 1; r <= ROUNDS + 1; r++)); do
	log=$D/boot$r.log
	if ((r <= ROUNDS)); then
		# 0.05 to 3 s after the client starts: in the middle of a request,
		# a commit, a registration in grid.ko, or between them.
		t=$((RANDOM % 2950 + 50))
		cut=$((t / 1000)).$(printf '%03d' $((t % 1000)))
		scripts/vm --kernel "$kver" --quiet --timeout 120 --disk "$img" \
			--power-cut "$cut" --cut-after POWERCUT-RUNNING --log "$log" \
			tests/powercut/guest.sh \
			>/dev/null 2>"$D/vm.err" || { cat "$D/vm.err"; fail "boot_$r" "scripts/vm failed"; continue; }
		cuts=$((cuts + 1))
	else
		# A last boot that only looks.
		scripts/vm --kernel "$kver" --quiet --timeout 120 --disk "$img" \
			--log "$log" tests/powercut/guest.sh check >/dev/null 2>"$D/vm.err" ||
			{ cat "$D/vm.err"; fail last_boot "scripts/vm failed"; }
	fi
	check "$r" "$log" >>"$problems"
	# Only whole lines: one the cut broke off is not an answer we know of.
	tr -d '\r' <"$log" | grep -E '^ACK (issue [0-9]+|renew [0-9]+ [0-9]+|revoke [0-9]+)$' >>"$D/acked"
done

n_issue=$(grep -c ' issue ' "$D/acked")
n_renew=$(grep -c ' renew ' "$D/acked")
n_revoke=$(grep -c ' revoke ' "$D/acked")
checked=$(wc -l <"$D/checked" 2>/dev/null || echo 0)
echo "[+] $cuts power cuts; $checked boots checked; acknowledged: $n_issue issues, $n_renew renewals, $n_revoke revocations"
if [[ -s $problems ]]; then
	fail nothing_acknowledged_is_lost "$(head -n 5 "$problems" | tr '\n' ';')"
	# The boots' consoles, for whoever reads the failure.
	mkdir -p build/test-logs/power_cut
	cp "$D"/boot*.log "$D/acked" build/test-logs/power_cut/ 2>/dev/null
	echo "    consoles: build/test-logs/power_cut/"
else
	pass nothing_acknowledged_is_lost
fi
if ((cuts == ROUNDS)); then pass every_boot_was_cut; else fail every_boot_was_cut "$cuts of $ROUNDS"; fi
# A boot cut before its dump was whole is not checked; most must be.
if ((checked * 2 >= ROUNDS + 1)); then
	pass most_boots_were_checked
else
	fail most_boots_were_checked "$checked of $((ROUNDS + 1))"
fi
if ((n_issue >= ROUNDS)); then
	pass the_client_got_answers_between_cuts
else
	fail the_client_got_answers_between_cuts "only $n_issue issues acknowledged"
fi
if tr -d '\r' <"$D/boot$((ROUNDS + 1)).log" 2>/dev/null | grep -qx POWERCUT-DUMPED &&
   grep -q '^POWERCUT-INTEGRITY ok' "$D/boot$((ROUNDS + 1)).log"; then
	pass integrity_check_after_the_last_cut
else
	fail integrity_check_after_the_last_cut "$(grep -h POWERCUT-INTEGRITY "$D/boot$((ROUNDS + 1)).log" 2>/dev/null)"
fi
exit $((failures > 0))
