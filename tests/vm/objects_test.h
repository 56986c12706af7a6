/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the object-model tests (grid_objects_test.c,
 * grid_lease_test.c, grid_sandbox_test.c, grid_self_test.c), which run in
 * the VM as root with grid.ko loaded; cgroups and tasks are in
 * sandbox_test.h.
 * They speak raw ioctl() with the uapi structs, so that what they check is
 * the header's contract and nothing a userland wrapper adds or hides.
 *
 * Tests are independent. OTEST() gives each test its own names, keys and
 * lease ids, so that an object a faulty kernel failed to delete cannot
 * collide with a later test's; everything a test creates (or might create,
 * should the kernel wrongly accept a call) goes on an undo list that is
 * unwound after the test however it ended; and a test fails if the status
 * counts do not come back to where they were before it.
 *
 * Include unit.h (with UNIT_SUITE) first.
 */
#ifndef GRID_OBJECTS_TEST_H
#define GRID_OBJECTS_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/grid.h>

#include "dev.h"

_Static_assert(sizeof(struct grid_ioc_grid) == GRID_IOC_GRID_SIZE_VER0, "grid");
_Static_assert(sizeof(struct grid_ioc_gridgrid) == GRID_IOC_GRIDGRID_SIZE_VER0, "gridgrid");
_Static_assert(sizeof(struct grid_ioc_share) == GRID_IOC_SHARE_SIZE_VER1, "share");
_Static_assert(sizeof(struct grid_ioc_peer) == GRID_IOC_PEER_SIZE_VER0, "peer");
_Static_assert(sizeof(struct grid_ioc_lease) == GRID_IOC_LEASE_SIZE_VER1, "lease");
_Static_assert(sizeof(struct grid_ioc_lease_ref) == GRID_IOC_LEASE_REF_SIZE_VER0, "ref");
_Static_assert(sizeof(struct grid_ioc_sandbox) == GRID_IOC_SANDBOX_SIZE_VER0, "sandbox");
_Static_assert(sizeof(struct grid_self) == GRID_SELF_SIZE_VER0, "self");

#define NSEC_PER_MSEC	1000000LL
#define NSEC_PER_SEC	1000000000LL

static int fd = -1;

#define CG_PATH_LEN 96

/* The cgroup of the world made last: where cgroup_make(p, NULL) makes. */
static char cg_world[CG_PATH_LEN];

/* An ioctl's errno, or 0 on success. */
static inline int ioc_on(int f, unsigned long cmd, void *arg)
{
	return ioctl(f, cmd, arg) < 0 ? errno : 0;
}

static inline int ioc(unsigned long cmd, void *arg)
{
	return ioc_on(fd, cmd, arg);
}

static inline const char *ename(int e)
{
	const char *s = e ? strerrorname_np(e) : "success";

	return s ? s : "?";
}

/* What a loop in a test is at, named in a failure's message (or NULL). */
static const char *ctx;

static inline const char *ctx_now(void)
{
	return ctx ? ctx : "";
}

/* CHECK(call == want), saying what came back instead. */
#define EXPECT(call, want)						\
	do {								\
		int got_ = (call), want_ = (want);			\
		if (got_ != want_)					\
			printf("# %s:%d: %s%s%s: got %s, want %s\n",	\
			       __FILE__, __LINE__, ctx_now(),		\
			       ctx ? ": " : "", #call, ename(got_),	\
			       ename(want_));				\
		CHECK(got_ == want_);					\
	} while (0)

/* Where the header allows either of two errors. */
#define EXPECT2(call, want1, want2)					\
	do {								\
		int got_ = (call);					\
		if (got_ != (want1) && got_ != (want2))			\
			printf("# %s:%d: %s%s%s: got %s, want %s or %s\n", \
			       __FILE__, __LINE__, ctx_now(),		\
			       ctx ? ": " : "", #call, ename(got_),	\
			       ename(want1), ename(want2));		\
		CHECK(got_ == (want1) || got_ == (want2));		\
	} while (0)

static inline __s64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static inline __s64 now_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

static inline __s64 mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * NSEC_PER_MSEC };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* How far the tests have moved the wall clock; undone after each test. */
static long long clock_skew_ns;

