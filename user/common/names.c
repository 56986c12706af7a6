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
	[GRID_EVENT_LEASE_ACTIVE] = "lease-active",
	[GRID_EVENT_LEASE_CHANGED] = "lease-changed",
	[GRID_EVENT_LEASE_DELETED] = "lease-deleted",
	[GRID_EVENT_SANDBOX_UNBOUND] = "sandbox-unbound",
	[GRID_EVENT_SANDBOX_KILL_FAILED] = "sandbox-kill-failed",
	[GRID_EVENT_SHARE_ADDED] = "share-added",
	[GRID_EVENT_SHARE_CHANGED] = "share-changed",
	[GRID_EVENT_SHARE_DELETED] = "share-deleted",
	[GRID_EVENT_PEER_ADDED] = "peer-added",
	[GRID_EVENT_PEER_CHANGED] = "peer-changed",
	[GRID_EVENT_PEER_DELETED] = "peer-deleted",
	[GRID_EVENT_GRID_ADDED] = "grid-added",
	[GRID_EVENT_GRID_CHANGED] = "grid-changed",
	[GRID_EVENT_GRID_DELETED] = "grid-deleted",
	[GRID_EVENT_GRIDGRID_ADDED] = "gridgrid-added",
	[GRID_EVENT_GRIDGRID_CHANGED] = "gridgrid-changed",
	[GRID_EVENT_GRIDGRID_DELETED] = "gridgrid-deleted",
	[GRID_EVENT_CPU_FREEZE_FAILED] = "cpu-freeze-failed",
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
	[GRID_SANDBOX_KILL_FAILED] = "kill-failed",
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
