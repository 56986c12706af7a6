// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl gridgrid { create | invite | join | leave | list | revoke |
 *                    proof | admit | help }
 * gridctl grid { certify KEY as NAME | list | help }
 *
 * Grid-grids as their members see them, through gridd: charters,
 * invitations and memberships are signed records, and what one grid hands
 * another is a token, one line of text (or a QR code to scan).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qrencode.h>

#include "print.h"
#include "gridctl.h"
#include "token.h"
#include "units.h"

/* A token as a QR code on the terminal: two rows a line, quiet zone 2. */
static int print_qr(const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	int x, y, w;

	if (!qr)
		return -errno;
	w = qr->width;
	for (y = -2; y < w + 2; y += 2) {
		for (x = -2; x < w + 2; x++) {
			bool top = y >= 0 && y < w && x >= 0 && x < w &&
				   (qr->data[y * w + x] & 1);
			bool bot = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w &&
				   (qr->data[(y + 1) * w + x] & 1);

			/* Dark modules as the terminal's background. */
			fputs(top ? (bot ? " " : "\u2584") :
			      (bot ? "\u2580" : "\u2588"), stdout);
		}
		putchar('\n');
	}
	QRcode_free(qr);
	return 0;
}

static bool want_qr;

static void show_token(const struct grid_api_map *m)
{
	if (grid_api_has(m, GRID_A_GRIDGRID))
		print_str(PRINT_JSON, "gridgrid", NULL, m->t[GRID_A_GRIDGRID]);
	if (grid_api_has(m, GRID_A_ID))
		gridctl_print_hexkey("id", NULL, m->b[GRID_A_ID]);
	print_str(PRINT_ANY, "token", "%s\n", m->t[GRID_A_TOKEN]);
	if (want_qr && !print_is_json() && print_qr(m->t[GRID_A_TOKEN]))
		fprintf(stderr, "gridctl: the token does not fit in a QR code\n");
}

/* A token from the command line, or "-" for one line of stdin. */
static const char *token_arg(const char *arg, char **buf)
{
	size_t cap = 0;
	ssize_t n;

	*buf = NULL;
	if (strcmp(arg, "-"))
		return arg;
	n = getline(buf, &cap, stdin);
	if (n <= 0)
		return NULL;
	return *buf;
}

/*
 * An invitation to whoever holds it carries its seed: anyone who reads the
 * token first can join in its place. Read here only to say so; gridd
 * checks it for itself.
 */
static bool is_one_time(const char *tok)
{
	struct grid_bundle *b;
	bool once;

	/* The reader takes its buffer from libsodium's guarded heap. */
	if (grid_crypto_init())
		return false;
	b = calloc(1, sizeof(*b));
	if (!b)
		return false;
	once = !grid_token_read(b, tok, NULL) && b->has_seed;
	grid_bundle_wipe(b);
	free(b);
	return once;
}

static int gg_create(int argc, char **argv)
{
	const char *what = "gridctl gridgrid create";
	struct grid_api_map a;
	struct grid_api_in in;
	uint64_t secs;
	int i;

	if (argc < 1)
		return gridctl_usage(what, "name it: gridctl gridgrid create NAME");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_GRIDGRID, argv[0]);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "members-invite")) {
			grid_api_set_u(&a, GRID_A_POLICY, GRID_POLICY_MEMBERS_INVITE);
		} else if (!strcmp(argv[i], "invite-max")) {
			const char *v = gridctl_value(what, argc, argv, &i);

			if (!v || gridctl_seconds(what, "invite-max", v, &secs))
				return 2;
			grid_api_set_u(&a, GRID_A_SECONDS, secs);
		} else {
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		}
	}
	if (gridctl_call(what, GRID_OP_GG_CREATE, &a, &in))
		return 1;
	print_start(stdout, gridctl_json, gridctl_pretty);
	print_str(PRINT_ANY, "gridgrid", "%s", in.items[0].t[GRID_A_GRIDGRID]);
	gridctl_print_hexkey("key", " charter key %s\n", in.items[0].b[GRID_A_KEY]);
	gridctl_print_hexkey("id", NULL, in.items[0].b[GRID_A_ID]);
	return gridctl_items_end(&in);
}

static int gg_invite(int argc, char **argv)
{
	const char *what = "gridctl gridgrid invite";
	struct grid_api_map a;
	struct grid_api_in in;
	uint8_t key[GRID_KEY_LEN];
	uint64_t secs;
	int i;

	if (argc < 2)
		return gridctl_usage(what, "gridctl gridgrid invite NAME { for KEY | once } [expires DURATION] [admin] [qr]");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_GRIDGRID, argv[0]);
	for (i = 1; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "for")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v || gridctl_key(what, "for", v, key))
				return 2;
			grid_api_set_b(&a, GRID_A_KEY, key, GRID_KEY_LEN);
		} else if (!strcmp(argv[i], "once")) {
			grid_api_set_u(&a, GRID_A_ONE_TIME, 1);
		} else if (!strcmp(argv[i], "expires")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v || gridctl_seconds(what, "expires", v, &secs))
				return 2;
			grid_api_set_u(&a, GRID_A_SECONDS, secs);
		} else if (!strcmp(argv[i], "admin")) {
			grid_api_set_u(&a, GRID_A_ADMIN, 1);
		} else if (!strcmp(argv[i], "qr")) {
			want_qr = true;
		} else {
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		}
	}
	if (gridctl_call(what, GRID_OP_GG_INVITE, &a, &in))
		return 1;
	gridctl_print_items(&in, NULL, show_token);
	return gridctl_items_end(&in);
}

