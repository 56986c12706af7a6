#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A grid-grid's gridfs inside OCI containers run by Debian's crun, with no
# gridd:
#
#   grid home                          bundle $B: a busybox rootfs, read-only
#   gridgrid club, share, cgroup $GG     config.json from `crun spec`, and
#   ├── lease 7 ── sandbox $SBC          /mnt/club ──bind, ro──> /grid
#   │              (the container's      namespaces pid, mount, ipc, uts, net
#   │               cgroup, cgroupfs)
#   └── lease 8    revoked while a container watches it
#   gridgrid other, share, lease 9     (its own gridfs: never in /grid)
#
#   /mnt/club  gridfs -o gridgrid=club, the mount the containers are given
#
# Containers run with --no-pivot, as the initramfs root refuses
# pivot_root(2); one runs in in_pivotable_root with pivot_root, as on a
# real host. Inside, the lease reads as gridctl and gridfs show it
# outside, /grid holds exactly what the mount does and none of the other
# grid-grid's, writes fail, and a change outside shows at once. A
# container whose cgroup (linux.cgroupsPath) is bound as the sandbox of
# lease 7 between `crun create` and `crun start` runs under the lease's
# limits, finds its sandbox in /grid, and dies when the lease is revoked.
# crun delete leaves no container, state or cgroup; at the end rmmod must
# succeed and the module's created/destroyed log must balance.
source "$GRID_TOP/tests/lib.sh"
set -o pipefail

if ! command -v crun >/dev/null; then
	echo "SKIP $TEST: no crun in the guest (scripts/vm copies /usr/bin/crun when the host has it; scripts/deps installs it)"
	exit 0
fi

K_HOME=$(printf 'a1%.0s' {1..32})
K_CLUB=$(printf 'c3%.0s' {1..32})
K_OTHER=$(printf 'c4%.0s' {1..32})
K_PI=$(printf 'd4%.0s' {1..32})
GG=/sys/fs/cgroup/grid/club
LC=$GG/crun.$$
SBC=$LC/ctr
GGFS=/mnt/club
B=/tmp/bundle.$$
SB=sb.$$
watcher=

# Subshells inherit the trap for a moment after they fork; only the test
# itself cleans up.
cleanup() {
	[[ $BASHPID == "$$" ]] || return
	[[ -n $watcher ]] && kill "$watcher" 2>/dev/null
	for c in $(crun list -q 2>/dev/null); do crun delete -f "$c" 2>/dev/null; done
	rmdir "$SBC" "$LC" 2>/dev/null
	umount "$GGFS" 2>/dev/null
}
trap cleanup EXIT

pretty "a grid-grid with leases, and its gridfs"
echo "+cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
grid_load
gridctl kernel grid add home key "$K_HOME"
gridctl kernel gridgrid add club charter "$K_CLUB"
gridctl kernel gridgrid add other charter "$K_OTHER"
gridctl kernel share add club cpu 1 memory 1G pids 100
gridctl kernel share add other cpu 0.5 memory 128M pids 10
gridctl kernel peer add "$K_PI" name pi gridgrid club gridgrid other
lease() { # ID GRIDGRID LIMITS...
	local id=$1 gg=$2
	shift 2
	gridctl kernel lease add "$id" serial 1 issuer "$K_HOME" holder "$K_PI" \
		gridgrid "$gg" "$@" not-before now not-after +1h
}
lease 7 club cpu 0.5 memory 256M pids 32
lease 8 club cpu 0.1 memory 64M pids 8
lease 9 other cpu 0.1 memory 64M pids 8
mkdir -p "$GGFS"
mount -t gridfs -o gridgrid=club none "$GGFS"

# The bundle: busybox (static) and its applets the containers use, in a
# rootfs made read-only, and crun's own default spec with the gridfs
# bind added. Each container's command is set in config.json when it runs.
pretty "an OCI bundle at $B"
mkdir -p "$B/rootfs"/{bin,dev,proc,sys,tmp,grid}
cp /bin/busybox "$B/rootfs/bin/"
for a in sh cat ls find sort grep tr touch mkdir sleep; do
	ln -s busybox "$B/rootfs/bin/$a"
