// SPDX-License-Identifier: GPL-2.0
/*
 * The grid-grids the pinned programs are attached to: a directory of
 * links under GRID_BPF_LINKS_DIR each, their cgroup storage, entries in
 * the maps, cpu.max, cgroup.max.depth and grid.ko's CPU watch (see
 * bpf_loader.h). Every change takes the pins' lock and undoes itself
 * when it fails half way. A cgroup is opened once and everything about
 * it is then done through that fd (its id, its files, the watch), or
 * through the path the kernel gives for it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpf_gg.h"
#include "bpf_pins.h"
#include "cgroup.h"
#include "dev.h"
#include "fq.h"
#include "net_state.h"
#include "units.h"

static int gg_path(char *buf, size_t len, const char *gg, const char *file)
{
	int n;

	if (file)
		n = snprintf(buf, len, "%s/%s/%s", GRID_BPF_LINKS_DIR, gg, file);
	else
		n = snprintf(buf, len, "%s/%s", GRID_BPF_LINKS_DIR, gg);
	return n < (int)len ? 0 : -ENAMETOOLONG;
}

static bool name_ok(const char *gg)
{
	char name[GRID_NAME_LEN];

	/* The tracing hooks' links are not grid-grids'. */
	return !grid_parse_name(gg, name) && strcmp(gg, "cpu_runtime") &&
	       strcmp(gg, "cpu_switch") && strcmp(gg, "cgroup_gone");
}

/* The cgroup id grid_gg_ids keeps for @gg; 0 if none. */
static uint64_t known_id(struct grid_bpf *b, const char *gg)
{
	struct grid_gg_name key;
	struct grid_gg_key val;

	memset(&key, 0, sizeof(key));
	snprintf(key.name, sizeof(key.name), "%s", gg);
	if (bpf_map_lookup_elem(b->map[GRID_BPF_MAP_GG_IDS], &key, &val))
		return 0;
	return val.cgroup_id;
}

/* The cgroup a pinned cgroup link is attached to; 0 once it is removed. */
static int link_cgroup(const char *path, uint64_t *id)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int fd = grid_bpf_get_pin(path), ret;

	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	ret = grid_bpf_err(bpf_obj_get_info_by_fd(fd, &info, &len));
	close(fd);
	if (ret)
		return ret;
	if (info.type != BPF_LINK_TYPE_CGROUP)
		return -EPROTO;
	*id = info.cgroup.cgroup_id;
	return 0;
}

/* The cgroup id of attached grid-grid @gg; -ENOENT if not attached. */
static int gg_cgroup(const char *gg, uint64_t *id)
{
	char path[PATH_MAX];
	struct stat st;
	int ret;

	*id = 0;
	ret = gg_path(path, sizeof(path), gg, NULL);
	if (ret)
		return ret;
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOENT;
	gg_path(path, sizeof(path), gg, "net_egress");
	ret = link_cgroup(path, id);
	if (ret == -ENOENT) {
		gg_path(path, sizeof(path), gg, "net_ingress");
		ret = link_cgroup(path, id);
	}
	/* A half-made or half-removed grid-grid: attached, cgroup unknown. */
	return ret == -ENOENT ? 0 : ret;
}

static void default_cgroup(char *buf, size_t len, const char *gg)
{
	snprintf(buf, len, "%s/%s", GRID_BPF_CGROUP_DIR, gg);
}

/* cpu.max as nanocores, 0 for "max"; -ENOENT without the cpu controller. */
static int cpu_max_read(int dirfd, uint64_t *nanocores)
{
	unsigned long long quota, period;
	char buf[64];
	int ret;

	*nanocores = 0;
	ret = grid_cgroup_read_at(dirfd, "cpu.max", buf, sizeof(buf));
	if (ret)
		return ret;
	if (sscanf(buf, "%llu %llu", &quota, &period) == 2)
		*nanocores = grid_cpu_nanocores(quota, period);
	return 0;
}

