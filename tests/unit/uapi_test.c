// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi is a promise: published struct sizes, offsets and ioctl numbers
 * never change. These tests fail if an edit breaks an existing binary.
 */
#define UNIT_SUITE "unit/uapi"
#include <stddef.h>
#include <linux/grid.h>

#include "unit.h"

TEST(version_struct_keeps_its_published_layout)
{
	CHECK(sizeof(struct grid_version) == GRID_VERSION_SIZE_VER0);
	CHECK(offsetof(struct grid_version, size) == 0);
	CHECK(offsetof(struct grid_version, abi) == 4);
	CHECK(offsetof(struct grid_version, release) == 8);
}

TEST(status_struct_keeps_its_published_layout)
{
	CHECK(sizeof(struct grid_status) == GRID_STATUS_SIZE_VER0);
	CHECK(offsetof(struct grid_status, size) == 0);
	CHECK(offsetof(struct grid_status, flags) == 4);
	CHECK(offsetof(struct grid_status, grids) == 8);
	CHECK(offsetof(struct grid_status, handles) == 48);
}

TEST(ioctl_numbers_are_stable)
{
	CHECK(GRID_IOC_VERSION == 0xc048b800u);
	CHECK(GRID_IOC_STATUS == 0xc038b801u);
}

TEST(netlink_numbers_are_stable)
{
	CHECK(GRID_CMD_GET_STATUS == 1);
	CHECK(GRID_STATUS_A_RELEASE == 2);
	CHECK(GRID_STATUS_A_HANDLES == 9);
	CHECK(GRID_GENL_VERSION == 1);
}
