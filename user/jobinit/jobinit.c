// SPDX-License-Identifier: GPL-2.0
/*
 * grid-jobinit -t|-p -- CMD ARGS...: pid 1 of a job's sandbox.
 *
 * Started by grid_jail_start() (user/sandbox/jail.c) in the job's root,
 * with the descriptors of enum grid_jail_fd. It is a program of its own,
 * linked statically, so that nothing of gridd's memory (keys) is in the
 * sandbox, and it works in whatever root the job was given.
 *
 * It drops every privilege and loads the job's syscall filter first (the
 * job inherits both), makes itself undumpable (the job runs as the same
 * uid and must not ptrace it for the descriptors it holds), starts the
 * job in a session of its own with pipes or a pseudo-terminal, relays its
 * input from gridd (user/sandbox/jobmsg.h), appends its output to the
 * files it holds, reaps every orphan, and when the job's own process has
 * ended and its output is drained, writes its wait status and exits, which
 * ends everything left in the pid namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "filter.h"
#include "jail.h"
#include "jobmsg.h"
#include "privs.h"

/* After the job's process ends, how long its output may take to drain. */
#define DRAIN_MS 2000

struct stream {
	int fd;			/* the job's end we read, or -1 at EOF */
	int file;		/* where it goes */
	uint64_t size;		/* appended so far */
	uint64_t taken;		/* gridd has it */
};

struct init {
	int ctl;		/* gridd, or -1 while it is away */
	int sig;
	int in;			/* the job's stdin (pipe or tty master), or -1 */
	bool tty;
	struct stream out, err;
	uint64_t in_done;	/* input bytes written to the job */
	char pend[GRID_JOB_STDIN_WINDOW]; /* received, not yet written */
	size_t pend_len, pend_off;
	bool eof;		/* gridd said no more input */
	bool told;		/* sizes changed since the last OUTPUT */
	pid_t job;
	int status;
	bool ended;
	long long drain_until;
};

