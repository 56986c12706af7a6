// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/grid_net.bpf.c through BPF_PROG_TEST_RUN: classification of a packet
 * to its grid-grid and lease, egress pacing, the ingress token bucket, byte
 * budgets per period, IPv4 and IPv6 alike, and exact counts when several
 * CPUs run the programs at once.
 *
 * test_run gives the packet a socket of the calling process's cgroup (v2),
 * so the test moves itself into /<cgroup2>/gridtest-<pid>/lease and puts
 * the limits on gridtest-<pid>: the grid-grid is level 1, the lease level 2.
 * The program sees skb->len, the L3 length (test_run strips the Ethernet
 * header for cgroup_skb), and reads bpf_ktime_get_ns(): the test bounds
 * "now" by CLOCK_MONOTONIC read before and after each run.
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

#include "unit.h"
#include <linux/bpf.h>
#include <linux/grid_bpf.h>
#include "grid_net.skel.h"
#include "bpf_loader.h"

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

static struct grid_net_bpf *skel;
static const char *why_not;
static char why_buf[PATH_MAX + 128];
static char cg_home[PATH_MAX], cg_gg[PATH_MAX], cg_lease[PATH_MAX];
static bool cg_made;
static __u64 gg_id, lease_id;

/* ---- assertions that show the values ------------------------------------- */

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long a_ = (a), b_ = (b);			\
		if (a_ != b_) {						\
			printf("FAIL %s: %s:%d: %s == %s (%llu != %llu)\n", \
			       UNIT_SUITE, __FILE__, __LINE__, #a, #b,	\
			       a_, b_);					\
			unit_failed_now = 1;				\
			return;						\
		}							\
	} while (0)

#define CHECK_IN(x, lo, hi)						\
	do {								\
		unsigned long long x_ = (x), lo_ = (lo), hi_ = (hi);	\
		if (x_ < lo_ || x_ > hi_) {				\
			printf("FAIL %s: %s:%d: %s in [%s, %s] (%llu not in [%llu, %llu])\n", \
			       UNIT_SUITE, __FILE__, __LINE__, #x, #lo,	\
			       #hi, x_, lo_, hi_);			\
			unit_failed_now = 1;				\
			return;						\
		}							\
	} while (0)

/* Calls a helper that checks, and stops the test if it failed. */
#define CALL(f)								\
	do {								\
		f;							\
		if (unit_failed_now)					\
			return;						\
	} while (0)

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
	return run_prog(skel->progs.grid_net_egress, family, l3len, tstamp, 1);
}

static struct run ingress(int family, size_t l3len)
{
	return run_prog(skel->progs.grid_net_ingress, family, l3len, 0, 1);
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

static int set_limits(__u64 id, const struct grid_net_limit *lim)
{
	struct grid_gg_key k = { .cgroup_id = id };

	return bpf_map_update_elem(bpf_map__fd(skel->maps.grid_net_limits),
				   &k, lim, BPF_ANY);
}

static int drop_limits(__u64 id)
{
	struct grid_gg_key k = { .cgroup_id = id };

	return bpf_map_delete_elem(bpf_map__fd(skel->maps.grid_net_limits), &k);
}

/* The counters of @id in @dir; zeros if it has none. */
static struct grid_usage usage(__u64 id, __u32 dir)
{
	struct grid_usage_key k = { .cgroup_id = id, .dir = dir };
	struct grid_usage u;

	grid_bpf_usage_read(bpf_map__fd(skel->maps.grid_usage), &k, &u);
	return u;
}

/* The state of grid-grid @id; false if it has none. */
static bool state(__u64 id, struct grid_net_state *st)
{
	struct grid_gg_key k = { .cgroup_id = id };

	memset(st, 0, sizeof(*st));
	return !bpf_map_lookup_elem(bpf_map__fd(skel->maps.grid_net_state),
				    &k, st);
}

#define CHECK_USAGE(id, dir, b, p, d)					\
	do {								\
		struct grid_usage u_ = usage((id), (dir));		\
		CHECK_EQ(u_.bytes, (b));				\
		CHECK_EQ(u_.packets, (p));				\
		CHECK_EQ(u_.drops, (d));				\
	} while (0)

/* The grid-grid and its lease counted alike. */
#define CHECK_BOTH(dir, b, p, d)					\
	do {								\
		CHECK_USAGE(gg_id, (dir), (b), (p), (d));		\
		CHECK_USAGE(lease_id, (dir), (b), (p), (d));		\
	} while (0)

/* ---- cgroups ------------------------------------------------------------- */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Moves this process (all its threads) into the cgroup at @dir. */
static int move_to(const char *dir)
{
	char path[PATH_MAX + 16], pid[32];

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return ENAMETOOLONG;
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	return write_str(path, pid);
}

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

static int cgroup2_mount(char *out, size_t size)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char *line = NULL, dir[PATH_MAX], type[64];
	size_t cap = 0;
	int err = ENOENT;

