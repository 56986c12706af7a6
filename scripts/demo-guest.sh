#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM for scripts/demo.
set -e
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
say uname -r
say insmod /grid/kmod/grid.ko
say ls -l /dev/grid
say gridctl status
say gridctl -p status via netlink
exec 7<>/dev/grid
echo; echo "(holding /dev/grid open in the shell)"
say gridctl status
exec 7>&-
say rmmod grid
printf '\n\033[1m$ dmesg | grep grid:\033[0m\n'
dmesg | grep 'grid:'
