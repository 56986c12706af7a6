// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl jobs
 * gridctl job { list | attach ID [-t] [-v] | kill ID [SIGNAL] | help }
 *
 * The remote jobs this grid runs on peers (gridctl run), as gridd keeps
 * them: where and under which lease each runs, its state, and how much
 * of its output has been written out. A job's id is 16 bytes its client
 * made; these commands take its 32 hex digits, or the first 4 or more
 * if they name one job.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include <sodium.h>

#include "print.h"
#include "units.h"
#include "gridctl.h"

/*
 * By name on the wire as here: the generic Linux numbers, those of every
 * architecture grid is built for (x86, arm, riscv).
 */
static const struct {
	const char *name;
	int sig;
} sigs[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

#define N_SIGS (sizeof(sigs) / sizeof(sigs[0]))

const char *gridctl_signal_name(int sig)
{
	size_t k;

	for (k = 0; k < N_SIGS; k++)
		if (sigs[k].sig == sig)
			return sigs[k].name;
	return NULL;
}

int gridctl_signal_parse(const char *s, int *sig)
{
	uint64_t n;
	size_t k;

	if (!grid_parse_u64(s, &n)) {
		if (!n || n > 64)
			return -EINVAL;
		*sig = n;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (k = 0; k < N_SIGS; k++) {
		if (!strcasecmp(s, sigs[k].name)) {
			*sig = sigs[k].sig;
			return 0;
		}
	}
	return -EINVAL;
}

int gridctl_wait_code(uint64_t status)
{
	int st = (int)status;

	if (status > 0xffff)
		return GRIDCTL_RUN_FAILED;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return GRIDCTL_RUN_FAILED;
}

void gridctl_job_hex(char hex[33], const uint8_t id[16])
{
	sodium_bin2hex(hex, 33, id, 16);
}

/* ---- list ------------------------------------------------------------------ */

/* A word of a command as a shell would take it back. */
static void print_word(const char *w, bool first)
{
	const char *c;
	bool plain = *w;

	for (c = w; *c && plain; c++)
		plain = isalnum((unsigned char)*c) || strchr("_./=:@%+,-", *c);
	print_text("%s", first ? "" : " ");
	if (plain) {
		print_text("%s", w);
		return;
	}
	print_text("'");
	for (c = w; *c; c++) {
		if (*c == '\'')
			print_text("'\\''");
		else
			print_text("%c", iscntrl((unsigned char)*c) ? '?' : *c);
	}
	print_text("'");
}

static void print_argv(const uint8_t *p, uint32_t n)
{
	char *words = malloc(n + 1);
	uint32_t at;

	print_arr_open("argv");
	if (words) {
		/* The last word's NUL is the message's to give; ours if not. */
		memcpy(words, p, n);
		words[n] = '\0';
		print_text("\n\t");
		for (at = 0; at < n; at += strlen(words + at) + 1) {
			print_str(PRINT_JSON, NULL, NULL, words + at);
			if (!print_is_json())
				print_word(words + at, !at);
		}
		free(words);
	}
	print_arr_close();
}

static void show_status(uint64_t status)
{
	int st = (int)status;
	const char *name;

	print_u64(PRINT_JSON, "status", NULL, status);
	if (status <= 0xffff && WIFEXITED(st)) {
		print_u64(PRINT_ANY, "exit_code", " exit %" PRIu64,
			  WEXITSTATUS(st));
	} else if (status <= 0xffff && WIFSIGNALED(st)) {
		print_u64(PRINT_JSON, "signal", NULL, WTERMSIG(st));
		name = gridctl_signal_name(WTERMSIG(st));
		if (name)
			print_text(" killed by SIG%s", name);
		else
			print_text(" killed by signal %d", WTERMSIG(st));
	}
}

static void show_job(const struct grid_api_map *m)
{
	char hex[33] = "?";

	if (grid_api_has(m, GRID_A_JOB) && m->bn[GRID_A_JOB] == 16)
		gridctl_job_hex(hex, m->b[GRID_A_JOB]);
	print_str(PRINT_ANY, "job", "%s", hex);
	/* Names and sentences that came from peers are cleaned for a terminal. */
	if (grid_api_has(m, GRID_A_PROVIDER))
		gridctl_print_said("provider", " on %s", m->t[GRID_A_PROVIDER]);
	if (grid_api_has(m, GRID_A_STATE))
		gridctl_print_said("state", " %s", m->t[GRID_A_STATE]);
	if (grid_api_has(m, GRID_A_STATUS))
		show_status(m->u[GRID_A_STATUS]);
	if (grid_api_has(m, GRID_A_REASON))
		gridctl_print_said("reason", " (%s)", m->t[GRID_A_REASON]);
	if (grid_api_has(m, GRID_A_LEASE_ID))
		print_u64(PRINT_ANY, "lease_id", " lease %" PRIu64,
			  m->u[GRID_A_LEASE_ID]);
	if (grid_api_has(m, GRID_A_SINCE))
		gridctl_print_time("since", " since %s",
				   (int64_t)m->u[GRID_A_SINCE] * GRID_NSEC_PER_SEC);
	if (grid_api_has(m, GRID_A_OUT_OFF))
		print_u64(PRINT_ANY, "out_off", " out %" PRIu64,
			  m->u[GRID_A_OUT_OFF]);
	if (grid_api_has(m, GRID_A_ERR_OFF))
		print_u64(PRINT_ANY, "err_off", " err %" PRIu64,
			  m->u[GRID_A_ERR_OFF]);
	if (grid_api_has(m, GRID_A_TTY))
		print_bool(PRINT_ANY, "tty", m->u[GRID_A_TTY] ? " tty" : "",
			   m->u[GRID_A_TTY]);
	if (grid_api_has(m, GRID_A_ARGV))
		print_argv(m->b[GRID_A_ARGV], m->bn[GRID_A_ARGV]);
	print_text("\n");
}

/* Every job gridd keeps, page by page, to @fn (0 to go on). */
static int each_job(const char *what,
		    int (*fn)(const struct grid_api_map *m, void *arg),
		    void *arg)
{
	struct grid_api_map a;
	struct grid_api_in in;
	uint64_t off = 0;
	uint32_t k;
	bool more;
	int ret = 0;

	do {
		grid_api_map_init(&a);
		if (off)
			grid_api_set_u(&a, GRID_A_OFFSET, off);
		if (gridctl_call(what, GRID_OP_JOB_LIST, &a, &in))
			return 1;
		for (k = 0; !ret && k < in.n_items; k++)
			ret = fn(&in.items[k], arg);
		off += in.n_items;
		more = !ret && in.more && in.n_items;
		grid_api_in_free(&in);
	} while (more);
	return ret;
}

static int list_one(const struct grid_api_map *m, void *arg)
{
	gridctl_list_item(arg);
	print_obj_open(NULL);
	show_job(m);
	print_obj_close();
	return 0;
}

static int job_list(int argc, char **argv)
{
	struct gridctl_list l = { .key = "jobs" };

	(void)argv;
	if (argc)
		return gridctl_usage("gridctl job list", "takes no arguments");
	if (each_job("gridctl job list", list_one, &l))
		return 1;
	return gridctl_list_end(&l);
}

/* ---- one job, by its id or the start of it --------------------------------- */

struct job_ref {
	char want[33];
	size_t len;
	uint32_t found;
	struct gridctl_job j;
	bool ended, has_tty;
};

static int match_one(const struct grid_api_map *m, void *arg)
{
	struct job_ref *r = arg;
	char hex[33];

	if (!grid_api_has(m, GRID_A_JOB) || m->bn[GRID_A_JOB] != 16)
		return 0;
	gridctl_job_hex(hex, m->b[GRID_A_JOB]);
	if (strncmp(hex, r->want, r->len) || r->found++)
		return 0;
	memcpy(r->j.id, m->b[GRID_A_JOB], 16);
	gridctl_clean(r->j.provider, sizeof(r->j.provider),
		      grid_api_has(m, GRID_A_PROVIDER) ? m->t[GRID_A_PROVIDER] : "?");
	if (grid_api_has(m, GRID_A_OUT_OFF))
		r->j.out_off = m->u[GRID_A_OUT_OFF];
	if (grid_api_has(m, GRID_A_ERR_OFF))
		r->j.err_off = m->u[GRID_A_ERR_OFF];
	r->has_tty = grid_api_has(m, GRID_A_TTY);
	r->j.tty = r->has_tty && m->u[GRID_A_TTY];
	r->ended = grid_api_has(m, GRID_A_STATE) &&
		   !strcmp(m->t[GRID_A_STATE], "ended");
	return 0;
}

/* 0 with the job in @r, 1 (none, or more than one), 2 (not an id). */
static int job_arg(const char *what, const char *arg, bool look,
		   struct job_ref *r)
{
	size_t k;

	memset(r, 0, sizeof(*r));
	r->len = strlen(arg);
	for (k = 0; k < r->len && k < 32 && isxdigit((unsigned char)arg[k]); k++)
		r->want[k] = tolower((unsigned char)arg[k]);
	if (k != r->len || r->len < 4)
		return gridctl_usage(what, "'%s' is not a job's id: its 32 hex digits, or the first 4 or more",
				     arg);
	if (r->len == 32 && !look) {
		sodium_hex2bin(r->j.id, 16, r->want, 32, NULL, NULL, NULL);
		return 0;
	}
	if (each_job(what, match_one, r))
		return 1;
	if (!r->found)
		return gridctl_fail(what, "no job %s", arg);
	if (r->found > 1)
		return gridctl_fail(what, "the ids of %u jobs start with %s: give more of its digits",
				    r->found, arg);
	return 0;
}

static int job_kill(int argc, char **argv)
{
	const char *what = "gridctl job kill";
	struct grid_api_map a;
	struct grid_api_in in;
	struct job_ref r;
	int sig = SIGKILL, ret;

	if (argc < 1 || argc > 2)
		return gridctl_usage(what, "gridctl job kill ID [SIGNAL]");
	if (argc == 2 && gridctl_signal_parse(argv[1], &sig))
		return gridctl_usage(what, "'%s' is not a signal: a number, or a name like TERM, KILL or INT",
				     argv[1]);
	ret = job_arg(what, argv[0], false, &r);
	if (ret)
		return ret;
	grid_api_map_init(&a);
	grid_api_set_b(&a, GRID_A_JOB, r.j.id, 16);
	grid_api_set_u(&a, GRID_A_SIGNAL, sig);
	if (gridctl_call(what, GRID_OP_JOB_SIGNAL, &a, &in))
		return 1;
	grid_api_in_free(&in);
	return gridctl_done();
}

static int job_attach(int argc, char **argv)
{
	const char *what = "job attach";
	struct job_ref r;
	bool tty = false, verbose = false;
	int i;

	if (gridctl_json) {
		gridctl_json = false;
		gridctl_usage(what, "attach writes the job's own output: -j and -p do not apply");
		return GRIDCTL_RUN_FAILED;
	}
	if (argc < 1) {
		gridctl_usage(what, "gridctl job attach ID [-t] [-v]");
		return GRIDCTL_RUN_FAILED;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t")) {
			tty = true;
		} else if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else {
			gridctl_usage(what, "unknown word '%s'", argv[i]);
			return GRIDCTL_RUN_FAILED;
		}
	}
	/* Even a whole id is looked up: the output goes on from the list's offsets. */
	if (job_arg(what, argv[0], true, &r))
		return GRIDCTL_RUN_FAILED;
	/*
	 * Whether the job has a terminal is the job's, as gridd lists it:
	 * raw mode and sizes are for a terminal only (a size sent to a
	 * pipe job would end its init's control connection). A gridd too
	 * old to say leaves it to -t.
	 */
	if (r.has_tty && tty && !r.j.tty) {
		char hex[33];

		gridctl_job_hex(hex, r.j.id);
		gridctl_usage(what, "job %s has no terminal (it was run without -t): attach without -t",
			      hex);
		return GRIDCTL_RUN_FAILED;
	}
	if (!r.has_tty)
		r.j.tty = tty;
	r.j.verbose = verbose;
	r.j.attach = true;
	if (verbose) {
		char hex[33];

		gridctl_job_hex(hex, r.j.id);
		gridctl_note(what, "%s: job %s%s, from output byte %" PRIu64 " and error output byte %" PRIu64,
			     r.j.provider, hex, r.ended ? " (ended)" : "",
			     r.j.out_off, r.j.err_off);
	}
	signal(SIGPIPE, SIG_IGN);
	return gridctl_job_stream(what, -1, &r.j);
}

static const struct gridctl_cmd cmds[] = {
	{ "list", job_list, "" },
	{ "attach", job_attach, "ID [-t] [-v]" },
	{ "kill", job_kill, "ID [SIGNAL]  (SIGNAL: a number or a name, KILL unless given)" },
	{ NULL, NULL, NULL },
};

int do_job(int argc, char **argv)
{
	if (argc && gridctl_is_help(argv[0])) {
		gridctl_list_cmds(stdout, "gridctl job", cmds);
		printf("ID := the job's 32 hex digits, or the first 4 or more\n");
		return 0;
	}
	return gridctl_dispatch("gridctl job", cmds, argc, argv);
}

int do_jobs(int argc, char **argv)
{
	if (argc && gridctl_is_help(argv[0])) {
		printf("Usage: gridctl jobs  (as 'gridctl job list')\n");
		return 0;
	}
	return job_list(argc, argv);
}
