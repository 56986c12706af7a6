#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The jobs' sandbox alone (user/sandbox/, user/jobinit/), through
# build/tests/vm/grid_jail_run: a job's stdio and exit status, then the
# escapes a job must not make. gridd's jobs (issue 11) start the same
# sandbox; their own tests go through gridctl run.
source "$GRID_TOP/tests/lib.sh"

echo "+cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
CG=/sys/fs/cgroup/jailtest
mkdir -p $CG/job
echo 64 >$CG/pids.max
echo 64M >$CG/memory.max
run() { grid_jail_run -c $CG/job -- "$@"; }
# is WANT CMD...: the job's stdout is WANT exactly.
is() {
	local want=$1 got
	shift
	got=$("$@" 2>&1)
	[[ $got == "$want" ]] || { echo "    got: $got" | head -c 400 >&2; return 1; }
}
status() {
	local want=$1 got
	shift
	"$@" </dev/null >/dev/null 2>&1
	got=$?
	[[ $got == "$want" ]] || { echo "    status $got, not $want" >&2; return 1; }
}
denied() { status 1 run sh -c "$1 && exit 0 || exit 1"; }

pretty "stdio and status"
ok stdout_exact is "out" run sh -c 'echo out'
ok stderr_exact sh -c "[ \"\$(grid_jail_run -c $CG/job -- sh -c 'echo err >&2; echo out' 2>&1 >/dev/null)\" = err ]"
ok stdin_through sh -c "[ \"\$(echo hello | grid_jail_run -c $CG/job -- cat)\" = hello ]"
ok exit_3 status 3 run sh -c 'exit 3'
ok killed_by_9 status 137 run sh -c 'kill -9 $$'
ok not_found status 127 run /no/such/program
head -c 8388608 /dev/urandom >/tmp/in8
ok eight_mib_made is 8388608 sh -c "wc -c </tmp/in8"
ok eight_mib_through sh -c "grid_jail_run -c $CG/job -- cat </tmp/in8 | cmp - /tmp/in8"
# Input sent while the job is not reading waits in the init's window.
ok input_waits_for_a_slow_reader is "1048576" sh -c "head -c 1048576 /tmp/in8 | grid_jail_run -c $CG/job -- sh -c 'sleep 1; wc -c'"
# gridd's groups (root's) are not the job's: they would count in access checks.
ok no_supplementary_groups sh -c "grid_jail_run -c $CG/job -- grep Groups /proc/self/status | grep -qx 'Groups:[[:space:]]*'"
ok root_in_the_job is "0 0" run sh -c 'echo $(id -u) $(id -g)'
ok hostname is "grid-job" run hostname
ok in_its_cgroup is "0::/" run cat /proc/self/cgroup
ok no_terminal_without_t is "not a tty" run tty
ok terminal_with_t sh -c "grid_jail_run -t -c $CG/job -- tty </dev/null | tr -d '\r' | grep -qx /dev/pts/0"
ok window_size_from_the_start sh -c "grid_jail_run -t -w 33x101 -c $CG/job -- stty size </dev/null | tr -d '\r' | grep -qx '33 101'"
# Resized once the job has said its first size: it hears SIGWINCH, and the new size.
ok window_size_follows sh -c "timeout 20 grid_jail_run -t -w 33x101 -W 40x120 -c $CG/job -- sh -c 'trap \"stty size; exit 0\" WINCH; stty size; while :; do sleep 0.1; done' </dev/null | tr -d '\r' | tr '\n' , | grep -qx '33 101,40 120,'"
# A program that needs a terminal: sh -i's prompt, and its job control.
ok interactive_shell sh -c "printf 'echo in-\$((6*7))\nexit 4\n' | grid_jail_run -t -c $CG/job -- sh -i | tr -d '\r' | grep -qx in-42"

