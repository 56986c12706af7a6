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

echo; echo "(a grid-grid 'clubhouse' paced at 8 Mbit/s, sending from namespace a to b)"
source /grid/tests/quota_lib.bash
net_up
gg_make clubhouse
say gridctl quota attach clubhouse egress 8mbit netns a dev a0
$IP netns exec b iperf3 -s -1 >/dev/null 2>&1 &
sleep 0.3
say in_cgroup $CG/clubhouse/lease $IP netns exec a iperf3 -c 10.9.0.2 -t 3 -f M
wait
say gridctl quota
say bpftool map dump pinned /sys/fs/bpf/grid/grid_gg_net
say gridctl quota detach clubhouse
say rmmod grid
printf '\n\033[1m$ dmesg | grep grid:\033[0m\n'
dmesg | grep 'grid:'
