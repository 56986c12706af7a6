// SPDX-License-Identifier: GPL-2.0
/* A grid-grid's quota as the BPF loader checks and completes it. */
#define UNIT_SUITE "unit/quota_limits"
#include <errno.h>
#include <stdint.h>

#include "unit.h"
#include "units.h"
#include "quota_limits.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define MS 1000000ULL
#define SEC 1000000000ULL
#define BIT(f) GRID_QUOTA_BIT(f)

static struct grid_quota_limits q;
static enum grid_quota_field bad;

static void reset(void)
{
	memset(&q, 0, sizeof(q));
	bad = GRID_QUOTA_NR_FIELDS;
}

static void give(enum grid_quota_field f)
{
	q.given |= BIT(f);
}

TEST(nothing_given_is_counted_without_limits)
{
	reset();
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.net.egress_rate == 0 && q.net.ingress_rate == 0);
	CHECK(q.net.ingress_burst == 0 && q.net.horizon_ns == 0);
	CHECK(q.net.period_ns == 0 && q.cpu.budget_ns == 0);
	CHECK(q.cpu.period_ns == 0 && q.cpu_nanocores == 0);
}

TEST(an_egress_rate_gets_a_horizon_of_one_second)
{
	reset();
	q.net.egress_rate = 4000000;
	give(GRID_QUOTA_EGRESS);
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.net.horizon_ns == SEC);
}

TEST(a_given_horizon_is_kept)
{
	reset();
	q.net.egress_rate = 4000000;
	q.net.horizon_ns = 250 * MS;
	give(GRID_QUOTA_EGRESS);
	give(GRID_QUOTA_HORIZON);
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.net.horizon_ns == 250 * MS);
}

TEST(a_horizon_past_fq_s_own_is_out_of_range)
{
	reset();
	q.net.egress_rate = 4000000;
	q.net.horizon_ns = GRID_NET_HORIZON_MAX + 1;
	give(GRID_QUOTA_HORIZON);
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	CHECK(bad == GRID_QUOTA_HORIZON);
	q.net.horizon_ns = GRID_NET_HORIZON_MAX;
	CHECK(grid_quota_resolve(&q, &bad) == 0);
}

TEST(a_horizon_without_an_egress_rate_is_refused)
{
	reset();
	q.net.horizon_ns = SEC;
	give(GRID_QUOTA_HORIZON);
	CHECK(grid_quota_resolve(&q, &bad) == -EINVAL);
	CHECK(bad == GRID_QUOTA_HORIZON);
}

TEST(a_slow_ingress_rate_gets_a_burst_of_256k)
{
	reset();
	q.net.ingress_rate = 125000;	/* 1mbit */
	give(GRID_QUOTA_INGRESS);
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.net.ingress_burst == 256 * KiB);
}

TEST(a_fast_ingress_rate_gets_a_burst_of_an_eighth_of_a_second)
{
	reset();
	q.net.ingress_rate = 100 * MiB;
	give(GRID_QUOTA_INGRESS);
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.net.ingress_burst == 100 * MiB / 8);
}

TEST(the_default_burst_stays_within_the_bounds)
{
	CHECK(grid_quota_default_burst(GRID_NET_RATE_MAX) == GRID_NET_BURST_MAX);
	CHECK(grid_quota_default_burst(1) >= GRID_NET_BURST_MIN);
	CHECK(grid_quota_default_burst(0) == 256 * KiB);
	CHECK(grid_quota_default_burst(8 * MiB) == 1 * MiB);
}

TEST(a_burst_outside_its_bounds_is_out_of_range)
{
	reset();
	q.net.ingress_rate = 125000;
	give(GRID_QUOTA_BURST);
	q.net.ingress_burst = GRID_NET_BURST_MIN - 1;
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	CHECK(bad == GRID_QUOTA_BURST);
	q.net.ingress_burst = GRID_NET_BURST_MAX + 1;
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	q.net.ingress_burst = GRID_NET_BURST_MIN;
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.net.ingress_burst == GRID_NET_BURST_MIN);
}

