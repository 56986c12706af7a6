#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gridfs against the netlink dumps, in a second mount namespace, and under
# removal: every lease, share, used and sandbox file agrees with what
# `gridctl -j` (netlink) reports; the mount is read-only; a bind mount in
# another mount namespace keeps working after the original is gone; files
# of removed objects read as errors; rmmod waits for the unmount. Who may
# read is the mounter's (uid=, gid=, mode=, shown in /proc/mounts); a
# remount can make it neither writable nor someone else's; readdir and
# stat give one inode number.
source "$GRID_TOP/tests/lib.sh"

ggdir=$(grid_cgroups)/gg2
cg=$ggdir/l5000
mkdir -p /mnt/gg /mnt/all /mnt/tenant /srv/c
grid_load
grid_stress populate 5 "$ggdir" >/dev/null
gg=/mnt/gg
mount -t gridfs -o gridgrid=gg2 none "$gg"
mount -t gridfs none /mnt/all
ok mounted_read_only grep -qE "^none $gg gridfs ro" /proc/mounts
ok mount_options_are_shown grep -qE "^none $gg gridfs ro,[^ ]*gridgrid=gg2,uid=0,gid=0,mode=444 " /proc/mounts
ok unknown_gridgrid_is_refused sh -c '! mount -t gridfs -o gridgrid=nope none /srv/c 2>/dev/null'
ok bad_gridgrid_name_is_refused sh -c '! mount -t gridfs -o gridgrid=NO/PE none /srv/c 2>/dev/null'

gridctl -j kernel lease list >/tmp/leases.json
gridctl -j kernel gridgrid show gg2 >/tmp/gg.json
gridctl -j sandbox list >/tmp/sandboxes.json

# "max" in gridfs is 2^64-1 in JSON, which jq 1.6 holds as a double.
num() { cat "$1"; }
jqnum() { jq -r "$1 | if . >= 18446744073709551615 then \"max\" else . end" "$2"; }

same_limits() { # DIR JQ-PATH FILE
	local dir=$1 path=$2 json=$3 f k
	declare -A key=([cpu_quota_us]=cpu_quota_us [cpu_period_us]=cpu_period_us
		[cpu_budget_us]=cpu_budget_us [memory]=memory_bytes [pids]=pids
		[egress_rate]=net_egress_rate [ingress_rate]=net_ingress_rate
		[egress_budget]=net_egress_budget [ingress_budget]=net_ingress_budget
		[budget_period_s]=budget_period_s)
	for f in "${!key[@]}"; do
		k=${key[$f]}
		[[ $(num "$dir/$f") == $(jqnum "$path.$k" "$json") ]] ||
			{ echo "$dir/$f: $(cat "$dir/$f") vs $k $(jqnum "$path.$k" "$json")" >&2; return 1; }
	done
}

leases_agree() {
	local n id i
	n=$(jq '.leases | length' /tmp/leases.json)
	[[ $(ls "$gg/leases" | wc -l) == "$n" ]] || return 1
	for ((i = 0; i < n; i++)); do
		id=$(jq -r ".leases[$i].id" /tmp/leases.json)
		for f in id serial gridgrid state issuer holder sandboxes; do
			[[ $(cat "$gg/leases/$id/$f") == $(jq -r ".leases[$i].$f" /tmp/leases.json) ]] ||
				{ echo "lease $id $f differs" >&2; return 1; }
		done
		# Nanoseconds since 1970 are past a double's precision in jq;
		# compare the whole seconds gridctl also prints.
		(($(cat "$gg/leases/$id/not_before") / 1000000000 == $(jq ".leases[$i].not_before" /tmp/leases.json))) || return 1
		(($(cat "$gg/leases/$id/not_after") / 1000000000 == $(jq ".leases[$i].not_after" /tmp/leases.json))) || return 1
		same_limits "$gg/leases/$id/limits" ".leases[$i].limits" /tmp/leases.json || return 1
	done
}

sandboxes_agree() {
	local id
	id=$(jq -r '.sandboxes[0].cgroup_id' /tmp/sandboxes.json)
	[[ $(ls "$gg/sandboxes") == "$id" ]] &&
		[[ $(cat "$gg/sandboxes/$id/lease") == $(jq -r '.sandboxes[0].lease_id' /tmp/sandboxes.json) ]] &&
		[[ $(cat "$gg/sandboxes/$id/state") == $(jq -r '.sandboxes[0].state' /tmp/sandboxes.json) ]] &&
		[[ $(cat "$gg/sandboxes/$id/path") == $(jq -r '.sandboxes[0].path' /tmp/sandboxes.json) ]]
}

pretty "gridfs agrees with the netlink dumps"
ok name_agrees test "$(cat $gg/name)" = "$(jq -r .name /tmp/gg.json)"
ok charter_key_agrees test "$(cat $gg/charter_key)" = "$(jq -r .charter_key /tmp/gg.json)"
ok share_agrees same_limits "$gg/share" .share /tmp/gg.json
ok used_agrees same_limits "$gg/used" .used /tmp/gg.json
ok leases_agree leases_agree
ok sandboxes_agree sandboxes_agree
ok all_view_lists_the_gridgrid test "$(ls /mnt/all)" = gg2
ok all_view_shows_the_same test "$(cat /mnt/all/gg2/leases/5003/state)" = active

