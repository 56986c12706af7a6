// SPDX-License-Identifier: GPL-2.0
/*
 * Sandboxes through /dev/grid, written against the uapi header alone:
 * binding cgroups to leases with every error the header names, and the
 * kill at a lease's end (expiry, revocation, wall-clock jumps) and how fast
 * it comes. What a task inside a sandbox may ask is grid_self_test.c.
 * Runs in the VM as root with grid.ko loaded and cgroup2 at /sys/fs/cgroup
 * (sandbox.sh).
 */
#define UNIT_SUITE "vm/sandbox"

#include "unit.h"
#include "objects_test.h"
#include "nl.h"
#include "sandbox_test.h"

/* How late the kill may come; the contract's promise to job owners. */
#define KILL_LATENCY_MAX_NS	(100 * NSEC_PER_MSEC)

static bool alive(pid_t pid)
{
	pid_t r = waitpid(pid, NULL, WNOHANG);

	if (r == pid)
		child_reaped(pid);
	return r == 0;
}

/* ---- BIND and UNBIND --------------------------------------------------------- */

OTEST(bind_returns_the_cgroup_id_which_is_the_directory_inode)
{
	struct grid_status a, b, c;
	struct grid_ioc_sandbox s;
	char cg[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;
	int cgfd;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(cgroup_make(cg, NULL), 0);
	cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(cgfd >= 0);
	undo_id(U_FD, (__u64)cgfd);
	s = (struct grid_ioc_sandbox){
		.size = sizeof(s), .lease_id = l.id, .cgroup_id = 0xdead,
		.cgroup_fd = cgfd,
	};
	a = status_now();
	EXPECT(sandbox_ioc(GRID_IOC_SANDBOX_BIND, &s), 0);
	b = status_now();
	CHECK(s.cgroup_id == path_ino(cg));
	CHECK(s.size == GRID_IOC_SANDBOX_SIZE_VER0);
	CHECK(s.lease_id == l.id && s.cgroup_fd == cgfd && s.reserved == 0);
	EXPECT(sandbox_unbind(s.cgroup_id), 0);
	c = status_now();
	CHECK(b.sandboxes == a.sandboxes + 1 && b.leases == a.leases);
	CHECK(c.sandboxes == a.sandboxes);
}

OTEST(binding_a_bound_cgroup_again_is_eexist)
{
	struct grid_ioc_lease l, m;
	char cg[CG_PATH_LEN];
	struct world w;
	__u64 cgid = 0;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	m = lease_tmpl(&w, 2);
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_add(&m), 0);
	EXPECT(sandbox_new(l.id, cg, &cgid), 0);
	EXPECT(sandbox_bind_path(l.id, cg, NULL), EEXIST);
	EXPECT(sandbox_bind_path(m.id, cg, NULL), EEXIST);
	EXPECT(sandbox_unbind(cgid), 0);
	EXPECT(sandbox_bind_path(m.id, cg, NULL), 0);
}

OTEST(a_lease_may_have_several_sandboxes)
{
	char cg1[CG_PATH_LEN], cg2[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;
	__u64 id1 = 0, id2 = 0;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg1, &id1), 0);
	EXPECT(sandbox_new(l.id, cg2, &id2), 0);
	CHECK(id1 != id2);
	CHECK(status_now().sandboxes == test_start.sandboxes + 2);
}

OTEST(binding_a_directory_outside_cgroup2_is_enotdir_or_einval)
{
	static const char *const dirs[] = { "/tmp", "/sys/fs", "/proc", "/" };
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		ctx = dirs[i];
		EXPECT2(sandbox_bind_path(l.id, dirs[i], NULL), ENOTDIR, EINVAL);
	}
	CHECK(status_now().sandboxes == test_start.sandboxes);
}

OTEST(binding_the_root_cgroup_is_einval)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_bind_path(l.id, "/sys/fs/cgroup", NULL), EINVAL);
	CHECK(status_now().sandboxes == test_start.sandboxes);
}

