// SPDX-License-Identifier: GPL-2.0
/* gridctl's LIMITS words: what each sets, and read-modify-write. */
#define UNIT_SUITE "unit/words"
#include <stdbool.h>

#include "unit.h"
#include "units.h"
#include "objects.h"
#include "../../user/gridctl/gridctl.h"

bool gridctl_json;
bool gridctl_pretty;

int64_t gridctl_now_ns(void)
{
	return 0;
}

/* They depend on nothing but the printer and limits.c, so they are built in. */
#include "../../user/gridctl/dispatch.c"
#include "../../user/gridctl/show.c"
#include "../../user/gridctl/words.c"

#define GiB (1ULL << 30)

static struct gridctl_limits e;

/* Feeds every word of @argv to gridctl_limits_word; its last answer. */
static int words_of(int argc, char **argv)
{
	int i, ret = 0;

	memset(&e, 0, sizeof(e));
	for (i = 0; i < argc; i++) {
		ret = gridctl_limits_word("test", argc, argv, &i, &e);
		if (ret != 1)
			return ret;
	}
	return ret;
}

#define WORDS(...) \
	words_of(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *), \
		 (char *[]){ __VA_ARGS__ })

TEST(share_defaults_are_unlimited_with_a_day_of_budget_period)
{
	struct grid_limits l;

	gridctl_limits_unlimited(&l, GRID_BUDGET_PERIOD_DEFAULT);
	CHECK(l.cpu_quota_us == GRID_LIMIT_MAX && l.memory_bytes == GRID_LIMIT_MAX);
	CHECK(l.net_ingress_budget == GRID_LIMIT_MAX && l.pids == GRID_LIMIT_MAX);
	CHECK(l.cpu_period_us == 100000 && l.budget_period_s == 86400);
	CHECK(l.reserved == 0);
}

TEST(cpu_cores_become_a_quota_in_the_default_period)
{
	struct grid_limits l;

	CHECK(WORDS("cpu", "1.5") == 1);
	gridctl_limits_unlimited(&l, 0);
	gridctl_limits_apply(&e, &l);
	CHECK(l.cpu_quota_us == 150000 && l.cpu_period_us == 100000);
}

TEST(cpu_cores_follow_a_period_given_after_them)
{
	struct grid_limits l;

	CHECK(WORDS("cpu", "1.5", "cpu-period", "50000") == 1);
	gridctl_limits_unlimited(&l, 0);
	gridctl_limits_apply(&e, &l);
	CHECK(l.cpu_quota_us == 75000 && l.cpu_period_us == 50000);
}

TEST(cpu_cores_on_a_set_keep_the_current_period)
{
	struct grid_limits l;

	CHECK(WORDS("cpu", "1") == 1);
	gridctl_limits_unlimited(&l, 0);
	l.cpu_period_us = 50000;
	gridctl_limits_apply(&e, &l);
	CHECK(l.cpu_quota_us == 50000 && l.cpu_period_us == 50000);
}

TEST(cpu_and_cpu_quota_together_are_a_usage_error)
{
	CHECK(WORDS("cpu", "1", "cpu-quota", "100000") == 2);
	CHECK(WORDS("cpu-quota", "100000", "cpu", "1") == 2);
}

TEST(a_quota_and_period_in_microseconds_are_taken_as_they_are)
{
	struct grid_limits l;

	CHECK(WORDS("cpu-quota", "20000", "cpu-period", "1000000") == 1);
	gridctl_limits_unlimited(&l, 0);
	gridctl_limits_apply(&e, &l);
	CHECK(l.cpu_quota_us == 20000 && l.cpu_period_us == 1000000);
}

TEST(the_cpu_period_stays_within_what_cgroups_accept)
{
	CHECK(WORDS("cpu-period", "999") == 2);
	CHECK(WORDS("cpu-period", "1000") == 1);
	CHECK(WORDS("cpu-period", "1000000") == 1);
	CHECK(WORDS("cpu-period", "1000001") == 2);
	CHECK(WORDS("cpu-period", "max") == 2);
}

TEST(every_other_limit_lands_in_its_field)
{
	struct grid_limits l;

	CHECK(WORDS("memory", "2G", "pids", "100", "egress-rate", "40mbit",
		    "ingress-rate", "5M/s", "egress-budget", "10G",
		    "ingress-budget", "1T", "cpu-budget", "1h",
		    "period", "1d") == 1);
	gridctl_limits_unlimited(&l, 0);
	gridctl_limits_apply(&e, &l);
	CHECK(l.memory_bytes == 2 * GiB && l.pids == 100);
	CHECK(l.net_egress_rate == 5000000 && l.net_ingress_rate == 5ULL << 20);
	CHECK(l.net_egress_budget == 10 * GiB && l.net_ingress_budget == 1ULL << 40);
	CHECK(l.cpu_budget_us == 3600000000ULL && l.budget_period_s == 86400);
	CHECK(l.cpu_quota_us == GRID_LIMIT_MAX);
}

TEST(the_budget_period_takes_whole_seconds)
{
	CHECK(WORDS("period", "3600") == 1 && e.l.budget_period_s == 3600);
	CHECK(WORDS("period", "1.5s") == 2);
	CHECK(WORDS("period", "0") == 2);
	CHECK(WORDS("period", "max") == 2);
	CHECK(WORDS("period", "200000d") == 2);
}

TEST(a_set_changes_only_the_fields_given)
{
	struct grid_limits l;

	gridctl_limits_unlimited(&l, 86400);
	l.memory_bytes = GiB;
	l.cpu_quota_us = 200000;
	CHECK(WORDS("pids", "50") == 1);
	gridctl_limits_apply(&e, &l);
	CHECK(l.pids == 50 && l.memory_bytes == GiB && l.cpu_quota_us == 200000);
	CHECK(l.budget_period_s == 86400);
}

TEST(max_lifts_a_limit)
{
	struct grid_limits l;

	gridctl_limits_unlimited(&l, 86400);
	l.memory_bytes = GiB;
	CHECK(WORDS("memory", "max") == 1);
	gridctl_limits_apply(&e, &l);
	CHECK(l.memory_bytes == GRID_LIMIT_MAX);
}

TEST(a_word_that_is_not_a_limit_is_left_for_the_caller)
{
	CHECK(WORDS("serial", "7") == 0);
	CHECK(e.given == 0);
}

TEST(a_limit_without_a_value_is_a_usage_error)
{
	CHECK(WORDS("memory") == 2);
}

TEST(a_value_that_does_not_parse_is_a_usage_error)
{
	CHECK(WORDS("memory", "lots") == 2);
	CHECK(WORDS("egress-rate", "5M") == 2);
	CHECK(WORDS("memory", "99999999T") == 2);
}

TEST(limits_from_the_command_line_count_cpu_in_nanocores)
{
	struct grid_obj_limits o;
	struct grid_limits l;

	gridctl_limits_unlimited(&l, 0);
	l.cpu_quota_us = 150000;
	gridctl_limits_from(&o, &l);
	CHECK(o.cpu_rate == 1500000000ULL && o.l.memory_bytes == GRID_LIMIT_MAX);
}
