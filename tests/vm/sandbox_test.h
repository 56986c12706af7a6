/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the object-model tests that need cgroups and tasks: fresh
 * cgroup directories, sandboxes bound to them, children moved into them and
 * watched die, and a table with one valid call of every object ioctl (which
 * needs a bound sandbox for its UNBIND). Include objects_test.h first.
 */
#ifndef GRID_SANDBOX_TEST_H
#define GRID_SANDBOX_TEST_H

#include <sys/mount.h>
#include "grid_deny.skel.h"

/* ---- cgroups, sandboxes and the tasks in them ---------------------------- */

/*
 * A fresh, empty cgroup v2 directory below @parent, removed after the
 * test; with @parent NULL, below the cgroup of the test's last world (a
 * lease cgroup of its own), or of the tests' top if it has none.
 */
static inline int cgroup_make(char path[CG_PATH_LEN], const char *parent)
{
	static unsigned int n;

	if (!parent)
		parent = cg_world[0] ? cg_world : cg_top_dir();
	if (snprintf(path, CG_PATH_LEN, "%.70s/c.%u.%u", parent, test_seq,
		     ++n) >= CG_PATH_LEN)
		return ENAMETOOLONG;
	if (mkdir(path, 0755))
		return errno;
	undo_path(U_CGROUP, path);
	return 0;
}

/*
 * The lease cgroup of lease @lease_id below the test's last world,
 * made on first use: every sandbox of a lease is below the same one.
 */
static inline int lease_cgroup(__u64 lease_id, char path[CG_PATH_LEN])
{
	if (snprintf(path, CG_PATH_LEN, "%.70s/l.%u",
		     cg_world[0] ? cg_world : cg_top_dir(),
		     (unsigned int)lease_id) >= CG_PATH_LEN)
		return ENAMETOOLONG;
	if (mkdir(path, 0755))
		return errno == EEXIST ? 0 : errno;
	undo_path(U_CGROUP, path);
	return 0;
}

static inline __u64 path_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

static inline int sandbox_bind_fd(__u64 lease_id, int cgfd, __u64 *cgid)
{
	struct grid_ioc_sandbox s = {
		.size = sizeof(s), .lease_id = lease_id, .cgroup_fd = cgfd,
	};
	int e = sandbox_ioc(GRID_IOC_SANDBOX_BIND, &s);

	if (!e && cgid)
		*cgid = s.cgroup_id;
	return e;
}

static inline int sandbox_bind_path(__u64 lease_id, const char *path,
				    __u64 *cgid)
{
	int cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e;

	if (cgfd < 0)
		return errno;
	e = sandbox_bind_fd(lease_id, cgfd, cgid);
	close(cgfd);
	return e;
}

/* A new cgroup bound to @lease_id, a job in the lease's lease cgroup. */
static inline int sandbox_new(__u64 lease_id, char path[CG_PATH_LEN],
			      __u64 *cgid)
{
	char lc[CG_PATH_LEN];
	int e = lease_cgroup(lease_id, lc);

	e = e ?: cgroup_make(path, lc);
	return e ? e : sandbox_bind_path(lease_id, path, cgid);
}

static inline int sandbox_unbind(__u64 cgid)
{
	struct grid_ioc_sandbox s = {
		.size = sizeof(s), .cgroup_id = cgid, .cgroup_fd = -1,
	};

	return ioc(GRID_IOC_SANDBOX_UNBIND, &s);
}

/* Moves the calling process into the cgroup at @path. */
static inline int cgroup_enter(const char *path)
{
	char file[256], pid[16];
	int f, n, ok;

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	f = open(file, O_WRONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	ok = write(f, pid, n) == n;
	close(f);
	return ok ? 0 : -1;
}

/*
 * Forks a child that writes its pid to @path's cgroup.procs (unless @path
 * is NULL), says so through a pipe, then returns fn(arg) as its exit status,
 * or pauses until killed if @fn is NULL. Returns the pid once the child is
 * in, or -1. The child is killed and reaped after the test.
 */
static inline pid_t child_in(const char *path, int (*fn)(void *), void *arg)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		if (path && cgroup_enter(path))
			_exit(100);
		if (write(p[1], "x", 1) != 1)
			_exit(101);
		close(p[1]);
		if (fn) {
			int r = fn(arg);

			fflush(stdout);
			_exit(r);
		}
		for (;;)
			pause();
	}
	close(p[1]);
	undo_id(U_CHILD, (__u64)pid);
	if (read(p[0], &c, 1) != 1)
		pid = -1;
	close(p[0]);
	return pid;
}