OTEST(binding_a_cgroup_inside_another_sandbox_is_ebusy)
{
	char cg[CG_PATH_LEN], job[CG_PATH_LEN], deeper[CG_PATH_LEN];
	struct grid_ioc_lease l, m;
	struct world w;
	__u64 cgid = 0;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	m = lease_tmpl(&w, 2);
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_add(&m), 0);
	EXPECT(sandbox_new(l.id, cg, &cgid), 0);
	EXPECT(cgroup_make(job, cg), 0);
	EXPECT(cgroup_make(deeper, job), 0);
	EXPECT(sandbox_bind_path(m.id, job, NULL), EBUSY);
	EXPECT(sandbox_bind_path(l.id, job, NULL), EBUSY);
	EXPECT(sandbox_bind_path(m.id, deeper, NULL), EBUSY);
	/* Once the outer one is unbound, nothing is in the way. */
	EXPECT(sandbox_unbind(cgid), 0);
	EXPECT(sandbox_bind_path(m.id, job, NULL), 0);
}

OTEST(binding_a_file_is_enotdir_or_einval)
{
	char cg[CG_PATH_LEN], procs[CG_PATH_LEN + 16];
	struct grid_ioc_lease l;
	struct world w;
	int f;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	f = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	CHECK(f >= 0);
	undo_id(U_FD, (__u64)f);
	EXPECT2(sandbox_bind_fd(l.id, f, NULL), ENOTDIR, EINVAL);
	/* A file of the cgroup2 filesystem is still not a cgroup. */
	EXPECT(cgroup_make(cg, NULL), 0);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	f = open(procs, O_RDONLY | O_CLOEXEC);
	CHECK(f >= 0);
	undo_id(U_FD, (__u64)f);
	EXPECT2(sandbox_bind_fd(l.id, f, NULL), ENOTDIR, EINVAL);
	f = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(f >= 0);
	undo_id(U_FD, (__u64)f);
	EXPECT2(sandbox_bind_fd(l.id, f, NULL), ENOTDIR, EINVAL);
	CHECK(status_now().sandboxes == test_start.sandboxes);
}

OTEST(binding_a_bad_fd_is_ebadf)
{
	struct grid_ioc_lease l;
	struct world w;
	int f;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	f = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(f >= 0);
	close(f);
	EXPECT(sandbox_bind_fd(l.id, f, NULL), EBADF);
	EXPECT(sandbox_bind_fd(l.id, -1, NULL), EBADF);
	EXPECT(sandbox_bind_fd(l.id, 1 << 30, NULL), EBADF);
	EXPECT(sandbox_bind_fd(l.id, -0x7fffffff - 1, NULL), EBADF);
}

OTEST(binding_to_an_unknown_lease_is_enoent)
{
	char cg[CG_PATH_LEN];

	EXPECT(cgroup_make(cg, NULL), 0);
	EXPECT(sandbox_bind_path(LID(1), cg, NULL), ENOENT);
}

/* Its tasks would run before not_before: not yet. */
OTEST(binding_to_a_pending_lease_is_eagain_until_it_is_active)
{
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_before_ns = now_ns() + 300 * NSEC_PER_MSEC;
	EXPECT(lease_add(&l), 0);
	CHECK(l.state == GRID_LEASE_PENDING);
	EXPECT(sandbox_new(l.id, cg, NULL), EAGAIN);
	CHECK(status_now().sandboxes == test_start.sandboxes);
	sleep_ms(500);
	EXPECT(sandbox_bind_path(l.id, cg, NULL), 0);
}

OTEST(binding_to_an_expired_lease_is_ekeyexpired)
{
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_after_ns = now_ns() + 200 * NSEC_PER_MSEC;
	EXPECT(lease_add(&l), 0);
	sleep_ms(400);
	EXPECT(sandbox_new(l.id, cg, NULL), EKEYEXPIRED);
	CHECK(status_now().sandboxes == test_start.sandboxes);
}

OTEST(binding_to_a_revoked_lease_is_ekeyrevoked)
{
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(sandbox_new(l.id, cg, NULL), EKEYREVOKED);
	CHECK(status_now().sandboxes == test_start.sandboxes);
}

OTEST(unbind_of_an_unbound_cgroup_is_enoent)
{
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	struct world w;
	__u64 cgid = 0;

	EXPECT(world_up(&w, 0, NULL), 0);
	EXPECT(cgroup_make(cg, NULL), 0);
	EXPECT(sandbox_unbind(path_ino(cg)), ENOENT);
	EXPECT(sandbox_unbind(0), ENOENT);
	EXPECT(sandbox_unbind(~0ULL), ENOENT);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_bind_path(l.id, cg, &cgid), 0);
	EXPECT(sandbox_unbind(cgid), 0);
	EXPECT(sandbox_unbind(cgid), ENOENT);
}

