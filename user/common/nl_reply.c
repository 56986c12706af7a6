// SPDX-License-Identifier: GPL-2.0
/*
 * Reading grid.ko's replies: an nla_policy per attribute set, checked by
 * libnl before anything is read, then the attributes into the plain structs
 * of objects.h. Attributes a newer module adds are ignored; a reply that
 * lacks one the uapi promises is -EPROTO.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "units.h"
#include "nl_reply.h"

#define STR(max)	{ .type = NLA_STRING, .maxlen = (max) }
#define KEY		{ .type = NLA_UNSPEC, .minlen = GRID_KEY_LEN, \
			  .maxlen = GRID_KEY_LEN }
#define U32		{ .type = NLA_U32 }
#define U64		{ .type = NLA_U64 }
#define NEST		{ .type = NLA_NESTED }

static void copy_key(uint8_t *dst, struct nlattr *a)
{
	memcpy(dst, nla_data(a), GRID_KEY_LEN);
}

static void copy_str(char *dst, struct nlattr *a, size_t len)
{
	nla_strlcpy(dst, a, len);
}

static bool all_present(struct nlattr **tb, const int *need, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!tb[need[i]])
			return false;
	return true;
}

#define NEED(tb, ...) \
	all_present(tb, (const int[]){ __VA_ARGS__ }, \
		    sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

static const struct nla_policy status_policy[GRID_STATUS_A_MAX + 1] = {
	[GRID_STATUS_A_RELEASE] = STR(GRID_RELEASE_LEN),
	[GRID_STATUS_A_ABI] = U32,
	[GRID_STATUS_A_GRIDS] = U64,
	[GRID_STATUS_A_GRIDGRIDS] = U64,
	[GRID_STATUS_A_PEERS] = U64,
	[GRID_STATUS_A_LEASES] = U64,
	[GRID_STATUS_A_SANDBOXES] = U64,
	[GRID_STATUS_A_HANDLES] = U64,
	[GRID_STATUS_A_GENERATION] = U64,
};

static int parse_status(struct nlattr **tb, void *obj)
{
	struct grid_nl_status *st = obj;

	if (!NEED(tb, GRID_STATUS_A_RELEASE, GRID_STATUS_A_ABI,
		  GRID_STATUS_A_GRIDS, GRID_STATUS_A_GRIDGRIDS,
		  GRID_STATUS_A_PEERS, GRID_STATUS_A_LEASES,
		  GRID_STATUS_A_SANDBOXES, GRID_STATUS_A_HANDLES))
		return -EPROTO;
	copy_str(st->release, tb[GRID_STATUS_A_RELEASE], sizeof(st->release));
	st->abi = nla_get_u32(tb[GRID_STATUS_A_ABI]);
	st->counts.grids = nla_get_u64(tb[GRID_STATUS_A_GRIDS]);
	st->counts.gridgrids = nla_get_u64(tb[GRID_STATUS_A_GRIDGRIDS]);
	st->counts.peers = nla_get_u64(tb[GRID_STATUS_A_PEERS]);
	st->counts.leases = nla_get_u64(tb[GRID_STATUS_A_LEASES]);
	st->counts.sandboxes = nla_get_u64(tb[GRID_STATUS_A_SANDBOXES]);
	st->counts.handles = nla_get_u64(tb[GRID_STATUS_A_HANDLES]);
	if (tb[GRID_STATUS_A_GENERATION])
		st->generation = nla_get_u64(tb[GRID_STATUS_A_GENERATION]);
	return 0;
}

const struct grid_nl_kind grid_nl_status_kind = {
	GRID_CMD_GET_STATUS, GRID_STATUS_A_MAX, status_policy,
	sizeof(struct grid_nl_status), parse_status,
};

static const struct nla_policy limits_policy[GRID_LIMITS_A_MAX + 1] = {
	[GRID_LIMITS_A_CPU_QUOTA_US] = U64,
	[GRID_LIMITS_A_CPU_PERIOD_US] = U64,
	[GRID_LIMITS_A_CPU_BUDGET_US] = U64,
	[GRID_LIMITS_A_MEMORY] = U64,
	[GRID_LIMITS_A_PIDS] = U64,
	[GRID_LIMITS_A_NET_EGRESS_RATE] = U64,
	[GRID_LIMITS_A_NET_INGRESS_RATE] = U64,
	[GRID_LIMITS_A_NET_EGRESS_BUDGET] = U64,
	[GRID_LIMITS_A_NET_INGRESS_BUDGET] = U64,
	[GRID_LIMITS_A_BUDGET_PERIOD_S] = U32,
	[GRID_LIMITS_A_CPU_RATE] = U64,
};

/*
 * A limits nest. What the kernel left out is @absent (GRID_LIMIT_MAX for a
 * share or lease, 0 for the used sums); the period is 0, unknown, then.
 */
