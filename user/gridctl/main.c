// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl: the admin CLI. Grammar of ip(8) and bpftool(8):
 *   gridctl [-j] [-p] OBJECT { COMMAND | help }
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/grid.h>

#include "print.h"
#include "gridctl.h"

bool gridctl_json;
bool gridctl_pretty;

static void vreport(const char *what, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (gridctl_json) {
		fputs("{\"error\":", stdout);
		json_write_string(stdout, msg);
		fputs("}\n", stdout);
		fflush(stdout);
	} else {
		fprintf(stderr, "gridctl: %s: %s\n", what, msg);
	}
}

int gridctl_fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(what, fmt, ap);
	va_end(ap);
	return 1;
}

int gridctl_usage(const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(what, fmt, ap);
	va_end(ap);
	return 2;
}

bool gridctl_is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

static void list_cmds(FILE *out, const char *what,
		      const struct gridctl_cmd *cmds)
{
	const struct gridctl_cmd *c;

	fprintf(out, "Usage: %s [-j] [-p] OBJECT { COMMAND | help }\n", what);
	for (c = cmds; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->help);
}

int gridctl_dispatch(const char *what, const struct gridctl_cmd *cmds,
		     int argc, char **argv)
{
	const struct gridctl_cmd *c;

	if (argc < 1)
		return gridctl_usage(what, "missing command; try '%s help'",
				     what);
	if (gridctl_is_help(argv[0])) {
		list_cmds(stdout, what, cmds);
		return 0;
	}
	/* Exact names only: abbreviations would break when names are added. */
	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			return c->run(argc - 1, argv + 1);
	return gridctl_usage(what, "unknown command '%s'; try '%s help'",
			     argv[0], what);
}

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
			list_cmds(stdout, "gridctl", objects);
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
