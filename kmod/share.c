// SPDX-License-Identifier: GPL-2.0
/*
 * Shares and admission control. A grid-grid's share bounds the sum of the
 * limits of its live leases, resource by resource; this file is the only
 * place that compares them.
 */
#include <linux/cgroup.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "grid.h"

#define CPU_PERIOD_MIN_US	1000
#define CPU_PERIOD_MAX_US	1000000
#define CPU_QUOTA_MIN_US	1000
#define BUDGET_PERIOD_MAX_S	(366U * 24 * 3600)

static const char *const res_names[GRID_RES_NR] = {
	[GRID_RES_CPU_RATE] = "cpu",
	[GRID_RES_CPU_BUDGET] = "cpu_budget",
	[GRID_RES_MEMORY] = "memory",
	[GRID_RES_PIDS] = "pids",
	[GRID_RES_NET_EGRESS_RATE] = "egress_rate",
	[GRID_RES_NET_INGRESS_RATE] = "ingress_rate",
	[GRID_RES_NET_EGRESS_BUDGET] = "egress_budget",
	[GRID_RES_NET_INGRESS_BUDGET] = "ingress_budget",
};

static const int res_attrs[GRID_RES_NR] = {
	[GRID_RES_CPU_RATE] = GRID_LIMITS_A_CPU_RATE,
	[GRID_RES_CPU_BUDGET] = GRID_LIMITS_A_CPU_BUDGET_US,
	[GRID_RES_MEMORY] = GRID_LIMITS_A_MEMORY,
	[GRID_RES_PIDS] = GRID_LIMITS_A_PIDS,
	[GRID_RES_NET_EGRESS_RATE] = GRID_LIMITS_A_NET_EGRESS_RATE,
	[GRID_RES_NET_INGRESS_RATE] = GRID_LIMITS_A_NET_INGRESS_RATE,
	[GRID_RES_NET_EGRESS_BUDGET] = GRID_LIMITS_A_NET_EGRESS_BUDGET,
	[GRID_RES_NET_INGRESS_BUDGET] = GRID_LIMITS_A_NET_INGRESS_BUDGET,
};

const char *grid_res_name(enum grid_res r)
{
	return r < GRID_RES_NR ? res_names[r] : "share";
}

int grid_res_to_attr(enum grid_res r)
{
	return r < GRID_RES_NR ? res_attrs[r] : 0;
}

/*
 * A lease may leave budget_period_s at 0 ("the share's"); a share may not.
 * The CPU quota follows cpu.max: at least 1000 us, or no limit.
 */
int grid_limits_check(const struct grid_limits *l, bool is_share)
{
	if (l->reserved)
		return -EINVAL;
	if (l->cpu_period_us < CPU_PERIOD_MIN_US ||
	    l->cpu_period_us > CPU_PERIOD_MAX_US)
		return -EINVAL;
	if (l->cpu_quota_us < CPU_QUOTA_MIN_US)
		return -EINVAL;
	if (l->budget_period_s > BUDGET_PERIOD_MAX_S ||
	    (is_share && !l->budget_period_s))
		return -EINVAL;
	return 0;
}

/*
 * quota * 10^9 / period without overflowing: the whole cores and the
 * fraction apart (the fraction's product stays below 10^15). A rate past
 * what 64 bits hold (10^10 cores) saturates just below "no limit".
 */
static u64 nanocores(u64 quota, u64 period, bool round_up)
{
	u64 whole = div64_u64(quota, period);
	u64 frac = (quota - whole * period) * NSEC_PER_SEC;

	if (whole >= div64_u64(GRID_LIMIT_MAX - 1, NSEC_PER_SEC) - 1)
		return GRID_LIMIT_MAX - 1;
	frac = round_up ? div64_u64(frac + period - 1, period) :
		div64_u64(frac, period);
	return whole * NSEC_PER_SEC + frac;
}

/*
 * The amounts admission compares. CPU becomes a rate in nanocores: a
 * lease's is rounded up and a share's down, so that rounding can never
 * let the leases' sum past the share.
 */
void grid_limits_amounts(const struct grid_limits *l, bool round_up,
			 struct grid_amounts *out)
{
	if (l->cpu_quota_us == GRID_LIMIT_MAX)
		out->v[GRID_RES_CPU_RATE] = GRID_LIMIT_MAX;
	else
		out->v[GRID_RES_CPU_RATE] = nanocores(l->cpu_quota_us,
						      l->cpu_period_us, round_up);
	out->v[GRID_RES_CPU_BUDGET] = l->cpu_budget_us;
	out->v[GRID_RES_MEMORY] = l->memory_bytes;
	out->v[GRID_RES_PIDS] = l->pids;
	out->v[GRID_RES_NET_EGRESS_RATE] = l->net_egress_rate;
	out->v[GRID_RES_NET_INGRESS_RATE] = l->net_ingress_rate;
	out->v[GRID_RES_NET_EGRESS_BUDGET] = l->net_egress_budget;
	out->v[GRID_RES_NET_INGRESS_BUDGET] = l->net_ingress_budget;
}

