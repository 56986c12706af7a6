// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl run [on PEER] [in GRIDGRID] [lease ID] [LIMITS] [time DURATION]
 *             [net none|egress] [-t] [-v] -- CMD [ARGS...]
 *
 * A command run on a peer under a lease, its streams joined to ours
 * (job_stream.c) as ssh joins them. gridd starts the job (job-run) under
 * a lease this grid holds from the peer or, holding none, under one it
 * asks the peer for first (lease-request), in the grid-grid named or the
 * only one this grid is in.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "units.h"
#include "gridctl.h"

#define RUN_GRAMMAR "[on PEER] [in GRIDGRID] [lease ID] [cpu N] [memory SIZE] [LIMITS...] [time DURATION] [net none|egress] [-t] [-v] -- CMD [ARGS...]"

struct run_args {
	const char *on, *in, *net;
	uint64_t lease, secs;
	bool has_lease, has_time, has_limits, tty, verbose;
	struct grid_limits l;
	char **cmd;
	int n_cmd;
};

static int read_run(const char *what, int argc, char **argv,
		    struct run_args *r)
{
	struct gridctl_limits e = { 0 };
	char gg[GRID_NAME_LEN];
	uint32_t period = 0;
	const char *v;
	int i, ret;

	memset(r, 0, sizeof(*r));
	r->secs = 3600;
	for (i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		const char *w = argv[i];

		if (!strcmp(w, "-t")) {
			r->tty = true;
			continue;
		}
		if (!strcmp(w, "-v")) {
			r->verbose = true;
			continue;
		}
		if (!strcmp(w, "put") || !strcmp(w, "get"))
			return gridctl_usage(what, "'%s' (copying files %s the job) is not built yet",
					     w, *w == 'p' ? "to" : "from");
		if (strcmp(w, "on") && strcmp(w, "in") && strcmp(w, "lease") &&
		    strcmp(w, "time") && strcmp(w, "net")) {
			ret = gridctl_owner_limit(what, argc, argv, &i, &e,
						  &period);
			if (ret == 1)
				return gridctl_usage(what, "unknown word '%s'; the command to run comes after '--'",
						     w);
			if (ret)
				return ret;
			r->has_limits = true;
			continue;
		}
		v = gridctl_value(what, argc, argv, &i);
		if (!v)
			return 2;
		if (!strcmp(v, "--"))
			return gridctl_usage(what, "'%s' needs a value", w);
		if (!strcmp(w, "on")) {
			r->on = v;
		} else if (!strcmp(w, "in")) {
			if (gridctl_name(what, w, v, gg))
				return 2;
			r->in = v;
		} else if (!strcmp(w, "lease")) {
			if (gridctl_u64(what, w, v, &r->lease))
				return 2;
			r->has_lease = true;
		} else if (!strcmp(w, "time")) {
			if (gridctl_seconds(what, w, v, &r->secs))
				return 2;
			r->has_time = true;
		} else {
			if (strcmp(v, "none") && strcmp(v, "egress"))
				return gridctl_usage(what, "'net' takes none or egress, not '%s'",
						     v);
			r->net = v;
		}
	}
	if (i == argc)
		return gridctl_usage(what, "missing '--' before the command: gridctl run on PEER [...] -- CMD [ARGS...]");
	if (i + 1 == argc)
		return gridctl_usage(what, "missing the command after '--'");
	if (!r->on)
		return gridctl_usage(what, "'on PEER' is needed: choosing a provider without it is not built yet");
	if (gridctl_lease_limits(what, &e, period, &r->l))
		return 2;
	r->cmd = argv + i + 1;
	r->n_cmd = argc - i - 1;
	return 0;
}

/* ARGV's bytes: each word NUL-terminated, one after another. */
static uint8_t *argv_bytes(char **words, int n, size_t *len)
{
	uint8_t *p;
	size_t at = 0;
	int i;

	*len = 0;
	for (i = 0; i < n; i++)
		*len += strlen(words[i]) + 1;
	p = malloc(*len);
	for (i = 0; p && i < n; i++) {
		memcpy(p + at, words[i], strlen(words[i]) + 1);
		at += strlen(words[i]) + 1;
	}
	return p;
}

/* The one grid-grid this grid is a member of, to ask for a lease in. */
static int one_gridgrid(const char *what, int fd, const char *peer,
			char gg[GRID_API_TEXT_MAX + 1])
{
	char names[256] = "";
	struct grid_api_in in;
	uint32_t i, n = 0;
	size_t at = 0;

	if (gridctl_ask(what, fd, GRID_OP_GG_LIST, NULL, &in))
		return 1;
	if (in.status)
		return gridctl_refused(what, &in);
	for (i = 0; i < in.n_items; i++) {
		const struct grid_api_map *m = &in.items[i];

		if (!grid_api_has(m, GRID_A_STATE) ||
		    strcmp(m->t[GRID_A_STATE], "member"))
			continue;
		if (!n++)
			snprintf(gg, GRID_API_TEXT_MAX + 1, "%s",
				 m->t[GRID_A_GRIDGRID]);
		if (at < sizeof(names))
			at += snprintf(names + at, sizeof(names) - at, "%s%s",
				       n > 1 ? ", " : "", m->t[GRID_A_GRIDGRID]);
	}
	grid_api_in_free(&in);
	if (n == 1)
		return 0;
	if (!n)
		return gridctl_fail(what, "this grid holds no lease from %s and is in no grid-grid to ask for one in: join one first ('gridctl gridgrid join')",
				    peer);
	return gridctl_fail(what, "this grid holds no lease from %s and is in %u grid-grids (%s): say which to ask for one in with 'in GRIDGRID'",
			    peer, n, names);
}

