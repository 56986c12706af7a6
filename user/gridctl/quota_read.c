// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the quota of each grid-grid as it stands. The loader says which
 * grid-grids are attached, where their cgroups are and what limits are in
 * force (bpf_loader.h, opened without loading, so nothing is ever loaded
 * here); this adds what the programs counted in the pinned maps, grid.ko's
 * report on its CPU watch, and the usage of the leases, the child
 * directories of a grid-grid's cgroup.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf_loader.h"
#include "dev.h"
#include "units.h"
#include "quota_read.h"

struct reader {
	struct quota_snap *s;
	struct grid_bpf *b;
	int dev;		/* /dev/grid, or -1: nothing is watched */
	size_t cap;
};

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * GRID_NSEC_PER_SEC + ts.tv_nsec;
}

static int failed(struct quota_snap *s, int err, const char *what)
{
	snprintf(s->failed, sizeof(s->failed), "%s", what);
	return err;
}

/* A missing entry reads as zeros: nothing counted yet. */
static int absent_ok(struct reader *r, int ret, const char *map)
{
	if (!ret || ret == -ENOENT)
		return 0;
	return failed(r->s, ret, map);
}

/* A grid-grid's counters (@lease false) or a lease's. */
static int net_usage(struct reader *r, uint64_t cgroup_id, bool lease,
		     struct grid_usage net[2])
{
	struct grid_gg_count c;
	int ret;

	if (lease)
		ret = absent_ok(r, grid_bpf_lease_count_read(r->b, cgroup_id, &c),
				GRID_BPF_PIN_DIR "/grid_lease_net");
	else
		ret = absent_ok(r, grid_bpf_gg_count_read(r->b, cgroup_id, &c),
				GRID_BPF_PIN_DIR "/grid_gg_count");
	net[GRID_DIR_EGRESS] = c.egress;
	net[GRID_DIR_INGRESS] = c.ingress;
	return ret;
}

/* A count of period @period is stale once another period has begun. */
static uint64_t this_period(uint64_t now, uint64_t period_ns,
			    uint64_t period, uint64_t used)
{
	return period_ns && period == now / period_ns ? used : 0;
}

static int by_lease_name(const void *a, const void *b)
{
	return strcmp(((const struct quota_lease *)a)->name,
		      ((const struct quota_lease *)b)->name);
}

static int read_leases(struct reader *r, struct quota_gg *g)
{
	struct quota_lease *l, *more;
	size_t cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = 0;

	d = opendir(g->cgroup);
	if (!d)
		return 0;	/* gone since it was found: no leases */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (g->nr_leases == cap) {
			cap = cap ? 2 * cap : 8;
			more = realloc(g->leases, cap * sizeof(*more));
			if (!more) {
				ret = failed(r->s, -ENOMEM, g->cgroup);
				break;
			}
			g->leases = more;
		}
		l = &g->leases[g->nr_leases++];
		memset(l, 0, sizeof(*l));
		snprintf(l->name, sizeof(l->name), "%s", de->d_name);
		/* On cgroup2 the inode number is the cgroup id. */
		l->cgroup_id = st.st_ino;
		ret = net_usage(r, l->cgroup_id, true, l->net);
		if (!ret)
			ret = absent_ok(r, grid_bpf_lease_cpu_read(r->b, l->cgroup_id,
								   &l->cpu_runtime_ns),
					GRID_BPF_PIN_DIR "/grid_lease_cpu");
		if (ret)
			break;
	}
	closedir(d);
	if (g->nr_leases)
		qsort(g->leases, g->nr_leases, sizeof(*g->leases),
		      by_lease_name);
	return ret;
}