OTEST(unbind_ignores_a_valid_cgroup_fd)
{
	struct grid_ioc_sandbox s = { .size = sizeof(s) };
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, &s.cgroup_id), 0);
	s.cgroup_fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(s.cgroup_fd >= 0);
	undo_id(U_FD, (__u64)s.cgroup_fd);
	s.lease_id = 12345;		/* ignored by UNBIND too */
	EXPECT(sandbox_ioc(GRID_IOC_SANDBOX_UNBIND, &s), 0);
	CHECK(status_now().sandboxes == test_start.sandboxes);
}

OTEST(unbind_leaves_the_tasks_alone_and_they_outlive_the_lease)
{
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	struct world w;
	__u64 cgid = 0;
	pid_t pid;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, &cgid), 0);
	pid = child_in(cg, NULL, NULL);
	CHECK(pid > 0);
	EXPECT(sandbox_unbind(cgid), 0);
	CHECK(alive(pid));
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(child_wait(pid, 300, NULL, NULL, NULL), ETIMEDOUT);
}

/* ---- where a sandbox may be ---------------------------------------------------- */

OTEST(binding_outside_the_gridgrids_cgroup_is_exdev)
{
	char out[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(cgroup_make(out, cg_top_dir()), 0);
	EXPECT(sandbox_bind_path(l.id, out, NULL), EXDEV);
	/* Nor the grid-grid's cgroup itself: a lease is below it. */
	EXPECT(sandbox_bind_path(l.id, w.cgroup, NULL), EXDEV);
	CHECK(status_now().sandboxes == test_start.sandboxes);
}

OTEST(binding_below_another_gridgrids_cgroup_is_exdev)
{
	char cg[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w0, w1;

	EXPECT(world_up(&w0, 0, NULL), 0);
	EXPECT(world_up(&w1, 1, NULL), 0);
	l = lease_tmpl(&w0, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(cgroup_make(cg, w1.cgroup), 0);
	EXPECT(sandbox_bind_path(l.id, cg, NULL), EXDEV);
	EXPECT(cgroup_make(cg, w0.cgroup), 0);
	EXPECT(sandbox_bind_path(l.id, cg, NULL), 0);
}

OTEST(a_lease_of_a_gridgrid_whose_share_has_no_cgroup_binds_nowhere)
{
	struct grid_limits big = big_share();
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	EXPECT(gridgrid_add(N("bare"), 9), 0);
	EXPECT(share_add(N("bare"), &big), 0);
	l = lease_tmpl(&w, 1);
	setname(l.gridgrid, N("bare"));
	EXPECT(lease_add(&l), 0);
	EXPECT(cgroup_make(cg, w.cgroup), 0);
	EXPECT(sandbox_bind_path(l.id, cg, NULL), EXDEV);
	EXPECT(cgroup_make(cg, cg_top_dir()), 0);
	EXPECT(sandbox_bind_path(l.id, cg, NULL), EXDEV);
}

OTEST(a_sandbox_does_not_move_to_a_lease_of_another_gridgrid)
{
	struct grid_ioc_sandbox s = { .size = sizeof(s),
				      .flags = GRID_SANDBOX_REBIND };
	struct grid_ioc_lease a, b;
	char cg[CG_PATH_LEN];
	struct world w0, w1;
	int cgfd;

	EXPECT(world_up(&w0, 0, NULL), 0);
	EXPECT(world_up(&w1, 1, NULL), 0);
	a = lease_tmpl(&w0, 1);
	b = lease_tmpl(&w1, 2);
	EXPECT(lease_add(&a), 0);
	EXPECT(lease_add(&b), 0);
	snprintf(cg_world, sizeof(cg_world), "%s", w0.cgroup);
	EXPECT(sandbox_new(a.id, cg, NULL), 0);
	cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(cgfd >= 0);
	undo_id(U_FD, (__u64)cgfd);
	s.cgroup_fd = cgfd;
	s.lease_id = b.id;
	EXPECT(sandbox_ioc(GRID_IOC_SANDBOX_BIND, &s), EXDEV);
	CHECK(status_now().sandboxes == test_start.sandboxes + 1);
}

OTEST(a_lease_cgroup_holds_one_leases_sandboxes_and_a_lease_has_one)
{
	char lc[CG_PATH_LEN], a[CG_PATH_LEN], b[CG_PATH_LEN];
	char other[CG_PATH_LEN], c[CG_PATH_LEN];
	struct grid_ioc_lease l, m;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	m = lease_tmpl(&w, 2);
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_add(&m), 0);
	EXPECT(lease_cgroup(l.id, lc), 0);
	EXPECT(cgroup_make(a, lc), 0);
	EXPECT(cgroup_make(b, lc), 0);
	EXPECT(sandbox_bind_path(l.id, a, NULL), 0);
	/* Another lease in l's lease cgroup: its limits are l's. */
	EXPECT(sandbox_bind_path(m.id, b, NULL), EBUSY);
	/* l in a second lease cgroup: its limits would count twice. */
	EXPECT(cgroup_make(other, NULL), 0);
	EXPECT(cgroup_make(c, other), 0);
	EXPECT(sandbox_bind_path(l.id, c, NULL), EBUSY);
	EXPECT(sandbox_bind_path(l.id, b, NULL), 0);
	EXPECT(sandbox_bind_path(m.id, c, NULL), 0);
	CHECK(status_now().sandboxes == test_start.sandboxes + 3);
}

/* A lease cgroup file's content, newline cut; "" if it cannot be read. */
static const char *cg_read(const char *dir, const char *file)
{
	static char buf[128];
	char path[256];
	ssize_t n;
	int f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return buf;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

OTEST(bind_and_lease_set_write_the_leases_limits_into_its_lease_cgroup)
{
	char lc[CG_PATH_LEN], cg[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.limits.cpu_quota_us = 20000;
	l.limits.cpu_period_us = 100000;
	l.limits.memory_bytes = 32ULL << 20;
	l.limits.pids = 5;
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, NULL), 0);
	EXPECT(lease_cgroup(l.id, lc), 0);
	CHECK(!strcmp(cg_read(lc, "cpu.max"), "20000 100000"));
	CHECK(!strcmp(cg_read(lc, "memory.max"), "33554432"));
	CHECK(!strcmp(cg_read(lc, "pids.max"), "5"));
	/* LEASE_SET writes the new ones before it takes effect. */
	l.limits.memory_bytes = 48ULL << 20;
	l.limits.pids = 7;
	l.limits.cpu_quota_us = GRID_LIMIT_MAX;
	EXPECT(lease_bump(&l, 2), EDQUOT);	/* an unlimited cpu lease */
	CHECK(!strcmp(cg_read(lc, "memory.max"), "33554432"));
	l.limits.cpu_quota_us = 30000;
	EXPECT(lease_bump(&l, 2), 0);
	CHECK(!strcmp(cg_read(lc, "cpu.max"), "30000 100000"));
	CHECK(!strcmp(cg_read(lc, "memory.max"), "50331648"));
	CHECK(!strcmp(cg_read(lc, "pids.max"), "7"));
}

OTEST(unlimited_lease_limits_are_written_as_max)
{
	struct grid_limits share = big_share();
	char lc[CG_PATH_LEN], cg[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;

	share.memory_bytes = GRID_LIMIT_MAX;
	share.pids = GRID_LIMIT_MAX;
	share.cpu_quota_us = GRID_LIMIT_MAX;
	EXPECT(world_up(&w, 0, &share), 0);
	l = lease_tmpl(&w, 1);
	l.limits.memory_bytes = GRID_LIMIT_MAX;
	l.limits.pids = GRID_LIMIT_MAX;
	l.limits.cpu_quota_us = GRID_LIMIT_MAX;
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, NULL), 0);
	EXPECT(lease_cgroup(l.id, lc), 0);
	CHECK(!strcmp(cg_read(lc, "cpu.max"), "max 100000"));
	CHECK(!strcmp(cg_read(lc, "memory.max"), "max"));
	CHECK(!strcmp(cg_read(lc, "pids.max"), "max"));
}

/* In a child: binds the cgroup at @arg to the test's first lease. */
static int bind_job_from_here(void *arg)
{
	int e = sandbox_bind_path(LID(1), arg, NULL);

	return e > 255 ? 255 : e;
}

static int fork_ten(void *arg)
{
	int made = 0;

	for (int i = 0; i < 10; i++) {
		pid_t p = fork();

		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p > 0)
			made++;
	}
	/* Itself and its children: what the sandbox held at most. */
	return made + 1;
}

