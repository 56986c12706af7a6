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
#include "probe.h"

/* After the job's process ends, how long its output may take to drain. */
#define DRAIN_MS 2000
/* After a failed accept(), how long before the listener is polled again. */
#define ACCEPT_BACKOFF_MS 100

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
	long long accept_after;	/* the listener is not polled before */
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

/* poll()'s @timeout (-1: none), made to end by @at_ms at the latest. */
static int until(int timeout, long long at_ms)
{
	long long left = at_ms - now_ms();

	if (left < 0)
		left = 0;
	return timeout < 0 || left < timeout ? (int)left : timeout;
}

/*
 * A message to gridd. Where its socket is full, OUTPUT stays owed (told)
 * and the loop waits for room to say it: gridd would otherwise not hear
 * of output that came last, until more came. A STATE lost that way is
 * owed as an OUTPUT, which says the same.
 */
static void say(struct init *in, uint32_t type)
{
	struct grid_jobmsg m = {
		.type = type, .a = in->in_done, .b = in->out.size, .c = in->err.size,
	};

	in->told = false;
	if (in->ctl < 0)
		return;
	if (send(in->ctl, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return;
	if (errno == EAGAIN || errno == EINTR) {
		in->told = true;
		return;
	}
	close(in->ctl);
	in->ctl = -1;
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
	execvp(argv[0], argv);
	i = errno;
	fprintf(stderr, "grid: %s: %s\n", argv[0], strerror(i));
	_exit(i == ENOENT ? 127 : 126);
}

static void stdio(struct init *in, char **argv, unsigned int rows, unsigned int cols)
{
	int p_in[2], p_out[2], p_err[2], fds[3], i;
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
		/*
		 * The job starts as from a fresh shell: every signal at its
		 * default (an ignored one stays ignored across execve, and the
		 * init ignores SIGPIPE, gridd may have ignored others) and none
		 * blocked. SIGKILL, SIGSTOP and glibc's own say EINVAL: no matter.
		 */
		for (i = 1; i < NSIG; i++)
			signal(i, SIG_DFL);
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
		/*
		 * Within the window only. Input after EOF, a gap (bytes lost
		 * between the holder and here) or an overrun is not kept, and
		 * the connection stays: ending it would end nothing but make
		 * gridd think the job gone. The holder learns from in_done
		 * where the job's input stands.
		 */
		got = in->in_done + in->pend_len - in->pend_off;
		if (in->eof || b.m.a > got ||
		    b.m.a + b.m.len > in->in_done + GRID_JOB_STDIN_WINDOW)
			return;
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
			return;
		in->eof = true;
		if (!in->pend_len)
			end_input(in);
		return;
	case GRID_JOBMSG_SIGNAL:
		if (b.m.a < 1 || b.m.a > 64)
			goto drop;
		/*
		 * On a terminal, the keys' signals (the only ones TIOCSIG
		 * takes: INT, QUIT, TSTP) go where a typed ^C would: to its
		 * foreground process group, which under a shell's job control
		 * is not the job's own. The others, and a pipe job's, go to
		 * the job's process group.
		 */
		if (!in->tty || ioctl(in->in, TIOCSIG, (int)b.m.a))
			kill(-in->job, (int)b.m.a);
		return;
	case GRID_JOBMSG_WINSZ:
		/* A pipe job has no size to change: nothing to do. */
		if (!in->tty || !b.m.a || !b.m.b || b.m.a > 0xffff || b.m.b > 0xffff)
			return;
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

/* One read of @s's job end into its file: how many bytes it read. */
static ssize_t read_output(struct init *in, struct stream *s)
{
	char buf[65536];
	uint64_t room = GRID_JOB_SPOOL_MAX - (s->size - s->taken);
	ssize_t n, w;

	n = read(s->fd, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		/* EIO: a terminal whose every slave end has closed. */
		close(s->fd);
		s->fd = -1;
		return 0;
	}
	for (w = 0; w < n;) {
		ssize_t k = write(s->file, buf + w, n - w);

		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			/*
			 * The spool's file system is full, or the file gone:
			 * the rest is dropped, there is nowhere to keep it.
			 * The size counts what the file holds, the offset
			 * gridd reads the next bytes at.
			 */
			break;
		}
		w += k;
	}
	s->size += w;
	if (w)
		in->told = true;
	return n;
}

/*
 * The job's wait status, on disk: at its end already, so that a job that
 * ended well is not reported killed when its lease's end (or an OOM)
 * kills the init that waits for gridd to take its output.
 */
static void write_status(const struct init *in)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%d\n", in->status);

	if (pwrite(GRID_JAIL_FD_STATUS, line, n, 0) != n)
		_exit(125);
	fsync(GRID_JAIL_FD_STATUS);
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
			write_status(in);
		}
}

static bool room(const struct stream *s)
{
	return s->size - s->taken < GRID_JOB_SPOOL_MAX;
}

/*
 * The drain time is over: what the job's pipe or terminal holds already
 * is read all the same, without waiting for more. A writer that outlived
 * the job could refill it as fast as it is read: no more reads than a
 * full pipe takes (1 MiB at most, by default).
 */
static void last_read(struct init *in, struct stream *s)
{
	int i;

	for (i = 0; i < 16 && s->fd >= 0 && room(s); i++)
		if (read_output(in, s) <= 0)
			break;
}

static void finish(struct init *in)
{
	say(in, GRID_JOBMSG_OUTPUT);
	/* gridd's socket is full: the last sizes are worth a moment's wait. */
	if (in->told) {
		struct pollfd p = { .fd = in->ctl, .events = POLLOUT };

		if (poll(&p, 1, 1000) > 0)
			say(in, GRID_JOBMSG_OUTPUT);
	}
	write_status(in);
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
			/* And room to say an OUTPUT that found none (say()). */
			p[n++] = (struct pollfd){ .fd = in->ctl,
						  .events = POLLIN | (in->told ? POLLOUT : 0) };
		} else if (now_ms() >= in->accept_after) {
			i_lis = n;
			p[n++] = (struct pollfd){ .fd = GRID_JAIL_FD_LISTEN, .events = POLLIN };
		} else {
			timeout = until(timeout, in->accept_after);
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

			if (in->out.fd < 0 && in->err.fd < 0)
				finish(in);
			if (left <= 0 && !blocked) {
				last_read(in, &in->out);
				last_read(in, &in->err);
				finish(in);
			}
			/* Blocked past the drain time: until gridd takes some. */
			if (left > 0)
				timeout = until(timeout, in->drain_until);
		}
		if (poll(p, n, timeout) < 0 && errno != EINTR)
			die("poll");
		if (p[0].revents)
			reap(in);
		if (i_ctl >= 0 && (p[i_ctl].revents & ~POLLOUT))
			ctl_message(in);
		if (i_lis >= 0 && (p[i_lis].revents & POLLIN)) {
			in->ctl = accept4(GRID_JAIL_FD_LISTEN, NULL, NULL, SOCK_CLOEXEC);
			/*
			 * Out of descriptors (EMFILE, ENFILE) or another failure:
			 * the connection stays in the backlog and the listener
			 * readable, and asking again at once would spin. A while
			 * later, then.
			 */
			if (in->ctl < 0)
				in->accept_after = now_ms() + ACCEPT_BACKOFF_MS;
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

	/* As a job (gridctl selftest): the checks, not an init. */
	if (argc == 2 && !strcmp(argv[1], "--probe"))
		return grid_probe_main();

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
