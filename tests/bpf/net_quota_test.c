// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/grid_net.h through BPF_PROG_TEST_RUN: which grid-grid and lease a
 * packet is counted for, egress pacing, the ingress token bucket (GCRA),
 * byte budgets per period, IPv4 and IPv6 alike, and exact counts and
 * reservations when several CPUs run the programs at once.
 *
 * The product's programs keep a grid-grid's state and counters in the
 * cgroup storage of its cgroup, which test_run replaces with a fresh one
 * on every call; tests/bpf/grid_net_test.bpf.c runs the very same code on
 * a state and counters in arrays (entry 0), which this test writes and
 * reads as the loader writes and reads the storage. The lease counters
 * are the same map as the product's, grid_lease_net.
 *
 * test_run gives the packet a socket of the calling process's cgroup (v2),
 * so the test moves itself into /<cgroup2>/gridtest-<pid>/lease and makes
 * gridtest-<pid> the grid-grid: its lease is the level below it, wherever
 * cgroup2 is mounted. The program sees skb->len, the L3 length (test_run
 * strips the Ethernet header for cgroup_skb), and reads
 * bpf_ktime_get_ns(): the test bounds "now" by CLOCK_MONOTONIC read before
 * and after each run.
 *
 * Runs on the host where the kernel allows it (root, BPF, cgroup v2), and
 * in the VM (tests/vm/bpf.sh), where nothing may skip.
 */
#define UNIT_SUITE "bpf/net_quota"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "net_state.h"
#include "unit.h"
#include <linux/bpf.h>
#include <linux/grid_bpf.h>
#include "net_test.h"
#include "grid_net_test.skel.h"

#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_MSEC	1000000ULL
#define ETH_HLEN	14
#define LEN		1000	/* the L3 length of most test packets */

/* Verdicts: cgroup_skb's, and egress's "drop, congestion". */
#define V_DROP		0
#define V_PASS		1
#define V_DROP_CN	2

/*
 * Between bpf_ktime_get_ns() in the program and clock_gettime() here: the
 * same clock, read through different paths.
 */
#define SLACK_NS	(1 * NSEC_PER_MSEC)

/* The cgroup namespace of the initial one: its paths are the real ones. */
#define INIT_CGROUP_NS	"cgroup:[4026531835]"

static struct grid_net_test_bpf *skel;
static const char *why_not;
static char cg_home[PATH_MAX], cg_gg[PATH_MAX], cg_lease[PATH_MAX];
static char cg_job[PATH_MAX];
static bool cg_made;
static __u64 gg_id, lease_id;
static __u32 gg_level;		/* 0 when it cannot be known from here */
static int ncpus;

/* ---- assertions that show the values ------------------------------------- */




/* ---- time ---------------------------------------------------------------- */

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void sleep_until(__u64 t)
{
	struct timespec ts = {
		.tv_sec = t / NSEC_PER_SEC,
		.tv_nsec = t % NSEC_PER_SEC,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void sleep_ns(__u64 d)
{
	sleep_until(now_ns() + d);
}

/* Waits, if need be, until at least @need is left of the current period. */
static void leave_room_in_period(__u64 period_ns, __u64 need)
{
	__u64 t = now_ns();

	if (period_ns - t % period_ns < need)
		sleep_until((t / period_ns + 1) * period_ns + SLACK_NS);
}

/* Waits for the start of the next period; returns its number. */
static __u64 next_period(__u64 period_ns)
{
	__u64 n = now_ns() / period_ns + 1;

	sleep_until(n * period_ns + 2 * SLACK_NS);
	return n;
}

/* ---- packets ------------------------------------------------------------- */

/*
 * An Ethernet frame holding an IPv4 or IPv6 UDP packet of @l3len bytes
 * (from the IP header on). Returns the frame's length.
 */
static size_t make_packet(unsigned char *buf, int family, size_t l3len)
{
	unsigned char *ip = buf + ETH_HLEN, *udp;
	size_t iphl = family == AF_INET6 ? 40 : 20;

	memset(buf, 0, ETH_HLEN + l3len);
	if (family == AF_INET6) {
		buf[12] = 0x86;
		buf[13] = 0xdd;			/* ETH_P_IPV6 */
		ip[0] = 0x60;			/* version 6 */
		ip[4] = (l3len - iphl) >> 8;	/* payload length */
		ip[5] = (l3len - iphl) & 0xff;
		ip[6] = 17;			/* UDP */
		ip[7] = 64;			/* hop limit */
		ip[8] = 0xfd; ip[23] = 1;	/* fd00::1 */
		ip[24] = 0xfd; ip[39] = 2;	/* fd00::2 */
	} else {
		buf[12] = 0x08;			/* ETH_P_IP */
		ip[0] = 0x45;			/* IPv4, IHL 5 */
		ip[2] = l3len >> 8;
		ip[3] = l3len & 0xff;
		ip[8] = 64;			/* TTL */
		ip[9] = 17;			/* UDP */
		ip[12] = 10; ip[15] = 1;	/* 10.0.0.1 */
		ip[16] = 10; ip[19] = 2;	/* 10.0.0.2 */
	}
	udp = ip + iphl;
	udp[0] = 0x30; udp[1] = 0x39;		/* 12345 */
	udp[2] = 0x30; udp[3] = 0x3a;		/* 12346 */
	udp[4] = (l3len - iphl) >> 8;
	udp[5] = (l3len - iphl) & 0xff;
	return ETH_HLEN + l3len;
}

/* The two ECN bits of an IP header (RFC 3168): not ECT, ECT(0), CE. */
#define ECN_NOT_ECT	0
#define ECN_ECT0	2
#define ECN_CE		3

static unsigned int ecn_of(const unsigned char *ip, int family)
{
	return family == AF_INET6 ? (ip[1] >> 4) & 3 : ip[1] & 3;
}

static void set_ecn(unsigned char *ip, int family, unsigned int ecn)
{
	if (family == AF_INET6)
		ip[1] = (ip[1] & 0xcf) | ecn << 4;
	else
		ip[1] = (ip[1] & 0xfc) | ecn;	/* the checksum is not checked */
}

/* One test_run: its verdict, the stamp it left, and when it ran. */
struct run {
	int err;
	__u32 retval;
	__u32 duration;		/* ns per run, as test_run measured it */
	__u64 tstamp;		/* skb->tstamp afterwards */
	__u64 before, after;	/* CLOCK_MONOTONIC around the call */
	unsigned int ecn;	/* the packet's ECN bits afterwards */
};

static struct run run_ecn(struct bpf_program *prog, int family, size_t l3len,
			  __u64 tstamp, __u32 repeat, unsigned int ecn)
{
	unsigned char pkt[ETH_HLEN + 1500], out[ETH_HLEN + 1500];
	struct __sk_buff ctx_in, ctx_out;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct run r = { 0 };

	memset(&ctx_in, 0, sizeof(ctx_in));
	memset(&ctx_out, 0, sizeof(ctx_out));
	memset(out, 0, sizeof(out));
	ctx_in.tstamp = tstamp;
	opts.data_in = pkt;
	opts.data_size_in = make_packet(pkt, family, l3len);
	set_ecn(pkt + ETH_HLEN, family, ecn);
	/* Given back with the Ethernet header again (zeroed). */
	opts.data_out = out;
	opts.data_size_out = sizeof(out);
	opts.ctx_in = &ctx_in;
	opts.ctx_size_in = sizeof(ctx_in);
	opts.ctx_out = &ctx_out;
	opts.ctx_size_out = sizeof(ctx_out);
	opts.repeat = repeat;
	r.before = now_ns();
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		r.err = errno ? errno : EIO;
	r.after = now_ns();
	r.retval = opts.retval;
	r.duration = opts.duration;
	r.tstamp = ctx_out.tstamp;
	r.ecn = ecn_of(out + ETH_HLEN, family);
	return r;
}

static struct run run_prog(struct bpf_program *prog, int family, size_t l3len,
			   __u64 tstamp, __u32 repeat)
{
	return run_ecn(prog, family, l3len, tstamp, repeat, ECN_NOT_ECT);
}

static struct run egress(int family, size_t l3len, __u64 tstamp)
{
	return run_prog(skel->progs.test_net_egress, family, l3len, tstamp, 1);
}

static struct run ingress(int family, size_t l3len)
{
	return run_prog(skel->progs.test_net_ingress, family, l3len, 0, 1);
}

static struct run one(__u32 dir, int family, size_t l3len)
{
	return dir == GRID_DIR_EGRESS ? egress(family, l3len, 0) :
					ingress(family, l3len);
}

/* A run that went through, with verdict @v. */
#define CHECK_RUN(r, v)							\
	do {								\
		struct run r_ = (r);					\
		CHECK_EQ(r_.err, 0);					\
		CHECK_EQ(r_.retval, (v));				\
	} while (0)

/* ---- maps ---------------------------------------------------------------- */

static void clear_map(struct bpf_map *map)
{
	unsigned char key[64];
	int fd = bpf_map__fd(map);

	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			break;
}

static int map_entries(struct bpf_map *map)
{
	unsigned char key[64], prev[64];
	int fd = bpf_map__fd(map), n = 0;

	while (!bpf_map_get_next_key(fd, n ? prev : NULL, key)) {
		memcpy(prev, key, sizeof(key));
		n++;
	}
	return n;
}

/*
 * Entry @key of a per-CPU map of struct grid_gg_count, summed over the
 * CPUs (each CPU's value 8-byte aligned, which a run of u64s is already).
 * Zeros, and an error, if there is no such entry.
 */
static int sum_count(struct bpf_map *map, const void *key,
		     struct grid_gg_count *sum)
{
	const size_t words = sizeof(*sum) / sizeof(__u64);
	__u64 *per_cpu, *out = (__u64 *)sum;
	int i, ret = 0;
	size_t w;

	memset(sum, 0, sizeof(*sum));
	per_cpu = calloc(ncpus, sizeof(*sum));
	if (!per_cpu)
		return ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(map), key, per_cpu))
		ret = errno;
	for (i = 0; !ret && i < ncpus; i++)
		for (w = 0; w < words; w++)
			out[w] += per_cpu[i * words + w];
	free(per_cpu);
	return ret;
}

