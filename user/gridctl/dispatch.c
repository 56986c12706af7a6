// SPDX-License-Identifier: GPL-2.0
/* Command dispatch and error reporting, shared by every gridctl object. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "print.h"
#include "gridctl.h"

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

void gridctl_list_cmds(FILE *out, const char *what,
		       const struct gridctl_cmd *cmds)
{
	const struct gridctl_cmd *c;

	if (!strcmp(what, "gridctl"))
		fprintf(out, "Usage: gridctl [-j] [-p] OBJECT { COMMAND | help }\n");
	else
		fprintf(out, "Usage: %s { COMMAND | help }\n", what);
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
		gridctl_list_cmds(stdout, what, cmds);
		return 0;
	}
	/* Exact names only: abbreviations would break when names are added. */
	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			return c->run(argc - 1, argv + 1);
	return gridctl_usage(what, "unknown command '%s'; try '%s help'",
			     argv[0], what);
}
