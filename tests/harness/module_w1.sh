#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# grid.ko builds without a single warning under W=1, in a scratch copy so
# that the normal build is left alone.
source "$(dirname "$0")/lib.sh"

kdir=/usr/src/linux-headers-$(scripts/kver)
cp -r Kbuild kmod "$tmp/"
make -C "$kdir" M="$tmp" W=1 GRID_RELEASE=w1 modules >"$tmp/out" 2>&1
cat "$tmp/out"
[[ -f $tmp/kmod/grid.ko ]]
! grep -E 'warning:|error:' "$tmp/out"