static struct grid_usage of_dir(const struct grid_gg_count *c, __u32 dir)
{
	return dir == GRID_DIR_EGRESS ? c->egress : c->ingress;
}

/* The grid-grid's counters in @dir. */
static struct grid_usage gg_usage(__u32 dir)
{
	struct grid_gg_count c;
	__u32 zero = 0;

	sum_count(skel->maps.test_gg_count, &zero, &c);
	return of_dir(&c, dir);
}

/* The counters of lease @id in @dir; zeros if it has none. */
static struct grid_usage lease_usage(__u64 id, __u32 dir)
{
	struct grid_gg_key k = { .cgroup_id = id };
	struct grid_gg_count c;

	sum_count(skel->maps.grid_lease_net, &k, &c);
	return of_dir(&c, dir);
}

/* The grid-grid's state, as the loader reads its cgroup storage. */
static bool state(struct grid_gg_net *st)
{
	__u32 zero = 0;

	memset(st, 0, sizeof(*st));
	return !bpf_map_lookup_elem(bpf_map__fd(skel->maps.test_gg_net),
				    &zero, st);
}

static int put_state(const struct grid_gg_net *st)
{
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(skel->maps.test_gg_net), &zero,
				   st, BPF_EXIST) ? errno : 0;
}

/*
 * As the loader sets a grid-grid up or changes its limits: the state read
 * a moment before is written back with the cgroup id and the limits.
 * Cgroup id 0 is a grid-grid not set up yet.
 */
static int set_limits(__u64 id, const struct grid_net_limit *lim)
{
	struct grid_gg_net st;

	if (!state(&st))
		return errno;
	st.cgroup_id = id;
	grid_net_relimit(&st, lim, grid_net_now_ns());
	return put_state(&st);
}


#define CHECK_GG(dir, b, p, d)	CHECK_USAGE(gg_usage(dir), (b), (p), (d))
#define CHECK_LEASE(dir, b, p, d)					\
	CHECK_USAGE(lease_usage(lease_id, (dir)), (b), (p), (d))

/* The grid-grid and its lease counted alike. */
#define CHECK_BOTH(dir, b, p, d)					\
	do {								\
		CHECK_GG((dir), (b), (p), (d));				\
		CHECK_LEASE((dir), (b), (p), (d));			\
	} while (0)

/* ---- cgroups ------------------------------------------------------------- */



/* The cgroup v2 path of this process, as /proc/self/cgroup says. */
static int own_cgroup(char *out, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int err = ENOENT;

	if (!f)
		return errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		err = snprintf(out, size, "%s", line + 3) >= (int)size ?
		      ENAMETOOLONG : 0;
		break;
	}
	free(line);
	fclose(f);
	return err;
}

/*
 * Where cgroup v2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified
 * beside v1), and which cgroup the mount shows at its top (/ unless a
 * subtree was mounted), from /proc/self/mountinfo.
 */
static int cgroup2_mount(char *dir, char *top)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, type[64];
	const char *sep;
	size_t cap = 0;
	int err = ENOENT;

	if (!f)
		return errno;
	while (getline(&line, &cap, f) > 0) {
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", type) != 1 ||
		    strcmp(type, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", top, dir) == 2)
			err = 0;
		break;
	}
	free(line);
	fclose(f);
	return err;
}

/* How many names a path has: the level of a cgroup, given its full path. */
static __u32 depth(const char *path)
{
	__u32 n = 0;

	for (; *path; path++)
		if (*path != '/' && (path[1] == '/' || !path[1]))
			n++;
	return n;
}

/*
 * The level of the grid-grid's cgroup, which the programs find from the
 * top: one below the top of the mount, plus the depth of what the mount
 * shows. Inside a cgroup namespace, paths start at the namespace's root,
 * whose level is not known from here: 0.
 */
