// SPDX-License-Identifier: GPL-2.0
/*
 * The job's syscall filter and privilege drop, each tried in a child.
 *
 * A child reports with its exit status: the errno of the call it made
 * (0: the call worked), or WRONG when what it saw was not what the test
 * expects. It ends with _exit(), never exit(): LeakSanitizer's check at
 * exit stops the process with ptrace-like machinery that has no place
 * under a filter.
 *
 * Some tests make the real call, with arguments chosen so that nothing
 * happens should the filter let it through (a mount on a path that does
 * not exist). Others ask only for the filter's decision, with a second
 * filter underneath that answers SHADOWED for the call (see decide()), so
 * that every syscall on the deny list can be asked about and none is made.
 */
#define UNIT_SUITE "unit/filter"
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/securebits.h>

#include "unit.h"
#include "filter.h"
#include "privs.h"

/* How a child can end besides with an errno. */
#define WRONG		200	/* it saw something other than expected */
#define NO_FILTER	201	/* grid_filter_load() failed */
#define KILLED		1000	/* + the signal that ended it */

/* What the filter underneath says for the call decide() asks about. */
#define SHADOWED	ENOANO
#define MAGIC		0x6772696dU	/* in the call's sixth argument */

/* The errno of a call returning -1 on failure; 0 if it worked. */
#define ERR(call)	((call) < 0 ? errno : 0)

static int reap(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st))
		return KILLED + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static int load(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return grid_filter_load();
}

/* @try in a child, under the filter if @filter: how the child ended. */
static int in_child(int (*try)(void), bool filter)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (filter && load())
			_exit(NO_FILTER);
		_exit(try());
	}
	return reap(pid);
}

static int filtered(int (*try)(void))
{
	return in_child(try, true);
}

/*
 * The filter's decision on syscall @nr with arguments @a0 and @a1, and the
 * call is never made: EPERM or ENOSYS where it denies the call, SHADOWED
 * where it lets it through.
 *
 * Filters stack, the kernel runs them all and takes the strictest action;
 * between two ERRNO answers, the newer filter's. So under grid's filter
 * the child first loads one that answers SHADOWED for @nr with MAGIC in
 * its sixth argument (which no rule of grid's looks at): grid's EPERM
 * wins over it, grid's ALLOW does not.
 */
static int decide(long nr, uint64_t a0, uint64_t a1)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 3),
		/* The low half of args[5]: this is a little-endian test. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[5])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MAGIC, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | SHADOWED),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};
	pid_t pid = fork();

	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
			_exit(WRONG);
		if (grid_filter_load())
			_exit(NO_FILTER);
		_exit(ERR(syscall(nr, a0, a1, 0UL, 0UL, 0UL, (unsigned long)MAGIC)));
	}
	return reap(pid);
}

/* ---- real calls, denied --------------------------------------------- */

/* TEST(name): @call, made under the filter, fails with @err. */
#define FAILS_WITH(name, err, call)					\
	static int name##_call(void)					\
	{								\
		return ERR(call);					\
	}								\
	TEST(name)							\
	{								\
		CHECK(filtered(name##_call) == (err));			\
	}

#define NOWHERE "/nonexistent-grid-filter-test"

FAILS_WITH(init_module_fails_with_eperm, EPERM,
	   syscall(SYS_init_module, NULL, 0UL, ""))
FAILS_WITH(finit_module_fails_with_eperm, EPERM,
	   syscall(SYS_finit_module, -1, "", 0))
FAILS_WITH(bpf_fails_with_eperm, EPERM,
	   syscall(SYS_bpf, -1, NULL, 0))
FAILS_WITH(perf_event_open_fails_with_eperm, EPERM,
	   syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0))
FAILS_WITH(keyctl_fails_with_eperm, EPERM,
	   syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0))
FAILS_WITH(add_key_fails_with_eperm, EPERM,
	   syscall(SYS_add_key, "user", "grid-filter-test", "x", 1UL,
		   -2 /* KEY_SPEC_PROCESS_KEYRING */))
FAILS_WITH(mount_fails_with_eperm, EPERM,
	   syscall(SYS_mount, "none", NOWHERE, "tmpfs", 0UL, NULL))