TEST(a_burst_of_zero_given_is_out_of_range_not_the_default)
{
	reset();
	q.net.ingress_rate = 125000;
	give(GRID_QUOTA_INGRESS);
	give(GRID_QUOTA_BURST);
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	CHECK(bad == GRID_QUOTA_BURST);
}

TEST(a_burst_without_an_ingress_rate_is_refused)
{
	reset();
	q.net.ingress_burst = MiB;
	give(GRID_QUOTA_BURST);
	CHECK(grid_quota_resolve(&q, &bad) == -EINVAL);
	CHECK(bad == GRID_QUOTA_BURST);
}

TEST(rates_past_the_maximum_are_out_of_range)
{
	reset();
	q.net.egress_rate = GRID_NET_RATE_MAX + 1;
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	CHECK(bad == GRID_QUOTA_EGRESS);
	reset();
	q.net.ingress_rate = GRID_NET_RATE_MAX + 1;
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	CHECK(bad == GRID_QUOTA_INGRESS);
	reset();
	q.net.egress_rate = GRID_NET_RATE_MAX;
	CHECK(grid_quota_resolve(&q, &bad) == 0);
}

TEST(a_rate_of_zero_or_max_is_no_limit)
{
	reset();
	q.net.egress_rate = 0;
	q.net.ingress_rate = GRID_LIMIT_MAX;
	give(GRID_QUOTA_EGRESS);
	give(GRID_QUOTA_INGRESS);
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.net.egress_rate == 0 && q.net.ingress_rate == 0);
	CHECK(q.net.horizon_ns == 0 && q.net.ingress_burst == 0);
}

TEST(a_budget_without_a_period_is_refused)
{
	reset();
	q.net.egress_budget = 2 * MiB;
	give(GRID_QUOTA_EGRESS_BUDGET);
	CHECK(grid_quota_resolve(&q, &bad) == -EINVAL);
	CHECK(bad == GRID_QUOTA_EGRESS_BUDGET);
	reset();
	q.net.ingress_budget = 2 * MiB;
	CHECK(grid_quota_resolve(&q, &bad) == -EINVAL);
	CHECK(bad == GRID_QUOTA_INGRESS_BUDGET);
}

TEST(a_budget_with_a_period_is_kept)
{
	reset();
	q.net.egress_budget = 2 * MiB;
	q.net.period_ns = 3600 * SEC;
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.net.egress_budget == 2 * MiB && q.net.period_ns == 3600 * SEC);
}

TEST(a_budget_past_the_maximum_is_out_of_range)
{
	reset();
	q.net.ingress_budget = GRID_NET_BUDGET_MAX + 1;
	q.net.period_ns = SEC;
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	CHECK(bad == GRID_QUOTA_INGRESS_BUDGET);
}

TEST(a_budget_of_max_is_no_budget_and_needs_no_period)
{
	reset();
	q.net.egress_budget = GRID_LIMIT_MAX;
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.net.egress_budget == 0);
}

TEST(a_period_without_a_budget_is_refused)
{
	reset();
	q.net.period_ns = SEC;
	give(GRID_QUOTA_PERIOD);
	CHECK(grid_quota_resolve(&q, &bad) == -EINVAL);
	CHECK(bad == GRID_QUOTA_PERIOD);
}

TEST(a_period_left_over_from_a_removed_budget_is_cleared)
{
	reset();
	q.net.period_ns = SEC;	/* in force, not given now */
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.net.period_ns == 0);
}

TEST(periods_outside_their_bounds_are_out_of_range)
{
	reset();
	q.net.egress_budget = MiB;
	q.net.period_ns = GRID_PERIOD_MAX + 1;
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	CHECK(bad == GRID_QUOTA_PERIOD);
	q.net.period_ns = GRID_QUOTA_PERIOD_MIN - 1;
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	q.net.period_ns = 0;
	give(GRID_QUOTA_PERIOD);
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	q.net.period_ns = GRID_PERIOD_MAX;
	CHECK(grid_quota_resolve(&q, &bad) == 0);
}

