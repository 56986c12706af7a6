// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl selftest: gridd runs its isolation checks in a real sandbox
 * (user/gridd/selftest.c, user/jobinit/probe.c) and says each one's
 * outcome, one line each; until they pass on the kernel it runs, this
 * grid takes no other grid's job. Exit status 0 if every check passed,
 * 1 if one failed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "print.h"
#include "gridctl.h"

int do_selftest(int argc, char **argv)
{
	const char *what = "gridctl selftest";
	struct grid_api_map a;
	struct grid_api_in in;
	bool passed = false;
	uint32_t k;

	if (argc && gridctl_is_help(argv[0])) {
		printf("usage: gridctl selftest\n"
		       "  runs the sandbox's isolation checks on this machine (root);\n"
		       "  other grids' jobs are refused here until they pass on this kernel\n");
		return 0;
	}
	if (argc)
		return gridctl_usage(what, "takes no arguments");
	grid_api_map_init(&a);
	if (gridctl_call(what, GRID_OP_SELFTEST, &a, &in))
		return 1;
	print_start(stdout, gridctl_json, gridctl_pretty);
	print_arr_open("checks");
	for (k = 0; k < in.n_items; k++) {
		const struct grid_api_map *m = &in.items[k];
		bool pass = grid_api_has(m, GRID_A_STATE) && !strcmp(m->t[GRID_A_STATE], "pass");

		print_obj_open(NULL);
		print_str(PRINT_ANY, "check", "%s", m->t[GRID_A_NAME]);
		print_str(PRINT_ANY, "state", " %s", pass ? "pass" : "FAIL");
		if (grid_api_has(m, GRID_A_REASON))
			print_str(PRINT_ANY, "why", ": %s", m->t[GRID_A_REASON]);
		if (grid_api_has(m, GRID_A_KERNEL)) {
			print_str(PRINT_ANY, "kernel", " on %s", m->t[GRID_A_KERNEL]);
			print_u64(PRINT_ANY, "count", ", %" PRIu64 " checks", m->u[GRID_A_COUNT]);
			print_text(pass ? ": this grid takes other grids' jobs" :
				   ": this grid takes no other grid's job");
			passed = pass;
		}
		print_text("\n");
		print_obj_close();
	}
	print_arr_close();
	print_end();
	grid_api_in_free(&in);
	return passed ? 0 : 1;
}