static int parse_limits(struct nlattr *nest, struct grid_obj_limits *out,
			uint64_t absent)
{
	static const struct {
		int attr;
		size_t off;
	} u64s[] = {
		{ GRID_LIMITS_A_CPU_QUOTA_US, offsetof(struct grid_limits, cpu_quota_us) },
		{ GRID_LIMITS_A_CPU_BUDGET_US, offsetof(struct grid_limits, cpu_budget_us) },
		{ GRID_LIMITS_A_MEMORY, offsetof(struct grid_limits, memory_bytes) },
		{ GRID_LIMITS_A_PIDS, offsetof(struct grid_limits, pids) },
		{ GRID_LIMITS_A_NET_EGRESS_RATE, offsetof(struct grid_limits, net_egress_rate) },
		{ GRID_LIMITS_A_NET_INGRESS_RATE, offsetof(struct grid_limits, net_ingress_rate) },
		{ GRID_LIMITS_A_NET_EGRESS_BUDGET, offsetof(struct grid_limits, net_egress_budget) },
		{ GRID_LIMITS_A_NET_INGRESS_BUDGET, offsetof(struct grid_limits, net_ingress_budget) },
	};
	struct nlattr *tb[GRID_LIMITS_A_MAX + 1];
	size_t i;

	if (nla_parse_nested(tb, GRID_LIMITS_A_MAX, nest, limits_policy) < 0)
		return -EPROTO;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(u64s) / sizeof(u64s[0]); i++) {
		uint64_t v = absent;

		if (tb[u64s[i].attr]) {
			v = nla_get_u64(tb[u64s[i].attr]);
			out->present |= 1u << u64s[i].attr;
		}
		memcpy((char *)&out->l + u64s[i].off, &v, sizeof(v));
	}
	if (tb[GRID_LIMITS_A_CPU_PERIOD_US]) {
		out->l.cpu_period_us = nla_get_u64(tb[GRID_LIMITS_A_CPU_PERIOD_US]);
		out->present |= 1u << GRID_LIMITS_A_CPU_PERIOD_US;
	}
	if (tb[GRID_LIMITS_A_BUDGET_PERIOD_S]) {
		out->l.budget_period_s = nla_get_u32(tb[GRID_LIMITS_A_BUDGET_PERIOD_S]);
		out->present |= 1u << GRID_LIMITS_A_BUDGET_PERIOD_S;
	}
	if (tb[GRID_LIMITS_A_CPU_RATE]) {
		out->cpu_rate = nla_get_u64(tb[GRID_LIMITS_A_CPU_RATE]);
		out->present |= 1u << GRID_LIMITS_A_CPU_RATE;
	} else if (absent == GRID_LIMIT_MAX && tb[GRID_LIMITS_A_CPU_QUOTA_US] &&
		   out->l.cpu_period_us) {
		/* One lease's or share's quota; a sum of them has no period. */
		out->cpu_rate = grid_cpu_nanocores(out->l.cpu_quota_us,
						   out->l.cpu_period_us);
	} else {
		out->cpu_rate = absent;
	}
	return 0;
}

static const struct nla_policy grid_policy[GRID_GRID_A_MAX + 1] = {
	[GRID_GRID_A_NAME] = STR(GRID_NAME_LEN),
	[GRID_GRID_A_KEY] = KEY,
	[GRID_GRID_A_PARENT] = STR(GRID_NAME_LEN),
	[GRID_GRID_A_GEN] = U64,
};

static int parse_grid(struct nlattr **tb, void *obj)
{
	struct grid_obj_grid *g = obj;

	if (!NEED(tb, GRID_GRID_A_NAME, GRID_GRID_A_KEY))
		return -EPROTO;
	copy_str(g->name, tb[GRID_GRID_A_NAME], sizeof(g->name));
	copy_key(g->key, tb[GRID_GRID_A_KEY]);
	if (tb[GRID_GRID_A_PARENT])
		copy_str(g->parent, tb[GRID_GRID_A_PARENT], sizeof(g->parent));
	if (tb[GRID_GRID_A_GEN])
		g->gen = nla_get_u64(tb[GRID_GRID_A_GEN]);
	return 0;
}

const struct grid_nl_kind grid_nl_grid_kind = {
	GRID_CMD_GET_GRID, GRID_GRID_A_MAX, grid_policy,
	sizeof(struct grid_obj_grid), parse_grid,
};

