// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink door's transport against a fake kernel (fake_genl.h): what
 * the VM cannot easily make happen on purpose, like dumps interrupted by a
 * change, errors in NLMSG_DONE, extended acks and replies that do not parse.
 */
#define UNIT_SUITE "unit/nl"
#include "unit.h"

/* nl.c's insides are what is tested, so it is built in. */
#include "../../user/common/nl.c"
#include "fake_genl.h"

/* ---- scripted answers ------------------------------------------------- */

static void three_grids(struct fake *f, struct nlmsghdr *req, int n)
{
	static const char *const names[] = { "home", "kitchen", "garden" };
	struct nl_msg *m;
	int i;

	for (i = 0; i < 3; i++) {
		m = reply(req, GRID_CMD_GET_GRID, NLM_F_MULTI);
		put_grid(m, names[i], i ? "home" : NULL);
		send_msg(f, req, m);
	}
	send_done(f, req, 0, 0);
}

struct seen {
	int n;
	char names[8][GRID_NAME_LEN];
	char parents[8][GRID_NAME_LEN];
};

static int note_grid(const struct grid_obj_grid *g, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		strcpy(s->names[s->n], g->name);
		strcpy(s->parents[s->n], g->parent);
	}
	s->n++;
	return memcmp(g->key, key_a, GRID_KEY_LEN) ? -EBADMSG : 0;
}

TEST(a_dump_delivers_every_object_in_the_kernels_order)
{
	struct grid_nl *nl = start(three_grids, 1);
	struct seen s = { 0 };

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grids(nl, note_grid, &s) == 0);
	stop(nl);
	CHECK(s.n == 3);
	CHECK(!strcmp(s.names[0], "home") && !strcmp(s.parents[0], ""));
	CHECK(!strcmp(s.names[2], "garden") && !strcmp(s.parents[2], "home"));
}

TEST(a_dump_asks_with_NLM_F_DUMP_and_no_ack)
{
	struct grid_nl *nl = start(three_grids, 1);
	struct seen s = { 0 };

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grids(nl, note_grid, &s) == 0);
	stop(nl);
	CHECK(fake.cmd == GRID_CMD_GET_GRID);
	CHECK((fake.flags & NLM_F_DUMP) == NLM_F_DUMP);
	CHECK(!(fake.flags & NLM_F_ACK));
	CHECK(fake.attrlen == 0);
}

/* Like the kernel, several messages in one datagram. */
static void packed_grids(struct fake *f, struct nlmsghdr *req, int n)
{
	char buf[1024];
	size_t len = 0;
	struct nl_msg *m;
	int i;

	for (i = 0; i < 2; i++) {
		m = reply(req, GRID_CMD_GET_GRID, NLM_F_MULTI);
		put_grid(m, i ? "b" : "a", NULL);
		memcpy(buf + len, nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len);
		len += NLMSG_ALIGN(nlmsg_hdr(m)->nlmsg_len);
		nlmsg_free(m);
	}
	put_raw(f, req, buf, len);
	send_done(f, req, 0, 0);
}

TEST(several_messages_in_one_datagram_are_all_read)
{
	struct grid_nl *nl = start(packed_grids, 1);
	struct seen s = { 0 };

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grids(nl, note_grid, &s) == 0);
	stop(nl);
	CHECK(s.n == 2 && !strcmp(s.names[1], "b"));
}

/* The first run is interrupted by a change; the second is whole. */
static void changed_once(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m;

	m = reply(req, GRID_CMD_GET_GRID, NLM_F_MULTI);
	put_grid(m, n ? "after" : "before", NULL);
	send_msg(f, req, m);
	if (!n) {
		m = reply(req, GRID_CMD_GET_GRID, NLM_F_MULTI | NLM_F_DUMP_INTR);
		put_grid(m, "torn", NULL);
		send_msg(f, req, m);
	}
	send_done(f, req, 0, n ? 0 : NLM_F_DUMP_INTR);
}

