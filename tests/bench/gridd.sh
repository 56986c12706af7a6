#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What gridd costs, in the guest (make bench boots it with an ext4 image
# as its virtio disk, /dev/vda):
#   rss      idle resident memory of a provider's gridd: grid.ko present,
#            the BPF programs loaded, a grid, an agent, a grid-grid and a
#            share, after 2 s with nothing asked
#   leases   lease-issue requests a second through the local API, each
#            signed, committed to the state on the ext4 disk (WAL,
#            synchronous=FULL: fsync reaches the host's file) and
#            registered in grid.ko before its answer; with CLIENTS
#            connections each keeping one request in flight, so that gridd
#            can group them into one commit (1 client: no grouping)
#   status   requests a second that write nothing (what the API itself
#            costs)
#   tmpfs    the leases again with the state on tmpfs (fsync costs nothing
#            there): what durability costs, beside it
#   granted  leases negotiated over a peer session on loopback, durable
#            on both sides before gridctl's answer: request-to-grant
#            latency (1 client) and grants a second (64 clients)
# Output: "BENCH name value unit" lines. Under TCG every figure is the
# emulator's; the ratios between them are what carries over.
source "$GRID_TOP/tests/lib.sh"

SECS=${BENCH_SECS:-8}
MNT=/mnt/disk
D=/tmp/bench
mkdir -p $MNT $D
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT

modprobe virtio_pci 2>/dev/null
modprobe virtio_blk 2>/dev/null
modprobe ext4 2>/dev/null
for ((i = 0; i < 50; i++)); do [[ -b /dev/vda ]] && break; sleep 0.1; done
mount -t ext4 /dev/vda $MNT || { echo "bench: cannot mount /dev/vda"; exit 1; }
grid_load >/dev/null
grid_cgroups >/dev/null
mount | grep -q ' /sys/fs/bpf ' || mount -t bpf bpf /sys/fs/bpf

# up NAME STATE_DIR BPF: a gridd, ready; its pid in $pid.
up() {
	printf 'state_dir %s\nsocket %s/%s.sock\nbpf %s\n' "$2" $D "$1" "$3" >$D/"$1".conf
	gridd --config $D/"$1".conf 2>$D/"$1".log &
	pid=$!
	pids+=($pid)
	for ((i = 0; i < 200; i++)); do
		[[ -S $D/$1.sock ]] && grep -q 'gridd: ready' $D/"$1".log && return 0
		sleep 0.05
	done
	cat $D/"$1".log
	return 1
}

# setup SOCKET GRID GRIDGRID: a grid, an agent, a grid-grid with a share
# large enough for every lease the run issues.
setup() {
	local G="gridctl -S $1"
	$G init "$2" >/dev/null &&
		$G agent add alice uid 1000 >/dev/null &&
		$G gridgrid create "$3" >/dev/null &&
		$G share set "$3" memory 1000T >/dev/null
}

# rate LINE: the N of api_load's "api: ... clients C: N/s (...)".
rate() { sed -E 's|.*: ([0-9]+)/s.*|\1|' <<<"$1"; }

rss_kb() { awk '/^VmRSS/ { print $2 }' /proc/"$1"/status; }

up disk $MNT/grid yes || exit 1
setup $D/disk.sock home clubhouse || { echo "bench: setup failed"; cat $D/disk.log; exit 1; }
sleep 2
echo "BENCH gridd_idle_rss $(rss_kb $pid) KiB"
grep -q 'bpf: loaded\|bpf: adopted' $D/disk.log && echo "bench: gridd's BPF programs are loaded"

for n in 1 64; do
	line=$(api_load $D/disk.sock issue clubhouse alice $n "$SECS") || { echo "bench: $line"; exit 1; }
	echo "$line"
	echo "BENCH leases_issued_${n}_clients $(rate "$line") /s"
done
line=$(api_load $D/disk.sock status 64 "$SECS") || exit 1
echo "$line"
echo "BENCH api_status_64_clients $(rate "$line") /s"
echo "BENCH gridd_rss_after_load $(rss_kb $pid) KiB"
echo "bench: leases in grid.ko: $(gridctl -j kernel lease list | jq '.leases | length')"
kill "$pid"
wait "$pid" 2>/dev/null

# The same, the state on tmpfs: fsync() is free there. Another grid and
# grid-grid in the same grid.ko, whose leases stay.
up tmp $D/state no || exit 1
setup $D/tmp.sock lab lab || { echo "bench: setup failed"; cat $D/tmp.log; exit 1; }
line=$(api_load $D/tmp.sock issue lab alice 64 "$SECS") || { echo "bench: $line"; exit 1; }
echo "$line (state on tmpfs)"
echo "BENCH leases_issued_64_clients_tmpfs $(rate "$line") /s"

# Leases negotiated over a peer session on loopback: a holder's gridd
# (home) asks, the provider's (pi) checks, signs, commits and registers
# each in grid.ko, and home checks and commits it before gridctl's
# answer: both states on the ext4 disk. One client: request-to-grant
# latency; 64: grants a second, pi grouping what arrives together.
printf 'state_dir %s/pi\nsocket %s/pi.sock\nbpf no\nbeacon no\nlisten [::1]:7481\n' $MNT $D >$D/pi.conf
printf 'state_dir %s/home\nsocket %s/home.sock\nbpf no\nbeacon no\nlisten [::1]:7482\npeer [::1]:7481\n' \
	$MNT $D >$D/home.conf
for name in pi home; do
	# home holds every lease of the run (256 a holder unless told).
	GRIDD_HELD_MAX=10000000 gridd --config $D/$name.conf 2>$D/$name.log &
	pids+=($!)
	for ((i = 0; i < 200; i++)); do
		grep -q 'gridd: ready' $D/$name.log && break
		sleep 0.05
	done
done
gridctl -S $D/pi.sock init pi >/dev/null && gridctl -S $D/home.sock init home >/dev/null &&
	gridctl -S $D/pi.sock gridgrid create net >/dev/null &&
	gridctl -S $D/pi.sock share set net memory 1000T >/dev/null &&
	gridctl -S $D/home.sock gridgrid join "$(gridctl -S $D/pi.sock -j gridgrid invite net \
		for "$(gridctl -S $D/home.sock -j status | jq -r .gridd.key)" | jq -r .token)" >/dev/null ||
	{ echo "bench: the negotiation setup failed"; exit 1; }
for ((i = 0; i < 100; i++)); do
	gridctl -S $D/pi.sock -j gridgrid list | grep -q '"members":2' && break
	sleep 0.1
done
line=$(api_load $D/home.sock request net pi 1 "$SECS") || { echo "bench: $line"; exit 1; }
echo "$line (over a peer session)"
echo "BENCH lease_request_to_grant_p50 $(sed -E 's|.*p50 ([0-9]+) us.*|\1|' <<<"$line") us"
line=$(api_load $D/home.sock request net pi 64 "$SECS") || { echo "bench: $line"; exit 1; }
echo "$line (over a peer session)"
echo "BENCH leases_granted_64_clients $(rate "$line") /s"

# What the emulator costs: raw signatures a second in the guest, beside
# the host's figure that make bench printed before booting it. Their
# ratio is how far every figure above is from the machine's own.
records_bench 4 | sed -n 's/^BENCH \(raw_sign\|records_sign\) /BENCH guest_\1 /p'
