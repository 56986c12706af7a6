// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl kernel OBJECT ...: grid.ko's objects, changed directly, without
 * gridd. For tests and recovery: while gridd runs it is the one owner of
 * the grids, grid-grids, shares and leases it made, and a change made here
 * behind its back is reported by gridd, not undone.
 */
#include "gridctl.h"

int do_kernel(int argc, char **argv)
{
	static const struct gridctl_cmd objects[] = {
		{ "grid", do_grid, "local security domains: name, key, parent" },
		{ "gridgrid", do_gridgrid, "federations this machine shares with" },
		{ "share", do_share, "this machine's share for a grid-grid" },
		{ "peer", do_peer, "remote grids and the grid-grids they are in" },
		{ "lease", do_lease, "leases out of a share" },
		{ "sandbox", do_sandbox, "cgroups bound to a lease" },
		{ NULL, NULL, NULL },
	};

	return gridctl_dispatch("gridctl kernel", objects, argc, argv);
}
