#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: gridctl run on PEER true against ssh to the same peer over
# the same link, side by side in one guest (home and pi in two network
# namespaces, one veth between them): ssh with a fresh connection each
# time, ssh through a ControlMaster (its connection kept), and grid's
# run, whose session between the gridds is kept as a master's is. Then
# jobs per second, 40 submitted at a time.
source "$GRID_TOP/tests/lib.sh"
N=${1:-20}
D=/tmp/bench_run
mkdir -p $D
source "$GRID_TOP/tests/jobs_lib.bash"
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; kill $(cat $D/sshd.pid 2>/dev/null) 2>/dev/null' EXIT

for t in sshd ssh ssh-keygen; do
	command -v $t >/dev/null || { echo "bench/run: SKIP: no $t in the guest (scripts/deps installs openssh-server and openssh-client)"; exit 0; }
done
veth_pair home 10.0.3.1 pi 10.0.3.2 || exit 1
start home home $'listen 10.0.3.1:7470\npeer 10.0.3.2:7470\n'
ready home || exit 1
grid_load >/dev/null
grid_cgroups >/dev/null
start pi - $'netns pi\nlisten 10.0.3.2:7470\n'
ready pi || exit 1
club home pi || { echo "bench/run: the grid-grid did not form" >&2; exit 1; }
G pi share set club cpu 1 memory 512M pids 512 >/dev/null &&
	G pi selftest >/dev/null &&
	G home lease request club on pi cpu 1 memory 512M pids 512 for 1h >/dev/null ||
	{ echo "bench/run: no lease" >&2; exit 1; }

# sshd in pi's namespace, root by key, as a user would reach the pi.
mkdir -p /run/sshd /root/.ssh && chmod 700 /root/.ssh
grep -q '^sshd:' /etc/passwd || echo 'sshd:x:74:74:sshd:/run/sshd:/bin/false' >>/etc/passwd
ssh-keygen -q -t ed25519 -N '' -f $D/host_key && ssh-keygen -q -t ed25519 -N '' -f $D/id
cp $D/id.pub /root/.ssh/authorized_keys
cat >$D/sshd_config <<EOF
HostKey $D/host_key
PidFile $D/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
# 40 sessions at a time over the master, as grid's jobs run: not ssh's 10.
MaxSessions 64
MaxStartups 100
EOF
$IP netns exec pi /usr/sbin/sshd -f $D/sshd_config -E $D/sshd.log || { echo "bench/run: sshd did not start" >&2; cat $D/sshd.log; exit 1; }
S=(-i $D/id -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes)
SSH() { $IP netns exec home ssh "${S[@]}" "$@"; }
until_ok 10 SSH root@10.0.3.2 true || { echo "bench/run: ssh does not reach the pi" >&2; tail $D/sshd.log; exit 1; }
SSH -o ControlMaster=yes -o ControlPath=$D/cm -o ControlPersist=600 -fN root@10.0.3.2

ms() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN { printf "%.1f", (b - a) * 1000 / n }'; }
each() {
	local t0 i
	"$@" >/dev/null 2>&1 || { echo "bench/run: $* failed" >&2; exit 1; }
	t0=$EPOCHREALTIME
	for ((i = 0; i < N; i++)); do "$@" >/dev/null 2>&1; done
	ms "$t0" "$EPOCHREALTIME"
}
r=$(each G home run on pi -- true)
f=$(each SSH root@10.0.3.2 true)
m=$(each SSH -o ControlPath=$D/cm root@10.0.3.2 true)
echo "bench/run: $N runs each of true on the pi from home: gridctl run $r ms, ssh $f ms, ssh via a ControlMaster $m ms"
awk -v r="$r" -v f="$f" -v m="$m" 'BEGIN { printf "bench/run: grid/ssh %.2f, grid/ssh-controlmaster %.2f\n", r / f, r / m }'

t0=$EPOCHREALTIME
seq 1 100 | xargs -P 40 -I{} gridctl -S $D/home.sock run on pi -- true >/dev/null 2>&1 ||
	echo "bench/run: a job of the hundred failed" >&2
awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "bench/run: 100 jobs of true, 40 at a time: %.1f jobs/s\n", 100 / (b - a) }'
t0=$EPOCHREALTIME
seq 1 100 | xargs -P 40 -I{} $IP netns exec home ssh "${S[@]}" -o ControlPath=$D/cm root@10.0.3.2 true >/dev/null 2>&1 ||
	echo "bench/run: an ssh of the hundred failed" >&2
awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "bench/run: 100 ssh true via the ControlMaster, 40 at a time: %.1f per s\n", 100 / (b - a) }'
