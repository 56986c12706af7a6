#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-alone: its rates are checked within 3%, which a second guest would disturb
#
# Network quotas under real traffic: TCP and UDP from a grid-grid's cgroup
# in namespace a to namespace b over veth, with the programs attached and
# fq installed by `gridctl quota attach`. Rates are checked over 5 s at the
# receiver, within 3%; UDP's rate is corrected for the 28 bytes of IPv4 and
# UDP header per datagram that the limit counts and iperf3 does not, and
# counts the datagrams the receiver missed (they left the sender paced).
source "$GRID_TOP/tests/lib.sh"
source "$GRID_TOP/tests/quota_lib.bash"

RATE=4000000			# 32mbit
PCT=3
RETR_MAX=10			# "a handful"
SLACK=65536			# budget overshoot allowed

pretty "veth a0 <-> b0, grid-grids lim (32mbit out), free (counted only)"
ok net_up net_up
gg_make lim && gg_make free && gg_make down && gg_make budget && gg_make flood
ok attach_limited gridctl quota attach lim egress 32mbit dev a0 netns a
ok attach_unlimited_neighbour gridctl quota attach free
ok fq_installed_on_the_senders_device \
	sh -c "$TC -n a qdisc show dev a0 | grep -q '^qdisc fq .* root'"
ok limit_readable [ "$(quota_field lim egress_rate)" = $RATE ]

pretty "TCP, one flow, 5 s"
iperf tcp1 "$CG/lim/lease" a -c 10.9.0.2 -t 5
ok tcp_one_flow_at_the_rate within $PCT "$(received tcp1)" $RATE
echo "    retransmits: $(retransmits tcp1)"
ok tcp_one_flow_few_retransmits [ "$(retransmits tcp1)" -le $RETR_MAX ]

pretty "TCP, four flows, 5 s"
iperf tcp4 "$CG/lim/lease" a -c 10.9.0.2 -t 5 -P 4
ok tcp_four_flows_at_the_rate within $PCT "$(received tcp4)" $RATE
echo "    retransmits: $(retransmits tcp4)"
ok tcp_four_flows_few_retransmits [ "$(retransmits tcp4)" -le $RETR_MAX ]

pretty "UDP offered at 80 Mbit/s, 5 s"
iperf udp "$CG/lim/lease" a -c 10.9.0.2 -t 5 -u -b 80M -l 1448
echo "    datagrams lost after the sender: $(lost udp)"
ok udp_at_the_rate within $PCT "$(sent_paced udp 1448)" $((RATE * 1448 / 1476))

pretty "IPv6: TCP and UDP"
iperf tcp6 "$CG/lim/lease" a -c fd00::2 -t 5
ok tcp6_at_the_rate within $PCT "$(received tcp6)" $RATE
echo "    retransmits: $(retransmits tcp6)"
ok tcp6_few_retransmits [ "$(retransmits tcp6)" -le $RETR_MAX ]
iperf udp6 "$CG/lim/lease" a -c fd00::2 -t 5 -u -b 80M -l 1428
echo "    datagrams lost after the sender: $(lost udp6)"
ok udp6_at_the_rate within $PCT "$(sent_paced udp6 1428)" $((RATE * 1428 / 1476))

pretty "the limited grid-grid and an unlimited neighbour at once"
port2=$((port + 100))
$IP netns exec b iperf3 -s -1 -p $port2 >/dev/null 2>&1 &
sleep 0.3
in_cgroup "$CG/free/lease" $IP netns exec a iperf3 -p $port2 -J -c 10.9.0.2 -t 5 \
	>/tmp/free.json 2>/dev/null &
iperf both "$CG/lim/lease" a -c 10.9.0.2 -t 5
wait
ok limited_unchanged_by_neighbour within $PCT "$(received both)" $RATE
echo "    neighbour: $(received free) B/s"
ok neighbour_unaffected [ "$(received free)" -gt $((RATE * 10)) ]

pretty "counters per grid-grid and per lease"
gg_bytes=$(quota_field lim egress.bytes)
lease_bytes=$(gridctl -j quota show lim | jq -r '.[0].leases[] | select(.name == "lease") | .egress.bytes')
echo "    grid-grid $gg_bytes, lease $lease_bytes"
ok grid_grid_counted [ "$gg_bytes" -gt 0 ]
ok lease_counted_as_its_grid_grid [ "$gg_bytes" = "$lease_bytes" ]
ok neighbour_counted [ "$(quota_field free egress.bytes)" -gt 0 ]

