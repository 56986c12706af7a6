// SPDX-License-Identifier: GPL-2.0
/*
 * grid_jail_run [-n] [-t [-w ROWSxCOLS] [-W ROWSxCOLS]] [-s SIG] [-r ROOT] [-u UID]
 *               -c CGROUP-DIR -- CMD...
 *
 * Runs CMD in a job's sandbox (user/sandbox/jail.c, user/jobinit/) in the
 * cgroup CGROUP-DIR, relays this program's stdin to it and its output
 * back, and exits with its status (128+N when a signal N ended it), as
 * gridd's provider side will. The VM tests' door to the sandbox alone.
 * -n: the host's network; -t: a terminal (-w ROWSxCOLS its size from
 * the start, -W its size once the job has written something); -s: the
 * signal SIG sent to the job (a SIGNAL message) once it has written
 * something; -r: ROOT is the tree the job sees as / (the host's by
 * default); -u: root in the job is UID outside (100000 by default). Input
 * is sent within the init's window, as gridd sends it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jail.h"
#include "jobmsg.h"

extern char **environ;

static void die(const char *what)
{
	fprintf(stderr, "grid_jail_run: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* What has been appended to @file since @done, to @to. */
static void copy_new(int file, uint64_t *done, int to)
{
	char buf[65536];
	ssize_t n;

	while ((n = pread(file, buf, sizeof(buf), *done)) > 0) {
		if (write(to, buf, n) != n)
			die("write");
		*done += n;
	}
}

static int open_in(const char *dir, const char *name, int flags)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, flags | O_CLOEXEC, 0600);
	if (fd < 0)
		die(p);
	return fd;
}