TEST(a_cpu_budget_needs_a_period)
{
	reset();
	q.cpu.budget_ns = 200 * MS;
	give(GRID_QUOTA_CPU_BUDGET);
	CHECK(grid_quota_resolve(&q, &bad) == -EINVAL);
	CHECK(bad == GRID_QUOTA_CPU_BUDGET);
	q.cpu.period_ns = 2 * SEC;
	give(GRID_QUOTA_CPU_PERIOD);
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.cpu.budget_ns == 200 * MS && q.cpu.period_ns == 2 * SEC);
}

TEST(a_cpu_budget_without_its_own_period_takes_period)
{
	reset();
	q.cpu.budget_ns = 600 * SEC;
	q.net.period_ns = 3600 * SEC;
	give(GRID_QUOTA_CPU_BUDGET);
	give(GRID_QUOTA_PERIOD);
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.cpu.period_ns == 3600 * SEC);
	/* The network entry has no budget to count the period for. */
	CHECK(q.net.period_ns == 0);
}

TEST(a_cpu_period_without_a_cpu_budget_is_refused)
{
	reset();
	q.cpu.period_ns = SEC;
	give(GRID_QUOTA_CPU_PERIOD);
	CHECK(grid_quota_resolve(&q, &bad) == -EINVAL);
	CHECK(bad == GRID_QUOTA_CPU_PERIOD);
}

TEST(a_period_given_beside_a_cpu_period_and_no_net_budget_is_refused)
{
	reset();
	q.cpu.budget_ns = SEC;
	q.cpu.period_ns = 60 * SEC;
	q.net.period_ns = 3600 * SEC;
	give(GRID_QUOTA_CPU_BUDGET);
	give(GRID_QUOTA_CPU_PERIOD);
	give(GRID_QUOTA_PERIOD);
	CHECK(grid_quota_resolve(&q, &bad) == -EINVAL);
	CHECK(bad == GRID_QUOTA_PERIOD);
}

TEST(cores_below_a_hundredth_are_out_of_range)
{
	reset();
	q.cpu_nanocores = 9999999;	/* 0.0099 cores: 999 us a period */
	give(GRID_QUOTA_CPU);
	CHECK(grid_quota_resolve(&q, &bad) == -ERANGE);
	CHECK(bad == GRID_QUOTA_CPU);
	q.cpu_nanocores = 10000000;
	CHECK(grid_quota_resolve(&q, &bad) == 0);
}

TEST(cores_of_max_are_no_cap)
{
	reset();
	q.cpu_nanocores = GRID_LIMIT_MAX;
	give(GRID_QUOTA_CPU);
	CHECK(grid_quota_resolve(&q, &bad) == 0);
	CHECK(q.cpu_nanocores == 0);
}

TEST(a_change_replaces_only_the_fields_given)
{
	struct grid_quota_limits cur = { 0 }, change = { 0 };

	cur.net.egress_rate = 4000000;
	cur.net.horizon_ns = 250 * MS;
	cur.net.ingress_rate = 1000000;
	cur.net.ingress_burst = 256 * KiB;
	cur.cpu.budget_ns = SEC;
	cur.cpu.period_ns = 60 * SEC;
	change.net.egress_rate = 2000000;
	change.given = BIT(GRID_QUOTA_EGRESS);
	grid_quota_apply(&cur, &change);
	CHECK(cur.net.egress_rate == 2000000);
	CHECK(cur.net.horizon_ns == 250 * MS);
	CHECK(cur.net.ingress_rate == 1000000);
	CHECK(cur.net.ingress_burst == 256 * KiB);
	CHECK(cur.cpu.budget_ns == SEC && cur.cpu.period_ns == 60 * SEC);
	CHECK(cur.given == BIT(GRID_QUOTA_EGRESS));
}

