// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl grid { add | set | del | list | show | help }
 *
 * Local security domains: a name, an Ed25519 public key and an optional
 * parent grid that certified it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dev.h"
#include "units.h"
#include "nl.h"
#include "print.h"
#include "gridctl.h"

static void show(const struct grid_obj_grid *g)
{
	print_str(PRINT_ANY, "name", "%s", g->name);
	gridctl_print_key("key", " key %s", g->key);
	if (g->parent[0])
		print_str(PRINT_ANY, "parent", " parent %s", g->parent);
	else
		print_null("parent");
	print_text("\n");
}

struct users {
	const char *name;
	uint8_t key[GRID_KEY_LEN];
	unsigned int members;
	char member[GRID_NAME_LEN];
	unsigned int leases;
};

static int count_member(const struct grid_obj_grid *g, void *arg)
{
	struct users *u = arg;

	if (strcmp(g->parent, u->name))
		return 0;
	if (!u->members++)
		memcpy(u->member, g->name, sizeof(u->member));
	return 0;
}

static int count_issued(const struct grid_obj_lease *l, void *arg)
{
	struct users *u = arg;

	if ((l->state == GRID_LEASE_PENDING || l->state == GRID_LEASE_ACTIVE) &&
	    !memcmp(l->issuer, u->key, GRID_KEY_LEN))
		u->leases++;
	return 0;
}

/* -EBUSY: name the member grids and live leases that hold the grid. */
static int busy(const char *what, struct grid_nl *nl, const char *name)
{
	struct users u = { .name = name };
	struct grid_obj_grid g;
	char members[96] = "", leases[64] = "";

	if (!grid_nl_grid_get(nl, name, &g)) {
		memcpy(u.key, g.key, sizeof(u.key));
		if (grid_nl_grids(nl, count_member, &u) ||
		    grid_nl_leases(nl, NULL, count_issued, &u))
			u.members = u.leases = 0;
	}
	if (!u.members && !u.leases)
		return gridctl_fail(what, "grid '%s' is still in use by its member grids or by live leases it issued",
				    name);
	if (u.members == 1)
		snprintf(members, sizeof(members), "its member grid '%s'",
			 u.member);
	else if (u.members)
		snprintf(members, sizeof(members), "%u member grids, '%s' among them",
			 u.members, u.member);
	if (u.leases)
		snprintf(leases, sizeof(leases), "%u live lease%s it issued",
			 u.leases, u.leases == 1 ? "" : "s");
	return gridctl_fail(what, "grid '%s' is still in use by %s%s%s", name,
			    members, *members && *leases ? " and " : "",
			    leases);
}

struct key_owner {
	const uint8_t *key;
	char name[GRID_NAME_LEN];
};

static int find_key(const struct grid_obj_grid *g, void *arg)
{
	struct key_owner *o = arg;

	if (memcmp(g->key, o->key, GRID_KEY_LEN))
		return 0;
	memcpy(o->name, g->name, sizeof(o->name));
	return 1;
}

/* -EEXIST: the name is taken (ADD), or the key is another grid's. */
static int taken(const char *what, struct grid_nl *nl,
		 const struct grid_ioc_grid *g, bool add)
{
	struct key_owner o = { .key = g->key };
	char hex[GRID_KEY_HEX_LEN + 1];
	struct grid_obj_grid found;

	if (add && !grid_nl_grid_get(nl, g->name, &found))
		return gridctl_fail(what, "grid '%s' already exists", g->name);
	grid_format_key(hex, sizeof(hex), g->key);
	if (grid_nl_grids(nl, find_key, &o) == 1)
		return gridctl_fail(what, "key %s is already the key of grid '%s'",
				    hex, o.name);
	if (add)
		return gridctl_fail(what, "grid '%s', or a grid with its key, already exists",
				    g->name);
	return gridctl_fail(what, "key %s is already another grid's", hex);
}

/* -EBUSY from SET: live leases were issued under the old key. */
static int key_busy(const char *what, struct grid_nl *nl, const char *name)
{
	struct users u = { .name = name };
	struct grid_obj_grid g;

	if (!grid_nl_grid_get(nl, name, &g)) {
		memcpy(u.key, g.key, sizeof(u.key));
		if (grid_nl_leases(nl, NULL, count_issued, &u))
			u.leases = 0;
	}
	if (!u.leases)
		return gridctl_fail(what, "the key of grid '%s' cannot change while live leases issued under it remain",
				    name);
	return gridctl_fail(what, "the key of grid '%s' cannot change while %u live lease%s issued under it remain%s",
			    name, u.leases, u.leases == 1 ? "" : "s",
			    u.leases == 1 ? "s" : "");
}

/* Why the kernel said no, with what netlink can tell about it. */
static int explain(const char *what, int err, const struct grid_ioc_grid *g,
		   int (*op)(int, struct grid_ioc_grid *))
{
	struct grid_obj_grid found;
	struct grid_nl *nl = NULL;
	int ret = 1;

	switch (-err) {
	case ELOOP:
		return gridctl_fail(what, "'%s' cannot be the parent of '%s': it is '%s' itself or one of its members",
				    g->parent, g->name, g->name);
	case EEXIST:
	case ENOENT:
	case EBUSY:
		break;
	default:
		return gridctl_fail_errno(what, err, NULL);
	}
	if (gridctl_nl(what, &nl))
		return 1;
	if (err == -EEXIST) {
		ret = taken(what, nl, g, op == grid_dev_grid_add);
	} else if (err == -ENOENT) {
		/* ADD names no grid that exists but the parent. */
		if (op != grid_dev_grid_add &&
		    grid_nl_grid_get(nl, g->name, &found) == -ENOENT)
			ret = gridctl_fail(what, "no grid '%s'", g->name);
		else if (g->parent[0])
			ret = gridctl_fail(what, "no grid '%s' to be the parent",
					   g->parent);
		else
			ret = gridctl_fail_errno(what, err, NULL);
	} else if (op == grid_dev_grid_set) {
		ret = key_busy(what, nl, g->name);
	} else {
		ret = busy(what, nl, g->name);
	}
	grid_nl_close(nl);
	return ret;
}

