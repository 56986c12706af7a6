// SPDX-License-Identifier: GPL-2.0
/*
 * The product's network programs (bpf/grid_net.bpf.c) attached to a
 * cgroup as the loader attaches them, meeting real UDP packets on the
 * loopback device: their state and counters in the cgroup storage the
 * links make, written and read as the loader does, and their cost per
 * packet as the kernel's own statistics measure it.
 *
 *   /<cgroup2>/gridattach-<pid>        the grid-grid: grid_net_egress and
 *   /<cgroup2>/gridattach-<pid>/lease  grid_net_ingress attached here
 *   /<cgroup2>/gridpass-<pid>          test_pass (returns 1) attached for
 *                                      egress and ingress, the baseline
 *
 * A socket belongs to the cgroup its creator was in when it was made, and
 * stays there: the test makes both ends of each flow (so that the receiver
 * runs the ingress program too) from inside the lease, then goes home.
 * skb->len is the IP packet: 20 + 8 + payload over IPv4, 40 + 8 + payload
 * over IPv6. Loopback has no fq and clears skb->tstamp, so paced packets
 * arrive at once; only the state shows the pace.
 *
 * Runs on the host where the kernel allows it (root, BPF, cgroup v2), and
 * in the VM (tests/vm/bpf_attach.sh), where nothing may skip.
 */
#define UNIT_SUITE "bpf/net_attach"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <netinet/in.h>
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
#include "net_test.h"
#include "grid_net.skel.h"
#include "grid_net_test.skel.h"

#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_MSEC	1000000ULL
#define SLACK_NS	(1 * NSEC_PER_MSEC)
#define PAYLOAD		1000
#define COST_PACKETS	100000

static struct grid_net_bpf *skel;
/* test_pass loaded twice: a program is loaded for one attach type. */
static struct grid_net_test_bpf *pass_out, *pass_in;
static struct bpf_link *links[4];
static const char *why_not;
static char cg_home[PATH_MAX], cg_gg[PATH_MAX], cg_lease[PATH_MAX];
static char cg_pass[PATH_MAX];
static bool gg_made, lease_made, pass_made;
static __u64 gg_id, lease_id;
static int ncpus;

/* ---- assertions that show the values ------------------------------------- */




static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}


/* ---- cgroups ------------------------------------------------------------- */



static int own_cgroup(char *out, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char *line = NULL;
	size_t cap = 0;
	int err = ENOENT;

	if (!f)
		return errno;
	while (getline(&line, &cap, f) > 0) {
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

/* /sys/fs/cgroup, or /sys/fs/cgroup/unified beside cgroup v1. */
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

static int make_cgroup(const char *path, bool *made, __u64 *id)
{
	struct stat sb;

	if (mkdir(path, 0755))
		return errno;
	*made = true;
	if (stat(path, &sb))
		return errno;
	if (id)
		*id = sb.st_ino;
	return 0;
}

/* Attaches @prog to the cgroup at @dir as the loader does: a link. */
static int attach(struct bpf_program *prog, const char *dir,
		  struct bpf_link **link)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	*link = bpf_program__attach_cgroup(prog, fd);
	if (!*link)
		err = errno ? errno : EINVAL;
	close(fd);
	return err;
}

static void set_up(void)
{
	char root[PATH_MAX], own[PATH_MAX];
	int err, pid = getpid();

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
	    snprintf(cg_gg, sizeof(cg_gg), "%s/gridattach-%d", root,
		     pid) >= (int)sizeof(cg_gg) ||
	    snprintf(cg_lease, sizeof(cg_lease), "%s/lease",
		     cg_gg) >= (int)sizeof(cg_lease) ||
	    snprintf(cg_pass, sizeof(cg_pass), "%s/gridpass-%d", root,
		     pid) >= (int)sizeof(cg_pass)) {
		why_not = why("cgroup paths", ENAMETOOLONG);
		return;
	}
	err = make_cgroup(cg_gg, &gg_made, &gg_id);
	if (!err)
		err = make_cgroup(cg_lease, &lease_made, &lease_id);
	if (!err)
		err = make_cgroup(cg_pass, &pass_made, NULL);
	if (err) {
		why_not = why("cannot create a cgroup v2", err);
		return;
	}
	err = attach(skel->progs.grid_net_egress, cg_gg, &links[0]);
	if (!err)
		err = attach(skel->progs.grid_net_ingress, cg_gg, &links[1]);
	if (!err)
		err = attach(pass_out->progs.test_pass, cg_pass, &links[2]);
	if (!err)
		err = attach(pass_in->progs.test_pass, cg_pass, &links[3]);
	if (err)
		why_not = why("cannot attach cgroup_skb programs", err);
}