# A job reads what it runs (the host's /usr, /bin, /lib..., /etc, /opt)
# and nothing else of the host's tree: not /var, where gridd keeps its
# state and keys and daemons their sockets, nor whatever else is at the top.
pretty "the job's root"
mkdir -p /var/tmp
echo secret >/var/tmp/secret
# A top-level link is made again as the same link, not followed: /opt
# leads nowhere in the job, where /var is not.
ln -s /var/tmp /opt
ln -s usr/lib32 /lib32
ok no_var denied 'ls -d /var'
ok no_file_under_var denied 'cat /var/tmp/secret'
ok no_other_top_folders denied 'ls -d /grid'
ok top_link_kept is "usr/lib32" run readlink /lib32
ok top_link_not_followed is "/var/tmp" run readlink /opt
ok top_link_leads_nowhere denied 'cat /opt/secret'
# /etc is shown, but not /etc/grid in it (gridd's settings: its peers, its
# policy): the job finds an empty, read-only folder there.
mkdir -p /etc/grid
echo 'peer pi key secret' >/etc/grid/gridd.conf
ok etc_grid_unreadable denied 'cat /etc/grid/gridd.conf'
ok etc_grid_empty is "" run ls -A /etc/grid
ok etc_grid_read_only denied 'touch /etc/grid/x'
ok etc_still_shown run test -s /etc/passwd
# A /etc/grid that is a link is followed as the job would follow it, in
# its root: the folder it leads to is the one covered.
mv /etc/grid /usr/lib/gridconf
ln -s ../usr/lib/gridconf /etc/grid
ok etc_grid_link_unreadable denied 'cat /etc/grid/gridd.conf'
ok etc_grid_link_target_covered denied 'cat /usr/lib/gridconf/gridd.conf'
rm /etc/grid
mv /usr/lib/gridconf /etc/grid
# A tree made for jobs (-r) is shown whole but for the job's own mount
# points and the host folders that have no place in it (/home).
T=/tmp/tree
mkdir -p $T/var $T/home
for d in bin sbin lib lib64 usr etc; do mkdir $T/$d; mount --rbind /$d $T/$d; done
echo seen >$T/var/seen
echo hidden >$T/home/h
ok tree_shown_whole is "seen" grid_jail_run -r $T -c $CG/job -- cat /var/seen
ok tree_home_left_out status 1 grid_jail_run -r $T -c $CG/job -- sh -c 'ls -d /home && exit 0 || exit 1'
ok tree_etc_grid_hidden status 1 grid_jail_run -r $T -c $CG/job -- sh -c 'cat /etc/grid/gridd.conf && exit 0 || exit 1'
for d in bin sbin lib lib64 usr etc; do umount -l $T/$d; done
rm -rf $T

pretty "the job's process and terminal"
# Dispositions are the job's to set: none ignored that its launcher ignored.
ok no_ignored_signals is "$(printf 'SigIgn:\t0000000000000000')" bash -c "trap '' HUP INT; grid_jail_run -c $CG/job -- grep SigIgn /proc/self/status"
# ^C from gridd goes where a typed one would: to the terminal's
# foreground group (the inner sh under the outer one's job control),
# not to the outer shell's.
fg_int() {
	timeout 20 grid_jail_run -t -s 2 -c $CG/job -- sh -c 'set -m; sh -c "trap \"echo got-int; exit 0\" INT; echo ready; while :; do sleep 0.1; done"; echo outer-$?' </dev/null | tr -d '\r' | tr '\n' ,
}
ok sigint_to_the_foreground_group is "ready,got-int,outer-0," fg_int
ok loopback_up sh -c "grid_jail_run -c $CG/job -- ip -o addr show dev lo | grep -q 'inet 127.0.0.1/'"
ok ptys_limited sh -c "grid_jail_run -c $CG/job -- grep devpts /proc/mounts | grep -q max=64"
# Output the spool's file system has no room for is dropped, not counted
# as stored: gridd can never take it, and the init would stop reading and
# leave the job waiting on its pipe for ever (killed by timeout here).
# The job ends; the init's status does not fit either, so grid_jail_run
# says 125, the init ended without one.
full_spool() {
	unshare -m sh -c "mount -t tmpfs -o size=1m spool /tmp &&
		timeout 30 grid_jail_run -c $CG/job -- head -c 16777216 /dev/zero >/dev/null 2>&1"
}
ok full_spool_does_not_stall_the_job status 125 full_spool

