// SPDX-License-Identifier: GPL-2.0
/* Command dispatch and error reporting, shared by every gridctl object. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "print.h"
#include "gridctl.h"

void (*gridctl_report_hook)(void);

static void vreport(const char *what, const char *fmt, va_list ap)
{
	char msg[512];

	if (gridctl_report_hook)
		gridctl_report_hook();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Sentences carry gridd's, and through them a provider's: cleaned. */
	gridctl_clean(msg, sizeof(msg), msg);
	if (gridctl_json) {
		fputs("{\"error\":", stdout);
		json_write_string(stdout, msg);
		fputs("}\n", stdout);
		fflush(stdout);
	} else {
		/* "gridctl lease" is said "gridctl: lease: ...", once. */
		if (!strncmp(what, "gridctl", 7) && (!what[7] || what[7] == ' '))
			what += what[7] ? 8 : 7;
		if (*what)
			fprintf(stderr, "gridctl: %s: %s\n", what, msg);
		else
			fprintf(stderr, "gridctl: %s\n", msg);
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
		fprintf(out, "Usage: gridctl [-j] [-p] [-S SOCKET] OBJECT { COMMAND | help }\n       gridctl -V\n");
	else
		fprintf(out, "Usage: %s { COMMAND | help }\n", what);
	for (c = cmds; c->name; c++) {
		if (*c->help)
			fprintf(out, "  %-10s %s\n", c->name, c->help);
		else
			fprintf(out, "  %s\n", c->name);
	}
}

int gridctl_dispatch(const char *what, const struct gridctl_cmd *cmds,
		     int argc, char **argv)
{
	const struct gridctl_cmd *c;
	/* Tables of objects, whose entries answer "help" for themselves. */
	bool objects = !strcmp(what, "gridctl") ||
		       !strcmp(what, "gridctl kernel");

	if (argc < 1)
		return gridctl_usage(what, "missing command; try '%s help'",
				     what);
	if (gridctl_is_help(argv[0])) {
		gridctl_list_cmds(stdout, what, cmds);
		return 0;
	}
	/* Exact names only: abbreviations would break when names are added. */
	for (c = cmds; c->name; c++) {
		if (strcmp(c->name, argv[0]))
			continue;
		/*
		 * Below the top level the help line is the grammar, so
		 * "gridctl lease add help" can print it. At the top and
		 * under "kernel", the objects answer for themselves.
		 */
		if (!objects && argc > 1 &&
		    gridctl_is_help(argv[1])) {
			printf("Usage: %s %s%s%s\n", what, c->name,
			       *c->help ? " " : "", c->help);
			return 0;
		}
		return c->run(argc - 1, argv + 1);
	}
	return gridctl_usage(what, "unknown %s '%s'; try '%s help'",
			     objects ? "object" : "command",
			     argv[0], what);
}