/*
 * Waits up to @timeout_ms for @pid to end and reaps it. The moment it was
 * seen dead goes to @t_real and @t_mono (either may be NULL), taken as soon
 * as poll() on its pidfd returns. ETIMEDOUT if it still lives.
 */
static inline int child_wait(pid_t pid, int timeout_ms, int *status,
			     __s64 *t_real, __s64 *t_mono)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = { .fd = pfd, .events = POLLIN };
	__s64 deadline = mono_ns() + timeout_ms * NSEC_PER_MSEC;
	int r, st;

	if (pfd < 0)
		return errno;
	do {
		int left = (int)((deadline - mono_ns()) / NSEC_PER_MSEC);

		r = poll(&p, 1, left > 0 ? left : 0);
	} while (r < 0 && errno == EINTR);
	if (t_real)
		*t_real = now_ns();
	if (t_mono)
		*t_mono = mono_ns();
	close(pfd);
	if (r == 0)
		return ETIMEDOUT;
	if (waitpid(pid, &st, 0) != pid)
		return errno;
	child_reaped(pid);
	if (status)
		*status = st;
	return 0;
}

/*
 * Waits up to @timeout_ms for all @n children @pid to exit, without
 * reaping them: @t_real[i] is CLOCK_REALTIME when child i was seen gone,
 * all of them watched at once. 0, ETIMEDOUT, or an errno.
 */
static inline int children_wait(const pid_t *pid, int n, int timeout_ms,
				__s64 *t_real)
{
	struct pollfd p[8];
	__s64 deadline = mono_ns() + timeout_ms * NSEC_PER_MSEC;
	int i, r, left = n, e = 0;

	if (n > 8)
		return EINVAL;
	for (i = 0; i < n; i++) {
		p[i] = (struct pollfd){ .fd = (int)syscall(SYS_pidfd_open, pid[i], 0),
					.events = POLLIN };
		if (p[i].fd < 0)
			e = errno;
	}
	while (!e && left) {
		int ms = (int)((deadline - mono_ns()) / NSEC_PER_MSEC);

		r = poll(p, n, ms > 0 ? ms : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = r ? errno : ETIMEDOUT;
			break;
		}
		for (i = 0; i < n; i++) {
			if (p[i].fd >= 0 && p[i].revents) {
				t_real[i] = now_ns();
				close(p[i].fd);
				p[i].fd = -1;	/* poll() skips it from now on */
				left--;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (p[i].fd >= 0)
			close(p[i].fd);
	}
	return e;
}

/*
 * Waits up to @timeout_ms for the cgroup at @path to hold no task (tasks
 * killed but not reaped yet, orphans of a child, still hold it).
 */
static inline int cgroup_wait_empty(const char *path, int timeout_ms)
{
	char file[256], buf[256];
	__s64 deadline = mono_ns() + timeout_ms * NSEC_PER_MSEC;
	int f, n;

	snprintf(file, sizeof(file), "%s/cgroup.events", path);
	do {
		f = open(file, O_RDONLY | O_CLOEXEC);
		if (f < 0)
			return errno;
		n = (int)read(f, buf, sizeof(buf) - 1);
		close(f);
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, "populated 0"))
			return 0;
		sleep_ms(10);
	} while (mono_ns() < deadline);
	return ETIMEDOUT;
}

