// SPDX-License-Identifier: GPL-2.0
/*
 * CPU-time budgets: bpf/grid_cpu.bpf.c accounting through the scheduler
 * and grid.ko's GRID_IOC_CPU_WATCH freezing a grid-grid's cgroup when its
 * budget is spent, thawing it when the period refills. Written against
 * linux/grid.h and linux/grid_bpf.h; the loader is not used, so this is
 * the kernel side alone. Runs in the VM as root with grid.ko loaded
 * (cpubudget.sh).
 *
 * What "within 10 ms" is measured against: the cgroup's own cpu.stat
 * usage_usec once the freeze has settled, minus the budget.
 */
#define UNIT_SUITE "vm/cpubudget"

#include <grp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/grid_bpf.h>

#include "unit.h"
#include "objects_test.h"
#include "sandbox_test.h"
#include "caps.h"
#include "grid_cpu.skel.h"

#define OVERSHOOT_MAX_NS	(10 * NSEC_PER_MSEC)

static struct grid_cpu_bpf *skel;
static struct bpf_link *cpu_link, *switch_link;
static int limits_fd, usage_fd, run_fd;

/* Before the first test's object count. */
__attribute__((constructor)) static void open_dev(void)
{
	fd = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
}

/* Loads and attaches the accounting once, for every test; 0 or errno. */
static int bpf_up(void)
{
	static int err = -1;

	if (err >= 0)
		return err;
	if (fd < 0)
		return err = ENODEV;
	skel = grid_cpu_bpf__open_and_load();
	if (!skel)
		return err = errno ? errno : EINVAL;
	switch_link = bpf_program__attach(skel->progs.grid_cpu_switch);
	if (!switch_link)
		return err = errno ? errno : EINVAL;
	cpu_link = bpf_program__attach(skel->progs.grid_cpu_runtime);
	if (!cpu_link)
		return err = errno ? errno : EINVAL;
	limits_fd = bpf_map__fd(skel->maps.grid_cpu_limits);
	usage_fd = bpf_map__fd(skel->maps.grid_cpu_usage);
	run_fd = bpf_map__fd(skel->maps.grid_cpu_run);
	return err = 0;
}

static int cpu_ioc(unsigned long cmd, struct grid_ioc_cpu_watch *w)
{
	return ioc(cmd, w);
}

static int watch(int cgfd, __u64 *id)
{
	struct grid_ioc_cpu_watch w = {
		.size = sizeof(w), .cgroup_fd = cgfd,
		.limits_fd = limits_fd, .usage_fd = usage_fd, .run_fd = run_fd,
	};
	int ret = cpu_ioc(GRID_IOC_CPU_WATCH, &w);

	if (!ret && id)
		*id = w.cgroup_id;
	return ret;
}

static int unwatch(__u64 id)
{
	struct grid_ioc_cpu_watch w = { .size = sizeof(w), .cgroup_id = id };

	return cpu_ioc(GRID_IOC_CPU_UNWATCH, &w);
}

static int watch_get(__u64 id, struct grid_ioc_cpu_watch *w)
{
	*w = (struct grid_ioc_cpu_watch){ .size = sizeof(*w), .cgroup_id = id };
	return cpu_ioc(GRID_IOC_CPU_WATCH_GET, w);
}

static int set_budget(__u64 id, __u64 budget_ns, __u64 period_ns)
{
	struct grid_gg_key k = { .cgroup_id = id };
	struct grid_cpu_limit l = { .budget_ns = budget_ns,
				    .period_ns = period_ns };

	return bpf_map_update_elem(limits_fd, &k, &l, BPF_ANY) ? errno : 0;
}

static struct grid_cpu_usage usage_of(__u64 id)
{
	struct grid_gg_key k = { .cgroup_id = id };
	struct grid_cpu_usage u = { 0 };

	bpf_map_lookup_elem(usage_fd, &k, &u);
	return u;
}

/* A cgroup file's "key value" line, or -1. */
static long long cg_value(const char *cg, const char *file, const char *key)
{
	char path[CG_PATH_LEN + 32], line[256];
	long long v = -1;
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			v = atoll(line + klen + 1);
	fclose(f);
	return v;
}

