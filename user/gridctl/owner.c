// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl init NAME
 * gridctl agent { add NAME [uid N] | list | del NAME | help }
 * gridctl record { list [type TYPE] | help }
 *
 * The grid's identity and its records, through gridd: gridd makes and
 * keeps the keys (never shown), gridctl only asks and prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "print.h"
#include "gridctl.h"
#include "units.h"

void gridctl_print_items(const struct grid_api_in *in, const char *list,
			 void (*one)(const struct grid_api_map *m))
{
	uint32_t i;

	print_start(stdout, gridctl_json, gridctl_pretty);
	if (list)
		print_arr_open(list);
	for (i = 0; i < in->n_items; i++) {
		if (list && print_is_json())
			print_obj_open(NULL);
		one(&in->items[i]);
		if (list && print_is_json())
			print_obj_close();
	}
	if (list)
		print_arr_close();
	if (in->more)
		print_bool(PRINT_JSON, "more", NULL, true);
}

int gridctl_items_end(struct grid_api_in *in)
{
	int ret = print_end();

	grid_api_in_free(in);
	return ret ? 1 : 0;
}

static void print_id(const struct grid_api_map *m, const char *fmt)
{
	if (grid_api_has(m, GRID_A_ID))
		gridctl_print_hexkey("id", fmt, m->b[GRID_A_ID]);
}

static void show_status(const struct grid_api_map *m)
{
	if (grid_api_has(m, GRID_A_NAME)) {
		print_str(PRINT_ANY, "grid", "grid %s", m->t[GRID_A_NAME]);
		gridctl_print_hexkey("key", " key %s", m->b[GRID_A_KEY]);
		print_text("\n");
		print_u64(PRINT_ANY, "gridgrids", "gridgrids %" PRIu64 "\n",
			  m->u[GRID_A_COUNT]);
	} else {
		print_null("grid");
		print_text("no grid yet: gridctl init NAME\n");
	}
	print_str(PRINT_ANY, "role", "role %s\n", m->t[GRID_A_ROLE]);
	print_str(PRINT_ANY, "kernel", "kernel %s\n", m->t[GRID_A_KERNEL]);
	if (grid_api_has(m, GRID_A_HOLDER))
		print_str(PRINT_ANY, "acting_as", "acting as %s\n",
			  m->t[GRID_A_HOLDER]);
}

/* The grid part of "gridctl status": what gridd says, or that it is not up. */
int gridctl_gridd_status(void)
{
	struct grid_api_in in;

	if (gridctl_call("status", GRID_OP_STATUS, NULL, &in))
		return 1;
	gridctl_print_items(&in, NULL, show_status);
	return gridctl_items_end(&in);
}

int do_init(int argc, char **argv)
{
	struct grid_api_map a;
	struct grid_api_in in;

	if (argc != 1 || gridctl_is_help(argv[0]))
		return argc == 1 ? (printf("Usage: gridctl init NAME\n"), 0) :
		       gridctl_usage("init", "usage: gridctl init NAME");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_NAME, argv[0]);
	if (gridctl_call("init", GRID_OP_INIT, &a, &in))
		return 1;
	gridctl_print_items(&in, NULL, show_status);
	return gridctl_items_end(&in);
}

static void show_agent(const struct grid_api_map *m)
{
	print_str(PRINT_ANY, "name", "%s", m->t[GRID_A_NAME]);
	gridctl_print_hexkey("key", " key %s", m->b[GRID_A_KEY]);
	if (grid_api_has(m, GRID_A_UID))
		print_u64(PRINT_ANY, "uid", " uid %" PRIu64, m->u[GRID_A_UID]);
	else
		print_null("uid");
	print_id(m, " cert %s");
	print_text("\n");
}

