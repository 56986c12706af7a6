#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The signed records against an independent verifier: tests/records/verify.py,
# written from user/record/RECORDS.md with Debian's python3-cbor2 and
# python3-cryptography, must accept every sample the C code makes, refuse
# every one-byte change of them and every forged record, and agree with the
# C reader on records made by hand (tests/records/cases.py); RECORDS.md must
# show the samples' current bytes. Builds nothing: make the tool first.
source "$(dirname "$0")/lib.sh"

bin=build/tests/tools/record-samples
py=/usr/bin/python3
verify=tests/records/verify.py
doc=user/record/RECORDS.md

if [[ ! -x $bin ]]; then
	echo "FAIL: $bin is missing: run 'make $bin' (or make tests) first"
	exit 1
fi
if ! "$py" -c 'import cbor2, cryptography' 2>/dev/null; then
	echo "SKIP: $py lacks python3-cbor2 or python3-cryptography (scripts/deps)"
	exit 1
fi

fail() {
	echo "FAIL: $*"
	exit 1
}

"$bin" >"$tmp/samples"
"$bin" forged >"$tmp/forged"
token=$("$bin" token)

# Every sample verifies, one of each of the eleven types.
"$py" "$verify" "$tmp/samples" >"$tmp/out" || { cat "$tmp/out"; fail "a sample does not verify"; }
cat "$tmp/out"
types="grid agent member-grid charter invitation membership leave revocation share lease receipt"
[[ $(awk '$1 == "ok" { print $2 }' "$tmp/out" | tr '\n' ' ') == "$types " ]] ||
	fail "the samples are not one ok of each of: $types"
[[ $(wc -l <"$tmp/out") -eq 11 ]] || fail "not 11 samples"
# The ids verify.py computes are the ones the C code printed.
diff <(awk '{ print $3 }' "$tmp/samples") <(awk '{ print $3 }' "$tmp/out") ||
	fail "verify.py's ids differ from record-samples'"

# A wrong id or type on the line is caught.
awk 'NR == 1 { print $1, $2, "00" substr($3, 3) }' "$tmp/samples" >"$tmp/badid"
"$py" "$verify" "$tmp/badid" >"$tmp/out" && fail "a wrong id is accepted"
grep -q '^FAIL grid: the id' "$tmp/out" || fail "a wrong id: $(cat "$tmp/out")"
awk 'NR == 1 { print "lease", $2 }' "$tmp/samples" >"$tmp/badtype"
"$py" "$verify" "$tmp/badtype" >"$tmp/out" && fail "a wrong type is accepted"

# The membership chain holds, and the lease is the share issuer's.
"$py" "$verify" --chain "$tmp/samples" >"$tmp/out" || { cat "$tmp/out"; fail "--chain"; }
grep '^ok chain' "$tmp/out"
for c in invitation membership lease; do
	grep -q "^ok chain $c\$" "$tmp/out" || fail "--chain did not check the $c"
done

# Every one-byte change of every sample is refused, by verify.py and by C.
"$py" "$verify" --tamper "$tmp/samples" >"$tmp/out" || { grep FAIL "$tmp/out"; fail "--tamper"; }
tail -n 1 "$tmp/out"
n=$(awk '$1 == "ok" { s += $3 } END { print s }' "$tmp/out")
((n > 1000)) || fail "only $n mutants"
grep -qx "$n mutants, 0 wrongly accepted" "$tmp/out" || fail "--tamper: $(tail -n 1 "$tmp/out")"
"$py" "$verify" --mutants "$tmp/samples" | "$bin" open >"$tmp/out" || true
[[ $(grep -c '^FAIL ' "$tmp/out") -eq $n && $(wc -l <"$tmp/out") -eq $n ]] ||
	fail "the C reader accepts a mutant: $(grep -m 3 '^ok' "$tmp/out")"
echo "the C reader refuses the same $n mutants"

# Forged records: a signature not the issuer's is refused by both readers;
# a record signed by a key without the right verifies, and --chain refuses it.
cases=0
while read -r hash name kind text; do
	[[ $hash == "#" ]] || continue
	name=${name%:}
	read -r line
	printf '%s\n' "$line" >"$tmp/one"
	type=${line%% *}
	cases=$((cases + 1))
	case $kind in
	signature)
		"$py" "$verify" "$tmp/one" >"$tmp/out" && fail "$name is accepted"
		grep -q "^FAIL $type: the signature does not verify under the issuer key" "$tmp/out" ||
			fail "$name: $(cat "$tmp/out")"
		"$bin" open <"$tmp/one" >"$tmp/c" && fail "$name is accepted by the C reader: $(cat "$tmp/c")"
		;;
	chain)
		"$py" "$verify" "$tmp/one" >"$tmp/out" || fail "$name does not verify: $(cat "$tmp/out")"
		{ grep -v "^$type " "$tmp/samples"; cat "$tmp/one"; } >"$tmp/story"
		"$py" "$verify" --chain "$tmp/story" >"$tmp/out" && fail "--chain accepts $name"
		grep -q "^FAIL chain $type: .*$text" "$tmp/out" ||
			fail "$name: --chain does not say '$text': $(grep FAIL "$tmp/out")"
		;;
	*)
		fail "record-samples forged: a case '$kind'"
		;;
	esac
	echo "$name: $(grep -m 1 FAIL "$tmp/out")"
done <"$tmp/forged"
((cases >= 7)) || fail "only $cases forged records"

# Records made by hand: verify.py and the C reader give the verdicts of RECORDS.md.
"$py" tests/records/cases.py "$bin" >"$tmp/out" || { grep -v '^ok ' "$tmp/out"; fail "cases.py"; }
tail -n 1 "$tmp/out"

# The token of the samples' membership reads, and its chain holds.
"$py" "$verify" --token "$token" >"$tmp/out" || { cat "$tmp/out"; fail "--token"; }
tail -n 1 "$tmp/out"

# RECORDS.md shows the bytes, ids and token the code makes today.
awk '/^```hex$/ { on = 1; rec = ""; next }
     on && /^```$/ { on = 0; print rec; next }
     on { rec = rec $0 }' "$doc" >"$tmp/dochex"
diff <(awk '{ print $2 }' "$tmp/samples") "$tmp/dochex" >/dev/null ||
	fail "$doc does not show the samples' bytes (tests/records/samples_md.py rewrites them)"
grep -o 'id `[0-9a-f]\{64\}`' "$doc" | cut -c5-68 >"$tmp/docid"
diff <(awk '{ print $3 }' "$tmp/samples") "$tmp/docid" >/dev/null ||
	fail "$doc does not show the samples' ids"
grep -qxF "$token" "$doc" || fail "$doc does not show the samples' token"
echo "$doc shows the samples' bytes, ids and token"