/* @cgroup is the path the kernel gives for @dirfd: it names ancestors. */
static int cpu_max_write(int dirfd, const char *cgroup, uint64_t nanocores,
			 struct grid_bpf_fail *fail)
{
	char val[64], failed[PATH_MAX];
	int ret;

	ret = grid_cgroup_enable(cgroup, "cpu", failed, sizeof(failed));
	if (ret) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_CPU_MAX, failed);
		return ret;
	}
	if (nanocores)
		snprintf(val, sizeof(val), "%llu %d",
			 (unsigned long long)grid_cpu_quota_us(nanocores,
							       GRID_QUOTA_CPU_PERIOD_US),
			 GRID_QUOTA_CPU_PERIOD_US);
	else
		snprintf(val, sizeof(val), "max %d", GRID_QUOTA_CPU_PERIOD_US);
	ret = grid_cgroup_write_at(dirfd, "cpu.max", val);
	if (ret) {
		snprintf(failed, sizeof(failed), "%s/cpu.max", cgroup);
		grid_bpf_fail_at(fail, GRID_BPF_AT_CPU_MAX, failed);
	}
	return ret;
}

static int lookup(int fd, const void *key, void *val, size_t size)
{
	int ret = grid_bpf_err(bpf_map_lookup_elem(fd, key, val));

	if (ret == -ENOENT)
		memset(val, 0, size);
	return ret == -ENOENT ? 0 : ret;
}

/* What is in force for cgroup @id; cores only when @cgroup is known. */
static int read_limits(struct grid_bpf *b, uint64_t id, const char *cgroup,
		       struct grid_quota_limits *q)
{
	struct grid_gg_key key = { .cgroup_id = id };
	struct grid_gg_net st;
	int ret, fd;

	memset(q, 0, sizeof(*q));
	ret = grid_bpf_gg_net_read(b, id, &st);
	if (!ret)
		q->net = st.limits;
	if (ret == -ENOENT)
		ret = 0;
	if (!ret)
		ret = lookup(b->map[GRID_BPF_MAP_CPU_LIMITS], &key, &q->cpu,
			     sizeof(q->cpu));
	if (!ret && *cgroup) {
		fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			cpu_max_read(fd, &q->cpu_nanocores);
			close(fd);
		}
	}
	return ret;
}

static int fill(struct grid_bpf *b, const char *gg, struct grid_bpf_gg *out)
{
	char hint[PATH_MAX];
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", gg);
	ret = gg_cgroup(gg, &out->cgroup_id);
	if (ret)
		return ret;
	if (!out->cgroup_id)
		return 0;
	default_cgroup(hint, sizeof(hint), gg);
	if (grid_cgroup_find(out->cgroup_id, hint, out->cgroup,
			     sizeof(out->cgroup)))
		out->cgroup[0] = '\0';
	return read_limits(b, out->cgroup_id, out->cgroup, &out->limits);
}

