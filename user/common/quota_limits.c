// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "units.h"
#include "quota_limits.h"

#define BIT(f)	GRID_QUOTA_BIT(f)

static const char *const words[GRID_QUOTA_NR_FIELDS] = {
	[GRID_QUOTA_EGRESS] = "egress",
	[GRID_QUOTA_INGRESS] = "ingress",
	[GRID_QUOTA_BURST] = "burst",
	[GRID_QUOTA_EGRESS_BUDGET] = "egress-budget",
	[GRID_QUOTA_INGRESS_BUDGET] = "ingress-budget",
	[GRID_QUOTA_PERIOD] = "period",
	[GRID_QUOTA_HORIZON] = "horizon",
	[GRID_QUOTA_CPU] = "cpu",
	[GRID_QUOTA_CPU_BUDGET] = "cpu-budget",
	[GRID_QUOTA_CPU_PERIOD] = "cpu-period",
};

const char *grid_quota_word(enum grid_quota_field f)
{
	return (unsigned int)f < GRID_QUOTA_NR_FIELDS ? words[f] : "limit";
}

uint64_t grid_quota_default_burst(uint64_t ingress_rate)
{
	uint64_t b = ingress_rate / GRID_QUOTA_BURST_DIVISOR;

	if (b < GRID_QUOTA_BURST_FLOOR)
		b = GRID_QUOTA_BURST_FLOOR;
	if (b < GRID_NET_BURST_MIN)
		b = GRID_NET_BURST_MIN;
	if (b > GRID_NET_BURST_MAX)
		b = GRID_NET_BURST_MAX;
	return b;
}

/* No limit is 0 in the maps, whichever way it was said. */
static void unlimited_is_zero(__u64 *v)
{
	if (*v == GRID_LIMIT_MAX)
		*v = 0;
}

static int refuse(enum grid_quota_field f, int err,
		  enum grid_quota_field *bad)
{
	if (bad)
		*bad = f;
	return err;
}

static bool given(const struct grid_quota_limits *q, enum grid_quota_field f)
{
	return q->given & BIT(f);
}

/* A period: unset (0) is for the caller to judge; set, within bounds. */
static int check_period(uint64_t ns)
{
	if (ns < GRID_QUOTA_PERIOD_MIN || ns > GRID_PERIOD_MAX)
		return -ERANGE;
	return 0;
}

static int resolve_net(struct grid_quota_limits *q, enum grid_quota_field *bad)
{
	struct grid_net_limit *n = &q->net;
	bool budget;

	unlimited_is_zero(&n->egress_rate);
	unlimited_is_zero(&n->ingress_rate);
	unlimited_is_zero(&n->egress_budget);
	unlimited_is_zero(&n->ingress_budget);

	if (n->egress_rate > GRID_NET_RATE_MAX)
		return refuse(GRID_QUOTA_EGRESS, -ERANGE, bad);
	if (n->ingress_rate > GRID_NET_RATE_MAX)
		return refuse(GRID_QUOTA_INGRESS, -ERANGE, bad);
	if (n->egress_budget > GRID_NET_BUDGET_MAX)
		return refuse(GRID_QUOTA_EGRESS_BUDGET, -ERANGE, bad);
	if (n->ingress_budget > GRID_NET_BUDGET_MAX)
		return refuse(GRID_QUOTA_INGRESS_BUDGET, -ERANGE, bad);

	/* The bucket's size: only an ingress rate has one. */
	if (!n->ingress_rate) {
		if (given(q, GRID_QUOTA_BURST))
			return refuse(GRID_QUOTA_BURST, -EINVAL, bad);
		n->ingress_burst = 0;
	} else if (!n->ingress_burst) {
		if (given(q, GRID_QUOTA_BURST))
			return refuse(GRID_QUOTA_BURST, -ERANGE, bad);
		n->ingress_burst = grid_quota_default_burst(n->ingress_rate);
	} else if (n->ingress_burst < GRID_NET_BURST_MIN ||
		   n->ingress_burst > GRID_NET_BURST_MAX) {
		return refuse(GRID_QUOTA_BURST, -ERANGE, bad);
	}

	/* How far ahead a packet may be paced: only with an egress rate. */
	if (!n->egress_rate) {
		if (given(q, GRID_QUOTA_HORIZON))
			return refuse(GRID_QUOTA_HORIZON, -EINVAL, bad);
		n->horizon_ns = 0;
	} else if (!n->horizon_ns) {
		if (given(q, GRID_QUOTA_HORIZON))
			return refuse(GRID_QUOTA_HORIZON, -ERANGE, bad);
		n->horizon_ns = GRID_QUOTA_HORIZON_DEFAULT;
	} else if (n->horizon_ns > GRID_NET_HORIZON_MAX) {
		return refuse(GRID_QUOTA_HORIZON, -ERANGE, bad);
	}

	if (n->period_ns && check_period(n->period_ns))
		return refuse(GRID_QUOTA_PERIOD, -ERANGE, bad);
	if (given(q, GRID_QUOTA_PERIOD) && !n->period_ns)
		return refuse(GRID_QUOTA_PERIOD, -ERANGE, bad);
	budget = n->egress_budget || n->ingress_budget;
	if (budget && !n->period_ns)
		return refuse(n->egress_budget ? GRID_QUOTA_EGRESS_BUDGET :
			      GRID_QUOTA_INGRESS_BUDGET, -EINVAL, bad);
	return 0;
}

