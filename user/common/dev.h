/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /dev/grid door, one function per ioctl. All return 0 or -errno.
 *
 * The object wrappers take the argument struct as the caller filled it
 * (zeroed first, so that flags and reserved fields are 0) and set its size;
 * what the kernel writes back (a lease's state, a sandbox's cgroup id) is
 * there on return.
 */
#ifndef GRID_DEV_H
#define GRID_DEV_H

#include <linux/grid.h>

#define GRID_DEV_PATH "/dev/" GRID_DEVICE_NAME

/* Opens /dev/grid and checks that the module speaks our ABI (-EPROTO if not). */
int grid_dev_open(int *fd);
int grid_dev_version(int fd, struct grid_version *v);
int grid_dev_status(int fd, struct grid_status *st);

int grid_dev_grid_add(int fd, struct grid_ioc_grid *g);
int grid_dev_grid_set(int fd, struct grid_ioc_grid *g);
int grid_dev_grid_del(int fd, struct grid_ioc_grid *g);

int grid_dev_gridgrid_add(int fd, struct grid_ioc_gridgrid *gg);
int grid_dev_gridgrid_set(int fd, struct grid_ioc_gridgrid *gg);
int grid_dev_gridgrid_del(int fd, struct grid_ioc_gridgrid *gg);

int grid_dev_share_add(int fd, struct grid_ioc_share *s);
int grid_dev_share_set(int fd, struct grid_ioc_share *s);
int grid_dev_share_del(int fd, struct grid_ioc_share *s);

int grid_dev_peer_add(int fd, struct grid_ioc_peer *p);
int grid_dev_peer_set(int fd, struct grid_ioc_peer *p);
int grid_dev_peer_del(int fd, struct grid_ioc_peer *p);

int grid_dev_lease_add(int fd, struct grid_ioc_lease *l);
int grid_dev_lease_set(int fd, struct grid_ioc_lease *l);
int grid_dev_lease_del(int fd, struct grid_ioc_lease_ref *r);
int grid_dev_lease_revoke(int fd, struct grid_ioc_lease_ref *r);

/* Fills sb->cgroup_id. */
int grid_dev_sandbox_bind(int fd, struct grid_ioc_sandbox *sb);
int grid_dev_sandbox_unbind(int fd, struct grid_ioc_sandbox *sb);

/* Zeroes @self first; -ENOENT outside a sandbox. */
int grid_dev_self(int fd, struct grid_self *self);

/*
 * CPU-time budgets enforced by grid.ko from the BPF maps. WATCH takes
 * cgroup_fd, limits_fd and usage_fd and fills cgroup_id; UNWATCH and GET
 * take cgroup_id, and GET fills frozen, freezes and overshoot_ns.
 */
int grid_dev_cpu_watch(int fd, struct grid_ioc_cpu_watch *w);
int grid_dev_cpu_unwatch(int fd, struct grid_ioc_cpu_watch *w);
int grid_dev_cpu_watch_get(int fd, struct grid_ioc_cpu_watch *w);

#endif