OTEST(a_five_pid_lease_runs_no_more_than_five_tasks)
{
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	struct world w;
	int st;
	pid_t pid;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.limits.pids = 5;
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, NULL), 0);
	pid = child_in(cg, fork_ten, NULL);
	CHECK(pid > 0);
	EXPECT(child_wait(pid, 5000, &st, NULL, NULL), 0);
	CHECK(WIFEXITED(st));
	printf("# %d tasks ran in a 5-pid sandbox\n", WEXITSTATUS(st));
	CHECK(WEXITSTATUS(st) <= 5);
	/* Its children are killed with the lease. */
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(cgroup_wait_empty(cg, 3000), 0);
}

OTEST(a_limit_whose_controller_is_not_enabled_is_eopnotsupp)
{
	struct grid_limits big = big_share();
	char gg[CG_PATH_LEN], lc[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	/* A grid-grid cgroup whose children get no memory.max. */
	EXPECT(cgroup_make(gg, cg_top_dir()), 0);
	EXPECT(gridgrid_add(N("nodel"), 9), 0);
	EXPECT(share_add_cgroup(N("nodel"), &big, gg), 0);
	l = lease_tmpl(&w, 1);
	setname(l.gridgrid, N("nodel"));
	EXPECT(lease_add(&l), 0);
	EXPECT(cgroup_make(lc, gg), 0);
	EXPECT(sandbox_bind_path(l.id, lc, NULL), EOPNOTSUPP);
	CHECK(status_now().sandboxes == test_start.sandboxes);
}

/*
 * A move that fails half way (the new lease's memory.max has no file:
 * the grid-grid's cgroup gives its children cpu and pids only) leaves
 * the sandbox with its old lease and under that lease's limits, not the
 * new lease's cpu.max written before the failure.
 */
OTEST(a_rebind_that_fails_leaves_the_old_leases_limits)
{
	struct grid_ioc_sandbox s = { .size = sizeof(s),
				      .flags = GRID_SANDBOX_REBIND };
	struct grid_limits big = big_share();
	char gg[CG_PATH_LEN], lc[CG_PATH_LEN];
	struct grid_ioc_lease x, y;
	struct world w;
	int cgfd;

	big.memory_bytes = GRID_LIMIT_MAX;
	EXPECT(world_up(&w, 0, NULL), 0);
	EXPECT(cgroup_make(gg, cg_top_dir()), 0);
	EXPECT(cg_write(gg, "cgroup.subtree_control", "+cpu +pids"), 0);
	EXPECT(gridgrid_add(N("nomem"), 9), 0);
	EXPECT(share_add_cgroup(N("nomem"), &big, gg), 0);
	x = lease_tmpl(&w, 1);
	setname(x.gridgrid, N("nomem"));
	x.limits.memory_bytes = GRID_LIMIT_MAX;
	x.limits.cpu_quota_us = 20000;
	y = lease_tmpl(&w, 2);
	setname(y.gridgrid, N("nomem"));
	y.limits.cpu_quota_us = 70000;		/* memory_bytes finite */
	EXPECT(lease_add(&x), 0);
	EXPECT(lease_add(&y), 0);
	EXPECT(cgroup_make(lc, gg), 0);
	EXPECT(sandbox_bind_path(x.id, lc, NULL), 0);
	CHECK(!strcmp(cg_read(lc, "cpu.max"), "20000 100000"));
	cgfd = open(lc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(cgfd >= 0);
	undo_id(U_FD, (__u64)cgfd);
	s.cgroup_fd = cgfd;
	s.lease_id = y.id;
	EXPECT(sandbox_ioc(GRID_IOC_SANDBOX_BIND, &s), EOPNOTSUPP);
	CHECK(!strcmp(cg_read(lc, "cpu.max"), "20000 100000"));
	/* Still x's sandbox: x cannot go, y can. */
	CHECK(status_now().sandboxes == test_start.sandboxes + 1);
	EXPECT(lease_del(x.id), EBUSY);
	EXPECT(lease_del(y.id), 0);
}

/*
 * The lease's end kills its whole lease cgroup: a task its holder moved
 * out of the sandbox (at the job level) into a sibling still inside the
 * lease cgroup dies with the rest.
 */
OTEST(a_task_moved_out_of_its_sandbox_within_the_lease_cgroup_dies_at_the_end)
{
	char lc[CG_PATH_LEN], job[CG_PATH_LEN], side[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;
	int st;
	pid_t pid;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_cgroup(l.id, lc), 0);
	EXPECT(cgroup_make(job, lc), 0);
	EXPECT(cgroup_make(side, lc), 0);
	EXPECT(sandbox_bind_path(l.id, job, NULL), 0);
	pid = child_in(job, NULL, NULL);
	CHECK(pid > 0);
	/* As the holder would: out of the sandbox, not out of the lease. */
	{
		char num[24];

		snprintf(num, sizeof(num), "%d", (int)pid);
		EXPECT(cg_write(side, "cgroup.procs", num), 0);
	}
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(child_wait(pid, 3000, &st, NULL, NULL), 0);
	CHECK(killed_by_sigkill(st));
}

/* The binder in the lease cgroup would die with it at the lease's end. */
OTEST(binding_from_inside_the_lease_cgroup_is_edeadlk)
{
	char lc[CG_PATH_LEN], job[CG_PATH_LEN], here[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;
	int st;
	pid_t pid;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_cgroup(l.id, lc), 0);
	EXPECT(cgroup_make(job, lc), 0);
	EXPECT(cgroup_make(here, lc), 0);
	pid = child_in(here, bind_job_from_here, job);
	CHECK(pid > 0);
	EXPECT(child_wait(pid, 5000, &st, NULL, NULL), 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == EDEADLK);
	CHECK(status_now().sandboxes == test_start.sandboxes);
	(void)l;
}

/*
 * A share whose grid-grid still has sandboxes bound (of an ended lease)
 * keeps its cgroup: forgotten, another share could be recorded around
 * them.
 */
OTEST(share_del_while_sandboxes_of_ended_leases_are_bound_is_ebusy)
{
	struct grid_ioc_share s;
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	struct world w;
	__u64 id;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, &id), 0);
	EXPECT(lease_revoke(l.id), 0);
	s = share_arg(w.gg, &w.share);
	EXPECT(share_ioc(GRID_IOC_SHARE_DEL, &s), EBUSY);
	EXPECT(sandbox_unbind(id), 0);
	EXPECT(share_ioc(GRID_IOC_SHARE_DEL, &s), 0);
}

