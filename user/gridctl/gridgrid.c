// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl gridgrid { add | set | del | list | show | help }
 *
 * Federations this machine takes part in: a name and the charter's public
 * key; list and show add this machine's share, what live leases use of it,
 * and how many leases, peers and sandboxes refer to the grid-grid.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dev.h"
#include "nl.h"
#include "print.h"
#include "gridctl.h"

static void show(const struct grid_obj_gridgrid *gg)
{
	print_str(PRINT_ANY, "name", "%s", gg->name);
	gridctl_print_key("charter_key", " charter %s", gg->charter_key);
	print_u64(PRINT_ANY, "leases", " leases %" PRIu64, gg->leases);
	print_u64(PRINT_ANY, "peers", " peers %" PRIu64, gg->peers);
	print_u64(PRINT_ANY, "sandboxes", " sandboxes %" PRIu64, gg->sandboxes);
	print_text("\n");
	if (gg->has_share) {
		print_text("\tshare");
		gridctl_print_limits("share", &gg->share, NULL);
		print_text("\n\tused");
		gridctl_print_limits("used", &gg->used, &gg->share);
		print_text("\n");
	} else {
		/* Without a share there is nothing to use: JSON keeps the key. */
		print_null("share");
		if (print_is_json())
			gridctl_print_limits("used", &gg->used, NULL);
		print_text("\tno share\n");
	}
}

/* "2 peers, 3 leases and its share" */
static void users(char *buf, size_t len, const struct grid_obj_gridgrid *gg)
{
	const char *part[3];
	char peers[32], leases[32];
	int n = 0, i, off = 0;

	if (gg->peers) {
		snprintf(peers, sizeof(peers), "%u peer%s", gg->peers,
			 gg->peers == 1 ? "" : "s");
		part[n++] = peers;
	}
	if (gg->leases) {
		snprintf(leases, sizeof(leases), "%u lease%s", gg->leases,
			 gg->leases == 1 ? "" : "s");
		part[n++] = leases;
	}
	if (gg->has_share)
		part[n++] = "its share";
	buf[0] = '\0';
	for (i = 0; i < n && off < (int)len; i++)
		off += snprintf(buf + off, len - off, "%s%s",
				i == 0 ? "" : i == n - 1 ? " and " : ", ",
				part[i]);
}

static int explain(const char *what, int err,
		   const struct grid_ioc_gridgrid *req)
{
	struct grid_obj_gridgrid gg;
	struct grid_nl *nl;
	char who[128];
	int ret;

	switch (-err) {
	case EEXIST:
		return gridctl_fail(what, "grid-grid '%s' already exists",
				    req->name);
	case ENOENT:
		return gridctl_fail(what, "no grid-grid '%s'", req->name);
	case EBUSY:
		break;
	default:
		return gridctl_fail_errno(what, err, NULL);
	}
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_gridgrid_get(nl, req->name, &gg);
	grid_nl_close(nl);
	if (!ret) {
		users(who, sizeof(who), &gg);
		if (*who)
			return gridctl_fail(what, "grid-grid '%s' is still in use by %s",
					    req->name, who);
	}
	return gridctl_fail(what, "grid-grid '%s' is still in use by peers, leases or a share",
			    req->name);
}

static int change(const char *what,
		  int (*op)(int, struct grid_ioc_gridgrid *),
		  struct grid_ioc_gridgrid *gg)
{
	int fd, ret;

	if (gridctl_dev(what, &fd))
		return 1;
	ret = op(fd, gg);
	close(fd);
	return ret ? explain(what, ret, gg) : gridctl_done();
}

/* add and set: NAME charter HEX. */
static int name_and_charter(const char *what, int argc, char **argv,
			    struct grid_ioc_gridgrid *gg)
{
	const char *v;
	bool charter = false;
	int i;

	memset(gg, 0, sizeof(*gg));
	if (argc < 1)
		return gridctl_usage(what, "missing the grid-grid's NAME");
	if (gridctl_name(what, "NAME", argv[0], gg->name))
		return 2;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "charter"))
			return gridctl_usage(what, "unexpected '%s'", argv[i]);
		v = gridctl_value(what, argc, argv, &i);
		if (!v || gridctl_key(what, "charter", v, gg->charter_key))
			return 2;
		charter = true;
	}
	if (!charter)
		return gridctl_usage(what, "missing 'charter HEX', the charter's public key");
	return 0;
}

static int gridgrid_add(int argc, char **argv)
{
	struct grid_ioc_gridgrid gg;
	int ret = name_and_charter("kernel gridgrid add", argc, argv, &gg);

	return ret ? ret : change("kernel gridgrid add", grid_dev_gridgrid_add, &gg);
}

static int gridgrid_set(int argc, char **argv)
{
	struct grid_ioc_gridgrid gg;
	int ret = name_and_charter("kernel gridgrid set", argc, argv, &gg);

	return ret ? ret : change("kernel gridgrid set", grid_dev_gridgrid_set, &gg);
}

static int gridgrid_del(int argc, char **argv)
{
	const char *what = "kernel gridgrid del";
	struct grid_ioc_gridgrid gg;

	memset(&gg, 0, sizeof(gg));
	if (argc != 1)
		return gridctl_usage(what, "takes one NAME");
	if (gridctl_name(what, "NAME", argv[0], gg.name))
		return 2;
	return change(what, grid_dev_gridgrid_del, &gg);
}

static int list_one(const struct grid_obj_gridgrid *gg, void *arg)
{
	gridctl_list_item(arg);
	print_obj_open(NULL);
	show(gg);
	print_obj_close();
	return 0;
}

static int gridgrid_list(int argc, char **argv)
{
	const char *what = "kernel gridgrid list";
	struct gridctl_list l = { .key = "gridgrids" };
	struct grid_nl *nl;
	int ret;

	if (argc)
		return gridctl_usage(what, "unexpected '%s'", argv[0]);
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_gridgrids(nl, list_one, &l);
	if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	return ret ? ret : gridctl_list_end(&l);
}

static int gridgrid_show(int argc, char **argv)
{
	const char *what = "kernel gridgrid show";
	char name[GRID_NAME_LEN];
	struct grid_obj_gridgrid gg;
	struct grid_nl *nl;
	int ret;

	if (argc != 1)
		return gridctl_usage(what, "takes one NAME");
	if (gridctl_name(what, "NAME", argv[0], name))
		return 2;
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_gridgrid_get(nl, name, &gg);
	if (ret == -ENOENT)
		ret = gridctl_fail(what, "no grid-grid '%s'", name);
	else if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	if (ret)
		return ret;
	print_start(stdout, gridctl_json, gridctl_pretty);
	show(&gg);
	return print_end() ? 1 : 0;
}

static const struct gridctl_cmd cmds[] = {
	{ "add", gridgrid_add, "NAME charter HEX" },
	{ "set", gridgrid_set, "NAME charter HEX" },
	{ "del", gridgrid_del, "NAME" },
	{ "list", gridgrid_list, "" },
	{ "show", gridgrid_show, "NAME" },
	{ NULL, NULL, NULL },
};

int do_gridgrid(int argc, char **argv)
{
	return gridctl_dispatch("gridctl kernel gridgrid", cmds, argc, argv);
}