done
(cd "$B" && crun spec)
jq --arg src "$GGFS" '
	.process.terminal = false
	| .hostname = "ctr"
	| .mounts += [{destination: "/grid", type: "bind", source: $src,
		options: ["rbind", "ro", "nosuid", "nodev", "noexec"]}]
	| .linux.namespaces = [{type: "pid"}, {type: "mount"}, {type: "ipc"},
		{type: "uts"}, {type: "network"}]' "$B/config.json" >"$B/spec.json"

# spec JQ-ARGS...: config.json is spec.json changed by a jq filter.
spec() { jq "$@" "$B/spec.json" >"$B/config.json"; }
# in_ctr SCRIPT: sh -c SCRIPT in a new container (crun run, which
# deletes it when it ends); its stdout and its exit status.
n=0
in_ctr() {
	n=$((n + 1))
	spec --arg c "$1" '.process.args = ["sh", "-c", $c]'
	crun run --no-pivot --bundle "$B" "c$BASHPID.$n" </dev/null
}
# is WANT CMD...: CMD prints WANT exactly.
is() {
	local want=$1 got
	shift
	got=$("$@") || { echo "    status $?: $got" >&2; return 1; }
	[[ $got == "$want" ]] || { printf '    got: %s\n    want: %s\n' "$got" "$want" | head -c 1200 >&2; return 1; }
}
# Every file below the folder $1, one "path: content" line each, sorted;
# the same script inside a container and outside.
DUMP='cd "$1" && find . -type f | sort | while read -r f; do printf "%s: %s\n" "$f" "$(cat "$f" | tr "\n" " ")"; done'
dump() { sh -c "$DUMP" dump "$1"; }
lease7() { # DIR: lease 7's fields as gridfs shows them below DIR
	local f
	for f in id serial gridgrid state issuer holder sandboxes; do printf '%s ' "$(cat "$1/leases/7/$f")"; done
}
lease7_json() {
	gridctl -j kernel lease show 7 |
		jq -j '"\(.id) \(.serial) \(.gridgrid) \(.state) \(.issuer) \(.holder) \(.sandboxes) "'
}
LEASE7_INSIDE='for f in id serial gridgrid state issuer holder sandboxes; do printf "%s " "$(cat /grid/leases/7/$f)"; done'

pretty "a container reads the lease"
ok crun_runs_the_container is club in_ctr 'cat /grid/name'
ok container_has_its_own_namespaces is "ctr 1" in_ctr 'echo $(cat /proc/sys/kernel/hostname) $$'
ok lease_outside_is_gridctls is "$(lease7_json)" lease7 "$GGFS"
ok lease_inside_is_gridctls is "$(lease7_json)" in_ctr "$LEASE7_INSIDE"
ok lease_limits_inside_are_gridfs_outside is "$(dump "$GGFS/leases/7/limits")" in_ctr "set -- /grid/leases/7/limits; $DUMP"
# Not two empty lists agreeing: the mount outside has the leases' files.
shows_leases() {
	dump "$GGFS" >/tmp/gridfs.dump &&
		grep -qx './leases/7/state: active ' /tmp/gridfs.dump &&
		grep -qx "./leases/8/holder: $K_PI " /tmp/gridfs.dump
}
ok gridfs_outside_shows_the_leases shows_leases
ok grid_is_the_whole_gridfs is "$(dump "$GGFS")" in_ctr "set -- /grid; $DUMP"
ok grid_lists_what_gridfs_lists is "$(cd "$GGFS" && ls -AR)" in_ctr 'cd /grid && ls -AR'
ok other_gridgrids_lease_not_inside is "7 8" in_ctr 'echo $(ls /grid/leases)'
ok grid_is_a_read_only_gridfs in_ctr 'grep -E "^[0-9]+ [0-9]+ [0-9:]+ / /grid ro,nosuid,nodev,noexec[, ].* - gridfs " /proc/self/mountinfo'

pretty "writes fail inside"
ok cannot_create_inside is refused in_ctr 'touch /grid/x 2>/dev/null || echo refused'
ok cannot_write_inside is refused in_ctr 'echo 1 2>/dev/null >/grid/leases/7/state || echo refused'
ok cannot_mkdir_inside is refused in_ctr 'mkdir /grid/leases/10 2>/dev/null || echo refused'
ok lease_unchanged_by_the_attempts is active cat "$GGFS/leases/7/state"