static const struct nla_policy gridgrid_policy[GRID_GRIDGRID_A_MAX + 1] = {
	[GRID_GRIDGRID_A_NAME] = STR(GRID_NAME_LEN),
	[GRID_GRIDGRID_A_CHARTER_KEY] = KEY,
	[GRID_GRIDGRID_A_SHARE] = NEST,
	[GRID_GRIDGRID_A_USED] = NEST,
	[GRID_GRIDGRID_A_LEASES] = U32,
	[GRID_GRIDGRID_A_PEERS] = U32,
	[GRID_GRIDGRID_A_SANDBOXES] = U32,
	[GRID_GRIDGRID_A_CGROUP_ID] = U64,
	[GRID_GRIDGRID_A_GEN] = U64,
};

static int parse_gridgrid(struct nlattr **tb, void *obj)
{
	struct grid_obj_gridgrid *gg = obj;
	int ret;

	if (!NEED(tb, GRID_GRIDGRID_A_NAME, GRID_GRIDGRID_A_CHARTER_KEY))
		return -EPROTO;
	copy_str(gg->name, tb[GRID_GRIDGRID_A_NAME], sizeof(gg->name));
	copy_key(gg->charter_key, tb[GRID_GRIDGRID_A_CHARTER_KEY]);
	if (tb[GRID_GRIDGRID_A_SHARE]) {
		ret = parse_limits(tb[GRID_GRIDGRID_A_SHARE], &gg->share,
				   GRID_LIMIT_MAX);
		if (ret)
			return ret;
		gg->has_share = true;
	}
	if (tb[GRID_GRIDGRID_A_USED]) {
		ret = parse_limits(tb[GRID_GRIDGRID_A_USED], &gg->used, 0);
		if (ret)
			return ret;
	}
	if (tb[GRID_GRIDGRID_A_LEASES])
		gg->leases = nla_get_u32(tb[GRID_GRIDGRID_A_LEASES]);
	if (tb[GRID_GRIDGRID_A_PEERS])
		gg->peers = nla_get_u32(tb[GRID_GRIDGRID_A_PEERS]);
	if (tb[GRID_GRIDGRID_A_SANDBOXES])
		gg->sandboxes = nla_get_u32(tb[GRID_GRIDGRID_A_SANDBOXES]);
	if (tb[GRID_GRIDGRID_A_CGROUP_ID])
		gg->cgroup_id = nla_get_u64(tb[GRID_GRIDGRID_A_CGROUP_ID]);
	if (tb[GRID_GRIDGRID_A_GEN])
		gg->gen = nla_get_u64(tb[GRID_GRIDGRID_A_GEN]);
	return 0;
}

const struct grid_nl_kind grid_nl_gridgrid_kind = {
	GRID_CMD_GET_GRIDGRID, GRID_GRIDGRID_A_MAX, gridgrid_policy,
	sizeof(struct grid_obj_gridgrid), parse_gridgrid,
};

static const struct nla_policy peer_policy[GRID_PEER_A_MAX + 1] = {
	[GRID_PEER_A_KEY] = KEY,
	[GRID_PEER_A_NAME] = STR(GRID_NAME_LEN),
	[GRID_PEER_A_GRIDGRIDS] = NEST,
	[GRID_PEER_A_GEN] = U64,
};

static int parse_peer(struct nlattr **tb, void *obj)
{
	struct grid_obj_peer *p = obj;
	struct nlattr *a;
	int rem;

	if (!NEED(tb, GRID_PEER_A_KEY, GRID_PEER_A_NAME))
		return -EPROTO;
	copy_key(p->key, tb[GRID_PEER_A_KEY]);
	copy_str(p->name, tb[GRID_PEER_A_NAME], sizeof(p->name));
	if (tb[GRID_PEER_A_GEN])
		p->gen = nla_get_u64(tb[GRID_PEER_A_GEN]);
	if (!tb[GRID_PEER_A_GRIDGRIDS])
		return 0;
	/* A list of one attribute type: a policy would keep only the last. */
	nla_for_each_nested(a, tb[GRID_PEER_A_GRIDGRIDS], rem) {
		int len = nla_len(a);

		if (nla_type(a) != GRID_PEER_A_GRIDGRID)
			continue;
		if (p->n_gridgrids == GRID_PEER_GRIDGRIDS_MAX || len < 2 ||
		    len > GRID_NAME_LEN || ((char *)nla_data(a))[len - 1])
			return -EPROTO;
		copy_str(p->gridgrids[p->n_gridgrids++], a, GRID_NAME_LEN);
	}
	return 0;
}

