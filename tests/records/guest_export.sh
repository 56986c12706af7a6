#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of tests/host/records_exported.sh: two gridds make every
# record type gridctl makes (grid, agent, member-grid, charter,
# invitation, membership, leave, revocations of a member and of a lease,
# share, lease), and every record each one keeps is printed as
# "RECORD TYPE HEX ID" for the independent verifier on the host.
source "$GRID_TOP/tests/lib.sh"

D=/tmp/export
mkdir -p $D
up() {
	printf 'state_dir %s/%s\nsocket %s/%s.sock\nbpf no\n' $D "$1" $D "$1" >$D/"$1".conf
	: >$D/"$1".log
	gridd --config $D/"$1".conf 2>>$D/"$1".log &
	for ((i = 0; i < 200; i++)); do
		grep -q 'gridd: ready' $D/"$1".log && return 0
		sleep 0.05
	done
	return 1
}
H() { gridctl -S $D/home.sock "$@"; }
F() { gridctl -S $D/friend.sock "$@"; }
fail() { echo "EXPORT-ERROR $*"; exit 1; }

grid_load >/dev/null
grid_cgroups >/dev/null
up home || fail "home's gridd did not start"
up friend || fail "friend's gridd did not start"
H init home >/dev/null && F init friend >/dev/null || fail init
FK=$(F -j status | jq -r .gridd.key)
H agent add alice uid 1000 >/dev/null || fail agent
H grid certify "$FK" as pi >/dev/null || fail certify
H gridgrid create clubhouse >/dev/null || fail create
INV=$(H -j gridgrid invite clubhouse for "$FK" expires 1h | jq -r .token)
F gridgrid join "$INV" >/dev/null || fail join
H gridgrid admit "$(F -j gridgrid proof clubhouse | jq -r '.tokens[0].token')" >/dev/null || fail admit
H share set clubhouse memory 1G >/dev/null || fail share
ID=$(H -j lease issue clubhouse to "$FK" memory 100M for 1h | jq -r .id)
F lease import "$(H -j lease renew "$ID" for 2h | jq -r .token)" >/dev/null || fail import
H lease revoke "$ID" reason "done" >/dev/null || fail revoke
F gridgrid leave clubhouse >/dev/null || fail leave
H gridgrid revoke clubhouse member "$FK" reason "left" >/dev/null || fail "revoke member"
for g in H F; do
	$g -j record list | jq -r '.records[] | "RECORD \(.type) \(.bytes) \(.id)"' || fail "record list"
done
echo "EXPORT-DONE"