/* Asks @r->on for a lease (lease-request), after job-run said we hold none. */
static int ask_lease(const char *what, int fd, const struct run_args *r,
		     const char *why, uint64_t *lease)
{
	char gg[GRID_API_TEXT_MAX + 1], t[GRID_FMT_LEN];
	const struct grid_api_map *m;
	struct grid_api_map a;
	struct grid_api_in in;
	uint8_t req[16];
	bool said = false;

	if (r->in)
		snprintf(gg, sizeof(gg), "%s", r->in);
	else if (one_gridgrid(what, fd, r->on, gg))
		return 1;
	grid_api_map_init(&a);
	/* The same id asked again gets the first answer, never a second lease. */
	gridctl_lease_request_args(&a, gg, r->on, r->secs, &r->l, req);
	for (;;) {
		if (gridctl_ask(what, fd, GRID_OP_LEASE_REQUEST, &a, &in))
			return 1;
		if (!in.status)
			break;
		if (in.status != -EINPROGRESS) {
			gridctl_fail(what, "holding no lease from %s, asked it for one in %s: %s",
				     r->on, gg, in.msg[0] ? in.msg :
				     strerror(-in.status));
			grid_api_in_free(&in);
			return 1;
		}
		if (!said)
			gridctl_note(what, "%s; still waiting",
				     in.msg[0] ? in.msg : strerror(-in.status));
		said = true;
		grid_api_in_free(&in);
		sleep(1);
	}
	m = in.n_items ? &in.items[0] : NULL;
	if (!m || !grid_api_has(m, GRID_A_LEASE_ID)) {
		grid_api_in_free(&in);
		return gridctl_fail(what, "gridd's answer to lease-request holds no lease");
	}
	*lease = m->u[GRID_A_LEASE_ID];
	if (r->verbose)
		gridctl_note(what, "asked %s for a lease in %s (%s): lease %" PRIu64 ", live until %s",
			     r->on, gg, why[0] ? why : "none held", *lease,
			     grid_api_has(m, GRID_A_NOT_AFTER) ?
			     grid_format_time(t, sizeof(t),
					      (int64_t)m->u[GRID_A_NOT_AFTER] *
					      GRID_NSEC_PER_SEC) :
			     "its end");
	grid_api_in_free(&in);
	return 0;
}

/* -v: which lease the job runs under, and why that one. */
static void say_lease(const char *what, int fd, const struct run_args *r,
		      const char *provider, uint64_t lease, bool asked)
{
	char t[GRID_FMT_LEN + 32] = "";
	struct grid_api_map a;
	struct grid_api_in in;
	uint32_t i;

	if (asked) {
		gridctl_note(what, "using lease %" PRIu64 " from %s (asked for just now)",
			     lease, provider);
		return;
	}
	if (r->has_lease) {
		gridctl_note(what, "using lease %" PRIu64 " from %s (given with 'lease')",
			     lease, provider);
		return;
	}
	grid_api_map_init(&a);
	if (!gridctl_ask(what, fd, GRID_OP_LEASE_LIST, &a, &in)) {
		for (i = 0; !in.status && i < in.n_items; i++) {
			const struct grid_api_map *m = &in.items[i];

			if (!grid_api_has(m, GRID_A_LEASE_ID) ||
			    m->u[GRID_A_LEASE_ID] != lease ||
			    !grid_api_has(m, GRID_A_NOT_AFTER) ||
			    (grid_api_has(m, GRID_A_ROLE) &&
			     strcmp(m->t[GRID_A_ROLE], "held")))
				continue;
			snprintf(t, sizeof(t), ", %s until ",
				 grid_api_has(m, GRID_A_STATE) ?
				 m->t[GRID_A_STATE] : "live");
			grid_format_time(t + strlen(t), sizeof(t) - strlen(t),
					 (int64_t)m->u[GRID_A_NOT_AFTER] * GRID_NSEC_PER_SEC);
		}
		grid_api_in_free(&in);
	}
	gridctl_note(what, "using lease %" PRIu64 " from %s (held%s)%s", lease, provider,
		     t, r->has_limits || r->has_time ?
		     "; its limits and end are its own: LIMITS and 'time' are for a new lease" : "");
}

