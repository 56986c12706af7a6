#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The style check can fail: checkpatch (as scripts/checkpatch runs it)
# flags a misspelling and a style error in a scratch copy of a module file.
source "$(dirname "$0")/lib.sh"

[[ -f build/ksrc/.stamp ]] || scripts/ksrc build/ksrc
cp kmod/status.c "$tmp/bad.c"
printf '/* we recieve it */\nint bad(void){return 0;}\n' >>"$tmp/bad.c"
rc=0
perl build/ksrc/scripts/checkpatch.pl --no-tree --strict --quiet -f "$tmp/bad.c" >"$tmp/out" 2>&1 || rc=$?
cat "$tmp/out"
((rc != 0))
grep -q "'recieve' may be misspelled" "$tmp/out"
grep -q 'ERROR' "$tmp/out"