pretty "read-only"
ok cannot_create sh -c "! touch $gg/x 2>/dev/null"
ok cannot_write sh -c "! echo 1 >$gg/name 2>/dev/null"
ok cannot_mkdir sh -c "! mkdir $gg/leases/9 2>/dev/null"

pretty "who may read: uid, gid, mode"
# Debian's setpriv by path, as busybox sh prefers its own applet.
as_nobody() { /usr/bin/setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
ok default_mode_lets_anyone_read as_nobody cat "$gg/name"
mount -t gridfs -o gridgrid=gg2,uid=0,gid=1234,mode=440 none /mnt/tenant
ok tenant_options_are_shown grep -qE "^none /mnt/tenant gridfs ro,[^ ]*gridgrid=gg2,uid=0,gid=1234,mode=440 " /proc/mounts
ok files_have_the_mode test "$(stat -c '%a %u %g' /mnt/tenant/name)" = "440 0 1234"
ok dirs_are_searchable_by_whom_may_read test "$(stat -c %a /mnt/tenant/leases)" = 550
ok others_cannot_read sh -c "! /usr/bin/setpriv --reuid 65534 --regid 65534 --clear-groups cat /mnt/tenant/name 2>/dev/null"
ok the_group_can_read test "$(/usr/bin/setpriv --reuid 65534 --regid 1234 --clear-groups cat /mnt/tenant/name)" = gg2
ok mode_with_write_is_refused sh -c '! mount -t gridfs -o mode=644 none /srv/c 2>/dev/null'
ok mode_with_exec_is_refused sh -c '! mount -t gridfs -o mode=555 none /srv/c 2>/dev/null'
ok remount_rw_is_refused sh -c '! mount -o remount,rw /mnt/tenant 2>/dev/null'
ok still_read_only_after_refused_remount grep -qE '^none /mnt/tenant gridfs ro,' /proc/mounts
ok remount_other_mode_is_refused sh -c '! mount -o remount,ro,mode=444 /mnt/tenant 2>/dev/null'
ok remount_other_gid_is_refused sh -c '! mount -o remount,ro,gid=0 /mnt/tenant 2>/dev/null'
ok remount_same_options_works mount -o remount,ro,gid=1234,mode=440 /mnt/tenant
ok options_unchanged grep -qE "^none /mnt/tenant gridfs ro,[^ ]*gridgrid=gg2,uid=0,gid=1234,mode=440 " /proc/mounts
umount /mnt/tenant

pretty "readdir and stat agree on inode numbers"
same_inodes() {
	local dir=$1 ino name
	while read -r ino name; do
		[[ $(stat -c %i "$dir/$name") == "$ino" ]] ||
			{ echo "$dir/$name: readdir $ino, stat $(stat -c %i "$dir/$name")" >&2; return 1; }
	done < <(ls -i1 "$dir")
	[[ -n $(ls "$dir") ]]
}
ok inodes_agree_at_the_top same_inodes "$gg"
ok inodes_agree_in_leases same_inodes "$gg/leases"
ok inodes_agree_in_a_lease same_inodes "$gg/leases/5003"
ok inodes_agree_in_all same_inodes /mnt/all
ok inode_is_the_same_in_every_mount test "$(stat -c %i "$gg/leases/5003/state")" = "$(stat -c %i /mnt/all/gg2/leases/5003/state)"

pretty "bind-mounted into a second mount namespace"
unshare -m sh -c "mount --bind $gg /srv/c && : >/tmp/inner.up && sleep 2 && cat /srv/c/name /srv/c/leases/5004/state >/tmp/inner.out" &
inner=$!
# Until the inner namespace has its bind mount, not a fixed second.
for ((i = 0; i < 100; i++)); do [[ -e /tmp/inner.up ]] && break; sleep 0.1; done
ok bind_mount_is_private_to_its_namespace test ! -e /srv/c/name
umount "$gg"
wait "$inner"
ok inner_namespace_reads_after_outer_unmount test "$(tr '\n' ' ' </tmp/inner.out)" = "gg2 active "

pretty "removal while open"
exec 8</mnt/all/gg2/leases/5002/state
gridctl kernel lease del 5002
ok removed_lease_is_gone_from_listing sh -c '! ls /mnt/all/gg2/leases | grep -qx 5002'
ok removed_lease_file_cannot_be_opened sh -c '! cat /mnt/all/gg2/leases/5002/state 2>/dev/null'
ok open_file_of_removed_lease_reads_as_error sh -c '! cat <&8 2>/dev/null'
exec 8<&-
gridctl kernel lease revoke 5000
ok revoked_state_shows test "$(cat /mnt/all/gg2/leases/5000/state)" = revoked
ok killed_sandbox_shows test "$(cat /mnt/all/gg2/sandboxes/*/state)" = killed

pretty "rmmod waits for the unmount; unmount, then rmmod"
ok rmmod_refused_while_mounted sh -c '! rmmod grid 2>/dev/null'
exec 9</mnt/all/gg2/name
umount -l /mnt/all
ok lazily_unmounted_file_still_reads test "$(cat <&9)" = gg2
exec 9<&-
sleep 1
ok rmmod_succeeds rmmod grid
ok created_destroyed_balance grid_balance
rmdir "$cg" "$ggdir"
finish
