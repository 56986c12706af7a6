// SPDX-License-Identifier: GPL-2.0
/*
 * A remote job's streams, for gridctl run and gridctl job attach: our
 * standard input to the job, its output and error output to ours, as ssh
 * joins them, until it ends.
 *
 * The output comes by long polls on one connection to gridd (a job-io
 * with nothing to send parks there until there is something); input,
 * signals and resizes go on another, whose requests never park, so that
 * a key pressed does not wait behind the poll. Offsets name every byte:
 * gridd answers output from what we say we have written out, and a byte
 * either connection brings is written once, at its place. Input is sent
 * in order, one request at a time, inside the window gridd gives
 * (GRID_API_JOB_WINDOW past what the job has taken).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "gridctl.h"

/* ---- the terminal -------------------------------------------------------- */

static struct termios saved_tio;
static bool raw_on;

/* Idempotent: on the way out, and before any sentence is printed. */
static void term_restore(void)
{
	if (!raw_on)
		return;
	tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
	raw_on = false;
}

static int term_raw(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &saved_tio))
		return -errno;
	t = saved_tio;
	cfmakeraw(&t);
	gridctl_report_hook = term_restore;
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t))
		return -errno;
	raw_on = true;
	return 0;
}

/* The size of whichever of stdin and stdout is a terminal. */
bool gridctl_term_size(uint64_t *rows, uint64_t *cols)
{
	struct winsize ws;

	if ((ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) &&
	     ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws)) || !ws.ws_row || !ws.ws_col)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}

void gridctl_note(const char *what, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gridctl_clean(msg, sizeof(msg), msg);
	/* In raw mode a newline does not return the carriage. */
	fprintf(stderr, "gridctl: %s: %s%s", what, msg, raw_on ? "\r\n" : "\n");
}

/* ---- the streams --------------------------------------------------------- */

#define SIGS_MAX 4	/* signals waiting to be sent */

enum ask { ASK_READ, ASK_IN, ASK_EOF, ASK_SIGNAL, ASK_RESIZE, ASK_DONE };

/* A connection to gridd: one job-io at a time, its answer read as it comes. */
struct conn {
	int fd;
	bool busy;
	enum ask ask;
	uint32_t in_len;		/* the input the request carries */
	int sig;			/* or the signal */
	uint64_t out_off, err_off;	/* where it asked output from */
	uint8_t head[4];
	uint32_t got, need;
	uint8_t *buf;
};

struct stream {
	const char *what;
	const struct gridctl_job *j;
	struct grid_api_out req;
	struct conn rd, wr;
	uint64_t out_off, err_off;	/* written out */
	bool out_gone, err_gone;	/* and where to, no more: EPIPE */
	uint64_t in_off, in_done;
	uint8_t in[GRID_API_JOB_CHUNK];
	uint32_t in_len;		/* read, not yet taken by gridd */
	bool in_ready, in_eof, eof_sent, in_refused;
	int sigs[SIGS_MAX], n_sigs, ints;
	bool resize;
	int64_t wr_after;		/* ms: the provider was away, ask later */
	bool said_away;
	char state[16];
	bool ended, complete, finished;
	bool has_status;
	uint64_t status;
	char reason[GRID_API_TEXT_MAX + 1];
};

static void queue_signal(struct stream *s, int sig)
{
	if (s->n_sigs < SIGS_MAX)
		s->sigs[s->n_sigs++] = sig;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };

			if (errno == EINTR)
				continue;
			/* Someone else's O_NONBLOCK on a shared terminal. */
			if (errno == EAGAIN) {
				poll(&pf, 1, -1);
				continue;
			}
			return -errno;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/*
 * Output gridd answered from @off: what is past *@written goes out.
 * Bytes before it came already (by the other connection); a start past
 * it means gridd no longer has those, as when another attach wrote them
 * out, and we go on from there.
 */