pretty "escapes fail"
ok sees_no_host_pids is "1 2" run sh -c 'cd /proc; echo $(ls -d [0-9]* | sort -n | head -2)'
ok pid_1_is_the_init is "grid-jobinit" run cat /proc/1/comm
ok root_read_only denied 'touch /usr/x'
ok etc_read_only denied 'echo x >/etc/passwd'
ok work_writable is "x" run sh -c 'echo x >/work/f && cat /work/f'
ok tmp_writable is "x" run sh -c 'echo x >/tmp/f && cat /tmp/f'
ok no_host_tmp denied 'ls /tmp/in8'
ok no_remount denied 'mount -o remount,rw /'
ok no_mount denied 'mount -t tmpfs x /work'
ok no_mknod denied 'mknod /work/sda b 8 0'
ok no_module denied 'insmod /grid/kmod/grid.ko'
ok no_raw_socket denied 'ping -c1 127.0.0.1'
ok only_lo is "lo" run sh -c 'ls /sys/class/net 2>/dev/null || ip -o link | cut -d: -f2 | tr -d " "'
ok no_cgroup_leave denied 'echo $$ >/sys/fs/cgroup/cgroup.procs'
ok no_limit_raise denied "echo max >$CG/pids.max"
ok no_new_userns denied 'unshare -U true'
ok no_caps is "0000000000000000" run sh -c 'grep CapEff /proc/self/status | cut -f2'
ok no_bounding is "0000000000000000" run sh -c 'grep CapBnd /proc/self/status | cut -f2'
ok seccomp_on is "2" run sh -c 'grep Seccomp: /proc/self/status | cut -f2'
# The init holds the job's output files: their descriptors are its own.
# (Its /proc/1/fd lists, as a non-dumpable task's folder belongs to the
# root of its user namespace; what is in it does not open.)
ok init_fds_closed_to_the_job denied 'cat /proc/1/fd/5'
ok init_not_dumpable denied 'cat /proc/1/environ'
sleep 1000 &
outside=$!
ok no_ptrace_outside denied "kill -0 $outside"
kill $outside
pids_max() { awk '$1 == "max" { print $2 }' $CG/pids.events; }
p0=$(pids_max)
ok fork_bomb_fails status 2 run sh -c 'i=0; while [ $i -lt 200 ]; do sleep 10 & i=$((i+1)); done; exit 0'
ok fork_bomb_stopped_at_pids_max test "$(pids_max)" -gt "$p0"
pretty "where the root is a mount (a real host), pivot_root"
export CG
pivot_run() { in_pivotable_root grid_jail_run -c $CG/job -- "$@"; }
ok pivot_stdout is "out" pivot_run sh -c 'echo out'
ok pivot_no_host_pids is "1 2" pivot_run sh -c 'cd /proc; echo $(ls -d [0-9]* | sort -n | head -2)'
ok pivot_root_read_only status 1 pivot_run sh -c 'touch /usr/x && exit 0 || exit 1'
# The old root is gone, not below the new one: /proc/1/mountinfo has
# the job's mounts alone (the initramfs's rootfs would be one).
ok pivot_old_root_gone status 1 pivot_run grep -q ' / / .*rootfs' /proc/1/mountinfo
# Here /var is a mount of its own in the host's root: still not shown.
ok pivot_no_var status 1 pivot_run sh -c 'cat /var/tmp/secret && exit 0 || exit 1'
ok pivot_etc_grid_hidden status 1 pivot_run sh -c 'cat /etc/grid/gridd.conf && exit 0 || exit 1'
rm /opt /lib32
rm -r /etc/grid
rm -r /var
rmdir $CG/job $CG
finish