static void show_joined(const struct grid_api_map *m)
{
	print_str(PRINT_ANY, "gridgrid", "joined %s", m->t[GRID_A_GRIDGRID]);
	print_bool(PRINT_ANY, "admin", m->u[GRID_A_ADMIN] ? " as an admin" : "",
		   m->u[GRID_A_ADMIN]);
	gridctl_print_hexkey("key", "\n\tcharter key %s\n", m->b[GRID_A_KEY]);
	gridctl_print_hexkey("id", NULL, m->b[GRID_A_ID]);
}

static int gg_join(int argc, char **argv)
{
	const char *what = "gridctl gridgrid join";
	struct grid_api_map a;
	struct grid_api_in in;
	const char *tok;
	char *buf;
	int ret;

	if (argc != 1)
		return gridctl_usage(what, "gridctl gridgrid join { TOKEN | - }: - reads the token from stdin");
	tok = token_arg(argv[0], &buf);
	if (!tok)
		return gridctl_usage(what, "no token on stdin");
	if (!buf && is_one_time(tok))
		fprintf(stderr, "gridctl: note: a one-time token on the command line is visible to other local users (ps, /proc); '-' reads it from stdin\n");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_TOKEN, tok);
	ret = gridctl_call(what, GRID_OP_GG_JOIN, &a, &in);
	free(buf);
	if (ret)
		return 1;
	gridctl_print_items(&in, NULL, show_joined);
	return gridctl_items_end(&in);
}

static int one_name(const char *what, uint32_t op, int argc, char **argv)
{
	struct grid_api_map a;
	struct grid_api_in in;

	if (argc != 1)
		return gridctl_usage(what, "which grid-grid?");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_GRIDGRID, argv[0]);
	if (gridctl_call(what, op, &a, &in))
		return 1;
	grid_api_in_free(&in);
	return gridctl_done();
}

static int gg_leave(int argc, char **argv)
{
	return one_name("gridctl gridgrid leave", GRID_OP_GG_LEAVE, argc, argv);
}

static void show_gg(const struct grid_api_map *m)
{
	print_str(PRINT_ANY, "name", "%s", m->t[GRID_A_GRIDGRID]);
	print_str(PRINT_ANY, "state", " %s", m->t[GRID_A_STATE]);
	print_bool(PRINT_ANY, "founder", m->u[GRID_A_FOUNDER] ? " founder" : "",
		   m->u[GRID_A_FOUNDER]);
	print_bool(PRINT_ANY, "admin", m->u[GRID_A_ADMIN] ? " admin" : "",
		   m->u[GRID_A_ADMIN]);
	print_u64(PRINT_ANY, "members", " members %" PRIu64, m->u[GRID_A_COUNT]);
	print_u64(PRINT_JSON, "joined", NULL, m->u[GRID_A_ISSUED]);
	gridctl_print_hexkey("key", "\n\tcharter key %s\n", m->b[GRID_A_KEY]);
}

static int gg_list(int argc, char **argv)
{
	struct grid_api_in in;

	(void)argv;
	if (argc)
		return gridctl_usage("gridctl gridgrid list", "takes no arguments");
	if (gridctl_call("gridctl gridgrid list", GRID_OP_GG_LIST, NULL, &in))
		return 1;
	gridctl_print_items(&in, "gridgrids", show_gg);
	return gridctl_items_end(&in);
}

static int gg_revoke(int argc, char **argv)
{
	const char *what = "gridctl gridgrid revoke";
	struct grid_api_map a;
	struct grid_api_in in;
	uint8_t key[GRID_KEY_LEN];
	int i;

	if (argc < 3 || strcmp(argv[1], "member"))
		return gridctl_usage(what, "gridctl gridgrid revoke NAME member KEY [reason TEXT]");
	if (gridctl_key(what, "member", argv[2], key))
		return 2;
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_GRIDGRID, argv[0]);
	grid_api_set_b(&a, GRID_A_KEY, key, GRID_KEY_LEN);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "reason")) {
			const char *v = gridctl_value(what, argc, argv, &i);

			if (!v)
				return 2;
			grid_api_set_t(&a, GRID_A_REASON, v);
		} else {
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		}
	}
	if (gridctl_call(what, GRID_OP_GG_REVOKE, &a, &in))
		return 1;
	grid_api_in_free(&in);
	return gridctl_done();
}

