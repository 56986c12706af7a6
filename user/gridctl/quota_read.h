/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A grid-grid's quota as it stands, read from what the loader pinned
 * (linux/grid_bpf.h) without loading anything, and from grid.ko's CPU
 * watch: shared by "gridctl quota list|show" and "gridctl top".
 * Map entries that are missing read as zeros: no limit, nothing counted.
 */
#ifndef GRIDCTL_QUOTA_READ_H
#define GRIDCTL_QUOTA_READ_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/grid.h>
#include <linux/grid_bpf.h>

/* Use per second between two snapshots; filled by top, known or not. */
struct quota_rate {
	bool known;
	uint64_t bytes_per_s[2];	/* by enum grid_dir */
	uint64_t nanocores;		/* CPU time per wall time */
};

/* A lease: a child directory of the grid-grid's cgroup. */
struct quota_lease {
	char name[NAME_MAX + 1];
	uint64_t cgroup_id;
	struct grid_usage net[2];	/* by enum grid_dir */
	uint64_t cpu_runtime_ns;
	struct quota_rate rate;
};

struct quota_gg {
	char name[GRID_NAME_LEN];
	uint64_t cgroup_id;		/* 0 if its cgroup was removed */
	char *cgroup;			/* its directory, or NULL if not found */
	struct grid_net_limit net;
	struct grid_usage usage[2];	/* by enum grid_dir */
	uint64_t used[2];		/* counted in the current period */
	struct grid_cpu_limit cpu;
	struct grid_cpu_usage cpu_usage;
	uint64_t cpu_period_used_ns;	/* in the current period */
	uint64_t cpu_nanocores;		/* its cpu.max; 0: no cap */
	bool watched;			/* grid.ko enforces the CPU budget */
	struct grid_ioc_cpu_watch watch;	/* zero unless watched */
	struct quota_lease *leases;
	size_t nr_leases;
	struct quota_rate rate;
};

struct quota_snap {
	uint64_t mono_ns;		/* CLOCK_MONOTONIC when read */
	int64_t real_ns;		/* CLOCK_REALTIME, the same moment */
	struct quota_gg *gg;		/* sorted by name */
	size_t nr;
	char failed[PATH_MAX];		/* what could not be read */
};

/*
 * Reads every attached grid-grid, or only @name, sorted by name. Returns
 * 0; -ENOENT if @name is not attached (-ENODEV: and no bpffs is mounted
 * at GRID_BPF_FS to attach it in); or -errno with @s->failed naming
 * what could not be read. Nothing attached at all (or nothing pinned) is
 * an empty snapshot, not an error. On failure @s holds nothing to free.
 */
int quota_read(struct quota_snap *s, const char *name);
void quota_snap_free(struct quota_snap *s);
/* The grid-grid of @s whose cgroup is @cgroup_id, or NULL. */
const struct quota_gg *quota_snap_find(const struct quota_snap *s,
				       uint64_t cgroup_id);

/*
 * quota_show.c: the table (text) or one JSON object per grid-grid, with
 * the NOW column and the *_per_s keys when @rates (top).
 */
void quota_print(const struct quota_snap *s, bool rates);
/* A failed quota_read() in a sentence; returns 1. */
int quota_read_fail(const char *what, int err, const struct quota_snap *s);

#endif
