#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A second run of scripts/deps on a set-up machine says nothing, changes
# nothing and succeeds.
source "$(dirname "$0")/lib.sh"

bash scripts/deps >/dev/null 2>&1
before=$(md5sum /var/lib/dpkg/status)
bash scripts/deps >"$tmp/out" 2>&1
after=$(md5sum /var/lib/dpkg/status)
cat "$tmp/out"
[[ ! -s $tmp/out ]]
[[ $before == "$after" ]]
