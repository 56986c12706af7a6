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
	{ "status", do_status, "module version and object counts" },
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