static __u32 level_of_gg(const char *top)
{
	char ns[64];
	ssize_t n = readlink("/proc/self/ns/cgroup", ns, sizeof(ns) - 1);

	if (n < 0)
		return 0;
	ns[n] = 0;
	return strcmp(ns, INIT_CGROUP_NS) ? 0 : depth(top) + 1;
}


static int inode_of(const char *path, __u64 *ino)
{
	struct stat sb;

	if (stat(path, &sb))
		return errno;
	*ino = sb.st_ino;
	return 0;
}

/*
 * /<cgroup2>/gridtest-<pid>/lease/job, with this process in the lease.
 * gridtest-<pid> is the grid-grid.
 */
static void set_up_cgroups(void)
{
	char root[PATH_MAX], top[PATH_MAX], own[PATH_MAX], want[PATH_MAX];
	int err;

	err = cgroup2_mount(root, top);
	if (err) {
		why_not = why("no cgroup v2 mounted", err);
		return;
	}
	err = own_cgroup(own, sizeof(own));
	if (err) {
		why_not = why("cannot read /proc/self/cgroup", err);
		return;
	}
	if (snprintf(cg_home, sizeof(cg_home), "%s%s", root,
		     strcmp(own, "/") ? own : "") >= (int)sizeof(cg_home) ||
	    snprintf(cg_gg, sizeof(cg_gg), "%s/gridtest-%d", root,
		     (int)getpid()) >= (int)sizeof(cg_gg) ||
	    snprintf(cg_lease, sizeof(cg_lease), "%s/lease",
		     cg_gg) >= (int)sizeof(cg_lease) ||
	    snprintf(cg_job, sizeof(cg_job), "%s/job",
		     cg_lease) >= (int)sizeof(cg_job)) {
		why_not = why("cgroup paths", ENAMETOOLONG);
		return;
	}
	gg_level = level_of_gg(top);
	if (mkdir(cg_gg, 0755)) {
		why_not = why("cannot create a cgroup v2", errno);
		return;
	}
	cg_made = true;
	if (mkdir(cg_lease, 0755) || mkdir(cg_job, 0755)) {
		why_not = why("cannot create a cgroup v2", errno);
		return;
	}
	err = inode_of(cg_gg, &gg_id);
	if (!err)
		err = inode_of(cg_lease, &lease_id);
	if (err) {
		why_not = why("cannot stat a cgroup v2", err);
		return;
	}
	err = move_to(cg_lease);
	if (err) {
		why_not = why("cannot move into a cgroup v2", err);
		return;
	}
	snprintf(want, sizeof(want), "/gridtest-%d/lease", (int)getpid());
	err = own_cgroup(own, sizeof(own));
	if (err || !strstr(own, want))
		why_not = why("the move into a cgroup v2 did not take", err ? err : EINVAL);
}

static void tear_down_cgroups(void)
{
	if (!cg_made)
		return;
	if (move_to(cg_home))
		fprintf(stderr, "cannot move back to %s: %m\n", cg_home);
	if (rmdir(cg_job) && errno != ENOENT)
		fprintf(stderr, "cannot remove %s: %m\n", cg_job);
	if (rmdir(cg_lease) && errno != ENOENT)
		fprintf(stderr, "cannot remove %s: %m\n", cg_lease);
	if (rmdir(cg_gg))
		fprintf(stderr, "cannot remove %s: %m\n", cg_gg);
}

/*
 * Every test starts in the lease with a state as a new cgroup storage
 * has it (zero: not set up yet), no counts on any CPU and no lease
 * entries. The maps are the skeleton's own: nothing else runs these
 * programs.
 */
static int fresh(void)
{
	struct grid_gg_net st;
	__u64 *zeros;
	__u32 zero = 0;
	int err;

	memset(&st, 0, sizeof(st));
	err = put_state(&st);
	if (err)
		return err;
	zeros = calloc(ncpus, sizeof(struct grid_gg_count));
	if (!zeros)
		return ENOMEM;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.test_gg_count), &zero,
				zeros, BPF_EXIST))
		err = errno;
	free(zeros);
	if (err)
		return err;
	clear_map(skel->maps.grid_lease_net);
	return move_to(cg_lease);
}

#define BEGIN()								\
	do {								\
		if (why_not)						\
			SKIP(why_not);					\
		CHECK_EQ(fresh(), 0);					\
	} while (0)

/* Runs @e and @i (egress, ingress) from the cgroup at @dir. */
#define FROM(dir, e, i)							\
	do {								\
		int err_ = move_to(dir);				\
		e = egress(AF_INET, LEN, 0);				\
		i = ingress(AF_INET, LEN);				\
		CHECK_EQ(move_to(cg_lease), 0);				\
		CHECK_EQ(err_, 0);					\
	} while (0)

/* ---- classification ------------------------------------------------------ */

/* Limits that drop every packet of the grid-grid. */
static const struct grid_net_limit drop_all = {
	.egress_budget = 1, .ingress_budget = 1, .period_ns = NSEC_PER_SEC,
};

TEST(a_packet_whose_socket_is_outside_the_grid_grids_cgroup_passes_uncounted)
{
	struct grid_gg_net st;
	struct run e, i;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &drop_all), 0);
	FROM(cg_home, e, i);
	CHECK_RUN(e, V_PASS);
	CHECK_RUN(i, V_PASS);
	CHECK_GG(GRID_DIR_EGRESS, 0, 0, 0);
	CHECK_GG(GRID_DIR_INGRESS, 0, 0, 0);
	CHECK_EQ(map_entries(skel->maps.grid_lease_net), 0);
	/*
	 * Not the grid-grid's packet: its level is not learnt from it, nor
	 * is a period begun (a new period length leaves none begun).
	 */
	CHECK(state(&st));
	CHECK_EQ(st.level, 0);
	CHECK_EQ(st.period, GRID_NO_PERIOD);

	/* The same packets from the lease meet the limits. */
	CHECK_RUN(egress(AF_INET, LEN, 0), V_DROP_CN);
	CHECK_RUN(ingress(AF_INET, LEN), V_DROP);
	CHECK_BOTH(GRID_DIR_EGRESS, 0, 0, 1);
	CHECK_BOTH(GRID_DIR_INGRESS, 0, 0, 1);

	/* And once the level is known, outside is still outside. */
	FROM(cg_home, e, i);
	CHECK_RUN(e, V_PASS);
	CHECK_RUN(i, V_PASS);
	CHECK_BOTH(GRID_DIR_EGRESS, 0, 0, 1);
	CHECK_BOTH(GRID_DIR_INGRESS, 0, 0, 1);
}

/*
 * A cgroup storage is made zeroed with the links; until the loader has
 * written the grid-grid's cgroup id, nothing is counted or limited, and
 * the state is left as it is.
 */
TEST(a_grid_grid_not_set_up_yet_passes_uncounted)
{
	struct grid_gg_net before, after;

	BEGIN();
	CHECK_EQ(set_limits(0, &drop_all), 0);
	CHECK(state(&before));
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_RUN(ingress(AF_INET6, LEN), V_PASS);
	CHECK_GG(GRID_DIR_EGRESS, 0, 0, 0);
	CHECK_GG(GRID_DIR_INGRESS, 0, 0, 0);
	CHECK_EQ(map_entries(skel->maps.grid_lease_net), 0);
	CHECK(state(&after));
	CHECK(!memcmp(&before, &after, sizeof(before)));
}