/*
 * Would @used, less @remove and plus @add (either may be NULL), fit in
 * @share? On no, *short_of names the first resource that does not fit.
 * A finite sum must stay below GRID_LIMIT_MAX under any share, even one
 * without a limit: a sum that wrapped (or reached "no limit") would let
 * a later share change, or lease, through.
 */
static bool fits(const struct grid_amounts *share, const struct grid_used *used,
		 const struct grid_amounts *add,
		 const struct grid_amounts *remove, enum grid_res *short_of)
{
	int r;

	for (r = 0; r < GRID_RES_NR; r++) {
		u64 sum = used->sum[r];
		long unl = used->unlimited[r];

		if (remove) {
			if (remove->v[r] == GRID_LIMIT_MAX)
				unl--;
			else
				sum -= remove->v[r];
		}
		if (add && add->v[r] != GRID_LIMIT_MAX) {
			if (check_add_overflow(sum, add->v[r], &sum) ||
			    sum == GRID_LIMIT_MAX)
				goto no;
		} else if (add) {
			unl++;
		}
		if (share->v[r] == GRID_LIMIT_MAX)
			continue;
		if (unl > 0 || sum > share->v[r])
			goto no;
		continue;
no:
		if (short_of)
			*short_of = r;
		return false;
	}
	return true;
}

int grid_admit(struct grid_gridgrid *gg, const struct grid_amounts *add,
	       const struct grid_amounts *remove, enum grid_res *short_of)
{
	lockdep_assert_held(&grid_mutex);
	if (!gg->has_share) {
		if (short_of)
			*short_of = GRID_RES_NR;
		return -EDQUOT;
	}
	return fits(&gg->share_amounts, &gg->used, add, remove, short_of) ?
		0 : -EDQUOT;
}

void grid_used_add(struct grid_gridgrid *gg, const struct grid_amounts *a)
{
	int r;

	lockdep_assert_held(&grid_mutex);
	for (r = 0; r < GRID_RES_NR; r++) {
		if (a->v[r] == GRID_LIMIT_MAX)
			gg->used.unlimited[r]++;
		else
			gg->used.sum[r] += a->v[r];
	}
}

void grid_used_sub(struct grid_gridgrid *gg, const struct grid_amounts *a)
{
	int r;

	lockdep_assert_held(&grid_mutex);
	for (r = 0; r < GRID_RES_NR; r++) {
		if (a->v[r] == GRID_LIMIT_MAX)
			gg->used.unlimited[r]--;
		else
			gg->used.sum[r] -= a->v[r];
	}
}

/*
 * What a grid-grid's live leases hold, in the shape of a share (for
 * netlink and gridfs): the CPU rate as a quota per one-second period.
 */
void grid_used_limits(const struct grid_gridgrid *gg, struct grid_limits *l,
		      struct grid_amounts *am)
{
	int r;

	lockdep_assert_held(&grid_mutex);
	for (r = 0; r < GRID_RES_NR; r++)
		am->v[r] = gg->used.unlimited[r] ? GRID_LIMIT_MAX :
			gg->used.sum[r];
	memset(l, 0, sizeof(*l));
	l->cpu_period_us = USEC_PER_SEC;
	l->cpu_quota_us = am->v[GRID_RES_CPU_RATE] == GRID_LIMIT_MAX ?
		GRID_LIMIT_MAX : div64_u64(am->v[GRID_RES_CPU_RATE],
					   NSEC_PER_USEC);
	l->cpu_budget_us = am->v[GRID_RES_CPU_BUDGET];
	l->memory_bytes = am->v[GRID_RES_MEMORY];
	l->pids = am->v[GRID_RES_PIDS];
	l->net_egress_rate = am->v[GRID_RES_NET_EGRESS_RATE];
	l->net_ingress_rate = am->v[GRID_RES_NET_INGRESS_RATE];
	l->net_egress_budget = am->v[GRID_RES_NET_EGRESS_BUDGET];
	l->net_ingress_budget = am->v[GRID_RES_NET_INGRESS_BUDGET];
	l->budget_period_s = gg->share.budget_period_s;
}

static void changed(struct grid_gridgrid *gg, enum grid_event type)
{
	gg->gen = grid_bump();
	grid_event(type, &(struct grid_event_info){
		.gen = gg->gen, .gridgrid = gg->name });
}

/*
 * Whether @cgrp may be @gg's cgroup: no other grid-grid's may be it, or
 * around it, or inside it, as a sandbox below both would be in two.
 */