static int emit(struct stream *s, int fd, uint64_t off, const uint8_t *p,
		size_t n, uint64_t *written, bool *gone)
{
	uint64_t skip;
	int ret;

	if (off > *written)
		*written = off;
	if (off + n <= *written)
		return 0;
	skip = *written - off;
	p += skip;
	n -= skip;
	*written += n;
	if (*gone)
		return 0;
	ret = write_all(fd, p, n);
	if (ret == -EPIPE) {
		/*
		 * Our reader went away (| head): as a local pipeline would,
		 * the job gets SIGPIPE, and what it still writes is dropped.
		 */
		*gone = true;
		queue_signal(s, SIGPIPE);
		return 0;
	}
	if (ret)
		return gridctl_fail(s->what, "cannot write the job's %s: %s",
				    fd == STDOUT_FILENO ? "output" : "error output",
				    strerror(-ret));
	return 0;
}

static int conn_send(struct stream *s, struct conn *c, enum ask ask,
		     struct grid_api_map *a)
{
	int ret;

	grid_api_set_b(a, GRID_A_JOB, s->j->id, sizeof(s->j->id));
	grid_api_set_u(a, GRID_A_OUT_OFF, s->out_off);
	grid_api_set_u(a, GRID_A_ERR_OFF, s->err_off);
	if (grid_api_request(&s->req, GRID_OP_JOB_IO, a))
		return gridctl_fail(s->what, "the request is too long");
	ret = grid_api_write(c->fd, s->req.buf, s->req.len);
	if (ret)
		return gridctl_no_answer(s->what, ret);
	c->busy = true;
	c->ask = ask;
	c->out_off = s->out_off;
	c->err_off = s->err_off;
	c->got = 0;
	return 0;
}

/* Reads what has come of @c's answer; *@whole once it is all here. */
static int conn_recv(struct stream *s, struct conn *c, struct grid_api_in *in,
		     bool *whole)
{
	uint8_t *buf;
	ssize_t r;

	*whole = false;
	if (c->got < 4)
		r = read(c->fd, c->head + c->got, 4 - c->got);
	else
		r = read(c->fd, c->buf + c->got - 4, c->need - (c->got - 4));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0)
		return gridctl_no_answer(s->what, r < 0 ? -errno : -EPIPE);
	c->got += r;
	if (c->got == 4) {
		c->need = (uint32_t)c->head[0] << 24 | c->head[1] << 16 |
			  c->head[2] << 8 | c->head[3];
		if (!c->need || c->need > GRID_API_MSG_MAX)
			return gridctl_fail(s->what, "gridd's answer does not read: a frame of %u bytes",
					    c->need);
		c->buf = malloc(c->need);
		if (!c->buf)
			return gridctl_fail(s->what, "out of memory");
		return 0;
	}
	if (c->got < 4 || c->got - 4 < c->need)
		return 0;
	c->busy = false;
	buf = c->buf;
	c->buf = NULL;
	*whole = true;
	return gridctl_answer(s->what, buf, c->need, in);
}

static int take_state(struct stream *s, const struct grid_api_map *m)
{
	const char *st = m->t[GRID_A_STATE];
	const char *why = grid_api_has(m, GRID_A_REASON) ?
			  m->t[GRID_A_REASON] : "";

	/* A provider's pause, and its end, are said as they happen. */
	if (!strcmp(st, "paused") && strcmp(s->state, "paused"))
		gridctl_note(s->what, "%s: the job is paused%s%s", s->j->provider,
			     *why ? ": " : "", why);
	else if (!strcmp(s->state, "paused") && !strcmp(st, "running"))
		gridctl_note(s->what, "%s: the job runs again", s->j->provider);
	else if (s->j->verbose && strcmp(st, s->state))
		gridctl_note(s->what, "%s: job %s", s->j->provider, st);
	snprintf(s->state, sizeof(s->state), "%s", st);
	/* It never ran (an attach to it finds out so). */
	if (!strcmp(st, "refused"))
		return gridctl_fail(s->what, "%s refused the job%s%s",
				    s->j->provider, *why ? ": " : "", why);
	if (strcmp(st, "ended"))
		return 0;
	s->ended = true;
	if (grid_api_has(m, GRID_A_STATUS)) {
		s->has_status = true;
		s->status = m->u[GRID_A_STATUS];
	}
	/* The provider's words, shown on our terminal: cleaned. */
	gridctl_clean(s->reason, sizeof(s->reason), why);
	return 0;
}

