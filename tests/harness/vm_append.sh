#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/vm --append adds to the guest's kernel command line (make bench
# puts the guest's clock on the TSC with it), each given one after another.
source "$(dirname "$0")/lib.sh"

printf '#!/bin/sh\ncat /proc/cmdline\n' >"$tmp/cmdline.sh"
scripts/vm --quiet --log "$tmp/log" --append grid.one=1 --append "grid.two=2 grid.three=3" \
	"$tmp/cmdline.sh"
tr -d '\r' <"$tmp/log" | grep -q 'console=ttyS0 .* grid.one=1 grid.two=2 grid.three=3'
rc=0
scripts/vm --quiet --log "$tmp/log" "$tmp/cmdline.sh" || rc=$?
((rc == 0))
! tr -d '\r' <"$tmp/log" | grep -q 'grid.one=1'