/*
 * Through a read-only mount of cgroup2 (a tool under ProtectControlGroups=,
 * a container's /sys/fs/cgroup) the kill could never be written: the bind
 * says so at once, rather than the lease's end failing in silence.
 */
OTEST(binding_through_a_read_only_mount_of_cgroup2_is_erofs)
{
	const char *ro = "/tmp/cg-ro-sb";
	char lc[CG_PATH_LEN], cg[CG_PATH_LEN], path[256];
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_cgroup(l.id, lc), 0);
	EXPECT(cgroup_make(cg, lc), 0);
	EXPECT(ro_cgroup_mount(ro), 0);
	snprintf(path, sizeof(path), "%s%s", ro, cg + strlen("/sys/fs/cgroup"));
	EXPECT(sandbox_bind_path(l.id, path, NULL), EROFS);
	umount2(ro, MNT_DETACH);
	CHECK(status_now().sandboxes == test_start.sandboxes);
	EXPECT(sandbox_bind_path(l.id, cg, NULL), 0);
}

/* The sandbox as netlink shows it; state ~0 if it cannot be read. */
static struct grid_obj_sandbox sandbox_view(__u64 cgid)
{
	static struct grid_obj_sandbox sb;
	struct grid_nl *nl;

	memset(&sb, 0, sizeof(sb));
	sb.state = ~0u;
	if (!grid_nl_open(&nl)) {
		if (grid_nl_sandbox_get(nl, cgid, &sb))
			sb.state = ~0u;
		grid_nl_close(nl);
	}
	return sb;
}

