/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sandbox a job runs in, started from the provider's side.
 *
 * grid_jail_start() clones into the job's cgroup (CLONE_INTO_CGROUP) with
 * new user, mount, pid, uts, ipc and cgroup namespaces (and a network one
 * unless the lease grants egress), maps root in the job to one unprivileged
 * uid outside, builds the job's root (jail_root.c) and executes
 * grid-jobinit as its pid 1, which starts the job and relays its input and
 * output (user/jobinit/). Nothing of the caller's memory survives that
 * exec: the clone shares gridd's pages, the init does not.
 *
 * The host-side folder of a job, made by the caller before the start:
 *
 *	DIR/root	an empty folder: the mount point of the job's root
 *	DIR/work	the work dir, a size-limited tmpfs owned by uid:gid
 *
 * and the job's output files, passed as descriptors (the job never sees
 * them: grid-jobinit holds them and is not dumpable).
 */
#ifndef GRID_JAIL_H
#define GRID_JAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The descriptors grid-jobinit finds open, in this order from 3. */
enum grid_jail_fd {
	GRID_JAIL_FD_CTL = 3,	/* its end of a SOCK_SEQPACKET pair */
	GRID_JAIL_FD_LISTEN,	/* where a restarted gridd connects again */
	GRID_JAIL_FD_OUT,	/* the job's stdout (and its tty's output) */
	GRID_JAIL_FD_ERR,	/* its stderr */
	GRID_JAIL_FD_STATUS,	/* where its wait status is written */
	__GRID_JAIL_FD_END,
};

/* Inside the job: where its work dir and the grid-grid's gridfs are. */
#define GRID_JAIL_WORK "/work"
#define GRID_JAIL_GRIDFS "/grid"

struct grid_jail {
	/* in */
	int cgroup_fd;		/* the job's leaf cgroup, a directory */
	int init_fd;		/* grid-jobinit, open for execveat */
	int fds[__GRID_JAIL_FD_END - GRID_JAIL_FD_CTL];
	const char *dir;	/* the job's host folder (above), or NULL: */
	int dir_fd;		/* ... this one, open: its parents may be closed
				 * to the job's uid (gridd's state is 0700) */
	/*
	 * The tree the job sees as /. NULL or "/" is the host's, of which
	 * only usr bin sbin lib* etc opt are shown; another tree is shown
	 * whole, less the host-only folders (jail_root.c).
	 */
	const char *root;
	const char *gridfs;	/* a gridfs mount to show at /grid, or NULL */
	const char *devgrid;	/* a /dev/grid node for the job, or NULL */
	const char *hostname;
	uid_t uid;		/* root in the job is uid:gid outside */
	gid_t gid;
	uint64_t tmp_bytes;	/* the size of its /tmp */
	bool net;		/* the host's network (egress), not a new one */
	bool tty;		/* a pseudo-terminal, not pipes */
	unsigned short rows;	/* its size from the start (0: the default) */
	unsigned short cols;
	char *const *argv;	/* the job's command */
	char *const *envp;	/* its environment */
	/* out */
	pid_t pid;		/* grid-jobinit, as the caller's pid namespace sees it */
	int pidfd;
};

/*
 * Starts @j. 0, or -errno with a sentence in @err (the step that failed,
 * as the child saw it). The caller owns j->pidfd afterwards; the fds it
 * passed stay its own (the child has copies).
 */
int grid_jail_start(struct grid_jail *j, char *err, size_t len);

/* The child's half: builds the root at @j->dir/root and enters it. */
int grid_jail_enter(const struct grid_jail *j, char *err, size_t len);

#endif
