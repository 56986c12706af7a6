// SPDX-License-Identifier: GPL-2.0
/*
 * A task inside a sandbox, written against the uapi header alone: what it
 * may ask (GRID_IOC_SELF, which reports its lease, limits and usage, and
 * GRID_IOC_VERSION) and may not (everything else, even as root), and how
 * that follows the lease and the binding as they change. Runs in the VM as
 * root with grid.ko loaded and cgroup2 at /sys/fs/cgroup (self.sh).
 */
#define UNIT_SUITE "vm/self"

#include "unit.h"
#include "objects_test.h"
#include "sandbox_test.h"

struct inside {
	struct grid_ioc_lease lease;
	char cg[CG_PATH_LEN];
	__u64 cgid;
	int up[2], down[2];	/* child to parent, parent to child */
	struct opset *ops;
};

static int self(int f, struct grid_self *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	return ioc_on(f, GRID_IOC_SELF, s);
}

/* Reads a cgroup file's first number, or -1 if the file is not there. */
static long long cg_number(const char *cg, const char *file, const char *key)
{
	char path[CG_PATH_LEN + 32], buf[512], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = key ? strstr(buf, key) : buf;
	return p ? strtoll(p + (key ? strlen(key) : 0), NULL, 10) : -1;
}

static int handshake(struct inside *in)
{
	char c = 'x';

	if (write(in->up[1], &c, 1) != 1 || read(in->down[0], &c, 1) != 1)
		return -1;
	return 0;
}

static int self_is_enoent(void *arg)
{
	struct grid_self s;

	CEXPECT(self(fd, &s), ENOENT);
	return 0;
}