	if (!f)
		return errno;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%*s %4095s %63s", dir, type) == 2 &&
		    !strcmp(type, "cgroup2")) {
			err = snprintf(out, size, "%s", dir) >= (int)size ?
			      ENAMETOOLONG : 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return err;
}

static const char *why(const char *what, int err)
{
	snprintf(why_buf, sizeof(why_buf), "%s: %s", what, strerror(err));
	return why_buf;
}

/* /<cgroup2>/gridtest-<pid>/lease, with this process in it. */
static void set_up_cgroups(void)
{
	char root[PATH_MAX], own[PATH_MAX], want[PATH_MAX];
	struct stat sb;
	int err;

	err = cgroup2_mount(root, sizeof(root));
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
		     cg_gg) >= (int)sizeof(cg_lease)) {
		why_not = why("cgroup paths", ENAMETOOLONG);
		return;
	}
	if (mkdir(cg_gg, 0755)) {
		why_not = why("cannot create a cgroup v2", errno);
		return;
	}
	cg_made = true;
	if (mkdir(cg_lease, 0755)) {
		why_not = why("cannot create a cgroup v2", errno);
		return;
	}
	if (stat(cg_gg, &sb)) {
		why_not = why("cannot stat a cgroup v2", errno);
		return;
	}
	gg_id = sb.st_ino;
	if (stat(cg_lease, &sb)) {
		why_not = why("cannot stat a cgroup v2", errno);
		return;
	}
	lease_id = sb.st_ino;
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
	if (rmdir(cg_lease) && errno != ENOENT)
		fprintf(stderr, "cannot remove %s: %m\n", cg_lease);
	if (rmdir(cg_gg))
		fprintf(stderr, "cannot remove %s: %m\n", cg_gg);
}

/*
 * Every test starts with empty maps, in the lease. The maps are the
 * skeleton's own: nothing else runs these programs.
 */
static int fresh(void)
{
	clear_map(skel->maps.grid_net_limits);
	clear_map(skel->maps.grid_net_state);
	clear_map(skel->maps.grid_usage);
	return move_to(cg_lease);
}

#define BEGIN()								\
	do {								\
		if (why_not)						\
			SKIP(why_not);					\
		CHECK_EQ(fresh(), 0);					\
	} while (0)

/* ---- classification ------------------------------------------------------ */

TEST(a_packet_from_outside_every_limited_cgroup_passes_uncounted)
{
	/* Limits that drop every packet of the grid-grid. */
	struct grid_net_limit lim = {
		.egress_budget = 1, .ingress_budget = 1, .period_ns = NSEC_PER_SEC,
	};
	struct run e, i;
	int err;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	err = move_to(cg_home);
	e = egress(AF_INET, LEN, 0);
	i = ingress(AF_INET, LEN);
	CHECK_EQ(move_to(cg_lease), 0);
	CHECK_EQ(err, 0);
	CHECK_RUN(e, V_PASS);
	CHECK_RUN(i, V_PASS);
	CHECK_EQ(map_entries(skel->maps.grid_usage), 0);
	CHECK_EQ(map_entries(skel->maps.grid_net_state), 0);

	/* The same packets from the lease meet the limits. */
	e = egress(AF_INET, LEN, 0);
	i = ingress(AF_INET, LEN);
	CHECK_RUN(e, V_DROP_CN);
	CHECK_RUN(i, V_DROP);
	CHECK_BOTH(GRID_DIR_EGRESS, 0, 0, 1);
	CHECK_BOTH(GRID_DIR_INGRESS, 0, 0, 1);
}