int grid_bpf_get(struct grid_bpf *b, const char *gg, struct grid_bpf_gg *out)
{
	if (!name_ok(gg))
		return -ENOENT;
	return fill(b, gg, out);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_gg(const struct dirent *d)
{
	return (d->d_type == DT_DIR || d->d_type == DT_UNKNOWN) &&
	       name_ok(d->d_name);
}

int grid_bpf_each(struct grid_bpf *b,
		  int (*fn)(const struct grid_bpf_gg *gg, void *arg),
		  void *arg)
{
	struct grid_bpf_gg *gg = malloc(sizeof(*gg));
	struct dirent **names = NULL;
	int n, i, ret = 0;

	if (!gg)
		return -ENOMEM;
	n = scandir(GRID_BPF_LINKS_DIR, &names, is_gg, by_name);
	if (n < 0) {
		free(gg);
		return errno == ENOENT ? 0 : -errno;
	}
	for (i = 0; i < n; i++) {
		if (!ret) {
			ret = fill(b, names[i]->d_name, gg);
			/* Detached since the directory was read. */
			if (ret == -ENOENT || ret == -ENOTDIR)
				ret = 0;
			else if (!ret)
				ret = fn(gg, arg);
		}
		free(names[i]);
	}
	free(names);
	free(gg);
	return ret;
}

/* ---- attach, set, detach ------------------------------------------------- */

/*
 * fq where @fq says, or when it names no device and @defaults, on the
 * default routes' devices, in its network namespace.
 */
static int ensure_fq(const struct grid_bpf_fq *fq, bool defaults,
		     struct grid_bpf_fail *fail)
{
	char found[GRID_FQ_DEVS_MAX][IF_NAMESIZE];
	static const struct grid_bpf_fq none;
	unsigned int i, n = 0;
	int back = -1, ret;

	if (!fq)
		fq = &none;
	if (!fq->n_devs && !defaults)
		return 0;
	if (fq->netns) {
		ret = grid_netns_enter(fq->netns, &back);
		if (ret) {
			grid_bpf_fail_at(fail, GRID_BPF_AT_NETNS, fq->netns);
			return ret;
		}
	}
	if (!fq->n_devs) {
		ret = grid_fq_default_devs(found, GRID_FQ_DEVS_MAX, &n);
		/* Without fq the rate would not be kept: say so, not nothing. */
		if (!ret && !n)
			ret = -ENOENT;
		if (ret) {
			grid_bpf_fail_at(fail, GRID_BPF_AT_ROUTES, NULL);
			goto out;
		}
	}
	for (i = 0; i < fq->n_devs + n; i++) {
		const char *dev = i < fq->n_devs ? fq->devs[i] :
				  found[i - fq->n_devs];

		ret = grid_fq_ensure(dev, NULL);
		if (ret) {
			grid_bpf_fail_at(fail, GRID_BPF_AT_FQ, NULL);
			if (fail)
				snprintf(fail->dev, sizeof(fail->dev), "%s",
					 dev);
			goto out;
		}
	}
	ret = 0;
out:
	/* Stuck in the other namespace, nothing after may run as if back. */
	if (back >= 0) {
		int left = grid_netns_leave(back);

		/* The graver of two failures: the caller is not back. */
		if (left) {
			grid_bpf_fail_at(fail, GRID_BPF_AT_NETNS, fq->netns);
			ret = left;
		}
	}
	return ret;
}

/* Unpins @gg's links and their directory; on failure @path says where. */
static int unpin_links(const char *gg, char path[PATH_MAX])
{
	int ret;

	gg_path(path, PATH_MAX, gg, "net_egress");
	ret = grid_bpf_unlink_pin(path);
	if (!ret) {
		gg_path(path, PATH_MAX, gg, "net_ingress");
		ret = grid_bpf_unlink_pin(path);
	}
	if (!ret) {
		gg_path(path, PATH_MAX, gg, NULL);
		ret = rmdir(path) < 0 && errno != ENOENT ? -errno : 0;
	}
	return ret;
}

/* Links egress and ingress to the cgroup at @cgroup_fd and pins them. */
static int pin_links(struct grid_bpf *b, const char *gg, int cgroup_fd,
		     struct grid_bpf_fail *fail)
{
	static const struct {
		enum grid_bpf_prog prog;
		enum bpf_attach_type type;
		const char *pin;
	} links[] = {
		{ GRID_BPF_PROG_NET_EGRESS, BPF_CGROUP_INET_EGRESS, "net_egress" },
		{ GRID_BPF_PROG_NET_INGRESS, BPF_CGROUP_INET_INGRESS, "net_ingress" },
	};
	char path[PATH_MAX];
	unsigned int i;
	int fd, ret;

	gg_path(path, sizeof(path), gg, NULL);
	ret = grid_bpf_mkdir_pin(path);
	for (i = 0; !ret && i < sizeof(links) / sizeof(links[0]); i++) {
		gg_path(path, sizeof(path), gg, links[i].pin);
		fd = bpf_link_create(b->prog[links[i].prog], cgroup_fd,
				     links[i].type, NULL);
		if (fd < 0) {
			ret = grid_bpf_err(fd);
			break;
		}
		ret = grid_bpf_err(bpf_obj_pin(fd, path));
		/* The pin holds the link now; our fd goes. */
		close(fd);
	}
	if (ret) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_LINKS, path);
		unpin_links(gg, path);
	}
	return ret;
}

