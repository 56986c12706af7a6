#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/vm interrupted (SIGINT as from Ctrl-C, and SIGTERM) while the
# guest runs: it exits at once and leaves no QEMU behind.
source "$(dirname "$0")/lib.sh"

# Job control, so that the background scripts/vm does not start with
# SIGINT ignored, as a non-interactive shell's background jobs do.
set -m
printf '#!/bin/sh\necho GUEST-RUNNING\nsleep 1000\n' >"$tmp/hang.sh"
for sig in INT TERM; do
		scripts/vm --name "$vm_name" --timeout 120 "$tmp/hang.sh" >"$tmp/out" 2>&1 &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q GUEST-RUNNING "$tmp/out" && break
		sleep 0.1
	done
	grep -q GUEST-RUNNING "$tmp/out"
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	echo "SIG$sig -> status $rc"
	((rc != 0))
	no_qemu_left
done
