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

TEST(object_structs_keep_their_published_sizes)
{
	CHECK(sizeof(struct grid_limits) == 80);
	CHECK(sizeof(struct grid_ioc_grid) == GRID_IOC_GRID_SIZE_VER0);
	CHECK(sizeof(struct grid_ioc_gridgrid) == GRID_IOC_GRIDGRID_SIZE_VER0);
	CHECK(sizeof(struct grid_ioc_share) == GRID_IOC_SHARE_SIZE_VER1);
	CHECK(sizeof(struct grid_ioc_peer) == GRID_IOC_PEER_SIZE_VER0);
	CHECK(sizeof(struct grid_ioc_lease) == GRID_IOC_LEASE_SIZE_VER1);
	CHECK(sizeof(struct grid_ioc_cpu_watch) == GRID_IOC_CPU_WATCH_SIZE_VER1);
	CHECK(sizeof(struct grid_ioc_lease_ref) == GRID_IOC_LEASE_REF_SIZE_VER0);
	CHECK(sizeof(struct grid_ioc_sandbox) == GRID_IOC_SANDBOX_SIZE_VER0);
	CHECK(sizeof(struct grid_self) == GRID_SELF_SIZE_VER0);
}

TEST(object_structs_have_no_hidden_padding)
{
	CHECK(offsetof(struct grid_limits, budget_period_s) == 72);
	CHECK(offsetof(struct grid_ioc_share, limits) == 40);
	CHECK(offsetof(struct grid_ioc_peer, n_gridgrids) == 72);
	CHECK(offsetof(struct grid_ioc_peer, gridgrids) == 80);
	CHECK(offsetof(struct grid_ioc_lease, limits) == 120);
	CHECK(offsetof(struct grid_ioc_lease, not_before_ns) == 200);
	CHECK(offsetof(struct grid_ioc_lease, blob) == 216);
	CHECK(offsetof(struct grid_ioc_lease, state) == 228);
	CHECK(offsetof(struct grid_ioc_sandbox, cgroup_fd) == 24);
	CHECK(offsetof(struct grid_self, limits) == 56);
	CHECK(offsetof(struct grid_self, cgroup_id) == 160);
	CHECK(offsetof(struct grid_self, pids_current) == 184);
	CHECK(offsetof(struct grid_ioc_share, cgroup_fd) == 120);
	CHECK(offsetof(struct grid_ioc_lease, exhausted) == 232);
	CHECK(offsetof(struct grid_ioc_cpu_watch, error) == 56);
}

TEST(object_ioctls_encode_the_published_sizes)
{
	CHECK(_IOC_SIZE(GRID_IOC_GRID_ADD) == GRID_IOC_GRID_SIZE_VER0);
	CHECK(_IOC_SIZE(GRID_IOC_LEASE_ADD) == GRID_IOC_LEASE_SIZE_VER0);
	/* Structs that grew keep the numbers their first callers use. */
	CHECK(GRID_IOC_LEASE_ADD == 0xc0e8b80eu);
	CHECK(GRID_IOC_SHARE_SET == 0xc078b809u);
	CHECK(GRID_IOC_CPU_WATCH == 0xc038b815u);
	CHECK(_IOC_SIZE(GRID_IOC_LEASE_REVOKE) == GRID_IOC_LEASE_REF_SIZE_VER0);
	CHECK(_IOC_SIZE(GRID_IOC_SELF) == GRID_SELF_SIZE_VER0);
	CHECK(_IOC_NR(GRID_IOC_GRID_ADD) == 0x02);
	CHECK(_IOC_NR(GRID_IOC_SELF) == 0x14);
	CHECK(_IOC_TYPE(GRID_IOC_SELF) == GRID_IOC_MAGIC);
}
