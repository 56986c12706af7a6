/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GRIDCTL_H
#define GRIDCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/grid.h>

#include "proto.h"

struct grid_nl;
struct grid_obj_limits;

struct gridctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;	/* one line: a description, or the grammar */
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

/*
 * Runs the entry of @cmds that @argv[0] names exactly, or fails with usage.
 * Below the top level, "OBJECT COMMAND help" prints that command's grammar.
 */
int gridctl_dispatch(const char *what, const struct gridctl_cmd *cmds,
		     int argc, char **argv);
bool gridctl_is_help(const char *arg);
void gridctl_list_cmds(FILE *out, const char *what,
		       const struct gridctl_cmd *cmds);

/* door.c: the module's two doors, opened with a message on failure (1). */
int gridctl_dev(const char *what, int *fd);
int gridctl_nl(const char *what, struct grid_nl **nl);
/*
 * A failed request in the words common to every object (permissions, an
 * older module, a reply we cannot read); @nl adds the kernel's extended
 * ack if there is one. Returns 1.
 */
int gridctl_fail_errno(const char *what, int err, const struct grid_nl *nl);
/* A change that worked: nothing in text, an empty object with -j. */
int gridctl_done(void);
/* CLOCK_REALTIME now, in nanoseconds. */
int64_t gridctl_now_ns(void);

/* words.c: one word's value, or a usage error naming the word (NULL/2). */
const char *gridctl_value(const char *what, int argc, char **argv, int *i);
int gridctl_name(const char *what, const char *word, const char *val,
		 char name[GRID_NAME_LEN]);
int gridctl_key(const char *what, const char *word, const char *val,
		uint8_t key[GRID_KEY_LEN]);
int gridctl_u64(const char *what, const char *word, const char *val,
		uint64_t *out);
int gridctl_time(const char *what, const char *word, const char *val,
		 int64_t *ns);

#define GRIDCTL_LIMITS_HELP "cpu CORES | cpu-quota US cpu-period US | cpu-budget DURATION | memory SIZE | pids N | egress-rate RATE | ingress-rate RATE | egress-budget SIZE | ingress-budget SIZE | period DURATION"

/*
 * The LIMITS words of shares and leases, as given on the command line:
 * @given has bit (1 << GRID_LIMITS_A_x) for each field named, and
 * GRID_LIMITS_A_CPU_RATE for "cpu CORES".
 */
struct gridctl_limits {
	struct grid_limits l;
	uint64_t nanocores;
	uint32_t given;
};

/* 1 if argv[*i] was a LIMITS word (now consumed), 0 if not, 2 on error. */
int gridctl_limits_word(const char *what, int argc, char **argv, int *i,
			struct gridctl_limits *e);
/* Puts the given fields over @base (read-modify-write). */
void gridctl_limits_apply(const struct gridctl_limits *e,
			  struct grid_limits *base);
/* No limit on anything, the default CPU period, @budget_period_s. */
void gridctl_limits_unlimited(struct grid_limits *l, uint32_t budget_period_s);
void gridctl_limits_from(struct grid_obj_limits *out,
			 const struct grid_limits *l);

/* show.c: printing shared by the objects. */
void gridctl_print_key(const char *key, const char *text_fmt,
		       const uint8_t k[GRID_KEY_LEN]);
/* JSON: @key in Unix seconds and @key_ns; text: @text_fmt with RFC 3339. */
void gridctl_print_time(const char *key, const char *text_fmt, int64_t ns);
/*
 * A limits nest: every field in JSON under @key; in text, the finite ones
 * of @l as LIMITS words, or those finite in @mask if it is given (to show
 * the used sums beside a share).
 */
void gridctl_print_limits(const char *key, const struct grid_obj_limits *l,
			  const struct grid_obj_limits *mask);

/* A list is one JSON array under @key, started once the dump has worked. */
struct gridctl_list {
	const char *key;
	bool started;
};

void gridctl_list_item(struct gridctl_list *l);
int gridctl_list_end(struct gridctl_list *l);

/* share.c: why the share of @gridgrid refused @req (-EDQUOT). Returns 1. */
int gridctl_share_refusal(const char *what, struct grid_nl *nl,
			  const char *gridgrid, const struct grid_limits *req,
			  const struct grid_obj_limits *old, uint32_t exhausted);

/* client.c: gridd's local API (GRID_SOCKET or -S names the socket). */
extern const char *gridctl_socket;
/*
 * One request to gridd; on success *@in holds the answer (free it with
 * grid_api_in_free()). Failures, gridd's sentences among them, are
 * reported here: returns 1.
 */
int gridctl_call(const char *what, uint32_t op, const struct grid_api_map *args,
		 struct grid_api_in *in);
int gridctl_has_gridd(void);
/* A key or id in hex; text only if @fmt is given. */
void gridctl_print_hexkey(const char *key, const char *fmt, const uint8_t *pk);
int gridctl_seconds(const char *what, const char *word, const char *val,
		    uint64_t *secs);
/* owner.c: a document of @in's items (a JSON array @list, if given). */
void gridctl_print_items(const struct grid_api_in *in, const char *list,
			 void (*one)(const struct grid_api_map *m));
int gridctl_items_end(struct grid_api_in *in);
int gridctl_gridd_status(void);

int do_init(int argc, char **argv);
int do_agent(int argc, char **argv);
int do_record(int argc, char **argv);
int do_grid_owner(int argc, char **argv);
int do_gridgrid_owner(int argc, char **argv);
int do_share_owner(int argc, char **argv);
int do_lease_owner(int argc, char **argv);
int do_kernel(int argc, char **argv);

int do_status(int argc, char **argv);
int do_grid(int argc, char **argv);
int do_gridgrid(int argc, char **argv);
int do_share(int argc, char **argv);
int do_peer(int argc, char **argv);
int do_peering(int argc, char **argv);
int do_lease(int argc, char **argv);
int do_sandbox(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_self(int argc, char **argv);
int do_top(int argc, char **argv);
int do_quota(int argc, char **argv);

/* quota_show.c: "quota [list]" and "quota show GG"; argv after the verb. */
int quota_list(int argc, char **argv);
int quota_show(int argc, char **argv);

#endif