static inline bool killed_by_sigkill(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* A child's check: says what failed and makes the child exit 1. */
#define CCHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("FAIL %s: %s:%d: %s (in the child)\n",	\
			       UNIT_SUITE, __FILE__, __LINE__, #cond);	\
			return 1;					\
		}							\
	} while (0)

#define CEXPECT(call, want)						\
	do {								\
		int got_ = (call), want_ = (want);			\
		if (got_ != want_)					\
			printf("# %s:%d: %s: got %s, want %s (in the child)\n", \
			       __FILE__, __LINE__, #call, ename(got_),	\
			       ename(want_));				\
		CCHECK(got_ == want_);					\
	} while (0)

/* ---- one valid call of every object ioctl -------------------------------- */

/*
 * The struct rules, the capability check and the sandbox lock-out are each
 * tested against every object ioctl with an argument that would succeed:
 * then a wrong answer cannot hide behind an unrelated -EINVAL, and a call
 * that wrongly succeeds shows in the status counts.
 */
enum {
	OP_GRID_ADD, OP_GRID_SET, OP_GRID_DEL,
	OP_GRIDGRID_ADD, OP_GRIDGRID_SET, OP_GRIDGRID_DEL,
	OP_SHARE_ADD, OP_SHARE_SET, OP_SHARE_DEL,
	OP_PEER_ADD, OP_PEER_SET, OP_PEER_DEL,
	OP_LEASE_ADD, OP_LEASE_SET, OP_LEASE_DEL, OP_LEASE_REVOKE,
	OP_SANDBOX_BIND, OP_SANDBOX_UNBIND,
	OP_NR
};

struct op {
	const char *name;
	unsigned long cmd;
	__u32 size;				/* its _SIZE_VER0 */
	__u32 ksize;				/* the size the kernel knows */
	union {
		struct grid_ioc_grid grid;
		struct grid_ioc_gridgrid gridgrid;
		struct grid_ioc_share share;
		struct grid_ioc_peer peer;
		struct grid_ioc_lease lease;
		struct grid_ioc_lease_ref ref;
		struct grid_ioc_sandbox sandbox;
		unsigned char raw[GRID_IOC_PEER_SIZE_VER0];
	} arg;
};

struct opset {
	struct world w;
	struct op op[OP_NR];
	struct grid_ioc_lease bound;	/* the lease of the bound sandbox */
	char cg_bound[CG_PATH_LEN];	/* bound to it */
	__u64 cgid;
	char cg_free[CG_PATH_LEN];	/* the BIND op's */
};

#define OP(i, c, v, t) (s->op[i].name = #c, s->op[i].cmd = (c),	\
			s->op[i].size = (v), s->op[i].ksize = sizeof(t))