static void tear_down(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		bpf_link__destroy(links[i]);
	if (gg_made && move_to(cg_home))
		fprintf(stderr, "cannot move back to %s: %m\n", cg_home);
	if (lease_made && rmdir(cg_lease))
		fprintf(stderr, "cannot remove %s: %m\n", cg_lease);
	if (gg_made && rmdir(cg_gg))
		fprintf(stderr, "cannot remove %s: %m\n", cg_gg);
	if (pass_made && rmdir(cg_pass))
		fprintf(stderr, "cannot remove %s: %m\n", cg_pass);
}

/* ---- the grid-grid's storage, as the loader sees it ----------------------- */

static int gg_fd(void)
{
	return bpf_map__fd(skel->maps.grid_gg_net);
}

static bool state(struct grid_gg_net *st)
{
	memset(st, 0, sizeof(*st));
	return !bpf_map_lookup_elem(gg_fd(), &gg_id, st);
}

/*
 * What the loader writes once the links exist: the cgroup id, from which
 * on the programs act, and the limits, over a zeroed state.
 */
static int set_up_gg(const struct grid_net_limit *lim)
{
	struct grid_gg_net st;

	memset(&st, 0, sizeof(st));
	st.cgroup_id = gg_id;
	st.limits = *lim;
	return bpf_map_update_elem(gg_fd(), &gg_id, &st, BPF_EXIST) ? errno : 0;
}

/* Sums a per-CPU entry of struct grid_gg_count; zeros if there is none. */
static int sum_count(int fd, const void *key, struct grid_gg_count *sum)
{
	const size_t words = sizeof(*sum) / sizeof(__u64);
	__u64 *per_cpu, *out = (__u64 *)sum;
	int i, ret = 0;
	size_t w;

	memset(sum, 0, sizeof(*sum));
	per_cpu = calloc(ncpus, sizeof(*sum));
	if (!per_cpu)
		return ENOMEM;
	if (bpf_map_lookup_elem(fd, key, per_cpu))
		ret = errno;
	for (i = 0; !ret && i < ncpus; i++)
		for (w = 0; w < words; w++)
			out[w] += per_cpu[i * words + w];
	free(per_cpu);
	return ret;
}

static struct grid_gg_count gg_count(void)
{
	struct grid_gg_count c;

	sum_count(bpf_map__fd(skel->maps.grid_gg_count), &gg_id, &c);
	return c;
}

static struct grid_gg_count lease_count(void)
{
	struct grid_gg_key k = { .cgroup_id = lease_id };
	struct grid_gg_count c;

	sum_count(bpf_map__fd(skel->maps.grid_lease_net), &k, &c);
	return c;
}

static int lease_entries(void)
{
	int fd = bpf_map__fd(skel->maps.grid_lease_net), n = 0;
	struct grid_gg_key k, prev;

	while (!bpf_map_get_next_key(fd, n ? &prev : NULL, &k)) {
		prev = k;
		n++;
	}
	return n;
}


/* The grid-grid and its lease counted alike in direction @dir. */
#define CHECK_BOTH(dir, b, p, d)					\
	do {								\
		CHECK_USAGE(gg_count().dir, (b), (p), (d));		\
		CHECK_USAGE(lease_count().dir, (b), (p), (d));		\
	} while (0)

/*
 * Each test starts with the storage as the links made it (zero: not set
 * up), no counts and no lease entries.
 */
static int fresh(void)
{
	struct grid_gg_net st;
	__u64 *zeros;
	int ret = 0;

	memset(&st, 0, sizeof(st));
	if (bpf_map_update_elem(gg_fd(), &gg_id, &st, BPF_EXIST))
		return errno;
	zeros = calloc(ncpus, sizeof(struct grid_gg_count));
	if (!zeros)
		return ENOMEM;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.grid_gg_count), &gg_id,
				zeros, BPF_EXIST))
		ret = errno;
	free(zeros);
	while (!ret) {
		struct grid_gg_key k;
		int fd = bpf_map__fd(skel->maps.grid_lease_net);

		if (bpf_map_get_next_key(fd, NULL, &k))
			break;
		if (bpf_map_delete_elem(fd, &k))
			ret = errno;
	}
	return ret;
}

