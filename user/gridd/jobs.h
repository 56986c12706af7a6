/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Remote jobs (PROTOCOL.md §11): what gridd does for a job it runs for a
 * peer (jobs_provider.c), and for a job its agents run on a peer
 * (jobs_holder.c).
 *
 * The provider runs the job in its sandbox (user/sandbox/) in the cgroup
 * CGROUP_ROOT/<grid-grid>/lease-<id>/job-<id>, bound in grid.ko to its
 * lease, and sends its output as grid-jobinit appends it to the job's
 * files; the holder appends what it receives to a spool of its own,
 * fsync()s it, and says how far it has it (ACK), and only then does the
 * provider let grid-jobinit forget it. Offsets name every byte, so a
 * session that breaks, or a gridd that restarts on either side, resends
 * from what the other side has, and nothing arrives twice: the holder
 * appends only at its spool's end.
 */
#ifndef GRIDD_JOBS_H
#define GRIDD_JOBS_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "gridd.h"
#include "wire.h"

#define GRIDD_JOBS_MAX		256	/* jobs a provider runs at once */
#define GRIDD_JOBS_PER_HOLDER	64	/* of them, one holder grid's */
/* An ended job whose holder never takes its output is forgotten after: */
#define GRIDD_JOB_KEEP_S	86400
/* Output sent and not acknowledged, per job and stream. */
#define GRIDD_JOB_WINDOW	(256U << 10)
/* A session's send queue past which job output waits for it to drain. */
#define GRIDD_JOB_QUEUE_MAX	(1U << 20)
/* Root in a job is one uid outside from here up, one per running job. */
#define GRIDD_JOB_UID_BASE	1879048192U
#define GRIDD_JOB_WORK_MAX	(1ULL << 30)	/* its work dir, at most */

struct peer_conn;

/*
 * One sandbox started: its folder @dir (made, with root/, a tmpfs work/
 * of @work_bytes owned by @uid, the output files and the init's socket),
 * in the cgroup @cgroup (made by the caller), bound in grid.ko (@dev) to
 * @lease_id unless that is 0. What it gives back is the caller's.
 */
struct gridd_launch {
	const char *dir;
	const char *cgroup;
	uint64_t lease_id;
	int dev;
	unsigned int uid;
	uint64_t work_bytes;
	char **argv;
	bool tty, net;
	unsigned int rows, cols;
	/* out */
	int ctl, pidfd, out, err;
	uint64_t cgroup_id;
};

/* jobs_launch.c */
int gridd_job_launch(struct gridd_launch *l, struct grid_why *why);
/* grid-jobinit beside gridd (GRIDD_JOBINIT names another), and whether found. */
void gridd_jobinit_find(void);
bool gridd_jobinit_found(void);
/* A file of a job's folder, never through a link. */
int gridd_job_open_in(int dirfd, const char *name, int flags);
/* Room in the init's socket for the job's whole input window in flight. */
void gridd_job_sndbuf(int fd);

/* jobs_provider.c */
/* A uid no job uses, for gridctl selftest's probe. */
#define GRIDD_PROBE_UID		(GRIDD_JOB_UID_BASE + GRIDD_JOBS_MAX)
int gridd_jobs_start(struct gridd *g);
void gridd_jobs_stop(struct gridd *g);
int gridd_jobs_pollfds(struct gridd *g, struct pollfd *pfd, int max);
void gridd_jobs_poll(struct gridd *g, const struct pollfd *pfd, int n);
/* Output that waited for a session's queue, and ended jobs: each loop. */
void gridd_jobs_run(struct gridd *g);
int gridd_jobs_provider_message(struct gridd *g, struct peer_conn *c,
				const struct peer_msg *m, struct grid_why *why);
void gridd_jobs_provider_opened(struct gridd *g, struct peer_conn *c);

/* jobs_holder.c */
int gridd_jobs_holder_message(struct gridd *g, struct peer_conn *c,
			      const struct peer_msg *m, struct grid_why *why);
void gridd_jobs_holder_opened(struct gridd *g, struct peer_conn *c);
int op_job_run(struct gridd *g, struct request *rq);
int op_job_io(struct gridd *g, struct request *rq);
int op_job_list(struct gridd *g, struct request *rq);
int op_job_signal(struct gridd *g, struct request *rq);

/* pause.c: whether the provider's jobs are paused now, and why. */
bool gridd_paused(const struct gridd *g, char *why, size_t len);

/* selftest.c */
int op_selftest(struct gridd *g, struct request *rq);
/* Whether gridctl selftest has passed on the kernel running now. */
bool gridd_selftest_passed(struct gridd *g);

/* jobs.c: what both sides share */
int gridd_jobs_message(struct gridd *g, struct peer_conn *c,
		       const struct peer_msg *m, struct grid_why *why);
void gridd_jobs_opened(struct gridd *g, struct peer_conn *c);
/* "0123..." of a job id: 33 bytes. */
void gridd_job_hex(char out[2 * PEER_JOB_ID_LEN + 1], const uint8_t *id);
/* A job message of @type with the id and @n more key/uint pairs. */
int gridd_job_send(struct gridd *g, struct peer_conn *c, uint32_t type,
		   const uint8_t *id, int n, ...);

#endif