static inline int ops_build(struct opset *s)
{
	const char *ggs[1];
	struct grid_ioc_lease l;
	struct grid_ioc_peer p;
	struct grid_limits big = big_share();
	char lc[CG_PATH_LEN];
	int e, cgfd;

	memset(s, 0, sizeof(*s));
	e = world_up(&s->w, 0, NULL);
	e = e ?: grid_add(N("spare"), "", 150);
	e = e ?: gridgrid_add(N("gg-del"), 151);
	e = e ?: gridgrid_add(N("gg-noshare"), 152);
	e = e ?: gridgrid_add(N("gg-share2"), 153);
	e = e ?: share_add(N("gg-share2"), &big);
	ggs[0] = s->w.gg;
	p = peer_arg(160, "p", 1, ggs);
	e = e ?: peer_ioc(GRID_IOC_PEER_ADD, &p);
	s->bound = lease_tmpl(&s->w, 1);
	e = e ?: lease_add(&s->bound);
	l = lease_tmpl(&s->w, 2);
	e = e ?: lease_add(&l);
	l = lease_tmpl(&s->w, 3);
	e = e ?: lease_add(&l);
	e = e ?: sandbox_new(s->bound.id, s->cg_bound, &s->cgid);
	/* In the bound lease's lease cgroup: its sandboxes are all there. */
	e = e ?: lease_cgroup(s->bound.id, lc);
	e = e ?: cgroup_make(s->cg_free, lc);
	if (e)
		return e;
	cgfd = open(s->cg_free, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return errno;
	undo_id(U_FD, (__u64)cgfd);

	OP(OP_GRID_ADD, GRID_IOC_GRID_ADD, GRID_IOC_GRID_SIZE_VER0, struct grid_ioc_grid);
	s->op[OP_GRID_ADD].arg.grid = grid_arg(N("new"), "", 170);
	undo_name(U_GRID, N("new"));
	OP(OP_GRID_SET, GRID_IOC_GRID_SET, GRID_IOC_GRID_SIZE_VER0, struct grid_ioc_grid);
	s->op[OP_GRID_SET].arg.grid = grid_arg(s->w.grid, "", s->w.issuer);
	OP(OP_GRID_DEL, GRID_IOC_GRID_DEL, GRID_IOC_GRID_SIZE_VER0, struct grid_ioc_grid);
	s->op[OP_GRID_DEL].arg.grid = grid_arg(N("spare"), "", 150);

	OP(OP_GRIDGRID_ADD, GRID_IOC_GRIDGRID_ADD, GRID_IOC_GRIDGRID_SIZE_VER0, struct grid_ioc_gridgrid);
	s->op[OP_GRIDGRID_ADD].arg.gridgrid = gridgrid_arg(N("gg-new"), 171);
	undo_name(U_GRIDGRID, N("gg-new"));
	OP(OP_GRIDGRID_SET, GRID_IOC_GRIDGRID_SET, GRID_IOC_GRIDGRID_SIZE_VER0, struct grid_ioc_gridgrid);
	s->op[OP_GRIDGRID_SET].arg.gridgrid = gridgrid_arg(N("gg-noshare"), 172);
	OP(OP_GRIDGRID_DEL, GRID_IOC_GRIDGRID_DEL, GRID_IOC_GRIDGRID_SIZE_VER0, struct grid_ioc_gridgrid);
	s->op[OP_GRIDGRID_DEL].arg.gridgrid = gridgrid_arg(N("gg-del"), 151);

	OP(OP_SHARE_ADD, GRID_IOC_SHARE_ADD, GRID_IOC_SHARE_SIZE_VER0, struct grid_ioc_share);
	s->op[OP_SHARE_ADD].arg.share = share_arg(N("gg-noshare"), &big);
	undo_name(U_SHARE, N("gg-noshare"));
	OP(OP_SHARE_SET, GRID_IOC_SHARE_SET, GRID_IOC_SHARE_SIZE_VER0, struct grid_ioc_share);
	s->op[OP_SHARE_SET].arg.share = share_arg(N("gg-share2"), &big);
	OP(OP_SHARE_DEL, GRID_IOC_SHARE_DEL, GRID_IOC_SHARE_SIZE_VER0, struct grid_ioc_share);
	s->op[OP_SHARE_DEL].arg.share = share_arg(N("gg-share2"), &big);

	OP(OP_PEER_ADD, GRID_IOC_PEER_ADD, GRID_IOC_PEER_SIZE_VER0, struct grid_ioc_peer);
	s->op[OP_PEER_ADD].arg.peer = peer_arg(173, "p-new", 1, ggs);
	undo_key(U_PEER, s->op[OP_PEER_ADD].arg.peer.key);
	OP(OP_PEER_SET, GRID_IOC_PEER_SET, GRID_IOC_PEER_SIZE_VER0, struct grid_ioc_peer);
	s->op[OP_PEER_SET].arg.peer = peer_arg(160, "p-renamed", 0, NULL);
	OP(OP_PEER_DEL, GRID_IOC_PEER_DEL, GRID_IOC_PEER_SIZE_VER0, struct grid_ioc_peer);
	s->op[OP_PEER_DEL].arg.peer = peer_arg(160, "p", 0, NULL);

	OP(OP_LEASE_ADD, GRID_IOC_LEASE_ADD, GRID_IOC_LEASE_SIZE_VER0, struct grid_ioc_lease);
	s->op[OP_LEASE_ADD].arg.lease = lease_tmpl(&s->w, 10);
	undo_id(U_LEASE, LID(10));
	OP(OP_LEASE_SET, GRID_IOC_LEASE_SET, GRID_IOC_LEASE_SIZE_VER0, struct grid_ioc_lease);
	s->op[OP_LEASE_SET].arg.lease = s->bound;
	s->op[OP_LEASE_SET].arg.lease.serial = 2;
	s->op[OP_LEASE_SET].arg.lease.state = 0;
	OP(OP_LEASE_DEL, GRID_IOC_LEASE_DEL, GRID_IOC_LEASE_REF_SIZE_VER0, struct grid_ioc_lease_ref);
	s->op[OP_LEASE_DEL].arg.ref =
		(struct grid_ioc_lease_ref){ .size = 16, .id = LID(2) };
	OP(OP_LEASE_REVOKE, GRID_IOC_LEASE_REVOKE, GRID_IOC_LEASE_REF_SIZE_VER0, struct grid_ioc_lease_ref);
	s->op[OP_LEASE_REVOKE].arg.ref =
		(struct grid_ioc_lease_ref){ .size = 16, .id = LID(3) };

	OP(OP_SANDBOX_BIND, GRID_IOC_SANDBOX_BIND, GRID_IOC_SANDBOX_SIZE_VER0, struct grid_ioc_sandbox);
	s->op[OP_SANDBOX_BIND].arg.sandbox = (struct grid_ioc_sandbox){
		.size = GRID_IOC_SANDBOX_SIZE_VER0, .lease_id = s->bound.id,
		.cgroup_fd = cgfd,
	};
	undo_id(U_SANDBOX, path_ino(s->cg_free));
	OP(OP_SANDBOX_UNBIND, GRID_IOC_SANDBOX_UNBIND, GRID_IOC_SANDBOX_SIZE_VER0, struct grid_ioc_sandbox);
	s->op[OP_SANDBOX_UNBIND].arg.sandbox = (struct grid_ioc_sandbox){
		.size = GRID_IOC_SANDBOX_SIZE_VER0, .cgroup_id = s->cgid,
		.cgroup_fd = -1,
	};
	return 0;
}

#undef OP

/*
 * After calls that should all have been refused: nothing was created or
 * deleted, the bound lease still has serial 1 (so serial 2 is taken), and
 * the REVOKE op's lease is still live.
 */
static inline int ops_untouched(struct opset *s, const struct grid_status *before)
{
	struct grid_status now = status_now();
	struct grid_ioc_lease l = s->bound;
	struct grid_ioc_lease l3 = lease_tmpl(&s->w, 3);
	int e;

	if (!same_objects(before, &now)) {
		print_status("before", before);
		print_status("now", &now);
		return EEXIST;
	}
	e = lease_bump(&l, 2);
	return e ? e : lease_bump(&l3, 2);
}

/* ---- faults ---------------------------------------------------------------- */

/* Mounts cgroup2 read-only at @dir (a bind of /sys/fs/cgroup). */
static inline int ro_cgroup_mount(const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		return errno;
	if (mount("/sys/fs/cgroup", dir, NULL, MS_BIND, NULL))
		return errno;
	if (mount(NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL)) {
		umount2(dir, MNT_DETACH);
		return errno;
	}
	return 0;
}

/* The deny program: a write grid.ko makes to a file it holds fails. */
static struct grid_deny_bpf *deny;

static inline int deny_up(void)
{
	if (deny)
		return 0;
	deny = grid_deny_bpf__open_and_load();
	if (!deny)
		return errno ? errno : EINVAL;
	if (grid_deny_bpf__attach(deny))
		return errno ? errno : EINVAL;
	return 0;
}

static inline void deny_write(const char *dir, const char *name)
{
	snprintf(deny->bss->deny_name, sizeof(deny->bss->deny_name), "%s",
		 name);
	deny->bss->deny_dir = dir ? path_ino(dir) : 0;
}

#endif
