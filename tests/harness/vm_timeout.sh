#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A guest that hangs is killed at the timeout with a clear message and
# exit status 124, and no QEMU is left running.
source "$(dirname "$0")/lib.sh"

printf '#!/bin/sh\necho hanging\nsleep 1000\n' >"$tmp/hang.sh"
rc=0
start=$SECONDS
scripts/vm --name "$vm_name" --quiet --timeout 10 "$tmp/hang.sh" 2>"$tmp/err" || rc=$?
cat "$tmp/err"
echo "status $rc after $((SECONDS - start)) s"
((rc == 124))
((SECONDS - start < 30))
grep -q 'the guest did not finish within 10 s; QEMU was killed' "$tmp/err"
no_qemu_left
