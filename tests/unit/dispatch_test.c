// SPDX-License-Identifier: GPL-2.0
/* gridctl's command dispatch: exact names only, help everywhere. */
#define UNIT_SUITE "unit/dispatch"
#include <stdbool.h>

#include "unit.h"
#include "../../user/gridctl/gridctl.h"

bool gridctl_json;
bool gridctl_pretty;
static int ran;

static int run_show(int argc, char **argv)
{
	(void)argv;
	ran = 100 + argc;
	return 0;
}

static const struct gridctl_cmd table[] = {
	{ "show", run_show, "show it" },
	{ NULL, NULL, NULL },
};

/* dispatch.c depends on nothing but the printer, so it is built in here. */
#include "../../user/gridctl/dispatch.c"

TEST(an_exact_name_runs_its_command_with_the_rest_of_the_arguments)
{
	char *argv[] = { "show", "a", "b", NULL };

	ran = 0;
	CHECK(gridctl_dispatch("gridctl x", table, 3, argv) == 0);
	CHECK(ran == 102);
}

TEST(an_abbreviation_is_a_usage_error)
{
	char *argv[] = { "sh", NULL };

	ran = 0;
	CHECK(gridctl_dispatch("gridctl x", table, 1, argv) == 2);
	CHECK(ran == 0);
}

TEST(a_missing_command_is_a_usage_error)
{
	CHECK(gridctl_dispatch("gridctl x", table, 0, NULL) == 2);
}

TEST(help_is_accepted_in_three_spellings)
{
	char *a[] = { "help", NULL }, *b[] = { "--help", NULL },
	     *c[] = { "-h", NULL };

	CHECK(gridctl_dispatch("gridctl x", table, 1, a) == 0);
	CHECK(gridctl_dispatch("gridctl x", table, 1, b) == 0);
	CHECK(gridctl_dispatch("gridctl x", table, 1, c) == 0);
}

TEST(a_command_followed_by_help_prints_its_grammar_and_does_not_run)
{
	char *argv[] = { "show", "help", NULL };

	ran = 0;
	CHECK(gridctl_dispatch("gridctl x", table, 2, argv) == 0);
	CHECK(ran == 0);
}

TEST(at_the_top_level_help_after_an_object_is_left_to_the_object)
{
	char *argv[] = { "show", "help", NULL };

	ran = 0;
	CHECK(gridctl_dispatch("gridctl", table, 2, argv) == 0);
	CHECK(ran == 101);
}
