#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the network quota programs cost, side by side in one guest: TCP
# over veth from a cgroup in namespace a to namespace b, fq on the
# sender's device in every case, with
#   none      no program attached (what a user has without grid)
#   counted   grid's programs attached, no limit (classify and count)
#   paced     an egress rate of 100 Gbit/s (the whole EDT path, never the
#             bottleneck)
# Runs alternate so that drift in the emulator hits all three alike; the
# median of each is reported. Per-packet cost comes from the kernel's own
# BPF run-time statistics (kernel.bpf_stats_enabled) in one more paced run
# after them: the statistics cost a clock read per run themselves, so
# they are off while throughput is measured.
# make bench boots the guest with its clock on the TSC (see the Makefile).
# Output: "BENCH <name> <value> <unit>" lines, then a summary.
source "$GRID_TOP/tests/lib.sh"
source "$GRID_TOP/tests/quota_lib.bash"

ROUNDS=${BENCH_ROUNDS:-7}
SECS=${BENCH_SECS:-3}

net_up || exit 1
$IP netns exec a $TC qdisc replace dev a0 root fq
gg_make bench
bpf_stats() { echo "$1" >/proc/sys/kernel/bpf_stats_enabled; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

mode() {
	gridctl quota detach bench >/dev/null 2>&1
	case $1 in
	counted) gridctl quota attach bench >/dev/null ;;
	paced) gridctl quota attach bench egress 100gbit dev a0 netns a >/dev/null ;;
	esac
}

: >/tmp/none; : >/tmp/counted; : >/tmp/paced
for r in $(seq "$ROUNDS"); do
	for m in none counted paced; do
		mode $m
		iperf "b-$m-$r" "$CG/bench/lease" a -c 10.9.0.2 -t "$SECS"
		received "b-$m-$r" >>/tmp/$m
	done
done
prog() { bpftool prog show pinned "/sys/fs/bpf/grid/prog/$1" -j | jq -r "$2"; }
mode paced
bpf_stats 1
iperf b-stats "$CG/bench/lease" a -c 10.9.0.2 -t "$SECS"
bpf_stats 0
per_packet='if .run_cnt > 0 then (.run_time_ns / .run_cnt | floor) else 0 end'
egress_ns=$(prog net_egress "$per_packet")
ingress_ns=$(prog net_ingress "$per_packet")
egress_pps=$(($(prog net_egress .run_cnt) / SECS))
ingress_pps=$(($(prog net_ingress .run_cnt) / SECS))
mode none

none=$(median </tmp/none)
counted=$(median </tmp/counted)
paced=$(median </tmp/paced)
for m in none counted paced; do
	echo "[+] $m, each round: $(tr '\n' ' ' </tmp/$m)"
done
echo "BENCH tcp_none $none B/s"
echo "BENCH tcp_counted $counted B/s"
echo "BENCH tcp_paced $paced B/s"
echo "BENCH ratio_counted $(echo "scale=3; $counted / $none" | bc)"
echo "BENCH ratio_paced $(echo "scale=3; $paced / $none" | bc)"
echo "BENCH egress_prog_ns_per_packet $egress_ns ns"
echo "BENCH ingress_prog_ns_per_packet $ingress_ns ns"
echo "BENCH egress_packets_per_s $egress_pps"
echo "BENCH ingress_packets_per_s $ingress_pps"
echo "BENCH prog_cpu_share $(echo "scale=3; ($egress_ns * $egress_pps + $ingress_ns * $ingress_pps) / 1000000000" | bc)"
echo "[+] clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
echo "[+] $ROUNDS rounds of $SECS s each; medians. Under TCG every figure is emulated;"
echo "[+] the ratios, not the absolute rates, are the result."
