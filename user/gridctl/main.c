// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl: the admin CLI. Grammar of ip(8) and bpftool(8):
 *   gridctl [-j] [-p] OBJECT { COMMAND | help }
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/grid.h>

#include "print.h"
#include "gridctl.h"

bool gridctl_json;
bool gridctl_pretty;

static const struct gridctl_cmd objects[] = {
	{ "status", do_status, "module version and object counts, and gridd's" },
	{ "init", do_init, "make this machine's grid: its key and name (gridd)" },
	{ "agent", do_agent, "the grid's users and services, with their keys (gridd)" },
	{ "grid", do_grid_owner, "member grids this grid certifies (gridd)" },
	{ "gridgrid", do_gridgrid_owner, "create, invite, join and leave grid-grids (gridd)" },
	{ "share", do_share_owner, "this machine's share for a grid-grid (gridd)" },
	{ "lease", do_lease_owner, "signed leases: issue, renew, revoke, import (gridd)" },
	{ "record", do_record, "the signed records gridd keeps" },
	{ "kernel", do_kernel, "grid.ko's objects directly, for tests and recovery" },
	{ "peer", do_peering, "grids this one talks to over the network (gridd)" },
	{ "run", do_run, "run a command on a peer, as ssh does: run on PEER -- CMD (gridd)" },
	{ "job", do_job, "remote jobs: list, attach, kill (gridd)" },
	{ "jobs", do_jobs, "the remote jobs, as 'job list' (gridd)" },
	{ "ledger", do_ledger, "what this grid provided to and used from each peer (gridd)" },
	{ "selftest", do_selftest, "the sandbox's isolation checks, before others' jobs run here (gridd)" },
	{ "sandbox", do_sandbox, "cgroups bound to a lease" },
	{ "monitor", do_monitor, "print the module's events as they happen" },
	{ "self", do_self, "from inside a sandbox: its lease and usage" },
	{ "top", do_top, "what each grid-grid uses now, refreshed" },
	{ "quota", do_quota, "network and CPU quotas of grid-grids (BPF)" },
	{ NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			gridctl_json = true;
		} else if (!strcmp(o, "-p") || !strcmp(o, "--pretty")) {
			gridctl_json = true;
			gridctl_pretty = true;
		} else if ((!strcmp(o, "-S") || !strcmp(o, "--socket")) &&
			   i + 1 < argc) {
			gridctl_socket = argv[++i];
		} else if (!strcmp(o, "-V") || !strcmp(o, "--version")) {
			printf("gridctl " GRID_RELEASE " (abi %d)\n",
			       GRID_ABI_VERSION);
			return 0;
		} else if (gridctl_is_help(o)) {
			gridctl_list_cmds(stdout, "gridctl", objects);
			return 0;
		} else if (!strcmp(o, "--")) {
			i++;
			break;
		} else {
			return gridctl_usage("gridctl", "unknown option '%s'",
					     o);
		}
	}
	/* With no object, an overview: for now that is the status. */
	if (i == argc)
		return do_status(0, NULL);
	return gridctl_dispatch("gridctl", objects, argc - i, argv + i);
}