/*
 * gridd refused what the connection that never parks carried. The
 * provider away (-EAGAIN) is for a while: it goes again in a second.
 * Else the output still matters: a refusal is said, and the job runs on.
 */
static void refused_ask(struct stream *s, struct conn *c,
			struct grid_api_in *in)
{
	const char *msg = in->msg[0] ? in->msg : strerror(-in->status);

	if (in->status == -EAGAIN && c->ask != ASK_DONE) {
		if (c->ask == ASK_SIGNAL) {
			memmove(s->sigs + 1, s->sigs,
				(SIGS_MAX - 1) * sizeof(s->sigs[0]));
			s->sigs[0] = c->sig;
			if (s->n_sigs < SIGS_MAX)
				s->n_sigs++;
		} else if (c->ask == ASK_RESIZE) {
			s->resize = true;
		}
		if (!s->said_away)
			gridctl_note(s->what, "%s; trying again", msg);
		s->said_away = true;
		s->wr_after = now_ms() + 1000;
	} else if (c->ask == ASK_IN || c->ask == ASK_EOF) {
		gridctl_note(s->what, "the job takes no more input: %s", msg);
		s->in_refused = true;
		s->in_len = 0;
	} else if (c->ask == ASK_DONE) {
		/* gridd keeps the output a while longer; nothing is lost. */
		if (s->j->verbose)
			gridctl_note(s->what, "gridd did not take 'done': %s",
				     msg);
		s->finished = true;
	} else {
		gridctl_note(s->what, "%s: %s", c->ask == ASK_SIGNAL ?
			     "the signal was not sent" :
			     "the terminal's size was not sent", msg);
	}
	grid_api_in_free(in);
}

/* An answer on @c: its output written out, what it says kept. */
static int take(struct stream *s, struct conn *c, struct grid_api_in *in)
{
	uint64_t out_at = c->out_off, err_at = c->err_off;
	uint64_t out_had = s->out_off, err_had = s->err_off;
	const struct grid_api_map *m;
	uint32_t n_out = 0, n_err = 0;
	int ret = 0;

	if (in->status && c->ask != ASK_READ) {
		refused_ask(s, c, in);
		return 0;
	}
	if (in->status)
		return gridctl_refused(s->what, in);
	s->said_away = false;
	if (!in->n_items) {
		grid_api_in_free(in);
		return gridctl_fail(s->what, "gridd's answer to job-io holds no job");
	}
	m = &in->items[0];
	if (grid_api_has(m, GRID_A_OUT_OFF))
		out_at = m->u[GRID_A_OUT_OFF];
	if (grid_api_has(m, GRID_A_ERR_OFF))
		err_at = m->u[GRID_A_ERR_OFF];
	if (grid_api_has(m, GRID_A_OUT)) {
		n_out = m->bn[GRID_A_OUT];
		ret = emit(s, STDOUT_FILENO, out_at, m->b[GRID_A_OUT], n_out,
			   &s->out_off, &s->out_gone);
	}
	if (!ret && grid_api_has(m, GRID_A_ERR)) {
		n_err = m->bn[GRID_A_ERR];
		ret = emit(s, STDERR_FILENO, err_at, m->b[GRID_A_ERR], n_err,
			   &s->err_off, &s->err_gone);
	}
	/* The last answered, as the window is reckoned from it. */
	if (grid_api_has(m, GRID_A_IN_DONE))
		s->in_done = m->u[GRID_A_IN_DONE];
	if (!s->in_ready) {
		/*
		 * Attached to a job another client fed: our input follows
		 * what the job has been given.
		 */
		s->in_off = s->in_done;
		if (grid_api_has(m, GRID_A_EOF) && m->u[GRID_A_EOF]) {
			s->in_eof = true;
			s->eof_sent = true;
		}
		s->in_ready = true;
	}
	if (c->ask == ASK_IN) {
		s->in_off += c->in_len;
		s->in_len = 0;
	} else if (c->ask == ASK_EOF) {
		s->eof_sent = true;
	} else if (c->ask == ASK_DONE) {
		s->finished = true;
	}
	if (!ret && grid_api_has(m, GRID_A_STATE))
		ret = take_state(s, m);
	/*
	 * All of an ended job's output is here when gridd answers, from
	 * where we were, that there is no more.
	 */
	if (s->ended && !n_out && !n_err && out_at >= out_had &&
	    err_at >= err_had)
		s->complete = true;
	grid_api_in_free(in);
	return ret;
}