const struct grid_nl_kind grid_nl_peer_kind = {
	GRID_CMD_GET_PEER, GRID_PEER_A_MAX, peer_policy,
	sizeof(struct grid_obj_peer), parse_peer,
};

static const struct nla_policy lease_policy[GRID_LEASE_A_MAX + 1] = {
	[GRID_LEASE_A_ID] = U64,
	[GRID_LEASE_A_SERIAL] = U64,
	[GRID_LEASE_A_ISSUER] = KEY,
	[GRID_LEASE_A_HOLDER] = KEY,
	[GRID_LEASE_A_GRIDGRID] = STR(GRID_NAME_LEN),
	[GRID_LEASE_A_LIMITS] = NEST,
	[GRID_LEASE_A_NOT_BEFORE] = U64,
	[GRID_LEASE_A_NOT_AFTER] = U64,
	[GRID_LEASE_A_STATE] = U32,
	[GRID_LEASE_A_BLOB] = { .type = NLA_UNSPEC,
				.maxlen = GRID_LEASE_BLOB_MAX },
	[GRID_LEASE_A_SANDBOXES] = U32,
	[GRID_LEASE_A_GEN] = U64,
};

static int parse_lease(struct nlattr **tb, void *obj)
{
	struct grid_obj_lease *l = obj;

	if (!NEED(tb, GRID_LEASE_A_ID, GRID_LEASE_A_SERIAL,
		  GRID_LEASE_A_ISSUER, GRID_LEASE_A_HOLDER,
		  GRID_LEASE_A_GRIDGRID, GRID_LEASE_A_LIMITS,
		  GRID_LEASE_A_NOT_BEFORE, GRID_LEASE_A_NOT_AFTER,
		  GRID_LEASE_A_STATE))
		return -EPROTO;
	l->id = nla_get_u64(tb[GRID_LEASE_A_ID]);
	l->serial = nla_get_u64(tb[GRID_LEASE_A_SERIAL]);
	copy_key(l->issuer, tb[GRID_LEASE_A_ISSUER]);
	copy_key(l->holder, tb[GRID_LEASE_A_HOLDER]);
	copy_str(l->gridgrid, tb[GRID_LEASE_A_GRIDGRID], sizeof(l->gridgrid));
	l->not_before_ns = (int64_t)nla_get_u64(tb[GRID_LEASE_A_NOT_BEFORE]);
	l->not_after_ns = (int64_t)nla_get_u64(tb[GRID_LEASE_A_NOT_AFTER]);
	l->state = nla_get_u32(tb[GRID_LEASE_A_STATE]);
	if (tb[GRID_LEASE_A_BLOB]) {
		l->blob_len = nla_len(tb[GRID_LEASE_A_BLOB]);
		memcpy(l->blob, nla_data(tb[GRID_LEASE_A_BLOB]), l->blob_len);
	}
	if (tb[GRID_LEASE_A_SANDBOXES])
		l->sandboxes = nla_get_u32(tb[GRID_LEASE_A_SANDBOXES]);
	if (tb[GRID_LEASE_A_GEN])
		l->gen = nla_get_u64(tb[GRID_LEASE_A_GEN]);
	return parse_limits(tb[GRID_LEASE_A_LIMITS], &l->limits,
			    GRID_LIMIT_MAX);
}

const struct grid_nl_kind grid_nl_lease_kind = {
	GRID_CMD_GET_LEASE, GRID_LEASE_A_MAX, lease_policy,
	sizeof(struct grid_obj_lease), parse_lease,
};

static const struct nla_policy sandbox_policy[GRID_SANDBOX_A_MAX + 1] = {
	[GRID_SANDBOX_A_CGROUP_ID] = U64,
	[GRID_SANDBOX_A_LEASE_ID] = U64,
	[GRID_SANDBOX_A_GRIDGRID] = STR(GRID_NAME_LEN),
	[GRID_SANDBOX_A_STATE] = U32,
	[GRID_SANDBOX_A_PATH] = STR(GRID_OBJ_PATH_LEN),
	[GRID_SANDBOX_A_LEASE_CGROUP_ID] = U64,
	[GRID_SANDBOX_A_ERROR] = U32,
	[GRID_SANDBOX_A_KILL_TRIES] = U32,
	[GRID_SANDBOX_A_GEN] = U64,
};