/* Cgroups looked at below a new grid-grid's, for one whose path is unknown. */
#define BELOW_MAX	4096

struct overlap {
	uint64_t id;
	char path[PATH_MAX];	/* real path of the new cgroup */
	uint64_t *below;	/* ids below it, once needed (NULL before) */
	size_t nr_below;
};

/* Whether @a is @b or a directory below it. */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);

	return !strncmp(a, b, n) && (a[n] == '/' || !a[n]);
}

/*
 * 1 if grid-grid @gg is attached to the cgroup *@arg names, above it or
 * below it: the programs charge the highest grid-grid of a packet or a
 * task, so a nested one would be charged to the outer one, and both
 * cgroups' links would run for its packets.
 */
/*
 * For a grid-grid whose cgroup this view of cgroup2 does not show (the
 * caller sees a subtree, or the cgroup is gone), by id: is it one of the
 * new cgroup's ancestors, or below it?
 */
static int overlaps_by_id(uint64_t id, struct overlap *o)
{
	char up[PATH_MAX], *slash;
	uint64_t anc;
	size_t i;

	snprintf(up, sizeof(up), "%s", o->path);
	while ((slash = strrchr(up, '/')) && slash != up) {
		*slash = '\0';
		if (grid_cgroup_id(up, &anc))
			break;		/* above the cgroup2 mount */
		if (anc == id)
			return 1;
	}
	if (!o->below) {
		o->below = calloc(BELOW_MAX, sizeof(*o->below));
		if (!o->below)
			return -ENOMEM;
		/* Past BELOW_MAX only what was seen is compared. */
		grid_cgroup_ids_below(o->path, o->below, BELOW_MAX,
				      &o->nr_below);
	}
	for (i = 0; i < o->nr_below; i++)
		if (o->below[i] == id)
			return 1;
	return 0;
}

static int overlaps(const struct grid_bpf_gg *gg, void *arg)
{
	struct overlap *o = arg;
	char real[PATH_MAX];

	if (gg->cgroup_id == o->id)
		return 1;
	if (!*gg->cgroup || !realpath(gg->cgroup, real))
		return gg->cgroup_id ? overlaps_by_id(gg->cgroup_id, o) : 0;
	return within(o->path, real) || within(real, o->path);
}

/*
 * The cgroup of a new attach, open: made if missing (*@created), its id,
 * the path the kernel gives for it, and its level, which must let the
 * programs find it (below GRID_BPF_MAX_LEVEL, not the root).
 */
