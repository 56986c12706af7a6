// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl share { add | set | del | list | show | help }
 *
 * This machine's share for a grid-grid: the most that the grid-grid's live
 * leases may hold together. A share is changed by read-modify-write: the
 * current one is read by netlink and only the LIMITS given are changed.
 *
 * A share also names the grid-grid's cgroup, below which alone its
 * leases' sandboxes may be bound: GRID_BPF_CGROUP_DIR/<grid-grid> unless
 * 'cgroup DIR' (or 'none') says otherwise. gridctl makes it, and enables
 * cpu, memory and pids down to it and in it, so that the kernel can write
 * each lease's limits into the lease cgroup below.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf_loader.h"
#include "cgroup.h"
#include "dev.h"
#include "names.h"
#include "units.h"
#include "nl.h"
#include "print.h"
#include "quota.h"
#include "gridctl.h"

int gridctl_share_refusal(const char *what, struct grid_nl *nl,
			  const char *gridgrid, const struct grid_limits *req,
			  const struct grid_obj_limits *old, uint32_t exhausted)
{
	struct grid_nl *mine = NULL;
	struct grid_obj_gridgrid gg;
	struct grid_obj_limits want;
	char why[192];
	uint32_t attr;
	int ret;

	if (!nl && grid_nl_open(&mine) == 0)
		nl = mine;
	ret = nl ? grid_nl_gridgrid_get(nl, gridgrid, &gg) : -ENOENT;
	grid_nl_close(mine);
	if (ret)
		return gridctl_fail(what, "would exceed the share of '%s'",
				    gridgrid);
	if (!gg.has_share)
		return gridctl_fail(what, "grid-grid '%s' has no share on this machine; add one with 'gridctl kernel share add %s LIMITS'",
				    gridgrid, gridgrid);
	gridctl_limits_from(&want, req);
	/* The kernel said which; working it out again could race. */
	attr = exhausted ? exhausted :
		grid_quota_first_over(&gg.share, &gg.used, &want, old);
	if (attr && grid_limits_get(&gg.share, attr) == GRID_LIMIT_MAX)
		return gridctl_fail(what, "the leases of '%s' would hold more %s than 64 bits can count",
				    gridgrid, grid_limit_name(attr) ?: "of a resource");
	/* It fits now: the leases changed between the refusal and our look. */
	if (!attr)
		return gridctl_fail(what, "would exceed the share of '%s'",
				    gridgrid);
	grid_quota_describe(why, sizeof(why), attr,
			    grid_limits_get(&gg.share, attr),
			    grid_quota_used(&gg.used, old, attr),
			    grid_limits_get(&want, attr));
	return gridctl_fail(what, "would exceed the share of '%s' (%s)",
			    gridgrid, why);
}

static int count_live(const struct grid_obj_lease *l, void *arg)
{
	unsigned int *n = arg;

	if (l->state == GRID_LEASE_PENDING || l->state == GRID_LEASE_ACTIVE)
		++*n;
	return 0;
}

/*
 * Whether @dir could be a grid-grid's cgroup as the kernel sees it (1 to
 * GRID_GRIDGRID_LEVEL_MAX levels deep): if so, an -EINVAL was about the
 * limits instead.
 */
static bool cgroup_fits(const char *dir)
{
	char path[PATH_MAX];
	int level, fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (grid_cgroup_fd_path(fd, path, sizeof(path)) ||
	    grid_cgroup_level(path, &level)) {
		close(fd);
		return false;
	}
	close(fd);
	return level >= 1 && level <= GRID_GRIDGRID_LEVEL_MAX;
}

