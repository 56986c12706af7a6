#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The scoped view through netlink: a task inside a sandbox is refused the
# netlink family (dumps, gets, status) even as root, as it is refused every
# /dev/grid ioctl but SELF (tests/vm/self.sh); outside, the same requests
# work.
source "$GRID_TOP/tests/lib.sh"

ggdir=$(grid_cgroups)/gg2
cg=$ggdir/l5000
self=$ggdir/scope-self
grid_load
grid_stress populate 2 "$ggdir" >/dev/null

# Runs a command in a child moved into the sandbox first.
inside() { sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"; }
refused() { ! inside "$@" 2>/tmp/err && grep -qi 'not permitted' /tmp/err; }
self_is_5000() { inside gridctl -j self | jq -e '.lease_id == 5000'; }

ok outside_lease_dump_works sh -c 'gridctl -j kernel lease list | jq -e ".leases | length == 2"'
ok inside_lease_dump_is_refused refused gridctl kernel lease list
ok inside_lease_get_is_refused refused gridctl kernel lease show 5000
ok inside_gridgrid_dump_is_refused refused gridctl kernel gridgrid list
ok inside_netlink_status_is_refused refused gridctl status via netlink
ok inside_self_works self_is_5000

# Binding a cgroup one is in would lock the binder out and kill it later.
mkdir -p $self
ok binding_ones_own_cgroup_is_refused sh -c 'echo $$ >"$0/cgroup.procs" && ! gridctl sandbox bind "$0" lease 5001 2>/tmp/err' "$self"
ok refusal_says_why grep -q "gridctl itself runs in cgroup '$self' or below it; bind from outside" /tmp/err
ok binding_an_ancestor_of_ones_own_is_refused sh -c 'mkdir -p "$0/sub" && echo $$ >"$0/sub/cgroup.procs" && ! gridctl sandbox bind "$0" lease 5001 2>/dev/null' "$self"
ok binding_from_outside_works sh -c 'gridctl sandbox bind "$0" lease 5001 >/dev/null && gridctl sandbox unbind "$0"' "$self"
rmdir $self/sub $self
echo $$ >/sys/fs/cgroup/cgroup.procs
gridctl kernel lease revoke 5000
gridctl sandbox unbind "$cg"
for id in 5000 5001; do gridctl kernel lease del $id; done
grid_unload
ok created_destroyed_balance grid_balance
rmdir "$cg" "$ggdir"
finish