static bool cgroup_free_for(struct cgroup *cgrp, struct grid_gridgrid *gg)
{
	struct grid_gridgrid *o;

	lockdep_assert_held(&grid_mutex);
	list_for_each_entry(o, &grid_gridgrids, node)
		if (o != gg && o->cgrp &&
		    (cgroup_is_descendant(cgrp, o->cgrp) ||
		     cgroup_is_descendant(o->cgrp, cgrp)))
			return false;
	return true;
}

/* The cgroup GRID_SHARE_CGROUP names, referenced; NULL without the flag. */
static struct cgroup *share_cgroup(const struct grid_ioc_share *a)
{
	struct cgroup *cgrp;
	struct path dir;
	int ret;

	if (!(a->flags & GRID_SHARE_CGROUP))
		return NULL;
	/* A struct too old to hold cgroup_fd would name fd 0. */
	if (a->size < offsetofend(struct grid_ioc_share, cgroup_fd))
		return ERR_PTR(-EINVAL);
	ret = grid_cgroup_dir_get(a->cgroup_fd, &dir, &cgrp);
	if (ret)
		return ERR_PTR(ret);
	path_put(&dir);
	/* The root would hold every task; deeper, BPF would not find it. */
	if (!cgroup_parent(cgrp) || cgrp->level > GRID_GRIDGRID_LEVEL_MAX) {
		cgroup_put(cgrp);
		return ERR_PTR(-EINVAL);
	}
	return cgrp;
}

static int share_change(struct grid_ioc_share *a, bool add)
{
	struct grid_gridgrid *gg;
	struct grid_amounts amounts;
	struct cgroup *cgrp;
	enum grid_res short_of;
	int ret;

	if (grid_name_check(a->gridgrid, false))
		return -EINVAL;
	ret = grid_limits_check(&a->limits, true);
	if (ret)
		return ret;
	grid_limits_amounts(&a->limits, false, &amounts);
	cgrp = share_cgroup(a);
	if (IS_ERR(cgrp))
		return PTR_ERR(cgrp);

	mutex_lock(&grid_mutex);
	ret = -ENOENT;
	gg = grid_gridgrid_find(a->gridgrid);
	if (!gg)
		goto out;
	if (add) {
		ret = -EEXIST;
		if (gg->has_share)
			goto out;
	} else {
		ret = -ENOENT;
		if (!gg->has_share)
			goto out;
		/* Live leases were granted for the old accounting period. */
		ret = -EBUSY;
		if (gg->nr_live &&
		    a->limits.budget_period_s != gg->share.budget_period_s)
			goto out;
		ret = -EDQUOT;
		if (!fits(&amounts, &gg->used, NULL, NULL, &short_of)) {
			a->exhausted = grid_res_to_attr(short_of);
			goto out;
		}
	}
	if (cgrp) {
		ret = -EBUSY;
		if (!cgroup_free_for(cgrp, gg))
			goto out;
		/* Bound sandboxes are where the old cgroup is. */
		if (gg->nr_sandboxes && cgrp != gg->cgrp)
			goto out;
		swap(cgrp, gg->cgrp);
	}
	gg->share = a->limits;
	gg->share_amounts = amounts;
	gg->has_share = true;
	changed(gg, add ? GRID_EVENT_SHARE_ADDED : GRID_EVENT_SHARE_CHANGED);
	ret = 0;
out:
	mutex_unlock(&grid_mutex);
	/* The old cgroup after a swap, or the one not taken. */
	if (cgrp)
		cgroup_put(cgrp);
	return ret;
}

int grid_share_add(struct grid_ioc_share *a)
{
	return share_change(a, true);
}

int grid_share_set(struct grid_ioc_share *a)
{
	return share_change(a, false);
}

int grid_share_del(const char *gridgrid)
{
	struct cgroup *cgrp = NULL;
	struct grid_gridgrid *gg;
	int ret;

	if (grid_name_check(gridgrid, false))
		return -EINVAL;
	mutex_lock(&grid_mutex);
	ret = -ENOENT;
	gg = grid_gridgrid_find(gridgrid);
	if (!gg || !gg->has_share)
		goto out;
	ret = -EDQUOT;
	if (gg->nr_live)
		goto out;
	/*
	 * Sandboxes of ended leases still lie below the recorded cgroup:
	 * forgotten, it could be recorded around them by another share.
	 */
	ret = -EBUSY;
	if (gg->nr_sandboxes)
		goto out;
	gg->has_share = false;
	memset(&gg->share, 0, sizeof(gg->share));
	cgrp = gg->cgrp;
	gg->cgrp = NULL;
	changed(gg, GRID_EVENT_SHARE_DELETED);
	ret = 0;
out:
	mutex_unlock(&grid_mutex);
	if (cgrp)
		cgroup_put(cgrp);
	return ret;
}
