// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "grid": reads of the module's objects (one
 * object per message, dumps that resume after the last object sent, by
 * its creation number) and the "events" multicast group. Changes go
 * through /dev/grid.
 */
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "compat.h"
#include "grid.h"

static struct genl_family grid_genl_family;

/*
 * netlink_capable() checks both the sender and whoever opened the socket,
 * so a privileged process cannot be tricked into sending on an
 * unprivileged caller's behalf. A task inside a sandbox is refused as it
 * is on /dev/grid.
 */
static int allowed(struct sk_buff *skb)
{
	if (!netlink_capable(skb, CAP_SYS_ADMIN) || grid_current_in_sandbox())
		return -EPERM;
	return 0;
}

static int grid_genl_pre_doit(const grid_genl_ops_t *ops, struct sk_buff *skb,
			      struct genl_info *info)
{
	return allowed(skb);
}

static int put_u64(struct sk_buff *msg, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(msg, type, v, pad);
}

static int put_status(struct sk_buff *msg, const struct grid_status *st,
		      u64 gen)
{
	if (nla_put_string(msg, GRID_STATUS_A_RELEASE, GRID_RELEASE) ||
	    nla_put_u32(msg, GRID_STATUS_A_ABI, GRID_ABI_VERSION) ||
	    put_u64(msg, GRID_STATUS_A_GRIDS, st->grids, GRID_STATUS_A_PAD) ||
	    put_u64(msg, GRID_STATUS_A_GRIDGRIDS, st->gridgrids,
		    GRID_STATUS_A_PAD) ||
	    put_u64(msg, GRID_STATUS_A_PEERS, st->peers, GRID_STATUS_A_PAD) ||
	    put_u64(msg, GRID_STATUS_A_LEASES, st->leases, GRID_STATUS_A_PAD) ||
	    put_u64(msg, GRID_STATUS_A_SANDBOXES, st->sandboxes,
		    GRID_STATUS_A_PAD) ||
	    put_u64(msg, GRID_STATUS_A_HANDLES, st->handles, GRID_STATUS_A_PAD) ||
	    put_u64(msg, GRID_STATUS_A_GENERATION, gen, GRID_STATUS_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int put_limits(struct sk_buff *msg, int type,
		      const struct grid_limits *l,
		      const struct grid_amounts *am)
{
	struct nlattr *nest = nla_nest_start(msg, type);
	const int pad = GRID_LIMITS_A_PAD;

	if (!nest ||
	    put_u64(msg, GRID_LIMITS_A_CPU_QUOTA_US, l->cpu_quota_us, pad) ||
	    put_u64(msg, GRID_LIMITS_A_CPU_PERIOD_US, l->cpu_period_us, pad) ||
	    put_u64(msg, GRID_LIMITS_A_CPU_BUDGET_US, l->cpu_budget_us, pad) ||
	    put_u64(msg, GRID_LIMITS_A_MEMORY, l->memory_bytes, pad) ||
	    put_u64(msg, GRID_LIMITS_A_PIDS, l->pids, pad) ||
	    put_u64(msg, GRID_LIMITS_A_NET_EGRESS_RATE, l->net_egress_rate,
		    pad) ||
	    put_u64(msg, GRID_LIMITS_A_NET_INGRESS_RATE, l->net_ingress_rate,
		    pad) ||
	    put_u64(msg, GRID_LIMITS_A_NET_EGRESS_BUDGET, l->net_egress_budget,
		    pad) ||
	    put_u64(msg, GRID_LIMITS_A_NET_INGRESS_BUDGET,
		    l->net_ingress_budget, pad) ||
	    nla_put_u32(msg, GRID_LIMITS_A_BUDGET_PERIOD_S, l->budget_period_s) ||
	    put_u64(msg, GRID_LIMITS_A_CPU_RATE, am->v[GRID_RES_CPU_RATE], pad))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_used(struct sk_buff *msg, const struct grid_gridgrid *gg)
{
	struct grid_amounts am;
	struct grid_limits l;

	grid_used_limits(gg, &l, &am);
	return put_limits(msg, GRID_GRIDGRID_A_USED, &l, &am);
}

static int fill_grid(struct sk_buff *msg, void *obj)
{
	struct grid_grid *g = obj;

	if (nla_put_string(msg, GRID_GRID_A_NAME, g->name) ||
	    nla_put(msg, GRID_GRID_A_KEY, GRID_KEY_LEN, g->key) ||
	    (g->parent &&
	     nla_put_string(msg, GRID_GRID_A_PARENT, g->parent->name)) ||
	    put_u64(msg, GRID_GRID_A_GEN, g->gen, GRID_GRID_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int fill_gridgrid(struct sk_buff *msg, void *obj)
{
	struct grid_gridgrid *gg = obj;

	if (nla_put_string(msg, GRID_GRIDGRID_A_NAME, gg->name) ||
	    nla_put(msg, GRID_GRIDGRID_A_CHARTER_KEY, GRID_KEY_LEN,
		    gg->charter_key) ||
	    (gg->has_share &&
	     put_limits(msg, GRID_GRIDGRID_A_SHARE, &gg->share,
			&gg->share_amounts)) ||
	    put_used(msg, gg) ||
	    nla_put_u32(msg, GRID_GRIDGRID_A_LEASES, gg->nr_leases) ||
	    nla_put_u32(msg, GRID_GRIDGRID_A_PEERS, gg->nr_peers) ||
	    nla_put_u32(msg, GRID_GRIDGRID_A_SANDBOXES, gg->nr_sandboxes) ||
	    (gg->cgrp && put_u64(msg, GRID_GRIDGRID_A_CGROUP_ID,
				 cgroup_id(gg->cgrp), GRID_GRIDGRID_A_PAD)) ||
	    put_u64(msg, GRID_GRIDGRID_A_GEN, gg->gen, GRID_GRIDGRID_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int fill_peer(struct sk_buff *msg, void *obj)
{
	struct grid_peer *p = obj;
	struct nlattr *nest;
	unsigned int i;

	if (nla_put(msg, GRID_PEER_A_KEY, GRID_KEY_LEN, p->key) ||
	    nla_put_string(msg, GRID_PEER_A_NAME, p->name))
		return -EMSGSIZE;
	nest = nla_nest_start(msg, GRID_PEER_A_GRIDGRIDS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < p->n_gridgrids; i++)
		if (nla_put_string(msg, GRID_PEER_A_GRIDGRID,
				   p->gridgrids[i]->name))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return put_u64(msg, GRID_PEER_A_GEN, p->gen, GRID_PEER_A_PAD);
}

static int fill_lease(struct sk_buff *msg, void *obj)
{
	struct grid_lease *l = obj;
	const int pad = GRID_LEASE_A_PAD;

	if (put_u64(msg, GRID_LEASE_A_ID, l->id, pad) ||
	    put_u64(msg, GRID_LEASE_A_SERIAL, l->serial, pad) ||
	    nla_put(msg, GRID_LEASE_A_ISSUER, GRID_KEY_LEN, l->issuer_key) ||
	    nla_put(msg, GRID_LEASE_A_HOLDER, GRID_KEY_LEN, l->holder) ||
	    nla_put_string(msg, GRID_LEASE_A_GRIDGRID, l->gg->name) ||
	    put_limits(msg, GRID_LEASE_A_LIMITS, &l->limits, &l->amounts) ||
	    nla_put_s64(msg, GRID_LEASE_A_NOT_BEFORE, l->not_before, pad) ||
	    nla_put_s64(msg, GRID_LEASE_A_NOT_AFTER, l->not_after, pad) ||
	    nla_put_u32(msg, GRID_LEASE_A_STATE, l->state) ||
	    (l->blob_len &&
	     nla_put(msg, GRID_LEASE_A_BLOB, l->blob_len, l->blob)) ||
	    nla_put_u32(msg, GRID_LEASE_A_SANDBOXES, l->nr_sandboxes) ||
	    put_u64(msg, GRID_LEASE_A_GEN, l->gen, pad))
		return -EMSGSIZE;
	return 0;
}

/*
 * A sandbox as a message shows it, copied under grid_mutex, so that its
 * path (cgroup work, which takes cgroup_mutex) is made after letting go.
 */
struct sandbox_view {
	u64 cgroup_id, lease_id, lease_cgroup_id, gen;
	char gridgrid[GRID_NAME_LEN];
	u32 state, error, tries;
	struct cgroup *cgrp;		/* referenced */
};

static void sandbox_view(struct grid_sandbox *sb, struct sandbox_view *v)
{
	lockdep_assert_held(&grid_mutex);
	v->cgroup_id = sb->cgroup_id;
	v->lease_id = sb->lease->id;
	v->lease_cgroup_id = cgroup_id(sb->lease_cgrp);
	v->gen = sb->gen;
	memcpy(v->gridgrid, sb->lease->gg->name, GRID_NAME_LEN);
	v->state = sb->state;
	v->error = sb->state == GRID_SANDBOX_KILL_FAILED ? sb->kill_err : 0;
	v->tries = sb->kill_tries;
	cgroup_get(sb->cgrp);
	v->cgrp = sb->cgrp;
}

static int fill_sandbox_view(struct sk_buff *msg, struct sandbox_view *v,
			     char *path)
{
	const int pad = GRID_SANDBOX_A_PAD;
	int ret;

	if (put_u64(msg, GRID_SANDBOX_A_CGROUP_ID, v->cgroup_id, pad) ||
	    put_u64(msg, GRID_SANDBOX_A_LEASE_ID, v->lease_id, pad) ||
	    nla_put_string(msg, GRID_SANDBOX_A_GRIDGRID, v->gridgrid) ||
	    nla_put_u32(msg, GRID_SANDBOX_A_STATE, v->state) ||
	    put_u64(msg, GRID_SANDBOX_A_LEASE_CGROUP_ID, v->lease_cgroup_id,
		    pad) ||
	    (v->error && nla_put_u32(msg, GRID_SANDBOX_A_ERROR, v->error)) ||
	    nla_put_u32(msg, GRID_SANDBOX_A_KILL_TRIES, v->tries) ||
	    put_u64(msg, GRID_SANDBOX_A_GEN, v->gen, pad))
		return -EMSGSIZE;
	/* Relative to the reader's cgroup namespace; absent if outside it. */
	ret = cgroup_path_ns(v->cgrp, path, PATH_MAX,
			     current->nsproxy->cgroup_ns);
	if (ret >= 0 && ret < PATH_MAX && strncmp(path, "/..", 3))
		return nla_put_string(msg, GRID_SANDBOX_A_PATH, path) ?
			-EMSGSIZE : 0;
	return 0;
}

/*
 * Every object kind as the dump and get code sees it. All object structs
 * start alike, so the list node, seq and gridgrid (for the filter) are
 * found by offset.
 */
struct kind {
	enum grid_obj obj;
	u8 cmd;
	int (*fill)(struct sk_buff *msg, void *obj);	/* NULL: a sandbox */
	const char *(*gridgrid_of)(void *obj);
};

static const char *lease_gridgrid(void *obj)
{
	return ((struct grid_lease *)obj)->gg->name;
}

static const char *sandbox_gridgrid(void *obj)
{
	return ((struct grid_sandbox *)obj)->lease->gg->name;
}

static const struct kind kinds[] = {
	{ GRID_OBJ_GRID, GRID_CMD_GET_GRID, fill_grid, NULL },
	{ GRID_OBJ_GRIDGRID, GRID_CMD_GET_GRIDGRID, fill_gridgrid, NULL },
	{ GRID_OBJ_PEER, GRID_CMD_GET_PEER, fill_peer, NULL },
	{ GRID_OBJ_LEASE, GRID_CMD_GET_LEASE, fill_lease, lease_gridgrid },
	{ GRID_OBJ_SANDBOX, GRID_CMD_GET_SANDBOX, NULL, sandbox_gridgrid },
};

static const struct kind *kind_of(u8 cmd)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kinds[i].cmd == cmd)
			return &kinds[i];
	return NULL;
}

/*
 * cb->args[0]: the seq of the last object sent; [1]: whether a grid-grid
 * filter is set; [2..5]: its name (GRID_NAME_LEN bytes).
 *
 * Each part looks up the next object after args[0] in the kind's index,
 * so that a part costs what it sends, not what was sent before, and a
 * dump finishes however fast objects come and go: they are sent in
 * creation order, each once, and nothing is marked interrupted.
 */
#define DUMP_FILTER(cb) ((char *)&(cb)->args[2])

static int dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct nlattr *gg = NULL, **attrs;
	int ret;

	BUILD_BUG_ON(sizeof(cb->args) < 2 * sizeof(long) + GRID_NAME_LEN);
	ret = allowed(cb->skb);
	if (ret)
		return ret;
	/* Room for the largest object: a lease's blob, a sandbox's path. */
	cb->min_dump_alloc = GRID_LEASE_BLOB_MAX + PATH_MAX + NLMSG_DEFAULT_SIZE;
	attrs = grid_dump_attrs(cb);
	if (info->op.cmd == GRID_CMD_GET_LEASE && attrs)
		gg = attrs[GRID_LEASE_A_GRIDGRID];
	if (info->op.cmd == GRID_CMD_GET_SANDBOX && attrs)
		gg = attrs[GRID_SANDBOX_A_GRIDGRID];
	if (gg) {
		cb->args[1] = 1;
		nla_strscpy(DUMP_FILTER(cb), gg, GRID_NAME_LEN);
	}
	return 0;
}

/* One object into @skb, as a message of @cmd; sandboxes need @path. */
static int put_object(struct sk_buff *skb, const struct kind *k, void *obj,
		      u32 portid, u32 seq, int flags, char *path)
{
	struct sandbox_view v;
	void *hdr;
	int ret;

	lockdep_assert_held(&grid_mutex);
	hdr = genlmsg_put(skb, portid, seq, &grid_genl_family, flags, k->cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (k->fill) {
		ret = k->fill(skb, obj);
	} else {
		sandbox_view(obj, &v);
		mutex_unlock(&grid_mutex);
		ret = fill_sandbox_view(skb, &v, path);
		cgroup_put(v.cgrp);
		mutex_lock(&grid_mutex);
	}
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	const struct kind *k = kind_of(info->op.cmd);
	unsigned long seq = cb->args[0];
	char *path = NULL;
	void *obj;
	int ret = 0;

	if (!k->fill) {
		path = kmalloc(PATH_MAX, GFP_KERNEL);
		if (!path)
			return -ENOMEM;
	}
	mutex_lock(&grid_mutex);
	/*
	 * A sandbox's message is finished without grid_mutex (put_object):
	 * the next one is looked up from the seq reached, whatever changed.
	 */
	while ((obj = grid_index_next(k->obj, &seq))) {
		if (cb->args[1] &&
		    strcmp(k->gridgrid_of(obj), DUMP_FILTER(cb)))
			continue;
		ret = put_object(skb, k, obj, NETLINK_CB(cb->skb).portid,
				 cb->nlh->nlmsg_seq, NLM_F_MULTI, path);
		if (ret)
			break;
		cb->args[0] = seq;
	}
	mutex_unlock(&grid_mutex);
	kfree(path);
	/* A full skb: send what there is, and come back for the rest. */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

/* The object a get request names, under grid_mutex, or NULL. */
static void *find(u8 cmd, struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct nlattr *a;

	switch (cmd) {
	case GRID_CMD_GET_GRID:
		a = tb[GRID_GRID_A_NAME];
		return a ? grid_grid_find(nla_data(a)) : NULL;
	case GRID_CMD_GET_GRIDGRID:
		a = tb[GRID_GRIDGRID_A_NAME];
		return a ? grid_gridgrid_find(nla_data(a)) : NULL;
	case GRID_CMD_GET_PEER:
		a = tb[GRID_PEER_A_KEY];
		return a ? grid_peer_find(nla_data(a)) : NULL;
	case GRID_CMD_GET_LEASE:
		a = tb[GRID_LEASE_A_ID];
		return a ? grid_lease_find(nla_get_u64(a)) : NULL;
	case GRID_CMD_GET_SANDBOX:
		a = tb[GRID_SANDBOX_A_CGROUP_ID];
		return a ? grid_sandbox_find(nla_get_u64(a)) : NULL;
	}
	return NULL;
}

static bool has_key(u8 cmd, struct nlattr **tb)
{
	switch (cmd) {
	case GRID_CMD_GET_GRID:
		return tb[GRID_GRID_A_NAME];
	case GRID_CMD_GET_GRIDGRID:
		return tb[GRID_GRIDGRID_A_NAME];
	case GRID_CMD_GET_PEER:
		return tb[GRID_PEER_A_KEY];
	case GRID_CMD_GET_LEASE:
		return tb[GRID_LEASE_A_ID];
	case GRID_CMD_GET_SANDBOX:
		return tb[GRID_SANDBOX_A_CGROUP_ID];
	}
	return false;
}

static int get_doit(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	const struct kind *k = kind_of(cmd);
	struct sk_buff *msg;
	char *path = NULL;
	void *obj;
	int ret;

	if (!has_key(cmd, info->attrs)) {
		NL_SET_ERR_MSG(info->extack, "the object's key attribute is missing");
		return -EINVAL;
	}
	msg = genlmsg_new(GRID_LEASE_BLOB_MAX + PATH_MAX + NLMSG_DEFAULT_SIZE,
			  GFP_KERNEL);
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	ret = -ENOMEM;
	if (!msg || !path)
		goto out;
	mutex_lock(&grid_mutex);
	obj = find(cmd, info->attrs, info->extack);
	ret = obj ? put_object(msg, k, obj, info->snd_portid, info->snd_seq,
			       0, path) : -ENOENT;
	mutex_unlock(&grid_mutex);
	if (!ret) {
		kfree(path);
		return genlmsg_reply(msg, info);
	}
out:
	kfree(path);
	nlmsg_free(msg);
	return ret;
}

static int grid_genl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct grid_status st = {};
	struct sk_buff *msg;
	void *hdr;
	u64 gen;
	int ret;

	grid_status_read(&st);
	mutex_lock(&grid_mutex);
	gen = grid_generation_now();
	mutex_unlock(&grid_mutex);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &grid_genl_family, 0,
				GRID_CMD_GET_STATUS);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err;
	}
	ret = put_status(msg, &st, gen);
	if (ret)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	return ret;
}

void grid_event(enum grid_event type, const struct grid_event_info *e)
{
	const int pad = GRID_EVENT_A_PAD;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &grid_genl_family, 0, GRID_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, GRID_EVENT_A_TYPE, type) ||
	    (e->gen && put_u64(msg, GRID_EVENT_A_GENERATION, e->gen, pad)) ||
	    (e->lease_id && put_u64(msg, GRID_EVENT_A_LEASE_ID, e->lease_id,
				    pad)) ||
	    (e->cgroup_id && put_u64(msg, GRID_EVENT_A_CGROUP_ID, e->cgroup_id,
				     pad)) ||
	    (e->gridgrid &&
	     nla_put_string(msg, GRID_EVENT_A_GRIDGRID, e->gridgrid)) ||
	    (e->name && nla_put_string(msg, GRID_EVENT_A_NAME, e->name)) ||
	    (e->key && nla_put(msg, GRID_EVENT_A_KEY, GRID_KEY_LEN, e->key)) ||
	    (e->resource &&
	     nla_put_u32(msg, GRID_EVENT_A_RESOURCE, e->resource)) ||
	    (e->error && nla_put_u32(msg, GRID_EVENT_A_ERROR, e->error))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	/* No listener (-ESRCH) is the common case, not an error. */
	genlmsg_multicast(&grid_genl_family, msg, 0, 0, GFP_KERNEL);
}

/*
 * A name attribute is exactly a valid name and its NUL: NLA_NUL_STRING
 * would let bytes after the NUL through, which strict validation means
 * to refuse.
 */
static int valid_name(const struct nlattr *attr,
		      struct netlink_ext_ack *extack)
{
	char name[GRID_NAME_LEN] = {};
	int len = nla_len(attr);

	if (len < 2 || len > GRID_NAME_LEN ||
	    strnlen(nla_data(attr), len) != len - 1) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "a name is 1..31 bytes and its NUL");
		return -EINVAL;
	}
	memcpy(name, nla_data(attr), len);
	if (grid_name_check(name, false)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "a name is [a-z0-9._-]");
		return -EINVAL;
	}
	return 0;
}

/* No length in the policy: valid_name() says -EINVAL for every wrong length. */
#define NAME_POLICY NLA_POLICY_VALIDATE_FN(NLA_BINARY, valid_name)

static const struct nla_policy grid_policy[] = {
	[GRID_GRID_A_NAME] = NAME_POLICY,
};

static const struct nla_policy gridgrid_policy[] = {
	[GRID_GRIDGRID_A_NAME] = NAME_POLICY,
};

static const struct nla_policy peer_policy[] = {
	[GRID_PEER_A_KEY] = NLA_POLICY_EXACT_LEN(GRID_KEY_LEN),
};

static const struct nla_policy lease_policy[] = {
	[GRID_LEASE_A_ID] = { .type = NLA_U64 },
	[GRID_LEASE_A_GRIDGRID] = NAME_POLICY,
};

static const struct nla_policy sandbox_policy[] = {
	[GRID_SANDBOX_A_CGROUP_ID] = { .type = NLA_U64 },
	[GRID_SANDBOX_A_GRIDGRID] = NAME_POLICY,
};

#define GET_OP(c, pol, max) {						\
	.cmd = (c), .doit = get_doit, .start = dump_start,		\
	.dumpit = dumpit, .policy = (pol), .maxattr = (max) }

/*
 * GET_STATUS has no policy: with resv_start_op at 0 the core gives every
 * command without one a reject-all policy, so a request carrying any
 * attribute is refused rather than silently ignored. The get policies
 * list only the key and filter attributes; validation is strict, so any
 * other attribute is refused too.
 */
static const struct genl_ops grid_genl_ops[] = {
	{
		.cmd = GRID_CMD_GET_STATUS,
		.doit = grid_genl_get_status,
	},
	GET_OP(GRID_CMD_GET_GRID, grid_policy, GRID_GRID_A_NAME),
	GET_OP(GRID_CMD_GET_GRIDGRID, gridgrid_policy, GRID_GRIDGRID_A_NAME),
	GET_OP(GRID_CMD_GET_PEER, peer_policy, GRID_PEER_A_KEY),
	GET_OP(GRID_CMD_GET_LEASE, lease_policy, GRID_LEASE_A_GRIDGRID),
	GET_OP(GRID_CMD_GET_SANDBOX, sandbox_policy, GRID_SANDBOX_A_GRIDGRID),
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
