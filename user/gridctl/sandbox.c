// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl sandbox { bind | unbind | list | show | help }
 *
 * Sandboxes: cgroup v2 directories bound to a lease, named by their cgroup
 * id. bind hands the kernel an open directory, never a path, so what is
 * bound is what was opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_loader.h"
#include "cgroup.h"
#include "dev.h"
#include "names.h"
#include "nl.h"
#include "print.h"
#include "gridctl.h"

static void show(const struct grid_obj_sandbox *sb)
{
	const char *state = grid_sandbox_state_name(sb->state);

	print_u64(PRINT_ANY, "cgroup_id", "%" PRIu64, sb->cgroup_id);
	print_u64(PRINT_ANY, "lease_id", " lease %" PRIu64, sb->lease_id);
	print_str(PRINT_ANY, "gridgrid", " gridgrid %s", sb->gridgrid);
	print_str(PRINT_ANY, "state", " %s", state ? state : "unknown");
	if (sb->error)
		print_str(PRINT_ANY, "error", " (%s)", strerror(sb->error));
	else
		print_null("error");
	if (sb->path[0])
		print_str(PRINT_ANY, "path", " path %s", sb->path);
	else
		print_null("path");
	print_u64(PRINT_JSON, "lease_cgroup_id", NULL, sb->lease_cgroup_id);
	print_u64(PRINT_JSON, "kill_tries", NULL, sb->kill_tries);
	print_u64(PRINT_JSON, "generation", NULL, sb->gen);
	print_text("\n");
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* CGROUP-ID or CGROUP-DIR: a number is an id, anything else a path. */
static int cgroup_ref(const char *what, const char *arg, uint64_t *id)
{
	int ret;

	if (all_digits(arg))
		return gridctl_u64(what, "CGROUP-ID", arg, id) ? 2 : 0;
	ret = grid_cgroup_id(arg, id);
	if (ret == -EINVAL)
		return gridctl_fail(what, "'%s' is not a cgroup v2 directory", arg);
	if (ret)
		return gridctl_fail(what, "cannot find the cgroup id of '%s': %s",
				    arg, strerror(-ret));
	return 0;
}

/*
 * -EBUSY: @dir is below a sandbox. Finds its cgroup id by walking up the
 * path; -ENOENT if none is found (it changed, or the path does not say).
 */
static int sandbox_above(const char *dir, uint64_t *id)
{
	struct grid_obj_sandbox *sb;
	struct grid_nl *nl;
	char path[PATH_MAX];
	char *slash;
	int ret = -ENOENT;

	sb = malloc(sizeof(*sb));
	if (!sb || grid_nl_open(&nl)) {
		free(sb);
		return ret;
	}
	snprintf(path, sizeof(path), "%s", dir);
	while (ret && (slash = strrchr(path, '/')) && slash != path) {
		*slash = '\0';
		if (slash[1] && !grid_cgroup_id(path, id))
			ret = grid_nl_sandbox_get(nl, *id, sb);
	}
	grid_nl_close(nl);
	free(sb);
	return ret;
}

/* The lease's grid-grid, and where its cgroup is ("" if none or unknown). */
static int lease_place(uint64_t lease, char gg[GRID_NAME_LEN],
		       char *cgroup, size_t len)
{
	struct grid_obj_gridgrid *g = malloc(sizeof(*g));
	struct grid_obj_lease *l = malloc(sizeof(*l));
	char hint[PATH_MAX];
	struct grid_nl *nl;
	int ret = -ENOMEM;

	*cgroup = '\0';
	if (!g || !l || grid_nl_open(&nl))
		goto out;
	ret = grid_nl_lease_get(nl, lease, l);
	if (!ret)
		ret = grid_nl_gridgrid_get(nl, l->gridgrid, g);
	grid_nl_close(nl);
	if (ret)
		goto out;
	memcpy(gg, g->name, GRID_NAME_LEN);
	snprintf(hint, sizeof(hint), "%s/%s", GRID_BPF_CGROUP_DIR, g->name);
	if (g->cgroup_id &&
	    grid_cgroup_find(g->cgroup_id, hint, cgroup, len))
		snprintf(cgroup, len, "(cgroup id %" PRIu64 ")", g->cgroup_id);
out:
	free(g);
	free(l);
	return ret;
}

static int misplaced(const char *what, const char *dir, uint64_t lease,
		     bool rebind)
{
	char gg[GRID_NAME_LEN], cgroup[PATH_MAX];

	if (lease_place(lease, gg, cgroup, sizeof(cgroup)))
		return gridctl_fail(what, "cgroup '%s' is not below the cgroup of lease %" PRIu64 "'s grid-grid",
				    dir, lease);
	if (!*cgroup)
		return gridctl_fail(what, "grid-grid '%s' has no cgroup for sandboxes; name one with 'gridctl kernel share set %s cgroup DIR'",
				    gg, gg);
	if (rebind)
		return gridctl_fail(what, "lease %" PRIu64 " is of grid-grid '%s' (%s), and a sandbox does not move between grid-grids",
				    lease, gg, cgroup);
	return gridctl_fail(what, "cgroup '%s' is not below %s, the cgroup of lease %" PRIu64 "'s grid-grid '%s' (or the mount it was opened on does not reach its lease cgroup)",
			    dir, cgroup, lease, gg);
}

/* Who holds the lease cgroups that a refused bind met (see busy()). */
struct holders {
	uint64_t lease;
	uint64_t ancestors[GRID_GRIDGRID_LEVEL_MAX + 2];
	int nr;
	uint64_t other_lease;		/* a lease whose sandbox is in ours */
	uint64_t elsewhere;		/* our lease's lease cgroup, if not ours */
};

static bool is_ancestor(const struct holders *h, uint64_t id)
{
	int i;

	for (i = 0; i < h->nr; i++)
		if (h->ancestors[i] == id)
			return true;
	return false;
}

static int holder(const struct grid_obj_sandbox *sb, void *arg)
{
	struct holders *h = arg;
	bool ours = is_ancestor(h, sb->lease_cgroup_id);

	if (ours && sb->lease_id != h->lease && !h->other_lease)
		h->other_lease = sb->lease_id;
	if (!ours && sb->lease_id == h->lease && !h->elsewhere)
		h->elsewhere = sb->lease_cgroup_id;
	return 0;
}

/*
 * -EBUSY on a bind of @dir to @lease, not below a sandbox: a sandbox is
 * below @dir, or the lease cgroup rules (one lease per lease cgroup, one
 * lease cgroup per lease) were broken; which, from the bound sandboxes.
 */
static int busy(const char *what, const char *dir, uint64_t lease)
{
	struct holders h = { .lease = lease };
	char path[PATH_MAX], *slash;
	struct grid_nl *nl;
	uint64_t id;

	snprintf(path, sizeof(path), "%s", dir);
	while (h.nr < (int)(sizeof(h.ancestors) / sizeof(h.ancestors[0])) &&
	       !grid_cgroup_id(path, &id)) {
		h.ancestors[h.nr++] = id;
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			break;
		*slash = '\0';
	}
	if (!grid_nl_open(&nl)) {
		grid_nl_sandboxes(nl, NULL, holder, &h);
		grid_nl_close(nl);
	}
	if (h.other_lease)
		return gridctl_fail(what, "the lease cgroup of '%s' holds a sandbox of lease %" PRIu64 ", and a lease cgroup serves one lease",
				    dir, h.other_lease);
	if (h.elsewhere)
		return gridctl_fail(what, "lease %" PRIu64 " has its sandboxes in another lease cgroup (id %" PRIu64 "), and a lease has one",
				    lease, h.elsewhere);
	return gridctl_fail(what, "cgroup '%s' holds another sandbox, and sandboxes do not nest",
			    dir);
}

static int bind_failed(const char *what, int err, const char *dir,
		       uint64_t lease, bool rebind)
{
	struct grid_obj_sandbox sb;
	char gg[GRID_NAME_LEN], cgroup[PATH_MAX];
	struct grid_nl *nl;
	uint64_t id;
	int ret;

	switch (-err) {
	case EBADF:
	case ENOTDIR:
		return gridctl_fail(what, "'%s' is not a cgroup v2 directory", dir);
	case EINVAL:
		return gridctl_fail(what, "'%s' is not a cgroup v2 directory that can be killed (not the root, not threaded)",
				    dir);
	case ENOENT:
		return gridctl_fail(what, "no lease %" PRIu64, lease);
	case EKEYEXPIRED:
		return gridctl_fail(what, "lease %" PRIu64 " has expired", lease);
	case EKEYREVOKED:
		return gridctl_fail(what, "lease %" PRIu64 " was revoked", lease);
	case EAGAIN:
		return gridctl_fail(what, "lease %" PRIu64 " has not started yet; bind once it is active (gridctl kernel lease show %" PRIu64 ")",
				    lease, lease);
	case EXDEV:
		return misplaced(what, dir, lease, rebind);
	case EOPNOTSUPP:
		if (lease_place(lease, gg, cgroup, sizeof(cgroup)) || !*cgroup)
			snprintf(cgroup, sizeof(cgroup), "the grid-grid's cgroup");
		return gridctl_fail(what, "lease %" PRIu64 " has a limit whose controller is not enabled in %s/cgroup.subtree_control (cpu, memory, pids)",
				    lease, cgroup);
	case EROFS:
		return gridctl_fail(what, "cgroup '%s' is on a read-only mount: the kernel could not open its cgroup.kill, nor write the lease's limits",
				    dir);
	case EACCES:
		/* The files' modes; EPERM is the device's own gate too. */
		return gridctl_fail(what, "not permitted to write the cgroup.kill or the limits of '%s' or its lease cgroup",
				    dir);
	case EBUSY:
		if (rebind)
			return gridctl_fail(what, "another sandbox of the old lease shares the lease cgroup of '%s'",
					    dir);
		if (!sandbox_above(dir, &id))
			return gridctl_fail(what, "cgroup '%s' is inside sandbox %" PRIu64 ", and sandboxes do not nest",
					    dir, id);
		return busy(what, dir, lease);
	case EDEADLK:
		return gridctl_fail(what, "gridctl itself runs in cgroup '%s' or below it; bind from outside",
				    dir);
	case EEXIST:
		break;
	default:
		return gridctl_fail_errno(what, err, NULL);
	}
	ret = -ENOENT;
	if (!grid_cgroup_id(dir, &id) && !grid_nl_open(&nl)) {
		ret = grid_nl_sandbox_get(nl, id, &sb);
		grid_nl_close(nl);
	}
	if (!ret)
		return gridctl_fail(what, "cgroup '%s' is already bound to lease %" PRIu64,
				    dir, sb.lease_id);
	return gridctl_fail(what, "cgroup '%s' is already bound to a lease", dir);
}

/* bind, and set (GRID_SANDBOX_REBIND): CGROUP-DIR lease ID. */
static int bind_to(const char *what, uint32_t flags, int argc, char **argv)
{
	struct grid_ioc_sandbox sb;
	uint64_t lease;
	int dev, fd, ret;

	memset(&sb, 0, sizeof(sb));
	sb.flags = flags;
	if (argc != 3 || strcmp(argv[1], "lease"))
		return gridctl_usage(what, "takes CGROUP-DIR lease ID");
	if (gridctl_u64(what, "lease", argv[2], &lease))
		return 2;
	fd = open(argv[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return gridctl_fail(what, "cannot open the cgroup directory '%s': %s",
				    argv[0], strerror(errno));
	if (gridctl_dev(what, &dev)) {
		close(fd);
		return 1;
	}
	sb.lease_id = lease;
	sb.cgroup_fd = fd;
	ret = grid_dev_sandbox_bind(dev, &sb);
	close(dev);
	close(fd);
	if (ret)
		return ret == -ENOENT && (flags & GRID_SANDBOX_REBIND) ?
			gridctl_fail(what, "no lease %" PRIu64 ", or cgroup '%s' is not bound to a lease",
				     lease, argv[0]) :
			bind_failed(what, ret, argv[0], lease,
				    flags & GRID_SANDBOX_REBIND);
	print_start(stdout, gridctl_json, gridctl_pretty);
	print_u64(PRINT_ANY, "cgroup_id", "%" PRIu64 "\n", sb.cgroup_id);
	return print_end() ? 1 : 0;
}

static int sandbox_bind(int argc, char **argv)
{
	return bind_to("sandbox bind", 0, argc, argv);
}

static int sandbox_add(int argc, char **argv)
{
	return bind_to("sandbox add", 0, argc, argv);
}

/* Moves a bound sandbox to another lease in one step. */
static int sandbox_set(int argc, char **argv)
{
	return bind_to("sandbox set", GRID_SANDBOX_REBIND, argc, argv);
}

static int sandbox_unbind(int argc, char **argv)
{
	const char *what = "sandbox unbind";
	struct grid_ioc_sandbox sb;
	uint64_t id;
	int dev, ret;

	memset(&sb, 0, sizeof(sb));
	if (argc != 1)
		return gridctl_usage(what, "takes one CGROUP-DIR or CGROUP-ID");
	ret = cgroup_ref(what, argv[0], &id);
	if (ret)
		return ret;
	if (gridctl_dev(what, &dev))
		return 1;
	sb.cgroup_id = id;
	sb.cgroup_fd = -1;
	ret = grid_dev_sandbox_unbind(dev, &sb);
	close(dev);
	if (ret == -ENOENT)
		return gridctl_fail(what, "no sandbox with cgroup id %" PRIu64, id);
	if (ret)
		return gridctl_fail_errno(what, ret, NULL);
	return gridctl_done();
}

static int sandbox_del(int argc, char **argv)
{
	return sandbox_unbind(argc, argv);
}

static int list_one(const struct grid_obj_sandbox *sb, void *arg)
{
	gridctl_list_item(arg);
	print_obj_open(NULL);
	show(sb);
	print_obj_close();
	return 0;
}

static int sandbox_list(int argc, char **argv)
{
	const char *what = "sandbox list";
	struct gridctl_list l = { .key = "sandboxes" };
	char gg[GRID_NAME_LEN];
	struct grid_obj_gridgrid found;
	struct grid_nl *nl;
	int ret;

	if (argc == 2 && !strcmp(argv[0], "gridgrid")) {
		if (gridctl_name(what, "gridgrid", argv[1], gg))
			return 2;
	} else if (argc) {
		return gridctl_usage(what, "unexpected '%s'; try 'gridctl sandbox list gridgrid GG'",
				     argv[0]);
	}
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_sandboxes(nl, argc ? gg : NULL, list_one, &l);
	/* The kernel narrows to a grid-grid that does not exist in silence. */
	if (!ret && argc && !l.started)
		ret = grid_nl_gridgrid_get(nl, gg, &found);
	if (ret == -ENOENT && argc)
		ret = gridctl_fail(what, "no grid-grid '%s'", gg);
	else if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	return ret ? ret : gridctl_list_end(&l);
}

static int sandbox_show(int argc, char **argv)
{
	const char *what = "sandbox show";
	static struct grid_obj_sandbox sb;
	struct grid_nl *nl;
	uint64_t id;
	int ret;

	if (argc != 1)
		return gridctl_usage(what, "takes one CGROUP-ID or CGROUP-DIR");
	ret = cgroup_ref(what, argv[0], &id);
	if (ret)
		return ret;
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_sandbox_get(nl, id, &sb);
	if (ret == -ENOENT)
		ret = gridctl_fail(what, "no sandbox with cgroup id %" PRIu64, id);
	else if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	if (ret)
		return ret;
	print_start(stdout, gridctl_json, gridctl_pretty);
	show(&sb);
	return print_end() ? 1 : 0;
}

static const struct gridctl_cmd cmds[] = {
	{ "bind", sandbox_bind, "CGROUP-DIR lease ID" },
	{ "add", sandbox_add, "CGROUP-DIR lease ID (as bind)" },
	{ "set", sandbox_set, "CGROUP-DIR lease ID (move to another lease)" },
	{ "unbind", sandbox_unbind, "CGROUP-DIR|CGROUP-ID" },
	{ "del", sandbox_del, "CGROUP-DIR|CGROUP-ID (as unbind)" },
	{ "list", sandbox_list, "[gridgrid GG]" },
	{ "show", sandbox_show, "CGROUP-ID|CGROUP-DIR" },
	{ NULL, NULL, NULL },
};

int do_sandbox(int argc, char **argv)
{
	return gridctl_dispatch("gridctl sandbox", cmds, argc, argv);
}