static int explain(const char *what, int err, const struct grid_ioc_share *s,
		   int (*op)(int, struct grid_ioc_share *), const char *cgroup)
{
	struct grid_obj_gridgrid gg;
	struct grid_obj_limits want;
	struct grid_nl *nl;
	unsigned int live = 0;
	char why[192];
	uint32_t attr;
	int ret;

	if (err == -EEXIST)
		return gridctl_fail(what, "grid-grid '%s' already has a share; change it with 'gridctl kernel share set'",
				    s->gridgrid);
	if (err == -EBUSY && (s->flags & GRID_SHARE_CGROUP))
		return gridctl_fail(what, "cgroup '%s' cannot be the cgroup of '%s': it is, holds or is inside another grid-grid's, or sandboxes of '%s' are bound below its cgroup now",
				    cgroup, s->gridgrid, s->gridgrid);
	if (err == -EBUSY && op == grid_dev_share_del)
		return gridctl_fail(what, "sandboxes of ended leases of '%s' are still bound below its cgroup; unbind them first (gridctl sandbox list gridgrid %s)",
				    s->gridgrid, s->gridgrid);
	if (err == -EBUSY)
		return gridctl_fail(what, "the budget period of '%s' cannot change while it has live leases; they were granted for the old one",
				    s->gridgrid);
	if ((err == -EINVAL || err == -EBADF || err == -ENOTDIR) &&
	    (s->flags & GRID_SHARE_CGROUP) && !cgroup_fits(cgroup))
		return gridctl_fail(what, "'%s' cannot be a grid-grid's cgroup: it must be a cgroup v2 directory below the root and at most %d levels deep",
				    cgroup, GRID_GRIDGRID_LEVEL_MAX);
	if (err != -ENOENT && err != -EDQUOT)
		return gridctl_fail_errno(what, err, NULL);
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_gridgrid_get(nl, s->gridgrid, &gg);
	if (ret == -ENOENT) {
		ret = gridctl_fail(what, "no grid-grid '%s'", s->gridgrid);
	} else if (err == -ENOENT) {
		ret = gridctl_fail(what, "grid-grid '%s' has no share", s->gridgrid);
	} else if (op == grid_dev_share_del) {
		grid_nl_leases(nl, s->gridgrid, count_live, &live);
		if (live)
			ret = gridctl_fail(what, "the share of '%s' still holds %u live lease%s; revoke or delete them first",
					   s->gridgrid, live, live == 1 ? "" : "s");
		else
			ret = gridctl_fail(what, "the share of '%s' still holds live leases; revoke or delete them first",
					   s->gridgrid);
	} else {
		gridctl_limits_from(&want, &s->limits);
		attr = s->exhausted ? s->exhausted : ret ? 0 :
			grid_quota_first_over(&want, &gg.used, NULL, NULL);
		if (attr)
			ret = gridctl_fail(what, "the live leases of '%s' hold more than that (%s)",
					   s->gridgrid,
					   grid_quota_describe_shrink(why, sizeof(why), attr,
								      grid_limits_get(&want, attr),
								      grid_limits_get(&gg.used, attr)));
		else
			ret = gridctl_fail(what, "the live leases of '%s' hold more than that",
					   s->gridgrid);
	}
	grid_nl_close(nl);
	return ret;
}

/*
 * The grid-grid's cgroup @dir, made if missing and made able to carry
 * its leases' limits, open in *@fd. Returns 1 after saying why not.
 */
static int open_cgroup(const char *what, const char *dir, int *fd,
		       bool *created)
{
	char failed[PATH_MAX];
	int ret;

	ret = grid_cgroup_mkdir(dir, created);
	if (ret == -EINVAL)
		return gridctl_fail(what, "'%s' is not below a cgroup v2 directory", dir);
	if (ret)
		return gridctl_fail(what, "cannot make the cgroup '%s': %s", dir,
				    strerror(-ret));
	ret = grid_cgroup_delegate(dir, failed, sizeof(failed));
	if (ret && *created)
		rmdir(dir);
	if (ret)
		return gridctl_fail(what, "cannot enable cpu, memory and pids for the leases below '%s': writing '%s': %s",
				    dir, failed, strerror(-ret));
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		ret = errno;
		if (*created)
			rmdir(dir);
		return gridctl_fail(what, "cannot open the cgroup '%s': %s",
				    dir, strerror(ret));
	}
	return 0;
}