TEST(the_lease_is_the_cgroup_one_level_below_the_grid_grid)
{
	struct grid_net_limit none = { 0 };
	struct run e, i;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &none), 0);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_RUN(ingress(AF_INET, LEN + 1), V_PASS);
	/* skb->len is the L3 length, not the frame's. */
	CHECK_BOTH(GRID_DIR_EGRESS, LEN, 1, 0);
	CHECK_BOTH(GRID_DIR_INGRESS, LEN + 1, 1, 0);
	CHECK_EQ(map_entries(skel->maps.grid_lease_net), 1);

	/* A job's socket, further down, counts for the lease it is in. */
	FROM(cg_job, e, i);
	CHECK_RUN(e, V_PASS);
	CHECK_RUN(i, V_PASS);
	CHECK_BOTH(GRID_DIR_EGRESS, 2 * LEN, 2, 0);
	CHECK_BOTH(GRID_DIR_INGRESS, 2 * LEN + 1, 2, 0);
	CHECK_EQ(map_entries(skel->maps.grid_lease_net), 1);
}

TEST(a_socket_in_the_grid_grids_own_cgroup_counts_for_the_grid_grid_alone)
{
	struct grid_net_limit none = { 0 };
	struct run e, i;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &none), 0);
	FROM(cg_gg, e, i);
	CHECK_RUN(e, V_PASS);
	CHECK_RUN(i, V_PASS);
	CHECK_GG(GRID_DIR_EGRESS, LEN, 1, 0);
	CHECK_GG(GRID_DIR_INGRESS, LEN, 1, 0);
	CHECK_EQ(map_entries(skel->maps.grid_lease_net), 0);
}

/*
 * The programs look for the grid-grid's cgroup among a packet's ancestors
 * once, and then only compare the one at the level they found: a cgroup
 * never moves to another depth.
 */
TEST(the_grid_grids_level_is_learnt_on_the_first_packet_and_kept)
{
	struct grid_net_limit none = { 0 };
	struct grid_gg_net st;
	struct run e, i;
	__u32 level;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &none), 0);
	CHECK(state(&st));
	CHECK_EQ(st.level, 0);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK(state(&st));
	level = st.level;
	CHECK(level > 0);
	if (gg_level)
		CHECK_EQ(level, gg_level);

	/* A packet from further down leaves it as it is. */
	FROM(cg_job, e, i);
	CHECK_RUN(e, V_PASS);
	CHECK_RUN(i, V_PASS);
	CHECK(state(&st));
	CHECK_EQ(st.level, level);
	CHECK_BOTH(GRID_DIR_EGRESS, 2 * LEN, 2, 0);

	/*
	 * Not looked for again: told another level, the programs find some
	 * other cgroup there, and the packet is no one's.
	 */
	st.level = level + 1;
	CHECK_EQ(put_state(&st), 0);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK(state(&st));
	CHECK_EQ(st.level, level + 1);
	CHECK_BOTH(GRID_DIR_EGRESS, 2 * LEN, 2, 0);
	st.level = level;
	CHECK_EQ(put_state(&st), 0);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_BOTH(GRID_DIR_EGRESS, 3 * LEN, 3, 0);
	if (!gg_level)
		SKIP("in a cgroup namespace: the grid-grid's own level is not known here");
}

/* Counting alone reads the clock for nothing and writes no state. */
TEST(a_grid_grid_without_limits_is_counted_and_touches_no_state)
{
	struct grid_net_limit none = { 0 };
	struct grid_gg_net st;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &none), 0);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_RUN(ingress(AF_INET6, LEN), V_PASS);
	CHECK_BOTH(GRID_DIR_EGRESS, LEN, 1, 0);
	CHECK_BOTH(GRID_DIR_INGRESS, LEN, 1, 0);
	CHECK(state(&st));
	CHECK_EQ(st.next_departure_ns, 0);
	CHECK_EQ(st.ingress_full_at_ns, 0);
	CHECK_EQ(st.period, 0);
	CHECK_EQ(st.egress_used, 0);
	CHECK_EQ(st.ingress_used, 0);
}

/* ---- egress pacing ------------------------------------------------------- */

/*
 * Rate 1000 B/s, horizon 2 s, four 1000-byte packets back to back: they
 * leave now, now + 1 s, now + 2 s; the fourth would wait 3 s and drops.
 * Packets alternate between families @fa and @fb.
 */
static void pacing(int fa, int fb)
{
	struct grid_net_limit lim = {
		.egress_rate = 1000, .horizon_ns = 2 * NSEC_PER_SEC,
	};
	struct grid_gg_net st;
	struct run r[4];
	int i;

	CHECK_EQ(set_limits(gg_id, &lim), 0);
	for (i = 0; i < 4; i++)
		r[i] = egress(i % 2 ? fb : fa, LEN, 0);
	/* Otherwise the queue would have drained enough for the fourth. */
	CHECK(r[3].after - r[0].before < NSEC_PER_SEC);
	CHECK_RUN(r[0], V_PASS);
	CHECK_RUN(r[1], V_PASS);
	CHECK_RUN(r[2], V_PASS);
	CHECK_RUN(r[3], V_DROP_CN);
	/* The first leaves at once: unstamped (0 is "now"), or stamped now. */
	if (r[0].tstamp)
		CHECK_IN(r[0].tstamp, r[0].before - SLACK_NS, r[0].after + SLACK_NS);
	/* The second one second after the first one's now. */
	CHECK_IN(r[1].tstamp, r[0].before + NSEC_PER_SEC - SLACK_NS,
		 r[0].after + NSEC_PER_SEC + SLACK_NS);
	CHECK_EQ(r[2].tstamp, r[1].tstamp + NSEC_PER_SEC);
	CHECK_EQ(r[3].tstamp, 0);
	/* The dropped one gave its second back. */
	CHECK(state(&st));
	CHECK_EQ(st.next_departure_ns, r[2].tstamp + NSEC_PER_SEC);
	CHECK_EQ(st.egress_used, 3 * LEN);
	CHECK_BOTH(GRID_DIR_EGRESS, 3 * LEN, 3, 1);
	CHECK_BOTH(GRID_DIR_INGRESS, 0, 0, 0);
}

TEST(egress_is_paced_one_second_per_1000_bytes_and_dropped_past_the_horizon)
{
	BEGIN();
	CALL(pacing(AF_INET, AF_INET));
}

TEST(the_departure_time_advances_by_len_over_rate)
{
	struct grid_net_limit lim = {
		.egress_rate = 3000, .horizon_ns = 2 * NSEC_PER_SEC,
	};
	struct grid_gg_net st;
	struct run r;
	__u64 next;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	r = egress(AF_INET, LEN, 0);
	CHECK_RUN(r, V_PASS);
	CHECK(state(&st));
	/* 1000 bytes at 3000 B/s: 333333333 ns (rounded down). */
	CHECK_IN(st.next_departure_ns, r.before + 333333333 - SLACK_NS,
		 r.after + 333333333 + SLACK_NS);
	next = st.next_departure_ns;
	r = egress(AF_INET, 100, 0);
	CHECK_RUN(r, V_PASS);
	CHECK_EQ(r.tstamp, next);
	CHECK(state(&st));
	CHECK_EQ(st.next_departure_ns, next + 33333333);
}

