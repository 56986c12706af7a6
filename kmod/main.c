// SPDX-License-Identifier: GPL-2.0
/*
 * grid.ko: wires the subsystems together, nothing more.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "grid.h"

static int __init grid_init(void)
{
	int ret;

	ret = grid_lease_init();
	if (ret)
		goto err_lease;
	ret = grid_genl_init();
	if (ret)
		goto err_genl;
	ret = grid_gridfs_init();
	if (ret)
		goto err_gridfs;
	ret = grid_dev_init();
	if (ret)
		goto err_dev;

	pr_info("grid " GRID_RELEASE " (abi %u) loaded\n", GRID_ABI_VERSION);
	return 0;

err_dev:
	grid_gridfs_uninit();
err_gridfs:
	grid_genl_uninit();
err_genl:
	grid_lease_uninit();
err_lease:
	return ret;
}

static void __exit grid_exit(void)
{
	/*
	 * No /dev/grid file is open (each holds a module reference), so no
	 * new change can arrive. Tear down in dependency order: sandboxes
	 * (killing what runs in them) before their leases, leases before
	 * the grid-grids and grids they refer to.
	 */
	grid_dev_uninit();
	grid_gridfs_uninit();
	grid_cpu_watches_flush();
	grid_sandboxes_flush();
	grid_leases_flush();
	grid_peers_flush();
	grid_gridgrids_flush();
	grid_grids_flush();
	grid_genl_uninit();
	grid_lease_uninit();
	/* A count left over here is a leak in some subsystem's teardown. */
	WARN_ON(!grid_objects_none_left());
	pr_info("grid unloaded\n");
}

module_init(grid_init);
module_exit(grid_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("grid: kernel control plane for sharing compute between owners");
MODULE_AUTHOR("The grid authors");
MODULE_VERSION(GRID_RELEASE);
MODULE_ALIAS_GENL_FAMILY(GRID_GENL_NAME);