static int open_new(const char *want, int *fd, uint64_t *id, char *path,
		    size_t len, bool *created)
{
	int ret, level;

	*fd = -1;
	ret = grid_cgroup_mkdir(want, created);
	if (ret)
		return ret;
	*fd = open(want, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	ret = grid_cgroup_id_fd(*fd, id);
	if (!ret)
		ret = grid_cgroup_fd_path(*fd, path, len);
	/*
	 * Levels are read off the caller's view, which is the kernel's
	 * (the programs') only in the initial cgroup namespace.
	 */
	if (!ret && !grid_cgroup_ns_is_initial())
		ret = -EREMOTE;
	if (!ret)
		ret = grid_cgroup_level(path, &level);
	if (!ret && (level < 1 || level >= GRID_BPF_MAX_LEVEL))
		ret = -EMLINK;
	return ret;
}

int grid_bpf_attach(struct grid_bpf *b, const char *gg, const char *cgroup,
		    const struct grid_quota_limits *limits,
		    const struct grid_bpf_fq *fq, struct grid_bpf_fail *fail)
{
	struct grid_quota_limits q = *limits;
	char want[PATH_MAX], dir[PATH_MAX], old_max[64] = "", old_depth[32] = "";
	char depth[32], file[PATH_MAX];
	bool created = false, entries = false, links = false, watched = false;
	struct overlap *o = NULL;
	struct stat st;
	int fd = -1, ret;
	uint64_t id = 0;

	if (fail)
		memset(fail, 0, sizeof(*fail));
	if (!name_ok(gg)) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_NAME, NULL);
		return -EINVAL;
	}
	ret = grid_quota_resolve(&q, fail ? &fail->field : NULL);
	if (ret) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_LIMITS, NULL);
		return ret;
	}
	if (b->prog[GRID_BPF_PROG_NET_EGRESS] < 0 ||
	    b->prog[GRID_BPF_PROG_NET_INGRESS] < 0) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_PROGS, NULL);
		return -ENOENT;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	ret = grid_bpf_lock(b);
	if (ret) {
		free(o);
		return ret;
	}

	gg_path(dir, sizeof(dir), gg, NULL);
	if (lstat(dir, &st) == 0) {
		ret = -EEXIST;
		goto out;
	}
	if (cgroup)
		snprintf(want, sizeof(want), "%s", cgroup);
	else
		default_cgroup(want, sizeof(want), gg);
	ret = open_new(want, &fd, &id, o->path, sizeof(o->path), &created);
	if (ret) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_CGROUP, want);
		goto undo;
	}
	o->id = id;
	ret = grid_bpf_each(b, overlaps, o);
	if (ret) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_CGROUP, o->path);
		ret = ret == 1 ? -EBUSY : ret;
		goto undo;
	}

	if (q.cpu_nanocores || (q.given & GRID_QUOTA_BIT(GRID_QUOTA_CPU))) {
		/* Without the controller yet: no cap, as cpu.max says it. */
		if (grid_cgroup_read_at(fd, "cpu.max", old_max, sizeof(old_max)))
			snprintf(old_max, sizeof(old_max), "max %d",
				 GRID_QUOTA_CPU_PERIOD_US);
		ret = cpu_max_write(fd, o->path, q.cpu_nanocores, fail);
		if (ret)
			goto undo;
	}
	/* No job nests deep enough to make the hierarchy a cost. */
	ret = grid_cgroup_read_at(fd, "cgroup.max.depth", old_depth,
				  sizeof(old_depth));
	snprintf(depth, sizeof(depth), "%d", GRID_GG_MAX_DEPTH);
	if (!ret)
		ret = grid_cgroup_write_at(fd, "cgroup.max.depth", depth);
	if (ret) {
		old_depth[0] = '\0';
		if (snprintf(file, sizeof(file), "%.*s/cgroup.max.depth",
			     PATH_MAX - 32, o->path) < 0)
			file[0] = '\0';
		grid_bpf_fail_at(fail, GRID_BPF_AT_CGROUP, file);
		goto undo;
	}
	ret = pin_links(b, gg, fd, fail);
	if (ret)
		goto undo;
	links = true;
	ret = grid_bpf_write_entries(b, gg, id, &q);
	entries = true;
	if (ret) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_MAPS, NULL);
		goto undo;
	}
	if (q.cpu.budget_ns) {
		ret = grid_bpf_watch_fd(b, fd, fail);
		if (ret)
			goto undo;
		watched = true;
	}
	/*
	 * Last, as the one step that cannot be undone: the root qdisc it
	 * replaces (and what that held) is gone.
	 */
	ret = ensure_fq(fq, q.net.egress_rate, fail);
	if (ret)
		goto undo;
	goto out;

