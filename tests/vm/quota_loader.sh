#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-alone: a rate is checked held while no loader is alive
#
# The quota loader and what it leaves behind: gridd loads and pins once,
# a restarted gridd adopts (same programs, counters kept, the rate held
# while no loader is alive), bpftool reads every map by its field names,
# a job cannot leave its cgroup or detach the programs, and a CPU budget
# set through gridctl is enforced by grid.ko with no userland process. A
# grid-grid's cgroup is found from the top (at most 15 levels down, and
# no job nests more than 8 below it); a detach removes only its own
# entries, whatever the detacher's view of cgroup2; a lease's entries go
# when its cgroup is released.
source "$GRID_TOP/tests/lib.sh"
source "$GRID_TOP/tests/quota_lib.bash"

RATE=4000000
PCT=3
PIN=/sys/fs/bpf/grid

gridd_up() {
	gridd >>/tmp/gridd.log 2>&1 &
	gridd_pid=$!
	echo $gridd_pid >/tmp/gridd.pid
	for _ in $(seq 100); do
		grep -q '^.*bpf: ' /tmp/gridd.log && return 0
		sleep 0.05
	done
	return 1
}

# A gridctl that hangs fails its check after 60 s, saying where every
# task waits, rather than holding the guest until its timeout.
gridctl() {
	local rc=0
	timeout -s KILL 60 /grid/bin/gridctl "$@" || rc=$?
	if ((rc == 137)); then
		echo "    gridctl $* hung for 60 s; the tasks:" >&2
		for t in /proc/[0-9]*; do
			echo "    ${t#/proc/} $(cat "$t/comm" 2>/dev/null) $(cut -d' ' -f3 "$t/stat" 2>/dev/null) $(cat "$t/wchan" 2>/dev/null)" >&2
		done
		cat /proc/locks >&2
	fi
	return "$rc"
}
prog_id() { bpftool prog show pinned "$PIN/prog/$1" -j | jq -r .id; }
wait_for_s() { local n=$(($1 * 10)); shift; for _ in $(seq $n); do "$@" && return 0; sleep 0.1; done; return 1; }

grid_load
ok net_up net_up
gg_make lim && gg_make cpu

pretty "gridd loads and pins"
ok gridd_starts gridd_up
ok gridd_says_loaded grep -q 'bpf: loaded' /tmp/gridd.log
for p in prog/net_egress prog/net_ingress prog/cpu_runtime prog/cpu_switch \
	prog/cgroup_gone links/cpu_runtime links/cpu_switch links/cgroup_gone \
	grid_cpu_run grid_gg_net grid_gg_count grid_lease_net grid_gg_ids \
	grid_cpu_limits grid_cpu_usage grid_lease_cpu; do
	ok "pinned_$(tr / _ <<<"$p")" test -e "$PIN/$p"
done
egress_id=$(prog_id net_egress)
ok attach gridctl quota attach lim egress 32mbit dev a0 netns a
ok attach_twice_refused sh -c "! gridctl quota attach lim 2>/tmp/err"
cat /tmp/err
ok attach_twice_says_why grep -q 'lim' /tmp/err
ok links_pinned test -e "$PIN/links/lim/net_egress" -a -e "$PIN/links/lim/net_ingress"
lim_id=$(stat -c %i "$CG/lim")
ok jobs_nest_at_most_8_below sh -c "[ \"\$(cat $CG/lim/cgroup.max.depth)\" = 8 ]"

pretty "bpftool reads every map by its field names"
iperf warm "$CG/lim/lease" a -c 10.9.0.2 -t 1
dump() { bpftool map dump pinned "$PIN/$1" -j; }
ok limits_by_name sh -c "[ \"\$(bpftool map dump pinned $PIN/grid_gg_net -j |
	jq '.[] | .formatted | select(.key == $lim_id) | .value.limits.egress_rate')\" = $RATE ]"
ok storage_names_its_cgroup sh -c "bpftool map dump pinned $PIN/grid_gg_net -j |
	jq -e '.[] | .formatted | select(.key == $lim_id) | .value.cgroup_id == $lim_id'"