static inline int clock_jump(long long delta_ns)
{
	struct timespec ts;
	__s64 t = now_ns() + delta_ns;

	ts.tv_sec = t / NSEC_PER_SEC;
	ts.tv_nsec = t % NSEC_PER_SEC;
	if (clock_settime(CLOCK_REALTIME, &ts))
		return errno;
	clock_skew_ns += delta_ns;
	return 0;
}

/* ---- names, keys and ids unique to the running test ---------------- */

static unsigned int test_seq;

/* "<base>.<test number>": the same within a test, different across. */
static inline const char *N(const char *base)
{
	static char ring[16][GRID_NAME_LEN];
	static unsigned int next;
	char *s = ring[next++ % 16];

	/* NUL-padded all the way: the kernel refuses anything after the NUL. */
	memset(s, 0, GRID_NAME_LEN);
	snprintf(s, GRID_NAME_LEN, "%s.%u", base, test_seq);
	return s;
}

/* Copies up to GRID_NAME_LEN bytes of @s, NUL-padded (no NUL if 32). */
static inline void setname(char dst[GRID_NAME_LEN], const char *s)
{
	memset(dst, 0, GRID_NAME_LEN);
	memcpy(dst, s, strnlen(s, GRID_NAME_LEN));
}

/* A key no other seed or test shares; never all-zero. */
static inline void mkkey(__u8 k[GRID_KEY_LEN], unsigned int seed)
{
	for (int i = 0; i < GRID_KEY_LEN; i++)
		k[i] = (__u8)(i * 7 + 1);
	memcpy(k, &seed, sizeof(seed));
	memcpy(k + 4, &test_seq, sizeof(test_seq));
}

#define LID(n) (((__u64)test_seq << 32) | (__u64)(n))

/* ---- the undo list ---------------------------------------------------- */

enum undo_kind {
	U_GRID, U_GRIDGRID, U_SHARE, U_PEER, U_LEASE, U_SANDBOX,
	U_CGROUP, U_CHILD, U_FD,
};

struct undo {
	enum undo_kind kind;
	bool done;
	char name[GRID_NAME_LEN];
	__u8 key[GRID_KEY_LEN];
	__u64 id;
	char path[256];
	int err;		/* why it could not be undone */
};

static struct undo undos[256];
static int n_undo;

static inline struct undo *undo_push(enum undo_kind kind)
{
	struct undo *u;

	if (n_undo == (int)(sizeof(undos) / sizeof(undos[0]))) {
		printf("# objects.h: undo list full\n");
		exit(1);
	}
	u = &undos[n_undo++];
	memset(u, 0, sizeof(*u));
	u->kind = kind;
	return u;
}

static inline void undo_name(enum undo_kind kind, const char *name)
{
	setname(undo_push(kind)->name, name);
}

static inline void undo_id(enum undo_kind kind, __u64 id)
{
	undo_push(kind)->id = id;
}

static inline void undo_key(enum undo_kind kind, const __u8 *key)
{
	memcpy(undo_push(kind)->key, key, GRID_KEY_LEN);
}

static inline void undo_path(enum undo_kind kind, const char *path)
{
	snprintf(undo_push(kind)->path, sizeof(undos[0].path), "%s", path);
}

/* A child was reaped by the test: its pid must never be signalled again. */
static inline void child_reaped(pid_t pid)
{
	for (int i = 0; i < n_undo; i++)
		if (undos[i].kind == U_CHILD && undos[i].id == (__u64)pid)
			undos[i].done = true;
}