static int change(const char *what, int (*op)(int, struct grid_ioc_grid *),
		  struct grid_ioc_grid *g)
{
	int fd, ret;

	if (gridctl_dev(what, &fd))
		return 1;
	ret = op(fd, g);
	close(fd);
	return ret ? explain(what, ret, g, op) : gridctl_done();
}

static int grid_add(int argc, char **argv)
{
	const char *what = "kernel grid add", *v;
	struct grid_ioc_grid g;
	bool have_key = false;
	int i;

	memset(&g, 0, sizeof(g));
	if (argc < 1)
		return gridctl_usage(what, "missing the grid's NAME; try 'gridctl kernel grid add help'");
	if (gridctl_name(what, "NAME", argv[0], g.name))
		return 2;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "key")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v || gridctl_key(what, "key", v, g.key))
				return 2;
			have_key = true;
		} else if (!strcmp(argv[i], "parent")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v || gridctl_name(what, "parent", v, g.parent))
				return 2;
		} else {
			return gridctl_usage(what, "unexpected '%s'", argv[i]);
		}
	}
	if (!have_key)
		return gridctl_usage(what, "missing 'key HEX', the grid's public key");
	return change(what, grid_dev_grid_add, &g);
}

/* SET replaces key and parent; what is not given is kept as it is. */
static int grid_set(int argc, char **argv)
{
	const char *what = "kernel grid set", *v;
	struct grid_obj_grid cur;
	struct grid_ioc_grid g;
	struct grid_nl *nl;
	bool key = false, parent = false;
	int i, ret;

	memset(&g, 0, sizeof(g));
	if (argc < 1)
		return gridctl_usage(what, "missing the grid's NAME; try 'gridctl kernel grid set help'");
	if (gridctl_name(what, "NAME", argv[0], g.name))
		return 2;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "key")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v || gridctl_key(what, "key", v, g.key))
				return 2;
			key = true;
		} else if (!strcmp(argv[i], "parent")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v)
				return 2;
			if (!strcmp(v, "none"))
				memset(g.parent, 0, sizeof(g.parent));
			else if (gridctl_name(what, "parent", v, g.parent))
				return 2;
			parent = true;
		} else {
			return gridctl_usage(what, "unexpected '%s'", argv[i]);
		}
	}
	if (!key && !parent)
		return gridctl_usage(what, "nothing to change: give 'key HEX' or 'parent NAME|none'");
	if (!key || !parent) {
		if (gridctl_nl(what, &nl))
			return 1;
		ret = grid_nl_grid_get(nl, g.name, &cur);
		if (ret == -ENOENT)
			ret = gridctl_fail(what, "no grid '%s'", g.name);
		else if (ret)
			ret = gridctl_fail_errno(what, ret, nl);
		grid_nl_close(nl);
		if (ret)
			return ret;
		if (!key)
			memcpy(g.key, cur.key, sizeof(g.key));
		if (!parent)
			memcpy(g.parent, cur.parent, sizeof(g.parent));
	}
	return change(what, grid_dev_grid_set, &g);
}

static int grid_del(int argc, char **argv)
{
	const char *what = "kernel grid del";
	struct grid_ioc_grid g;

	memset(&g, 0, sizeof(g));
	if (argc != 1)
		return gridctl_usage(what, "takes one NAME");
	if (gridctl_name(what, "NAME", argv[0], g.name))
		return 2;
	return change(what, grid_dev_grid_del, &g);
}

static int list_one(const struct grid_obj_grid *g, void *arg)
{
	gridctl_list_item(arg);
	print_obj_open(NULL);
	show(g);
	print_obj_close();
	return 0;
}

static int grid_list(int argc, char **argv)
{
	const char *what = "kernel grid list";
	struct gridctl_list l = { .key = "grids" };
	struct grid_nl *nl;
	int ret;

	if (argc)
		return gridctl_usage(what, "unexpected '%s'", argv[0]);
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_grids(nl, list_one, &l);
	if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	return ret ? ret : gridctl_list_end(&l);
}

static int grid_show(int argc, char **argv)
{
	const char *what = "kernel grid show";
	char name[GRID_NAME_LEN];
	struct grid_obj_grid g;
	struct grid_nl *nl;
	int ret;

	if (argc != 1)
		return gridctl_usage(what, "takes one NAME");
	if (gridctl_name(what, "NAME", argv[0], name))
		return 2;
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_grid_get(nl, name, &g);
	if (ret == -ENOENT)
		ret = gridctl_fail(what, "no grid '%s'", name);
	else if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	if (ret)
		return ret;
	print_start(stdout, gridctl_json, gridctl_pretty);
	show(&g);
	return print_end() ? 1 : 0;
}

static const struct gridctl_cmd cmds[] = {
	{ "add", grid_add, "NAME key HEX [parent NAME]" },
	{ "set", grid_set, "NAME [key HEX] [parent NAME|none]" },
	{ "del", grid_del, "NAME" },
	{ "list", grid_list, "" },
	{ "show", grid_show, "NAME" },
	{ NULL, NULL, NULL },
};

int do_grid(int argc, char **argv)
{
	return gridctl_dispatch("gridctl kernel grid", cmds, argc, argv);
}