TEST(an_egress_packet_stamped_later_already_keeps_its_stamp)
{
	struct grid_net_limit lim = {
		.egress_rate = 1000, .horizon_ns = 5 * NSEC_PER_SEC,
	};
	struct grid_gg_net st;
	struct run r0, r1, r2;
	__u64 later;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	r0 = egress(AF_INET, LEN, 0);
	CHECK_RUN(r0, V_PASS);
	later = r0.after + 100 * NSEC_PER_SEC;
	r1 = egress(AF_INET, LEN, later);
	CHECK_RUN(r1, V_PASS);
	CHECK_EQ(r1.tstamp, later);
	/* An earlier stamp gives way to the pace. */
	r2 = egress(AF_INET, LEN, r0.before);
	CHECK_RUN(r2, V_PASS);
	CHECK_IN(r2.tstamp, r0.before + 2 * NSEC_PER_SEC - SLACK_NS,
		 r0.after + 2 * NSEC_PER_SEC + SLACK_NS);
	CHECK(state(&st));
	CHECK_EQ(st.next_departure_ns, r2.tstamp + NSEC_PER_SEC);
	CHECK_BOTH(GRID_DIR_EGRESS, 3 * LEN, 3, 0);
}

/* ---- ingress token bucket ------------------------------------------------ */

/*
 * Rate 1000 B/s, burst 64 KiB: told in time (GCRA), the bucket takes
 * tau = 65.536 s to fill from empty and a packet of 1000 bytes takes 1 s
 * of it. A fresh bucket (full_at 0) is full, so 65 packets pass back to
 * back and leave full_at 65 s after the first one's now: 536 bytes left.
 * The 66th would need full_at - now + 1 s <= tau, that is 464 ms gone by
 * since the first, and drops; 200 ms later it still does; after 500 ms
 * the bucket has refilled enough at its rate and it passes.
 */
static void bucket(int fa, int fb)
{
	struct grid_net_limit lim = {
		.ingress_rate = 1000, .ingress_burst = GRID_NET_BURST_MIN,
	};
	const __u64 d = NSEC_PER_SEC;		/* LEN at 1000 B/s */
	struct run first = { 0 }, r = { 0 };
	struct grid_gg_net st;
	__u64 full = 0;
	int i;

	CHECK_EQ(set_limits(gg_id, &lim), 0);
	for (i = 0; i < 65; i++) {
		r = ingress(i % 2 ? fb : fa, LEN);
		CHECK_RUN(r, V_PASS);
		if (i)
			continue;
		first = r;
		/* Full, however long ago 0 was: from its now on, 1 s. */
		CHECK(state(&st));
		CHECK_IN(st.ingress_full_at_ns, r.before + d - SLACK_NS,
			 r.after + d + SLACK_NS);
		full = st.ingress_full_at_ns;
	}
	/* Each packet after the first added exactly its own second. */
	CHECK(state(&st));
	CHECK_EQ(st.ingress_full_at_ns, full + 64 * d);

	r = ingress(fb, LEN);
	CHECK(r.after - first.before < 400 * NSEC_PER_MSEC);
	CHECK_RUN(r, V_DROP);
	/* A dropped packet gave its second back. */
	CHECK(state(&st));
	CHECK_EQ(st.ingress_full_at_ns, full + 64 * d);

	sleep_ns(200 * NSEC_PER_MSEC);
	r = ingress(fa, LEN);
	CHECK(r.after - first.before < 450 * NSEC_PER_MSEC);
	CHECK_RUN(r, V_DROP);
	CHECK(state(&st));
	CHECK_EQ(st.ingress_full_at_ns, full + 64 * d);
	CHECK_BOTH(GRID_DIR_INGRESS, 65 * LEN, 65, 2);

	sleep_until(first.after + 500 * NSEC_PER_MSEC + SLACK_NS);
	r = ingress(fb, LEN);
	CHECK_RUN(r, V_PASS);
	CHECK(state(&st));
	CHECK_EQ(st.ingress_full_at_ns, full + 65 * d);
	CHECK_EQ(st.ingress_used, 66 * LEN);
	CHECK_BOTH(GRID_DIR_INGRESS, 66 * LEN, 66, 2);
	CHECK_BOTH(GRID_DIR_EGRESS, 0, 0, 0);
}

/*
 * A new state (zeroed, as a cgroup storage is made) has full_at 0: the
 * bucket must be full however long ago the machine booted, even when the
 * bucket takes longer than that to fill, and so leaves a packet unmarked.
 */
TEST(a_fresh_bucket_is_full_however_long_the_machine_has_been_up)
{
	struct grid_net_limit lim = {
		.ingress_rate = 10000,			/* fills in 29.8 h */
		.ingress_burst = GRID_NET_BURST_MAX,
	};
	const __u64 d = LEN * NSEC_PER_SEC / 10000;
	struct grid_gg_net st;
	struct run r;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	r = run_ecn(skel->progs.test_net_ingress, AF_INET, LEN, 0, 1, ECN_ECT0);
	CHECK_RUN(r, V_PASS);
	CHECK_EQ(r.ecn, ECN_ECT0);
	CHECK(state(&st));
	CHECK_IN(st.ingress_full_at_ns, r.before + d - SLACK_NS,
		 r.after + d + SLACK_NS);
}

TEST(the_ingress_bucket_starts_full_drops_when_empty_and_refills_at_its_rate)
{
	BEGIN();
	CALL(bucket(AF_INET, AF_INET));
}

/*
 * A change of limits writes the state back as it was read (see
 * set_limits()). Raised from 1000 B/s to 1 MB/s, a bucket emptied at the
 * old rate must refill at the new one: 20 ms give 20000 bytes.
 */
TEST(a_raised_ingress_rate_refills_the_bucket_at_the_new_rate)
{
	struct grid_net_limit lim = {
		.ingress_rate = 1000, .ingress_burst = GRID_NET_BURST_MIN,
	};
	int i;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	for (i = 0; i < 65; i++)
		CHECK_RUN(ingress(AF_INET, LEN), V_PASS);
	CHECK_RUN(ingress(AF_INET, LEN), V_DROP);
	lim.ingress_rate = 1000000;
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	sleep_ns(20 * NSEC_PER_MSEC);
	CHECK_RUN(ingress(AF_INET, LEN), V_PASS);
	CHECK_BOTH(GRID_DIR_INGRESS, 66 * LEN, 66, 1);
}

/*
 * Below half the bucket an ECN-capable packet is let through marked CE, so
 * that TCP backs off before the bucket drops; one that is not ECT is left
 * as it is, and egress, which paces, never marks.
 */