FAILS_WITH(umount2_fails_with_eperm, EPERM,
	   syscall(SYS_umount2, NOWHERE, 0))
FAILS_WITH(pivot_root_fails_with_eperm, EPERM,
	   syscall(SYS_pivot_root, NOWHERE, NOWHERE))
FAILS_WITH(open_by_handle_at_fails_with_eperm, EPERM,
	   syscall(SYS_open_by_handle_at, -1, NULL, 0))
FAILS_WITH(unshare_of_a_user_namespace_fails_with_eperm, EPERM,
	   unshare(CLONE_NEWUSER))
FAILS_WITH(unshare_of_a_mount_namespace_fails_with_eperm, EPERM,
	   unshare(CLONE_NEWNS))
FAILS_WITH(unshare_of_a_namespace_among_other_flags_fails_with_eperm, EPERM,
	   unshare(CLONE_FS | CLONE_FILES | CLONE_NEWUTS))
/* A NULL struct: were the filter to let it through, EFAULT, no child. */
FAILS_WITH(clone3_fails_with_enosys, ENOSYS,
	   syscall(SYS_clone3, NULL, 88UL))
/* Zero entries: were the filter to let it through, EINVAL, no ring. */
FAILS_WITH(io_uring_setup_fails_with_eperm, EPERM,
	   syscall(SYS_io_uring_setup, 0U, NULL))
FAILS_WITH(personality_bsd_fails_with_eperm, EPERM,
	   personality(PER_BSD))
FAILS_WITH(personality_linux32_fails_with_eperm, EPERM,
	   personality(PER_LINUX32))
FAILS_WITH(personality_no_randomize_fails_with_eperm, EPERM,
	   personality(ADDR_NO_RANDOMIZE))
/* The kernel reads PER_BSD here: the high bit must not hide it. */
FAILS_WITH(personality_with_a_high_bit_set_fails_with_eperm, EPERM,
	   syscall(SYS_personality, PER_BSD | 1UL << 32))

/* In a child, so the new one is reaped if the filter lets it be made. */
static int clone_newnet_call(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return errno;
	reap(pid);
	return 0;
}

TEST(clone_of_a_network_namespace_fails_with_eperm)
{
	CHECK(filtered(clone_newnet_call) == EPERM);
}

/*
 * On /dev/null, not fd 0: were the filter broken and fd 0 a terminal, the
 * test would type into it.
 */
static int tiocsti(unsigned long request)
{
	char c = 'x';
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return WRONG;
	return ERR(syscall(SYS_ioctl, fd, request, &c));
}

static int tiocsti_call(void)
{
	return tiocsti(TIOCSTI);
}

static int tiocsti_high_call(void)
{
	return tiocsti(TIOCSTI | 1UL << 32);
}

static int tioclinux_call(void)
{
	return tiocsti(TIOCLINUX);
}

static int tiocsetd_call(void)
{
	return tiocsti(TIOCSETD);
}

TEST(ioctl_tiocsti_fails_with_eperm)
{
	CHECK(filtered(tiocsti_call) == EPERM);
}

/* The kernel reads the request as 32 bits; the filter must too. */
TEST(ioctl_tiocsti_with_a_high_bit_set_fails_with_eperm)
{
	CHECK(filtered(tiocsti_high_call) == EPERM);
}

TEST(ioctl_tioclinux_fails_with_eperm)
{
	CHECK(filtered(tioclinux_call) == EPERM);
}

TEST(ioctl_tiocsetd_fails_with_eperm)
{
	CHECK(filtered(tiocsetd_call) == EPERM);
}

/* The socket is closed at the child's exit, if the filter is broken. */
FAILS_WITH(socket_af_packet_fails_with_eafnosupport, EAFNOSUPPORT,
	   socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0))
FAILS_WITH(socket_af_alg_fails_with_eafnosupport, EAFNOSUPPORT,
	   socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0))

/* ---- real calls, allowed -------------------------------------------- */

static int getpid_call(void)
{
	return syscall(SYS_getpid) == getpid() && getpid() > 0 ? 0 : WRONG;
}

static int fork_call(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(7);
	return reap(pid) == 7 ? 0 : WRONG;
}

