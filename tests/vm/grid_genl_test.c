// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "grid": its identity, the status command, the
 * strictness of its validation and its permission checks. Runs in the VM
 * as root with grid.ko loaded.
 */
#define UNIT_SUITE "vm/genl"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/mngt.h>
#include <linux/grid.h>

#include "unit.h"
#include "caps.h"
#include "dev.h"
#include "nl.h"

static struct grid_nl *nl;

TEST(the_family_is_registered_with_version_1_and_an_events_group)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct genl_family *fam = NULL;

	CHECK(sk && genl_connect(sk) == 0);
	CHECK(genl_ctrl_resolve_grp(sk, GRID_GENL_NAME,
				    GRID_GENL_MCGRP_EVENTS) > 0);
	{
		struct nl_cache *cache;

		CHECK(genl_ctrl_alloc_cache(sk, &cache) == 0);
		fam = genl_ctrl_search_by_name(cache, GRID_GENL_NAME);
		CHECK(fam);
		CHECK(genl_family_get_version(fam) == GRID_GENL_VERSION);
		genl_family_put(fam);
		nl_cache_free(cache);
	}
	nl_socket_free(sk);
}

TEST(status_agrees_with_the_ioctl)
{
	struct grid_nl_status s;
	struct grid_version v;
	struct grid_status st;
	int fd;

	CHECK(grid_dev_open(&fd) == 0);
	CHECK(grid_dev_version(fd, &v) == 0);
	CHECK(grid_dev_status(fd, &st) == 0);
	CHECK(grid_nl_status(nl, &s) == 0);
	close(fd);
	CHECK(!strcmp(s.release, v.release));
	CHECK(s.abi == v.abi);
	CHECK(s.counts.handles == st.handles);
	CHECK(s.counts.handles >= 1);
	CHECK(s.counts.leases == st.leases && s.counts.grids == st.grids);
}

TEST(a_request_with_any_attribute_is_einval_with_a_reason)
{
	/* One u32 attribute of type 1, then type 200, then type 0. */
	static const unsigned char a1[] = { 8, 0, 1, 0, 1, 0, 0, 0 };
	static const unsigned char a200[] = { 8, 0, 200, 0, 1, 0, 0, 0 };
	static const unsigned char a0[] = { 4, 0, 0, 0 };

	CHECK(grid_nl_send_raw(nl, GRID_CMD_GET_STATUS, a1, sizeof(a1)) == -EINVAL);
	CHECK(grid_nl_extack(nl)[0] != '\0');
	CHECK(grid_nl_send_raw(nl, GRID_CMD_GET_STATUS, a200, sizeof(a200)) == -EINVAL);
	CHECK(grid_nl_send_raw(nl, GRID_CMD_GET_STATUS, a0, sizeof(a0)) == -EINVAL);
}

TEST(a_truncated_attribute_is_einval)
{
	/* Claims 12 bytes, carries 8. */
	static const unsigned char bad[] = { 12, 0, 1, 0, 1, 0, 0, 0 };

	CHECK(grid_nl_send_raw(nl, GRID_CMD_GET_STATUS, bad, sizeof(bad)) == -EINVAL);
}

/* Builds a GRID_GRIDGRID_A_NAME attribute carrying @len bytes of @v. */
static size_t name_attr(unsigned char *buf, const char *v, size_t len)
{
	size_t total = 4 + len;

	memset(buf, 0, 4 + ((len + 3) & ~3u));
	buf[0] = total & 0xff;
	buf[1] = total >> 8;
	buf[2] = GRID_GRIDGRID_A_NAME;
	memcpy(buf + 4, v, len);
	return 4 + ((len + 3) & ~3u);
}

TEST(a_name_attribute_must_be_exactly_a_name_and_its_nul)
{
	unsigned char buf[64];
	size_t n;
	int r;

	/* Well-formed, unknown: the lookup answers. */
	n = name_attr(buf, "nope", 5);
	CHECK(grid_nl_send_raw(nl, GRID_CMD_GET_GRIDGRID, buf, n) == -ENOENT);
	/* Bytes after the NUL, no NUL, a bad character, empty, too long. */
	n = name_attr(buf, "abc\0xyz", 8);
	CHECK(grid_nl_send_raw(nl, GRID_CMD_GET_GRIDGRID, buf, n) == -EINVAL);
	CHECK(grid_nl_extack(nl)[0] != '\0');
	n = name_attr(buf, "abc", 3);
	CHECK(grid_nl_send_raw(nl, GRID_CMD_GET_GRIDGRID, buf, n) == -EINVAL);
	n = name_attr(buf, "A/B", 4);
	CHECK(grid_nl_send_raw(nl, GRID_CMD_GET_GRIDGRID, buf, n) == -EINVAL);
	n = name_attr(buf, "", 1);
	CHECK(grid_nl_send_raw(nl, GRID_CMD_GET_GRIDGRID, buf, n) == -EINVAL);
	n = name_attr(buf, "abcdefghijabcdefghijabcdefghijab", 33);
	r = grid_nl_send_raw(nl, GRID_CMD_GET_GRIDGRID, buf, n);
	if (r != -EINVAL)
		printf("# 33-byte name: %s\n", strerror(-r));
	CHECK(r == -EINVAL);
}

TEST(an_unknown_command_is_eopnotsupp)
{
	int r = grid_nl_send_raw(nl, GRID_CMD_MAX + 1, NULL, 0);

	if (r != -EOPNOTSUPP)
		printf("# command %d: %s\n", GRID_CMD_MAX + 1, strerror(-r));
	CHECK(r == -EOPNOTSUPP);
	/* A command with no operation behind it, like events. */
	CHECK(grid_nl_send_raw(nl, GRID_CMD_EVENT, NULL, 0) == -EOPNOTSUPP);
	CHECK(grid_nl_send_raw(nl, 0, NULL, 0) == -EOPNOTSUPP);
	CHECK(grid_nl_send_raw(nl, 255, NULL, 0) == -EOPNOTSUPP);
}

TEST(the_events_group_can_be_joined_by_root)
{
	struct grid_nl *ev;

	CHECK(grid_nl_open(&ev) == 0);
	CHECK(grid_nl_subscribe(ev) == 0);
	grid_nl_close(ev);
}

static bool status_is_eperm(void)
{
	struct grid_nl_status s;
	struct grid_nl *mine;
	bool ok;

	if (grid_nl_open(&mine))
		return false;
	ok = grid_nl_status(mine, &s) == -EPERM;
	grid_nl_close(mine);
	return ok;
}

TEST(status_without_cap_sys_admin_is_eperm)
{
	CHECK(in_child(drop_cap_sys_admin, status_is_eperm));
}

TEST(status_as_an_unprivileged_user_is_eperm)
{
	CHECK(in_child(become_nobody, status_is_eperm));
}

static bool join_is_eperm(void)
{
	struct grid_nl *ev;
	bool ok;

	if (grid_nl_open(&ev))
		return false;
	ok = grid_nl_subscribe(ev) == -EPERM;
	grid_nl_close(ev);
	return ok;
}

TEST(the_events_group_refuses_a_caller_without_cap_sys_admin)
{
	CHECK(in_child(drop_cap_sys_admin, join_is_eperm));
}

__attribute__((constructor(101))) static void open_family(void)
{
	int ret = grid_nl_open(&nl);

	if (ret) {
		fprintf(stderr, "grid_genl_test: family: %s\n", strerror(-ret));
		exit(1);
	}
}