ok gg_id_by_name sh -c "bpftool map dump pinned $PIN/grid_gg_ids -j |
	jq -e 'any(.[]; .formatted.key.name == \"lim\" and .formatted.value.cgroup_id == $lim_id)'"
has_fields() {
	local map=$1
	shift
	# A per-CPU map (grid_usage) lists "values", one per CPU.
	dump "$map" | jq -e --args '[.[] | .formatted |
		(.value // (.values[] | .value)) | keys[]] | unique as $k |
		$ARGS.positional | all(. as $f | $k | index($f))' "$@" >/dev/null
}
ok state_fields has_fields grid_gg_net next_departure_ns ingress_full_at_ns egress_used level
ok usage_fields has_fields grid_gg_count egress ingress
ok lease_usage_fields has_fields grid_lease_net egress ingress
ok usage_per_cpu sh -c "bpftool map dump pinned $PIN/grid_gg_count -j |
	jq -e 'all(.[]; .formatted.values | length == $(nproc))'"
ok lease_keys_by_name sh -c "bpftool map dump pinned $PIN/grid_lease_net -j |
	jq -e 'length > 0 and all(.[]; .formatted.key | has(\"cgroup_id\"))'"
ok lease_counted_by_its_cgroup sh -c "bpftool map dump pinned $PIN/grid_lease_net -j |
	jq -e 'any(.[]; .formatted.key.cgroup_id == $(stat -c %i "$CG/lim/lease"))'"
ok cpu_usage_fields has_fields grid_cpu_usage runtime_ns period period_used_ns

pretty "gridd killed and restarted during a transfer: the rate holds"
before=$(quota_field lim egress.bytes)
( sleep 2; kill -9 $gridd_pid; sleep 2; gridd_up ) &
restarter=$!
iperf restart "$CG/lim/lease" a -c 10.9.0.2 -t 8
wait $restarter
# The restarted gridd is the subshell's child: its pid comes by file.
gridd_pid=$(cat /tmp/gridd.pid)
ok gridd_restarted kill -0 $gridd_pid
ok rate_held_across_restart within $PCT "$(received restart)" $RATE
ok gridd_says_adopted grep -q 'bpf: adopted' /tmp/gridd.log
ok same_program_adopted [ "$(prog_id net_egress)" = "$egress_id" ]
ok loaded_once sh -c "[ \$(bpftool prog show -j | jq '[.[] | select(.name == \"grid_net_egress\")] | length') = 1 ]"
after=$(quota_field lim egress.bytes)
echo "    egress bytes $before -> $after"
ok counters_survive [ "$after" -ge $((before + $(received_bytes restart))) ]

pretty "a job (uid 65534, no capabilities) cannot leave or detach"
# A script rather than a function, so that sh -c and pipes can run it;
# Debian's setpriv by path, as busybox sh prefers its own applet.
printf '%s\n' '#!/bin/sh' \
	"echo \$\$ > $CG/lim/lease/cgroup.procs || exit 99" \
	'exec /usr/bin/setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps -all --bounding-set -all "$@"' \
	>/tmp/job
chmod +x /tmp/job
# Fails, and for want of privilege rather than for any other reason.
refused() {
	if /tmp/job "$@" >/tmp/job.out 2>&1; then
		return 1
	fi
	sed 's/^/    job: /' /tmp/job.out >&2
	grep -qiE 'denied|not permitted|takes root' /tmp/job.out
}
ok job_runs_unprivileged sh -c "/tmp/job id -u | grep -qx 65534"
ok job_stays_in_its_cgroup sh -c "/tmp/job cat /proc/self/cgroup | grep -qx '0::/grid/lim/lease'"
# Not even root nests deeper: the lease is 1 below lim, 7 more make 8.
d7=$CG/lim/lease/d/d/d/d/d/d/d
ok seven_below_the_lease_nests mkdir -p "$d7"
ok the_ninth_level_is_refused sh -c "! mkdir $d7/d 2>/dev/null"
d=$d7; while [ "$d" != "$CG/lim/lease" ]; do rmdir "$d"; d=${d%/*}; done
ok job_cannot_move_to_root refused sh -c 'echo $$ > /sys/fs/cgroup/cgroup.procs'
ok job_cannot_move_to_grid refused sh -c "echo \$\$ > $CG/cgroup.procs"
ok job_cannot_make_a_cgroup refused mkdir $CG/lim/lease/escape
# By id: the pin directory alone would already refuse it.
ok job_cannot_detach refused bpftool cgroup detach $CG/lim egress id "$(prog_id net_egress)"
ok job_cannot_unpin refused rm -f $PIN/links/lim/net_egress
ok job_cannot_use_gridctl refused gridctl quota detach lim
ok links_still_there test -e "$PIN/links/lim/net_egress"
iperf still "$CG/lim/lease" a -c 10.9.0.2 -t 5
ok rate_still_enforced within $PCT "$(received still)" $RATE

pretty "grid-grids do not nest; an egress rate needs a device for fq"
ok nested_below_refused sh -c "! gridctl quota attach inner cgroup $CG/lim/lease 2>/tmp/err"
cat /tmp/err
ok nested_says_why grep -q 'do not nest' /tmp/err
ok nested_above_refused sh -c "! gridctl quota attach outer cgroup $CG 2>/dev/null"
ok nested_left_nothing sh -c "[ ! -e $PIN/links/inner ] && [ ! -e $PIN/links/outer ]"
# The guest's own namespace has no default route.
ok no_route_refused sh -c "! gridctl quota attach noroute egress 1mbit 2>/tmp/err"
cat /tmp/err
ok no_route_says_why grep -q "name them with 'dev DEV'" /tmp/err
ok no_route_left_nothing test ! -e "$PIN/links/noroute"

pretty "a grid-grid is found from the top: 15 levels down at most"
deep=$CG
for i in $(seq 14); do deep=$deep/d; done
mkdir -p "$deep"
ok fifteen_levels_down_attaches gridctl quota attach deep15 cgroup "$deep" cpu-budget 1h cpu-period 1d
mkdir -p "$deep/lease"
in_cgroup "$deep/lease" sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done'
deep_ok() {
	bpftool map dump pinned "$PIN/grid_cpu_usage" -j |
		jq -e --argjson id "$(stat -c %i "$deep")" 'any(.[]; .formatted.key.cgroup_id == $id and .formatted.value.runtime_ns > 0)'
}
ok fifteen_levels_down_is_charged deep_ok
rmdir "$deep/lease"
ok detach_deep15 gridctl quota detach deep15
mkdir -p "$deep/e"
ok sixteen_levels_down_refused sh -c "! gridctl quota attach deep16 cgroup $deep/e 2>/tmp/err"
cat /tmp/err
ok sixteen_says_why grep -q "cannot be a grid-grid's: it must be 1 to 15 levels below the root" /tmp/err
ok sixteen_left_nothing test ! -e "$PIN/links/deep16"
rmdir "$deep/e"; d=$deep; while [ "$d" != "$CG" ]; do rmdir "$d"; d=${d%/*}; done

# Entries naming cgroup id $1 in the hash maps, and in grid_gg_ids.
entries_of() {
	local m
	for m in grid_cpu_limits grid_cpu_usage grid_lease_net grid_lease_cpu; do
		bpftool map dump pinned "$PIN/$m" -j |
			jq "[.[] | select(.formatted.key.cgroup_id == $1)] | length"
	done
	bpftool map dump pinned "$PIN/grid_gg_ids" -j |
		jq "[.[] | select(.formatted.value.cgroup_id == $1)] | length"
}
entries_sum() { entries_of "$1" | paste -sd+ | bc; }

pretty "a detach touches only its own grid-grid, whatever cgroup2 the detacher sees"
gg_make a8 && gg_make b8
ok attach_a8 gridctl quota attach a8 cpu-budget 1h cpu-period 1d
ok attach_b8 gridctl quota attach b8 cpu-budget 1h cpu-period 1d
a8_id=$(stat -c %i "$CG/a8") b8_id=$(stat -c %i "$CG/b8")
a8_lease=$(stat -c %i "$CG/a8/lease") b8_lease=$(stat -c %i "$CG/b8/lease")
in_cgroup "$CG/a8/lease" sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done'
in_cgroup "$CG/b8/lease" sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done'
ok a8_lease_counted [ "$(entries_sum "$a8_lease")" -ge 1 ]
b8_before=$(entries_sum "$b8_id") lim_before=$(entries_sum "$lim_id")
ok b8_has_its_entries [ "$b8_before" -ge 3 ]
ok b8_lease_counted [ "$(entries_sum "$b8_lease")" -ge 1 ]
# In a mount namespace whose only cgroup2 mount is b8's subtree.
ok detach_a8_from_b8s_view unshare -m sh -c "mkdir -p /tmp/b8view && mount --bind $CG/b8 /tmp/b8view && umount -l /sys/fs/cgroup && gridctl quota detach a8"
ok a8_entries_gone [ "$(entries_sum "$a8_id")" = 0 ]
# Its lease's too, once back in a view that shows its cgroup: from b8's
# view they stay until the cgroup goes (cgroup_release), never b8's.
ok a8_links_gone test ! -e "$PIN/links/a8"
ok b8_entries_kept [ "$(entries_sum "$b8_id")" = "$b8_before" ]
# lim is not in that view at all: a sweep of what the view cannot find
# (the landed code's) removed its entries.
lim_kept() { [ "$lim_before" -ge 3 ] && [ "$(entries_sum "$lim_id")" = "$lim_before" ]; }
ok lim_entries_kept_though_out_of_view lim_kept
ok b8_lease_entries_kept [ "$(entries_sum "$b8_lease")" -ge 1 ]
ok b8_still_attached test -e "$PIN/links/b8/net_egress"
# And from a cgroup namespace rooted in b8 (unshare -C there).
ok attach_a8_again gridctl quota attach a8 cpu-budget 1h cpu-period 1d
ok attach_from_a_cgroup_namespace_refused in_cgroup "$CG/b8/lease" /usr/bin/unshare --cgroup --mount sh -c "umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && ! gridctl quota attach c8 cgroup /sys/fs/cgroup/c8 2>/tmp/err"
cat /tmp/err
ok cgroup_namespace_refusal_says_why grep -q 'attach from the initial cgroup namespace' /tmp/err
ok cgroup_namespace_refusal_left_nothing test ! -e "$PIN/links/c8" -a ! -e "$CG/b8/lease/c8"
ok detach_a8_from_a_cgroup_namespace in_cgroup "$CG/b8/lease" /usr/bin/unshare --cgroup --mount sh -c "umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && gridctl quota detach a8"
ok a8_entries_gone_again [ "$(entries_sum "$a8_id")" = 0 ]
ok b8_entries_kept_again [ "$(entries_sum "$b8_id")" = "$b8_before" ]
ok detach_b8 gridctl quota detach b8
ok b8_entries_gone [ "$(entries_sum "$b8_id")" = 0 ]
ok b8_lease_entries_gone [ "$(entries_sum "$b8_lease")" = 0 ]

pretty "a lease's entries go when its cgroup is released"
ok lease_cgroup_made mkdir "$CG/lim/l2"
l2_id=$(stat -c %i "$CG/lim/l2")
in_cgroup "$CG/lim/l2" $IP netns exec a sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; timeout 2 iperf3 -c 10.9.0.2 -p 5999 -t 1 >/dev/null 2>&1; true'
ok lease_has_entries [ "$(entries_sum "$l2_id")" -ge 1 ]
ok lease_cgroup_removed rmdir "$CG/lim/l2"
released() { [ "$(entries_sum "$l2_id")" = 0 ]; }
ok lease_entries_gone_on_release wait_for_s 10 released

pretty "a grid-grid whose cgroup was removed: detach removes what it left"
gg_make gone
ok attach_gone gridctl quota attach gone cpu-budget 1s cpu-period 1h egress-budget 1G period 1h
gone_id=$(stat -c %i "$CG/gone")
in_cgroup "$CG/gone/lease" true
ok gone_has_entries [ "$(entries_sum "$gone_id")" -ge 3 ]
ok gone_watched sh -c "dmesg | grep -q 'cpu-watch $gone_id created'"
ok gone_removed rmdir "$CG/gone/lease" "$CG/gone"
ok detach_gone gridctl quota detach gone
ok gone_entries_removed [ "$(entries_sum "$gone_id")" = 0 ]
ok gone_unwatched sh -c "dmesg | grep -q 'cpu-watch $gone_id destroyed'"
ok others_kept [ "$(quota_field lim egress_rate)" = $RATE ]

pretty "fq goes last: a device that is not there undoes the whole attach"
gg_make fqfail
fqfail_id=$(stat -c %i "$CG/fqfail")
ok fq_failure_cpu_max_absent test ! -e "$CG/fqfail/cpu.max"
ok fq_failure_refused sh -c "! gridctl quota attach fqfail egress 1mbit cpu 0.5 cpu-budget 1s cpu-period 1h dev nosuch0 2>/tmp/err"
cat /tmp/err
ok fq_failure_says_why grep -q "no network device 'nosuch0'" /tmp/err
ok fq_failure_no_links test ! -e "$PIN/links/fqfail"
ok fq_failure_no_entries [ "$(entries_sum "$fqfail_id")" = 0 ]
ok fq_failure_watch_undone sh -c "dmesg | grep -q 'cpu-watch $fqfail_id destroyed'"
# The controller stays enabled above (others may use it now); no cap.
ok fq_failure_cpu_max_uncapped [ "$(cat "$CG/fqfail/cpu.max")" = "max 100000" ]

pretty "set checks what it is given, not a cpu.max someone else wrote"
# 1 ms a second: less than gridctl's 'cpu' takes, as the kernel allows.
ok foreign_cpu_max sh -c "echo '1000 1000000' > $CG/lim/cpu.max"
ok set_beside_a_foreign_cpu_max gridctl quota set lim horizon 2s
ok foreign_cpu_max_kept [ "$(cat "$CG/lim/cpu.max")" = "1000 1000000" ]
ok horizon_set [ "$(quota_field lim horizon_ns)" = 2000000000 ]
echo "max 100000" >"$CG/lim/cpu.max"

pretty "a CPU budget of 200 ms per 2 s, enforced with no userland alive"
ok attach_cpu gridctl quota attach cpu cpu-budget 200ms cpu-period 2s
kill -9 $gridd_pid
wait $gridd_pid 2>/dev/null
in_cgroup "$CG/cpu/lease" sh -c 'while :; do :; done' &
spinner=$!
frozen() { grep -qx "frozen $1" "$CG/cpu/cgroup.events"; }
wait_for() { for _ in $(seq 150); do "$@" && return 0; sleep 0.02; done; return 1; }
ok frozen_when_spent wait_for frozen 1
sleep 0.1
over=$(quota_field cpu cpu.overshoot_ns)
# A figure, not a check: TCG's timing is the host's load.
pretty "overshoot past the budget: ${over} ns"
# Generous: a TCG guest on a loaded host is late by milliseconds, not by a second.
ok overshoot_below_a_second test "$over" -lt 1000000000
# The freeze as gridctl shows it: counted, for the 2 s period may have
# ended (and thawed it) since.
ok shown_frozen [ "$(quota_field cpu cpu.freezes)" -ge 1 ]
ok thawed_next_period wait_for frozen 0
ok frozen_again wait_for frozen 1
ok gridctl_top_runs sh -c "gridctl -j top -n 2 -d 1 | jq -s -e 'length == 2'"
ok detach_cpu gridctl quota detach cpu
ok detach_thaws frozen 0
kill $spinner
ok detach_lim gridctl quota detach lim
pretty "rmmod grid"
ok rmmod_succeeds rmmod grid
ok created_destroyed_balance grid_balance
finish
