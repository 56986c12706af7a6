/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the netlink door, shared by nl.c and nl_reply.c only: the kinds of
 * reply grid.ko sends, each with its command, policy and reader. Nothing
 * outside user/common/nl*.c includes this, so libnl stays behind the door.
 */
#ifndef GRID_NL_REPLY_H
#define GRID_NL_REPLY_H

#include <stddef.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "nl.h"

/* Room for the attributes of any reply: more than every *_A_MAX. */
#define GRID_NL_TB_LEN 16

struct grid_nl_kind {
	uint8_t cmd;
	int maxtype;
	const struct nla_policy *policy;
	size_t size;			/* of the object parse() fills */
	int (*parse)(struct nlattr **tb, void *obj);
};

extern const struct grid_nl_kind grid_nl_status_kind;
extern const struct grid_nl_kind grid_nl_grid_kind;
extern const struct grid_nl_kind grid_nl_gridgrid_kind;
extern const struct grid_nl_kind grid_nl_peer_kind;
extern const struct grid_nl_kind grid_nl_lease_kind;
extern const struct grid_nl_kind grid_nl_sandbox_kind;

/* A GRID_CMD_EVENT message; -EPROTO for anything else. */
int grid_nl_parse_event(struct nlmsghdr *h, struct grid_obj_event *ev);

#endif