TEST(a_dump_interrupted_by_a_change_is_started_again)
{
	struct grid_nl *nl = start(changed_once, 2);
	struct seen s = { 0 };

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grids(nl, note_grid, &s) == 0);
	stop(nl);
	CHECK(fake.requests == 2);
	CHECK(s.n == 1 && !strcmp(s.names[0], "after"));
}

/* Only the DONE message carries the mark. */
static void changed_at_the_end(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_GRID, NLM_F_MULTI);

	put_grid(m, "x", NULL);
	send_msg(f, req, m);
	send_done(f, req, 0, n ? 0 : NLM_F_DUMP_INTR);
}

TEST(an_interruption_marked_only_on_done_also_restarts)
{
	struct grid_nl *nl = start(changed_at_the_end, 2);
	struct seen s = { 0 };

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grids(nl, note_grid, &s) == 0);
	stop(nl);
	CHECK(fake.requests == 2 && s.n == 1);
}

static void always_changing(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_GRID,
				 NLM_F_MULTI | NLM_F_DUMP_INTR);

	put_grid(m, "x", NULL);
	send_msg(f, req, m);
	send_done(f, req, 0, NLM_F_DUMP_INTR);
}

TEST(a_dump_that_never_holds_still_gives_up_with_eagain)
{
	struct grid_nl *nl = start(always_changing, DUMP_TRIES);
	struct seen s = { 0 };

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grids(nl, note_grid, &s) == -EAGAIN);
	stop(nl);
	CHECK(fake.requests == DUMP_TRIES);
	CHECK(s.n == 0);
}

static void fails_half_way(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_GRID, NLM_F_MULTI);

	put_grid(m, "x", NULL);
	send_msg(f, req, m);
	send_done(f, req, -EMSGSIZE, 0);
}

TEST(a_dump_that_fails_half_way_reports_the_error_from_done)
{
	struct grid_nl *nl = start(fails_half_way, 1);
	struct seen s = { 0 };

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grids(nl, note_grid, &s) == -EMSGSIZE);
	stop(nl);
	CHECK(s.n == 0);
}

static void refuses(struct fake *f, struct nlmsghdr *req, int n)
{
	send_ack(f, req, -EPERM, "needs CAP_SYS_ADMIN");
}

TEST(a_refusal_is_the_kernels_errno_with_its_extended_ack)
{
	struct grid_nl *nl = start(refuses, 1);
	struct seen s = { 0 };

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grids(nl, note_grid, &s) == -EPERM);
	CHECK(!strcmp(grid_nl_extack(nl), "needs CAP_SYS_ADMIN"));
	stop(nl);
}

/* First a grid without its key, then a good one: the socket must be clean. */
static void broken_then_good(struct fake *f, struct nlmsghdr *req, int n)
{
	struct nl_msg *m = reply(req, GRID_CMD_GET_GRID, NLM_F_MULTI);

	nla_put_string(m, GRID_GRID_A_NAME, "nokey");
	if (n)
		nla_put(m, GRID_GRID_A_KEY, GRID_KEY_LEN, key_a);
	send_msg(f, req, m);
	m = reply(req, GRID_CMD_GET_GRID, NLM_F_MULTI);
	put_grid(m, "fine", NULL);
	send_msg(f, req, m);
	send_done(f, req, 0, 0);
}

TEST(a_reply_missing_a_required_attribute_is_eproto_and_the_socket_stays_usable)
{
	struct grid_nl *nl = start(broken_then_good, 2);
	struct seen s = { 0 };

	if (!nl)
		SKIP(NO_FAKE);
	CHECK(grid_nl_grids(nl, note_grid, &s) == -EPROTO);
	CHECK(s.n == 0);
	CHECK(grid_nl_grids(nl, note_grid, &s) == 0);
	stop(nl);
	CHECK(s.n == 2);
}