/* True once the thing is gone (or never was). */
static inline bool undo_one(struct undo *u)
{
	union {
		struct grid_ioc_grid g;
		struct grid_ioc_gridgrid gg;
		struct grid_ioc_share s;
		struct grid_ioc_peer p;
		struct grid_ioc_lease_ref l;
		struct grid_ioc_sandbox sb;
	} a;
	int e = 0;

	memset(&a, 0, sizeof(a));
	switch (u->kind) {
	case U_GRID:
		a.g.size = sizeof(a.g);
		memcpy(a.g.name, u->name, GRID_NAME_LEN);
		e = ioc(GRID_IOC_GRID_DEL, &a.g);
		break;
	case U_GRIDGRID:
		a.gg.size = sizeof(a.gg);
		memcpy(a.gg.name, u->name, GRID_NAME_LEN);
		e = ioc(GRID_IOC_GRIDGRID_DEL, &a.gg);
		break;
	case U_SHARE:
		a.s.size = sizeof(a.s);
		memcpy(a.s.gridgrid, u->name, GRID_NAME_LEN);
		e = ioc(GRID_IOC_SHARE_DEL, &a.s);
		break;
	case U_PEER:
		a.p.size = sizeof(a.p);
		memcpy(a.p.key, u->key, GRID_KEY_LEN);
		e = ioc(GRID_IOC_PEER_DEL, &a.p);
		break;
	case U_LEASE:
		a.l.size = sizeof(a.l);
		a.l.id = u->id;
		e = ioc(GRID_IOC_LEASE_DEL, &a.l);
		break;
	case U_SANDBOX:
		a.sb.size = sizeof(a.sb);
		a.sb.cgroup_id = u->id;
		a.sb.cgroup_fd = -1;
		e = ioc(GRID_IOC_SANDBOX_UNBIND, &a.sb);
		break;
	case U_CGROUP:
		e = rmdir(u->path) ? errno : 0;
		break;
	case U_CHILD:
		kill((pid_t)u->id, SIGKILL);
		waitpid((pid_t)u->id, NULL, 0);
		break;
	case U_FD:
		close((int)u->id);
		break;
	}
	u->err = e;
	return e == 0 || e == ENOENT;
}

static inline const char *undo_what(const struct undo *u)
{
	static const char *const kinds[] = {
		"grid", "gridgrid", "share", "peer", "lease", "sandbox",
		"cgroup", "child", "fd",
	};

	return kinds[u->kind];
}

/*
 * Unwinds the list newest first, which is the order dependencies allow;
 * a test that rearranged references (a grid re-parented, say) gets
 * further passes. Returns how many things could not be undone.
 */
static inline int undo_all(void)
{
	int pass, i, left = 0;
	bool progress = true;

	for (pass = 0; pass < 5 && progress; pass++) {
		progress = false;
		left = 0;
		for (i = n_undo - 1; i >= 0; i--) {
			if (undos[i].done)
				continue;
			if (undo_one(&undos[i])) {
				undos[i].done = true;
				progress = true;
			} else {
				left++;
			}
		}
	}
	for (i = 0; i < n_undo; i++)
		if (!undos[i].done)
			printf("# could not undo %s '%s%s' %llu: %s\n",
			       undo_what(&undos[i]), undos[i].name,
			       undos[i].path, (unsigned long long)undos[i].id,
			       ename(undos[i].err));
	n_undo = 0;
	return left;
}

/* ---- per-test set-up and checks ---------------------------------------- */

