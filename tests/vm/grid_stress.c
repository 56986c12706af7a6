// SPDX-License-Identifier: GPL-2.0
/*
 * Scale and concurrency checks of grid.ko, with figures:
 *
 *   grid_stress scale N            N leases created, dumped (netlink and
 *                                  gridfs), destroyed; ops/s, dump time and
 *                                  kernel memory per lease
 *   grid_stress threads T SECONDS  T threads mixing ioctls and dumps
 *   grid_stress populate N GGDIR   a grid, a grid-grid whose share has the
 *                                  cgroup GGDIR (made and delegated), N
 *                                  leases, and GGDIR/l5000 bound to the first
 *
 * Prints "PASS stress/<what>" or "FAIL ..." lines and "# figure" lines.
 * Raw ioctls and libnl, so that it depends on nothing gridctl does.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/grid.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

static int fd;
static int failures;

#define FAILF(...) do { printf("# " __VA_ARGS__); putchar('\n'); failures++; } while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long kernel_mem_kb(void)
{
	char line[256];
	long s = 0, v = 0, x;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SUnreclaim: %ld", &x) == 1)
			s = x;
		if (sscanf(line, "VmallocUsed: %ld", &x) == 1)
			v = x;
	}
	fclose(f);
	return s + v;
}

static void drop_caches(void)
{
	int f = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (f >= 0) {
		if (write(f, "3", 1) < 0)
			perror("drop_caches");
		close(f);
	}
	sleep(1);
}

static int ioc(unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static void key_of(uint8_t *key, unsigned int seed)
{
	memset(key, 0, GRID_KEY_LEN);
	key[0] = 0x42;
	memcpy(key + 1, &seed, sizeof(seed));
}

static void limits_small(struct grid_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->cpu_quota_us = 1000;
	l->cpu_period_us = 100000;
	l->cpu_budget_us = 1;
	l->memory_bytes = 4096;
	l->pids = 1;
	l->net_egress_rate = 1;
	l->net_ingress_rate = 1;
	l->net_egress_budget = 1;
	l->net_ingress_budget = 1;
}

/* A grid "g<tag>" with key seed @tag and a grid-grid "gg<tag>" with a big share. */
static int setup_domain_in(unsigned int tag, int cgroup_fd)
{
	struct grid_ioc_grid g = { .size = sizeof(g) };
	struct grid_ioc_gridgrid gg = { .size = sizeof(gg) };
	struct grid_ioc_share sh = { .size = sizeof(sh) };
	int e;

	snprintf(g.name, sizeof(g.name), "g%u", tag);
	key_of(g.key, tag);
	snprintf(gg.name, sizeof(gg.name), "gg%u", tag);
	key_of(gg.charter_key, tag + 1000000);
	memcpy(sh.gridgrid, gg.name, GRID_NAME_LEN);
	sh.limits.cpu_quota_us = GRID_LIMIT_MAX;
	sh.limits.cpu_period_us = 100000;
	sh.limits.cpu_budget_us = GRID_LIMIT_MAX;
	sh.limits.memory_bytes = GRID_LIMIT_MAX;
	sh.limits.pids = GRID_LIMIT_MAX;
	sh.limits.net_egress_rate = GRID_LIMIT_MAX;
	sh.limits.net_ingress_rate = GRID_LIMIT_MAX;
	sh.limits.net_egress_budget = GRID_LIMIT_MAX;
	sh.limits.net_ingress_budget = GRID_LIMIT_MAX;
	sh.limits.budget_period_s = 86400;
	if (cgroup_fd >= 0) {
		sh.flags = GRID_SHARE_CGROUP;
		sh.cgroup_fd = cgroup_fd;
	}
	if ((e = ioc(GRID_IOC_GRID_ADD, &g)) ||
	    (e = ioc(GRID_IOC_GRIDGRID_ADD, &gg)) ||
	    (e = ioc(GRID_IOC_SHARE_ADD, &sh)))
		return e;
	return 0;
}

static int setup_domain(unsigned int tag)
{
	return setup_domain_in(tag, -1);
}

