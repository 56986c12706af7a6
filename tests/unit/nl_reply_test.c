// SPDX-License-Identifier: GPL-2.0
/*
 * Reading grid.ko's replies and events into objects.h, against the fake
 * kernel of fake_genl.h: every object kind, its key attribute on a get,
 * nests, lists and the policies.
 */
#define UNIT_SUITE "unit/nl_reply"
#include "unit.h"

#include "../../user/common/nl.c"
#include "fake_genl.h"

static void short_key(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_GRID, 0);

	nla_put_string(m, GRID_GRID_A_NAME, "home");
	nla_put(m, GRID_GRID_A_KEY, GRID_KEY_LEN - 1, key_a);
	send_msg(f, req, m);
	send_ack(f, req, 0, NULL);
}

TEST(a_key_of_the_wrong_length_fails_the_policy)
{
	struct grid_nl *nl = start(short_key, 1);
	struct grid_obj_grid g;

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grid_get(nl, "home", &g) == -EPROTO);
	stop(nl);
}

static void unterminated_name(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_GRID, 0);

	nla_put(m, GRID_GRID_A_NAME, 4, "home");
	nla_put(m, GRID_GRID_A_KEY, GRID_KEY_LEN, key_a);
	send_msg(f, req, m);
	send_ack(f, req, 0, NULL);
}

TEST(a_name_without_its_nul_fails_the_policy)
{
	struct grid_nl *nl = start(unterminated_name, 1);
	struct grid_obj_grid g;

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grid_get(nl, "home", &g) == -EPROTO);
	stop(nl);
}

static void newer_kernel(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_GRID, 0);

	put_grid(m, "home", "up");
	nla_put_u32(m, GRID_GRID_A_MAX + 5, 1234);
	send_msg(f, req, m);
	send_ack(f, req, 0, NULL);
}

TEST(a_get_sends_the_name_and_ignores_attributes_it_does_not_know)
{
	struct grid_nl *nl = start(newer_kernel, 1);
	struct grid_obj_grid g;
	struct nlattr *a;

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grid_get(nl, "home", &g) == 0);
	stop(nl);
	CHECK(!strcmp(g.name, "home") && !strcmp(g.parent, "up"));
	CHECK(!(fake.flags & NLM_F_DUMP));
	a = first_attr();
	CHECK(a && a->nla_type == GRID_GRID_A_NAME);
	CHECK(!strcmp((char *)nla_data(a), "home"));
}

static void not_there(struct fake *f, struct nlmsghdr *req, int n)
{
	send_ack(f, req, -ENOENT, NULL);
}

TEST(a_get_of_something_that_is_not_there_is_enoent)
{
	struct grid_nl *nl = start(not_there, 1);
	struct grid_obj_lease *l = malloc(sizeof(*l));

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(l);
	CHECK(grid_nl_lease_get(nl, 7, l) == -ENOENT);
	stop(nl);
	free(l);
}

static void put_limits(struct nl_msg *m, int type, uint64_t quota,
		       uint64_t memory, bool rate)
{
	struct nlattr *n = nla_nest_start(m, type);

	nla_put_u64(m, GRID_LIMITS_A_CPU_QUOTA_US, quota);
	nla_put_u64(m, GRID_LIMITS_A_CPU_PERIOD_US, 100000);
	nla_put_u64(m, GRID_LIMITS_A_MEMORY, memory);
	nla_put_u32(m, GRID_LIMITS_A_BUDGET_PERIOD_S, 86400);
	if (rate)
		nla_put_u64(m, GRID_LIMITS_A_CPU_RATE, quota * 10000);
	nla_nest_end(m, n);
}

