#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One boot of the power-cut test (tests/host/power_cut.sh drives it): the
# state on an ext4 disk (/dev/vda), gridd started on a fresh grid.ko, what
# it holds dumped to the console for the host to check against what was
# acknowledged before the last cut, then a client issuing, renewing and
# revoking, printing "ACK ..." for every answer it gets, until the power
# is cut. With "check" as argument it stops after the dump.
source "$GRID_TOP/tests/lib.sh"

MNT=/mnt/disk
G="gridctl -S /run/grid/gridd.sock"
modprobe virtio_pci 2>/dev/null
modprobe virtio_blk 2>/dev/null
modprobe ext4 2>/dev/null
mkdir -p $MNT
for ((i = 0; i < 50; i++)); do [[ -b /dev/vda ]] && break; sleep 0.1; done
mount -t ext4 /dev/vda $MNT || { echo "POWERCUT-ERROR cannot mount /dev/vda"; exit 1; }
printf 'state_dir %s/grid\nsocket /run/grid/gridd.sock\nbpf no\n' $MNT >/tmp/gridd.conf
grid_load >/dev/null
grid_cgroups >/dev/null
gridd --config /tmp/gridd.conf 2>/tmp/gridd.log &
for ((i = 0; i < 300; i++)); do
	grep -q 'gridd: ready' /tmp/gridd.log && break
	sleep 0.05
done
grep -q 'gridd: ready' /tmp/gridd.log || { cat /tmp/gridd.log; echo "POWERCUT-ERROR gridd did not start"; exit 1; }
# Set up until it is (a cut may have come in the middle): each step is
# done again only if its result is not there.
if [[ ! -e $MNT/setup-done ]]; then
	$G -j status | jq -e '.gridd.grid == "home"' >/dev/null || $G init home >/dev/null
	$G -j agent list | jq -e '.agents | length == 1' >/dev/null || $G agent add alice uid 1000 >/dev/null
	$G -j gridgrid list | jq -e '.gridgrids | length == 1' >/dev/null || $G gridgrid create clubhouse >/dev/null
	$G -j share list | jq -e '.shares | length == 1' >/dev/null || $G share set clubhouse memory 100G >/dev/null
	$G -j share list | jq -e '.shares | length == 1' >/dev/null ||
		{ echo "POWERCUT-ERROR setup failed"; exit 1; }
	: >$MNT/setup-done
	sync
fi
echo "POWERCUT-STATE $($G -j lease list | tr -d '\n')"
echo "POWERCUT-KERNEL $(gridctl -j kernel lease list | tr -d '\n')"
echo "POWERCUT-INTEGRITY $(sqlite3 -cmd '.timeout 5000' $MNT/grid/state.db 'PRAGMA integrity_check' 2>&1 | head -n 1)"
grep 'reconcile' /tmp/gridd.log | sed 's/^/POWERCUT-LOG /'
# The dump is whole: a cut before this line leaves nothing to judge.
echo "POWERCUT-DUMPED"
[[ ${1:-} == check ]] && exit 0
echo "POWERCUT-RUNNING"
live=()
while :; do
	op=$((RANDOM % 10))
	if ((op < 2 && ${#live[@]})); then
		id=${live[0]}
		$G lease revoke "$id" >/dev/null 2>&1 && echo "ACK revoke $id"
		live=("${live[@]:1}")
	elif ((op < 5 && ${#live[@]})); then
		id=${live[-1]}
		line=$($G -j lease renew "$id" for 2h 2>/dev/null) || continue
		s=${line#*\"serial\":}
		echo "ACK renew $id ${s%%,*}"
	else
		line=$($G -j lease issue clubhouse to alice memory 1M for 1h 2>/dev/null) || continue
		id=${line#*\"id\":}
		id=${id%%,*}
		echo "ACK issue $id"
		live+=("$id")
	fi
done
