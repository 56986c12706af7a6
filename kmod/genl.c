// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "grid": reads of the module's state, and the
 * "events" multicast group. Handlers are thin: they call the same core
 * functions as the ioctls in dev.c.
 */
#include <linux/capability.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "grid.h"

static struct genl_family grid_genl_family;

/*
 * netlink_capable() checks both the sender and whoever opened the socket,
 * so a privileged process cannot be tricked into sending on an
 * unprivileged caller's behalf.
 */
static int grid_genl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			      struct genl_info *info)
{
	if (!netlink_capable(skb, CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static int put_status(struct sk_buff *msg, const struct grid_status *st)
{
	if (nla_put_string(msg, GRID_STATUS_A_RELEASE, GRID_RELEASE) ||
	    nla_put_u32(msg, GRID_STATUS_A_ABI, GRID_ABI_VERSION) ||
	    nla_put_u64_64bit(msg, GRID_STATUS_A_GRIDS, st->grids,
			      GRID_STATUS_A_PAD) ||
	    nla_put_u64_64bit(msg, GRID_STATUS_A_GRIDGRIDS, st->gridgrids,
			      GRID_STATUS_A_PAD) ||
	    nla_put_u64_64bit(msg, GRID_STATUS_A_PEERS, st->peers,
			      GRID_STATUS_A_PAD) ||
	    nla_put_u64_64bit(msg, GRID_STATUS_A_LEASES, st->leases,
			      GRID_STATUS_A_PAD) ||
	    nla_put_u64_64bit(msg, GRID_STATUS_A_SANDBOXES, st->sandboxes,
			      GRID_STATUS_A_PAD) ||
	    nla_put_u64_64bit(msg, GRID_STATUS_A_HANDLES, st->handles,
			      GRID_STATUS_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int grid_genl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct grid_status st = {};
	struct sk_buff *msg;
	void *hdr;
	int ret;

	grid_status_read(&st);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &grid_genl_family, 0,
				GRID_CMD_GET_STATUS);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err;
	}
	ret = put_status(msg, &st);
	if (ret)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	return ret;
}

/*
 * No policy on GET_STATUS: with resv_start_op at 0 the core gives every
 * command without one a reject-all policy, so a request carrying any
 * attribute is refused rather than silently ignored.
 */
static const struct genl_ops grid_genl_ops[] = {
	{
		.cmd = GRID_CMD_GET_STATUS,
		.doit = grid_genl_get_status,
	},
};

static const struct genl_multicast_group grid_genl_mcgrps[] = {
	{ .name = GRID_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_SYS_ADMIN },
};

static struct genl_family grid_genl_family __ro_after_init = {
	.name = GRID_GENL_NAME,
	.version = GRID_GENL_VERSION,
	.module = THIS_MODULE,
	.netnsok = false,
	.resv_start_op = 0,
	.pre_doit = grid_genl_pre_doit,
	.ops = grid_genl_ops,
	.n_ops = ARRAY_SIZE(grid_genl_ops),
	.mcgrps = grid_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(grid_genl_mcgrps),
};

int __init grid_genl_init(void)
{
	return genl_register_family(&grid_genl_family);
}

void grid_genl_uninit(void)
{
	genl_unregister_family(&grid_genl_family);
}
