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
 * Called before either prints, if set: run and job attach put the
 * terminal back out of raw mode, so that the sentence reads as one.
 */
extern void (*gridctl_report_hook)(void);

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
/* A measured time as a person reads it: "850us", "1.25s", "2m05s" (@len: GRID_FMT_LEN). */
const char *gridctl_fmt_elapsed(char *buf, size_t len, uint64_t ns);
/*
 * A limits nest: every field in JSON under @key; in text, the finite ones
 * of @l as LIMITS words, or those finite in @mask if it is given (to show
 * the used sums beside a share).
 */
void gridctl_print_limits(const char *key, const struct grid_obj_limits *l,
			  const struct grid_obj_limits *mask);

/*
 * Text another party wrote (a provider's REASON, a peer's name, gridd's
 * sentences that carry them), made safe to show on a terminal: each
 * control byte (below 0x20, 0x7f) and each byte that is not part of
 * well-formed UTF-8, or is a C1 control in it, becomes '?', so that the
 * text can neither move the cursor, recolour the screen or set the
 * window's title, nor end a line and begin a forged one. @dst (@len
 * bytes) may be @src itself; returns @dst.
 */
char *gridctl_clean(char *dst, size_t len, const char *src);
/* Such text in JSON as it is (JSON escapes it), in text cleaned. */
void gridctl_print_said(const char *key, const char *text_fmt, const char *s);

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
/*
 * The same in parts, for a connection that carries many requests. Each
 * reports its failure and returns 1; a refusal is an answer (in->status
 * and in->msg), for the caller to act on or to report with
 * gridctl_refused(), which frees @in.
 */
int gridctl_connect(const char *what, int *fd);
int gridctl_ask(const char *what, int fd, uint32_t op,
		const struct grid_api_map *args, struct grid_api_in *in);
/* An answer read whole (@buf, malloc()ed, goes to @in or is freed). */
int gridctl_answer(const char *what, uint8_t *buf, size_t len,
		   struct grid_api_in *in);
int gridctl_no_answer(const char *what, int err);
int gridctl_refused(const char *what, struct grid_api_in *in);
int gridctl_has_gridd(void);
/* A key or id in hex; text only if @fmt is given. */
void gridctl_print_hexkey(const char *key, const char *fmt, const uint8_t *pk);
int gridctl_seconds(const char *what, const char *word, const char *val,
		    uint64_t *secs);
/*
 * provide.c: the LIMITS words of gridd's leases ("cpu 20%", "memory 2GB",
 * "egress-budget 10G/day"): 1 if argv[*i] is none, 0 when one was read
 * (*@i is on its value), 2 on a usage error.
 */
int gridctl_owner_limit(const char *what, int argc, char **argv, int *i,
			struct gridctl_limits *e, uint32_t *period);
/* A lease's limits from those words: unlimited where not given; 0 or 2. */
int gridctl_lease_limits(const char *what, struct gridctl_limits *e,
			 uint32_t period, struct grid_limits *l);
/* A lease-request's arguments; @req, its id, is made here. */
void gridctl_lease_request_args(struct grid_api_map *a, const char *gridgrid,
				const char *provider, uint64_t secs,
				const struct grid_limits *l, uint8_t req[16]);

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
int do_run(int argc, char **argv);
int do_job(int argc, char **argv);
int do_jobs(int argc, char **argv);
int do_ledger(int argc, char **argv);
int do_selftest(int argc, char **argv);

/*
 * job_stream.c: a job's streams, shared by run and job attach. Standard
 * input goes to the job, its output and error output to ours, from the
 * offsets given (what was written out before), until it ends; @tty puts
 * our terminal in raw mode for the while. @attach: the job was started by
 * another client, our input follows what it has been given, and the
 * remote terminal takes our size. @fd is a connection to gridd (-1: make
 * one), closed here. Returns the exit status: the job's as ssh gives it
 * (its code, or 128 + the signal), or 255 when gridctl failed (said on
 * stderr).
 */
struct gridctl_job {
	uint8_t id[16];
	char provider[GRID_API_TEXT_MAX + 1];
	bool tty, verbose, attach;
	uint64_t out_off, err_off;
};
int gridctl_job_stream(const char *what, int fd, const struct gridctl_job *j);
/* gridctl's own failures in run and attach: 0 to 255 are the job's. */
#define GRIDCTL_RUN_FAILED 255
/* A line on stderr that does not end the job (-v's), raw mode or not. */
void gridctl_note(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The size of whichever of stdin and stdout is a terminal. */
bool gridctl_term_size(uint64_t *rows, uint64_t *cols);

/* jobs.c: signals by number or name ("TERM", "SIGKILL", "9"); 0 or -EINVAL. */
int gridctl_signal_parse(const char *s, int *sig);
/* "KILL", or NULL for a number without a name. */
const char *gridctl_signal_name(int sig);
/* A wait status as a process's exit status, as a shell gives it. */
int gridctl_wait_code(uint64_t status);
void gridctl_job_hex(char hex[33], const uint8_t id[16]);

/* quota_show.c: "quota [list]" and "quota show GG"; argv after the verb. */
int quota_list(int argc, char **argv);
int quota_show(int argc, char **argv);

#endif