static int parse_sandbox(struct nlattr **tb, void *obj)
{
	struct grid_obj_sandbox *sb = obj;

	if (!NEED(tb, GRID_SANDBOX_A_CGROUP_ID, GRID_SANDBOX_A_LEASE_ID,
		  GRID_SANDBOX_A_GRIDGRID, GRID_SANDBOX_A_STATE))
		return -EPROTO;
	sb->cgroup_id = nla_get_u64(tb[GRID_SANDBOX_A_CGROUP_ID]);
	sb->lease_id = nla_get_u64(tb[GRID_SANDBOX_A_LEASE_ID]);
	copy_str(sb->gridgrid, tb[GRID_SANDBOX_A_GRIDGRID], sizeof(sb->gridgrid));
	sb->state = nla_get_u32(tb[GRID_SANDBOX_A_STATE]);
	if (tb[GRID_SANDBOX_A_PATH])
		copy_str(sb->path, tb[GRID_SANDBOX_A_PATH], sizeof(sb->path));
	if (tb[GRID_SANDBOX_A_LEASE_CGROUP_ID])
		sb->lease_cgroup_id =
			nla_get_u64(tb[GRID_SANDBOX_A_LEASE_CGROUP_ID]);
	if (tb[GRID_SANDBOX_A_ERROR])
		sb->error = nla_get_u32(tb[GRID_SANDBOX_A_ERROR]);
	if (tb[GRID_SANDBOX_A_KILL_TRIES])
		sb->kill_tries = nla_get_u32(tb[GRID_SANDBOX_A_KILL_TRIES]);
	if (tb[GRID_SANDBOX_A_GEN])
		sb->gen = nla_get_u64(tb[GRID_SANDBOX_A_GEN]);
	return 0;
}

const struct grid_nl_kind grid_nl_sandbox_kind = {
	GRID_CMD_GET_SANDBOX, GRID_SANDBOX_A_MAX, sandbox_policy,
	sizeof(struct grid_obj_sandbox), parse_sandbox,
};

/* ---- events ----------------------------------------------------------- */

static const struct nla_policy event_policy[GRID_EVENT_A_MAX + 1] = {
	[GRID_EVENT_A_TYPE] = U32,
	[GRID_EVENT_A_LEASE_ID] = U64,
	[GRID_EVENT_A_CGROUP_ID] = U64,
	[GRID_EVENT_A_GRIDGRID] = STR(GRID_NAME_LEN),
	[GRID_EVENT_A_RESOURCE] = U32,
	[GRID_EVENT_A_GENERATION] = U64,
	[GRID_EVENT_A_ERROR] = U32,
	[GRID_EVENT_A_NAME] = STR(GRID_NAME_LEN),
	[GRID_EVENT_A_KEY] = KEY,
};

int grid_nl_parse_event(struct nlmsghdr *h, struct grid_obj_event *ev)
{
	struct nlattr *tb[GRID_EVENT_A_MAX + 1];

	memset(ev, 0, sizeof(*ev));
	if (!genlmsg_valid_hdr(h, 0) ||
	    ((struct genlmsghdr *)nlmsg_data(h))->cmd != GRID_CMD_EVENT ||
	    genlmsg_parse(h, 0, tb, GRID_EVENT_A_MAX, event_policy) < 0 ||
	    !tb[GRID_EVENT_A_TYPE])
		return -EPROTO;
	ev->type = nla_get_u32(tb[GRID_EVENT_A_TYPE]);
	if (tb[GRID_EVENT_A_LEASE_ID]) {
		ev->has_lease_id = true;
		ev->lease_id = nla_get_u64(tb[GRID_EVENT_A_LEASE_ID]);
	}
	if (tb[GRID_EVENT_A_CGROUP_ID]) {
		ev->has_cgroup_id = true;
		ev->cgroup_id = nla_get_u64(tb[GRID_EVENT_A_CGROUP_ID]);
	}
	if (tb[GRID_EVENT_A_RESOURCE]) {
		ev->has_resource = true;
		ev->resource = nla_get_u32(tb[GRID_EVENT_A_RESOURCE]);
	}
	if (tb[GRID_EVENT_A_GRIDGRID])
		copy_str(ev->gridgrid, tb[GRID_EVENT_A_GRIDGRID],
			 sizeof(ev->gridgrid));
	if (tb[GRID_EVENT_A_GENERATION])
		ev->gen = nla_get_u64(tb[GRID_EVENT_A_GENERATION]);
	if (tb[GRID_EVENT_A_ERROR])
		ev->error = nla_get_u32(tb[GRID_EVENT_A_ERROR]);
	if (tb[GRID_EVENT_A_NAME])
		copy_str(ev->name, tb[GRID_EVENT_A_NAME], sizeof(ev->name));
	if (tb[GRID_EVENT_A_KEY]) {
		ev->has_key = true;
		copy_key(ev->key, tb[GRID_EVENT_A_KEY]);
	}
	return 0;
}