int main(int argc, char **argv)
{
	struct grid_jail j = { .tmp_bytes = 16 << 20, .hostname = "grid-job" };
	char dir[] = "/tmp/jail.XXXXXX", p[PATH_MAX], err[256], line[32];
	const char *cg = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t out_done = 0, err_done = 0, in_off = 0, in_done = 0;
	int pair[2], lis, opt, outr, errr, st, status, cgfd;
	bool in_open = true;
	uid_t uid = 100000;
	ssize_t n;

	unsigned int rows = 0, cols = 0, rows2 = 0, cols2 = 0, sig = 0;

	while ((opt = getopt(argc, argv, "ntu:c:w:W:s:r:")) != -1) {
		switch (opt) {
		case 'n': j.net = true; break;
		case 't': j.tty = true; break;
		case 's': sig = strtoul(optarg, NULL, 10); break;
		case 'r': j.root = optarg; break;
		case 'u': uid = strtoul(optarg, NULL, 10); break;
		case 'c': cg = optarg; break;
		case 'w':
			if (sscanf(optarg, "%ux%u", &rows, &cols) != 2)
				return 2;
			j.rows = rows;
			j.cols = cols;
			break;
		case 'W':
			if (sscanf(optarg, "%ux%u", &rows2, &cols2) != 2)
				return 2;
			break;
		default: return 2;
		}
	}
	if (!cg || optind >= argc) {
		fprintf(stderr, "usage: grid_jail_run [-n] [-t [-w RxC] [-W RxC]] [-s SIG] [-r ROOT] [-u UID] -c CGROUP-DIR -- CMD...\n");
		return 2;
	}
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(p, sizeof(p), "%s/root", dir);
	if (mkdir(p, 0700))
		die(p);
	snprintf(p, sizeof(p), "%s/work", dir);
	if (mkdir(p, 0700) || mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0700") ||
	    chown(p, uid, uid))
		die(p);
	/* The job's root is uid outside, and must reach its work dir. */
	if (chmod(dir, 0711))
		die(dir);
	cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		die(cg);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair))
		die("socketpair");
	lis = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl", dir);
	if (lis < 0 || bind(lis, (struct sockaddr *)&sa, sizeof(sa)) || listen(lis, 1))
		die("the job's socket");
	j.fds[GRID_JAIL_FD_CTL - 3] = pair[1];
	j.fds[GRID_JAIL_FD_LISTEN - 3] = lis;
	j.fds[GRID_JAIL_FD_OUT - 3] = open_in(dir, "out", O_CREAT | O_WRONLY | O_APPEND);
	j.fds[GRID_JAIL_FD_ERR - 3] = open_in(dir, "err", O_CREAT | O_WRONLY | O_APPEND);
	j.fds[GRID_JAIL_FD_STATUS - 3] = open_in(dir, "status", O_CREAT | O_RDWR);
	outr = open_in(dir, "out", O_RDONLY);
	errr = open_in(dir, "err", O_RDONLY);
	/* grid-jobinit lies beside this program. */
	n = readlink("/proc/self/exe", p, sizeof(p) - sizeof("/grid-jobinit"));
	if (n <= 0 || !memchr(p, '/', n))
		die("/proc/self/exe");
	p[n] = '\0';
	strcpy(strrchr(p, '/'), "/grid-jobinit");
	j.init_fd = open(p, O_RDONLY | O_CLOEXEC);
	if (j.init_fd < 0)
		die(p);
	j.cgroup_fd = cgfd;
	j.dir = dir;
	j.uid = uid;
	j.gid = uid;
	j.devgrid = getenv("GRID_JAIL_DEVGRID");
	j.gridfs = getenv("GRID_JAIL_GRIDFS");
	j.argv = argv + optind;
	j.envp = environ;
	if (grid_jail_start(&j, err, sizeof(err))) {
		fprintf(stderr, "grid_jail_run: %s\n", err);
		return 125;
	}
	close(pair[1]);
	for (;;) {
		bool room = in_off - in_done + GRID_JOBMSG_DATA_MAX <= GRID_JOB_STDIN_WINDOW;
		struct pollfd pf[3] = {
			{ .fd = pair[0], .events = POLLIN },
			{ .fd = j.pidfd, .events = POLLIN },
			{ .fd = in_open && room ? 0 : -1, .events = POLLIN },
		};
		struct {
			struct grid_jobmsg m;
			char data[GRID_JOBMSG_DATA_MAX];
		} b = { 0 };

		if (poll(pf, 3, -1) < 0 && errno != EINTR)
			die("poll");
		if (pf[0].revents & POLLIN) {
			n = recv(pair[0], &b, sizeof(b), 0);
			if (n >= (ssize_t)sizeof(b.m) && b.m.type == GRID_JOBMSG_OUTPUT) {
				in_done = b.m.a;
				if (rows2 && b.m.b) {
					struct grid_jobmsg w = { .type = GRID_JOBMSG_WINSZ,
								 .a = rows2, .b = cols2 };

					if (send(pair[0], &w, sizeof(w), MSG_NOSIGNAL) < 0)
						die("send");
					rows2 = 0;
				}
				if (sig && (b.m.b || b.m.c)) {
					struct grid_jobmsg k = { .type = GRID_JOBMSG_SIGNAL, .a = sig };

					if (send(pair[0], &k, sizeof(k), MSG_NOSIGNAL) < 0)
						die("send");
					sig = 0;
				}
				copy_new(outr, &out_done, 1);
				copy_new(errr, &err_done, 2);
				b.m = (struct grid_jobmsg){ .type = GRID_JOBMSG_ACK,
							    .a = out_done, .b = err_done };
				send(pair[0], &b.m, sizeof(b.m), MSG_NOSIGNAL);
			}
		}
		if (pf[2].revents) {
			n = read(0, b.data, sizeof(b.data));
			b.m = (struct grid_jobmsg){ .type = n > 0 ? GRID_JOBMSG_STDIN : GRID_JOBMSG_EOF,
						    .len = n > 0 ? n : 0, .a = in_off };
			/* Blocking: the job's pace is the input's. */
			if (send(pair[0], &b, sizeof(b.m) + b.m.len, MSG_NOSIGNAL) < 0)
				in_open = false;
			if (n > 0)
				in_off += n;
			else
				in_open = false;
		}
		if (pf[1].revents)
			break;
	}
	if (waitpid(j.pid, &st, 0) < 0)
		die("waitpid");
	copy_new(outr, &out_done, 1);
	copy_new(errr, &err_done, 2);
	n = pread(j.fds[GRID_JAIL_FD_STATUS - 3], line, sizeof(line) - 1, 0);
	if (n <= 0) {
		fprintf(stderr, "grid_jail_run: the job's init ended (%d) without a status\n", st);
		return 125;
	}
	line[n] = '\0';
	status = atoi(line);
	snprintf(p, sizeof(p), "%s/work", dir);
	umount2(p, MNT_DETACH);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
