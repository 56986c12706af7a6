// SPDX-License-Identifier: GPL-2.0
/*
 * grid_jail_start(): the clone, the id maps and the exec of grid-jobinit.
 *
 * The child waits on a pipe until the parent has written its uid and gid
 * maps (a process cannot map itself to an id it does not hold outside),
 * then builds its root and executes the init. A step that fails is
 * written to a close-on-exec pipe as an errno and a sentence; a clean
 * exec closes that pipe with nothing in it, as bubblewrap and crun tell
 * their parents.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "jail.h"

/* Where the child moves what it must keep while it places the init's fds. */
#define RELOCATED 100

struct child_err {
	int err;
	char msg[240];
};

static void child_fail(int fd, int err, const char *fmt, ...)
{
	struct child_err e = { .err = err };
	va_list ap;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	n = write(fd, &e, sizeof(e));
	(void)n;
	_exit(127);
}

/* One write of @s to /proc/PID/@name (cgroup.c's writer: the same job). */
static int write_file(pid_t pid, const char *name, const char *s)
{
	char dir[32];

	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	return grid_cgroup_write(dir, name, s);
}

/* Root in the job is @uid:@gid outside, and no other id is mapped. */
static int map_ids(pid_t pid, uid_t uid, gid_t gid, char *err, size_t len)
{
	char line[64];
	int ret;

	/*
	 * setgroups stays allowed (root outside may map a gid without denying
	 * it) so that the child can empty the groups it inherited from gridd:
	 * they count in the kernel's access checks even where unmapped. The
	 * job cannot call it again: grid-jobinit drops CAP_SETGID.
	 */
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned int)uid);
	ret = write_file(pid, "uid_map", line);
	if (ret) {
		snprintf(err, len, "cannot map root in the job to uid %u: %s",
			 (unsigned int)uid, strerror(-ret));
		return ret;
	}
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned int)gid);
	ret = write_file(pid, "gid_map", line);
	if (ret)
		snprintf(err, len, "cannot map root in the job to gid %u: %s",
			 (unsigned int)gid, strerror(-ret));
	return ret;
}

/*
 * The descriptors grid-jobinit expects, at 3.., and every other one marked
 * to close at the exec (the init's own and the error pipe among them:
 * execveat() of an ELF file needs its descriptor only until it has read it).
 */
static int place_fds(const struct grid_jail *j)
{
	int n = __GRID_JAIL_FD_END - GRID_JAIL_FD_CTL, tmp[8], i, ret = 0;

	/* Out of the way first, so that placing one cannot close another. */
	for (i = 0; i < n; i++) {
		tmp[i] = fcntl(j->fds[i], F_DUPFD_CLOEXEC, RELOCATED);
		if (tmp[i] < 0)
			return -errno;
	}
	for (i = 0; i < n && !ret; i++)
		if (dup2(tmp[i], GRID_JAIL_FD_CTL + i) < 0)
			ret = -errno;
	for (i = 0; i < n; i++)
		close(tmp[i]);
	if (!ret && close_range(__GRID_JAIL_FD_END, ~0U, CLOSE_RANGE_CLOEXEC))
		ret = -errno;
	return ret;
}

/*
 * A new network namespace has its loopback down: a job could not reach
 * a server of its own at 127.0.0.1 (a test's, a database). Brought up as
 * ifconfig does, with one ioctl: no netlink library in the child.
 */
static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ret = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	close(fd);
	return ret;
}

/*
 * The clone's child: a copy of gridd's memory, where another thread may
 * have held the allocator's lock at the clone. Nothing here, nor in
 * grid_jail_enter(), calls malloc(): no stdio streams, no opendir(), the
 * init's argv made before the clone.
 */
