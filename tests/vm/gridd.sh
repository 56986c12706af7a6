#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gridd refuses to start without grid.ko, with a sentence saying why;
# with it, it reports the module, becomes ready, and stops cleanly on
# SIGTERM and SIGINT.
source "$GRID_TOP/tests/lib.sh"

pretty "gridd without the module"
ok refuses_without_module sh -c '! gridd --check 2>/tmp/err'
ok says_why grep -q 'gridd: cannot open /dev/grid: No such file or directory (is grid.ko loaded?)' /tmp/err

grid_load
ok check_passes sh -c 'gridd --check 2>/tmp/err'
ok check_names_the_module grep -qE 'gridd: grid.ko .+ \(abi 1\)' /tmp/err

for sig in TERM INT; do
	pretty "gridd, then SIG$sig"
	gridd 2>/tmp/log &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		grep -q 'gridd: ready' /tmp/log && break
		sleep 0.1
	done
	ok "becomes_ready_$sig" grep -q 'gridd: ready' /tmp/log
	# While it runs it holds /dev/grid open: the module counts its handle.
	ok "holds_a_handle_$sig" jq -e '.netlink.handles == 1' <(gridctl -j status via netlink)
	kill -"$sig" "$pid"
	wait "$pid"
	ok "exits_0_on_SIG$sig" test $? = 0
	ok "says_it_stops_$sig" grep -q 'stopping' /tmp/log
done

ok rejects_unknown_arguments sh -c 'gridd --bogus 2>/tmp/err; test $? = 2'
grid_unload
ok created_destroyed_balance grid_balance
finish
