/* SPDX-License-Identifier: GPL-2.0 */
/* cgroup v2 directories as grid names them: by their 64-bit cgroup id. */
#ifndef GRID_CGROUP_H
#define GRID_CGROUP_H

#include <stdint.h>

/*
 * The id of the cgroup v2 directory at @path, the number grid.ko reports
 * for a sandbox. -EINVAL if @path is not on a cgroup2 filesystem, or the
 * errno of the lookup.
 */
int grid_cgroup_id(const char *path, uint64_t *id);

#endif