TEST(a_default_burst_follows_a_new_ingress_rate)
{
	struct grid_quota_limits cur = { 0 }, change = { 0 };

	cur.net.ingress_rate = 100 * MiB;
	cur.net.ingress_burst = grid_quota_default_burst(100 * MiB);
	change.net.ingress_rate = 200 * MiB;
	change.given = BIT(GRID_QUOTA_INGRESS);
	grid_quota_apply(&cur, &change);
	CHECK(grid_quota_resolve(&cur, &bad) == 0);
	CHECK(cur.net.ingress_burst == 200 * MiB / 8);
}

/* Attached with "cpu-budget 1h period 1d", no network budget: set period 2h. */
TEST(a_cpu_budget_that_took_period_follows_a_new_one)
{
	struct grid_quota_limits cur = { 0 }, change = { 0 };

	cur.cpu.budget_ns = 3600 * SEC;
	cur.cpu.period_ns = 86400 * SEC;
	change.net.period_ns = 7200 * SEC;
	change.given = BIT(GRID_QUOTA_PERIOD);
	grid_quota_apply(&cur, &change);
	CHECK(grid_quota_resolve(&cur, &bad) == 0);
	CHECK(cur.cpu.period_ns == 7200 * SEC);
	CHECK(cur.net.period_ns == 0);
}

/* With network budgets of 1d and a cpu-period of its own, 1h, stays. */
TEST(a_cpu_period_of_its_own_stays_when_period_changes)
{
	struct grid_quota_limits cur = { 0 }, change = { 0 };

	cur.net.egress_budget = MiB;
	cur.net.period_ns = 86400 * SEC;
	cur.cpu.budget_ns = 60 * SEC;
	cur.cpu.period_ns = 3600 * SEC;
	change.net.period_ns = 7200 * SEC;
	change.given = BIT(GRID_QUOTA_PERIOD);
	grid_quota_apply(&cur, &change);
	CHECK(grid_quota_resolve(&cur, &bad) == 0);
	CHECK(cur.cpu.period_ns == 3600 * SEC);
	CHECK(cur.net.period_ns == 7200 * SEC);
}

/* A period with neither kind of budget is still refused. */
TEST(a_period_set_with_no_budget_at_all_is_refused)
{
	struct grid_quota_limits cur = { 0 }, change = { 0 };

	cur.net.egress_rate = MiB;
	change.net.period_ns = 7200 * SEC;
	change.given = BIT(GRID_QUOTA_PERIOD);
	grid_quota_apply(&cur, &change);
	CHECK(grid_quota_resolve(&cur, &bad) == -EINVAL);
	CHECK(bad == GRID_QUOTA_PERIOD);
}

TEST(a_chosen_burst_stays_with_a_new_ingress_rate)
{
	struct grid_quota_limits cur = { 0 }, change = { 0 };

	cur.net.ingress_rate = 100 * MiB;
	cur.net.ingress_burst = MiB;
	change.net.ingress_rate = 200 * MiB;
	change.given = BIT(GRID_QUOTA_INGRESS);
	grid_quota_apply(&cur, &change);
	CHECK(grid_quota_resolve(&cur, &bad) == 0);
	CHECK(cur.net.ingress_burst == MiB);
}

TEST(removing_the_ingress_rate_removes_its_burst)
{
	struct grid_quota_limits cur = { 0 }, change = { 0 };

	cur.net.ingress_rate = 100 * MiB;
	cur.net.ingress_burst = MiB;
	change.given = BIT(GRID_QUOTA_INGRESS);
	grid_quota_apply(&cur, &change);
	CHECK(grid_quota_resolve(&cur, &bad) == 0);
	CHECK(cur.net.ingress_rate == 0 && cur.net.ingress_burst == 0);
}

TEST(every_field_has_its_word)
{
	CHECK(!strcmp(grid_quota_word(GRID_QUOTA_EGRESS), "egress"));
	CHECK(!strcmp(grid_quota_word(GRID_QUOTA_CPU_BUDGET), "cpu-budget"));
	CHECK(!strcmp(grid_quota_word(GRID_QUOTA_NR_FIELDS), "limit"));
}