/*
 * With @cgroup (NULL: none), the share names its cgroup; "" is the
 * default one, when cgroup2 is mounted at all.
 */
static int change(const char *what, int (*op)(int, struct grid_ioc_share *),
		  struct grid_ioc_share *s, const char *cgroup)
{
	char dir[PATH_MAX], root[PATH_MAX];
	int fd, cg = -1, ret;
	bool created = false;

	if (cgroup && !*cgroup) {
		cgroup = NULL;
		if (!grid_cgroup_root(root, sizeof(root)) &&
		    !strcmp(root, "/sys/fs/cgroup")) {
			snprintf(dir, sizeof(dir), "%s/%s", GRID_BPF_CGROUP_DIR,
				 s->gridgrid);
			cgroup = dir;
		}
	}
	if (cgroup) {
		if (open_cgroup(what, cgroup, &cg, &created))
			return 1;
		s->flags |= GRID_SHARE_CGROUP;
		s->cgroup_fd = cg;
	}
	if (gridctl_dev(what, &fd)) {
		ret = 1;
	} else {
		ret = op(fd, s);
		close(fd);
		if (ret)
			ret = explain(what, ret, s, op, cgroup);
	}
	if (cg >= 0)
		close(cg);
	/* A refused share leaves no cgroup it made behind. */
	if (ret && created)
		rmdir(cgroup);
	return ret ? ret : gridctl_done();
}

/*
 * GG [cgroup DIR|none] LIMITS...: the grid-grid's name, its cgroup (*@cgroup
 * stays NULL if not given) and the limits given.
 */
static int read_args(const char *what, int argc, char **argv,
		     struct grid_ioc_share *s, struct gridctl_limits *e,
		     const char **cgroup)
{
	int i, ret;

	memset(s, 0, sizeof(*s));
	memset(e, 0, sizeof(*e));
	*cgroup = NULL;
	if (argc < 1)
		return gridctl_usage(what, "missing the grid-grid's NAME");
	if (gridctl_name(what, "GG", argv[0], s->gridgrid))
		return 2;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "cgroup")) {
			if (++i == argc)
				return gridctl_usage(what, "'cgroup' takes a cgroup v2 DIR, or 'none'");
			*cgroup = argv[i];
			continue;
		}
		ret = gridctl_limits_word(what, argc, argv, &i, e);
		if (ret == 2)
			return 2;
		if (!ret)
			return gridctl_usage(what, "unexpected '%s'; LIMITS are %s",
					     argv[i], GRIDCTL_LIMITS_HELP);
	}
	return 0;
}

static int share_add(int argc, char **argv)
{
	const char *what = "kernel share add";
	struct grid_ioc_share s;
	struct gridctl_limits e;
	const char *cgroup;
	int ret = read_args(what, argc, argv, &s, &e, &cgroup);

	if (ret)
		return ret;
	gridctl_limits_unlimited(&s.limits, GRID_BUDGET_PERIOD_DEFAULT);
	gridctl_limits_apply(&e, &s.limits);
	if (!cgroup)
		cgroup = "";
	else if (!strcmp(cgroup, "none"))
		cgroup = NULL;
	return change(what, grid_dev_share_add, &s, cgroup);
}

static int share_set(int argc, char **argv)
{
	const char *what = "kernel share set";
	struct grid_obj_gridgrid gg;
	struct grid_ioc_share s;
	struct gridctl_limits e;
	struct grid_nl *nl;
	const char *cgroup;
	int ret = read_args(what, argc, argv, &s, &e, &cgroup);

	if (ret)
		return ret;
	if (cgroup && !strcmp(cgroup, "none"))
		return gridctl_usage(what, "a share keeps its cgroup; 'cgroup none' only goes with 'share add'");
	if (!e.given && !cgroup)
		return gridctl_usage(what, "nothing to change; LIMITS are %s, or 'cgroup DIR'",
				     GRIDCTL_LIMITS_HELP);
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_gridgrid_get(nl, s.gridgrid, &gg);
	if (ret == -ENOENT)
		ret = gridctl_fail(what, "no grid-grid '%s'", s.gridgrid);
	else if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	else if (!gg.has_share)
		ret = gridctl_fail(what, "grid-grid '%s' has no share; add one with 'gridctl kernel share add'",
				   s.gridgrid);
	grid_nl_close(nl);
	if (ret)
		return ret;
	s.limits = gg.share.l;
	gridctl_limits_apply(&e, &s.limits);
	return change(what, grid_dev_share_set, &s, cgroup);
}