static int execve_call(void)
{
	char *argv[] = { "true", NULL }, *envp[] = { NULL };

	execve("/bin/true", argv, envp);
	return errno;
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* pthread_create tries clone3, is told ENOSYS, and uses clone. */
static int thread_call(void)
{
	pthread_t t;
	void *ret = NULL;

	if (pthread_create(&t, NULL, thread_fn, (void *)7) ||
	    pthread_join(t, &ret))
		return WRONG;
	return ret == (void *)7 ? 0 : WRONG;
}

static int unshare_nothing_call(void)
{
	return ERR(unshare(0));
}

static int unshare_files_call(void)
{
	return ERR(unshare(CLONE_FILES | CLONE_FS));
}

static int traceme_call(void)
{
	return ERR(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
}

static int socket_unix_call(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	return fd < 0 ? errno : 0;
}

static int socketpair_unix_call(void)
{
	int sv[2];

	return ERR(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
}

static int personality_query_call(void)
{
	return ERR(personality(0xffffffff));
}

static int personality_linux_call(void)
{
	return ERR(personality(PER_LINUX));
}

TEST(getpid_works)
{
	CHECK(filtered(getpid_call) == 0);
}

TEST(fork_and_wait_work)
{
	CHECK(filtered(fork_call) == 0);
}

TEST(execve_of_bin_true_exits_0)
{
	CHECK(filtered(execve_call) == 0);
}

TEST(threads_start_although_clone3_is_refused)
{
	CHECK(filtered(thread_call) == 0);
}

TEST(unshare_of_nothing_works)
{
	CHECK(filtered(unshare_nothing_call) == 0);
}

TEST(unshare_of_files_and_fs_works)
{
	CHECK(filtered(unshare_files_call) == 0);
}

TEST(ptrace_traceme_works)
{
	CHECK(filtered(traceme_call) == 0);
}

TEST(a_unix_socket_works)
{
	CHECK(filtered(socket_unix_call) == 0);
}

TEST(a_unix_socketpair_works)
{
	CHECK(filtered(socketpair_unix_call) == 0);
}

TEST(personality_query_works)
{
	CHECK(filtered(personality_query_call) == 0);
}

TEST(personality_linux_works)
{
	CHECK(filtered(personality_linux_call) == 0);
}

/* ---- other architectures -------------------------------------------- */

#ifdef __x86_64__
/* getpid through the i386 entry point. */
static int int80_getpid_call(void)
{
	long ret = 20;

	__asm__ volatile("int $0x80"
			 : "+a"(ret)
			 :
			 : "memory", "r8", "r9", "r10", "r11");
	return ret == getpid() ? 0 : WRONG;
}

/* getpid with the x32 bit, which this kernel may not even have. */
static int x32_getpid_call(void)
{
	return ERR(syscall(0x40000000L | SYS_getpid));
}

/* Without the emulation the int faults; no sanitizer report for that. */
static int int80_bare_call(void)
{
	signal(SIGSEGV, SIG_DFL);
	return int80_getpid_call();
}
#endif

TEST(an_i386_syscall_kills_the_process)
{
#ifdef __x86_64__
	if (in_child(int80_bare_call, false) != 0)
		SKIP("int $0x80 faults: no i386 emulation in this kernel");
	CHECK(filtered(int80_getpid_call) == KILLED + SIGSYS);
#else
	SKIP("x86-64 only");
#endif
}

TEST(an_x32_syscall_kills_the_process)
{
#ifdef __x86_64__
	CHECK(filtered(x32_getpid_call) == KILLED + SIGSYS);
#else
	SKIP("x86-64 only");
#endif
}

/* ---- decisions, no call made ---------------------------------------- */

TEST(the_decision_of_the_filter_underneath_shows_through)
{
	CHECK(decide(SYS_getppid, 0, 0) == SHADOWED);
}

#define L(name, err) { #name, SYS_##name, err }

static const struct listed {
	const char *name;
	long nr;
	int err;
} listed[] = {
	L(init_module, EPERM), L(finit_module, EPERM), L(delete_module, EPERM),
	L(kexec_load, EPERM), L(kexec_file_load, EPERM),
	L(bpf, EPERM), L(perf_event_open, EPERM),
	L(keyctl, EPERM), L(add_key, EPERM), L(request_key, EPERM),
	L(mount, EPERM), L(umount2, EPERM), L(pivot_root, EPERM),
	L(move_mount, EPERM), L(open_tree, EPERM), L(fsopen, EPERM),
	L(fsconfig, EPERM), L(fsmount, EPERM), L(fspick, EPERM),
	L(mount_setattr, EPERM),
	L(swapon, EPERM), L(swapoff, EPERM), L(reboot, EPERM), L(acct, EPERM),
	L(quotactl, EPERM), L(quotactl_fd, EPERM),
	L(settimeofday, EPERM), L(clock_settime, EPERM),
	L(clock_adjtime, EPERM),
	L(iopl, EPERM), L(ioperm, EPERM), L(userfaultfd, EPERM),
	L(lookup_dcookie, EPERM), L(syslog, EPERM), L(vhangup, EPERM),
	L(nfsservctl, EPERM), L(setns, EPERM), L(process_vm_writev, EPERM),
	L(open_by_handle_at, EPERM),
	L(io_uring_setup, EPERM), L(io_uring_enter, EPERM),
	L(io_uring_register, EPERM),
	L(clone3, ENOSYS),
	/* Left to the job. */
	L(ptrace, SHADOWED), L(process_vm_readv, SHADOWED),
	L(adjtimex, SHADOWED), L(name_to_handle_at, SHADOWED),
	L(getpid, SHADOWED), L(execve, SHADOWED),
};

TEST(every_listed_syscall_is_denied_whatever_its_arguments)
{
	size_t i;
	int got;

	for (i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
		got = decide(listed[i].nr, 0, 0);
		if (got != listed[i].err)
			printf("  %s: %d, not %d\n", listed[i].name, got,
			       listed[i].err);
		CHECK(got == listed[i].err);
	}
}

static const uint64_t new_ns[] = {
	CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWTIME,
};

TEST(unshare_with_any_new_namespace_bit_is_denied)
{
	size_t i;

	for (i = 0; i < sizeof(new_ns) / sizeof(new_ns[0]); i++) {
		CHECK(decide(SYS_unshare, new_ns[i], 0) == EPERM);
		CHECK(decide(SYS_unshare, new_ns[i] | CLONE_FS, 0) == EPERM);
		CHECK(decide(SYS_unshare, new_ns[i] | 1ULL << 40, 0) == EPERM);
	}
	CHECK(decide(SYS_unshare, CLONE_FS | CLONE_FILES | CLONE_SYSVSEM, 0) ==
	      SHADOWED);
}

TEST(clone_with_any_new_namespace_bit_is_denied)
{
	size_t i;

	/* CLONE_NEWTIME is 0x80, part of the exit signal for clone. */
	for (i = 0; i < sizeof(new_ns) / sizeof(new_ns[0]); i++) {
		if (new_ns[i] == CLONE_NEWTIME)
			continue;
		CHECK(decide(SYS_clone, new_ns[i] | SIGCHLD, 0) == EPERM);
		CHECK(decide(SYS_clone, new_ns[i] | CLONE_VM | CLONE_THREAD |
			     CLONE_SIGHAND, 0) == EPERM);
	}
	CHECK(decide(SYS_clone, SIGCHLD, 0) == SHADOWED);
	CHECK(decide(SYS_clone, CLONE_VM | CLONE_FS | CLONE_FILES |
		     CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
		     CLONE_SETTLS | CLONE_PARENT_SETTID |
		     CLONE_CHILD_CLEARTID, 0) == SHADOWED);
}

TEST(ioctl_is_denied_on_the_low_32_bits_of_its_request)
{
	CHECK(decide(SYS_ioctl, 0, TIOCSTI) == EPERM);
	CHECK(decide(SYS_ioctl, 0, TIOCLINUX) == EPERM);
	CHECK(decide(SYS_ioctl, 0, TIOCSETD) == EPERM);
	CHECK(decide(SYS_ioctl, 0, TIOCSTI | 0xffffffff00000000ULL) == EPERM);
	CHECK(decide(SYS_ioctl, 0, TIOCLINUX | 1ULL << 63) == EPERM);
	CHECK(decide(SYS_ioctl, 0, TIOCSETD | 1ULL << 32) == EPERM);
	CHECK(decide(SYS_ioctl, 0, TIOCSTI + 1) == SHADOWED);
	/* Asking which discipline a terminal has is no harm. */
	CHECK(decide(SYS_ioctl, 0, TIOCGETD) == SHADOWED);
	CHECK(decide(SYS_ioctl, 0, FIONREAD) == SHADOWED);
	CHECK(decide(SYS_ioctl, TIOCSTI, 0) == SHADOWED);
}

/* Whether a family is one the filter lets a job make sockets of. */
static bool good_family(uint64_t family)
{
	switch (family & 0xffffffff) {
	case AF_UNIX: case AF_INET: case AF_INET6: case AF_NETLINK:
		return true;
	}
	return false;
}

static void check_family(long sys, const char *name, uint64_t family)
{
	int want = good_family(family) ? SHADOWED : EAFNOSUPPORT;
	int got = decide(sys, family, SOCK_STREAM);

	if (got != want)
		printf("  %s(%#llx): %d, not %d\n", name, (unsigned long long)family,
		       got, want);
	CHECK(got == want);
}

/*
 * Every family the kernel knows and a few past it, then one bit set at
 * each place (the filter's blocks past 16 each hold one of these alone),
 * and the high half, which the kernel drops.
 */
TEST(socket_and_socketpair_allow_only_unix_inet_inet6_and_netlink)
{
	static const uint64_t more[] = {
		0xffffffff, 0x7fffffff, AF_INET | 1ULL << 32,
		AF_NETLINK | 0xffffffff00000000ULL, AF_PACKET | 1ULL << 32,
		1ULL << 32, ~0ULL,
	};
	static const long sys[] = { SYS_socket, SYS_socketpair };
	static const char *const names[] = { "socket", "socketpair" };
	size_t i, k;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < AF_MAX + 8; i++)
			check_family(sys[k], names[k], i);
		for (i = 0; i < 32; i++)
			check_family(sys[k], names[k], 1ULL << i);
		for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
			check_family(sys[k], names[k], more[i]);
	}
}

/*
 * Every persona with one bit set and every one with one bit clear: each
 * of the filter's 32 personality rules is the only one to catch one of
 * the latter.
 */
TEST(personality_allows_only_linux_and_the_query)
{
	uint64_t p;
	int i;

	for (i = 0; i < 32; i++) {
		p = 1ULL << i;
		CHECK(decide(SYS_personality, p, 0) == EPERM);
		CHECK(decide(SYS_personality, ~p & 0xffffffffULL, 0) == EPERM);
	}
	CHECK(decide(SYS_personality, PER_LINUX, 0) == SHADOWED);
	CHECK(decide(SYS_personality, 0xffffffff, 0) == SHADOWED);
	/* The kernel drops the high half: these are the same two. */
	CHECK(decide(SYS_personality, 1ULL << 32, 0) == SHADOWED);
	CHECK(decide(SYS_personality, ~0ULL, 0) == SHADOWED);
	CHECK(decide(SYS_personality, PER_BSD | 1ULL << 32, 0) == EPERM);
}

/* ---- the exported filter -------------------------------------------- */

static int exported(struct sock_fprog *prog)
{
	static struct sock_filter insns[BPF_MAXINSNS];
	ssize_t n;
	int fd, ret;

	fd = memfd_create("filter", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = grid_filter_export(fd);
	if (ret)
		goto out;
	n = pread(fd, insns, sizeof(insns), 0);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	if (n == 0 || n % sizeof(insns[0]) || n == sizeof(insns)) {
		ret = -EINVAL;
		goto out;
	}
	prog->len = n / sizeof(insns[0]);
	prog->filter = insns;
out:
	close(fd);
	return ret;
}

TEST(the_export_is_whole_bpf_instructions)
{
	struct sock_fprog prog;

	CHECK(exported(&prog) == 0);
	CHECK(prog.len > 40);
}

static int exported_call(void)
{
	struct sock_fprog prog;

	if (exported(&prog) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
		return WRONG;
	if (ERR(syscall(SYS_bpf, -1, NULL, 0)) != EPERM ||
	    ERR(syscall(SYS_clone3, NULL, 88UL)) != ENOSYS ||
	    ERR(unshare(CLONE_NEWUSER)) != EPERM ||
	    syscall(SYS_getpid) != getpid())
		return WRONG;
	return 0;
}

TEST(the_exported_filter_is_the_one_that_loads)
{
	CHECK(in_child(exported_call, false) == 0);
}

/* ---- privileges ----------------------------------------------------- */

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : n < 0 ? errno : EIO;
}

/* In a child: root in a new user namespace, then the drop. An errno. */
static int drop_as_root(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	int ret;

	if (unshare(CLONE_NEWUSER))
		return errno;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	ret = write_file("/proc/self/uid_map", map);
	if (!ret)
		ret = write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	if (!ret)
		ret = write_file("/proc/self/gid_map", map);
	if (ret)
		return ret;
	/* Root there, with everything, or the test shows nothing. */
	if (geteuid() != 0 || prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) != 1)
		return WRONG;
	return -grid_privs_drop();
}

static int drop_call(void)
{
	return drop_as_root();
}

static int capget_call(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int ret = drop_as_root();

	if (ret)
		return ret;
	memset(data, 0xff, sizeof(data));
	if (capget(&hdr, data))
		return errno;
	return data[0].effective | data[0].permitted | data[0].inheritable |
	       data[1].effective | data[1].permitted | data[1].inheritable ?
	       WRONG : 0;
}

static int bounding_call(void)
{
	int cap, r, ret = drop_as_root();

	if (ret)
		return ret;
	if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0)
		return WRONG;
	for (cap = 0; (r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0; cap++)
		if (r)
			return WRONG;
	return cap > CAP_SETFCAP ? 0 : WRONG;
}

static int ambient_call(void)
{
	int cap, ret = drop_as_root();

	if (ret)
		return ret;
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) != 0)
			return WRONG;
	/* And none can be raised into it (the securebit). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0) == 0)
		return WRONG;
	return 0;
}

static int securebits_call(void)
{
	int want = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		   SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
		   SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
		   SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	int ret = drop_as_root();

	if (ret)
		return ret;
	if (prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != want ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return WRONG;
	/* Locked, and no CAP_SETPCAP left to try with anyway. */
	if (prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) == 0)
		return WRONG;
	return 0;
}