undo:
	if (watched)
		grid_bpf_unwatch(id);
	if (links)
		unpin_links(gg, dir);
	if (entries)
		grid_bpf_delete_entries(b, gg, id, "");
	if (*old_depth)
		grid_cgroup_write_at(fd, "cgroup.max.depth", old_depth);
	if (*old_max)
		grid_cgroup_write_at(fd, "cpu.max", old_max);
	if (created)
		rmdir(want);
out:
	free(o->below);
	free(o);
	if (fd >= 0)
		close(fd);
	grid_bpf_unlock(b);
	return ret;
}

/*
 * For set and detach: @gg as attached, *@cur allocated, with the lock
 * held; release() undoes both. -ENOENT: not attached.
 */
static int take(struct grid_bpf *b, const char *gg, struct grid_bpf_fail *fail,
		struct grid_bpf_gg **cur)
{
	int ret;

	if (fail)
		memset(fail, 0, sizeof(*fail));
	*cur = NULL;
	if (!name_ok(gg))
		return -ENOENT;
	*cur = malloc(sizeof(**cur));
	if (!*cur)
		return -ENOMEM;
	ret = grid_bpf_lock(b);
	if (!ret) {
		ret = fill(b, gg, *cur);
		if (ret)
			grid_bpf_unlock(b);
	}
	if (ret) {
		free(*cur);
		*cur = NULL;
	}
	return ret;
}

static void release(struct grid_bpf *b, struct grid_bpf_gg *cur)
{
	grid_bpf_unlock(b);
	free(cur);
}

/* A grid-grid's network limits, in its cgroup storage, under its lock. */
static int net_limits_write(struct grid_bpf *b, uint64_t id,
			    const struct grid_net_limit *lim)
{
	struct grid_gg_net st;
	int ret;

	/*
	 * The state read here is written back with the limits: what the
	 * programs did in between (microseconds) is lost, a few packets'
	 * worth of pace, tokens or budget at most.
	 */
	ret = grid_bpf_gg_net_read(b, id, &st);
	if (ret)
		return ret;
	grid_net_relimit(&st, lim, grid_net_now_ns());
	return grid_bpf_update(b->map[GRID_BPF_MAP_GG_NET], &id, &st,
		      BPF_EXIST);
}

/*
 * The attached grid-grid's cgroup, open, checked to be the one its links
 * name (a directory put in its place since is not it): -ESTALE if not.
 */
