// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>

#include "units.h"
#include "names.h"
#include "quota.h"

typedef unsigned __int128 u128;

/* The order in which a refusal is explained: the ones people mind first. */
static const uint32_t admitted[] = {
	GRID_LIMITS_A_CPU_RATE,
	GRID_LIMITS_A_MEMORY,
	GRID_LIMITS_A_PIDS,
	GRID_LIMITS_A_CPU_BUDGET_US,
	GRID_LIMITS_A_NET_EGRESS_RATE,
	GRID_LIMITS_A_NET_INGRESS_RATE,
	GRID_LIMITS_A_NET_EGRESS_BUDGET,
	GRID_LIMITS_A_NET_INGRESS_BUDGET,
};

uint64_t grid_limits_get(const struct grid_obj_limits *l, uint32_t attr)
{
	switch (attr) {
	case GRID_LIMITS_A_CPU_QUOTA_US:
		return l->l.cpu_quota_us;
	case GRID_LIMITS_A_CPU_PERIOD_US:
		return l->l.cpu_period_us;
	case GRID_LIMITS_A_CPU_BUDGET_US:
		return l->l.cpu_budget_us;
	case GRID_LIMITS_A_MEMORY:
		return l->l.memory_bytes;
	case GRID_LIMITS_A_PIDS:
		return l->l.pids;
	case GRID_LIMITS_A_NET_EGRESS_RATE:
		return l->l.net_egress_rate;
	case GRID_LIMITS_A_NET_INGRESS_RATE:
		return l->l.net_ingress_rate;
	case GRID_LIMITS_A_NET_EGRESS_BUDGET:
		return l->l.net_egress_budget;
	case GRID_LIMITS_A_NET_INGRESS_BUDGET:
		return l->l.net_ingress_budget;
	case GRID_LIMITS_A_BUDGET_PERIOD_S:
		return l->l.budget_period_s;
	case GRID_LIMITS_A_CPU_RATE:
		return l->cpu_rate;
	default:
		return 0;
	}
}

uint64_t grid_quota_used(const struct grid_obj_limits *used,
			 const struct grid_obj_limits *sub, uint32_t attr)
{
	uint64_t u = grid_limits_get(used, attr);
	uint64_t s = sub ? grid_limits_get(sub, attr) : 0;

	/*
	 * A sum that holds an unlimited lease is unlimited; taking that very
	 * lease away leaves an unknown rest, which we count as nothing.
	 */
	if (u == GRID_LIMIT_MAX)
		return s == GRID_LIMIT_MAX ? 0 : GRID_LIMIT_MAX;
	return u > s ? u - s : 0;
}

static bool fits(uint64_t share, uint64_t used, uint64_t add)
{
	if (share == GRID_LIMIT_MAX)
		return true;
	if (used == GRID_LIMIT_MAX || add == GRID_LIMIT_MAX)
		return false;
	return (u128)used + add <= share;
}

uint32_t grid_quota_first_over(const struct grid_obj_limits *share,
			       const struct grid_obj_limits *used,
			       const struct grid_obj_limits *add,
			       const struct grid_obj_limits *sub)
{
	size_t i;

	for (i = 0; i < sizeof(admitted) / sizeof(admitted[0]); i++) {
		uint32_t a = admitted[i];

		if (!fits(grid_limits_get(share, a),
			  grid_quota_used(used, sub, a),
			  add ? grid_limits_get(add, a) : 0))
			return a;
	}
	return 0;
}

static const char *amount(char *buf, size_t len, uint32_t attr, uint64_t v)
{
	if (v == GRID_LIMIT_MAX) {
		snprintf(buf, len, "no limit");
		return buf;
	}
	return grid_format_limit(buf, len, attr, v);
}

const char *grid_quota_describe(char *buf, size_t len, uint32_t attr,
				uint64_t share, uint64_t used, uint64_t add)
{
	char s[GRID_FMT_LEN], u[GRID_FMT_LEN], a[GRID_FMT_LEN];
	const char *name = grid_limit_name(attr);

	snprintf(buf, len, "%s %s of %s%s in use, %s requested",
		 name ? name : "resource", amount(u, sizeof(u), attr, used),
		 amount(s, sizeof(s), attr, share),
		 attr == GRID_LIMITS_A_CPU_RATE ? " cores" : "",
		 amount(a, sizeof(a), attr, add));
	return buf;
}

const char *grid_quota_describe_shrink(char *buf, size_t len, uint32_t attr,
				       uint64_t share, uint64_t used)
{
	char s[GRID_FMT_LEN], u[GRID_FMT_LEN];
	const char *name = grid_limit_name(attr);

	snprintf(buf, len, "%s %s%s in use, more than %s",
		 name ? name : "resource", amount(u, sizeof(u), attr, used),
		 attr == GRID_LIMITS_A_CPU_RATE ? " cores" : "",
		 amount(s, sizeof(s), attr, share));
	return buf;
}