static void teardown_domain(unsigned int tag)
{
	struct grid_ioc_grid g = { .size = sizeof(g) };
	struct grid_ioc_gridgrid gg = { .size = sizeof(gg) };
	struct grid_ioc_share sh = { .size = sizeof(sh) };

	snprintf(g.name, sizeof(g.name), "g%u", tag);
	snprintf(gg.name, sizeof(gg.name), "gg%u", tag);
	memcpy(sh.gridgrid, gg.name, GRID_NAME_LEN);
	ioc(GRID_IOC_SHARE_DEL, &sh);
	ioc(GRID_IOC_GRIDGRID_DEL, &gg);
	ioc(GRID_IOC_GRID_DEL, &g);
}

/* Lease @id of grid-grid gg<@tag> with limits @lim, active until @not_after. */
static int lease_add_limits(unsigned int tag, uint64_t id, long long not_after,
			    const struct grid_limits *lim)
{
	struct grid_ioc_lease l = { .size = sizeof(l) };

	l.id = id;
	l.serial = 1;
	key_of(l.issuer, tag);
	key_of(l.holder, 7);
	snprintf(l.gridgrid, sizeof(l.gridgrid), "gg%u", tag);
	l.limits = *lim;
	l.not_before_ns = realtime_ns() - 1000000000LL;
	l.not_after_ns = not_after;
	return ioc(GRID_IOC_LEASE_ADD, &l);
}

static int lease_add(unsigned int tag, uint64_t id, long long not_after)
{
	struct grid_limits lim;

	limits_small(&lim);
	return lease_add_limits(tag, id, not_after, &lim);
}

static int lease_del(uint64_t id)
{
	struct grid_ioc_lease_ref r = { .size = sizeof(r), .id = id };

	return ioc(GRID_IOC_LEASE_DEL, &r);
}

/* ---- netlink dump ------------------------------------------------------ */

struct dump_ctx {
	long count;
};

static int count_msg(struct nl_msg *msg, void *arg)
{
	struct dump_ctx *c = arg;

	(void)msg;
	c->count++;
	return NL_OK;
}

/*
 * Dumps one kind of object and counts the messages; a dump interrupted
 * by a change starts again. Returns the count, or -1; *restarts says how
 * often it had to start again.
 */
static long dump_count(struct nl_sock *sk, int family, uint8_t cmd,
		       int *restarts)
{
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		struct dump_ctx c = { 0 };
		struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
		int ret;

		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, count_msg, &c);
		ret = genl_send_simple(sk, family, cmd, GRID_GENL_VERSION,
				       NLM_F_DUMP);
		if (ret >= 0)
			ret = nl_recvmsgs(sk, cb);
		nl_cb_put(cb);
		if (ret == -NLE_DUMP_INTR) {
			if (restarts)
				(*restarts)++;
			continue;
		}
		if (ret < 0) {
			printf("# dump %u: %s\n", cmd, nl_geterror(ret));
			return -1;
		}
		return c.count;
	}
	return -1;
}

static struct nl_sock *nl_open(int *family)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk || genl_connect(sk))
		return NULL;
	nl_socket_set_buffer_size(sk, 1 << 20, 1 << 20);
	*family = genl_ctrl_resolve(sk, GRID_GENL_NAME);
	if (*family < 0)
		return NULL;
	return sk;
}

/* ---- scale ------------------------------------------------------------- */

