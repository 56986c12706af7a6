// SPDX-License-Identifier: GPL-2.0
/* The text/JSON printer: JSON must always parse, text must follow formats. */
#define UNIT_SUITE "unit/print"
#include <inttypes.h>
#include <stdbool.h>

#include "unit.h"
#include "print.h"

static char buf[4096];

/* Runs @fn with the printer writing to a memory buffer. */
static const char *capture(bool json, bool pretty, void (*fn)(void))
{
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	memset(buf, 0, sizeof(buf));
	print_start(f, json, pretty);
	fn();
	print_end();
	fclose(f);
	return buf;
}

static void one_of_each(void)
{
	print_str(PRINT_ANY, "name", "name %s\n", "clubhouse");
	print_u64(PRINT_ANY, "leases", "leases %" PRIu64 "\n", 3);
	print_bool(PRINT_ANY, "up", "up %s\n", true);
	print_obj_open("share");
	print_u64(PRINT_ANY, "memory", "memory %" PRIu64 "\n", 2147483648ULL);
	print_obj_close();
	print_arr_open("peers");
	print_obj_open(NULL);
	print_str(PRINT_ANY, "key", "peer %s\n", "pi");
	print_obj_close();
	print_obj_open(NULL);
	print_str(PRINT_ANY, "key", "peer %s\n", "laptop");
	print_obj_close();
	print_arr_close();
	print_text("only in text\n");
	print_str(PRINT_JSON, "hidden", NULL, "only in json");
}

TEST(json_mode_writes_one_compact_document)
{
	CHECK(!strcmp(capture(true, false, one_of_each),
		      "{\"name\":\"clubhouse\",\"leases\":3,\"up\":true,"
		      "\"share\":{\"memory\":2147483648},"
		      "\"peers\":[{\"key\":\"pi\"},{\"key\":\"laptop\"}],"
		      "\"hidden\":\"only in json\"}\n"));
}

TEST(text_mode_uses_the_formats_and_skips_json_only_fields)
{
	CHECK(!strcmp(capture(false, false, one_of_each),
		      "name clubhouse\nleases 3\nup yes\nmemory 2147483648\n"
		      "peer pi\npeer laptop\nonly in text\n"));
}

TEST(pretty_json_indents_nested_members)
{
	const char *out = capture(true, true, one_of_each);

	CHECK(strstr(out, "{\n  \"name\": \"clubhouse\",\n"));
	CHECK(strstr(out, "\"share\": {\n    \"memory\": 2147483648\n  }"));
	CHECK(out[strlen(out) - 2] == '}');
}

static void nasty_strings(void)
{
	print_str(PRINT_ANY, "s", "%s", "quote\" backslash\\ nl\n tab\t bell\a del\x7f");
}

TEST(json_strings_escape_quotes_backslashes_and_control_bytes)
{
	CHECK(!strcmp(capture(true, false, nasty_strings),
		      "{\"s\":\"quote\\\" backslash\\\\ nl\\n tab\\t bell\\u0007 del\\u007f\"}\n"));
}

static void empty_containers(void)
{
	print_obj_open("o");
	print_obj_close();
	print_arr_open("a");
	print_arr_close();
}

TEST(empty_containers_are_valid_json)
{
	CHECK(!strcmp(capture(true, false, empty_containers),
		      "{\"o\":{},\"a\":[]}\n"));
}

static void nothing(void)
{
}

TEST(an_empty_json_document_is_an_empty_object)
{
	CHECK(!strcmp(capture(true, false, nothing), "{}\n"));
}

TEST(utf8_passes_through_unchanged)
{
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	memset(buf, 0, sizeof(buf));
	json_write_string(f, "gr\xc3\xbcn");
	fclose(f);
	CHECK(!strcmp(buf, "\"gr\xc3\xbcn\""));
}