/* Its stdio is /dev/null: the job's stderr is where the holder reads. */
static void die(const char *what)
{
	dprintf(GRID_JAIL_FD_ERR, "grid-jobinit: %s: %s\n", what, strerror(errno));
	_exit(125);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void say(struct init *in, uint32_t type)
{
	struct grid_jobmsg m = {
		.type = type, .a = in->in_done, .b = in->out.size, .c = in->err.size,
	};

	if (in->ctl >= 0 && send(in->ctl, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
	    errno != EAGAIN) {
		close(in->ctl);
		in->ctl = -1;
	}
	in->told = false;
}

/* The job's process: its own session, its stdio, nothing else open. */
static void start_job(struct init *in, char **argv, int fds[3], const char *pts)
{
	int i, t;

	if (setsid() < 0)
		_exit(125);
	if (pts) {
		t = open(pts, O_RDWR);
		if (t < 0 || ioctl(t, TIOCSCTTY, 0))
			_exit(125);
		for (i = 0; i < 3; i++)
			fds[i] = t;
	}
	for (i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			_exit(125);
	if (close_range(3, ~0U, 0))
		_exit(125);
	if (chdir(GRID_JAIL_WORK))
		_exit(125);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	i = errno;
	fprintf(stderr, "grid: %s: %s\n", argv[0], strerror(i));
	_exit(i == ENOENT ? 127 : 126);
}

static void stdio(struct init *in, char **argv, unsigned int rows, unsigned int cols)
{
	int p_in[2], p_out[2], p_err[2], fds[3];
	char *pts = NULL;
	sigset_t all;

	if (in->tty) {
		int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

		if (m < 0 || grantpt(m) || unlockpt(m) || !(pts = ptsname(m)))
			die("cannot make the job's terminal");
		/* Its size before the job can ask, not a message later. */
		if (rows) {
			struct winsize ws = { .ws_row = rows, .ws_col = cols };

			if (ioctl(m, TIOCSWINSZ, &ws))
				die("cannot size the job's terminal");
		}
		in->in = m;
		in->out.fd = dup(m);
		in->err.fd = -1;
		if (in->out.fd < 0)
			die("cannot make the job's terminal");
	} else {
		if (pipe2(p_in, O_CLOEXEC) || pipe2(p_out, O_CLOEXEC) || pipe2(p_err, O_CLOEXEC))
			die("cannot make the job's pipes");
		fds[0] = p_in[0];
		fds[1] = p_out[1];
		fds[2] = p_err[1];
		in->in = p_in[1];
		in->out.fd = p_out[0];
		in->err.fd = p_err[0];
	}
	in->job = fork();
	if (in->job < 0)
		die("cannot start the job");
	if (!in->job) {
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		start_job(in, argv, fds, pts);
	}
	if (!in->tty) {
		close(p_in[0]);
		close(p_out[1]);
		close(p_err[1]);
	}
	fcntl(in->in, F_SETFL, O_NONBLOCK);
	fcntl(in->out.fd, F_SETFL, O_NONBLOCK);
	if (in->err.fd >= 0)
		fcntl(in->err.fd, F_SETFL, O_NONBLOCK);
}

static void end_input(struct init *in)
{
	if (in->in < 0)
		return;
	if (in->tty) {
		/* A terminal has no end: its EOF is the EOF character. */
		ssize_t n = write(in->in, "\x04", 1);

		(void)n;
		return;
	}
	close(in->in);
	in->in = -1;
}

static void ctl_message(struct init *in)
{
	struct {
		struct grid_jobmsg m;
		char data[GRID_JOBMSG_DATA_MAX];
	} b;
	struct winsize ws = { 0 };
	ssize_t n;
	uint64_t skip, got;

	n = recv(in->ctl, &b, sizeof(b), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < (ssize_t)sizeof(b.m) || b.m.len != n - sizeof(b.m))
		goto drop;
	switch (b.m.type) {
	case GRID_JOBMSG_HELLO:
	case GRID_JOBMSG_ACK:
		if (b.m.a > in->out.size || b.m.b > in->err.size)
			goto drop;
		if (b.m.a > in->out.taken)
			in->out.taken = b.m.a;
		if (b.m.b > in->err.taken)
			in->err.taken = b.m.b;
		if (b.m.type == GRID_JOBMSG_HELLO)
			say(in, GRID_JOBMSG_STATE);
		return;
	case GRID_JOBMSG_STDIN:
		/* Within the window only; a gap or an overrun is gridd's bug. */
		got = in->in_done + in->pend_len - in->pend_off;
		if (in->eof || b.m.a > got ||
		    b.m.a + b.m.len > in->in_done + GRID_JOB_STDIN_WINDOW)
			goto drop;
		skip = got - b.m.a;
		if (skip >= b.m.len)
			return;
		if (in->pend_off) {
			memmove(in->pend, in->pend + in->pend_off, in->pend_len - in->pend_off);
			in->pend_len -= in->pend_off;
			in->pend_off = 0;
		}
		memcpy(in->pend + in->pend_len, b.data + skip, b.m.len - skip);
		in->pend_len += b.m.len - skip;
		return;
	case GRID_JOBMSG_EOF:
		if (b.m.a != in->in_done + in->pend_len - in->pend_off)
			goto drop;
		in->eof = true;
		if (!in->pend_len)
			end_input(in);
		return;
	case GRID_JOBMSG_SIGNAL:
		if (b.m.a < 1 || b.m.a > 64)
			goto drop;
		kill(-in->job, (int)b.m.a);
		return;
	case GRID_JOBMSG_WINSZ:
		if (!in->tty || !b.m.a || !b.m.b || b.m.a > 0xffff || b.m.b > 0xffff)
			goto drop;
		ws.ws_row = b.m.a;
		ws.ws_col = b.m.b;
		ioctl(in->in, TIOCSWINSZ, &ws);
		return;
	}
drop:
	close(in->ctl);
	in->ctl = -1;
}

static void write_input(struct init *in)
{
	ssize_t n = write(in->in, in->pend + in->pend_off, in->pend_len - in->pend_off);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* The job closed its stdin: what it would not read is dropped. */
		n = in->pend_len - in->pend_off;
	}
	in->pend_off += n;
	in->in_done += n;
	/* Told even when partial: it is what opens gridd's window. */
	in->told = true;
	if (in->pend_off == in->pend_len) {
		in->pend_len = in->pend_off = 0;
		if (in->eof)
			end_input(in);
	}
}

static void read_output(struct init *in, struct stream *s)
{
	char buf[65536];
	uint64_t room = GRID_JOB_SPOOL_MAX - (s->size - s->taken);
	ssize_t n, w;

	n = read(s->fd, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EIO: a terminal whose every slave end has closed. */
		close(s->fd);
		s->fd = -1;
		return;
	}
	for (w = 0; w < n;) {
		ssize_t k = write(s->file, buf + w, n - w);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			/* The spool is full or gone: nothing to do but drop it. */
			break;
		}
		w += k;
	}
	s->size += n;
	in->told = true;
}

static void reap(struct init *in)
{
	struct signalfd_siginfo si;
	int status;
	pid_t p;

	while (read(in->sig, &si, sizeof(si)) > 0)
		;
	while ((p = waitpid(-1, &status, WNOHANG)) > 0)
		if (p == in->job && !in->ended) {
			in->ended = true;
			in->status = status;
			in->drain_until = now_ms() + DRAIN_MS;
		}
}

static bool room(const struct stream *s)
{
	return s->size - s->taken < GRID_JOB_SPOOL_MAX;
}

static void finish(struct init *in)
{
	char line[32];
	int n;

	say(in, GRID_JOBMSG_OUTPUT);
	n = snprintf(line, sizeof(line), "%d\n", in->status);
	if (pwrite(GRID_JAIL_FD_STATUS, line, n, 0) != n)
		_exit(125);
	fsync(GRID_JAIL_FD_STATUS);
	_exit(0);
}

static void loop(struct init *in)
{
	for (;;) {
		struct pollfd p[6];
		int n = 0, i_ctl = -1, i_lis = -1, i_out = -1, i_err = -1, i_in = -1;
		bool blocked = false;
		int timeout = -1;

		p[n++] = (struct pollfd){ .fd = in->sig, .events = POLLIN };
		if (in->ctl >= 0) {
			i_ctl = n;
			p[n++] = (struct pollfd){ .fd = in->ctl, .events = POLLIN };
		} else {
			i_lis = n;
			p[n++] = (struct pollfd){ .fd = GRID_JAIL_FD_LISTEN, .events = POLLIN };
		}
		if (in->out.fd >= 0 && room(&in->out)) {
			i_out = n;
			p[n++] = (struct pollfd){ .fd = in->out.fd, .events = POLLIN };
		}
		if (in->err.fd >= 0 && room(&in->err)) {
			i_err = n;
			p[n++] = (struct pollfd){ .fd = in->err.fd, .events = POLLIN };
		}
		if ((in->out.fd >= 0 && !room(&in->out)) || (in->err.fd >= 0 && !room(&in->err)))
			blocked = true;
		if (in->in >= 0 && in->pend_len) {
			i_in = n;
			p[n++] = (struct pollfd){ .fd = in->in, .events = POLLOUT };
		}
		if (in->ended) {
			long long left = in->drain_until - now_ms();

			if ((in->out.fd < 0 && in->err.fd < 0) || (left <= 0 && !blocked))
				finish(in);
			timeout = left > 0 ? (int)left : (blocked ? -1 : 0);
		}
		if (poll(p, n, timeout) < 0 && errno != EINTR)
			die("poll");
		if (p[0].revents)
			reap(in);
		if (i_ctl >= 0 && p[i_ctl].revents)
			ctl_message(in);
		if (i_lis >= 0 && (p[i_lis].revents & POLLIN)) {
			in->ctl = accept4(GRID_JAIL_FD_LISTEN, NULL, NULL, SOCK_CLOEXEC);
		}
		if (i_out >= 0 && p[i_out].revents)
			read_output(in, &in->out);
		if (i_err >= 0 && p[i_err].revents)
			read_output(in, &in->err);
		if (i_in >= 0 && p[i_in].revents)
			write_input(in);
		if (in->told)
			say(in, GRID_JOBMSG_OUTPUT);
	}
}

int main(int argc, char **argv)
{
	struct init in = { .ctl = GRID_JAIL_FD_CTL, .in = -1 };
	sigset_t mask;
	int i;

	unsigned int rows = 0, cols = 0;
	int cmd = 2;
	char x;

	if (argc > 1 && !strcmp(argv[1], "-t") && argc > 3 && !strcmp(argv[2], "-w")) {
		if (sscanf(argv[3], "%ux%u%c", &rows, &cols, &x) != 2 || !rows || !cols ||
		    rows > 0xffff || cols > 0xffff) {
			fprintf(stderr, "grid-jobinit: -w %s is not ROWSxCOLS\n", argv[3]);
			return 2;
		}
		cmd = 4;
	}
	if (argc < cmd + 2 || (strcmp(argv[1], "-t") && strcmp(argv[1], "-p")) ||
	    strcmp(argv[cmd], "--")) {
		fprintf(stderr, "usage: grid-jobinit -t [-w ROWSxCOLS]|-p -- CMD ARGS... (started by gridd)\n");
		return 2;
	}
	for (i = GRID_JAIL_FD_CTL; i < __GRID_JAIL_FD_END; i++)
		if (fcntl(i, F_SETFD, FD_CLOEXEC)) {
			fprintf(stderr, "grid-jobinit: descriptor %d is not open: started by gridd only\n", i);
			return 2;
		}
	in.tty = !strcmp(argv[1], "-t");
	in.out.file = GRID_JAIL_FD_OUT;
	in.err.file = GRID_JAIL_FD_ERR;
	/* Reopened by gridd's O_APPEND: the sizes are where they start. */
	in.out.size = lseek(GRID_JAIL_FD_OUT, 0, SEEK_END);
	in.err.size = lseek(GRID_JAIL_FD_ERR, 0, SEEK_END);
	if (prctl(PR_SET_DUMPABLE, 0))
		die("cannot make the init undumpable");
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		die("cannot block SIGCHLD");
	in.sig = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (in.sig < 0)
		die("cannot make a signalfd");
	errno = -grid_privs_drop();
	if (errno)
		die("cannot drop the job's privileges");
	errno = -grid_filter_load();
	if (errno)
		die("cannot load the job's syscall filter");
	stdio(&in, argv + cmd + 1, rows, cols);
	loop(&in);
	return 0;
}