static int resolve_cpu(struct grid_quota_limits *q, bool *took_period,
		       enum grid_quota_field *bad)
{
	struct grid_cpu_limit *c = &q->cpu;
	uint64_t quota_us;

	if (q->cpu_nanocores == GRID_LIMIT_MAX)
		q->cpu_nanocores = 0;
	unlimited_is_zero(&c->budget_ns);

	if (q->cpu_nanocores) {
		quota_us = grid_cpu_quota_us(q->cpu_nanocores,
					     GRID_QUOTA_CPU_PERIOD_US);
		if (quota_us < GRID_QUOTA_CPU_QUOTA_MIN_US ||
		    quota_us > GRID_QUOTA_CPU_QUOTA_MAX_US)
			return refuse(GRID_QUOTA_CPU, -ERANGE, bad);
	}
	if (c->budget_ns > GRID_QUOTA_CPU_BUDGET_MAX)
		return refuse(GRID_QUOTA_CPU_BUDGET, -ERANGE, bad);
	if (c->period_ns && check_period(c->period_ns))
		return refuse(GRID_QUOTA_CPU_PERIOD, -ERANGE, bad);
	if (given(q, GRID_QUOTA_CPU_PERIOD) && !c->period_ns)
		return refuse(GRID_QUOTA_CPU_PERIOD, -ERANGE, bad);

	if (!c->budget_ns) {
		if (given(q, GRID_QUOTA_CPU_PERIOD))
			return refuse(GRID_QUOTA_CPU_PERIOD, -EINVAL, bad);
		c->period_ns = 0;
		return 0;
	}
	/* Without a cpu-period of its own, the budget takes "period". */
	if (!c->period_ns) {
		c->period_ns = q->net.period_ns;
		*took_period = true;
	}
	if (!c->period_ns)
		return refuse(GRID_QUOTA_CPU_BUDGET, -EINVAL, bad);
	return 0;
}

int grid_quota_resolve(struct grid_quota_limits *q,
		       enum grid_quota_field *bad)
{
	struct grid_net_limit *n = &q->net;
	bool took_period = false;
	int ret;

	ret = resolve_net(q, bad);
	if (!ret)
		ret = resolve_cpu(q, &took_period, bad);
	if (ret)
		return ret;
	/*
	 * A period is for budgets: refused if none uses it, cleared from
	 * the network entry if only the CPU budget took it.
	 */
	if (!n->egress_budget && !n->ingress_budget) {
		if (given(q, GRID_QUOTA_PERIOD) && !took_period &&
		    !(q->cpu.budget_ns && q->cpu.period_ns == n->period_ns))
			return refuse(GRID_QUOTA_PERIOD, -EINVAL, bad);
		n->period_ns = 0;
	}
	return 0;
}

void grid_quota_apply(struct grid_quota_limits *cur,
		      const struct grid_quota_limits *change)
{
	const struct grid_net_limit *c = &change->net;
	struct grid_net_limit *n = &cur->net;

	if (given(change, GRID_QUOTA_INGRESS)) {
		if (!given(change, GRID_QUOTA_BURST) &&
		    n->ingress_burst == grid_quota_default_burst(n->ingress_rate))
			n->ingress_burst = 0;
		n->ingress_rate = c->ingress_rate;
	}
	if (given(change, GRID_QUOTA_EGRESS))
		n->egress_rate = c->egress_rate;
	if (given(change, GRID_QUOTA_BURST))
		n->ingress_burst = c->ingress_burst;
	if (given(change, GRID_QUOTA_EGRESS_BUDGET))
		n->egress_budget = c->egress_budget;
	if (given(change, GRID_QUOTA_INGRESS_BUDGET))
		n->ingress_budget = c->ingress_budget;
	/*
	 * A CPU budget that took "period" at its attach (its period is the
	 * network budgets', or they have none) follows a new one.
	 */
	if (given(change, GRID_QUOTA_PERIOD) &&
	    !given(change, GRID_QUOTA_CPU_PERIOD) && cur->cpu.budget_ns &&
	    (!n->period_ns || cur->cpu.period_ns == n->period_ns))
		cur->cpu.period_ns = c->period_ns;
	if (given(change, GRID_QUOTA_PERIOD))
		n->period_ns = c->period_ns;
	if (given(change, GRID_QUOTA_HORIZON))
		n->horizon_ns = c->horizon_ns;
	if (given(change, GRID_QUOTA_CPU))
		cur->cpu_nanocores = change->cpu_nanocores;
	if (given(change, GRID_QUOTA_CPU_BUDGET))
		cur->cpu.budget_ns = change->cpu.budget_ns;
	if (given(change, GRID_QUOTA_CPU_PERIOD))
		cur->cpu.period_ns = change->cpu.period_ns;
	cur->given |= change->given;
}