TEST(a_packet_under_no_limits_entry_passes_uncounted)
{
	struct grid_net_limit none = { 0 };

	BEGIN();
	/* Limits on some other cgroup, not an ancestor. */
	CHECK_EQ(set_limits(lease_id + 1000000, &none), 0);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_RUN(ingress(AF_INET6, LEN), V_PASS);
	CHECK_EQ(map_entries(skel->maps.grid_usage), 0);
	CHECK_EQ(map_entries(skel->maps.grid_net_state), 0);
}

/* A rate never reached: the pace keeps state, and so names its owner. */
static const struct grid_net_limit unreached = {
	.egress_rate = GRID_NET_RATE_MAX, .horizon_ns = NSEC_PER_SEC,
};

TEST(the_highest_limited_ancestor_is_the_grid_grid_and_the_next_level_its_lease)
{
	struct grid_net_state st;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &unreached), 0);
	CHECK_EQ(set_limits(lease_id, &unreached), 0);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_RUN(ingress(AF_INET, LEN + 1), V_PASS);
	/* skb->len is the L3 length, not the frame's. */
	CHECK_BOTH(GRID_DIR_EGRESS, LEN, 1, 0);
	CHECK_BOTH(GRID_DIR_INGRESS, LEN + 1, 1, 0);
	CHECK_EQ(map_entries(skel->maps.grid_usage), 4);
	CHECK(state(gg_id, &st));
	CHECK(!state(lease_id, &st));

	/* Without the grid-grid's entry, the lease is one on its own. */
	CHECK_EQ(drop_limits(gg_id), 0);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_USAGE(gg_id, GRID_DIR_EGRESS, LEN, 1, 0);
	CHECK_USAGE(lease_id, GRID_DIR_EGRESS, 2 * LEN, 2, 0);
	CHECK(state(lease_id, &st));
}

TEST(a_limited_cgroup_without_a_limited_ancestor_is_a_grid_grid_of_its_own)
{
	struct grid_net_state st;

	BEGIN();
	/* The lease itself is the highest limited one: no lease below. */
	CHECK_EQ(set_limits(lease_id, &unreached), 0);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_USAGE(lease_id, GRID_DIR_EGRESS, LEN, 1, 0);
	CHECK_USAGE(gg_id, GRID_DIR_EGRESS, 0, 0, 0);
	CHECK_EQ(map_entries(skel->maps.grid_usage), 1);
	CHECK(state(lease_id, &st));
	CHECK(!state(gg_id, &st));
}

/* Counting alone takes neither the lock nor a state entry. */
TEST(a_grid_grid_without_limits_is_counted_and_keeps_no_state)
{
	struct grid_net_limit none = { 0 };
	struct grid_net_state st;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &none), 0);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_RUN(ingress(AF_INET6, LEN), V_PASS);
	CHECK_BOTH(GRID_DIR_EGRESS, LEN, 1, 0);
	CHECK_BOTH(GRID_DIR_INGRESS, LEN, 1, 0);
	CHECK(!state(gg_id, &st));
	CHECK_EQ(map_entries(skel->maps.grid_net_state), 0);
}

TEST(a_socket_in_the_grid_grids_own_cgroup_counts_for_the_grid_grid_alone)
{
	struct grid_net_limit none = { 0 };
	struct run e, i;
	int err;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &none), 0);
	err = move_to(cg_gg);
	e = egress(AF_INET, LEN, 0);
	i = ingress(AF_INET, LEN);
	CHECK_EQ(move_to(cg_lease), 0);
	CHECK_EQ(err, 0);
	CHECK_RUN(e, V_PASS);
	CHECK_RUN(i, V_PASS);
	CHECK_USAGE(gg_id, GRID_DIR_EGRESS, LEN, 1, 0);
	CHECK_USAGE(gg_id, GRID_DIR_INGRESS, LEN, 1, 0);
	CHECK_EQ(map_entries(skel->maps.grid_usage), 2);
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
	struct grid_net_state st;
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
	CHECK(state(gg_id, &st));
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
	struct grid_net_state st;
	struct run r;
	__u64 next;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	r = egress(AF_INET, LEN, 0);
	CHECK_RUN(r, V_PASS);
	CHECK(state(gg_id, &st));
	/* 1000 bytes at 3000 B/s: 333333333 ns (rounded down). */
	CHECK_IN(st.next_departure_ns, r.before + 333333333 - SLACK_NS,
		 r.after + 333333333 + SLACK_NS);
	next = st.next_departure_ns;
	r = egress(AF_INET, 100, 0);
	CHECK_RUN(r, V_PASS);
	CHECK_EQ(r.tstamp, next);
	CHECK(state(gg_id, &st));
	CHECK_EQ(st.next_departure_ns, next + 33333333);
}

