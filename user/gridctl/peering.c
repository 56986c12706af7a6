// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl peer { add ADDR [key KEY] | del ADDR | list | help }
 *
 * The grids this one talks to over the network, through gridd: addresses
 * it dials and keeps a session with (beside gridd.conf's), the sessions
 * open now, and the grids it has met. The kernel's peer objects are
 * 'gridctl kernel peer'.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "print.h"
#include "gridctl.h"
#include "units.h"

static int peer_add(int argc, char **argv)
{
	const char *what = "gridctl peer add";
	uint8_t pk[GRID_KEY_LEN];
	struct grid_api_map a;
	struct grid_api_in in;

	if (argc != 1 && !(argc == 3 && !strcmp(argv[1], "key")))
		return gridctl_usage(what, "gridctl peer add [IPv6]:PORT|IPv4:PORT [key KEY]");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_ADDR, argv[0]);
	if (argc == 3) {
		if (grid_parse_key(argv[2], pk))
			return gridctl_usage(what, "'%s' is not a key (64 hex digits)", argv[2]);
		grid_api_set_b(&a, GRID_A_KEY, pk, sizeof(pk));
	}
	if (gridctl_call(what, GRID_OP_PEER_ADD, &a, &in))
		return 1;
	grid_api_in_free(&in);
	return gridctl_done();
}

static int peer_del(int argc, char **argv)
{
	const char *what = "gridctl peer del";
	struct grid_api_map a;
	struct grid_api_in in;

	if (argc != 1)
		return gridctl_usage(what, "gridctl peer del ADDR");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_ADDR, argv[0]);
	if (gridctl_call(what, GRID_OP_PEER_DEL, &a, &in))
		return 1;
	grid_api_in_free(&in);
	return gridctl_done();
}

static void show_one(const struct grid_api_map *m)
{
	const char *type = m->t[GRID_A_TYPE];

	print_str(PRINT_ANY, "type", "%s", type);
	if (!strcmp(type, "totals")) {
		/* Since gridd started: sessions, messages, bytes, records. */
		print_u64(PRINT_ANY, "sessions", " sessions %" PRIu64, m->u[GRID_A_COUNT]);
		print_u64(PRINT_ANY, "sent", " messages sent %" PRIu64, m->u[GRID_A_SENT]);
		print_u64(PRINT_ANY, "received", " received %" PRIu64, m->u[GRID_A_RECEIVED]);
		print_u64(PRINT_ANY, "bytes_sent", " bytes sent %" PRIu64,
			  m->u[GRID_A_BYTES_SENT]);
		print_u64(PRINT_ANY, "bytes_received", " received %" PRIu64,
			  m->u[GRID_A_BYTES_RECEIVED]);
		print_u64(PRINT_ANY, "records_sent", " records sent %" PRIu64,
			  m->u[GRID_A_SERIAL]);
		print_text("\n");
		return;
	}
	if (grid_api_has(m, GRID_A_NAME))
		print_str(PRINT_ANY, "name", " %s", m->t[GRID_A_NAME]);
	if (grid_api_has(m, GRID_A_ADDR))
		print_str(PRINT_ANY, "addr", " %s", m->t[GRID_A_ADDR]);
	if (grid_api_has(m, GRID_A_STATE))
		print_str(PRINT_ANY, "state", " %s", m->t[GRID_A_STATE]);
	if (grid_api_has(m, GRID_A_ROLE))
		print_str(PRINT_ANY, "role", " (%s)", m->t[GRID_A_ROLE]);
	if (grid_api_has(m, GRID_A_SECONDS))
		print_u64(PRINT_ANY, "retry_in", " retry in %" PRIu64 " s",
			  m->u[GRID_A_SECONDS]);
	if (grid_api_has(m, GRID_A_SINCE))
		gridctl_print_time("since", " since %s",
				   (int64_t)m->u[GRID_A_SINCE] * GRID_NSEC_PER_SEC);
	if (grid_api_has(m, GRID_A_ISSUED))
		gridctl_print_time("last_seen", " last seen %s",
				   (int64_t)m->u[GRID_A_ISSUED] * GRID_NSEC_PER_SEC);
	if (grid_api_has(m, GRID_A_SENT))
		print_u64(PRINT_ANY, "sent", " sent %" PRIu64, m->u[GRID_A_SENT]);
	if (grid_api_has(m, GRID_A_RECEIVED))
		print_u64(PRINT_ANY, "received", " received %" PRIu64,
			  m->u[GRID_A_RECEIVED]);
	if (grid_api_has(m, GRID_A_COUNT))
		print_u64(PRINT_ANY, "records_sent", " records sent %" PRIu64,
			  m->u[GRID_A_COUNT]);
	if (grid_api_has(m, GRID_A_KEY))
		gridctl_print_hexkey("key", NULL, m->b[GRID_A_KEY]);
	print_text("\n");
}

static int peer_list(int argc, char **argv)
{
	struct grid_api_in in;

	(void)argv;
	if (argc)
		return gridctl_usage("gridctl peer list", "takes no arguments");
	if (gridctl_call("gridctl peer list", GRID_OP_PEER_LIST, NULL, &in))
		return 1;
	gridctl_print_items(&in, "peers", show_one);
	return gridctl_items_end(&in);
}

int do_peering(int argc, char **argv)
{
	static const struct gridctl_cmd cmds[] = {
		{ "add", peer_add, "[IPv6]:PORT|IPv4:PORT [key KEY]" },
		{ "del", peer_del, "ADDR" },
		{ "list", peer_list, "" },
		{ NULL, NULL, NULL },
	};

	return gridctl_dispatch("gridctl peer", cmds, argc, argv);
}