static void one_lease(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_LEASE, 0);

	nla_put_u64(m, GRID_LEASE_A_ID, 7);
	nla_put_u64(m, GRID_LEASE_A_SERIAL, 3);
	nla_put(m, GRID_LEASE_A_ISSUER, GRID_KEY_LEN, key_a);
	nla_put(m, GRID_LEASE_A_HOLDER, GRID_KEY_LEN, key_a);
	nla_put_string(m, GRID_LEASE_A_GRIDGRID, "clubhouse");
	put_limits(m, GRID_LEASE_A_LIMITS, 150000, 1ULL << 30, false);
	nla_put_s64(m, GRID_LEASE_A_NOT_BEFORE, -5);
	nla_put_s64(m, GRID_LEASE_A_NOT_AFTER, 1795608000LL * 1000000000LL);
	nla_put_u32(m, GRID_LEASE_A_STATE, GRID_LEASE_ACTIVE);
	nla_put(m, GRID_LEASE_A_BLOB, 3, "sig");
	nla_put_u32(m, GRID_LEASE_A_SANDBOXES, 2);
	send_msg(f, req, m);
	send_ack(f, req, 0, NULL);
}

TEST(a_lease_is_read_whole_with_its_limits_and_blob)
{
	struct grid_nl *nl = start(one_lease, 1);
	struct grid_obj_lease *l = malloc(sizeof(*l));
	struct nlattr *a;

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(l);
	CHECK(grid_nl_lease_get(nl, 7, l) == 0);
	stop(nl);
	a = first_attr();
	CHECK(a && a->nla_type == GRID_LEASE_A_ID && nla_get_u64(a) == 7);
	CHECK(l->id == 7 && l->serial == 3 && l->state == GRID_LEASE_ACTIVE);
	CHECK(!strcmp(l->gridgrid, "clubhouse") && l->sandboxes == 2);
	CHECK(l->not_before_ns == -5);
	CHECK(l->blob_len == 3 && !memcmp(l->blob, "sig", 3));
	CHECK(l->limits.l.cpu_quota_us == 150000 &&
	      l->limits.l.memory_bytes == 1ULL << 30);
	/* Not sent: unlimited, and the rate worked out from quota and period. */
	CHECK(l->limits.l.pids == GRID_LIMIT_MAX);
	CHECK(l->limits.cpu_rate == 1500000000ULL);
	CHECK(!(l->limits.present & (1u << GRID_LIMITS_A_PIDS)));
	CHECK(l->limits.l.budget_period_s == 86400);
	free(l);
}

static void two_leases(struct fake *f, struct nlmsghdr *req, int n)
{
	send_done(f, req, 0, 0);
}

TEST(a_lease_dump_narrowed_to_a_gridgrid_names_it)
{
	struct grid_nl *nl = start(two_leases, 1);
	struct nlattr *a;

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_leases(nl, "clubhouse", NULL, NULL) == 0);
	stop(nl);
	a = first_attr();
	CHECK(fake.cmd == GRID_CMD_GET_LEASE && (fake.flags & NLM_F_DUMP));
	CHECK(a && a->nla_type == GRID_LEASE_A_GRIDGRID);
	CHECK(!strcmp((char *)nla_data(a), "clubhouse"));
}

static void gridgrids(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m;

	m = reply(req, GRID_CMD_GET_GRIDGRID, NLM_F_MULTI);
	nla_put_string(m, GRID_GRIDGRID_A_NAME, "clubhouse");
	nla_put(m, GRID_GRIDGRID_A_CHARTER_KEY, GRID_KEY_LEN, key_a);
	put_limits(m, GRID_GRIDGRID_A_SHARE, 200000, 2ULL << 30, true);
	put_limits(m, GRID_GRIDGRID_A_USED, 150000, 1ULL << 30, true);
	nla_put_u32(m, GRID_GRIDGRID_A_LEASES, 3);
	nla_put_u32(m, GRID_GRIDGRID_A_PEERS, 2);
	nla_put_u32(m, GRID_GRIDGRID_A_SANDBOXES, 1);
	send_msg(f, req, m);
	m = reply(req, GRID_CMD_GET_GRIDGRID, NLM_F_MULTI);
	nla_put_string(m, GRID_GRIDGRID_A_NAME, "bare");
	nla_put(m, GRID_GRIDGRID_A_CHARTER_KEY, GRID_KEY_LEN, key_a);
	send_msg(f, req, m);
	send_done(f, req, 0, 0);
}

