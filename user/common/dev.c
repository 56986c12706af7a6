// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dev.h"

/* Every argument struct starts with its size (see the uapi header). */
static int call(int fd, unsigned long req, void *arg, __u32 size)
{
	memcpy(arg, &size, sizeof(size));
	if (ioctl(fd, req, arg) < 0)
		return -errno;
	return 0;
}

int grid_dev_version(int fd, struct grid_version *v)
{
	int ret;

	memset(v, 0, sizeof(*v));
	ret = call(fd, GRID_IOC_VERSION, v, sizeof(*v));
	/* The kernel may know more than we do, never less than VER0. */
	v->release[sizeof(v->release) - 1] = '\0';
	return ret;
}

int grid_dev_status(int fd, struct grid_status *st)
{
	memset(st, 0, sizeof(*st));
	return call(fd, GRID_IOC_STATUS, st, sizeof(*st));
}

int grid_dev_open(int *fd)
{
	struct grid_version v;
	int ret;

	*fd = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	ret = grid_dev_version(*fd, &v);
	if (!ret && v.abi != GRID_ABI_VERSION)
		ret = -EPROTO;
	if (ret) {
		close(*fd);
		*fd = -1;
	}
	return ret;
}

int grid_dev_grid_add(int fd, struct grid_ioc_grid *g)
{
	return call(fd, GRID_IOC_GRID_ADD, g, sizeof(*g));
}

int grid_dev_grid_set(int fd, struct grid_ioc_grid *g)
{
	return call(fd, GRID_IOC_GRID_SET, g, sizeof(*g));
}

int grid_dev_grid_del(int fd, struct grid_ioc_grid *g)
{
	return call(fd, GRID_IOC_GRID_DEL, g, sizeof(*g));
}

int grid_dev_gridgrid_add(int fd, struct grid_ioc_gridgrid *gg)
{
	return call(fd, GRID_IOC_GRIDGRID_ADD, gg, sizeof(*gg));
}

int grid_dev_gridgrid_set(int fd, struct grid_ioc_gridgrid *gg)
{
	return call(fd, GRID_IOC_GRIDGRID_SET, gg, sizeof(*gg));
}

int grid_dev_gridgrid_del(int fd, struct grid_ioc_gridgrid *gg)
{
	return call(fd, GRID_IOC_GRIDGRID_DEL, gg, sizeof(*gg));
}

int grid_dev_share_add(int fd, struct grid_ioc_share *s)
{
	return call(fd, GRID_IOC_SHARE_ADD, s, sizeof(*s));
}

int grid_dev_share_set(int fd, struct grid_ioc_share *s)
{
	return call(fd, GRID_IOC_SHARE_SET, s, sizeof(*s));
}

int grid_dev_share_del(int fd, struct grid_ioc_share *s)
{
	return call(fd, GRID_IOC_SHARE_DEL, s, sizeof(*s));
}

int grid_dev_peer_add(int fd, struct grid_ioc_peer *p)
{
	return call(fd, GRID_IOC_PEER_ADD, p, sizeof(*p));
}

int grid_dev_peer_set(int fd, struct grid_ioc_peer *p)
{
	return call(fd, GRID_IOC_PEER_SET, p, sizeof(*p));
}

int grid_dev_peer_del(int fd, struct grid_ioc_peer *p)
{
	return call(fd, GRID_IOC_PEER_DEL, p, sizeof(*p));
}

int grid_dev_lease_add(int fd, struct grid_ioc_lease *l)
{
	return call(fd, GRID_IOC_LEASE_ADD, l, sizeof(*l));
}

int grid_dev_lease_set(int fd, struct grid_ioc_lease *l)
{
	return call(fd, GRID_IOC_LEASE_SET, l, sizeof(*l));
}

int grid_dev_lease_del(int fd, struct grid_ioc_lease_ref *r)
{
	return call(fd, GRID_IOC_LEASE_DEL, r, sizeof(*r));
}

int grid_dev_lease_revoke(int fd, struct grid_ioc_lease_ref *r)
{
	return call(fd, GRID_IOC_LEASE_REVOKE, r, sizeof(*r));
}

int grid_dev_sandbox_bind(int fd, struct grid_ioc_sandbox *sb)
{
	return call(fd, GRID_IOC_SANDBOX_BIND, sb, sizeof(*sb));
}

int grid_dev_sandbox_unbind(int fd, struct grid_ioc_sandbox *sb)
{
	return call(fd, GRID_IOC_SANDBOX_UNBIND, sb, sizeof(*sb));
}

int grid_dev_self(int fd, struct grid_self *self)
{
	memset(self, 0, sizeof(*self));
	return call(fd, GRID_IOC_SELF, self, sizeof(*self));
}

_Static_assert(sizeof(struct grid_ioc_cpu_watch) == GRID_IOC_CPU_WATCH_SIZE_VER1,
	       "struct grid_ioc_cpu_watch is not its VER1 size");

int grid_dev_cpu_watch(int fd, struct grid_ioc_cpu_watch *w)
{
	return call(fd, GRID_IOC_CPU_WATCH, w, sizeof(*w));
}

int grid_dev_cpu_unwatch(int fd, struct grid_ioc_cpu_watch *w)
{
	return call(fd, GRID_IOC_CPU_UNWATCH, w, sizeof(*w));
}

int grid_dev_cpu_watch_get(int fd, struct grid_ioc_cpu_watch *w)
{
	return call(fd, GRID_IOC_CPU_WATCH_GET, w, sizeof(*w));
}
