// SPDX-License-Identifier: GPL-2.0
/*
 * The job's seccomp filter, built with libseccomp.
 *
 * Most of what it denies already fails for a job, which holds no
 * capabilities (privs.c). The filter is the second wall: it also keeps the
 * job from reaching those calls' code at all, and that code is where the
 * kernel's bugs have been. This is the idea behind Docker's default
 * profile, with the same EPERM that a task without the capability gets,
 * so programs take their usual fallbacks.
 *
 * Only the native architecture is in the filter. x32 and i386 are not
 * added, and a syscall made through them (an `int $0x80` from a 64-bit
 * program, or a number with the x32 bit set, which libseccomp's x86-64
 * filter checks for because x32 shares x86-64's audit architecture) kills
 * the process. Were they added, each would need its own copy of every
 * rule, and any rule missing from one copy would be a way around it.
 *
 * Where a rule looks at an argument, libseccomp compares the full 64-bit
 * register (SCMP_A0 and so on, not the _32 variants). The kernel reads
 * clone's and unshare's flags as unsigned long, so that is exact. The
 * kernel reads ioctl's request and personality's persona as unsigned int,
 * though: those rules mask in the low 32 bits, because a 64-bit equality
 * test can be got around by setting a high bit that the kernel then drops.
 * The filters that snapd and Flatpak added against TIOCSTI after
 * bubblewrap's CVE-2017-5226 had exactly that hole (CVE-2019-7303,
 * CVE-2019-10063).
 */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "filter.h"

#if defined(__s390__) || defined(__s390x__) || defined(__CRIS__)
#error "clone's flags are not its first argument here: fix the clone rules"
#endif

struct deny {
	int nr;
	int err;
};

/* Denied whatever their arguments. */
static const struct deny deny_always[] = {
	/* Code into the kernel, or a new kernel. */
	{ SCMP_SYS(init_module), EPERM },
	{ SCMP_SYS(finit_module), EPERM },
	{ SCMP_SYS(delete_module), EPERM },
	{ SCMP_SYS(kexec_load), EPERM },
	{ SCMP_SYS(kexec_file_load), EPERM },
	/* Programs run by the kernel, and its performance counters. */
	{ SCMP_SYS(bpf), EPERM },
	{ SCMP_SYS(perf_event_open), EPERM },
	/*
	 * The keyrings are not namespaced: a job's uid has the keys of the
	 * same uid outside.
	 */
	{ SCMP_SYS(keyctl), EPERM },
	{ SCMP_SYS(add_key), EPERM },
	{ SCMP_SYS(request_key), EPERM },
	/*
	 * The job's tree is built before the exec (jail_root.c) and is
	 * final: a mount could uncover what a mount in it covers, and the
	 * new mount API reaches the same code through other doors.
	 */
	{ SCMP_SYS(mount), EPERM },
	{ SCMP_SYS(umount2), EPERM },
	{ SCMP_SYS(pivot_root), EPERM },
	{ SCMP_SYS(move_mount), EPERM },
	{ SCMP_SYS(open_tree), EPERM },
	{ SCMP_SYS(fsopen), EPERM },
	{ SCMP_SYS(fsconfig), EPERM },
	{ SCMP_SYS(fsmount), EPERM },
	{ SCMP_SYS(fspick), EPERM },
	{ SCMP_SYS(mount_setattr), EPERM },
	/* The host's swap, power, process accounting and quotas. */
	{ SCMP_SYS(swapon), EPERM },
	{ SCMP_SYS(swapoff), EPERM },
	{ SCMP_SYS(reboot), EPERM },
	{ SCMP_SYS(acct), EPERM },
	{ SCMP_SYS(quotactl), EPERM },
	{ SCMP_SYS(quotactl_fd), EPERM },
	/*
	 * The host's clock. adjtimex is left to the missing CAP_SYS_TIME:
	 * whether it changes anything is in a struct the filter cannot
	 * read, and with modes 0 it is how programs ask for the clock's
	 * state.
	 */
	{ SCMP_SYS(settimeofday), EPERM },
	{ SCMP_SYS(clock_settime), EPERM },
	{ SCMP_SYS(clock_adjtime), EPERM },
	/* Raw I/O ports. */
	{ SCMP_SYS(iopl), EPERM },
	{ SCMP_SYS(ioperm), EPERM },
	/*
	 * userfaultfd lets a program stall the kernel, for as long as it
	 * likes, in the middle of a copy from user memory: the step that
	 * turns many races into exploits.
	 */
	{ SCMP_SYS(userfaultfd), EPERM },
	/*
	 * io_uring: a second way into much of the kernel, whose requests
	 * are in memory the filter cannot read (an IORING_OP_SOCKET would
	 * make a socket of a family the socket rule below refuses), and code
	 * where many of the kernel's recent holes were. Docker, ChromeOS and
	 * Android refuse it too; programs fall back to read and write.
	 */
	{ SCMP_SYS(io_uring_setup), EPERM },
	{ SCMP_SYS(io_uring_enter), EPERM },
	{ SCMP_SYS(io_uring_register), EPERM },
	/* Host-wide, obsolete, or both; the kernel log shows addresses. */
	{ SCMP_SYS(lookup_dcookie), EPERM },
	{ SCMP_SYS(syslog), EPERM },
	{ SCMP_SYS(vhangup), EPERM },
	{ SCMP_SYS(nfsservctl), EPERM },
	/* Entering another namespace by a descriptor for it. */
	{ SCMP_SYS(setns), EPERM },
	/*
	 * Writing into another process without stopping it. ptrace is not
	 * denied, though: the job is alone in its pid namespace and cannot
	 * name a task outside it, grid-jobinit (the one task in it that the
	 * job did not start) is not dumpable, and strace and gdb must work
	 * inside.
	 */
	{ SCMP_SYS(process_vm_writev), EPERM },
	/*
	 * A file by its handle, with no path walk and so no root: a guessed
	 * handle opens files outside the job's tree (the "shocker" escape
	 * from Docker, 2014).
	 */
	{ SCMP_SYS(open_by_handle_at), EPERM },
	/*
	 * clone3 takes its flags in memory, which the filter cannot read, so
	 * the clone rules below would not hold for it. ENOSYS makes glibc
	 * fall back to clone, whose flags are in a register, as Docker and
	 * systemd-nspawn do.
	 */
	{ SCMP_SYS(clone3), ENOSYS },
};

