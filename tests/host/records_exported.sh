#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every record gridctl exports, checked by a verifier nobody here wrote the
# C of: a VM makes them with two real gridds (tests/records/guest_export.sh)
# and prints them; tests/records/verify.py (Debian's python3-cbor2 and
# python3-cryptography) checks each one's structure, encoding, keys and
# signature, and that one changed byte anywhere makes it fail. Prints
# PASS/FAIL lines.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
T=host/records_exported
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
kver=$(scripts/kver 2>/dev/null)
if [[ -z $kver || ! -e build/kmod/$kver/grid.ko ]]; then
	echo "SKIP $T: no grid.ko built for the test kernel (make all)"
	exit 0
fi
if ! /usr/bin/python3 -c 'import cbor2, cryptography' 2>/dev/null; then
	echo "SKIP $T: python3-cbor2 or python3-cryptography is missing (scripts/deps)"
	exit 0
fi
failures=0
check() {
	local name=$1
	shift
	if "$@" >"$D/out" 2>&1; then
		echo "PASS $T/$name"
	else
		echo "FAIL $T/$name: $(tail -n 5 "$D/out" | tr '\n' ';')"
		failures=$((failures + 1))
	fi
}

scripts/vm --kernel "$kver" --quiet --timeout 300 --log "$D/vm.log" \
	tests/records/guest_export.sh >/dev/null 2>"$D/vm.err"
tr -d '\r' <"$D/vm.log" | sed -n 's/^RECORD //p' >"$D/records"
check the_guest_made_them grep -qx EXPORT-DONE <(tr -d '\r' <"$D/vm.log")
types=$(cut -d' ' -f1 "$D/records" | sort -u | tr '\n' ' ')
echo "[+] $(wc -l <"$D/records") records exported, of types: $types"
check every_type_gridctl_makes_is_there bash -c "for t in grid agent member-grid charter invitation membership leave revocation share lease; do grep -q \"^\$t \" '$D/records' || { echo \"no \$t\"; exit 1; }; done"
check each_verifies /usr/bin/python3 tests/records/verify.py "$D/records"
check one_changed_byte_anywhere_fails /usr/bin/python3 tests/records/verify.py --tamper "$D/records"
exit $((failures > 0))
