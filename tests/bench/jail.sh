#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: a job's sandbox, start to exit of true, against what a user
# would run instead, side by side in one guest: bubblewrap with every
# namespace new (bwrap --unshare-all, the host's / read-only, a /proc and
# a /dev) and util-linux's unshare -mpfnui (namespaces alone, no root
# built). The goal is 0.6 of bwrap. All three run in a root that is a
# mount, not the initramfs, so that each can pivot_root as on a host.
source "$GRID_TOP/tests/lib.sh"
N=${1:-100}

echo "+cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
CG=/sys/fs/cgroup/jailbench
mkdir -p $CG/job
export CG N

in_pivotable_root /bin/bash -c '
	ms() { awk -v a="$1" -v b="$2" -v n="$N" "BEGIN { printf \"%.2f\", (b - a) * 1000 / n }"; }
	each() {
		local t0 i
		"$@" >/dev/null || { echo "bench/jail: $* failed" >&2; exit 1; }
		t0=$EPOCHREALTIME
		for ((i = 0; i < N; i++)); do "$@" >/dev/null; done
		ms "$t0" "$EPOCHREALTIME"
	}
	g=$(each grid_jail_run -c $CG/job -- true)
	b=$(each bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev true)
	u=$(each unshare -mpfnui true)
	echo "bench/jail: start to exit of true, $N runs each: grid sandbox $g ms, bwrap --unshare-all $b ms, unshare -mpfnui $u ms"
	awk -v g="$g" -v b="$b" -v u="$u" "BEGIN { printf \"bench/jail: grid/bwrap %.2f (goal <= 0.6), grid/unshare %.2f\n\", g / b, g / u }"
'
rc=$?
rmdir $CG/job $CG
exit $rc