static int read_gg(struct reader *r, struct quota_gg *g)
{
	uint64_t now = r->s->mono_ns;
	struct grid_gg_net st;
	int ret;

	ret = absent_ok(r, grid_bpf_gg_net_read(r->b, g->cgroup_id, &st),
			GRID_BPF_PIN_DIR "/grid_gg_net");
	if (!ret)
		ret = absent_ok(r, grid_bpf_cpu_usage_read(r->b, g->cgroup_id,
							   &g->cpu_usage),
				GRID_BPF_PIN_DIR "/grid_cpu_usage");
	if (!ret)
		ret = net_usage(r, g->cgroup_id, false, g->usage);
	if (ret)
		return ret;
	g->used[GRID_DIR_EGRESS] = this_period(now, g->net.period_ns,
					       st.period, st.egress_used);
	g->used[GRID_DIR_INGRESS] = this_period(now, g->net.period_ns,
						st.period, st.ingress_used);
	g->cpu_period_used_ns = this_period(now, g->cpu.period_ns,
					    g->cpu_usage.period,
					    g->cpu_usage.period_used_ns);

	g->watch.cgroup_id = g->cgroup_id;
	/* No module, an older one, or -ENOENT: not watched. */
	g->watched = r->dev >= 0 && g->cgroup_id &&
		     !grid_dev_cpu_watch_get(r->dev, &g->watch);
	if (!g->watched)
		memset(&g->watch, 0, sizeof(g->watch));
	return g->cgroup ? read_leases(r, g) : 0;
}

static int add_gg(const struct grid_bpf_gg *in, void *arg)
{
	struct reader *r = arg;
	struct quota_snap *s = r->s;
	struct quota_gg *g, *more;

	if (s->nr == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		more = realloc(s->gg, r->cap * sizeof(*more));
		if (!more)
			return failed(s, -ENOMEM, GRID_BPF_PIN_DIR);
		s->gg = more;
	}
	g = &s->gg[s->nr++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", in->name);
	g->cgroup_id = in->cgroup_id;
	if (in->cgroup[0]) {
		g->cgroup = strdup(in->cgroup);
		if (!g->cgroup)
			return failed(s, -ENOMEM, in->cgroup);
	}
	g->net = in->limits.net;
	g->cpu = in->limits.cpu;
	g->cpu_nanocores = in->limits.cpu_nanocores;
	return read_gg(r, g);
}

int quota_read(struct quota_snap *s, const char *name)
{
	struct reader r = { .s = s, .dev = -1 };
	struct grid_bpf_gg *one = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	s->mono_ns = now_ns(CLOCK_MONOTONIC);
	s->real_ns = (int64_t)now_ns(CLOCK_REALTIME);
	ret = grid_bpf_open(&r.b, 0);
	/* No bpffs, or nothing pinned in it: no quota attached. */
	if (ret == -ENODEV || ret == -ENOENT)
		return name ? ret : 0;
	if (ret)
		return failed(s, ret, GRID_BPF_PIN_DIR);
	if (grid_dev_open(&r.dev))
		r.dev = -1;
	if (name) {
		one = malloc(sizeof(*one));
		ret = one ? grid_bpf_get(r.b, name, one) : -ENOMEM;
		if (!ret)
			ret = add_gg(one, &r);
		free(one);
	} else {
		ret = grid_bpf_each(r.b, add_gg, &r);
	}
	if (ret && ret != -ENOENT && !s->failed[0])
		failed(s, ret, GRID_BPF_PIN_DIR "/links");
	if (r.dev >= 0)
		close(r.dev);
	grid_bpf_close(r.b);
	if (ret)
		quota_snap_free(s);
	return ret;
}

void quota_snap_free(struct quota_snap *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++) {
		free(s->gg[i].cgroup);
		free(s->gg[i].leases);
	}
	free(s->gg);
	s->gg = NULL;
	s->nr = 0;
}

const struct quota_gg *quota_snap_find(const struct quota_snap *s,
				       uint64_t cgroup_id)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		if (s->gg[i].cgroup_id == cgroup_id)
			return &s->gg[i];
	return NULL;
}