OTEST(a_kill_that_fails_is_reported_and_retried_until_it_works)
{
	char cg[CG_PATH_LEN], lc[CG_PATH_LEN];
	struct grid_obj_sandbox sb;
	struct grid_ioc_lease l;
	struct world w;
	__u64 cgid = 0;
	int st;
	pid_t pid;

	EXPECT(world_up(&w, 0, NULL), 0);
	EXPECT(deny_up(), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, &cgid), 0);
	EXPECT(lease_cgroup(l.id, lc), 0);
	pid = child_in(cg, NULL, NULL);
	CHECK(pid > 0);
	/* The end kills the lease cgroup, through its cgroup.kill. */
	deny_write(lc, "cgroup.kill");
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(child_wait(pid, 600, NULL, NULL, NULL), ETIMEDOUT);
	sb = sandbox_view(cgid);
	printf("# state %u, error %s, %u tries\n", sb.state, ename(sb.error),
	       sb.kill_tries);
	CHECK(sb.state == GRID_SANDBOX_KILL_FAILED);
	CHECK(sb.error == EPERM);
	/* Tried at the end and again after 100 ms and 200 ms more. */
	CHECK(sb.kill_tries >= 3);
	deny_write(NULL, "");
	EXPECT(child_wait(pid, 3000, &st, NULL, NULL), 0);
	CHECK(killed_by_sigkill(st));
	sb = sandbox_view(cgid);
	CHECK(sb.state == GRID_SANDBOX_KILLED && sb.error == 0);
}