TEST(an_egress_packet_stamped_later_already_keeps_its_stamp)
{
	struct grid_net_limit lim = {
		.egress_rate = 1000, .horizon_ns = 5 * NSEC_PER_SEC,
	};
	struct grid_net_state st;
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
	CHECK(state(gg_id, &st));
	CHECK_EQ(st.next_departure_ns, r2.tstamp + NSEC_PER_SEC);
	CHECK_BOTH(GRID_DIR_EGRESS, 3 * LEN, 3, 0);
}

/* ---- ingress token bucket ------------------------------------------------ */

/* Tokens after a refill at 1000 B/s from @t0 to @t1: whole milliseconds. */
#define MS_BETWEEN(t1, t0) (((t1) > (t0) ? (t1) - (t0) : 0) / NSEC_PER_MSEC)

/*
 * Rate 1000 B/s, burst 64 KiB: a fresh bucket is full, so 65 packets of
 * 1000 bytes pass and the 66th finds 536 bytes (plus a byte per ms since
 * the first). 200 ms later about 200 more: still short. A larger rate
 * refills it.
 */
static void bucket(int fa, int fb)
{
	struct grid_net_limit lim = {
		.ingress_rate = 1000, .ingress_burst = GRID_NET_BURST_MIN,
	};
	const __u64 left = GRID_NET_BURST_MIN - 65 * LEN;	/* 536 */
	struct grid_net_state st, prev;
	struct run first = { 0 }, r = { 0 };
	__u64 lo, hi;
	int i;

	CHECK_EQ(set_limits(gg_id, &lim), 0);
	for (i = 0; i < 65; i++) {
		r = ingress(i % 2 ? fb : fa, LEN);
		CHECK_RUN(r, V_PASS);
		if (i)
			continue;
		first = r;
		/* A fresh bucket is full. */
		CHECK(state(gg_id, &st));
		CHECK_EQ(st.tokens, GRID_NET_BURST_MIN - LEN);
	}
	CHECK(state(gg_id, &st));
	/* The first packet filled the bucket and set refilled_ns to its now. */
	CHECK_IN(st.tokens, left + MS_BETWEEN(r.before, first.after + SLACK_NS),
		 left + MS_BETWEEN(r.after + SLACK_NS, first.before));

	r = ingress(fb, LEN);
	CHECK(r.after - first.before < 400 * NSEC_PER_MSEC);
	CHECK_RUN(r, V_DROP);
	CHECK(state(gg_id, &st));
	CHECK_IN(st.tokens, left + MS_BETWEEN(r.before, first.after + SLACK_NS),
		 left + MS_BETWEEN(r.after + SLACK_NS, first.before));

	sleep_ns(200 * NSEC_PER_MSEC);
	r = ingress(fa, LEN);
	CHECK(r.after - first.before < 450 * NSEC_PER_MSEC);
	CHECK_RUN(r, V_DROP);
	CHECK(state(gg_id, &st));
	CHECK(st.tokens >= left + 200);
	CHECK_IN(st.tokens, left + MS_BETWEEN(r.before, first.after + SLACK_NS),
		 left + MS_BETWEEN(r.after + SLACK_NS, first.before));
	CHECK_BOTH(GRID_DIR_INGRESS, 65 * LEN, 65, 2);

	/* 1 byte per microsecond: 20 ms give 20000 bytes. */
	lim.ingress_rate = 1000000;
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	prev = st;
	sleep_ns(20 * NSEC_PER_MSEC);
	r = ingress(fb, LEN);
	CHECK_RUN(r, V_PASS);
	CHECK(state(gg_id, &st));
	lo = prev.tokens + (r.before - prev.refilled_ns - SLACK_NS) / 1000;
	hi = prev.tokens + (r.after + SLACK_NS - prev.refilled_ns) / 1000;
	if (lo > GRID_NET_BURST_MIN)
		lo = GRID_NET_BURST_MIN;
	if (hi > GRID_NET_BURST_MIN)
		hi = GRID_NET_BURST_MIN;
	CHECK_IN(st.tokens, lo - LEN, hi - LEN);
	CHECK_BOTH(GRID_DIR_INGRESS, 66 * LEN, 66, 2);
	CHECK_BOTH(GRID_DIR_EGRESS, 0, 0, 0);
}