static int run(const char *what, const struct run_args *r)
{
	struct gridctl_job j = { 0 };
	const struct grid_api_map *m;
	char why[sizeof(((struct grid_api_in *)0)->msg)] = "", hex[33];
	char state[16] = "";
	struct grid_api_map a;
	struct grid_api_in in;
	uint64_t rows, cols, lease = r->lease;
	bool asked = false, said = false;
	uint8_t *words;
	size_t len;
	int fd = -1, ret = GRIDCTL_RUN_FAILED;

	words = argv_bytes(r->cmd, r->n_cmd, &len);
	if (!words) {
		gridctl_fail(what, "out of memory");
		return GRIDCTL_RUN_FAILED;
	}
	randombytes_buf(j.id, sizeof(j.id));
	grid_api_map_init(&a);
	grid_api_set_b(&a, GRID_A_JOB, j.id, sizeof(j.id));
	grid_api_set_t(&a, GRID_A_PROVIDER, r->on);
	if (r->in)
		grid_api_set_t(&a, GRID_A_GRIDGRID, r->in);
	if (r->has_lease)
		grid_api_set_u(&a, GRID_A_LEASE_ID, r->lease);
	grid_api_set_b(&a, GRID_A_ARGV, words, len);
	grid_api_set_u(&a, GRID_A_TTY, r->tty);
	if (r->tty && gridctl_term_size(&rows, &cols)) {
		grid_api_set_u(&a, GRID_A_ROWS, rows);
		grid_api_set_u(&a, GRID_A_COLS, cols);
	}
	if (r->net)
		grid_api_set_t(&a, GRID_A_NET, r->net);
	if (gridctl_connect(what, &fd))
		goto out;
	/* The same JOB asked again is the same job: asking again is safe. */
	for (;;) {
		if (gridctl_ask(what, fd, GRID_OP_JOB_RUN, &a, &in))
			goto out;
		if (!in.status)
			break;
		if (in.status == -EINPROGRESS) {
			if (!said)
				gridctl_note(what, "%s; still waiting",
					     in.msg[0] ? in.msg : strerror(-in.status));
			said = true;
			grid_api_in_free(&in);
			sleep(1);
			continue;
		}
		if (in.status != -ENOKEY || r->has_lease || asked) {
			gridctl_refused(what, &in);
			goto out;
		}
		snprintf(why, sizeof(why), "%s", in.msg);
		grid_api_in_free(&in);
		if (ask_lease(what, fd, r, why, &lease))
			goto out;
		grid_api_set_u(&a, GRID_A_LEASE_ID, lease);
		asked = true;
	}
	m = in.n_items ? &in.items[0] : NULL;
	if (!m) {
		grid_api_in_free(&in);
		gridctl_fail(what, "gridd's answer to job-run holds no job");
		goto out;
	}
	gridctl_clean(j.provider, sizeof(j.provider),
		      grid_api_has(m, GRID_A_PROVIDER) ? m->t[GRID_A_PROVIDER] : r->on);
	if (grid_api_has(m, GRID_A_LEASE_ID))
		lease = m->u[GRID_A_LEASE_ID];
	/* A job asked again (a lost answer) goes on from what was written. */
	if (grid_api_has(m, GRID_A_OUT_OFF))
		j.out_off = m->u[GRID_A_OUT_OFF];
	if (grid_api_has(m, GRID_A_ERR_OFF))
		j.err_off = m->u[GRID_A_ERR_OFF];
	if (grid_api_has(m, GRID_A_STATE))
		snprintf(state, sizeof(state), "%s", m->t[GRID_A_STATE]);
	grid_api_in_free(&in);
	if (r->verbose) {
		say_lease(what, fd, r, j.provider, lease, asked);
		gridctl_job_hex(hex, j.id);
		gridctl_note(what, "%s: job %s %s", j.provider, hex, state);
	}
	j.tty = r->tty;
	j.verbose = r->verbose;
	ret = gridctl_job_stream(what, fd, &j);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	free(words);
	return ret;
}

int do_run(int argc, char **argv)
{
	const char *what = "run";
	struct run_args r;

	if (argc && gridctl_is_help(argv[0])) {
		printf("Usage: gridctl run %s\n", RUN_GRAMMAR);
		printf("LIMITS := as for 'gridctl lease request' (cpu N or N%%, memory SIZE, pids N, ...)\n");
		printf("Exits with the job's status (128 + N for a signal N), or 255 if gridctl fails.\n");
		return 0;
	}
	if (gridctl_json) {
		/* Our stdout is the job's: a JSON error there would be in it. */
		gridctl_json = false;
		gridctl_usage(what, "run writes the job's own output: -j and -p do not apply");
		return GRIDCTL_RUN_FAILED;
	}
	if (read_run(what, argc, argv, &r))
		return GRIDCTL_RUN_FAILED;
	/* gridd gone is a sentence, not a silent death by SIGPIPE (141). */
	signal(SIGPIPE, SIG_IGN);
	return run(what, &r);
}
