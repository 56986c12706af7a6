# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for tests/vm/*.sh, which run inside the VM (scripts/vm) as root,
# WireGuard netns.sh style: say what is done, assert plainly, and leave the
# kernel log to be checked.
#
#   ok NAME CMD...    run CMD; print "PASS <test>/NAME" or "FAIL <test>/NAME"
#   pretty MSG        print "[+] MSG"
#   grid_load/grid_unload
#   grid_balance      every "<kind> <id> created" in the kernel log has its
#                     "destroyed"; prints and fails otherwise

set -u
TEST=vm/${GRID_TEST_NAME:-$(basename "${0%.sh}")}
GRID_TOP=${GRID_TOP:-/grid}
failures=0

pretty() { echo "[+] $*"; }

ok() {
	local name=$1
	shift
	# The command's stdout is the check's business, not the log's.
	if "$@" >/dev/null; then
		echo "PASS $TEST/$name"
	else
		echo "FAIL $TEST/$name (status $?: $*)"
		failures=$((failures + 1))
	fi
}

# At the end of a test: exit non-zero if any check failed.
finish() {
	if ((failures)); then
		echo "[-] $failures check(s) failed"
		exit 1
	fi
	exit 0
}

# dyndbg=+p turns on the module's pr_debug lines (created/destroyed), which
# grid_balance reads. busybox insmod does not read the kernel command line,
# so the parameter is passed here.
grid_load() {
	pretty "insmod grid.ko $*"
	insmod "$GRID_TOP/kmod/grid.ko" dyndbg=+p "$@"
}

grid_unload() {
	pretty "rmmod grid"
	rmmod grid
}

grid_loaded() { grep -q '^grid ' /proc/modules; }

# How many objects grid.ko has logged as created so far.
grid_created_count() { dmesg | grep -cE 'grid: [a-z_-]+ [0-9]+ created$' || true; }

# Balances the pr_debug lines of grid.ko: "grid: <kind> <id> created" must
# be matched by "grid: <kind> <id> destroyed". dmesg is read whole.
grid_balance() {
	dmesg | awk '
		/grid: [a-z_-]+ [0-9]+ created$/   { live[$(NF-2) " " $(NF-1)]++; n++ }
		/grid: [a-z_-]+ [0-9]+ destroyed$/ { live[$(NF-2) " " $(NF-1)]--; d++ }
		END {
			bad = 0
			for (k in live) if (live[k] != 0) { print "unbalanced: " k " (" live[k] ")"; bad = 1 }
			printf "[+] %d created, %d destroyed\n", n, d
			exit bad
		}'
}

# Unreclaimable slab plus vmalloc use, in kB: where module memory lives.
kernel_mem_kb() {
	awk '/^SUnreclaim:/ { s = $2 } /^VmallocUsed:/ { v = $2 } END { print s + v }' /proc/meminfo
}

# The layout grid-grids' cgroups live in: /sys/fs/cgroup/grid, with cpu,
# memory and pids enabled down to it, so that a grid-grid's cgroup below
# can carry its leases' limits. Prints that directory.
grid_cgroups() {
	echo "+cpu +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/grid
	echo "+cpu +memory +pids" >/sys/fs/cgroup/grid/cgroup.subtree_control
	echo /sys/fs/cgroup/grid
}

# in_pivotable_root CMD...: CMD in a mount namespace whose root is a tmpfs
# mount with the guest's folders bound in, not the initramfs, which
# pivot_root(2) refuses: bubblewrap, and the sandbox's pivot_root path,
# need such a root, as on a real host.
in_pivotable_root() {
	unshare -m /bin/bash -c '
		set -e
		mount --make-rprivate /
		mkdir -p /.pr
		mount -t tmpfs pr /.pr
		for d in /*; do
			n=${d#/}
			if [[ -L $d ]]; then cp -a "$d" /.pr/
			elif [[ -d $d ]]; then mkdir "/.pr/$n"; mount --rbind "$d" "/.pr/$n"
			fi
		done
		cd /.pr
		mount --move . /
		exec chroot . "$@"' in_pivotable_root "$@"
}