/*
 * A new state (zeroed, as the loader writes it and as the program makes
 * it) has refilled_ns 0: the bucket must be full however long ago the
 * machine booted, even when the bucket takes longer than that to fill.
 */
TEST(a_fresh_bucket_is_full_however_long_the_machine_has_been_up)
{
	struct grid_net_limit lim = {
		.ingress_rate = 10000,			/* fills in 29.8 h */
		.ingress_burst = GRID_NET_BURST_MAX,
	};
	struct grid_net_state st;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	CHECK_RUN(ingress(AF_INET, LEN), V_PASS);
	CHECK(state(gg_id, &st));
	CHECK_EQ(st.tokens, GRID_NET_BURST_MAX - LEN);
}

TEST(the_ingress_bucket_starts_full_drops_when_empty_and_refills_at_its_rate)
{
	BEGIN();
	CALL(bucket(AF_INET, AF_INET));
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
	struct bpf_program *in = skel->progs.grid_net_ingress;
	struct bpf_program *out = skel->progs.grid_net_egress;
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
	struct grid_net_state st;
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
	CHECK(state(gg_id, &st));
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
	struct grid_net_state st;
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
		CHECK(state(gg_id, &st));
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
	struct grid_net_state st, st2;
	struct run r;

	BEGIN();
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	leave_room_in_period(lim.period_ns, NSEC_PER_SEC);
	CHECK_RUN(egress(AF_INET, LEN, 0), V_PASS);
	CHECK_RUN(ingress(AF_INET, LEN), V_PASS);
	CHECK(state(gg_id, &st));
	/* Over budget: dropped without taking a departure slot or tokens. */
	r = egress(AF_INET, LEN, 0);
	CHECK_RUN(r, V_DROP_CN);
	CHECK_EQ(r.tstamp, 0);
	CHECK_RUN(ingress(AF_INET, LEN), V_DROP);
	CHECK(state(gg_id, &st2));
	CHECK_EQ(st2.next_departure_ns, st.next_departure_ns);
	CHECK_EQ(st2.tokens, st.tokens);
	CHECK_EQ(st2.egress_used, LEN);
	CHECK_EQ(st2.ingress_used, LEN);
	CHECK_BOTH(GRID_DIR_EGRESS, LEN, 1, 1);
	CHECK_BOTH(GRID_DIR_INGRESS, LEN, 1, 1);
}

/*
 * A budget set on a grid-grid that already had limits (gridctl quota set
 * updates grid_net_limits and leaves grid_net_state as it is) counts from
 * when it was set, whatever the period's length: bytes let through while
 * there was no budget are nobody's business.
 */
static void budget_set_later(__u32 dir, __u64 period)
{
	struct grid_net_limit lim = { 0 };
	struct run r;
	int i;

	CHECK_EQ(fresh(), 0);
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
	BEGIN();
	/* A period that began this boot: its number is not 0. */
	CALL(budget_set_later(GRID_DIR_EGRESS, NSEC_PER_SEC));
	CALL(budget_set_later(GRID_DIR_INGRESS, NSEC_PER_SEC));
	/* A period longer than the uptime so far: number 0, as a new state's. */
	CALL(budget_set_later(GRID_DIR_EGRESS, GRID_PERIOD_MAX));
	CALL(budget_set_later(GRID_DIR_INGRESS, GRID_PERIOD_MAX));
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
	struct run r;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	w->r = run_prog(w->prog, AF_INET, LEN, 0, REPEAT);
	return NULL;
}