pretty "a change outside shows inside at once"
watch8='cat /grid/leases/8/state; while [ "$(cat /grid/leases/8/state)" = active ]; do sleep 0.1; done; cat /grid/leases/8/state'
in_ctr "$watch8" >/tmp/watch8.out &
watcher=$!
for ((i = 0; i < 100; i++)); do [[ -s /tmp/watch8.out ]] && break; sleep 0.1; done
gridctl kernel lease revoke 8
for ((i = 0; i < 200; i++)); do kill -0 "$watcher" 2>/dev/null || break; sleep 0.1; done
wait "$watcher"
watcher=
ok revoke_is_seen_inside is "active revoked" sh -c 'echo $(cat /tmp/watch8.out)'

pretty "with pivot_root, where the root is a mount (a real host)"
spec '.process.args = ["sh", "-c", "cat /grid/leases/7/state"]'
ok pivot_root_container_reads_the_lease is active in_pivotable_root crun run --bundle "$B" "p$$" </dev/null

pretty "the container's cgroup is the sandbox of lease 7"
spec --arg p "${SBC#/sys/fs/cgroup}" '.linux.cgroupsPath = $p | .process.args = ["sleep", "1000"]'
ok crun_create crun --cgroup-manager=cgroupfs create --no-pivot --bundle "$B" "$SB"
ok container_cgroup_made test -d "$SBC"
id=$(gridctl sandbox bind "$SBC" lease 7)
bound() {
	gridctl -j sandbox show "$id" |
		jq -e --arg p "${SBC#/sys/fs/cgroup}" '.lease_id == 7 and .state == "bound" and .path == $p'
}
ok sandbox_bound_before_start bound
ok crun_start crun start "$SB"
ok container_is_running is running sh -c "crun state $SB | jq -r .status"
ok container_init_is_in_the_sandbox grep -qx "$(crun state "$SB" | jq .pid)" "$SBC/cgroup.procs"
ok lease_limits_hold_it is "32 268435456 50000 100000" sh -c "echo \$(cat $LC/pids.max $LC/memory.max $LC/cpu.max)"
ok container_finds_its_sandbox is 7 crun exec "$SB" cat "/grid/sandboxes/$id/lease"
ok container_sees_itself_counted is 1 crun exec "$SB" cat /grid/leases/7/sandboxes
ok sandbox_inside_is_gridfs_outside is "$(dump "$GGFS/sandboxes")" crun exec "$SB" sh -c "set -- /grid/sandboxes; $DUMP"
gridctl kernel lease revoke 7
stopped() {
	for ((i = 0; i < 100; i++)); do
		[[ $(crun state "$SB" | jq -r .status) == stopped ]] && return 0
		sleep 0.1
	done
	return 1
}
ok revoking_the_lease_stops_the_container stopped
ok sandbox_shows_killed is killed cat "$GGFS/sandboxes/$id/state"
ok cgroup_is_empty is "" cat "$SBC/cgroup.procs"
# A sandbox is unbound before its cgroup goes, as gridd does.
ok sandbox_unbind gridctl sandbox unbind "$id"
ok crun_delete crun delete "$SB"
ok no_container_is_left is "" crun list -q
ok no_state_is_left test ! -e "/run/crun/$SB"
ok container_cgroup_removed test ! -d "$SBC"

pretty "delete everything"
rmdir "$LC"
umount "$GGFS"
rm -rf "$B"
ok lease_del_all sh -c 'for l in 7 8 9; do gridctl kernel lease del $l || exit 1; done'
ok peer_del gridctl kernel peer del "$K_PI"
ok share_del sh -c 'gridctl kernel share del club && gridctl kernel share del other'
ok gridgrid_del sh -c 'gridctl kernel gridgrid del club && gridctl kernel gridgrid del other'
ok grid_del gridctl kernel grid del home
rmdir "$GG" /sys/fs/cgroup/grid/other
ok rmmod_succeeds rmmod grid
ok created_destroyed_balance grid_balance
finish
