#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/seed_record.sh [DIR...]   remake tests/fuzz/corpus/record
#
# The seeds, named for what they are (TYPE.cose, TYPE.payload, bundle-*,
# token-*, cbor-*), come from build/tests/tools/record-corpus, so they
# follow the format whenever it changes. Inputs named known-* (the
# reproductions of bugs found by fuzzing) are kept as they are. Then
# build/fuzz/record -merge=1 adds, from the corpus as it was and from each
# DIR (the corpus of a long run), only the inputs that reach code the files
# so far do not: a fresh folder, so the tree keeps a small corpus. New
# edges count, not new hit counts of an edge (-use_counters=0): that keeps
# a tenth of the files for the same code.
set -euo pipefail
shopt -s nullglob
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
corpus=tests/fuzz/corpus/record
make build/tests/tools/record-corpus build/fuzz/record >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/new" "$work/old"
build/tests/tools/record-corpus "$work/new"
if [[ -d $corpus ]]; then
	cp -R "$corpus"/. "$work/old/"
	for f in "$work"/old/known-*; do
		mv "$f" "$work/new/"
	done
fi
seeds=$(find "$work/new" -type f | wc -l)
if ! build/fuzz/record -merge=1 -use_counters=0 "$work/new" "$work/old" "$@" \
	>"$work/merge.log" 2>&1; then
	tail -n 30 "$work/merge.log" >&2
	exit 1
fi
rm -rf "$corpus"
mkdir -p "$corpus"
cp "$work"/new/* "$corpus/"
echo "$corpus: $seeds seeds, $(($(find "$corpus" -type f | wc -l) - seeds)) merged in," \
	"$(du -sb "$corpus" | cut -f1) bytes"