#define BEGIN()								\
	do {								\
		if (why_not)						\
			SKIP(why_not);					\
		CHECK_EQ(fresh(), 0);					\
	} while (0)

/* ---- flows --------------------------------------------------------------- */

/* A UDP flow on the loopback device, both of its sockets in one cgroup. */
struct flow {
	int tx, rx;
	__u32 len;		/* skb->len of one packet */
};

static void close_flow(struct flow *f)
{
	if (f->tx >= 0)
		close(f->tx);
	if (f->rx >= 0)
		close(f->rx);
}

/* A flow closed when it goes out of scope, however the test ends. */
#define __closed	__attribute__((cleanup(close_flow)))
#define NO_FLOW		{ .tx = -1, .rx = -1 }

static int connect_flow(struct flow *f, int family)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl = family == AF_INET6 ? sizeof(*sin6) : sizeof(*sin);

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = family;
	if (family == AF_INET6)
		sin6->sin6_addr = in6addr_loopback;
	else
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->rx = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	f->tx = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (f->rx < 0 || f->tx < 0 || bind(f->rx, (struct sockaddr *)&ss, sl) ||
	    getsockname(f->rx, (struct sockaddr *)&ss, &sl) ||
	    connect(f->tx, (struct sockaddr *)&ss, sl))
		return errno;
	return 0;
}

/* Makes a flow of @family whose sockets are in the cgroup at @dir. */
static int open_flow(struct flow *f, int family, const char *dir)
{
	int err, back;

	f->tx = f->rx = -1;
	f->len = (family == AF_INET6 ? 40 : 20) + 8 + PAYLOAD;
	err = move_to(dir);
	if (!err)
		err = connect_flow(f, family);
	back = move_to(cg_home);
	return err ? err : back;
}

/* Sends @n packets; returns how many send() took (a drop is no error). */
static int send_n(struct flow *f, int n)
{
	char buf[PAYLOAD];
	int i, sent = 0;

	memset(buf, 'g', sizeof(buf));
	for (i = 0; i < n; i++)
		if (send(f->tx, buf, sizeof(buf), 0) == sizeof(buf))
			sent++;
	return sent;
}