static long long cpu_usage_ns(const char *cg)
{
	long long us = cg_value(cg, "cpu.stat", "usage_usec");

	return us < 0 ? -1 : us * 1000;
}

static int spin(void *arg)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
	return 0;
}

/* Sleeps until @skip_ms into the next period of @period_ns. */
static void align_to_period(__u64 period_ns, long skip_ms)
{
	__s64 now = mono_ns();
	__s64 next = (now / (__s64)period_ns + 1) * (__s64)period_ns;
	struct timespec ts;

	next += skip_ms * NSEC_PER_MSEC;
	ts.tv_sec = next / NSEC_PER_SEC;
	ts.tv_nsec = next % NSEC_PER_SEC;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* Polls until grid.ko says @id is frozen (or not); the time, or 0. */
static __s64 wait_frozen(__u64 id, bool frozen, long timeout_ms)
{
	__s64 deadline = mono_ns() + timeout_ms * NSEC_PER_MSEC;
	struct grid_ioc_cpu_watch w;

	while (mono_ns() < deadline) {
		if (!watch_get(id, &w) && !!w.frozen == frozen)
			return mono_ns();
		sleep_ms(2);
	}
	return 0;
}

/*
 * Whether every task below @cg is frozen within @timeout_ms: grid.ko
 * reports the freeze when it writes cgroup.freeze, and a task running on
 * another CPU stops a moment later, at its next return to user space.
 */
static bool cg_frozen_within(const char *cg, long timeout_ms)
{
	__s64 deadline = mono_ns() + timeout_ms * NSEC_PER_MSEC;

	while (mono_ns() < deadline) {
		if (cg_value(cg, "cgroup.events", "frozen") == 1)
			return true;
		sleep_ms(1);
	}
	return false;
}

struct gg {
	char path[CG_PATH_LEN];
	char lease[CG_PATH_LEN];
	int fd;
	__u64 id;
};

static int gg_make(struct gg *g)
{
	int ret = cgroup_make(g->path, NULL);

	if (ret)
		return ret;
	ret = cgroup_make(g->lease, g->path);
	if (ret)
		return ret;
	g->fd = open(g->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g->fd < 0)
		return errno;
	undo_id(U_FD, (__u64)g->fd);
	g->id = path_ino(g->path);
	return 0;
}

/* ---- GRID_IOC_CPU_WATCH's checks ----------------------------------------- */

OTEST(watch_refuses_what_is_not_a_cgroup_or_not_the_right_maps)
{
	struct grid_ioc_cpu_watch w;
	struct gg g;
	int rootfd, filefd, arrfd, badhash, badarr;

	EXPECT(bpf_up(), 0);
	EXPECT(gg_make(&g), 0);
	rootfd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	filefd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	arrfd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4,
			       sizeof(struct grid_cpu_limit), 1, NULL);
	badhash = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 8, 8, 1, NULL);
	badarr = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1, NULL);
	CHECK(rootfd >= 0 && filefd >= 0 && arrfd >= 0 && badhash >= 0 &&
	      badarr >= 0);
	undo_id(U_FD, (__u64)rootfd);
	undo_id(U_FD, (__u64)filefd);
	undo_id(U_FD, (__u64)arrfd);
	undo_id(U_FD, (__u64)badhash);
	undo_id(U_FD, (__u64)badarr);

	w = (struct grid_ioc_cpu_watch){ .size = sizeof(w), .cgroup_fd = 9999,
		.limits_fd = limits_fd, .usage_fd = usage_fd, .run_fd = run_fd };
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EBADF);
	w.cgroup_fd = filefd;
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), ENOTDIR);
	w.cgroup_fd = rootfd;
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EINVAL);
	w.cgroup_fd = g.fd;
	w.limits_fd = arrfd;
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EINVAL);
	w.limits_fd = badhash;
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EINVAL);
	w.limits_fd = limits_fd;
	w.usage_fd = limits_fd;		/* right key, wrong value size */
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EINVAL);
	w.usage_fd = 9999;
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EBADF);
	w.usage_fd = usage_fd;
	w.run_fd = usage_fd;		/* a hash where the array goes */
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EINVAL);
	w.run_fd = badarr;		/* an array of the wrong value size */
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EINVAL);
	w.run_fd = 9999;
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EBADF);
	w.run_fd = run_fd;
	w.reserved = 1;
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EINVAL);
	w.reserved = 0;
	w.flags = 1;
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EINVAL);
	w.flags = 0;
	w.frozen = 1;			/* an output, must come in as zero */
	EXPECT(cpu_ioc(GRID_IOC_CPU_WATCH, &w), EINVAL);

	/* Nothing was watched by any of that. */
	EXPECT(watch_get(g.id, &w), ENOENT);
	EXPECT(unwatch(g.id), ENOENT);
}