static int share_del(int argc, char **argv)
{
	const char *what = "kernel share del";
	struct grid_ioc_share s;

	memset(&s, 0, sizeof(s));
	if (argc != 1)
		return gridctl_usage(what, "takes one grid-grid NAME");
	if (gridctl_name(what, "GG", argv[0], s.gridgrid))
		return 2;
	return change(what, grid_dev_share_del, &s, NULL);
}

static void show(const struct grid_obj_gridgrid *gg)
{
	char path[PATH_MAX], hint[PATH_MAX];

	print_str(PRINT_ANY, "gridgrid", "%s", gg->name);
	gridctl_print_limits("share", &gg->share, NULL);
	print_text("\n\tused");
	gridctl_print_limits("used", &gg->used, &gg->share);
	print_u64(PRINT_JSON, "leases", NULL, gg->leases);
	if (gg->cgroup_id) {
		print_u64(PRINT_ANY, "cgroup_id", "\n\tcgroup %" PRIu64,
			  gg->cgroup_id);
		snprintf(hint, sizeof(hint), "%s/%s", GRID_BPF_CGROUP_DIR,
			 gg->name);
		if (!grid_cgroup_find(gg->cgroup_id, hint, path, sizeof(path)))
			print_str(PRINT_ANY, "cgroup", " %s", path);
		else
			print_null("cgroup");
	} else {
		print_null("cgroup_id");
	}
	print_text("\n");
}

static int list_one(const struct grid_obj_gridgrid *gg, void *arg)
{
	if (!gg->has_share)
		return 0;
	gridctl_list_item(arg);
	print_obj_open(NULL);
	show(gg);
	print_obj_close();
	return 0;
}

static int share_list(int argc, char **argv)
{
	const char *what = "kernel share list";
	struct gridctl_list l = { .key = "shares" };
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

static int share_show(int argc, char **argv)
{
	const char *what = "kernel share show";
	char name[GRID_NAME_LEN];
	struct grid_obj_gridgrid gg;
	struct grid_nl *nl;
	int ret;

	if (argc != 1)
		return gridctl_usage(what, "takes one grid-grid NAME");
	if (gridctl_name(what, "GG", argv[0], name))
		return 2;
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_gridgrid_get(nl, name, &gg);
	if (ret == -ENOENT)
		ret = gridctl_fail(what, "no grid-grid '%s'", name);
	else if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	else if (!gg.has_share)
		ret = gridctl_fail(what, "grid-grid '%s' has no share", name);
	grid_nl_close(nl);
	if (ret)
		return ret;
	print_start(stdout, gridctl_json, gridctl_pretty);
	show(&gg);
	return print_end() ? 1 : 0;
}

static const struct gridctl_cmd cmds[] = {
	{ "add", share_add, "GG [cgroup DIR|none] LIMITS..." },
	{ "set", share_set, "GG [cgroup DIR] LIMITS..." },
	{ "del", share_del, "GG" },
	{ "list", share_list, "" },
	{ "show", share_show, "GG" },
	{ NULL, NULL, NULL },
};

int do_share(int argc, char **argv)
{
	if (argc && gridctl_is_help(argv[0])) {
		gridctl_list_cmds(stdout, "gridctl kernel share", cmds);
		printf("LIMITS := { %s }\n", GRIDCTL_LIMITS_HELP);
		return 0;
	}
	return gridctl_dispatch("gridctl kernel share", cmds, argc, argv);
}