static int agent_add(int argc, char **argv)
{
	const char *what = "gridctl agent add";
	struct grid_api_map a;
	struct grid_api_in in;
	uint64_t uid;
	int i;

	if (argc < 1)
		return gridctl_usage(what, "which agent? gridctl agent add NAME [uid N]");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_NAME, argv[0]);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "uid")) {
			const char *v = gridctl_value(what, argc, argv, &i);

			if (!v || gridctl_u64(what, "uid", v, &uid))
				return 2;
			grid_api_set_u(&a, GRID_A_UID, uid);
		} else {
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		}
	}
	if (gridctl_call(what, GRID_OP_AGENT_ADD, &a, &in))
		return 1;
	gridctl_print_items(&in, NULL, show_agent);
	return gridctl_items_end(&in);
}

static int agent_list(int argc, char **argv)
{
	struct grid_api_in in;

	(void)argv;
	if (argc)
		return gridctl_usage("gridctl agent list", "takes no arguments");
	if (gridctl_call("gridctl agent list", GRID_OP_AGENT_LIST, NULL, &in))
		return 1;
	gridctl_print_items(&in, "agents", show_agent);
	return gridctl_items_end(&in);
}

static int agent_del(int argc, char **argv)
{
	struct grid_api_map a;
	struct grid_api_in in;

	if (argc != 1)
		return gridctl_usage("gridctl agent del", "which agent? gridctl agent del NAME");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_NAME, argv[0]);
	if (gridctl_call("gridctl agent del", GRID_OP_AGENT_DEL, &a, &in))
		return 1;
	grid_api_in_free(&in);
	return gridctl_done();
}

int do_agent(int argc, char **argv)
{
	static const struct gridctl_cmd cmds[] = {
		{ "add", agent_add, "NAME [uid N]" },
		{ "list", agent_list, "" },
		{ "del", agent_del, "NAME" },
		{ NULL, NULL, NULL },
	};

	return gridctl_dispatch("gridctl agent", cmds, argc, argv);
}

static void show_record(const struct grid_api_map *m)
{
	char *hex;

	print_str(PRINT_ANY, "type", "%-12s", m->t[GRID_A_TYPE]);
	print_id(m, " %s");
	/* The signed bytes, for anyone's verifier (JSON only: they are long). */
	hex = malloc(2 * m->bn[GRID_A_RECORD] + 1);
	if (hex) {
		sodium_bin2hex(hex, 2 * m->bn[GRID_A_RECORD] + 1,
			       m->b[GRID_A_RECORD], m->bn[GRID_A_RECORD]);
		print_str(PRINT_JSON, "bytes", NULL, hex);
		free(hex);
	}
	print_u64(PRINT_ANY, "size", " %" PRIu64 " bytes\n", m->bn[GRID_A_RECORD]);
}

static int record_list(int argc, char **argv)
{
	const char *what = "gridctl record list";
	struct grid_api_map a;
	struct grid_api_in in;
	uint64_t off = 0;
	int i, ret = 0;
	bool first = true;

	grid_api_map_init(&a);
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "type")) {
			const char *v = gridctl_value(what, argc, argv, &i);

			if (!v)
				return 2;
			grid_api_set_t(&a, GRID_A_TYPE, v);
		} else {
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		}
	}
	/* Page by page: one document in the end, whatever the count. */
	print_start(stdout, gridctl_json, gridctl_pretty);
	print_arr_open("records");
	do {
		uint32_t k;

		grid_api_set_u(&a, GRID_A_OFFSET, off);
		if (gridctl_call(what, GRID_OP_RECORD_LIST, &a, &in)) {
			ret = 1;
			break;
		}
		for (k = 0; k < in.n_items; k++) {
			if (print_is_json())
				print_obj_open(NULL);
			show_record(&in.items[k]);
			if (print_is_json())
				print_obj_close();
		}
		off += in.n_items;
		first = in.more && in.n_items;
		grid_api_in_free(&in);
	} while (first);
	print_arr_close();
	if (print_end())
		ret = 1;
	return ret;
}

int do_record(int argc, char **argv)
{
	static const struct gridctl_cmd cmds[] = {
		{ "list", record_list, "[type TYPE]" },
		{ NULL, NULL, NULL },
	};

	return gridctl_dispatch("gridctl record", cmds, argc, argv);
}