/* The next thing for the connection that never parks, if there is one. */
static int next_ask(struct stream *s)
{
	struct grid_api_map a;
	uint64_t rows, cols;

	grid_api_map_init(&a);
	if (s->complete) {
		grid_api_set_u(&a, GRID_A_DONE, 1);
		return conn_send(s, &s->wr, ASK_DONE, &a);
	}
	if (s->ended)
		return 0;
	if (s->wr_after && now_ms() < s->wr_after)
		return 0;
	s->wr_after = 0;
	if (s->n_sigs) {
		s->wr.sig = s->sigs[0];
		grid_api_set_u(&a, GRID_A_SIGNAL, s->sigs[0]);
		memmove(s->sigs, s->sigs + 1, --s->n_sigs * sizeof(s->sigs[0]));
		return conn_send(s, &s->wr, ASK_SIGNAL, &a);
	}
	if (s->resize) {
		s->resize = false;
		if (gridctl_term_size(&rows, &cols)) {
			grid_api_set_u(&a, GRID_A_ROWS, rows);
			grid_api_set_u(&a, GRID_A_COLS, cols);
			return conn_send(s, &s->wr, ASK_RESIZE, &a);
		}
	}
	if (s->in_refused)
		return 0;
	if (s->in_len) {
		grid_api_set_b(&a, GRID_A_IN, s->in, s->in_len);
		grid_api_set_u(&a, GRID_A_IN_OFF, s->in_off);
		s->wr.in_len = s->in_len;
		return conn_send(s, &s->wr, ASK_IN, &a);
	}
	if (s->in_eof && !s->eof_sent) {
		grid_api_set_u(&a, GRID_A_EOF, 1);
		grid_api_set_u(&a, GRID_A_IN_OFF, s->in_off);
		return conn_send(s, &s->wr, ASK_EOF, &a);
	}
	return 0;
}

/* How much input gridd lets us send now (its window). */
static uint32_t in_room(const struct stream *s)
{
	uint64_t end = s->in_done + GRID_API_JOB_WINDOW;

	if (!s->in_ready || s->in_eof || s->in_refused || s->in_len ||
	    s->ended || s->in_off >= end)
		return 0;
	return end - s->in_off < GRID_API_JOB_CHUNK ?
	       (uint32_t)(end - s->in_off) : GRID_API_JOB_CHUNK;
}

static void read_input(struct stream *s, uint32_t room)
{
	ssize_t n = read(STDIN_FILENO, s->in, room);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0 && s->j->verbose)
		gridctl_note(s->what, "cannot read the input: %s; the job is told it has ended",
			     strerror(errno));
	if (n <= 0)
		s->in_eof = true;
	else
		s->in_len = n;
}

/* 0 to go on, 1 when gridctl is to stop here (said). */
static int on_signal(struct stream *s, int sfd)
{
	struct signalfd_siginfo si;
	char hex[33];

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	gridctl_job_hex(hex, s->j->id);
	switch (si.ssi_signo) {
	case SIGWINCH:
		s->resize = s->j->tty;
		return 0;
	case SIGINT:
		/* The first asks the job to stop, the second makes it. */
		if (++s->ints <= 2) {
			queue_signal(s, s->ints == 1 ? SIGINT : SIGKILL);
			return 0;
		}
		return gridctl_fail(s->what, "interrupted a third time: leaving job %s on %s to its end ('gridctl job attach %s')",
				    hex, s->j->provider, hex);
	default:
		return gridctl_fail(s->what, "stopped by SIG%s; job %s runs on at %s: 'gridctl job attach %s' or 'gridctl job kill %s'",
				    gridctl_signal_name(si.ssi_signo), hex,
				    s->j->provider, hex, hex);
	}
}

