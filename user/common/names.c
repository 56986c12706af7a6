// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <linux/grid.h>

#include "names.h"

#define PICK(table, i) \
	((i) < sizeof(table) / sizeof(table[0]) ? table[i] : NULL)

static const char *const events[] = {
	[GRID_EVENT_LEASE_GRANTED] = "lease-granted",
	[GRID_EVENT_LEASE_EXPIRED] = "lease-expired",
	[GRID_EVENT_LEASE_REVOKED] = "lease-revoked",
	[GRID_EVENT_SANDBOX_BOUND] = "sandbox-bound",
	[GRID_EVENT_SANDBOX_KILLED] = "sandbox-killed",
	[GRID_EVENT_SHARE_EXHAUSTED] = "share-exhausted",
	[GRID_EVENT_CPU_BUDGET_SPENT] = "cpu-budget-spent",
	[GRID_EVENT_CPU_BUDGET_RENEWED] = "cpu-budget-renewed",
};

static const char *const lease_states[] = {
	[GRID_LEASE_PENDING] = "pending",
	[GRID_LEASE_ACTIVE] = "active",
	[GRID_LEASE_EXPIRED] = "expired",
	[GRID_LEASE_REVOKED] = "revoked",
};

static const char *const sandbox_states[] = {
	[GRID_SANDBOX_BOUND] = "bound",
	[GRID_SANDBOX_KILLED] = "killed",
};

static const char *const limits[] = {
	[GRID_LIMITS_A_CPU_QUOTA_US] = "cpu-quota",
	[GRID_LIMITS_A_CPU_PERIOD_US] = "cpu-period",
	[GRID_LIMITS_A_CPU_BUDGET_US] = "cpu-budget",
	[GRID_LIMITS_A_MEMORY] = "memory",
	[GRID_LIMITS_A_PIDS] = "pids",
	[GRID_LIMITS_A_NET_EGRESS_RATE] = "egress-rate",
	[GRID_LIMITS_A_NET_INGRESS_RATE] = "ingress-rate",
	[GRID_LIMITS_A_NET_EGRESS_BUDGET] = "egress-budget",
	[GRID_LIMITS_A_NET_INGRESS_BUDGET] = "ingress-budget",
	[GRID_LIMITS_A_BUDGET_PERIOD_S] = "period",
	[GRID_LIMITS_A_CPU_RATE] = "cpu",
};

const char *grid_event_name(uint32_t type)
{
	return PICK(events, type);
}

const char *grid_lease_state_name(uint32_t state)
{
	return PICK(lease_states, state);
}

const char *grid_sandbox_state_name(uint32_t state)
{
	return PICK(sandbox_states, state);
}

const char *grid_limit_name(uint32_t attr)
{
	return PICK(limits, attr);
}
