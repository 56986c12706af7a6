// SPDX-License-Identifier: GPL-2.0
/* Admission arithmetic and the sentences that explain a refusal. */
#define UNIT_SUITE "unit/quota"
#include <stdint.h>

#include "unit.h"
#include "units.h"
#include "names.h"
#include "quota.h"

#define GiB (1ULL << 30)
#define CORES(x) ((uint64_t)((x) * 1000000000.0))

static char buf[256];

/* Everything unlimited but what the test sets. */
static struct grid_obj_limits unlimited(void)
{
	struct grid_obj_limits l;

	memset(&l, 0xff, sizeof(l.l));
	l.l.cpu_period_us = 100000;
	l.l.budget_period_s = 86400;
	l.l.reserved = 0;
	l.cpu_rate = GRID_LIMIT_MAX;
	l.present = ~0u;
	return l;
}

static struct grid_obj_limits nothing(void)
{
	struct grid_obj_limits l;

	memset(&l, 0, sizeof(l));
	return l;
}

TEST(a_request_within_the_share_fits)
{
	struct grid_obj_limits share = unlimited(), used = nothing(),
			       req = nothing();

	share.cpu_rate = CORES(2);
	share.l.memory_bytes = 2 * GiB;
	used.cpu_rate = CORES(1);
	used.l.memory_bytes = GiB;
	req.cpu_rate = CORES(1);
	req.l.memory_bytes = GiB;
	CHECK(grid_quota_first_over(&share, &used, &req, NULL) == 0);
}

TEST(the_first_resource_past_the_share_is_named)
{
	struct grid_obj_limits share = unlimited(), used = nothing(),
			       req = nothing();

	share.cpu_rate = CORES(2);
	share.l.memory_bytes = 2 * GiB;
	used.cpu_rate = CORES(1.5);
	req.cpu_rate = CORES(1);
	req.l.memory_bytes = 4 * GiB;
	CHECK(grid_quota_first_over(&share, &used, &req, NULL) ==
	      GRID_LIMITS_A_CPU_RATE);
	req.cpu_rate = CORES(0.5);
	CHECK(grid_quota_first_over(&share, &used, &req, NULL) ==
	      GRID_LIMITS_A_MEMORY);
}

TEST(an_unlimited_request_does_not_fit_a_limited_share)
{
	struct grid_obj_limits share = unlimited(), used = nothing(),
			       req = unlimited();

	share.l.pids = 100;
	CHECK(grid_quota_first_over(&share, &used, &req, NULL) ==
	      GRID_LIMITS_A_PIDS);
}

TEST(anything_fits_an_unlimited_share)
{
	struct grid_obj_limits share = unlimited(), used = unlimited(),
			       req = unlimited();

	CHECK(grid_quota_first_over(&share, &used, &req, NULL) == 0);
}

TEST(exactly_filling_the_share_fits)
{
	struct grid_obj_limits share = unlimited(), used = nothing(),
			       req = nothing();

	share.l.net_egress_budget = 10 * GiB;
	used.l.net_egress_budget = 6 * GiB;
	req.l.net_egress_budget = 4 * GiB;
	CHECK(grid_quota_first_over(&share, &used, &req, NULL) == 0);
	req.l.net_egress_budget++;
	CHECK(grid_quota_first_over(&share, &used, &req, NULL) ==
	      GRID_LIMITS_A_NET_EGRESS_BUDGET);
}

TEST(a_lease_being_changed_does_not_count_against_itself)
{
	struct grid_obj_limits share = unlimited(), used = nothing(),
			       old = nothing(), req = nothing();

	share.l.memory_bytes = 2 * GiB;
	used.l.memory_bytes = 2 * GiB;
	old.l.memory_bytes = GiB;
	req.l.memory_bytes = GiB + GiB / 2;
	CHECK(grid_quota_first_over(&share, &used, &req, NULL) ==
	      GRID_LIMITS_A_MEMORY);
	CHECK(grid_quota_first_over(&share, &used, &req, &old) ==
	      GRID_LIMITS_A_MEMORY);
	req.l.memory_bytes = GiB;
	CHECK(grid_quota_first_over(&share, &used, &req, &old) == 0);
	CHECK(grid_quota_used(&used, &old, GRID_LIMITS_A_MEMORY) == GiB);
}