static int regain_call(void)
{
	cap_t all;
	int ret = drop_as_root();

	if (ret)
		return ret;
	all = cap_from_text("all=eip");
	if (!all)
		return WRONG;
	ret = cap_set_proc(all) ? errno : 0;
	cap_free(all);
	return ret;
}

TEST(the_drop_works_for_root_in_a_user_namespace)
{
	CHECK(in_child(drop_call, false) == 0);
}

TEST(after_the_drop_capget_shows_every_set_empty)
{
	CHECK(in_child(capget_call, false) == 0);
}

TEST(after_the_drop_the_bounding_set_is_empty)
{
	CHECK(in_child(bounding_call, false) == 0);
}

TEST(after_the_drop_the_ambient_set_is_empty_and_stays_so)
{
	CHECK(in_child(ambient_call, false) == 0);
}

TEST(after_the_drop_the_securebits_are_set_and_locked)
{
	CHECK(in_child(securebits_call, false) == 0);
}

TEST(after_the_drop_root_cannot_take_capabilities_back)
{
	CHECK(in_child(regain_call, false) == EPERM);
}

/* The Cap lines of a program that root executes after the drop. */
TEST(a_program_executed_after_the_drop_has_no_capabilities)
{
	static const char *const zero[] = {
		"CapInh:\t0000000000000000\n", "CapPrm:\t0000000000000000\n",
		"CapEff:\t0000000000000000\n", "CapBnd:\t0000000000000000\n",
		"CapAmb:\t0000000000000000\n",
	};
	char out[1024];
	size_t len = 0, i;
	ssize_t n;
	int p[2];
	pid_t pid;

	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid = fork();
	if (pid == 0) {
		if (dup2(p[1], 1) != 1 || drop_as_root())
			_exit(WRONG);
		execl("/bin/sh", "sh", "-c", "grep Cap /proc/self/status",
		      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (len < sizeof(out) - 1 &&
	       (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(p[0]);
	CHECK(reap(pid) == 0);
	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
		if (!strstr(out, zero[i]))
			printf("  no \"%.6s: 0\" in:\n%s", zero[i], out);
		CHECK(strstr(out, zero[i]));
	}
}