OTEST(self_outside_any_sandbox_is_enoent)
{
	char cg[CG_PATH_LEN];
	struct grid_self s;
	pid_t pid;
	int st;

	EXPECT(self(fd, &s), ENOENT);
	/* Nor in a cgroup that is not bound. */
	EXPECT(cgroup_make(cg, NULL), 0);
	pid = child_in(cg, self_is_enoent, NULL);
	CHECK(pid > 0);
	EXPECT(child_wait(pid, 3000, &st, NULL, NULL), 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The parent's side of a test whose checks run in a sandboxed child. */
static int run_inside(struct inside *in, int (*fn)(void *))
{
	int st;
	pid_t pid = child_in(in->cg, fn, in);

	if (pid < 0)
		return ECHILD;
	if (child_wait(pid, 5000, &st, NULL, NULL))
		return ETIMEDOUT;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : ECANCELED;
}

static int self_reports_the_lease(void *arg)
{
	const struct inside *in = arg;
	const struct grid_ioc_lease *l = &in->lease;
	long long pids, mem, usage;
	struct grid_self s;
	__s64 until = mono_ns() + 50 * NSEC_PER_MSEC;

	while (mono_ns() < until)	/* something for cpu.stat to count */
		;
	CEXPECT(self(fd, &s), 0);
	CCHECK(s.size == GRID_SELF_SIZE_VER0);
	CCHECK(s.lease_id == l->id && s.serial == l->serial);
	CCHECK(!memcmp(s.gridgrid, l->gridgrid, GRID_NAME_LEN));
	CCHECK(!memcmp(&s.limits, &l->limits, sizeof(s.limits)));
	CCHECK(s.not_before_ns == l->not_before_ns);
	CCHECK(s.not_after_ns == l->not_after_ns);
	CCHECK(s.state == GRID_LEASE_ACTIVE);
	CCHECK(s.cgroup_id == in->cgid && s.cgroup_id == path_ino(in->cg));
	CCHECK(s.cpu_usage_us > 0);
	usage = cg_number(in->cg, "cpu.stat", "usage_usec ");
	CCHECK(usage < 0 || (long long)s.cpu_usage_us <= usage);
	pids = cg_number(in->cg, "pids.current", NULL);
	CCHECK(pids < 0 || s.pids_current == 1);
	mem = cg_number(in->cg, "memory.current", NULL);
	CCHECK(mem < 0 || s.memory_current > 0);
	return 0;
}

OTEST(self_inside_a_sandbox_reports_its_lease_limits_and_cgroup)
{
	struct inside in = { 0 };
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	in.lease = lease_tmpl(&w, 1);
	in.lease.serial = 42;
	in.lease.limits.pids = 7;
	EXPECT(lease_add(&in.lease), 0);
	EXPECT(sandbox_new(in.lease.id, in.cg, &in.cgid), 0);
	EXPECT(run_inside(&in, self_reports_the_lease), 0);
}

static int self_is_active(void *arg)
{
	struct grid_self s;

	(void)arg;
	CEXPECT(self(fd, &s), 0);
	CCHECK(s.state == GRID_LEASE_ACTIVE);
	return 0;
}

/*
 * No task may run in a pending lease's sandbox: the bind waits for
 * not_before (-EAGAIN until then), and SELF never says pending.
 */
OTEST(a_pending_lease_is_bound_only_once_active_and_self_says_so)
{
	struct inside in = { 0 };
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	in.lease = lease_tmpl(&w, 1);
	in.lease.not_before_ns = now_ns() + 400 * NSEC_PER_MSEC;
	EXPECT(lease_add(&in.lease), 0);
	CHECK(in.lease.state == GRID_LEASE_PENDING);
	EXPECT(sandbox_new(in.lease.id, in.cg, &in.cgid), EAGAIN);
	while (now_ns() < in.lease.not_before_ns + 100 * NSEC_PER_MSEC)
		sleep_ms(20);
	EXPECT(sandbox_bind_path(in.lease.id, in.cg, &in.cgid), 0);
	EXPECT(run_inside(&in, self_is_active), 0);
}

/*
 * The parent changes the lease (or the binding) while the child waits in
 * handshake(). The parent keeps only its own pipe ends, so that a child
 * that fails before the handshake is seen as EOF rather than waited for.
 */
static int run_inside_with_a_change(struct inside *in, int (*fn)(void *),
				    int (*change)(struct inside *))
{
	int st, e;
	pid_t pid;
	char c;

	if (pipe2(in->up, O_CLOEXEC))
		return errno;
	if (pipe2(in->down, O_CLOEXEC)) {
		e = errno;
		close(in->up[0]);
		close(in->up[1]);
		return e;
	}
	pid = child_in(in->cg, fn, in);
	close(in->up[1]);
	close(in->down[0]);
	if (pid < 0)
		e = ECHILD;
	else if (read(in->up[0], &c, 1) != 1)
		e = ECHILD;		/* it ended before the handshake */
	else
		e = change(in);
	if (!e && write(in->down[1], &c, 1) != 1)
		e = EPIPE;
	close(in->up[0]);
	close(in->down[1]);
	if (pid < 0)
		return e;
	if (child_wait(pid, 5000, &st, NULL, NULL))
		return ETIMEDOUT;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return ECANCELED;
	return e;
}

static int self_sees_serial_1_then_2(void *arg)
{
	struct inside *in = arg;
	struct grid_self s;

	CEXPECT(self(fd, &s), 0);
	CCHECK(s.serial == 1 && s.limits.pids == in->lease.limits.pids);
	CCHECK(handshake(in) == 0);
	CEXPECT(self(fd, &s), 0);
	CCHECK(s.serial == 2);
	CCHECK(s.limits.pids == in->lease.limits.pids + 1);
	CCHECK(s.not_after_ns == in->lease.not_after_ns + NSEC_PER_SEC);
	return 0;
}

static int set_serial_2(struct inside *in)
{
	struct grid_ioc_lease l = in->lease;

	l.limits.pids++;
	l.not_after_ns += NSEC_PER_SEC;
	return lease_bump(&l, 2);
}

OTEST(self_follows_a_lease_set)
{
	struct inside in = { 0 };
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	in.lease = lease_tmpl(&w, 1);
	EXPECT(lease_add(&in.lease), 0);
	EXPECT(sandbox_new(in.lease.id, in.cg, &in.cgid), 0);
	EXPECT(run_inside_with_a_change(&in, self_sees_serial_1_then_2,
					set_serial_2), 0);
}

static int outside_again_after_unbind(void *arg)
{
	struct inside *in = arg;
	struct grid_status st = { .size = sizeof(st) };
	struct grid_self s;

	CEXPECT(self(fd, &s), 0);
	CEXPECT(ioc(GRID_IOC_STATUS, &st), EPERM);
	CCHECK(handshake(in) == 0);
	CEXPECT(self(fd, &s), ENOENT);
	CEXPECT(ioc(GRID_IOC_STATUS, &st), 0);
	return 0;
}

static int unbind_it(struct inside *in)
{
	return sandbox_unbind(in->cgid);
}

OTEST(after_unbind_a_task_is_outside_again)
{
	struct inside in = { 0 };
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	in.lease = lease_tmpl(&w, 1);
	EXPECT(lease_add(&in.lease), 0);
	EXPECT(sandbox_new(in.lease.id, in.cg, &in.cgid), 0);
	EXPECT(run_inside_with_a_change(&in, outside_again_after_unbind,
					unbind_it), 0);
}

static int leaves_the_sandbox(void *arg)
{
	struct grid_status st = { .size = sizeof(st) };
	struct grid_self s;

	CEXPECT(self(fd, &s), 0);
	CCHECK(cgroup_enter("/sys/fs/cgroup") == 0);
	CEXPECT(self(fd, &s), ENOENT);
	CEXPECT(ioc(GRID_IOC_STATUS, &st), 0);
	return 0;
}

OTEST(a_task_that_moves_out_of_its_sandbox_is_outside_again)
{
	struct inside in = { 0 };
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	in.lease = lease_tmpl(&w, 1);
	EXPECT(lease_add(&in.lease), 0);
	EXPECT(sandbox_new(in.lease.id, in.cg, &in.cgid), 0);
	EXPECT(run_inside(&in, leaves_the_sandbox), 0);
}

static int self_follows_the_struct_rules(void *arg)
{
	unsigned char buf[GRID_SELF_SIZE_VER0 + 64];
	struct grid_self *s = (void *)buf;

	memset(buf, 0, sizeof(buf));
	s->size = GRID_SELF_SIZE_VER0 - 1;
	CEXPECT(ioc(GRID_IOC_SELF, buf), EINVAL);
	s->size = 0;
	CEXPECT(ioc(GRID_IOC_SELF, buf), EINVAL);
	s->size = GRID_SELF_SIZE_VER0;
	s->flags = 1;
	CEXPECT(ioc(GRID_IOC_SELF, buf), EINVAL);
	s->flags = 0;
	s->size = GRID_IOC_SIZE_MAX + 1;
	CEXPECT(ioc(GRID_IOC_SELF, buf), E2BIG);
	s->size = sizeof(buf);
	buf[sizeof(buf) - 1] = 1;
	CEXPECT(ioc(GRID_IOC_SELF, buf), E2BIG);
	buf[sizeof(buf) - 1] = 0;
	CEXPECT(ioc(GRID_IOC_SELF, buf), 0);
	CCHECK(s->size == GRID_SELF_SIZE_VER0);
	for (size_t i = GRID_SELF_SIZE_VER0; i < sizeof(buf); i++)
		CCHECK(buf[i] == 0);
	CEXPECT(ioc(GRID_IOC_SELF, NULL), EFAULT);
	return 0;
}

OTEST(self_follows_the_struct_rules_inside_a_sandbox)
{
	struct inside in = { 0 };
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	in.lease = lease_tmpl(&w, 1);
	EXPECT(lease_add(&in.lease), 0);
	EXPECT(sandbox_new(in.lease.id, in.cg, &in.cgid), 0);
	EXPECT(run_inside(&in, self_follows_the_struct_rules), 0);
}

/* Every op but VERSION and SELF, on @f, from inside: -EPERM. */
static int locked_out(int f, struct opset *ops)
{
	struct grid_status st = { .size = sizeof(st) };
	struct grid_version v = { .size = sizeof(v) };
	unsigned char arg[sizeof(ops->op[0].arg)];
	struct grid_self s;
	int bad = 0;

	CEXPECT(ioc_on(f, GRID_IOC_VERSION, &v), 0);
	CCHECK(v.abi == GRID_ABI_VERSION);
	CEXPECT(self(f, &s), 0);
	if (ioc_on(f, GRID_IOC_STATUS, &st) != EPERM) {
		printf("# GRID_IOC_STATUS from inside: %s\n",
		       ename(ioc_on(f, GRID_IOC_STATUS, &st)));
		bad++;
	}
	for (int i = 0; i < OP_NR; i++) {
		int e;

		memcpy(arg, &ops->op[i].arg, sizeof(arg));
		e = ioc_on(f, ops->op[i].cmd, arg);
		if (e != EPERM) {
			printf("# %s from inside: %s\n", ops->op[i].name, ename(e));
			bad++;
		}
	}
	CCHECK(bad == 0);
	return 0;
}

static int locked_out_of_both_handles(void *arg)
{
	struct inside *in = arg;
	int f, r;

	/* The handle opened outside, and one opened from inside. */
	if (locked_out(fd, in->ops))
		return 1;
	f = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	CCHECK(f >= 0);
	r = locked_out(f, in->ops);
	close(f);
	return r;
}

OTEST(every_other_ioctl_from_inside_a_sandbox_is_eperm_even_as_root)
{
	struct grid_status before;
	struct inside in = { 0 };
	struct opset s;

	EXPECT(ops_build(&s), 0);
	in.ops = &s;
	in.lease = s.bound;
	in.cgid = s.cgid;
	memcpy(in.cg, s.cg_bound, sizeof(in.cg));
	before = status_now();
	EXPECT(run_inside(&in, locked_out_of_both_handles), 0);
	EXPECT(ops_untouched(&s, &before), 0);
}

__attribute__((constructor(101))) static void open_device(void)
{
	/* A child that died early must not take the test with it. */
	signal(SIGPIPE, SIG_IGN);
	fd = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("grid_self_test: " GRID_DEV_PATH);
		exit(1);
	}
}