static bool watch_as_nobody_fails(void)
{
	struct grid_ioc_cpu_watch w;

	return watch_get(1, &w) == EPERM;
}

OTEST(watching_needs_cap_sys_admin)
{
	EXPECT(bpf_up(), 0);
	CHECK(in_child(drop_cap_sys_admin, watch_as_nobody_fails));
}

OTEST(a_second_watch_of_a_cgroup_takes_the_new_maps)
{
	struct grid_ioc_cpu_watch w;
	__u64 id1 = 0, id2 = 0;
	struct gg g;

	EXPECT(bpf_up(), 0);
	EXPECT(gg_make(&g), 0);
	EXPECT(watch(g.fd, &id1), 0);
	CHECK(id1 == g.id);
	EXPECT(watch(g.fd, &id2), 0);
	CHECK(id2 == id1);
	EXPECT(watch_get(g.id, &w), 0);
	CHECK(!w.frozen && !w.freezes);
	EXPECT(unwatch(g.id), 0);
	EXPECT(unwatch(g.id), ENOENT);
}

/* ---- enforcement ---------------------------------------------------------- */

/*
 * @nr_spinners busy tasks in the lease below a grid-grid with a budget of
 * @budget_ms per 2 s period. Checks the freeze, the overshoot, that
 * nothing runs while frozen, and the thaw at the next period.
 *
 * With @again non-NULL, an overshoot past OVERSHOOT_MAX_NS is not yet a
 * failure: it sets *@again for one more run on a fresh grid-grid. Under
 * TCG a tick or a timer now and then comes late by milliseconds (seen: 1
 * run in 8 at 10.0 ms, the others 2.5-8.2 ms); a real regression misses
 * the bound both times.
 */