/* ---- the kill at the end of a lease -------------------------------------------- */

static void print_ms(const char *what, __s64 ns)
{
	printf("# %s %.1f ms\n", what, (double)ns / NSEC_PER_MSEC);
}

OTEST(expiry_kills_every_task_of_every_sandbox_within_100_ms)
{
	char cg1[CG_PATH_LEN], cg2[CG_PATH_LEN], job[CG_PATH_LEN];
	__s64 worst = -1, first = 0, dead, died[3];
	struct grid_ioc_lease l;
	struct world w;
	pid_t pid[3];
	int st;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_after_ns = now_ns() + 500 * NSEC_PER_MSEC;
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg1, NULL), 0);
	EXPECT(sandbox_new(l.id, cg2, NULL), 0);
	/* cgroup.kill takes the whole subtree: a job's leaf cgroup too. */
	EXPECT(cgroup_make(job, cg2), 0);
	pid[0] = child_in(cg1, NULL, NULL);
	pid[1] = child_in(cg2, NULL, NULL);
	pid[2] = child_in(job, NULL, NULL);
	CHECK(pid[0] > 0 && pid[1] > 0 && pid[2] > 0);
	CHECK(now_ns() < l.not_after_ns - 50 * NSEC_PER_MSEC);
	/*
	 * All three watched at once: each death is timed when it happens,
	 * not after the ones before it were reaped (under emulation, the
	 * reaping of one could stand between the kill and the next clock
	 * read).
	 */
	EXPECT(children_wait(pid, 3, 3000, died), 0);
	for (int i = 0; i < 3; i++) {
		EXPECT(child_wait(pid[i], 3000, &st, &dead, NULL), 0);
		CHECK(killed_by_sigkill(st));
		if (i == 0)
			first = died[i] - l.not_after_ns;
		if (died[i] - l.not_after_ns > worst)
			worst = died[i] - l.not_after_ns;
	}
	print_ms("expiry latency (first task)", first);
	print_ms("expiry latency", worst);
	CHECK(first >= 0);
	CHECK(worst < KILL_LATENCY_MAX_NS);
	EXPECT(lease_bump(&l, 2), EKEYEXPIRED);
}

/* The child must not keep the test's open file alive. */
static int close_the_device_and_wait(void *arg)
{
	close(fd);
	for (;;)
		pause();
	return 1;
}

OTEST(expiry_kills_with_no_dev_grid_open_anywhere)
{
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	struct world w;
	__s64 dead;
	int st, e;
	pid_t pid;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_after_ns = now_ns() + 500 * NSEC_PER_MSEC;
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, NULL), 0);
	pid = child_in(cg, close_the_device_and_wait, NULL);
	CHECK(pid > 0);
	CHECK(status_now().handles == 1);
	close(fd);
	e = child_wait(pid, 3000, &st, &dead, NULL);
	fd = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	EXPECT(e, 0);
	print_ms("expiry latency without a handle", dead - l.not_after_ns);
	CHECK(killed_by_sigkill(st));
	CHECK(dead >= l.not_after_ns);
	CHECK(dead - l.not_after_ns < KILL_LATENCY_MAX_NS);
	EXPECT(lease_bump(&l, 2), EKEYEXPIRED);
}

