/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the loader: what bpf_gridgrid.c (attach, set, detach) and
 * bpf_watch.c (grid.ko's CPU watch) share. Not for callers of
 * bpf_loader.h.
 */
#ifndef GRID_BPF_GG_H
#define GRID_BPF_GG_H

#include <stdint.h>
#include <stdio.h>

#include "bpf_loader.h"
#include "bpf_pins.h"

/* Says in @fail (when given) at which step a change failed, and on what. */
static inline void grid_bpf_fail_at(struct grid_bpf_fail *fail,
				    enum grid_bpf_step at, const char *path)
{
	if (!fail)
		return;
	fail->at = at;
	if (path)
		snprintf(fail->path, sizeof(fail->path), "%s", path);
}

/* grid.ko watches the budget of the cgroup open as @cgroup_fd. */
int grid_bpf_watch_fd(struct grid_bpf *b, int cgroup_fd,
		      struct grid_bpf_fail *fail);
int grid_bpf_watch_path(struct grid_bpf *b, const char *cgroup,
			struct grid_bpf_fail *fail);
/* Stops the watch of cgroup @id, which thaws it; none is no error. */
int grid_bpf_unwatch(uint64_t id);

/* bpf_map_update_elem(), as 0 or -errno. */
int grid_bpf_update(int fd, const void *key, const void *val, uint64_t flags);
/*
 * Everything the enforcement of grid-grid @gg (cgroup @id) needs, once its
 * links exist; and all of it removed again, with the lease entries of the
 * cgroups below @cgroup ("" when it is gone).
 */
int grid_bpf_write_entries(struct grid_bpf *b, const char *gg, uint64_t id,
			   const struct grid_quota_limits *q);
void grid_bpf_delete_entries(struct grid_bpf *b, const char *gg, uint64_t id,
			     const char *cgroup);

#endif
