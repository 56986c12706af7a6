// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl peer { add | set | del | list | show | help }
 *
 * Remote grids: a public key, a name for people, and the grid-grids the
 * peer is a member of. set keeps what it is not told: the name, and the
 * grid-grids unless 'gridgrid' is given ('gridgrid none' leaves none).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dev.h"
#include "units.h"
#include "nl.h"
#include "print.h"
#include "gridctl.h"

static void show(const struct grid_obj_peer *p)
{
	uint32_t i;

	gridctl_print_key("key", "%s", p->key);
	print_str(PRINT_ANY, "name", " name %s", p->name);
	print_arr_open("gridgrids");
	for (i = 0; i < p->n_gridgrids; i++)
		print_str(PRINT_ANY, NULL, " gridgrid %s", p->gridgrids[i]);
	print_arr_close();
	print_text("\n");
}

static int explain(const char *what, int err, const struct grid_ioc_peer *p,
		   int (*op)(int, struct grid_ioc_peer *))
{
	char hex[GRID_KEY_HEX_LEN + 1];
	struct grid_obj_gridgrid gg;
	struct grid_obj_peer cur;
	struct grid_nl *nl;
	uint32_t i;
	int ret;

	grid_format_key(hex, sizeof(hex), p->key);
	if (err == -EEXIST)
		return gridctl_fail(what, "peer %s already exists", hex);
	if (err != -ENOENT)
		return gridctl_fail_errno(what, err, NULL);
	if (gridctl_nl(what, &nl))
		return 1;
	ret = 0;
	if (op != grid_dev_peer_add &&
	    grid_nl_peer_get(nl, p->key, &cur) == -ENOENT)
		ret = gridctl_fail(what, "no peer %s", hex);
	for (i = 0; !ret && i < p->n_gridgrids; i++)
		if (grid_nl_gridgrid_get(nl, p->gridgrids[i], &gg) == -ENOENT)
			ret = gridctl_fail(what, "no grid-grid '%s'",
					   p->gridgrids[i]);
	if (!ret)
		ret = gridctl_fail_errno(what, err, nl);
	grid_nl_close(nl);
	return ret;
}

static int change(const char *what, int (*op)(int, struct grid_ioc_peer *),
		  struct grid_ioc_peer *p)
{
	int fd, ret;

	if (gridctl_dev(what, &fd))
		return 1;
	ret = op(fd, p);
	close(fd);
	return ret ? explain(what, ret, p, op) : gridctl_done();
}

struct peer_args {
	struct grid_ioc_peer p;
	bool name;
	bool gridgrids;
};

/* KEYHEX [name NAME] [gridgrid GG|none]... */
static int read_args(const char *what, int argc, char **argv,
		     struct peer_args *a)
{
	char gg[GRID_NAME_LEN];
	const char *v;
	uint32_t k;
	int i;

	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return gridctl_usage(what, "missing the peer's KEYHEX");
	if (gridctl_key(what, "KEYHEX", argv[0], a->p.key))
		return 2;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "name")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v || gridctl_name(what, "name", v, a->p.name))
				return 2;
			a->name = true;
			continue;
		}
		if (strcmp(argv[i], "gridgrid"))
			return gridctl_usage(what, "unexpected '%s'", argv[i]);
		v = gridctl_value(what, argc, argv, &i);
		if (!v)
			return 2;
		a->gridgrids = true;
		if (!strcmp(v, "none")) {
			a->p.n_gridgrids = 0;
			continue;
		}
		if (gridctl_name(what, "gridgrid", v, gg))
			return 2;
		for (k = 0; k < a->p.n_gridgrids; k++)
			if (!strcmp(a->p.gridgrids[k], gg))
				return gridctl_usage(what, "grid-grid '%s' is named twice", gg);
		if (a->p.n_gridgrids == GRID_PEER_GRIDGRIDS_MAX)
			return gridctl_usage(what, "a peer is a member of at most %d grid-grids",
					     GRID_PEER_GRIDGRIDS_MAX);
		memcpy(a->p.gridgrids[a->p.n_gridgrids++], gg, sizeof(gg));
	}
	return 0;
}