static void marking(int family)
{
	struct grid_net_limit lim = {
		.ingress_rate = 1000, .ingress_burst = GRID_NET_BURST_MIN,
		.egress_rate = 1000000000, .horizon_ns = NSEC_PER_SEC,
	};
	struct bpf_program *in = skel->progs.test_net_ingress;
	struct bpf_program *out = skel->progs.test_net_egress;
	struct run r;
	int i;

	CHECK_EQ(set_limits(gg_id, &lim), 0);
	/* 64 KiB - 32 * 1000 bytes = 33536 left: more than half. */
	for (i = 0; i < 32; i++) {
		r = run_ecn(in, family, LEN, 0, 1, ECN_ECT0);
		CHECK_RUN(r, V_PASS);
		CHECK_EQ(r.ecn, ECN_ECT0);
	}
	/* 32536 left, less than half of 65536: marked from now on. */
	r = run_ecn(in, family, LEN, 0, 1, ECN_ECT0);
	CHECK_RUN(r, V_PASS);
	CHECK_EQ(r.ecn, ECN_CE);
	r = run_ecn(in, family, LEN, 0, 1, ECN_NOT_ECT);
	CHECK_RUN(r, V_PASS);
	CHECK_EQ(r.ecn, ECN_NOT_ECT);
	r = run_ecn(in, family, LEN, 0, 1, ECN_CE);
	CHECK_RUN(r, V_PASS);
	CHECK_EQ(r.ecn, ECN_CE);
	r = run_ecn(out, family, LEN, 0, 1, ECN_ECT0);
	CHECK_RUN(r, V_PASS);
	CHECK_EQ(r.ecn, ECN_ECT0);
	CHECK_BOTH(GRID_DIR_INGRESS, 35 * LEN, 35, 0);
}

TEST(below_half_the_bucket_ingress_marks_ecn_capable_packets_ce)
{
	BEGIN();
	CALL(marking(AF_INET));
	CHECK_EQ(fresh(), 0);
	CALL(marking(AF_INET6));
}

/* ---- byte budgets -------------------------------------------------------- */

/*
 * 2500 bytes per 10 s: 1000 and 1000 pass, 1000 drops, 500 still fits
 * exactly, then nothing does.
 */
static void budget(__u32 dir, int fa, int fb)
{
	const __u64 period = 10 * NSEC_PER_SEC;
	struct grid_net_limit lim = { .period_ns = period };
	__u32 drop = dir == GRID_DIR_EGRESS ? V_DROP_CN : V_DROP;
	static const size_t lens[] = { LEN, LEN, LEN, 500, 100, LEN };
	const __u32 want[] = { V_PASS, V_PASS, drop, V_PASS, drop, drop };
	struct grid_gg_net st;
	struct run r[6];
	int i;

	if (dir == GRID_DIR_EGRESS)
		lim.egress_budget = 2500;
	else
		lim.ingress_budget = 2500;
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	leave_room_in_period(period, NSEC_PER_SEC);
	for (i = 0; i < 6; i++)
		r[i] = one(dir, i % 2 ? fb : fa, lens[i]);
	CHECK_EQ(r[0].before / period, r[5].after / period);
	for (i = 0; i < 6; i++)
		CHECK_RUN(r[i], want[i]);
	CHECK_BOTH(dir, 2500, 3, 3);
	CHECK_BOTH(!dir, 0, 0, 0);
	CHECK(state(&st));
	CHECK_EQ(st.period, r[0].before / period);
	CHECK_EQ(dir == GRID_DIR_EGRESS ? st.egress_used : st.ingress_used, 2500);
	CHECK_EQ(dir == GRID_DIR_EGRESS ? st.ingress_used : st.egress_used, 0);
}

/* 2500 bytes per 300 ms: two packets in a period, two more in the next. */
static void new_period(__u32 dir, int fa, int fb)
{
	const __u64 period = 300 * NSEC_PER_MSEC;
	struct grid_net_limit lim = { .period_ns = period };
	__u32 drop = dir == GRID_DIR_EGRESS ? V_DROP_CN : V_DROP;
	struct grid_gg_net st;
	struct run r[3];
	__u64 n;
	int round, i;

	if (dir == GRID_DIR_EGRESS)
		lim.egress_budget = 2500;
	else
		lim.ingress_budget = 2500;
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	n = next_period(period);
	for (round = 0; round < 2; round++) {
		if (round)
			CHECK_EQ(next_period(period), n + 1);
		for (i = 0; i < 3; i++)
			r[i] = one(dir, i % 2 ? fb : fa, LEN);
		/* All three within period n + round. */
		CHECK_EQ(r[0].before / period, n + round);
		CHECK_EQ(r[2].after / period, n + round);
		CHECK_RUN(r[0], V_PASS);
		CHECK_RUN(r[1], V_PASS);
		CHECK_RUN(r[2], drop);
		CHECK(state(&st));
		CHECK_EQ(st.period, n + round);
		CHECK_EQ(dir == GRID_DIR_EGRESS ? st.egress_used : st.ingress_used,
			 2 * LEN);
		CHECK_BOTH(dir, 2 * LEN * (round + 1), 2 * (round + 1), round + 1);
	}
	CHECK_BOTH(!dir, 0, 0, 0);
}

TEST(the_egress_budget_lets_at_most_its_bytes_through_per_period)
{
	BEGIN();
	CALL(budget(GRID_DIR_EGRESS, AF_INET, AF_INET));
}

TEST(a_new_period_restores_the_egress_budget)
{
	BEGIN();
	CALL(new_period(GRID_DIR_EGRESS, AF_INET, AF_INET));
}

TEST(the_ingress_budget_lets_at_most_its_bytes_through_per_period)
{
	BEGIN();
	CALL(budget(GRID_DIR_INGRESS, AF_INET, AF_INET));
}

TEST(a_new_period_restores_the_ingress_budget)
{
	BEGIN();
	CALL(new_period(GRID_DIR_INGRESS, AF_INET, AF_INET));
}

TEST(a_budget_is_checked_before_the_pace_and_the_bucket)
{
	struct grid_net_limit lim = {
		.egress_rate = 1000, .horizon_ns = 2 * NSEC_PER_SEC,
		.ingress_rate = 1000, .ingress_burst = GRID_NET_BURST_MIN,
		.egress_budget = 1500, .ingress_budget = 1500,
		.period_ns = 10 * NSEC_PER_SEC,
	};
	struct grid_gg_net st, st2;
	struct run r;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	leave_room_in_period(lim.period_ns, NSEC_PER_SEC);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_RUN(ingress(AF_INET, LEN), V_PASS);
	CHECK(state(&st));
	/* Over budget: dropped without taking a departure slot or the bucket. */
	r = egress(AF_INET, LEN, 0);
	CHECK_RUN(r, V_DROP_CN);
	CHECK_EQ(r.tstamp, 0);
	CHECK_RUN(ingress(AF_INET, LEN), V_DROP);
	CHECK(state(&st2));
	CHECK_EQ(st2.next_departure_ns, st.next_departure_ns);
	CHECK_EQ(st2.ingress_full_at_ns, st.ingress_full_at_ns);
	CHECK_EQ(st2.egress_used, LEN);
	CHECK_EQ(st2.ingress_used, LEN);
	CHECK_BOTH(GRID_DIR_EGRESS, LEN, 1, 1);
	CHECK_BOTH(GRID_DIR_INGRESS, LEN, 1, 1);
}