/* Receives what is queued, without waiting. */
static int drain(struct flow *f)
{
	char buf[PAYLOAD + 1];
	int n = 0;

	while (recv(f->rx, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

/*
 * Receives what arrives: loopback delivers on the way out of send(), so
 * this waits only for stragglers, up to a second until @want came and
 * 20 ms for any more.
 */
static int receive(struct flow *f, int want)
{
	struct pollfd p = { .fd = f->rx, .events = POLLIN };
	int n = 0;

	for (;;) {
		n += drain(f);
		if (poll(&p, 1, n < want ? 1000 : 20) <= 0)
			return n;
	}
}

/* ---- before and after the loader ----------------------------------------- */

TEST(until_the_loader_writes_the_storage_packets_pass_uncounted)
{
	struct grid_gg_net st, zero;
	struct flow f __closed = NO_FLOW;

	BEGIN();
	CHECK_EQ(open_flow(&f, AF_INET, cg_lease), 0);
	CHECK_EQ(send_n(&f, 3), 3);
	CHECK_EQ(receive(&f, 3), 3);
	CHECK_BOTH(egress, 0, 0, 0);
	CHECK_BOTH(ingress, 0, 0, 0);
	CHECK_EQ(lease_entries(), 0);
	/* Not even the level is learnt: the storage is as the links made it. */
	memset(&zero, 0, sizeof(zero));
	CHECK(state(&st));
	CHECK(!memcmp(&st, &zero, sizeof(st)));
}

static void counted(int family)
{
	const struct grid_net_limit none = { 0 };
	struct grid_gg_net st;
	struct flow f __closed = NO_FLOW;

	CHECK_EQ(open_flow(&f, family, cg_lease), 0);
	CHECK_EQ(set_up_gg(&none), 0);
	CHECK_EQ(send_n(&f, 5), 5);
	CHECK_EQ(receive(&f, 5), 5);
	CHECK_BOTH(egress, 5 * f.len, 5, 0);
	CHECK_BOTH(ingress, 5 * f.len, 5, 0);
	CHECK_EQ(lease_entries(), 1);
	CHECK(state(&st));
	CHECK(st.level > 0);
	CHECK_EQ(st.cgroup_id, gg_id);
}

TEST(ipv4_packets_count_for_the_grid_grid_and_its_lease_at_their_ip_length)
{
	BEGIN();
	CALL(counted(AF_INET));
}

TEST(ipv6_packets_count_for_the_grid_grid_and_its_lease_at_their_ip_length)
{
	BEGIN();
	CALL(counted(AF_INET6));
}

TEST(a_socket_outside_the_grid_grid_is_not_counted)
{
	const struct grid_net_limit none = { 0 };
	struct flow f __closed = NO_FLOW;

	BEGIN();
	CHECK_EQ(open_flow(&f, AF_INET, cg_pass), 0);
	CHECK_EQ(set_up_gg(&none), 0);
	CHECK_EQ(send_n(&f, 3), 3);
	CHECK_EQ(receive(&f, 3), 3);
	CHECK_USAGE(gg_count().egress, 0, 0, 0);
	CHECK_USAGE(gg_count().ingress, 0, 0, 0);
	CHECK_EQ(lease_entries(), 0);
}

/* ---- budgets ------------------------------------------------------------- */

/*
 * A budget of three packets in a period longer than the uptime: of five,
 * three go through and two drop. Egress drops say "congestion", which UDP
 * does not report, so every send() succeeds.
 */
static void budget(bool out, int family)
{
	struct grid_net_limit lim = { .period_ns = GRID_PERIOD_MAX };
	struct flow f __closed = NO_FLOW;

	CHECK_EQ(open_flow(&f, family, cg_lease), 0);
	if (out)
		lim.egress_budget = 3 * f.len;
	else
		lim.ingress_budget = 3 * f.len;
	CHECK_EQ(set_up_gg(&lim), 0);
	CHECK_EQ(send_n(&f, 5), 5);
	CHECK_EQ(receive(&f, 3), 3);
	if (out) {
		CHECK_BOTH(egress, 3 * f.len, 3, 2);
		CHECK_BOTH(ingress, 3 * f.len, 3, 0);
	} else {
		CHECK_BOTH(egress, 5 * f.len, 5, 0);
		CHECK_BOTH(ingress, 3 * f.len, 3, 2);
	}
}

TEST(an_egress_budget_lets_exactly_its_bytes_out)
{
	BEGIN();
	CALL(budget(true, AF_INET));
	CHECK_EQ(fresh(), 0);
	CALL(budget(true, AF_INET6));
}

TEST(an_ingress_budget_lets_exactly_its_bytes_in)
{
	BEGIN();
	CALL(budget(false, AF_INET));
	CHECK_EQ(fresh(), 0);
	CALL(budget(false, AF_INET6));
}

/* ---- the pace and the bucket --------------------------------------------- */

/*
 * 1000 B/s and a horizon of 2.5 s: a packet of 1028 bytes takes 1.028 s
 * of the schedule. Three go (stamped now, +1.028 s, +2.056 s), the fourth
 * would wait 3.084 s and drops, giving its time back.
 */
TEST(with_an_egress_rate_the_departure_time_advances_by_len_over_rate)
{
	const struct grid_net_limit lim = {
		.egress_rate = 1000, .horizon_ns = 2500 * NSEC_PER_MSEC,
	};
	struct grid_gg_net st;
	__u64 d, before, after, next;
	int i;
	struct flow f __closed = NO_FLOW;

	BEGIN();
	CHECK_EQ(open_flow(&f, AF_INET, cg_lease), 0);
	d = f.len * NSEC_PER_SEC / 1000;
	CHECK_EQ(set_up_gg(&lim), 0);
	before = now_ns();
	CHECK_EQ(send_n(&f, 1), 1);
	after = now_ns();
	CHECK(state(&st));
	CHECK_IN(st.next_departure_ns, before + d - SLACK_NS,
		 after + d + SLACK_NS);
	next = st.next_departure_ns;
	for (i = 1; i < 4; i++) {
		CHECK_EQ(send_n(&f, 1), 1);
		CHECK(state(&st));
		CHECK_EQ(st.next_departure_ns, next + (i < 3 ? i : 2) * d);
	}
	CHECK(now_ns() - before < 400 * NSEC_PER_MSEC);
	CHECK_EQ(receive(&f, 3), 3);
	CHECK_BOTH(egress, 3 * f.len, 3, 1);
	CHECK_BOTH(ingress, 3 * f.len, 3, 0);
}

/*
 * 1000 B/s into a bucket of 64 KiB (tau 65.536 s): a packet of 1028 bytes
 * takes 1.028 s of it, so a full bucket takes 63 back to back and the
 * 64th, which would need 65.792 s, drops.
 */
TEST(with_an_ingress_rate_the_bucket_takes_len_over_rate_and_drops_when_empty)
{
	const struct grid_net_limit lim = {
		.ingress_rate = 1000, .ingress_burst = GRID_NET_BURST_MIN,
	};
	struct grid_gg_net st;
	__u64 d, before, after, full;
	int i, got = 0;
	struct flow f __closed = NO_FLOW;

	BEGIN();
	CHECK_EQ(open_flow(&f, AF_INET, cg_lease), 0);
	d = f.len * NSEC_PER_SEC / 1000;
	CHECK_EQ(set_up_gg(&lim), 0);
	before = now_ns();
	CHECK_EQ(send_n(&f, 1), 1);
	after = now_ns();
	CHECK(state(&st));
	CHECK_IN(st.ingress_full_at_ns, before + d - SLACK_NS,
		 after + d + SLACK_NS);
	full = st.ingress_full_at_ns;
	for (i = 1; i < 64; i++) {
		CHECK_EQ(send_n(&f, 1), 1);
		got += drain(&f);
	}
	CHECK(now_ns() - before < 200 * NSEC_PER_MSEC);
	CHECK_EQ(got + receive(&f, 63 - got), 63);
	CHECK(state(&st));
	CHECK_EQ(st.ingress_full_at_ns, full + 62 * d);
	CHECK_BOTH(egress, 64 * f.len, 64, 0);
	CHECK_BOTH(ingress, 63 * f.len, 63, 1);
}

/* ---- what a real packet costs -------------------------------------------- */

struct stats {
	__u64 run_ns, runs;
};

static int prog_stats(struct bpf_program *prog, struct stats *s)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return errno;
	s->run_ns = info.run_time_ns;
	s->runs = info.run_cnt;
	return 0;
}

/*
 * Sends COST_PACKETS packets on @f, draining the receiver as it goes, and
 * gives what @out and @in ran for them: time and count, as the kernel's
 * statistics took them around each run.
 */
static int measure(struct flow *f, struct bpf_program *out,
		   struct bpf_program *in, struct stats *d_out,
		   struct stats *d_in)
{
	struct stats o0 = { 0 }, i0 = { 0 }, o1 = { 0 }, i1 = { 0 };
	int i, err;

	err = prog_stats(out, &o0);
	if (!err)
		err = prog_stats(in, &i0);
	for (i = 0; !err && i < COST_PACKETS; i += 32) {
		send_n(f, 32);
		drain(f);
	}
	receive(f, 0);
	if (!err)
		err = prog_stats(out, &o1);
	if (!err)
		err = prog_stats(in, &i1);
	d_out->run_ns = o1.run_ns - o0.run_ns;
	d_out->runs = o1.runs - o0.runs;
	d_in->run_ns = i1.run_ns - i0.run_ns;
	d_in->runs = i1.runs - i0.runs;
	return err;
}

static long long per_packet(const struct stats *s)
{
	return s->runs ? (long long)(s->run_ns / s->runs) : 0;
}

/*
 * One case: the grid-grid's programs on its lease's packets, and
 * test_pass on as many of its own cgroup's, each run counted once per
 * packet. Printed, never asserted: a machine's speed is no test.
 */
static void cost(const char *what, bool out, const struct grid_net_limit *lim,
		 struct flow *gg, struct flow *base)
{
	struct stats go, gi, bo, bi;
	const struct stats *g, *b;

	CHECK_EQ(fresh(), 0);
	CHECK_EQ(set_up_gg(lim), 0);
	CHECK_EQ(measure(gg, skel->progs.grid_net_egress,
			 skel->progs.grid_net_ingress, &go, &gi), 0);
	CHECK_EQ(measure(base, pass_out->progs.test_pass,
			 pass_in->progs.test_pass, &bo, &bi), 0);
	CHECK_EQ(go.runs, COST_PACKETS);
	CHECK_EQ(gi.runs, COST_PACKETS);
	CHECK_EQ(bo.runs, COST_PACKETS);
	CHECK_EQ(bi.runs, COST_PACKETS);
	CHECK_EQ(gg_count().egress.packets, COST_PACKETS);
	CHECK_EQ(gg_count().ingress.packets, COST_PACKETS);
	g = out ? &go : &gi;
	b = out ? &bo : &bi;
	printf("[+] cost on real packets: %-34s %5lld ns per packet, %5lld ns over the program that only returns 1 (bpf_stats, %d packets)\n",
	       what, per_packet(g), per_packet(g) - per_packet(b),
	       COST_PACKETS);
}

/* Rates a loopback flow never reaches, a budget it never spends. */
static const struct grid_net_limit pace = {
	.egress_rate = 100000000,	/* 10 us per packet */
	.horizon_ns = GRID_NET_HORIZON_MAX,
};
static const struct grid_net_limit pace_budget = {
	.egress_rate = 100000000,
	.horizon_ns = GRID_NET_HORIZON_MAX,
	.egress_budget = GRID_NET_BUDGET_MAX,
	.period_ns = GRID_PERIOD_MAX,
};
/* 10 us a packet out of 1.07 s: the 1 s of a fast sender never empties it. */
static const struct grid_net_limit bucket = {
	.ingress_rate = 100000000,
	.ingress_burst = GRID_NET_BURST_MAX,
};

static void costs(void)
{
	const struct grid_net_limit none = { 0 };
	struct flow gg __closed = NO_FLOW;
	struct flow base __closed = NO_FLOW;

	CHECK_EQ(open_flow(&gg, AF_INET, cg_lease), 0);
	CHECK_EQ(open_flow(&base, AF_INET, cg_pass), 0);
	CALL(cost("egress, counted without limits", true, &none, &gg, &base));
	CALL(cost("egress, paced", true, &pace, &gg, &base));
	CALL(cost("egress, paced and budget", true, &pace_budget, &gg, &base));
	CALL(cost("ingress, token bucket", false, &bucket, &gg, &base));
}

TEST(the_cost_per_real_packet)
{
	int stats_fd;

	BEGIN();
	/* The kernel times program runs only while this fd is open. */
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		SKIP(why("this kernel keeps no BPF run-time statistics", errno));
	costs();
	close(stats_fd);
}

/* ---- setup --------------------------------------------------------------- */


/* test_pass alone, for attach type @type. */
static struct grid_net_test_bpf *load_pass(enum bpf_attach_type type)
{
	struct grid_net_test_bpf *t = grid_net_test_bpf__open();

	if (!t)
		return NULL;
	bpf_program__set_autoload(t->progs.test_net_egress, false);
	bpf_program__set_autoload(t->progs.test_net_ingress, false);
	bpf_program__set_expected_attach_type(t->progs.test_pass, type);
	if (grid_net_test_bpf__load(t)) {
		grid_net_test_bpf__destroy(t);
		return NULL;
	}
	return t;
}

__attribute__((constructor(101))) static void load(void)
{
	libbpf_set_print(quiet);
	if (geteuid() != 0) {
		why_not = "needs root to load and attach BPF programs";
		return;
	}
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		why_not = "cannot tell how many CPUs are possible";
		return;
	}
	skel = grid_net_bpf__open_and_load();
	pass_out = load_pass(BPF_CGROUP_INET_EGRESS);
	pass_in = load_pass(BPF_CGROUP_INET_INGRESS);
	if (!skel || !pass_out || !pass_in) {
		why_not = "this kernel refused to load the programs (set GRID_BPF_VERBOSE=1 to see why)";
		return;
	}
	set_up();
}

__attribute__((destructor)) static void unload(void)
{
	tear_down();
	grid_net_test_bpf__destroy(pass_in);
	grid_net_test_bpf__destroy(pass_out);
	grid_net_bpf__destroy(skel);
}