/* Runs @prog REPEAT times in each of THREADS threads at once. */
static void run_threads(struct bpf_program *prog, struct worker *w)
{
	int i;

	for (i = 0; i < THREADS; i++) {
		w[i].prog = prog;
		CHECK_EQ(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(w[i].thread, NULL);
	for (i = 0; i < THREADS; i++)
		CHECK_EQ(w[i].r.err, 0);
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

TEST(concurrent_runs_are_counted_exactly)
{
	const __u64 n = (__u64)THREADS * REPEAT;
	struct worker w[THREADS];
	struct grid_net_state st;
	int i;

	BEGIN();
	memset(w, 0, sizeof(w));
	CHECK_EQ(set_limits(gg_id, &generous), 0);
	CALL(run_threads(skel->progs.grid_net_egress, w));
	for (i = 0; i < THREADS; i++)
		CHECK_EQ(w[i].r.retval, V_PASS);
	CALL(run_threads(skel->progs.grid_net_ingress, w));
	for (i = 0; i < THREADS; i++)
		CHECK_EQ(w[i].r.retval, V_PASS);
	CHECK_BOTH(GRID_DIR_EGRESS, n * LEN, n, 0);
	CHECK_BOTH(GRID_DIR_INGRESS, n * LEN, n, 0);
	CHECK(state(gg_id, &st));
	CHECK_EQ(st.egress_used, n * LEN);
	CHECK_EQ(st.ingress_used, n * LEN);
}

/* A budget of exactly @m packets, THREADS * REPEAT tries: exactly m pass. */
static void exact_budget(__u32 dir, __u64 m)
{
	const __u64 n = (__u64)THREADS * REPEAT;
	struct grid_net_limit lim = { .period_ns = GRID_PERIOD_MAX };
	__u32 drop = dir == GRID_DIR_EGRESS ? V_DROP_CN : V_DROP;
	struct worker w[THREADS];
	struct grid_net_state st;
	int i;

	memset(w, 0, sizeof(w));
	if (dir == GRID_DIR_EGRESS)
		lim.egress_budget = m * LEN;
	else
		lim.ingress_budget = m * LEN;
	CHECK_EQ(set_limits(gg_id, &lim), 0);
	CALL(run_threads(dir == GRID_DIR_EGRESS ? skel->progs.grid_net_egress :
			 skel->progs.grid_net_ingress, w));
	/* Each thread alone tries more than m: its last run found none left. */
	for (i = 0; i < THREADS; i++)
		CHECK_EQ(w[i].r.retval, drop);
	CHECK_BOTH(dir, m * LEN, m, n - m);
	CHECK(state(gg_id, &st));
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

static void cost(const char *what, struct bpf_program *prog,
		 const struct grid_net_limit *lim, bool outside)
{
	const __u32 repeat = 100000;
	struct run r;
	int err = 0;

	CHECK_EQ(fresh(), 0);
	if (lim)
		CHECK_EQ(set_limits(gg_id, lim), 0);
	if (outside)
		err = move_to(cg_home);
	r = run_prog(prog, AF_INET, LEN, 0, repeat);
	CHECK_EQ(move_to(cg_lease), 0);
	CHECK_EQ(err, 0);
	CHECK_RUN(r, V_PASS);
	printf("[+] cost: %-44s %5u ns per packet (test_run, repeat %u)\n",
	       what, r.duration, repeat);
}

TEST(the_cost_per_packet)
{
	struct grid_net_limit none = { 0 }, pace = generous, tb = generous,
			      bud = generous;

	BEGIN();
	pace.egress_budget = pace.ingress_budget = 0;
	tb.egress_budget = tb.ingress_budget = 0;
	bud.egress_rate = bud.ingress_rate = 0;
	CALL(cost("egress, in no grid-grid", skel->progs.grid_net_egress,
		  &none, true));
	CALL(cost("egress, grid-grid without limits", skel->progs.grid_net_egress,
		  &none, false));
	CALL(cost("egress, paced", skel->progs.grid_net_egress, &pace, false));
	CALL(cost("egress, budget", skel->progs.grid_net_egress, &bud, false));
	CALL(cost("egress, paced and budget", skel->progs.grid_net_egress,
		  &generous, false));
	CALL(cost("ingress, token bucket", skel->progs.grid_net_ingress, &tb,
		  false));
	CALL(cost("ingress, token bucket and budget",
		  skel->progs.grid_net_ingress, &generous, false));
}

/* ---- setup --------------------------------------------------------------- */

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN && getenv("GRID_BPF_VERBOSE") ?
		vfprintf(stderr, fmt, ap) : 0;
}

__attribute__((constructor(101))) static void load(void)
{
	libbpf_set_print(quiet);
	if (geteuid() != 0) {
		why_not = "needs root to load BPF programs";
		return;
	}
	skel = grid_net_bpf__open_and_load();
	if (!skel) {
		why_not = "this kernel refused to load the program (set GRID_BPF_VERBOSE=1 to see why)";
		return;
	}
	set_up_cgroups();
}

__attribute__((destructor)) static void unload(void)
{
	tear_down_cgroups();
	grid_net_bpf__destroy(skel);
}