static void child(const struct grid_jail *j, char **argv, int sync_fd, int err_fd)
{
	char msg[sizeof(((struct child_err *)0)->msg)] = "";
	char c;
	int i, ret, devnull, init_fd;

	/* Above the numbers place_fds() fills. */
	i = fcntl(err_fd, F_DUPFD_CLOEXEC, RELOCATED);
	if (i < 0)
		child_fail(err_fd, errno, "cannot move a descriptor: %s", strerror(errno));
	err_fd = i;
	init_fd = fcntl(j->init_fd, F_DUPFD_CLOEXEC, RELOCATED);
	if (init_fd < 0)
		child_fail(err_fd, errno, "cannot move a descriptor: %s", strerror(errno));

	if (read(sync_fd, &c, 1) != 1)
		child_fail(err_fd, EPIPE, "the parent went away before mapping the job's ids");
	close(sync_fd);
	if (setresgid(0, 0, 0) || setgroups(0, NULL) || setresuid(0, 0, 0))
		child_fail(err_fd, errno, "cannot become root in the job's user namespace: %s",
			   strerror(errno));
	/* Root in the user namespace that owns the new network one. */
	if (!j->net) {
		ret = lo_up();
		if (ret)
			child_fail(err_fd, -ret, "cannot bring up the job's loopback: %s",
				   strerror(-ret));
	}
	ret = grid_jail_enter(j, msg, sizeof(msg));
	if (ret)
		child_fail(err_fd, -ret, "%s", msg);
	if (j->hostname && sethostname(j->hostname, strlen(j->hostname)))
		child_fail(err_fd, errno, "cannot set the job's host name: %s", strerror(errno));
	/* The init reads nothing from stdin: gridd's input comes by its socket. */
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		child_fail(err_fd, errno, "cannot open the job's /dev/null: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		if (dup2(devnull, i) < 0)
			child_fail(err_fd, errno, "cannot set up the init's stdio: %s",
				   strerror(errno));
	ret = place_fds(j);
	if (ret)
		child_fail(err_fd, -ret, "cannot pass the job's descriptors: %s", strerror(-ret));
	syscall(SYS_execveat, init_fd, "", argv, j->envp, AT_EMPTY_PATH);
	child_fail(err_fd, errno, "cannot start grid-jobinit: %s", strerror(errno));
}

/*
 * grid-jobinit's command line, made before the clone: the child is a copy
 * of a process that may hold locks in its allocator.
 */
static char **init_argv(const struct grid_jail *j, char *wsz, size_t wsz_len)
{
	char **argv;
	int n = 0, k = 0;

	while (j->argv[n])
		n++;
	argv = calloc(n + 6, sizeof(*argv));
	if (!argv)
		return NULL;
	argv[k++] = "grid-jobinit";
	argv[k++] = j->tty ? "-t" : "-p";
	if (j->tty && j->rows && j->cols) {
		snprintf(wsz, wsz_len, "%ux%u", j->rows, j->cols);
		argv[k++] = "-w";
		argv[k++] = wsz;
	}
	argv[k++] = "--";
	memcpy(argv + k, j->argv, n * sizeof(*argv));
	return argv;
}

int grid_jail_start(struct grid_jail *j, char *err, size_t len)
{
	struct clone_args ca = { 0 };
	struct child_err e = { 0 };
	int sync[2], errp[2], pidfd = -1, cwd = -1, ret;
	char wsz[16], **argv;
	ssize_t n;
	pid_t pid;

	if (!j->argv[0]) {
		snprintf(err, len, "the job has no command");
		return -EINVAL;
	}
	argv = init_argv(j, wsz, sizeof(wsz));
	if (!argv) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	if (pipe2(sync, O_CLOEXEC)) {
		ret = -errno;
		free(argv);
		return ret;
	}
	if (pipe2(errp, O_CLOEXEC)) {
		ret = -errno;
		close(sync[0]);
		close(sync[1]);
		free(argv);
		return ret;
	}
	ca.flags = CLONE_INTO_CGROUP | CLONE_PIDFD | CLONE_NEWUSER | CLONE_NEWNS |
		   CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
	if (!j->net)
		ca.flags |= CLONE_NEWNET;
	/*
	 * The folder by descriptor: the child starts in it (a new mount
	 * namespace carries the cwd over), so its uid needs no way through
	 * the folders above, and a path through /proc/self/fd would name
	 * the parent's mounts, where the child may not mount.
	 */
	if (!j->dir) {
		cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cwd < 0 || fchdir(j->dir_fd)) {
			ret = -errno;
			snprintf(err, len, "cannot enter the job's folder: %s", strerror(errno));
			if (cwd >= 0)
				close(cwd);
			close(sync[0]);
			close(sync[1]);
			close(errp[0]);
			close(errp[1]);
			free(argv);
			return ret;
		}
	}
	ca.pidfd = (uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	ca.cgroup = j->cgroup_fd;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid != 0 && cwd >= 0) {
		/* Back where the caller was (it may not be: then at "/"). */
		if (fchdir(cwd) && chdir("/"))
			ret = 0;
		close(cwd);
	}
	if (pid < 0) {
		ret = -errno;
		snprintf(err, len, "cannot start the job in its cgroup and namespaces: %s",
			 strerror(errno));
		goto out_pipes;
	}
	if (pid == 0) {
		close(sync[1]);
		close(errp[0]);
		child(j, argv, sync[0], errp[1]);
	}
	close(sync[0]);
	close(errp[1]);
	sync[0] = errp[1] = -1;
	ret = map_ids(pid, j->uid, j->gid, err, len);
	if (!ret && write(sync[1], "g", 1) != 1) {
		ret = -errno;
		snprintf(err, len, "cannot wake the job's child: %s", strerror(errno));
	}
	close(sync[1]);
	sync[1] = -1;
	if (!ret) {
		do
			n = read(errp[0], &e, sizeof(e));
		while (n < 0 && errno == EINTR);
		if (n == (ssize_t)sizeof(e)) {
			e.msg[sizeof(e.msg) - 1] = '\0';
			snprintf(err, len, "%s", e.msg);
			ret = e.err > 0 ? -e.err : -EIO;
		} else if (n != 0) {
			snprintf(err, len, "the job's child said something unreadable");
			ret = -EIO;
		}
	}
	if (ret) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(pidfd);
		goto out_pipes;
	}
	j->pid = pid;
	j->pidfd = pidfd;
out_pipes:
	if (sync[0] >= 0)
		close(sync[0]);
	if (sync[1] >= 0)
		close(sync[1]);
	close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	free(argv);
	return ret;
}