static long count_dir(const char *path)
{
	char cmd[256];
	long n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s | wc -l", path);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%ld", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void scale(unsigned int n)
{
	long long far = realtime_ns() + 3600 * 1000000000LL;
	long before, during, after, got, tomb_kb;
	struct nl_sock *sk;
	int family, restarts = 0;
	unsigned int i;
	double t0, t1, t2, t3;

	drop_caches();
	before = kernel_mem_kb();
	if (setup_domain(1)) {
		FAILF("setup failed");
		return;
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		int e = lease_add(1, 1000 + i, far);

		if (e) {
			FAILF("lease %u: %s", i, strerror(e));
			break;
		}
	}
	t1 = now_s();
	sk = nl_open(&family);
	got = sk ? dump_count(sk, family, GRID_CMD_GET_LEASE, &restarts) : -1;
	t2 = now_s();
	printf("%s stress/scale_dump_sees_every_lease (%ld of %u)\n",
	       got == (long)n ? "PASS" : "FAIL", got, n);
	if (got != (long)n)
		failures++;
	if (!system("mkdir -p /tmp/gfs && mount -t gridfs -o gridgrid=gg1 none /tmp/gfs")) {
		long m = count_dir("/tmp/gfs/leases");

		printf("%s stress/scale_gridfs_lists_every_lease (%ld of %u)\n",
		       m == (long)n ? "PASS" : "FAIL", m, n);
		if (m != (long)n)
			failures++;
		if (system("umount /tmp/gfs"))
			FAILF("umount failed");
	} else {
		FAILF("gridfs mount failed");
	}
	drop_caches();
	during = kernel_mem_kb();
	t3 = now_s();
	for (i = 0; i < n; i++) {
		int e = lease_del(1000 + i);

		if (e) {
			FAILF("lease del %u: %s", i, strerror(e));
			break;
		}
	}
	t3 = now_s() - t3;
	teardown_domain(1);
	drop_caches();
	after = kernel_mem_kb();
	printf("# %u leases: create %.0f/s, dump %.3f s (%d restarts), destroy %.0f/s\n",
	       n, n / (t1 - t0), t2 - t1, restarts, n / t3);
	printf("# kernel memory: %ld kB before, %ld kB with %u leases (%.0f bytes per lease), %ld kB after\n",
	       before, during, n, (during - before) * 1024.0 / n, after);
	/*
	 * A deleted lease leaves a tombstone of 64 bytes (a kmalloc-64) until
	 * its not_after, an hour away: all but that must be back. rmmod frees
	 * the tombstones too (scale.sh).
	 */
	tomb_kb = (long)n * 64 / 1024;
	printf("%s stress/scale_memory_back_to_baseline_but_tombstones (%+ld kB, %ld kB of them tombstones)\n",
	       after - before < 512 + tomb_kb ? "PASS" : "FAIL", after - before,
	       tomb_kb);
	if (after - before >= 512 + tomb_kb)
		failures++;
	if (sk)
		nl_socket_free(sk);
}

/* ---- threads ----------------------------------------------------------- */

static atomic_bool stop;
static atomic_long ops, errors;

/* Counts an unexpected error, and says what the first few were. */
static void unexpected(const char *what, int e)
{
	if (atomic_fetch_add(&errors, 1) < 5)
		printf("# unexpected: %s: %s\n", what, e ? strerror(e) : "failed");
}

static void *worker(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg;
	long long far = realtime_ns() + 3600 * 1000000000LL;
	struct nl_sock *sk = NULL;
	int family = 0;
	unsigned int i = 0;

	if (t % 2)
		sk = nl_open(&family);
	while (!atomic_load(&stop)) {
		uint64_t id = ((uint64_t)(t + 1) << 32) | (i % 64);
		int e;

		switch ((i + t) % 4) {
		case 0:
		case 1:
			e = lease_add(t % 2, id, far);
			if (e && e != EEXIST)
				unexpected("lease add", e);
			break;
		case 2:
			e = lease_del(id);
			if (e && e != ENOENT)
				unexpected("lease del", e);
			break;
		case 3:
			if (sk) {
				if (dump_count(sk, family, GRID_CMD_GET_LEASE, NULL) < 0 ||
				    dump_count(sk, family, GRID_CMD_GET_GRIDGRID, NULL) < 0)
					unexpected("dump", 0);
			} else {
				struct grid_status st = { .size = sizeof(st) };

				e = ioc(GRID_IOC_STATUS, &st);
				if (e)
					unexpected("status", e);
			}
			break;
		}
		atomic_fetch_add(&ops, 1);
		i++;
	}
	for (i = 0; i < 64; i++)
		lease_del(((uint64_t)(t + 1) << 32) | i);
	if (sk)
		nl_socket_free(sk);
	return NULL;
}

static void threads(unsigned int n, unsigned int seconds)
{
	pthread_t th[64];
	unsigned int i;

	if (n > 64)
		n = 64;
	if (setup_domain(0) || setup_domain(1)) {
		FAILF("setup failed");
		return;
	}
	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i);
	sleep(seconds);
	atomic_store(&stop, true);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	teardown_domain(0);
	teardown_domain(1);
	printf("# %u threads, %u s: %ld operations, %ld unexpected errors\n",
	       n, seconds, atomic_load(&ops), atomic_load(&errors));
	printf("%s stress/threads_without_unexpected_errors\n",
	       atomic_load(&errors) ? "FAIL" : "PASS");
	if (atomic_load(&errors))
		failures++;
}

