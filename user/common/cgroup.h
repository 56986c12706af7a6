/* SPDX-License-Identifier: GPL-2.0 */
/* cgroup v2 directories as grid names them: by their 64-bit cgroup id. */
#ifndef GRID_CGROUP_H
#define GRID_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The id of the cgroup v2 directory at @path, the number grid.ko reports
 * for a sandbox. -EINVAL if @path is not on a cgroup2 filesystem, or the
 * errno of the lookup.
 */
int grid_cgroup_id(const char *path, uint64_t *id);
/* The same for the directory open at @fd, and that directory's path. */
int grid_cgroup_id_fd(int fd, uint64_t *id);
int grid_cgroup_fd_path(int fd, char *buf, size_t len);

/*
 * How deep @path is below the root of the cgroup2 hierarchy (the root is
 * level 0), from the mount it is on (/proc/self/mountinfo says where that
 * mount's root is). -EINVAL if it is on no cgroup2 mount.
 */
int grid_cgroup_level(const char *path, int *level);

/*
 * Whether the caller is in the initial cgroup namespace, where the paths
 * (and so the levels) it sees are the kernel's own.
 */
bool grid_cgroup_ns_is_initial(void);

/* Where cgroup2 is mounted; -ENOENT if it is not. */
int grid_cgroup_root(char *buf, size_t len);

/*
 * The directory of the cgroup with @id: @hint (may be NULL) if that is it,
 * else the first found in the cgroup2 tree. -ENOENT if there is none.
 */
int grid_cgroup_find(uint64_t id, const char *hint, char *path, size_t len);

/*
 * The ids of @path and of every cgroup below it, at most @max of them
 * (-E2BIG if there were more; the first @max are filled in).
 */
int grid_cgroup_ids_below(const char *path, uint64_t *ids, size_t max,
			  size_t *n);

/* mkdir -p @path, mode 0755; *@created if the last one was made now. */
int grid_cgroup_mkdir(const char *path, bool *created);

/* One value file of the cgroup at @path: read (newline cut) or written. */
int grid_cgroup_read(const char *path, const char *file, char *buf,
		     size_t len);
int grid_cgroup_write(const char *path, const char *file, const char *val);
/* The same, for @file of the directory open at @dirfd. */
int grid_cgroup_read_at(int dirfd, const char *file, char *buf, size_t len);
int grid_cgroup_write_at(int dirfd, const char *file, const char *val);

/*
 * Enables controller @ctl ("cpu") for @path: in the cgroup.subtree_control
 * of each of its ancestors that lacks it, from the root down. On failure
 * the file that refused is in @failed.
 */
int grid_cgroup_enable(const char *path, const char *ctl, char *failed,
		       size_t len);

/*
 * Makes @path a cgroup that can carry the limits of cgroups below it:
 * cpu, memory and pids (those the kernel has) enabled on the way down to
 * it and in its own cgroup.subtree_control, so that each child has its
 * cpu.max, memory.max and pids.max. On failure the file that refused is
 * in @failed.
 */
int grid_cgroup_delegate(const char *path, char *failed, size_t len);

#endif