static int keep_gridgrid(const struct grid_obj_gridgrid *gg, void *arg)
{
	struct grid_obj_gridgrid *out = arg;

	out[strcmp(gg->name, "clubhouse") ? 1 : 0] = *gg;
	return 0;
}

TEST(a_gridgrid_brings_its_share_what_is_used_and_its_counts)
{
	struct grid_nl *nl = start(gridgrids, 1);
	struct grid_obj_gridgrid gg[2];

	if (!nl)
		SKIP(NO_FAKE);
	memset(gg, 0, sizeof(gg));
	CHECK(grid_nl_gridgrids(nl, keep_gridgrid, gg) == 0);
	stop(nl);
	CHECK(gg[0].has_share && gg[0].share.cpu_rate == 2000000000ULL);
	CHECK(gg[0].share.l.memory_bytes == 2ULL << 30);
	CHECK(gg[0].used.cpu_rate == 1500000000ULL);
	CHECK(gg[0].leases == 3 && gg[0].peers == 2 && gg[0].sandboxes == 1);
	CHECK(!gg[1].has_share && !strcmp(gg[1].name, "bare"));
	CHECK(gg[1].used.l.memory_bytes == 0 && gg[1].used.cpu_rate == 0);
}

static int peer_count;

static void peer_with(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_PEER, 0);
	struct nlattr *list;
	char name[GRID_NAME_LEN];
	int i;

	nla_put(m, GRID_PEER_A_KEY, GRID_KEY_LEN, key_a);
	nla_put_string(m, GRID_PEER_A_NAME, "pi");
	list = nla_nest_start(m, GRID_PEER_A_GRIDGRIDS);
	for (i = 0; i < peer_count; i++) {
		snprintf(name, sizeof(name), "gg%d", i);
		nla_put_string(m, GRID_PEER_A_GRIDGRID, name);
	}
	nla_nest_end(m, list);
	send_msg(f, req, m);
	send_ack(f, req, 0, NULL);
}

TEST(a_peer_lists_its_gridgrids)
{
	struct grid_nl *nl;
	struct grid_obj_peer p;
	struct nlattr *a;

	peer_count = 3;
	nl = start(peer_with, 1);
	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_peer_get(nl, key_a, &p) == 0);
	stop(nl);
	a = first_attr();
	CHECK(a && a->nla_type == GRID_PEER_A_KEY &&
	      nla_len(a) == GRID_KEY_LEN && !memcmp(nla_data(a), key_a, GRID_KEY_LEN));
	CHECK(!strcmp(p.name, "pi") && p.n_gridgrids == 3);
	CHECK(!strcmp(p.gridgrids[2], "gg2"));
}

TEST(a_peer_in_more_gridgrids_than_the_uapi_allows_is_eproto)
{
	struct grid_nl *nl;
	struct grid_obj_peer p;

	peer_count = GRID_PEER_GRIDGRIDS_MAX + 1;
	nl = start(peer_with, 1);
	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_peer_get(nl, key_a, &p) == -EPROTO);
	stop(nl);
}

static void one_sandbox(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_SANDBOX, 0);

	nla_put_u64(m, GRID_SANDBOX_A_CGROUP_ID, 4242);
	nla_put_u64(m, GRID_SANDBOX_A_LEASE_ID, 7);
	nla_put_string(m, GRID_SANDBOX_A_GRIDGRID, "clubhouse");
	nla_put_u32(m, GRID_SANDBOX_A_STATE, GRID_SANDBOX_KILLED);
	nla_put_string(m, GRID_SANDBOX_A_PATH, "/grid/clubhouse/7/job");
	send_msg(f, req, m);
	send_ack(f, req, 0, NULL);
}

TEST(a_sandbox_is_found_by_its_cgroup_id)
{
	struct grid_nl *nl = start(one_sandbox, 1);
	struct grid_obj_sandbox *sb = malloc(sizeof(*sb));
	struct nlattr *a;

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(sb);
	CHECK(grid_nl_sandbox_get(nl, 4242, sb) == 0);
	stop(nl);
	a = first_attr();
	CHECK(a && a->nla_type == GRID_SANDBOX_A_CGROUP_ID &&
	      nla_get_u64(a) == 4242);
	CHECK(sb->cgroup_id == 4242 && sb->lease_id == 7);
	CHECK(sb->state == GRID_SANDBOX_KILLED);
	CHECK(!strcmp(sb->path, "/grid/clubhouse/7/job"));
	free(sb);
}