static int stream_loop(struct stream *s, int sfd)
{
	struct grid_api_map none;
	struct grid_api_in in;
	struct pollfd pfd[4];
	struct conn *c;
	int n, k, wait;
	uint32_t room;
	bool whole;

	while (!s->finished) {
		if (!s->rd.busy && !s->complete) {
			/*
			 * What the job has taken, as we know it: gridd
			 * answers at once when it has more, so a full
			 * window opens again without waiting for output.
			 */
			grid_api_map_init(&none);
			grid_api_set_u(&none, GRID_A_IN_DONE, s->in_done);
			/* And its state: a pause, or its end, is news too. */
			if (s->state[0])
				grid_api_set_t(&none, GRID_A_STATE, s->state);
			if (conn_send(s, &s->rd, ASK_READ, &none))
				return 1;
		}
		if (!s->wr.busy && next_ask(s))
			return 1;
		wait = -1;
		if (!s->wr.busy && s->wr_after)
			wait = s->wr_after > now_ms() ? s->wr_after - now_ms() : 0;
		room = in_room(s);
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s->rd.busy ? s->rd.fd : -1,
					    .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s->wr.busy ? s->wr.fd : -1,
					    .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = room ? STDIN_FILENO : -1,
					    .events = POLLIN };
		if (poll(pfd, n, wait) < 0) {
			if (errno == EINTR)
				continue;
			return gridctl_fail(s->what, "poll: %s", strerror(errno));
		}
		if (pfd[0].revents && on_signal(s, sfd))
			return 1;
		for (k = 1; k <= 2; k++) {
			c = k == 1 ? &s->rd : &s->wr;
			if (!pfd[k].revents)
				continue;
			if (conn_recv(s, c, &in, &whole))
				return 1;
			if (whole && take(s, c, &in))
				return 1;
		}
		if (pfd[3].revents & POLLNVAL)
			s->in_eof = true;
		else if (pfd[3].revents && in_room(s))
			read_input(s, in_room(s));
	}
	return 0;
}

static int conn_open(const char *what, struct conn *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	return fd >= 0 ? 0 : gridctl_connect(what, &c->fd);
}

int gridctl_job_stream(const char *what, int fd, const struct gridctl_job *j)
{
	struct stream *s;
	sigset_t mask, old;
	int sfd = -1, ret = GRIDCTL_RUN_FAILED;

	s = calloc(1, sizeof(*s));
	if (!s) {
		if (fd >= 0)
			close(fd);
		gridctl_fail(what, "out of memory");
		return GRIDCTL_RUN_FAILED;
	}
	s->what = what;
	s->j = j;
	s->out_off = j->out_off;
	s->err_off = j->err_off;
	s->in_ready = !j->attach;
	s->resize = j->tty && j->attach;
	s->rd.fd = -1;
	s->wr.fd = fd;
	if (grid_api_out_init(&s->req)) {
		gridctl_fail(what, "out of memory");
		goto out_free;
	}
	if (conn_open(what, &s->wr, fd) || conn_open(what, &s->rd, -1))
		goto out_free;

	/* Signals come by a descriptor the loop polls; SIGPIPE as EPIPE. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		gridctl_fail(what, "signalfd: %s", strerror(errno));
		goto out;
	}
	if (j->tty && isatty(STDIN_FILENO)) {
		int err = term_raw();

		if (err) {
			gridctl_fail(what, "cannot put the terminal in raw mode: %s",
				     strerror(-err));
			goto out;
		}
	}
	if (stream_loop(s, sfd))
		goto out;
	term_restore();
	if (!s->has_status) {
		gridctl_fail(what, "%s did not say how the job ended",
			     j->provider);
		goto out;
	}
	ret = gridctl_wait_code(s->status);
	if (s->reason[0])
		fprintf(stderr, "gridctl: %s: the job %s: %s\n", j->provider,
			s->status <= 0xffff && WIFSIGNALED((int)s->status) ?
			"was killed" : "ended", s->reason);
out:
	term_restore();
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
out_free:
	if (s->rd.fd >= 0)
		close(s->rd.fd);
	if (s->wr.fd >= 0)
		close(s->wr.fd);
	free(s->rd.buf);
	free(s->wr.buf);
	grid_api_out_free(&s->req);
	free(s);
	return ret;
}