/*
 * A new namespace of any kind: a new user namespace comes with every
 * capability in it, whatever privs.c dropped, and a namespace the job owns
 * is one where the kernel lets those capabilities mount, and more.
 * CLONE_NEWTIME is for unshare only: in
 * clone's flags 0x80 is part of the exit signal (CSIGNAL), and clone cannot
 * make a time namespace.
 */
static const uint64_t new_ns[] = {
	CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWTIME,
};

/*
 * TIOCSTI pushes bytes into a terminal's input, which whoever reads it
 * next takes as typed, and may run. TIOCLINUX can do the same through a virtual console's selection
 * (CVE-2023-1523 in snapd). TIOCSETD changes a terminal's line
 * discipline (a job run with a terminal has one), which loads that
 * discipline's module and reaches its code: n_gsm and n_hdlc are where
 * the holes were (CVE-2023-6546, CVE-2017-2636), and a program has no
 * need of any but the one a terminal comes with.
 */
static const uint64_t bad_ioctl[] = { TIOCSTI, TIOCLINUX, TIOCSETD };

/*
 * The socket families a job may make: local sockets, IP (its network is
 * the host's, or its own with lo only) and netlink (ip, and glibc's
 * getaddrinfo, ask the kernel through it). The others (packet, vsock,
 * the crypto API, bluetooth, the radio and telephony families...) are
 * code most hosts never run, loaded on the first socket() of the family,
 * and the fewer of them a job can reach, the better. Sorted: see
 * add_socket().
 */
static const uint32_t good_family[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };

static int add(scmp_filter_ctx ctx, int err, int nr, unsigned int n,
	       const struct scmp_arg_cmp *cmp)
{
	int ret;

	ret = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), nr, n, cmp);
	/*
	 * A syscall that this libseccomp cannot place on the native
	 * architecture has a negative number (a pseudo-number, or
	 * __NR_SCMP_ERROR); libseccomp drops such a rule or refuses it,
	 * depending on its version. Either way there is no such syscall
	 * here to deny.
	 */
	if (ret && nr < 0 && (ret == -EINVAL || ret == -EDOM || ret == -EFAULT))
		return 0;
	return ret;
}

