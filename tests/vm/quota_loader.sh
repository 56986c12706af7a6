#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The quota loader and what it leaves behind: gridd loads and pins once,
# a restarted gridd adopts (same programs, counters kept, the rate held
# while no loader is alive), bpftool reads every map by its field names,
# a job cannot leave its cgroup or detach the programs, and a CPU budget
# set through gridctl is enforced by grid.ko with no userland process.
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

prog_id() { bpftool prog show pinned "$PIN/prog/$1" -j | jq -r .id; }

grid_load
ok net_up net_up
gg_make lim && gg_make cpu

pretty "gridd loads and pins"
ok gridd_starts gridd_up
ok gridd_says_loaded grep -q 'bpf: loaded' /tmp/gridd.log
for p in prog/net_egress prog/net_ingress prog/cpu_runtime prog/cpu_switch \
	links/cpu_runtime links/cpu_switch grid_cpu_run \
	grid_net_limits grid_net_state grid_usage grid_cpu_limits grid_cpu_usage; do
	ok "pinned_$(tr / _ <<<"$p")" test -e "$PIN/$p"
done
egress_id=$(prog_id net_egress)
ok attach gridctl quota attach lim egress 32mbit dev a0 netns a
ok attach_twice_refused sh -c "! gridctl quota attach lim 2>/tmp/err"
cat /tmp/err
ok attach_twice_says_why grep -q 'lim' /tmp/err
ok links_pinned test -e "$PIN/links/lim/net_egress" -a -e "$PIN/links/lim/net_ingress"

pretty "bpftool reads every map by its field names"
iperf warm "$CG/lim/lease" a -c 10.9.0.2 -t 1
dump() { bpftool map dump pinned "$PIN/$1" -j; }
ok limits_by_name sh -c "[ \"\$(bpftool map dump pinned $PIN/grid_net_limits -j |
	jq '.[0].formatted.value.egress_rate')\" = $RATE ]"
has_fields() {
	local map=$1
	shift
	# A per-CPU map (grid_usage) lists "values", one per CPU.
	dump "$map" | jq -e --args '[.[] | .formatted |
		(.value // (.values[] | .value)) | keys[]] | unique as $k |
		$ARGS.positional | all(. as $f | $k | index($f))' "$@" >/dev/null
}
ok state_fields has_fields grid_net_state next_departure_ns tokens egress_used
ok usage_fields has_fields grid_usage bytes packets drops
ok usage_per_cpu sh -c "bpftool map dump pinned $PIN/grid_usage -j |
	jq -e 'all(.[]; .formatted.values | length == $(nproc))'"
ok usage_keys_by_name sh -c "bpftool map dump pinned $PIN/grid_usage -j |
	jq -e 'all(.[]; .formatted.key | has(\"cgroup_id\") and has(\"dir\"))'"
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

pretty "a grid-grid whose cgroup was removed: detach sweeps what it left"
entries_of() {
	local m
	for m in grid_net_limits grid_net_state grid_cpu_limits grid_cpu_usage grid_usage; do
		bpftool map dump pinned "$PIN/$m" -j |
			jq "[.[] | select(.formatted.key.cgroup_id == $1)] | length"
	done | paste -sd+ | bc
}
gg_make gone
ok attach_gone gridctl quota attach gone cpu-budget 1s cpu-period 1h egress-budget 1G period 1h
gone_id=$(stat -c %i "$CG/gone")
in_cgroup "$CG/gone/lease" true
ok gone_has_entries [ "$(entries_of "$gone_id")" -ge 4 ]
ok gone_watched sh -c "dmesg | grep -q 'cpu-watch $gone_id created'"
ok gone_removed rmdir "$CG/gone/lease" "$CG/gone"
ok detach_gone gridctl quota detach gone
ok gone_entries_swept [ "$(entries_of "$gone_id")" = 0 ]
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
ok fq_failure_no_entries [ "$(entries_of "$fqfail_id")" = 0 ]
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
echo "    overshoot ${over} ns"
ok overshoot_within_10ms [ "$over" -le 10000000 ]
ok shown_frozen [ "$(quota_field cpu cpu.frozen)" = 1 ] 
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
