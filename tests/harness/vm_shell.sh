#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/vm --shell gives an interactive guest shell on a terminal: typed
# commands run, and poweroff ends it with status 0.
source "$(dirname "$0")/lib.sh"

# script(1) gives scripts/vm a terminal; the lines are typed once the
# guest says it is up (a fixed wait lost them when the host was busy).
rc=0
: >"$tmp/out"
(for ((i = 0; i < 120; i++)); do grep -q GRID-VM-UP "$tmp/out" && break; sleep 0.5; done
	sleep 2; printf 'echo SHELL-OK-$((6*7))\r'; sleep 2; printf 'poweroff -f\r'; sleep 6) |
	timeout 90 script -qfec "scripts/vm --name $vm_name --timeout 60 --shell" /dev/null >"$tmp/out" 2>&1 || rc=$?
tr -d '\r' <"$tmp/out" | grep -v '^\[ ' | tail -n 5
echo "status $rc"
((rc == 0))
grep -q 'SHELL-OK-42' "$tmp/out"
no_qemu_left