TEST(sums_near_64_bits_do_not_wrap)
{
	struct grid_obj_limits share = unlimited(), used = nothing(),
			       req = nothing();

	share.l.memory_bytes = UINT64_MAX - 1;
	used.l.memory_bytes = UINT64_MAX - 2;
	req.l.memory_bytes = 2;
	CHECK(grid_quota_first_over(&share, &used, &req, NULL) ==
	      GRID_LIMITS_A_MEMORY);
}

TEST(a_smaller_share_is_checked_against_what_is_used)
{
	struct grid_obj_limits share = unlimited(), used = nothing();

	share.l.memory_bytes = GiB;
	used.l.memory_bytes = GiB + GiB / 2;
	CHECK(grid_quota_first_over(&share, &used, NULL, NULL) ==
	      GRID_LIMITS_A_MEMORY);
	used.l.memory_bytes = GiB;
	CHECK(grid_quota_first_over(&share, &used, NULL, NULL) == 0);
}

TEST(cpu_refusals_read_in_cores)
{
	grid_quota_describe(buf, sizeof(buf), GRID_LIMITS_A_CPU_RATE,
			    CORES(2), CORES(1.5), CORES(1));
	CHECK(!strcmp(buf, "cpu 1.5 of 2.0 cores in use, 1.0 requested"));
}

TEST(memory_refusals_read_in_human_sizes)
{
	grid_quota_describe(buf, sizeof(buf), GRID_LIMITS_A_MEMORY,
			    2 * GiB, GiB + GiB / 2, GiB);
	CHECK(!strcmp(buf, "memory 1.5G of 2G in use, 1G requested"));
}

TEST(an_unlimited_request_is_said_to_ask_for_no_limit)
{
	grid_quota_describe(buf, sizeof(buf), GRID_LIMITS_A_PIDS, 100, 0,
			    GRID_LIMIT_MAX);
	CHECK(!strcmp(buf, "pids 0 of 100 in use, no limit requested"));
}

TEST(rate_and_budget_refusals_use_their_own_units)
{
	grid_quota_describe(buf, sizeof(buf), GRID_LIMITS_A_NET_EGRESS_RATE,
			    5ULL << 20, 4ULL << 20, 2ULL << 20);
	CHECK(!strcmp(buf, "egress-rate 4M/s of 5M/s in use, 2M/s requested"));
	grid_quota_describe(buf, sizeof(buf), GRID_LIMITS_A_CPU_BUDGET_US,
			    86400ULL * 1000000, 36000ULL * 1000000,
			    72000ULL * 1000000);
	CHECK(!strcmp(buf, "cpu-budget 10h of 1d in use, 20h requested"));
}

TEST(a_share_too_small_for_its_leases_says_how_much_is_used)
{
	grid_quota_describe_shrink(buf, sizeof(buf), GRID_LIMITS_A_MEMORY,
				   GiB, GiB + GiB / 2);
	CHECK(!strcmp(buf, "memory 1.5G in use, more than 1G"));
	grid_quota_describe_shrink(buf, sizeof(buf), GRID_LIMITS_A_CPU_RATE,
				   CORES(1), CORES(1.5));
	CHECK(!strcmp(buf, "cpu 1.5 cores in use, more than 1.0"));
}

TEST(every_limit_attribute_has_a_gridctl_word)
{
	uint32_t a;

	for (a = GRID_LIMITS_A_CPU_QUOTA_US; a <= GRID_LIMITS_A_MAX; a++)
		CHECK(grid_limit_name(a) != NULL);
	CHECK(grid_limit_name(GRID_LIMITS_A_UNSPEC) == NULL);
	CHECK(grid_limit_name(GRID_LIMITS_A_MAX + 1) == NULL);
}

TEST(every_event_and_state_has_a_name)
{
	uint32_t e;

	for (e = GRID_EVENT_LEASE_GRANTED; e <= GRID_EVENT_SHARE_EXHAUSTED; e++)
		CHECK(grid_event_name(e) != NULL);
	CHECK(grid_event_name(0) == NULL);
	CHECK(grid_event_name(1000) == NULL);
	CHECK(!strcmp(grid_lease_state_name(GRID_LEASE_REVOKED), "revoked"));
	CHECK(grid_lease_state_name(GRID_LEASE_REVOKED + 1) == NULL);
	CHECK(!strcmp(grid_sandbox_state_name(GRID_SANDBOX_KILLED), "killed"));
}
