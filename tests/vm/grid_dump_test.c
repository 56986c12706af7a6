// SPDX-License-Identifier: GPL-2.0
/*
 * What a reader of the netlink family can build on (the daemon will): a
 * dump finishes however fast objects change, sending each object once,
 * and every change is an event whose generation matches the GEN its
 * object shows. Runs in the VM as root with grid.ko loaded (dump.sh).
 */
#define UNIT_SUITE "vm/dump"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include "unit.h"
#include "objects_test.h"
#include "nl.h"
#include "sandbox_test.h"

__attribute__((constructor(101))) static void open_device(void)
{
	fd = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("grid_dump_test: " GRID_DEV_PATH);
		exit(1);
	}
}

/* ---- dumps under churn ------------------------------------------------------ */

#define LASTING	1500

struct churner {
	const struct world *w;
	atomic_bool stop;
	atomic_long changes;
	int err;
};

/* Adds and deletes leases of its own as fast as it can. */
static void *churn(void *arg)
{
	struct churner *c = arg;
	unsigned int n = 0;

	while (!atomic_load(&c->stop) && !c->err) {
		struct grid_ioc_lease l = lease_tmpl(c->w, 100000 + n % 64);

		/* A fresh id each time: a deleted one keeps its serial. */
		l.id = LID(100000 + n);
		l.limits.memory_bytes = 1;
		c->err = ioc(GRID_IOC_LEASE_ADD, &l);
		if (!c->err)
			c->err = lease_del(l.id);
		n++;
		atomic_fetch_add(&c->changes, 2);
	}
	return NULL;
}

struct seen {
	unsigned char *count;	/* per lasting lease */
	long others, dup;
};

static int count_lease(const struct grid_obj_lease *l, void *arg)
{
	struct seen *s = arg;
	__u64 n = l->id & 0xffffffffu;

	if ((l->id >> 32) != test_seq || n < 1 || n > LASTING) {
		s->others++;
		return 0;
	}
	if (s->count[n - 1]++)
		s->dup++;
	return 0;
}

/*
 * Before, every part of a dump walked from the head and any change made
 * it start again: under a change every few microseconds a dump of many
 * objects never finished (-EAGAIN after a few tries).
 */
OTEST(a_dump_under_steady_churn_finishes_with_every_lasting_object_once)
{
	struct grid_limits share = { .cpu_quota_us = GRID_LIMIT_MAX,
				     .cpu_period_us = 100000,
				     .cpu_budget_us = GRID_LIMIT_MAX,
				     .memory_bytes = GRID_LIMIT_MAX,
				     .pids = GRID_LIMIT_MAX,
				     .net_egress_rate = GRID_LIMIT_MAX,
				     .net_ingress_rate = GRID_LIMIT_MAX,
				     .net_egress_budget = GRID_LIMIT_MAX,
				     .net_ingress_budget = GRID_LIMIT_MAX,
				     .budget_period_s = 86400 };
	static unsigned char count[LASTING];
	struct churner c = { 0 };
	struct grid_nl *nl;
	struct world w;
	pthread_t t;
	__s64 t0;
	int i, r, ret = 0;

	EXPECT(world_up(&w, 0, &share), 0);
	for (i = 1; i <= LASTING; i++) {
		struct grid_ioc_lease l = lease_tmpl(&w, i);

		l.limits.memory_bytes = 1;
		l.blob_len = 0;
		EXPECT(ioc(GRID_IOC_LEASE_ADD, &l), 0);
	}
	EXPECT(grid_nl_open(&nl), 0);
	c.w = &w;
	CHECK(pthread_create(&t, NULL, churn, &c) == 0);
	t0 = mono_ns();
	for (r = 0; r < 10 && !ret; r++) {
		struct seen s = { .count = count };

		memset(count, 0, sizeof(count));
		ret = grid_nl_leases(nl, NULL, count_lease, &s);
		for (i = 0; i < LASTING && !ret; i++)
			if (count[i] != 1)
				ret = -EBADMSG;
		if (s.dup)
			ret = -EEXIST;
	}
	atomic_store(&c.stop, true);
	pthread_join(t, NULL);
	grid_nl_close(nl);
	printf("# %d dumps of %d leases in %.2f s under %ld changes: %s\n",
	       r, LASTING, (mono_ns() - t0) / 1e9, atomic_load(&c.changes),
	       ret ? strerror(-ret) : "complete");
	EXPECT(c.err, 0);
	EXPECT(ret, 0);
	CHECK(atomic_load(&c.changes) > 100);
	/* Too many for the undo list: deleted here, checked by the counts. */
	for (i = 1; i <= LASTING; i++)
		EXPECT(lease_del(LID(i)), 0);
}

/* ---- events and generations --------------------------------------------------- */

#define EVENTS_MAX	64

struct events {
	struct grid_obj_event ev[EVENTS_MAX];
	int n;
};

static void keep(const struct grid_obj_event *ev, void *arg)
{
	struct events *e = arg;

	if (e->n < EVENTS_MAX)
		e->ev[e->n++] = *ev;
}

/* What arrived within @ms. */
static int drain(struct grid_nl *sub, struct events *e, int ms)
{
	struct pollfd p = { .fd = grid_nl_fd(sub), .events = POLLIN };
	int ret = 0;

	while (!ret && poll(&p, 1, ms) > 0)
		ret = grid_nl_read_events(sub, keep, e);
	return ret;
}

