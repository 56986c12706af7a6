// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl status [ via { ioctl | netlink } ]
 *
 * Asks the module through both of its doors (or the one named) and shows
 * what each answered, so that a disagreement between them is visible.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dev.h"
#include "nl.h"
#include "print.h"
#include "gridctl.h"

struct answer {
	const char *via;
	char release[GRID_RELEASE_LEN];
	uint32_t abi;
	struct grid_status st;
	uint64_t generation;		/* netlink only: 0 there is none */
};

static int ask_ioctl(struct answer *a)
{
	struct grid_version v;
	int fd, ret;

	a->via = "ioctl";
	ret = grid_dev_open(&fd);
	if (ret == -EPROTO)
		return gridctl_fail("status", "grid.ko does not speak ABI %d as gridctl does; rebuild one of them",
				    GRID_ABI_VERSION);
	if (ret == -ENOENT)
		return gridctl_fail("status", "%s does not exist; is grid.ko loaded?",
				    GRID_DEV_PATH);
	if (ret)
		return gridctl_fail("status", "cannot open %s: %s",
				    GRID_DEV_PATH, strerror(-ret));
	ret = grid_dev_version(fd, &v);
	if (!ret)
		ret = grid_dev_status(fd, &a->st);
	close(fd);
	if (ret)
		return gridctl_fail("status", "%s refused the request: %s",
				    GRID_DEV_PATH, strerror(-ret));
	snprintf(a->release, sizeof(a->release), "%s", v.release);
	a->abi = v.abi;
	return 0;
}

static int ask_netlink(struct answer *a)
{
	struct grid_nl_status s;
	struct grid_nl *nl;
	int ret;

	a->via = "netlink";
	ret = grid_nl_open(&nl);
	if (ret == -ENOENT)
		return gridctl_fail("status", "the netlink family '%s' is not registered; is grid.ko loaded?",
				    GRID_GENL_NAME);
	if (ret)
		return gridctl_fail("status", "cannot reach the netlink family '%s': %s",
				    GRID_GENL_NAME, strerror(-ret));
	ret = grid_nl_status(nl, &s);
	if (ret) {
		const char *why = grid_nl_extack(nl);

		gridctl_fail("status", "netlink status request failed: %s%s%s",
			     strerror(-ret), *why ? ": " : "", why);
		grid_nl_close(nl);
		return 1;
	}
	grid_nl_close(nl);
	snprintf(a->release, sizeof(a->release), "%s", s.release);
	a->abi = s.abi;
	a->st = s.counts;
	a->generation = s.generation;
	return 0;
}

static void show(const struct answer *a)
{
	print_obj_open(a->via);
	print_str(PRINT_ANY, "via", "%-8s", a->via);
	print_str(PRINT_JSON, "release", NULL, a->release);
	print_u64(PRINT_JSON, "abi", NULL, a->abi);
	print_u64(PRINT_ANY, "grids", " %6" PRIu64, a->st.grids);
	print_u64(PRINT_ANY, "gridgrids", " %10" PRIu64, a->st.gridgrids);
	print_u64(PRINT_ANY, "peers", " %6" PRIu64, a->st.peers);
	print_u64(PRINT_ANY, "leases", " %7" PRIu64, a->st.leases);
	print_u64(PRINT_ANY, "sandboxes", " %10" PRIu64, a->st.sandboxes);
	print_u64(PRINT_ANY, "handles", " %8" PRIu64, a->st.handles);
	/* Where a reader that lost events resyncs from (see monitor). */
	if (a->generation)
		print_u64(PRINT_JSON, "generation", NULL, a->generation);
	print_text("\n");
	print_obj_close();
}

/* gridd's part: the grid, its role here, who the caller acts as. */
static void show_gridd(struct grid_api_in *in)
{
	const struct grid_api_map *m = in->n_items ? &in->items[0] : NULL;

	print_obj_open("gridd");
	if (m && grid_api_has(m, GRID_A_NAME)) {
		print_str(PRINT_ANY, "grid", "gridd: grid %s", m->t[GRID_A_NAME]);
		gridctl_print_hexkey("key", " key %s\n", m->b[GRID_A_KEY]);
		print_u64(PRINT_ANY, "gridgrids", "gridd: member of %" PRIu64 " grid-grids\n",
			  m->u[GRID_A_COUNT]);
	} else {
		print_null("grid");
		print_text("gridd: no grid yet (gridctl init NAME)\n");
	}
	if (m) {
		print_str(PRINT_ANY, "role", "gridd: %s", m->t[GRID_A_ROLE]);
		print_str(PRINT_ANY, "kernel", " (%s)\n", m->t[GRID_A_KERNEL]);
		if (grid_api_has(m, GRID_A_UID))
			print_u64(PRINT_JSON, "uid", NULL, m->u[GRID_A_UID]);
		if (grid_api_has(m, GRID_A_HOLDER))
			print_str(PRINT_ANY, "acting_as", "gridd: you act as %s\n",
				  m->t[GRID_A_HOLDER]);
		else if (grid_api_has(m, GRID_A_UID))
			print_u64(PRINT_TEXT, NULL,
				  "gridd: uid %" PRIu64 " acts as no agent of this grid\n",
				  m->u[GRID_A_UID]);
	}
	print_obj_close();
	grid_api_in_free(in);
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: gridctl status [ via { ioctl | netlink } ]\n");
}

int do_status(int argc, char **argv)
{
	struct answer ans[2];
	struct grid_api_in in;
	bool use_ioctl = true, use_nl = true, has_gridd;
	int n = 0, i;

	if (argc >= 1 && gridctl_is_help(argv[0])) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[0], "via") &&
	    (!strcmp(argv[1], "ioctl") || !strcmp(argv[1], "netlink"))) {
		use_ioctl = !strcmp(argv[1], "ioctl");
		use_nl = !use_ioctl;
	} else if (argc) {
		usage(stderr);
		return gridctl_usage("status", "unexpected argument '%s'",
				     argv[0]);
	}

	memset(ans, 0, sizeof(ans));
	/*
	 * With gridd up and no module (a traveller's laptop), the status is
	 * gridd's alone: consumer only, which it says.
	 */
	has_gridd = !argc && gridctl_has_gridd();
	if (has_gridd && access(GRID_DEV_PATH, F_OK)) {
		if (gridctl_call("status", GRID_OP_STATUS, NULL, &in))
			return 1;
		print_start(stdout, gridctl_json, gridctl_pretty);
		print_null("release");
		print_text("no grid.ko on this machine\n");
		show_gridd(&in);
		return print_end() ? 1 : 0;
	}
	if (use_ioctl && ask_ioctl(&ans[n++]))
		return 1;
	if (use_nl && ask_netlink(&ans[n++]))
		return 1;
	if (has_gridd && gridctl_call("status", GRID_OP_STATUS, NULL, &in))
		return 1;

	print_start(stdout, gridctl_json, gridctl_pretty);
	print_str(PRINT_ANY, "release", "grid.ko %s", ans[0].release);
	print_u64(PRINT_ANY, "abi", " (abi %" PRIu64 ")\n", ans[0].abi);
	print_text("%-8s %6s %10s %6s %7s %10s %8s\n", "via", "grids",
		   "gridgrids", "peers", "leases", "sandboxes", "handles");
	for (i = 0; i < n; i++)
		show(&ans[i]);
	if (has_gridd)
		show_gridd(&in);
	return print_end() ? 1 : 0;
}
