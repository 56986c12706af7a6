#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A guest whose kernel log shows a splat fails even though its script
# passed, and the splat is shown.
source "$(dirname "$0")/lib.sh"

for line in "WARNING: CPU: 0 PID: 1 at fake.c:1 fake+0x0/0x10" \
	"BUG: KASAN: use-after-free in fake" \
	"refcount_t: underflow; use-after-free." \
	"general protection fault, probably for non-canonical address"; do
	printf '#!/bin/sh\necho "%s" >/dev/kmsg\nexit 0\n' "$line" >"$tmp/splat.sh"
	rc=0
	scripts/vm --quiet "$tmp/splat.sh" 2>"$tmp/err" || rc=$?
	echo "'$line' -> $rc"
	((rc == 1))
	grep -q 'the kernel log shows a splat' "$tmp/err"
done
printf '#!/bin/sh\necho "grid: all is well" >/dev/kmsg\nexit 0\n' >"$tmp/clean.sh"
scripts/vm --quiet "$tmp/clean.sh"
