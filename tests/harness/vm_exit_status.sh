#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/vm returns the guest script's exit status, and passes arguments.
source "$(dirname "$0")/lib.sh"

printf '#!/bin/sh\necho "args: $1|$2"\nexit "$3"\n' >"$tmp/exit.sh"
rc=0
scripts/vm --quiet --log "$tmp/log" "$tmp/exit.sh" "a b" "c" 3 || rc=$?
echo "exit 3 -> $rc"
((rc == 3))
grep -q '^args: a b|c$' "$tmp/log"
rc=0
scripts/vm --quiet "$tmp/exit.sh" x y 0 || rc=$?
echo "exit 0 -> $rc"
((rc == 0))