/* Limits that let everything through while every path still runs. */
static const struct grid_net_limit generous = {
	.egress_rate = 1000000000000ULL,	/* 1 ns per 1000 bytes */
	.horizon_ns = NSEC_PER_SEC,
	.ingress_rate = 1000000000000ULL,
	.ingress_burst = GRID_NET_BURST_MAX,	/* > THREADS * REPEAT * LEN */
	.egress_budget = GRID_NET_BUDGET_MAX,
	.ingress_budget = GRID_NET_BUDGET_MAX,
	.period_ns = GRID_PERIOD_MAX,		/* one period since boot */
};

/*
 * A budget set on a grid-grid that already had limits (gridctl quota set
 * writes the limits back with the state) counts from when it was set,
 * whatever the period's length and whatever limits there were before:
 * bytes let through while there was no budget are nobody's business.
 */
static void budget_set_later(__u32 dir, __u64 period,
			     const struct grid_net_limit *before)
{
	struct grid_net_limit lim = *before;
	struct run r;
	int i;

	CHECK_EQ(fresh(), 0);
	lim.egress_budget = lim.ingress_budget = lim.period_ns = 0;
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	for (i = 0; i < 3; i++)
		CHECK_RUN(one(dir, AF_INET, LEN), V_PASS);
	lim.period_ns = period;
	if (dir == GRID_DIR_EGRESS)
		lim.egress_budget = 2500;
	else
		lim.ingress_budget = 2500;
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	leave_room_in_period(period, NSEC_PER_SEC / 2);
	r = one(dir, AF_INET, LEN);
	CHECK_RUN(r, V_PASS);
	CHECK_BOTH(dir, 4 * LEN, 4, 0);
}

TEST(bytes_let_through_before_a_budget_was_set_do_not_count_against_it)
{
	const struct grid_net_limit none = { 0 };
	const struct grid_net_limit *before[] = { &none, &generous };
	unsigned int i;

	BEGIN();
	/* After counting alone, and after a pace and a bucket. */
	for (i = 0; i < 2; i++) {
		/* A period that began this boot: its number is not 0. */
		CALL(budget_set_later(GRID_DIR_EGRESS, NSEC_PER_SEC, before[i]));
		CALL(budget_set_later(GRID_DIR_INGRESS, NSEC_PER_SEC, before[i]));
		/* Longer than the uptime so far: number 0, as a new state's. */
		CALL(budget_set_later(GRID_DIR_EGRESS, GRID_PERIOD_MAX, before[i]));
		CALL(budget_set_later(GRID_DIR_INGRESS, GRID_PERIOD_MAX, before[i]));
	}
}

/* ---- IPv6 ---------------------------------------------------------------- */

TEST(ipv6_egress_is_paced_like_ipv4)
{
	BEGIN();
	CALL(pacing(AF_INET6, AF_INET6));
}

TEST(ipv6_ingress_meets_the_bucket_like_ipv4)
{
	BEGIN();
	CALL(bucket(AF_INET6, AF_INET6));
}

TEST(ipv6_budgets_are_kept_like_ipv4)
{
	BEGIN();
	CALL(budget(GRID_DIR_EGRESS, AF_INET6, AF_INET6));
	CHECK_EQ(fresh(), 0);
	CALL(budget(GRID_DIR_INGRESS, AF_INET6, AF_INET6));
	CHECK_EQ(fresh(), 0);
	CALL(new_period(GRID_DIR_EGRESS, AF_INET6, AF_INET6));
	CHECK_EQ(fresh(), 0);
	CALL(new_period(GRID_DIR_INGRESS, AF_INET6, AF_INET6));
}

TEST(ipv4_and_ipv6_packets_share_one_pace_one_bucket_and_one_budget)
{
	BEGIN();
	CALL(pacing(AF_INET, AF_INET6));
	CHECK_EQ(fresh(), 0);
	CALL(bucket(AF_INET6, AF_INET));
	CHECK_EQ(fresh(), 0);
	CALL(budget(GRID_DIR_EGRESS, AF_INET6, AF_INET));
	CHECK_EQ(fresh(), 0);
	CALL(budget(GRID_DIR_INGRESS, AF_INET, AF_INET6));
}

/* ---- several CPUs at once ------------------------------------------------ */

#define THREADS	4
#define REPEAT	100000

struct worker {
	pthread_t thread;
	struct bpf_program *prog;
	__u32 repeat;
	struct run r;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	w->r = run_prog(w->prog, AF_INET, LEN, 0, w->repeat);
	return NULL;
}

/* Runs @prog @repeat times in each of THREADS threads at once. */
static void run_threads(struct bpf_program *prog, __u32 repeat,
			struct worker *w)
{
	int i;

	memset(w, 0, THREADS * sizeof(*w));
	for (i = 0; i < THREADS; i++) {
		w[i].prog = prog;
		w[i].repeat = repeat;
		CHECK_EQ(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(w[i].thread, NULL);
	for (i = 0; i < THREADS; i++)
		CHECK_EQ(w[i].r.err, 0);
}

/* When the threads' runs began at the earliest and ended at the latest. */
static void span(const struct worker *w, __u64 *first, __u64 *last)
{
	int i;

	*first = w[0].r.before;
	*last = w[0].r.after;
	for (i = 1; i < THREADS; i++) {
		if (w[i].r.before < *first)
			*first = w[i].r.before;
		if (w[i].r.after > *last)
			*last = w[i].r.after;
	}
}

TEST(concurrent_runs_are_counted_exactly)
{
	const __u64 n = (__u64)THREADS * REPEAT;
	struct worker w[THREADS];
	struct grid_gg_net st;
	int i;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &generous), 0);
	CALL(run_threads(skel->progs.test_net_egress, REPEAT, w));
	for (i = 0; i < THREADS; i++)
		CHECK_EQ(w[i].r.retval, V_PASS);
	CALL(run_threads(skel->progs.test_net_ingress, REPEAT, w));
	for (i = 0; i < THREADS; i++)
		CHECK_EQ(w[i].r.retval, V_PASS);
	CHECK_BOTH(GRID_DIR_EGRESS, n * LEN, n, 0);
	CHECK_BOTH(GRID_DIR_INGRESS, n * LEN, n, 0);
	CHECK(state(&st));
	CHECK_EQ(st.egress_used, n * LEN);
	CHECK_EQ(st.ingress_used, n * LEN);
}

/*
 * The pace and the bucket are one word each, moved without a lock: run
 * at once on several CPUs, each packet must still take exactly its own
 * len / rate. At 10 MB/s a packet takes 100 us, far longer than a run,
 * so the schedule, once started, stays ahead of the clock and each
 * reservation is added to it: it ends exactly n packets after the first
 * one's now. 4 s in all, within the horizon and the bucket.
 */