static int gg_proof(int argc, char **argv)
{
	const char *what = "gridctl gridgrid proof";
	struct grid_api_map a;
	struct grid_api_in in;
	int i;

	if (argc < 1)
		return gridctl_usage(what, "gridctl gridgrid proof NAME [agent NAME] [qr]");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_GRIDGRID, argv[0]);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "agent")) {
			const char *v = gridctl_value(what, argc, argv, &i);

			if (!v)
				return 2;
			grid_api_set_t(&a, GRID_A_NAME, v);
		} else if (!strcmp(argv[i], "qr")) {
			want_qr = true;
		} else {
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		}
	}
	if (gridctl_call(what, GRID_OP_GG_PROOF, &a, &in))
		return 1;
	gridctl_print_items(&in, "tokens", show_token);
	return gridctl_items_end(&in);
}

static void show_admitted(const struct grid_api_map *m)
{
	print_str(PRINT_ANY, "type", "admitted %s", m->t[GRID_A_TYPE]);
	print_str(PRINT_ANY, "name", " %s", m->t[GRID_A_NAME]);
	gridctl_print_hexkey("key", " key %s\n", m->b[GRID_A_KEY]);
}

static int gg_admit(int argc, char **argv)
{
	const char *what = "gridctl gridgrid admit";
	int i, ret = 0;

	if (argc < 1)
		return gridctl_usage(what, "gridctl gridgrid admit TOKEN...");
	print_start(stdout, gridctl_json, gridctl_pretty);
	print_arr_open("admitted");
	for (i = 0; i < argc && !ret; i++) {
		struct grid_api_map a;
		struct grid_api_in in;
		const char *tok;
		char *buf;
		uint32_t k;

		tok = token_arg(argv[i], &buf);
		if (!tok) {
			ret = gridctl_usage(what, "no token on stdin");
			break;
		}
		grid_api_map_init(&a);
		grid_api_set_t(&a, GRID_A_TOKEN, tok);
		ret = gridctl_call(what, GRID_OP_GG_ADMIT, &a, &in);
		free(buf);
		if (ret)
			break;
		for (k = 0; k < in.n_items; k++) {
			if (print_is_json())
				print_obj_open(NULL);
			show_admitted(&in.items[k]);
			if (print_is_json())
				print_obj_close();
		}
		grid_api_in_free(&in);
	}
	print_arr_close();
	if (print_end())
		ret = 1;
	return ret;
}

int do_gridgrid_owner(int argc, char **argv)
{
	static const struct gridctl_cmd cmds[] = {
		{ "create", gg_create, "NAME [members-invite] [invite-max DURATION]" },
		{ "invite", gg_invite, "NAME { for KEY | once } [expires DURATION] [admin] [qr]" },
		{ "join", gg_join, "{ TOKEN | - }  (- reads it from stdin, out of other users' sight)" },
		{ "leave", gg_leave, "NAME" },
		{ "list", gg_list, "" },
		{ "revoke", gg_revoke, "NAME member KEY [reason TEXT]" },
		{ "proof", gg_proof, "NAME [agent NAME] [qr]" },
		{ "admit", gg_admit, "TOKEN..." },
		{ NULL, NULL, NULL },
	};

	return gridctl_dispatch("gridctl gridgrid", cmds, argc, argv);
}

static void show_member_grid(const struct grid_api_map *m)
{
	print_str(PRINT_ANY, "name", "%s", m->t[GRID_A_NAME]);
	if (grid_api_has(m, GRID_A_KEY))
		gridctl_print_hexkey("key", " key %s", m->b[GRID_A_KEY]);
	gridctl_print_hexkey("id", " cert %s\n", m->b[GRID_A_ID]);
	if (grid_api_has(m, GRID_A_TOKEN))
		print_str(PRINT_ANY, "token", "%s\n", m->t[GRID_A_TOKEN]);
}

static int grid_certify(int argc, char **argv)
{
	const char *what = "gridctl grid certify";
	struct grid_api_map a;
	struct grid_api_in in;
	uint8_t key[GRID_KEY_LEN];

	if (argc != 3 || strcmp(argv[1], "as"))
		return gridctl_usage(what, "gridctl grid certify KEY as NAME");
	if (gridctl_key(what, "certify", argv[0], key))
		return 2;
	grid_api_map_init(&a);
	grid_api_set_b(&a, GRID_A_KEY, key, GRID_KEY_LEN);
	grid_api_set_t(&a, GRID_A_NAME, argv[2]);
	if (gridctl_call(what, GRID_OP_GRID_CERTIFY, &a, &in))
		return 1;
	gridctl_print_items(&in, NULL, show_member_grid);
	return gridctl_items_end(&in);
}

static int grid_list(int argc, char **argv)
{
	struct grid_api_in in;

	(void)argv;
	if (argc)
		return gridctl_usage("gridctl grid list", "takes no arguments");
	if (gridctl_call("gridctl grid list", GRID_OP_GRID_LIST, NULL, &in))
		return 1;
	gridctl_print_items(&in, "grids", show_member_grid);
	return gridctl_items_end(&in);
}

int do_grid_owner(int argc, char **argv)
{
	static const struct gridctl_cmd cmds[] = {
		{ "certify", grid_certify, "KEY as NAME" },
		{ "list", grid_list, "" },
		{ NULL, NULL, NULL },
	};

	return gridctl_dispatch("gridctl grid", cmds, argc, argv);
}