static int open_known(const struct grid_bpf_gg *cur, int *fd)
{
	uint64_t id;

	*fd = open(cur->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return -ESTALE;
	if (grid_cgroup_id_fd(*fd, &id) || id != cur->cgroup_id) {
		close(*fd);
		*fd = -1;
		return -ESTALE;
	}
	return 0;
}

int grid_bpf_set(struct grid_bpf *b, const char *gg,
		 const struct grid_quota_limits *change,
		 const struct grid_bpf_fq *fq, struct grid_bpf_fail *fail)
{
	struct grid_quota_limits q, old;
	struct grid_gg_key key;
	struct grid_bpf_gg *cur;
	char old_max[64] = "";
	bool cpu = change->given & GRID_QUOTA_BIT(GRID_QUOTA_CPU);
	bool budget = change->given & (GRID_QUOTA_BIT(GRID_QUOTA_CPU_BUDGET) |
				       GRID_QUOTA_BIT(GRID_QUOTA_CPU_PERIOD));
	int fd = -1, ret = take(b, gg, fail, &cur);

	if (ret)
		return ret;
	if (!cur->cgroup_id) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_CGROUP, NULL);
		ret = -ESTALE;
		goto out;
	}
	old = cur->limits;
	q = old;
	/*
	 * Cores are checked only when given: a cpu.max written by someone
	 * else is not gridctl's to refuse, and is written only with 'cpu'.
	 */
	if (!cpu)
		q.cpu_nanocores = 0;
	grid_quota_apply(&q, change);
	ret = grid_quota_resolve(&q, fail ? &fail->field : NULL);
	if (ret) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_LIMITS, NULL);
		goto out;
	}
	/* The cgroup's directory is needed for cpu.max and the watch. */
	if (cpu || (budget && q.cpu.budget_ns)) {
		ret = *cur->cgroup ? open_known(cur, &fd) : -ESTALE;
		if (ret) {
			grid_bpf_fail_at(fail, GRID_BPF_AT_CGROUP, cur->cgroup);
			goto out;
		}
	}
	if (cpu) {
		if (grid_cgroup_read_at(fd, "cpu.max", old_max, sizeof(old_max)))
			snprintf(old_max, sizeof(old_max), "max %d",
				 GRID_QUOTA_CPU_PERIOD_US);
		ret = cpu_max_write(fd, cur->cgroup, q.cpu_nanocores, fail);
		if (ret)
			goto out;
	}
	key.cgroup_id = cur->cgroup_id;
	ret = net_limits_write(b, cur->cgroup_id, &q.net);
	if (!ret)
		ret = grid_bpf_update(b->map[GRID_BPF_MAP_CPU_LIMITS], &key, &q.cpu,
			     BPF_ANY);
	if (ret) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_MAPS, NULL);
		goto undo;
	}
	if (q.cpu.budget_ns && (budget || !old.cpu.budget_ns)) {
		ret = grid_bpf_watch_fd(b, fd, fail);
	} else if (!q.cpu.budget_ns && old.cpu.budget_ns) {
		ret = grid_bpf_unwatch(cur->cgroup_id);
		if (ret)
			grid_bpf_fail_at(fail, GRID_BPF_AT_UNWATCH, GRID_DEV_PATH);
	}
	/*
	 * Last, as in attach: on the devices named, or on the default
	 * routes' when pacing starts now. A rate changed keeps the fq its
	 * attach installed, where it was told to.
	 */
	if (!ret)
		ret = ensure_fq(fq, q.net.egress_rate && !old.net.egress_rate,
				fail);
	if (!ret)
		goto out;
undo:
	key.cgroup_id = cur->cgroup_id;
	net_limits_write(b, cur->cgroup_id, &old.net);
	grid_bpf_update(b->map[GRID_BPF_MAP_CPU_LIMITS], &key, &old.cpu, BPF_ANY);
	/* The watch as it was: a budget back in force must be enforced. */
	if (old.cpu.budget_ns && *cur->cgroup)
		grid_bpf_watch_path(b, cur->cgroup, NULL);
	else if (!old.cpu.budget_ns && q.cpu.budget_ns)
		grid_bpf_unwatch(cur->cgroup_id);
	if (*old_max && fd >= 0)
		grid_cgroup_write_at(fd, "cpu.max", old_max);
out:
	if (fd >= 0)
		close(fd);
	release(b, cur);
	return ret;
}

int grid_bpf_detach(struct grid_bpf *b, const char *gg,
		    struct grid_bpf_fail *fail)
{
	struct grid_bpf_gg *cur;
	char path[PATH_MAX];
	uint64_t id;
	int ret = take(b, gg, fail, &cur);

	if (ret)
		return ret;
	/* A cgroup removed while attached is known by its name only. */
	id = cur->cgroup_id ? cur->cgroup_id : known_id(b, gg);
	/*
	 * First the watch, so that a failure leaves everything in place; it
	 * matters only with a budget, which is what a watch enforces.
	 */
	if (id) {
		ret = grid_bpf_unwatch(id);
		if (ret && cur->limits.cpu.budget_ns) {
			grid_bpf_fail_at(fail, GRID_BPF_AT_UNWATCH, GRID_DEV_PATH);
			goto out;
		}
		ret = 0;
	}
	ret = unpin_links(gg, path);
	if (ret) {
		grid_bpf_fail_at(fail, GRID_BPF_AT_LINKS, path);
		goto out;
	}
	if (id)
		grid_bpf_delete_entries(b, gg, id, cur->cgroup_id ? cur->cgroup : "");
out:
	release(b, cur);
	return ret;
}
