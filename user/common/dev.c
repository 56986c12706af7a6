// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dev.h"

int grid_dev_version(int fd, struct grid_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	if (ioctl(fd, GRID_IOC_VERSION, v) < 0)
		return -errno;
	/* The kernel may know more than we do, never less than VER0. */
	v->release[sizeof(v->release) - 1] = '\0';
	return 0;
}

int grid_dev_status(int fd, struct grid_status *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	if (ioctl(fd, GRID_IOC_STATUS, st) < 0)
		return -errno;
	return 0;
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
