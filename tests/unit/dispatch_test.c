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

/*
 * dispatch.c depends on nothing but the printer and show.c's cleaning of
 * what it says, so both are built in here.
 */
#include "../../user/gridctl/dispatch.c"
#include "../../user/gridctl/show.c"

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

/* ---- text from peers, cleaned for a terminal (show.c) ------------------------ */

static const char *clean(const char *s)
{
	static char buf[64];

	return gridctl_clean(buf, sizeof(buf), s);
}

TEST(a_providers_escape_sequences_are_shown_as_question_marks)
{
	CHECK(!strcmp(clean("\x1b[2J\x1b]0;owned\x07 done"), "?[2J?]0;owned? done"));
	CHECK(!strcmp(clean("rub\x7fout\bx"), "rub?out?x"));
}

TEST(a_newline_in_a_reason_cannot_begin_a_forged_line)
{
	CHECK(!strcmp(clean("oom\ngridctl: run: all is well\r"),
		      "oom?gridctl: run: all is well?"));
}

TEST(well_formed_utf8_is_kept_whole)
{
	const char *s = "caf\xc3\xa9 \xe2\x80\x94 \xe6\x97\xa5 \xf0\x9f\x98\x80";

	CHECK(!strcmp(clean(s), s));
}

TEST(a_c1_control_is_replaced_raw_or_encoded)
{
	CHECK(!strcmp(clean("a\x9b" "31mb"), "a?31mb"));
	CHECK(!strcmp(clean("a\xc2\x9b" "31mb"), "a??31mb"));
	CHECK(!strcmp(clean("\xc2\xa0"), "\xc2\xa0"));
}

TEST(malformed_utf8_is_replaced_byte_by_byte)
{
	CHECK(!strcmp(clean("\xc0\xaf"), "??"));
	CHECK(!strcmp(clean("\xed\xa0\x80"), "???"));
	CHECK(!strcmp(clean("\xf4\x90\x80\x80"), "????"));
	CHECK(!strcmp(clean("x\xe6\x97"), "x??"));
	CHECK(!strcmp(clean("\xff\xfe"), "??"));
}

TEST(cleaning_works_in_place_and_never_splits_a_character)
{
	char s[] = "ab\x1b" "c", small[3];

	CHECK(!strcmp(gridctl_clean(s, sizeof(s), s), "ab?c"));
	CHECK(!strcmp(gridctl_clean(small, sizeof(small), "abcdef"), "ab"));
	CHECK(!strcmp(gridctl_clean(small, sizeof(small), "a\xe6\x97\xa5"), "a"));
}