pretty "ingress: a token bucket at 32mbit, TCP received by the grid-grid"
# TCP through a bucket that drops cannot keep the rate as pacing does:
# these floors are what a bucket of 125 ms gives one flow in this VM,
# with and without ECN, less a margin.
ok attach_ingress gridctl quota attach down ingress 32mbit
ok default_burst_is_125ms_of_the_rate [ "$(quota_field down ingress_burst)" = $((RATE / 8)) ]
iperf down "$CG/down/lease" a -c 10.9.0.2 -t 5 -R
echo "    $(received down) B/s, ingress drops $(quota_field down ingress.drops), retransmits $(retransmits down)"
ok ingress_not_above_the_rate [ "$(received down)" -le $((RATE * (100 + PCT) / 100)) ]
ok ingress_half_used [ "$(received down)" -ge $((RATE * 50 / 100)) ]

pretty "ingress with ECN: CE below half the bucket, the sender backs off"
ce_acked() {
	$IP netns exec b awk '/^TcpExt:/ { if (!n++) split($0, k); else
		for (i = 2; i <= NF; i++) if (k[i] == "TCPDeliveredCE") print $i }' \
		/proc/net/netstat
}
ce_before=$(ce_acked)
ok ecn_on_the_receiver $IP netns exec a sysctl -qw net.ipv4.tcp_ecn=1
iperf ecn "$CG/down/lease" a -c 10.9.0.2 -t 5 -R
$IP netns exec a sysctl -qw net.ipv4.tcp_ecn=2
echo "    $(received ecn) B/s, retransmits $(retransmits ecn), CE delivered $ce_before -> $(ce_acked)"
ok ecn_not_above_the_rate [ "$(received ecn)" -le $((RATE * (100 + PCT) / 100)) ]
ok ecn_mostly_used [ "$(received ecn)" -ge $((RATE * 60 / 100)) ]
ok ce_marks_reached_the_sender [ "$(ce_acked)" -gt "$ce_before" ]

pretty "a byte budget of 2 MiB per hour, TCP for 4 s, counted where it arrives"
# At b0, not in iperf3's report: the budget counts every IP byte the
# grid-grid sends, its control connection's too, and may cut that.
ok attach_budget gridctl quota attach budget egress-budget 2M period 1h netns a
rx_mark
iperf budget "$CG/budget/lease" a -c 10.9.0.2 -t 4
got=$(rx_since)
echo "    $got IP bytes arrived of a 2097152 budget"
ok budget_not_overshot [ "$got" -le $((2097152 + SLACK)) ]
ok budget_used [ "$got" -ge $((2097152 - SLACK - 2097152 / 20)) ]
ok budget_drops_counted [ "$(quota_field budget egress.drops)" -gt 0 ]

pretty "a UDP flood against a 1 MiB budget, counted where it arrives"
# bash writes one 1400-byte datagram per printf on a connected socket,
# with no control connection of iperf3's to lose to the spent budget.
ok attach_flood gridctl quota attach flood egress-budget 1M period 1h netns a
rx_mark
in_cgroup "$CG/flood/lease" $IP netns exec a timeout 3 bash -c \
	'exec 3>/dev/udp/10.9.0.2/5999; while :; do printf "%1400s" "" >&3; done' \
	2>/dev/null
sleep 0.5
got=$(rx_since)
dropped=$(quota_field flood egress.drops)
echo "    $got IP bytes arrived of a 1048576 budget; $dropped datagrams dropped at it"
ok flood_stopped_at_the_budget [ "$got" -le $((1048576 + SLACK)) ]
ok flood_got_the_budget [ "$got" -ge $((1048576 - 1428 - SLACK)) ]
ok flood_was_a_flood [ "$dropped" -ge 1000 ]

pretty "set: the rate halves, the next run follows"
ok set_rate gridctl quota set lim egress 16mbit
sleep 1
iperf half "$CG/lim/lease" a -c 10.9.0.2 -t 5
ok tcp_at_the_new_rate within $PCT "$(received half)" $((RATE / 2))

pretty "detach: nothing attached, traffic unlimited"
for g in lim free down budget flood; do
	ok "detach_$g" gridctl quota detach $g
done
ok no_program_left sh -c "[ -z \"\$(bpftool cgroup show $CG/lim)\" ]"
iperf after "$CG/lim/lease" a -c 10.9.0.2 -t 2
ok unlimited_after_detach [ "$(received after)" -gt $((RATE * 10)) ]
ok nothing_listed sh -c '[ "$(gridctl -j quota)" = "[]" ]'
finish