#define SCHED_REPEAT	10000

static void exact_schedule(__u32 dir)
{
	const __u64 n = (__u64)THREADS * SCHED_REPEAT;
	const __u64 d = LEN * NSEC_PER_SEC / 10000000;
	struct grid_net_limit lim = { 0 };
	struct worker w[THREADS];
	struct grid_gg_net st;
	__u64 first, last, end;
	int i;

	if (dir == GRID_DIR_EGRESS) {
		lim.egress_rate = 10000000;
		lim.horizon_ns = GRID_NET_HORIZON_MAX;
	} else {
		lim.ingress_rate = 10000000;
		lim.ingress_burst = GRID_NET_BURST_MAX;	/* tau 107 s */
	}
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	CALL(run_threads(dir == GRID_DIR_EGRESS ? skel->progs.test_net_egress :
			 skel->progs.test_net_ingress, SCHED_REPEAT, w));
	for (i = 0; i < THREADS; i++)
		CHECK_EQ(w[i].r.retval, V_PASS);
	span(w, &first, &last);
	CHECK(state(&st));
	end = dir == GRID_DIR_EGRESS ? st.next_departure_ns :
				       st.ingress_full_at_ns;
	CHECK_IN(end - n * d, first - SLACK_NS, last + SLACK_NS);
	CHECK_BOTH(dir, n * LEN, n, 0);
}

TEST(concurrent_paced_packets_each_take_exactly_len_over_rate)
{
	BEGIN();
	CALL(exact_schedule(GRID_DIR_EGRESS));
}

TEST(concurrent_packets_each_take_exactly_len_over_rate_of_the_bucket)
{
	BEGIN();
	CALL(exact_schedule(GRID_DIR_INGRESS));
}

/* A budget of exactly @m packets, THREADS * REPEAT tries: exactly m pass. */
static void exact_budget(__u32 dir, __u64 m)
{
	const __u64 n = (__u64)THREADS * REPEAT;
	struct grid_net_limit lim = { .period_ns = GRID_PERIOD_MAX };
	__u32 drop = dir == GRID_DIR_EGRESS ? V_DROP_CN : V_DROP;
	struct worker w[THREADS];
	struct grid_gg_net st;
	int i;

	if (dir == GRID_DIR_EGRESS)
		lim.egress_budget = m * LEN;
	else
		lim.ingress_budget = m * LEN;
	struct bpf_program *prog = dir == GRID_DIR_EGRESS ?
				   skel->progs.test_net_egress :
				   skel->progs.test_net_ingress;
	struct run first;

	CHECK_EQ(set_limits(gg_id, &lim), 0);
	/*
	 * One packet alone first: it starts the period. The CPU that starts
	 * one zeroes the counts just after it publishes the period, and a
	 * packet of another CPU in between may land in either period (see
	 * roll_period()): at a period's start the budget can let a packet
	 * per CPU more through. Past the start, the count is exact, which is
	 * what the threads test.
	 */
	first = run_prog(prog, AF_INET, LEN, 0, 1);
	CHECK_RUN(first, V_PASS);
	CALL(run_threads(prog, REPEAT, w));
	/* Each thread alone tries more than m: its last run found none left. */
	for (i = 0; i < THREADS; i++)
		CHECK_EQ(w[i].r.retval, drop);
	CHECK_BOTH(dir, m * LEN, m, n + 1 - m);
	CHECK(state(&st));
	CHECK_EQ(dir == GRID_DIR_EGRESS ? st.egress_used : st.ingress_used,
		 m * LEN);
}

TEST(an_egress_budget_of_m_packets_lets_exactly_m_through_across_threads)
{
	BEGIN();
	CALL(exact_budget(GRID_DIR_EGRESS, REPEAT / 2 + 7));
}

TEST(an_ingress_budget_of_m_packets_lets_exactly_m_through_across_threads)
{
	BEGIN();
	CALL(exact_budget(GRID_DIR_INGRESS, REPEAT / 2 + 7));
}

/* ---- what a packet costs ------------------------------------------------- */

#define COST_REPEAT	100000

/*
 * test_run's own figure, the mean of COST_REPEAT runs, and beside it the
 * same for a program that only returns 1: the difference is what the
 * quota adds. Printed, never asserted: a machine's speed is no test.
 */
static void cost(const char *what, struct bpf_program *prog,
		 const struct grid_net_limit *lim, bool outside, __u32 base)
{
	struct run r;
	int err = 0;

	CHECK_EQ(fresh(), 0);
	CHECK_EQ(set_limits(gg_id, lim), 0);
	if (outside)
		err = move_to(cg_home);
	r = run_prog(prog, AF_INET, LEN, 0, COST_REPEAT);
	CHECK_EQ(move_to(cg_lease), 0);
	CHECK_EQ(err, 0);
	CHECK_RUN(r, V_PASS);
	printf("[+] cost: %-34s %5u ns per packet, %5lld ns over the program that only returns 1 (test_run, repeat %u)\n",
	       what, r.duration, (long long)r.duration - base, COST_REPEAT);
}

TEST(the_cost_per_packet)
{
	struct grid_net_limit none = { 0 }, pace = generous, tb = generous,
			      bud = generous;
	struct bpf_program *out = skel->progs.test_net_egress;
	struct bpf_program *in = skel->progs.test_net_ingress;
	struct run base;

	BEGIN();
	base = run_prog(skel->progs.test_pass, AF_INET, LEN, 0, COST_REPEAT);
	CHECK_RUN(base, V_PASS);
	printf("[+] cost: %-34s %5u ns per packet (test_run, repeat %u)\n",
	       "the program that only returns 1", base.duration, COST_REPEAT);
	pace.egress_budget = pace.ingress_budget = 0;
	tb.egress_budget = tb.ingress_budget = 0;
	bud.egress_rate = bud.ingress_rate = 0;
	CALL(cost("egress, outside any grid-grid", out, &none, true,
		  base.duration));
	CALL(cost("egress, counted without limits", out, &none, false,
		  base.duration));
	CALL(cost("egress, paced", out, &pace, false, base.duration));
	CALL(cost("egress, budget", out, &bud, false, base.duration));
	CALL(cost("egress, paced and budget", out, &generous, false,
		  base.duration));
	CALL(cost("ingress, token bucket", in, &tb, false, base.duration));
	CALL(cost("ingress, token bucket and budget", in, &generous, false,
		  base.duration));
}

/* ---- setup --------------------------------------------------------------- */


__attribute__((constructor(101))) static void load(void)
{
	libbpf_set_print(quiet);
	if (geteuid() != 0) {
		why_not = "needs root to load BPF programs";
		return;
	}
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		why_not = "cannot tell how many CPUs are possible";
		return;
	}
	skel = grid_net_test_bpf__open_and_load();
	if (!skel) {
		why_not = "this kernel refused to load the program (set GRID_BPF_VERBOSE=1 to see why)";
		return;
	}
	set_up_cgroups();
}

__attribute__((destructor)) static void unload(void)
{
	tear_down_cgroups();
	grid_net_test_bpf__destroy(skel);
}