static void wrong_command(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_PEER, 0);

	put_grid(m, "home", NULL);
	send_msg(f, req, m);
	send_ack(f, req, 0, NULL);
}

TEST(a_reply_for_another_command_is_eproto)
{
	struct grid_nl *nl = start(wrong_command, 1);
	struct grid_obj_grid g;

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grid_get(nl, "home", &g) == -EPROTO);
	stop(nl);
}

/* ---- events ----------------------------------------------------------- */

static struct grid_obj_event last_event;
static int events;

static void note_event(const struct grid_obj_event *ev, void *arg)
{
	last_event = *ev;
	events++;
}

static void no_answer(struct fake *f, struct nlmsghdr *req, int n)
{
}

TEST(events_are_parsed_and_other_messages_skipped)
{
	struct grid_nl *nl = start(no_answer, 0);
	struct nlmsghdr to = { .nlmsg_pid = 0 };
	struct nl_msg *m;

	if (!nl)
		SKIP(NO_FAKE);
	nl_socket_disable_seq_check(nl->sk);
	nl_socket_set_nonblocking(nl->sk);
	to.nlmsg_pid = nl_socket_get_local_port(nl->sk);

	m = reply(&to, GRID_CMD_GET_GRID, 0);
	put_grid(m, "noise", NULL);
	send_msg(&fake, &to, m);
	m = reply(&to, GRID_CMD_EVENT, 0);
	nla_put_u32(m, GRID_EVENT_A_TYPE, GRID_EVENT_SHARE_EXHAUSTED);
	nla_put_string(m, GRID_EVENT_A_GRIDGRID, "clubhouse");
	nla_put_u32(m, GRID_EVENT_A_RESOURCE, GRID_LIMITS_A_MEMORY);
	send_msg(&fake, &to, m);

	events = 0;
	while (grid_nl_read_events(nl, note_event, NULL) == 0 && events < 1)
		;
	CHECK(grid_nl_read_events(nl, note_event, NULL) == 0);
	stop(nl);
	CHECK(events == 1);
	CHECK(last_event.type == GRID_EVENT_SHARE_EXHAUSTED);
	CHECK(!strcmp(last_event.gridgrid, "clubhouse"));
	CHECK(last_event.has_resource && last_event.resource == GRID_LIMITS_A_MEMORY);
	CHECK(!last_event.has_lease_id && !last_event.has_cgroup_id);
}

TEST(an_event_carries_its_lease_and_cgroup)
{
	struct grid_nl *nl = start(no_answer, 0);
	struct nlmsghdr to = { .nlmsg_pid = 0 };
	struct nl_msg *m;

	if (!nl)
		SKIP(NO_FAKE);
	nl_socket_disable_seq_check(nl->sk);
	to.nlmsg_pid = nl_socket_get_local_port(nl->sk);
	m = reply(&to, GRID_CMD_EVENT, 0);
	nla_put_u32(m, GRID_EVENT_A_TYPE, GRID_EVENT_SANDBOX_KILLED);
	nla_put_u64(m, GRID_EVENT_A_LEASE_ID, 7);
	nla_put_u64(m, GRID_EVENT_A_CGROUP_ID, 4242);
	send_msg(&fake, &to, m);

	events = 0;
	CHECK(grid_nl_read_events(nl, note_event, NULL) == 0);
	stop(nl);
	CHECK(events == 1 && last_event.type == GRID_EVENT_SANDBOX_KILLED);
	CHECK(last_event.has_lease_id && last_event.lease_id == 7);
	CHECK(last_event.has_cgroup_id && last_event.cgroup_id == 4242);
	CHECK(!last_event.has_resource && !last_event.gridgrid[0]);
}
