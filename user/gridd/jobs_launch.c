// SPDX-License-Identifier: GPL-2.0
/*
 * One job's sandbox started (gridd_job_launch): its folder, its output
 * files, grid-jobinit's sockets, its bind in grid.ko, and the clone of
 * user/sandbox/jail.c. The provider's jobs (jobs_provider.c) and the
 * selftest's probe (selftest.c) start theirs here.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dev.h"
#include "jail.h"
#include "jobmsg.h"
#include "jobs.h"

static char jobinit_path[4096];

int gridd_job_open_in(int dirfd, const char *name, int flags)
{
	return openat(dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/*
 * Room for the job's whole input window in flight (GRID_JOB_STDIN_WINDOW
 * in 24 KiB messages): a send that would block is input lost.
 */
void gridd_job_sndbuf(int fd)
{
	int sz = 4 * GRID_JOB_STDIN_WINDOW;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

int gridd_job_launch(struct gridd_launch *l, struct grid_why *why)
{
	struct grid_jail jl = { .tmp_bytes = 16 << 20, .hostname = "grid-job" };
	struct grid_ioc_sandbox sb = { .size = sizeof(sb), .lease_id = l->lease_id };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char *envp_pipe[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/work",
				     "LANG=C.UTF-8", NULL };
	static char *envp_tty[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/work",
				    "LANG=C.UTF-8", "TERM=xterm-256color", NULL };
	char p[PATH_MAX], opts[96], err[256];
	int dfd = -1, cgfd = -1, pair[2] = { -1, -1 }, lis = -1, i, ret;
	int status = -1, initfd = -1;
	size_t dlen = strlen(l->dir);

	l->ctl = l->pidfd = l->out = l->err = -1;
	if (!jobinit_path[0])
		return grid_why_set(why, -ENOENT, "grid-jobinit is not installed beside gridd");
	if (mkdir(l->dir, 0711) && errno != EEXIST)
		return grid_why_set(why, -errno, "cannot make %s: %s", l->dir, strerror(errno));
	dfd = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0 || fchmod(dfd, 0711) || (mkdirat(dfd, "root", 0700) && errno != EEXIST) ||
	    (mkdirat(dfd, "work", 0700) && errno != EEXIST)) {
		ret = grid_why_set(why, -errno, "cannot make %s: %s", l->dir, strerror(errno));
		goto out;
	}
	snprintf(opts, sizeof(opts), "size=%" PRIu64 ",mode=0700,uid=%u,gid=%u", l->work_bytes,
		 l->uid, l->uid);
	if ((size_t)snprintf(p, sizeof(p), "%.4000s/work", l->dir) >= sizeof(p) ||
	    mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, opts)) {
		ret = grid_why_set(why, -errno, "cannot mount the job's work dir: %s",
				   strerror(errno));
		goto out;
	}
	l->out = gridd_job_open_in(dfd, "out", O_CREAT | O_RDWR | O_APPEND);
	l->err = gridd_job_open_in(dfd, "err", O_CREAT | O_RDWR | O_APPEND);
	status = gridd_job_open_in(dfd, "status", O_CREAT | O_RDWR | O_TRUNC);
	if (l->out < 0 || l->err < 0 || status < 0) {
		ret = grid_why_set(why, -errno, "cannot make the job's files: %s", strerror(errno));
		goto out;
	}
	if (dlen + 5 > sizeof(sa.sun_path)) {
		ret = grid_why_set(why, -ENAMETOOLONG, "the job's folder %s is too long a path for its socket",
				   l->dir);
		goto out;
	}
	memcpy(sa.sun_path, l->dir, dlen);
	memcpy(sa.sun_path + dlen, "/ctl", 5);
	unlink(sa.sun_path);
	lis = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lis < 0 || bind(lis, (struct sockaddr *)&sa, sizeof(sa)) || listen(lis, 2) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair)) {
		ret = grid_why_set(why, -errno, "cannot make the job's socket: %s", strerror(errno));
		goto out;
	}
	cgfd = open(l->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0) {
		ret = grid_why_set(why, -errno, "cannot open %s: %s", l->cgroup, strerror(errno));
		goto out;
	}
	if (l->lease_id) {
		sb.cgroup_fd = cgfd;
		/* (EEXIST too: a cgroup is one job's, never shared.) */
		ret = l->dev >= 0 ? grid_dev_sandbox_bind(l->dev, &sb) : -ENODEV;
		if (ret) {
			grid_why_set(why, ret, "grid.ko would not bind the job to lease %" PRIu64 ": %s",
				     l->lease_id, strerror(-ret));
			goto out;
		}
		l->cgroup_id = sb.cgroup_id;
	}
	initfd = open(jobinit_path, O_RDONLY | O_CLOEXEC);
	if (initfd < 0) {
		ret = grid_why_set(why, -errno, "cannot open %s: %s", jobinit_path,
				   strerror(errno));
		goto out;
	}
	jl.cgroup_fd = cgfd;
	jl.init_fd = initfd;
	jl.fds[GRID_JAIL_FD_CTL - 3] = pair[1];
	jl.fds[GRID_JAIL_FD_LISTEN - 3] = lis;
	jl.fds[GRID_JAIL_FD_OUT - 3] = l->out;
	jl.fds[GRID_JAIL_FD_ERR - 3] = l->err;
	jl.fds[GRID_JAIL_FD_STATUS - 3] = status;
	/* By descriptor: gridd's state folder above it is 0700. */
	jl.dir = NULL;
	jl.dir_fd = dfd;
	jl.uid = jl.gid = l->uid;
	jl.devgrid = access("/dev/grid", F_OK) ? NULL : "/dev/grid";
	jl.net = l->net;
	jl.tty = l->tty;
	jl.rows = l->rows;
	jl.cols = l->cols;
	jl.argv = l->argv;
	jl.envp = l->tty ? envp_tty : envp_pipe;
	ret = grid_jail_start(&jl, err, sizeof(err));
	if (ret) {
		grid_why_set(why, ret, "the sandbox did not start: %s", err);
		goto out;
	}
	l->pidfd = jl.pidfd;
	l->ctl = pair[0];
	gridd_job_sndbuf(l->ctl);
	pair[0] = -1;
out:
	for (i = 0; i < 2; i++)
		if (pair[i] >= 0)
			close(pair[i]);
	if (lis >= 0)
		close(lis);
	if (status >= 0)
		close(status);
	if (cgfd >= 0)
		close(cgfd);
	if (dfd >= 0)
		close(dfd);
	if (initfd >= 0)
		close(initfd);
	return ret;
}

/* grid-jobinit beside gridd (the build's, or the package's). */
void gridd_jobinit_find(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 16);
	char *slash;

	if (getenv("GRIDD_JOBINIT")) {
		snprintf(jobinit_path, sizeof(jobinit_path), "%s", getenv("GRIDD_JOBINIT"));
		return;
	}
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	strcpy(slash + 1, "grid-jobinit");
	if (!access(exe, X_OK))
		snprintf(jobinit_path, sizeof(jobinit_path), "%s", exe);
}

bool gridd_jobinit_found(void)
{
	return jobinit_path[0];
}