static int add_table(scmp_filter_ctx ctx)
{
	size_t i;
	int ret;

	for (i = 0; i < sizeof(deny_always) / sizeof(deny_always[0]); i++) {
		ret = add(ctx, deny_always[i].err, deny_always[i].nr, 0, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * personality: only PER_LINUX (0) and the query 0xffffffff. Another
 * persona could switch on READ_IMPLIES_EXEC or ADDR_NO_RANDOMIZE for the
 * programs the job executes, or reach the kernel's little-used emulation
 * paths.
 *
 * A rule may compare each argument once, so "neither 0 nor 0xffffffff"
 * cannot be one rule. It means that the low 32 bits hold both a one and a
 * zero, and then, going round the word, some one is followed by a zero:
 * one rule for each place where that can be, bit i set and bit i + 1
 * (mod 32) clear. The masks leave the high bits out (see the top).
 */
static int add_personality(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp cmp;
	uint64_t one, zero;
	int i, ret;

	for (i = 0; i < 32; i++) {
		one = 1ULL << i;
		zero = 1ULL << ((i + 1) % 32);
		cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, one | zero, one);
		ret = add(ctx, EPERM, SCMP_SYS(personality), 1, &cmp);
		if (ret)
			return ret;
	}
	return 0;
}

/* clone and unshare with any CLONE_NEW* bit: one rule per bit. */
static int add_new_ns(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp cmp;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(new_ns) / sizeof(new_ns[0]); i++) {
		cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, new_ns[i], new_ns[i]);
		ret = add(ctx, EPERM, SCMP_SYS(unshare), 1, &cmp);
		if (!ret && new_ns[i] != CLONE_NEWTIME)
			ret = add(ctx, EPERM, SCMP_SYS(clone), 1, &cmp);
		if (ret)
			return ret;
	}
	return 0;
}

static int add_ioctl(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp cmp;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad_ioctl) / sizeof(bad_ioctl[0]); i++) {
		cmp = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, bad_ioctl[i]);
		ret = add(ctx, EPERM, SCMP_SYS(ioctl), 1, &cmp);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * socket() and socketpair() (which makes its two sockets the same way
 * before it asks whether the family can pair them) of any other family:
 * EAFNOSUPPORT, what a kernel without that family says.
 *
 * The kernel reads the family as an int: the rules look at the low 32
 * bits only (see the top). What they refuse is every number but the good
 * ones, the gaps between them and the rest up to 2^32: each gap cut into
 * aligned blocks of 2^k numbers, as a range of addresses is cut into
 * prefixes, and each block is one masked compare. 37 rules a call,
 * looked at only when a socket is made.
 */
static int add_socket(scmp_filter_ctx ctx)
{
	static const int nrs[] = { SCMP_SYS(socket), SCMP_SYS(socketpair) };
	struct scmp_arg_cmp cmp;
	uint64_t lo = 0, hi, size;
	size_t i, k;
	int ret;

	for (i = 0; i <= sizeof(good_family) / sizeof(good_family[0]); i++) {
		/* The gap [lo, hi) before the i-th good family, or after the last. */
		hi = i < sizeof(good_family) / sizeof(good_family[0]) ?
		     good_family[i] : 1ULL << 32;
		while (lo < hi) {
			/* The largest block that starts at lo and fits in the gap. */
			size = lo ? lo & -lo : 1ULL << 32;
			while (size > hi - lo)
				size >>= 1;
			cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL & ~(size - 1), lo);
			for (k = 0; k < sizeof(nrs) / sizeof(nrs[0]); k++) {
				ret = add(ctx, EAFNOSUPPORT, nrs[k], 1, &cmp);
				if (ret)
					return ret;
			}
			lo += size;
		}
		lo = hi + 1;
	}
	return 0;
}

static int build(scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx;
	int ret;

	/* seccomp_init() puts in the native architecture and no other. */
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	/*
	 * The whole process, not the thread: a job's thread killed alone
	 * could leave the others waiting on a lock it held.
	 */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			       SCMP_ACT_KILL_PROCESS);
	if (ret)
		goto out;
	/* The caller has set it; without it, loading would need CAP_SYS_ADMIN. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (ret)
		goto out;
	/* The kernel's errno from seccomp_load(), not -ECANCELED. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (ret)
		goto out;
	ret = add_table(ctx);
	if (ret)
		goto out;
	ret = add_personality(ctx);
	if (ret)
		goto out;
	ret = add_new_ns(ctx);
	if (ret)
		goto out;
	ret = add_ioctl(ctx);
	if (ret)
		goto out;
	ret = add_socket(ctx);
out:
	if (ret)
		seccomp_release(ctx);
	else
		*out = ctx;
	return ret;
}

int grid_filter_load(void)
{
	scmp_filter_ctx ctx;
	int ret;

	ret = build(&ctx);
	if (ret)
		return ret;
	ret = seccomp_load(ctx);
	seccomp_release(ctx);
	return ret;
}

int grid_filter_export(int fd)
{
	scmp_filter_ctx ctx;
	int ret;

	ret = build(&ctx);
	if (ret)
		return ret;
	ret = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	return ret;
}