static void budget_run(int nr_spinners, long budget_ms, bool *again)
{
	const __u64 period = 2 * NSEC_PER_SEC;
	const __u64 budget = budget_ms * NSEC_PER_MSEC;
	struct grid_ioc_cpu_watch w;
	struct grid_cpu_usage gu, lu;
	long long used, used_later, before;
	__s64 t_frozen, t_thawed;
	struct gg g;
	int i;

	EXPECT(gg_make(&g), 0);
	EXPECT(set_budget(g.id, budget, period), 0);
	EXPECT(watch(g.fd, NULL), 0);
	align_to_period(period, 20);
	before = cpu_usage_ns(g.path);
	for (i = 0; i < nr_spinners; i++)
		CHECK(child_in(g.lease, spin, NULL) > 0);

	t_frozen = wait_frozen(g.id, true, 1500);
	CHECK(t_frozen);
	CHECK(cg_frozen_within(g.path, 50));
	sleep_ms(100);			/* let the last charges land */
	used = cpu_usage_ns(g.path) - before;
	gu = usage_of(g.id);
	lu = usage_of(path_ino(g.lease));
	EXPECT(watch_get(g.id, &w), 0);
	printf("# %d spinner(s), budget %ld ms: frozen after %.1f ms of CPU "
	       "(cpu.stat), BPF saw %.1f ms, grid.ko overshoot %.1f ms\n",
	       nr_spinners, budget_ms, used / 1e6, gu.period_used_ns / 1e6,
	       w.overshoot_ns / 1e6);
	CHECK(w.frozen == 1 && w.freezes == 1);
	CHECK(used >= (long long)budget - 2 * (long long)NSEC_PER_MSEC);
	if (again && used > (long long)(budget + OVERSHOOT_MAX_NS)) {
		printf("# past the bound by %.1f ms: once more\n",
		       (used - (long long)(budget + OVERSHOOT_MAX_NS)) / 1e6);
		*again = true;
		EXPECT(unwatch(g.id), 0);
		return;
	}
	CHECK(used <= (long long)(budget + OVERSHOOT_MAX_NS));
	CHECK(gu.period_used_ns >= budget);
	/* The lease is charged what the grid-grid is (it holds every task). */
	CHECK(lu.runtime_ns >= gu.period_used_ns - NSEC_PER_MSEC &&
	      lu.runtime_ns <= gu.runtime_ns);

	/* Frozen means not running. */
	sleep_ms(300);
	used_later = cpu_usage_ns(g.path) - before;
	CHECK(used_later - used < (long long)NSEC_PER_MSEC);

	/* The next period thaws it; it runs and is frozen again. */
	t_thawed = wait_frozen(g.id, false, 2500);
	CHECK(t_thawed);
	printf("# thawed %.0f ms after the period began\n",
	       (double)((t_thawed % (__s64)period)) / 1e6);
	CHECK(t_thawed % (__s64)period < 200 * NSEC_PER_MSEC);
	CHECK(wait_frozen(g.id, true, 1500));
	sleep_ms(100);
	used = cpu_usage_ns(g.path) - before;
	printf("# second period: %.1f ms in both\n", used / 1e6);
	CHECK(used <= (long long)(2 * budget + 2 * OVERSHOOT_MAX_NS));
	CHECK(used >= (long long)(2 * budget - 4 * NSEC_PER_MSEC));
	EXPECT(watch_get(g.id, &w), 0);
	CHECK(w.freezes == 2);

	/* Unwatching thaws at once. */
	EXPECT(unwatch(g.id), 0);
	CHECK(cg_value(g.path, "cgroup.events", "frozen") == 0);
	before = cpu_usage_ns(g.path);
	sleep_ms(200);
	CHECK(cpu_usage_ns(g.path) - before > 50 * NSEC_PER_MSEC);
}

OTEST(one_busy_task_stops_within_10ms_of_cpu_past_the_budget)
{
	bool again = false;

	EXPECT(bpf_up(), 0);
	budget_run(1, 200, &again);
	if (again)
		budget_run(1, 200, NULL);
}

OTEST(two_busy_tasks_stop_within_10ms_of_cpu_past_the_budget)
{
	bool again = false;

	EXPECT(bpf_up(), 0);
	budget_run(2, 300, &again);
	if (again)
		budget_run(2, 300, NULL);
}

OTEST(raising_the_budget_thaws_and_removing_it_never_freezes)
{
	const __u64 period = 60 * NSEC_PER_SEC;
	struct grid_ioc_cpu_watch w;
	struct gg g;

	EXPECT(bpf_up(), 0);
	EXPECT(gg_make(&g), 0);
	EXPECT(set_budget(g.id, 50 * NSEC_PER_MSEC, period), 0);
	EXPECT(watch(g.fd, NULL), 0);
	CHECK(child_in(g.lease, spin, NULL) > 0);
	CHECK(wait_frozen(g.id, true, 1500));
	/* Budgets live in the map: a raise is seen without another ioctl. */
	EXPECT(set_budget(g.id, 60 * NSEC_PER_SEC, period), 0);
	CHECK(wait_frozen(g.id, false, 1500));
	EXPECT(set_budget(g.id, 0, period), 0);
	sleep_ms(300);
	EXPECT(watch_get(g.id, &w), 0);
	CHECK(!w.frozen && w.freezes == 1);
	EXPECT(unwatch(g.id), 0);
}

OTEST(a_grid_grid_without_a_budget_is_only_counted)
{
	struct grid_cpu_usage u;
	struct gg g;

	EXPECT(bpf_up(), 0);
	EXPECT(gg_make(&g), 0);
	EXPECT(set_budget(g.id, 0, 0), 0);
	CHECK(child_in(g.lease, spin, NULL) > 0);
	sleep_ms(300);
	u = usage_of(g.id);
	printf("# counted %.1f ms in 300 ms\n", u.runtime_ns / 1e6);
	CHECK(u.runtime_ns > 100 * NSEC_PER_MSEC);
	CHECK(u.period_used_ns == 0);
}