/* ---- populate ---------------------------------------------------------- */

/* Writes @s into the cgroup file @dir/@file: 0 or an errno. */
static int cg_write(const char *dir, const char *file, const char *s)
{
	char path[4096];
	int f, e = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = open(path, O_WRONLY | O_CLOEXEC);
	if (f < 0)
		return errno;
	if (write(f, s, strlen(s)) < 0)
		e = errno;
	close(f);
	return e;
}

/*
 * Leases a job could live in: a tenth of a core, 64 MiB, 16 tasks, no
 * network limit. The share has no limit, so N of them always fit.
 */
static int lease_add_job(unsigned int tag, uint64_t id, long long not_after)
{
	struct grid_limits lim = {
		.cpu_quota_us = 10000,
		.cpu_period_us = 100000,
		.cpu_budget_us = GRID_LIMIT_MAX,
		.memory_bytes = 64 << 20,
		.pids = 16,
		.net_egress_rate = GRID_LIMIT_MAX,
		.net_ingress_rate = GRID_LIMIT_MAX,
		.net_egress_budget = GRID_LIMIT_MAX,
		.net_ingress_budget = GRID_LIMIT_MAX,
		.budget_period_s = 86400,
	};

	return lease_add_limits(tag, id, not_after, &lim);
}

static void populate(unsigned int n, const char *ggdir)
{
	long long far = realtime_ns() + 3600 * 1000000000LL;
	struct grid_ioc_sandbox sb = { .size = sizeof(sb) };
	char job[4096];
	unsigned int i;
	int e, cg;

	/* The grid-grid's cgroup, able to carry its leases' limits. */
	if (mkdir(ggdir, 0755) && errno != EEXIST) {
		FAILF("mkdir %s: %s", ggdir, strerror(errno));
		return;
	}
	if ((e = cg_write(ggdir, "cgroup.subtree_control",
			  "+cpu +memory +pids"))) {
		FAILF("%s: cannot enable cpu, memory, pids: %s", ggdir,
		      strerror(e));
		return;
	}
	cg = open(ggdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0 || (e = setup_domain_in(2, cg))) {
		FAILF("setup failed");
		return;
	}
	close(cg);
	for (i = 0; i < n; i++)
		if ((e = lease_add_job(2, 5000 + i, far))) {
			FAILF("lease %u: %s", i, strerror(e));
			return;
		}
	snprintf(job, sizeof(job), "%s/l5000", ggdir);
	if (mkdir(job, 0755) && errno != EEXIST) {
		FAILF("mkdir %s: %s", job, strerror(errno));
		return;
	}
	sb.lease_id = 5000;
	sb.cgroup_fd = open(job, O_RDONLY | O_DIRECTORY);
	if ((e = ioc(GRID_IOC_SANDBOX_BIND, &sb)))
		FAILF("bind %s: %s", job, strerror(e));
	close(sb.cgroup_fd);
	printf("%s stress/populated (%u leases, sandbox %llu)\n",
	       failures ? "FAIL" : "PASS", n, (unsigned long long)sb.cgroup_id);
}

int main(int argc, char **argv)
{
	fd = open("/dev/grid", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("grid_stress: /dev/grid");
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "scale"))
		scale(atoi(argv[2]));
	else if (argc == 4 && !strcmp(argv[1], "threads"))
		threads(atoi(argv[2]), atoi(argv[3]));
	else if (argc == 4 && !strcmp(argv[1], "populate"))
		populate(atoi(argv[2]), argv[3]);
	else {
		fprintf(stderr, "usage: grid_stress scale N | threads T SECONDS | populate N CGROUP\n");
		return 2;
	}
	close(fd);
	return failures ? 1 : 0;
}