static const struct grid_obj_event *find(const struct events *e, __u32 type)
{
	for (int i = e->n - 1; i >= 0; i--)
		if (e->ev[i].type == type)
			return &e->ev[i];
	return NULL;
}

OTEST(every_change_is_an_event_whose_generation_its_object_shows)
{
	static const __u32 want[] = {
		GRID_EVENT_GRID_ADDED, GRID_EVENT_GRIDGRID_ADDED,
		GRID_EVENT_SHARE_ADDED, GRID_EVENT_LEASE_GRANTED,
		GRID_EVENT_LEASE_CHANGED, GRID_EVENT_SANDBOX_BOUND,
		GRID_EVENT_SANDBOX_UNBOUND, GRID_EVENT_PEER_ADDED,
		GRID_EVENT_PEER_DELETED, GRID_EVENT_SHARE_CHANGED,
		GRID_EVENT_LEASE_DELETED,
	};
	static struct grid_obj_lease ol;
	struct grid_limits more = big_share();
	struct grid_nl_status st;
	struct grid_obj_gridgrid og;
	struct grid_nl *sub, *nl;
	struct grid_ioc_lease l, p;
	struct grid_ioc_peer peer;
	struct events e = { 0 };
	char cg[CG_PATH_LEN];
	const char *ggs[1];
	__u64 cgid = 0, last = 0;
	struct world w;
	size_t i;

	EXPECT(grid_nl_open(&sub), 0);
	EXPECT(grid_nl_subscribe(sub), 0);
	EXPECT(grid_nl_open(&nl), 0);
	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_bump(&l, 2), 0);
	EXPECT(sandbox_new(l.id, cg, &cgid), 0);
	EXPECT(sandbox_unbind(cgid), 0);
	ggs[0] = w.gg;
	peer = peer_arg(77, "p", 1, ggs);
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &peer), 0);
	EXPECT(peer_ioc(GRID_IOC_PEER_DEL, &peer), 0);
	more.pids++;
	EXPECT(share_set(w.gg, &more), 0);
	p = lease_tmpl(&w, 2);
	EXPECT(lease_add(&p), 0);
	EXPECT(lease_del(p.id), 0);
	EXPECT(drain(sub, &e, 200), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ctx = "event";
		if (!find(&e, want[i]))
			printf("# no event of type %u\n", want[i]);
		CHECK(find(&e, want[i]));
	}
	for (int k = 0; k < e.n; k++) {
		if (e.ev[k].type == GRID_EVENT_SHARE_EXHAUSTED)
			continue;
		CHECK(e.ev[k].gen > last);
		last = e.ev[k].gen;
	}
	/* The lease's GEN is its last change's; the status is past all. */
	EXPECT(grid_nl_lease_get(nl, l.id, &ol), 0);
	CHECK(ol.gen == find(&e, GRID_EVENT_SANDBOX_UNBOUND)->gen);
	EXPECT(grid_nl_gridgrid_get(nl, w.gg, &og), 0);
	CHECK(og.gen == find(&e, GRID_EVENT_LEASE_DELETED)->gen);
	EXPECT(grid_nl_status(nl, &st), 0);
	CHECK(st.generation >= last);
	grid_nl_close(nl);
	grid_nl_close(sub);
}

OTEST(a_pending_lease_that_starts_says_so)
{
	struct grid_nl *sub;
	struct events e = { 0 };
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(grid_nl_open(&sub), 0);
	EXPECT(grid_nl_subscribe(sub), 0);
	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_before_ns = now_ns() + 200 * NSEC_PER_MSEC;
	EXPECT(lease_add(&l), 0);
	EXPECT(drain(sub, &e, 600), 0);
	CHECK(find(&e, GRID_EVENT_LEASE_ACTIVE));
	CHECK(find(&e, GRID_EVENT_LEASE_ACTIVE)->lease_id == l.id);
	CHECK(find(&e, GRID_EVENT_LEASE_ACTIVE)->gen >
	      find(&e, GRID_EVENT_LEASE_GRANTED)->gen);
	grid_nl_close(sub);
}

OTEST(a_kill_that_fails_is_an_event_with_its_errno)
{
	const struct grid_obj_event *f;
	struct grid_nl *sub;
	struct events e = { 0 };
	char cg[CG_PATH_LEN], lc[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;
	pid_t pid;

	EXPECT(deny_up(), 0);
	EXPECT(grid_nl_open(&sub), 0);
	EXPECT(grid_nl_subscribe(sub), 0);
	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, NULL), 0);
	EXPECT(lease_cgroup(l.id, lc), 0);
	pid = child_in(cg, NULL, NULL);
	CHECK(pid > 0);
	/* The end kills the lease cgroup, through its cgroup.kill. */
	deny_write(lc, "cgroup.kill");
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(drain(sub, &e, 300), 0);
	deny_write(NULL, "");
	f = find(&e, GRID_EVENT_SANDBOX_KILL_FAILED);
	CHECK(f && f->error == EPERM && f->lease_id == l.id);
	/* Said once per errno, not at every retry. */
	CHECK(f == find(&e, GRID_EVENT_SANDBOX_KILL_FAILED));
	EXPECT(child_wait(pid, 3000, NULL, NULL, NULL), 0);
	EXPECT(drain(sub, &e, 300), 0);
	CHECK(find(&e, GRID_EVENT_SANDBOX_KILLED));
	grid_nl_close(sub);
}
