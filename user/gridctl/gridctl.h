/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GRIDCTL_H
#define GRIDCTL_H

#include <stdbool.h>
#include <stdio.h>

struct gridctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;	/* one line */
};

extern bool gridctl_json;
extern bool gridctl_pretty;

/*
 * Reports a failure at the edge, where the context is: on stderr as
 * "gridctl: <what>: <message>", or with -j as {"error": "..."} on stdout so
 * that stdout always parses. Returns 1, the exit status for a failure.
 */
int gridctl_fail(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same for a usage error; returns 2. */
int gridctl_usage(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Runs the entry of @cmds that @argv[0] names exactly, or fails with usage. */
int gridctl_dispatch(const char *what, const struct gridctl_cmd *cmds,
		     int argc, char **argv);
bool gridctl_is_help(const char *arg);
void gridctl_list_cmds(FILE *out, const char *what,
		       const struct gridctl_cmd *cmds);

int do_status(int argc, char **argv);

#endif
