#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The first slice end to end: load grid.ko, see /dev/grid, ask status through
# the ioctl and the netlink doors (text and JSON), unload, and find both
# doors gone.
source "$GRID_TOP/tests/lib.sh"

pretty "the guest has what the tests expect"
ok cgroup2_is_mounted grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts
ok bpffs_is_mounted grep -q ' /sys/fs/bpf bpf ' /proc/mounts
ok tracefs_is_mounted grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts
ok debugfs_is_mounted grep -q ' /sys/kernel/debug debugfs ' /proc/mounts
ok dynamic_debug_is_available test -f /sys/kernel/debug/dynamic_debug/control

grid_load
ok module_is_loaded grid_loaded
ok pr_debug_is_on_for_grid grep -qE '/dev\.c:[0-9]+ \[grid\].*=p' /sys/kernel/debug/dynamic_debug/control
# Anyone opens it (a job's sandbox asks GRID_IOC_SELF); each ioctl checks who asks.
ok device_is_char_0666_root test "$(stat -c '%F %a %u %g' /dev/grid)" = "character special file 666 0 0"

pretty "gridctl status"
gridctl status | tee /tmp/status.txt
ok text_names_the_release grep -q '^grid.ko .* (abi 1)$' /tmp/status.txt
ok text_has_an_ioctl_row grep -qE '^ioctl +0 +0 +0 +0 +0 +[1-9]' /tmp/status.txt
ok text_has_a_netlink_row grep -qE '^netlink +0 +0 +0 +0 +0 +[0-9]' /tmp/status.txt

pretty "gridctl -j status"
gridctl -j status | tee /tmp/status.json
ok json_parses jq -e . /tmp/status.json
ok json_abi_is_1 jq -e '.abi == 1 and .ioctl.abi == 1 and .netlink.abi == 1' /tmp/status.json
ok json_release_agrees jq -e '.ioctl.release == .netlink.release and .release == .ioctl.release and (.release | length) > 0' /tmp/status.json
ok json_counts_are_numbers jq -e '[.ioctl, .netlink][] | [.grids, .gridgrids, .peers, .leases, .sandboxes, .handles] | all(type == "number")' /tmp/status.json
# gridctl holds /dev/grid open while it asks by ioctl, and has closed it
# before it asks by netlink.
ok json_ioctl_sees_its_own_handle jq -e '.ioctl.handles == 1 and .netlink.handles == 0' /tmp/status.json

pretty "a held handle is counted by both doors"
exec 7<>/dev/grid
ok held_handle_counts jq -e '.netlink.handles == 1 and .ioctl.handles == 2' <(gridctl -j status)
ok via_netlink_only jq -e 'has("netlink") and (has("ioctl") | not)' <(gridctl -j status via netlink)
ok via_ioctl_only jq -e 'has("ioctl") and (has("netlink") | not)' <(gridctl -j status via ioctl)
exec 7>&-

ok module_release_matches_modinfo test "$(gridctl -j status | jq -r .release)" = "$(cat /sys/module/grid/version)"

grid_unload
ok device_is_gone test ! -e /dev/grid
ok status_fails_when_unloaded sh -c '! gridctl status 2>/tmp/err'
ok error_is_a_sentence grep -q 'gridctl: status: /dev/grid does not exist; is grid.ko loaded?' /tmp/err
ok json_error_parses sh -c 'gridctl -j status | jq -e .error'
ok netlink_error_is_a_sentence sh -c 'gridctl status via netlink 2>&1 | grep -q "netlink family .grid. is not registered; is grid.ko loaded?"'
ok handles_were_logged test "$(grid_created_count)" -ge 6
ok created_destroyed_balance grid_balance
finish