static inline struct grid_status status_now(void)
{
	struct grid_status st = { .size = sizeof(st) };

	if (ioc(GRID_IOC_STATUS, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/* The counts of objects (not of handles, which fork and close move). */
static inline bool same_objects(const struct grid_status *a,
				const struct grid_status *b)
{
	return a->grids == b->grids && a->gridgrids == b->gridgrids &&
	       a->peers == b->peers && a->leases == b->leases &&
	       a->sandboxes == b->sandboxes;
}

static inline void print_status(const char *what, const struct grid_status *s)
{
	printf("# %s: grids %llu gridgrids %llu peers %llu leases %llu sandboxes %llu\n",
	       what, (unsigned long long)s->grids,
	       (unsigned long long)s->gridgrids, (unsigned long long)s->peers,
	       (unsigned long long)s->leases,
	       (unsigned long long)s->sandboxes);
}

static struct grid_status test_start;

static inline void test_begin(void)
{
	test_seq++;
	n_undo = 0;
	ctx = NULL;
	cg_world[0] = '\0';
	fflush(stdout);
	test_start = status_now();
}

static inline void test_end(const char *name)
{
	struct grid_status after;
	int left = undo_all();

	if (clock_skew_ns)
		clock_jump(-clock_skew_ns);
	after = status_now();
	if (left || !same_objects(&test_start, &after)) {
		print_status("before", &test_start);
		print_status("after cleanup", &after);
		printf("FAIL %s: %s left objects behind\n", UNIT_SUITE, name);
		unit_failed_now = 1;
	}
}

/* A test with its own names and an undo list; see the top of this file. */
#define OTEST(name)							\
	static void name##_body(void);					\
	TEST(name)							\
	{								\
		test_begin();						\
		name##_body();						\
		test_end(#name);					\
	}								\
	static void name##_body(void)

/* ---- objects ------------------------------------------------------------- */

static inline struct grid_limits big_share(void)
{
	return (struct grid_limits){
		.cpu_quota_us = 400000,
		.cpu_period_us = 100000,
		.cpu_budget_us = 3600ULL * 1000000,
		.memory_bytes = 1ULL << 30,
		.pids = 1000,
		.net_egress_rate = 125000000,
		.net_ingress_rate = 125000000,
		.net_egress_budget = 1ULL << 40,
		.net_ingress_budget = 1ULL << 40,
		.budget_period_s = 86400,
	};
}

/* Small enough that a few fit in big_share(); roomy enough to run a task. */
static inline struct grid_limits small_lease(void)
{
	return (struct grid_limits){
		.cpu_quota_us = 10000,
		.cpu_period_us = 100000,
		.cpu_budget_us = 60ULL * 1000000,
		.memory_bytes = 64ULL << 20,
		.pids = 16,
		.net_egress_rate = 1000000,
		.net_ingress_rate = 1000000,
		.net_egress_budget = 1ULL << 30,
		.net_ingress_budget = 1ULL << 30,
		.budget_period_s = 86400,
	};
}

static inline struct grid_ioc_grid grid_arg(const char *name,
					    const char *parent,
					    unsigned int keyseed)
{
	struct grid_ioc_grid g = { .size = sizeof(g) };

	setname(g.name, name);
	setname(g.parent, parent);
	mkkey(g.key, keyseed);
	return g;
}

static inline struct grid_ioc_gridgrid gridgrid_arg(const char *name,
						    unsigned int keyseed)
{
	struct grid_ioc_gridgrid gg = { .size = sizeof(gg) };

	setname(gg.name, name);
	mkkey(gg.charter_key, keyseed);
	return gg;
}

static inline struct grid_ioc_share share_arg(const char *gg,
					      const struct grid_limits *l)
{
	struct grid_ioc_share s = { .size = sizeof(s), .limits = *l };

	setname(s.gridgrid, gg);
	return s;
}

/* @ggs: @n grid-grid names. */
static inline struct grid_ioc_peer peer_arg(unsigned int keyseed,
					    const char *name, unsigned int n,
					    const char *const *ggs)
{
	struct grid_ioc_peer p = { .size = sizeof(p), .n_gridgrids = n };

	mkkey(p.key, keyseed);
	setname(p.name, name);
	for (unsigned int i = 0; i < n && i < GRID_PEER_GRIDGRIDS_MAX; i++)
		setname(p.gridgrids[i], ggs[i]);
	return p;
}

/* The ioctls, recording what an ADD created. */
static inline int grid_ioc(unsigned long cmd, struct grid_ioc_grid *g)
{
	int e = ioc(cmd, g);

	if (!e && cmd == GRID_IOC_GRID_ADD)
		undo_name(U_GRID, g->name);
	return e;
}

static inline int gridgrid_ioc(unsigned long cmd, struct grid_ioc_gridgrid *gg)
{
	int e = ioc(cmd, gg);

	if (!e && cmd == GRID_IOC_GRIDGRID_ADD)
		undo_name(U_GRIDGRID, gg->name);
	return e;
}

static inline int share_ioc(unsigned long cmd, struct grid_ioc_share *s)
{
	int e = ioc(cmd, s);

	if (!e && cmd == GRID_IOC_SHARE_ADD)
		undo_name(U_SHARE, s->gridgrid);
	return e;
}

static inline int peer_ioc(unsigned long cmd, struct grid_ioc_peer *p)
{
	int e = ioc(cmd, p);

	if (!e && cmd == GRID_IOC_PEER_ADD)
		undo_key(U_PEER, p->key);
	return e;
}

static inline int lease_ioc(unsigned long cmd, struct grid_ioc_lease *l)
{
	int e = ioc(cmd, l);

	if (!e && cmd == GRID_IOC_LEASE_ADD)
		undo_id(U_LEASE, l->id);
	return e;
}

static inline int sandbox_ioc(unsigned long cmd, struct grid_ioc_sandbox *s)
{
	int e = ioc(cmd, s);

	if (!e && cmd == GRID_IOC_SANDBOX_BIND)
		undo_id(U_SANDBOX, s->cgroup_id);
	return e;
}

static inline int grid_add(const char *name, const char *parent,
			   unsigned int keyseed)
{
	struct grid_ioc_grid g = grid_arg(name, parent, keyseed);

	return grid_ioc(GRID_IOC_GRID_ADD, &g);
}

static inline int grid_set(const char *name, const char *parent,
			   unsigned int keyseed)
{
	struct grid_ioc_grid g = grid_arg(name, parent, keyseed);

	return grid_ioc(GRID_IOC_GRID_SET, &g);
}

static inline int grid_del(const char *name)
{
	struct grid_ioc_grid g = grid_arg(name, "", 0);

	return grid_ioc(GRID_IOC_GRID_DEL, &g);
}

static inline int gridgrid_add(const char *name, unsigned int keyseed)
{
	struct grid_ioc_gridgrid gg = gridgrid_arg(name, keyseed);

	return gridgrid_ioc(GRID_IOC_GRIDGRID_ADD, &gg);
}

static inline int gridgrid_del(const char *name)
{
	struct grid_ioc_gridgrid gg = gridgrid_arg(name, 0);

	return gridgrid_ioc(GRID_IOC_GRIDGRID_DEL, &gg);
}

static inline int share_add(const char *gg, const struct grid_limits *l)
{
	struct grid_ioc_share s = share_arg(gg, l);

	return share_ioc(GRID_IOC_SHARE_ADD, &s);
}

static inline int share_set(const char *gg, const struct grid_limits *l)
{
	struct grid_ioc_share s = share_arg(gg, l);

	return share_ioc(GRID_IOC_SHARE_SET, &s);
}

static inline int share_del(const char *gg)
{
	struct grid_limits none = { 0 };
	struct grid_ioc_share s = share_arg(gg, &none);

	return share_ioc(GRID_IOC_SHARE_DEL, &s);
}

static inline int lease_add(struct grid_ioc_lease *l)
{
	return lease_ioc(GRID_IOC_LEASE_ADD, l);
}

static inline int lease_ref(unsigned long cmd, __u64 id)
{
	struct grid_ioc_lease_ref r = { .size = sizeof(r), .id = id };

	return ioc(cmd, &r);
}

static inline int lease_del(__u64 id)
{
	return lease_ref(GRID_IOC_LEASE_DEL, id);
}

static inline int lease_revoke(__u64 id)
{
	return lease_ref(GRID_IOC_LEASE_REVOKE, id);
}

/*
 * SET with @serial and whatever else the caller changed in @l. The state
 * an earlier call wrote back is cleared first: that the kernel ignores it
 * on input, as an out field, is tested once, in grid_lease_test.c, rather
 * than in every test that changes a lease.
 */
static inline int lease_bump(struct grid_ioc_lease *l, __u64 serial)
{
	l->serial = serial;
	l->state = 0;
	return lease_ioc(GRID_IOC_LEASE_SET, l);
}

/* ---- cgroups ------------------------------------------------------------- */

/*
 * Every cgroup a test makes is below /sys/fs/cgroup/gridtest.<pid>, made
 * on first use with cpu, memory and pids enabled for what is below it,
 * and removed when the test program ends (once its tests removed theirs).
 */
static char cg_top[CG_PATH_LEN];

static inline int cg_write(const char *dir, const char *file, const char *val)
{
	char path[256];
	int f, ok;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return ENAMETOOLONG;
	f = open(path, O_WRONLY | O_CLOEXEC);
	if (f < 0)
		return errno;
	ok = write(f, val, strlen(val)) == (ssize_t)strlen(val);
	close(f);
	return ok ? 0 : errno;
}

/* What a grid-grid's cgroup needs: its children get the limit files. */
static inline int cg_delegate(const char *dir)
{
	return cg_write(dir, "cgroup.subtree_control", "+cpu +memory +pids");
}

static void cg_top_remove(void)
{
	if (cg_top[0])
		rmdir(cg_top);
}

static inline const char *cg_top_dir(void)
{
	if (!cg_top[0]) {
		snprintf(cg_top, sizeof(cg_top), "/sys/fs/cgroup/gridtest.%d",
			 (int)getpid());
		cg_write("/sys/fs/cgroup", "cgroup.subtree_control",
			 "+cpu +memory +pids");
		if (mkdir(cg_top, 0755) && errno != EEXIST)
			printf("# cannot make %s: %s\n", cg_top, strerror(errno));
		cg_delegate(cg_top);
		atexit(cg_top_remove);
	}
	return cg_top;
}

/*
 * A grid (the issuer, key seed ISSUER+k) with a grid-grid that has a
 * share and a cgroup for its sandboxes: what every lease needs. Leases
 * come from lease_tmpl(); sandbox_new() binds below @cgroup.
 */
struct world {
	char grid[GRID_NAME_LEN];
	char gg[GRID_NAME_LEN];
	unsigned int issuer;
	struct grid_limits share;
	char cgroup[CG_PATH_LEN];
};

#define ISSUER	100
#define HOLDER	3


static inline int share_add_cgroup(const char *gg, const struct grid_limits *l,
				   const char *dir)
{
	struct grid_ioc_share s = share_arg(gg, l);
	int e;

	s.flags = GRID_SHARE_CGROUP;
	s.cgroup_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.cgroup_fd < 0)
		return errno;
	e = share_ioc(GRID_IOC_SHARE_ADD, &s);
	close(s.cgroup_fd);
	return e;
}

static inline int world_up(struct world *w, unsigned int k,
			   const struct grid_limits *share)
{
	char base[16];
	int e;

	w->issuer = ISSUER + k;
	w->share = share ? *share : big_share();
	snprintf(base, sizeof(base), "w%u-g", k);
	setname(w->grid, N(base));
	snprintf(base, sizeof(base), "w%u-gg", k);
	setname(w->gg, N(base));
	if (snprintf(w->cgroup, sizeof(w->cgroup), "%.60s/gg.%u.%u",
		     cg_top_dir(), test_seq, k) >= (int)sizeof(w->cgroup))
		return ENAMETOOLONG;
	if (mkdir(w->cgroup, 0755))
		return errno;
	undo_path(U_CGROUP, w->cgroup);
	e = cg_delegate(w->cgroup);
	if (!e)
		e = grid_add(w->grid, "", w->issuer);
	if (!e)
		e = gridgrid_add(w->gg, 200 + k);
	if (!e)
		e = share_add_cgroup(w->gg, &w->share, w->cgroup);
	if (!e)
		snprintf(cg_world, sizeof(cg_world), "%s", w->cgroup);
	return e;
}

/* Lease @n of @w: active now, for an hour, with small_lease() limits. */
static inline struct grid_ioc_lease lease_tmpl(const struct world *w,
					       unsigned int n)
{
	static const char blob[] = "signed lease bytes, not read by the kernel";
	__s64 now = now_ns();
	struct grid_ioc_lease l = {
		.size = sizeof(l),
		.id = LID(n),
		.serial = 1,
		.limits = small_lease(),
		.not_before_ns = now - NSEC_PER_SEC,
		.not_after_ns = now + 3600 * NSEC_PER_SEC,
		.blob = (uintptr_t)blob,
		.blob_len = sizeof(blob) - 1,
	};

	mkkey(l.issuer, w->issuer);
	mkkey(l.holder, HOLDER);
	memcpy(l.gridgrid, w->gg, GRID_NAME_LEN);
	return l;
}

#endif