OTEST(expiry_leaves_the_sandboxes_of_other_leases_alone)
{
	char cga[CG_PATH_LEN], cgb[CG_PATH_LEN];
	struct grid_ioc_lease a, b;
	struct world w;
	pid_t pa, pb;
	int st;

	EXPECT(world_up(&w, 0, NULL), 0);
	a = lease_tmpl(&w, 1);
	a.not_after_ns = now_ns() + 400 * NSEC_PER_MSEC;
	b = lease_tmpl(&w, 2);
	EXPECT(lease_add(&a), 0);
	EXPECT(lease_add(&b), 0);
	EXPECT(sandbox_new(a.id, cga, NULL), 0);
	EXPECT(sandbox_new(b.id, cgb, NULL), 0);
	pa = child_in(cga, NULL, NULL);
	pb = child_in(cgb, NULL, NULL);
	CHECK(pa > 0 && pb > 0);
	EXPECT(child_wait(pa, 3000, &st, NULL, NULL), 0);
	CHECK(killed_by_sigkill(st));
	EXPECT(child_wait(pb, 300, NULL, NULL, NULL), ETIMEDOUT);
	EXPECT(lease_bump(&b, 2), 0);
}

OTEST(revocation_kills_within_100_ms)
{
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	__s64 t0, dead;
	struct world w;
	pid_t pid;
	int st;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, NULL), 0);
	pid = child_in(cg, NULL, NULL);
	CHECK(pid > 0);
	t0 = mono_ns();
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(child_wait(pid, 3000, &st, NULL, &dead), 0);
	print_ms("revocation latency", dead - t0);
	CHECK(killed_by_sigkill(st));
	CHECK(dead - t0 < KILL_LATENCY_MAX_NS);
	EXPECT(lease_bump(&l, 2), EKEYREVOKED);
}

OTEST(a_wall_clock_jump_past_not_after_kills_within_100_ms)
{
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	__s64 t0, dead;
	struct world w;
	pid_t pid;
	int st, e;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_after_ns = now_ns() + 3600 * NSEC_PER_SEC;
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, NULL), 0);
	pid = child_in(cg, NULL, NULL);
	CHECK(pid > 0);
	EXPECT(child_wait(pid, 100, NULL, NULL, NULL), ETIMEDOUT);
	t0 = mono_ns();
	EXPECT(clock_jump(3601 * NSEC_PER_SEC), 0);
	e = child_wait(pid, 3000, &st, NULL, &dead);
	/* Back to the right time (the elapsed time kept) before any check. */
	EXPECT(clock_jump(-3601 * NSEC_PER_SEC), 0);
	EXPECT(e, 0);
	print_ms("clock-jump latency", dead - t0);
	CHECK(killed_by_sigkill(st));
	CHECK(dead - t0 < KILL_LATENCY_MAX_NS);
	/* Ended is ended, even with the clock back before not_after. */
	EXPECT(lease_bump(&l, 2), EKEYEXPIRED);
}

OTEST(a_wall_clock_jump_back_postpones_expiry)
{
	struct grid_ioc_lease l;
	char cg[CG_PATH_LEN];
	__s64 t0, dead;
	struct world w;
	pid_t pid;
	int st;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_after_ns = now_ns() + 1000 * NSEC_PER_MSEC;
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, NULL), 0);
	pid = child_in(cg, NULL, NULL);
	CHECK(pid > 0);
	EXPECT(clock_jump(-3600 * NSEC_PER_SEC), 0);
	EXPECT(child_wait(pid, 1500, NULL, NULL, NULL), ETIMEDOUT);
	EXPECT(lease_bump(&l, 2), 0);
	t0 = mono_ns();
	EXPECT(clock_jump(3600 * NSEC_PER_SEC), 0);
	EXPECT(child_wait(pid, 3000, &st, NULL, &dead), 0);
	print_ms("latency after the clock came back", dead - t0);
	CHECK(killed_by_sigkill(st));
	CHECK(dead - t0 < KILL_LATENCY_MAX_NS);
}

__attribute__((constructor(101))) static void open_device(void)
{
	fd = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("grid_sandbox_test: " GRID_DEV_PATH);
		exit(1);
	}
}