static int peer_add(int argc, char **argv)
{
	const char *what = "peer add";
	struct peer_args a;
	int ret = read_args(what, argc, argv, &a);

	if (ret)
		return ret;
	if (!a.name)
		return gridctl_usage(what, "missing 'name NAME', the peer's name for people");
	return change(what, grid_dev_peer_add, &a.p);
}

static int peer_set(int argc, char **argv)
{
	const char *what = "peer set";
	struct grid_obj_peer cur;
	struct peer_args a;
	struct grid_nl *nl;
	char hex[GRID_KEY_HEX_LEN + 1];
	int ret = read_args(what, argc, argv, &a);

	if (ret)
		return ret;
	if (!a.name && !a.gridgrids)
		return gridctl_usage(what, "nothing to change: give 'name NAME' or 'gridgrid GG'");
	if (!a.name || !a.gridgrids) {
		if (gridctl_nl(what, &nl))
			return 1;
		ret = grid_nl_peer_get(nl, a.p.key, &cur);
		if (ret == -ENOENT)
			ret = gridctl_fail(what, "no peer %s",
					   grid_format_key(hex, sizeof(hex), a.p.key));
		else if (ret)
			ret = gridctl_fail_errno(what, ret, nl);
		grid_nl_close(nl);
		if (ret)
			return ret;
		if (!a.name)
			memcpy(a.p.name, cur.name, sizeof(a.p.name));
		if (!a.gridgrids) {
			a.p.n_gridgrids = cur.n_gridgrids;
			memcpy(a.p.gridgrids, cur.gridgrids, sizeof(a.p.gridgrids));
		}
	}
	return change(what, grid_dev_peer_set, &a.p);
}

static int peer_del(int argc, char **argv)
{
	const char *what = "peer del";
	struct grid_ioc_peer p;

	memset(&p, 0, sizeof(p));
	if (argc != 1)
		return gridctl_usage(what, "takes one KEYHEX");
	if (gridctl_key(what, "KEYHEX", argv[0], p.key))
		return 2;
	return change(what, grid_dev_peer_del, &p);
}

static int list_one(const struct grid_obj_peer *p, void *arg)
{
	gridctl_list_item(arg);
	print_obj_open(NULL);
	show(p);
	print_obj_close();
	return 0;
}

static int peer_list(int argc, char **argv)
{
	const char *what = "peer list";
	struct gridctl_list l = { .key = "peers" };
	struct grid_nl *nl;
	int ret;

	if (argc)
		return gridctl_usage(what, "unexpected '%s'", argv[0]);
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_peers(nl, list_one, &l);
	if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	return ret ? ret : gridctl_list_end(&l);
}

static int peer_show(int argc, char **argv)
{
	const char *what = "peer show";
	uint8_t key[GRID_KEY_LEN];
	struct grid_obj_peer p;
	struct grid_nl *nl;
	int ret;

	if (argc != 1)
		return gridctl_usage(what, "takes one KEYHEX");
	if (gridctl_key(what, "KEYHEX", argv[0], key))
		return 2;
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_peer_get(nl, key, &p);
	if (ret == -ENOENT)
		ret = gridctl_fail(what, "no peer %s", argv[0]);
	else if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	if (ret)
		return ret;
	print_start(stdout, gridctl_json, gridctl_pretty);
	show(&p);
	return print_end() ? 1 : 0;
}

static const struct gridctl_cmd cmds[] = {
	{ "add", peer_add, "KEYHEX name NAME [gridgrid GG]..." },
	{ "set", peer_set, "KEYHEX [name NAME] [gridgrid GG|none]..." },
	{ "del", peer_del, "KEYHEX" },
	{ "list", peer_list, "" },
	{ "show", peer_show, "KEYHEX" },
	{ NULL, NULL, NULL },
};

int do_peer(int argc, char **argv)
{
	return gridctl_dispatch("gridctl peer", cmds, argc, argv);
}
