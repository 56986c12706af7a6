/* SPDX-License-Identifier: GPL-2.0 */
/* The /dev/grid door, one function per ioctl. All return 0 or -errno. */
#ifndef GRID_DEV_H
#define GRID_DEV_H

#include <linux/grid.h>

#define GRID_DEV_PATH "/dev/" GRID_DEVICE_NAME

/* Opens /dev/grid and checks that the module speaks our ABI (-EPROTO if not). */
int grid_dev_open(int *fd);
int grid_dev_version(int fd, struct grid_version *v);
int grid_dev_status(int fd, struct grid_status *st);

#endif
