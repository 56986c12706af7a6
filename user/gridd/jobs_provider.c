// SPDX-License-Identifier: GPL-2.0
/*
 * Remote jobs, the provider's side (PROTOCOL.md §11): a job a peer's
 * agent submits under a lease this grid issued runs in its sandbox, in
 * its cgroup below the lease's, bound in grid.ko so that the lease's end
 * kills it with no gridd alive; its output goes back to the holder.
 *
 * The state of a job is in three places, each the authority on its part:
 * the row of jobs_provided (that it was accepted, for whom, and once
 * ended how), the job's folder STATE/jobs/<id> (its output files, its
 * status file, grid-jobinit's listening socket), and grid-jobinit itself
 * while the job runs. A gridd that restarts reads the rows, connects to
 * each running job's socket again, and goes on; a job whose init has
 * gone is ended from its status file, or from its cgroup's memory.events
 * and its lease when the kernel killed it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "cgroup.h"
#include "dev.h"
#include "jail.h"
#include "jobmsg.h"
#include "jobs.h"
#include "log.h"
#include "peers.h"
#include "units.h"

struct pjob {
	uint8_t id[PEER_JOB_ID_LEN];
	char hex[2 * PEER_JOB_ID_LEN + 1];
	uint8_t holder_grid[GRID_PK_LEN];	/* its session's key */
	uint64_t lease_id;
	char gg[GRID_NAME_LEN];
	unsigned int slot;	/* its uid: GRIDD_JOB_UID_BASE + slot */
	int ctl;		/* grid-jobinit, or -1 while not connected */
	int pidfd;		/* this gridd started it: reaped here */
	int out, err;		/* the job's output files, read-only */
	uint64_t size[2];	/* what the files hold (grid-jobinit says) */
	uint64_t sent[2];	/* sent on the present session */
	uint64_t acked[2];	/* the holder has it on disk */
	uint64_t in_done, in_told;
	uint64_t started;
	bool synced;		/* the holder said what it has, this session */
	unsigned int reconnects;	/* to its init, since it started */
	uint64_t ended_at;	/* Unix s */
	uint64_t punched[2];	/* output acknowledged and freed on disk */
	bool ended;		/* its init has gone, the outcome is kept */
	bool end_sent;
	int status;		/* a wait status */
	char why[PEER_TEXT_MAX];
	uint64_t cpu_us, mem_peak;
	uint64_t cgroup_id;
	uint8_t receipt[GRID_ID_LEN];
	bool has_receipt;
};

static struct pjob *jobs[GRIDD_JOBS_MAX];
/* gridd.conf 'pause': whether the jobs here are frozen now, and why. */
static bool paused;
static char paused_why[160];
static uint64_t pause_checked;	/* monotonic ms */
static bool pause_known;	/* applied once since start: a job frozen by a gridd
				 * before this one is thawed if the pause is over */

static struct pjob *find(const uint8_t *id)
{
	unsigned int i;

	for (i = 0; i < GRIDD_JOBS_MAX; i++)
		if (jobs[i] && !memcmp(jobs[i]->id, id, PEER_JOB_ID_LEN))
			return jobs[i];
	return NULL;
}

static void job_dir(struct gridd *g, const struct pjob *j, char *buf, size_t len)
{
	snprintf(buf, len, "%s/jobs/%s", g->cfg.state_dir, j->hex);
}

static void lease_cgroup(struct gridd *g, const struct pjob *j, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/lease-%" PRIu64, g->cfg.cgroup_root, j->gg, j->lease_id);
}

static void job_cgroup(struct gridd *g, const struct pjob *j, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/lease-%" PRIu64 "/job-%s", g->cfg.cgroup_root,
		 j->gg, j->lease_id, j->hex);
}

/* ---- the job's end ------------------------------------------------------- */

/* A number of a cgroup file (@key NULL: its first), 0 if none. */
static uint64_t stat_of(const char *cg, const char *file, const char *key)
{
	char name[PATH_MAX], buf[2048], *p;
	ssize_t n;
	int fd;

	if ((size_t)snprintf(name, sizeof(name), "%s/%s", cg, file) >= sizeof(name))
		return 0;
	/* Whole: grid_cgroup_read() keeps a file's first line only. */
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (!key)
		return strtoull(buf, NULL, 10);
	p = strstr(buf, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/*
 * Why the kernel ended a job whose init left no status: its memory, or
 * its lease (grid.ko writes the lease cgroup's cgroup.kill at the end).
 */
static void kernel_reason(struct gridd *g, struct pjob *j, const char *cg)
{
	int64_t ended = 0;
	char lim[GRID_FMT_LEN] = "";

	if (stat_of(cg, "memory.events", "oom_kill ") ||
	    stat_of(cg, "memory.events", "oom_group_kill ")) {
		uint64_t max = stat_of(cg, "../memory.max", NULL);

		if (max)
			grid_format_size(lim, sizeof(lim), max);
		snprintf(j->why, sizeof(j->why),
			 "killed by the kernel: out of memory (lease %" PRIu64 " allows %s)",
			 j->lease_id, *lim ? lim : "no more");
		return;
	}
	store_int(&g->st, &ended, "SELECT count(*) FROM leases_issued WHERE lease_id = ?"
		  " AND (not_after <= ? OR revoked IS NOT NULL)", "ii",
		  (int64_t)j->lease_id, (int64_t)gridd_now(g));
	if (ended)
		snprintf(j->why, sizeof(j->why),
			 "killed when lease %" PRIu64 " ended", j->lease_id);
	else
		snprintf(j->why, sizeof(j->why), "killed on the provider (its init was killed)");
}

/*
 * A receipt for what the job used, signed by this grid (RECORDS.md 8.11),
 * and the ledger's line; in the transaction the caller holds.
 */
static int sign_receipt(struct gridd *g, struct pjob *j)
{
	struct grid_signed *s = malloc(sizeof(*s));
	struct grid_record r;
	struct grid_why why;
	sqlite3_stmt *st;
	uint8_t gg[GRID_PK_LEN];
	int ret = -ENOENT;

	if (!s)
		return -ENOMEM;
	grid_record_init(&r, GRID_REC_RECEIPT, g->key.pk, gridd_now(g));
	st = store_prep(&g->st, "SELECT holder, record FROM leases_issued WHERE lease_id = ?",
			"i", (int64_t)j->lease_id);
	if (st && store_step(&g->st, st) == 1 && !store_col_key(st, 0, r.subject) &&
	    sqlite3_column_bytes(st, 1) == GRID_ID_LEN && !gridd_gg_key(g, j->gg, gg)) {
		memcpy(r.ref, sqlite3_column_blob(st, 1), GRID_ID_LEN);
		memcpy(r.gridgrid, gg, GRID_PK_LEN);
		ret = 0;
	}
	store_done(&g->st, st);
	if (ret)
		goto out;
	r.lease_id = j->lease_id;
	r.usage.cpu_us = j->cpu_us;
	r.usage.memory_peak = j->mem_peak;
	r.usage.exit_status = WIFSIGNALED(j->status) ? 128 + WTERMSIG(j->status) :
			      WEXITSTATUS(j->status);
	r.usage.started = j->started;
	r.usage.ended = gridd_now(g);
	r.has |= GRID_HAS(GRID_K_SUBJECT) | GRID_HAS(GRID_K_GRIDGRID) |
		 GRID_HAS(GRID_K_REF) | GRID_HAS(GRID_K_LEASE_ID) | GRID_HAS(GRID_K_USAGE);
	ret = gridd_sign_keep(g, &r, &g->key, s, &why);
	if (ret) {
		log_warn("job %.8s: no receipt: %s", j->hex, why.msg);
		goto out;
	}
	memcpy(j->receipt, s->id, GRID_ID_LEN);
	j->has_receipt = true;
	ret = store_exec(&g->st, store_prep(&g->st,
		"INSERT INTO ledger (at, peer, lease_id, role, receipt, cpu_us,"
		" memory_peak, bytes_out, bytes_in) VALUES (?, ?, ?, 'provided', ?, ?, ?, 0, 0)",
		"ikikii", (int64_t)r.usage.ended, j->holder_grid, (int64_t)j->lease_id,
		s->id, (int64_t)j->cpu_us, (int64_t)j->mem_peak));
out:
	free(s);
	return ret;
}

/* grid-jobinit has gone: the job's outcome, kept. */
static void ended(struct gridd *g, struct pjob *j)
{
	bool killed;
	char dir[PATH_MAX], cg[PATH_MAX], line[32];
	struct stat st;
	ssize_t n;
	int fd;

	if (j->ended)
		return;
	if (j->ctl >= 0) {
		close(j->ctl);
		j->ctl = -1;
	}
	if (j->pidfd >= 0) {
		siginfo_t si;

		waitid(P_PIDFD, j->pidfd, &si, WEXITED | WNOHANG);
		close(j->pidfd);
		j->pidfd = -1;
	}
	job_dir(g, j, dir, sizeof(dir));
	job_cgroup(g, j, cg, sizeof(cg));
	/* Whatever the job left behind in its cgroup goes with its init. */
	killed = !grid_cgroup_write(cg, "cgroup.kill", "1");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	j->why[0] = '\0';
	n = -1;
	if (fd >= 0) {
		int sfd = gridd_job_open_in(fd, "status", O_RDONLY);

		if (sfd >= 0) {
			n = pread(sfd, line, sizeof(line) - 1, 0);
			close(sfd);
		}
		close(fd);
	}
	if (n > 0) {
		line[n] = '\0';
		j->status = atoi(line);
	} else {
		j->status = SIGKILL;
		kernel_reason(g, j, cg);
	}
	j->cpu_us = stat_of(cg, "cpu.stat", "usage_usec ");
	j->mem_peak = stat_of(cg, "memory.peak", NULL);
	/* Everything it appended, told or not. */
	if (!fstat(j->out, &st))
		j->size[0] = st.st_size;
	if (!fstat(j->err, &st))
		j->size[1] = st.st_size;
	j->ended = true;
	j->ended_at = gridd_now(g);
	/*
	 * What it held goes now; only its output waits for the holder. The
	 * sandbox is unbound first: grid.ko must not hold a cgroup that is
	 * gone while the next job of the lease binds its own.
	 */
	{
		struct grid_ioc_sandbox sb = { .size = sizeof(sb), .cgroup_id = j->cgroup_id };
		char w[PATH_MAX + 8];

		/* Not if the kill failed: the lease's end must still kill it. */
		if (killed && g->dev >= 0 && j->cgroup_id && !grid_dev_sandbox_unbind(g->dev, &sb))
			j->cgroup_id = 0;
		snprintf(w, sizeof(w), "%s/work", dir);
		umount2(w, MNT_DETACH);
		rmdir(cg);
	}
	if (store_begin(&g->st))
		return;
	sign_receipt(g, j);
	if (store_exec(&g->st, store_prep(&g->st,
		"UPDATE jobs_provided SET ended = ?, status = ?, why = ?, cpu_us = ?,"
		" mem_peak = ?, out_size = ?, err_size = ?, receipt = ? WHERE id = ?",
		"iitiiiibb", (int64_t)gridd_now(g), (int64_t)j->status,
		j->why[0] ? j->why : NULL, (int64_t)j->cpu_us, (int64_t)j->mem_peak,
		(int64_t)j->size[0], (int64_t)j->size[1],
		j->has_receipt ? j->receipt : NULL, (size_t)(j->has_receipt ? GRID_ID_LEN : 0),
		j->id, (size_t)PEER_JOB_ID_LEN)) || store_commit(&g->st)) {
		store_rollback(&g->st);
		log_err("job %.8s: its end could not be kept", j->hex);
		return;
	}
	log_info("job %.8s ended: %s%d%s%s", j->hex,
		 WIFSIGNALED(j->status) ? "signal " : "exit ",
		 WIFSIGNALED(j->status) ? WTERMSIG(j->status) : WEXITSTATUS(j->status),
		 j->why[0] ? ", " : "", j->why);
}

/* The holder has it all: the job, its cgroup and its folder go. */
static void forget(struct gridd *g, struct pjob *j)
{
	char dir[PATH_MAX], cg[PATH_MAX], p[PATH_MAX + 16];
	struct grid_ioc_sandbox sb = { .size = sizeof(sb), .cgroup_id = j->cgroup_id };
	static const char *const files[] = { "out", "err", "status", "ctl" };
	unsigned int i;

	if (store_exec(&g->st, store_prep(&g->st, "DELETE FROM jobs_provided WHERE id = ?",
					  "b", j->id, (size_t)PEER_JOB_ID_LEN)))
		return;
	if (g->dev >= 0 && j->cgroup_id)
		grid_dev_sandbox_unbind(g->dev, &sb);
	job_cgroup(g, j, cg, sizeof(cg));
	/*
	 * Its tasks may be dying still. The lease's cgroup stays while the
	 * lease may run jobs: one made again at once would be a new cgroup,
	 * and grid.ko binds a lease's sandboxes in one lease cgroup only.
	 * Once the lease has ended and no job of it is left, it goes.
	 */
	rmdir(cg);
	{
		int64_t over = 0;
		unsigned int k, others = 0;

		for (k = 0; k < GRIDD_JOBS_MAX; k++)
			others += jobs[k] && jobs[k] != j && jobs[k]->lease_id == j->lease_id;
		store_int(&g->st, &over, "SELECT count(*) FROM leases_issued WHERE lease_id = ?"
			  " AND (not_after <= ? OR revoked IS NOT NULL)", "ii",
			  (int64_t)j->lease_id, (int64_t)gridd_now(g));
		if (!others && over) {
			lease_cgroup(g, j, cg, sizeof(cg));
			rmdir(cg);
		}
	}
	job_dir(g, j, dir, sizeof(dir));
	snprintf(p, sizeof(p), "%s/work", dir);
	umount2(p, MNT_DETACH);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/root", dir);
	rmdir(p);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
	close(j->out);
	close(j->err);
	jobs[j->slot] = NULL;
	free(j);
}

/* ---- output to the holder ------------------------------------------------ */

/*
 * What the holder has on disk is freed here (the files keep their sizes,
 * the offsets stay true): a job that writes for days under a live holder
 * holds at most its window on the provider's disk.
 */
static void free_acked(struct pjob *j)
{
	int s;

	for (s = 0; s < 2; s++) {
		uint64_t upto = j->acked[s] & ~((1ULL << 20) - 1);

		if (upto > j->punched[s] &&
		    !fallocate(s ? j->err : j->out, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       0, upto))
			j->punched[s] = upto;
	}
}

static int send_output(struct gridd *g, struct peer_conn *c, struct pjob *j,
		       int stream, size_t max)
{
	static uint8_t buf[PEER_JOB_DATA_MAX + 128];
	static uint8_t data[PEER_JOB_DATA_MAX];
	struct cb_buf b;
	ssize_t n = 0;

	if (max) {
		n = pread(stream ? j->err : j->out, data, max, j->sent[stream]);
		if (n <= 0)
			return -EIO;
	}
	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, 6);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_JOB_OUTPUT);
	cb_uint(&b, PK_JOB_ID);
	cb_bytes(&b, j->id, PEER_JOB_ID_LEN);
	cb_uint(&b, PK_IO_OFF);
	cb_uint(&b, j->sent[stream]);
	cb_uint(&b, PK_IO_DATA);
	cb_bytes(&b, data, n);
	cb_uint(&b, PK_OUTPUT_STREAM);
	cb_uint(&b, stream + 1);
	cb_uint(&b, PK_OUTPUT_IN_DONE);
	cb_uint(&b, j->in_done);
	j->sent[stream] += n;
	j->in_told = j->in_done;
	return gridd_peer_send(g, c, buf, cb_end(&b));
}

/* Whether the job is frozen now, and why: to its holder. */
static void send_paused(struct gridd *g, struct peer_conn *c, const struct pjob *j)
{
	uint8_t buf[sizeof(paused_why) + 128];
	struct cb_buf b;

	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, paused ? 4 : 3);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_JOB_PAUSED);
	cb_uint(&b, PK_JOB_ID);
	cb_bytes(&b, j->id, PEER_JOB_ID_LEN);
	cb_uint(&b, PK_PAUSED);
	cb_uint(&b, paused);
	if (paused) {
		cb_uint(&b, PK_PAUSED_WHY);
		cb_text(&b, paused_why, strlen(paused_why));
	}
	gridd_peer_send(g, c, buf, cb_end(&b));
}

static void send_end(struct gridd *g, struct peer_conn *c, struct pjob *j)
{
	static uint8_t buf[GRID_RECORD_MAX + 1024];
	struct grid_signed *s = NULL;
	struct cb_buf b;

	if (j->has_receipt) {
		s = malloc(sizeof(*s));
		if (s && store_record_get(&g->st, j->receipt, s)) {
			free(s);
			s = NULL;
		}
	}
	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, 7 + !!j->why[0] + !!s);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_JOB_END);
	cb_uint(&b, PK_JOB_ID);
	cb_bytes(&b, j->id, PEER_JOB_ID_LEN);
	cb_uint(&b, PK_END_STATUS);
	cb_uint(&b, (unsigned int)j->status & 0xffff);
	if (j->why[0]) {
		cb_uint(&b, PK_END_WHY);
		cb_text(&b, j->why, strlen(j->why));
	}
	cb_uint(&b, PK_END_OUT);
	cb_uint(&b, j->size[0]);
	cb_uint(&b, PK_END_ERR);
	cb_uint(&b, j->size[1]);
	cb_uint(&b, PK_END_CPU_US);
	cb_uint(&b, j->cpu_us);
	cb_uint(&b, PK_END_MEM_PEAK);
	cb_uint(&b, j->mem_peak);
	if (s) {
		cb_uint(&b, PK_END_RECEIPT);
		cb_bytes(&b, s->bytes, s->len);
	}
	free(s);
	if (!gridd_peer_send(g, c, buf, cb_end(&b)))
		j->end_sent = true;
}

/*
 * What the holder lacks, within the window and while the session's queue
 * is short; then, once all of it is sent, the end.
 */
static void pump(struct gridd *g, struct pjob *j)
{
	struct peer_conn *c = gridd_peer_session(g, j->holder_grid);
	size_t len;
	int s, progress;

	if (!c || !j->synced)
		return;
	for (s = 0; s < 2; s++)
		if (j->sent[s] < j->acked[s])
			j->sent[s] = j->acked[s];
	do {
		progress = 0;
		for (s = 0; s < 2; s++) {
			uint64_t room, left;

			if (c->s.out_len > GRIDD_JOB_QUEUE_MAX)
				return;
			left = j->size[s] - j->sent[s];
			room = GRIDD_JOB_WINDOW - (j->sent[s] - j->acked[s]);
			if (j->sent[s] >= j->size[s] || j->sent[s] - j->acked[s] >= GRIDD_JOB_WINDOW)
				continue;
			len = left < room ? left : room;
			if (len > PEER_JOB_DATA_MAX)
				len = PEER_JOB_DATA_MAX;
			if (send_output(g, c, j, s, len))
				return;
			progress = 1;
		}
	} while (progress);
	if (j->in_done != j->in_told && c->s.out_len <= GRIDD_JOB_QUEUE_MAX)
		send_output(g, c, j, 0, 0);
	if (j->ended && !j->end_sent && j->sent[0] == j->size[0] && j->sent[1] == j->size[1])
		send_end(g, c, j);
}

/* ---- grid-jobinit -------------------------------------------------------- */

static void init_send(struct pjob *j, const struct grid_jobmsg *m, const void *data)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)m, .iov_len = sizeof(*m) },
		{ .iov_base = (void *)data, .iov_len = m->len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = data ? 2 : 1 };

	if (j->ctl >= 0 && sendmsg(j->ctl, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
	    errno != EAGAIN)
		log_warn("job %.8s: its init: %s", j->hex, strerror(errno));
}

static int init_connect(struct gridd *g, struct pjob *j);

/*
 * Its connection closed: the init has gone, or it ended the connection
 * and listens again (its socket in the job's folder). Only a connect
 * that is refused says the job is over; a few tries, for an init that
 * keeps ending them.
 */
static void init_lost(struct gridd *g, struct pjob *j)
{
	siginfo_t si = { 0 };

	close(j->ctl);
	j->ctl = -1;
	if (j->pidfd >= 0 && !waitid(P_PIDFD, j->pidfd, &si, WEXITED | WNOHANG | WNOWAIT) &&
	    si.si_pid) {
		ended(g, j);
		return;
	}
	if (j->reconnects++ < 8 && !init_connect(g, j)) {
		log_warn("job %.8s: its init ended the connection; connected again", j->hex);
		return;
	}
	ended(g, j);
}

static void init_input(struct gridd *g, struct pjob *j)
{
	struct grid_jobmsg m;
	ssize_t n;

	for (;;) {
		n = recv(j->ctl, &m, sizeof(m), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n != (ssize_t)sizeof(m) ||
		    (m.type != GRID_JOBMSG_STATE && m.type != GRID_JOBMSG_OUTPUT)) {
			/* EOF, or not grid-jobinit's words. */
			init_lost(g, j);
			break;
		}
		if (m.b >= j->size[0])
			j->size[0] = m.b;
		if (m.c >= j->size[1])
			j->size[1] = m.c;
		j->in_done = m.a;
	}
	pump(g, j);
}

/* A restarted gridd, or a new job: grid-jobinit's socket, and HELLO. */
static int init_connect(struct gridd *g, struct pjob *j)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct grid_jobmsg m = { .type = GRID_JOBMSG_HELLO };
	char dir[PATH_MAX];
	int fd;

	job_dir(g, j, dir, sizeof(dir));
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl", dir) >= (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	j->ctl = fd;
	gridd_job_sndbuf(fd);
	m.a = j->acked[0];
	m.b = j->acked[1];
	init_send(j, &m, NULL);
	return 0;
}

/* ---- starting a job ------------------------------------------------------ */

struct submit {
	const uint8_t *argv;
	size_t argv_len;
	bool tty, net;
	unsigned int rows, cols;
	uint64_t memory;	/* the lease's, for the work dir's size */
};

/* NUL-terminated words into a NULL-terminated array (pointing into @s). */
static char **words(const struct submit *s)
{
	size_t i, n = 0;
	char **argv;

	if (!s->argv_len || s->argv[s->argv_len - 1] || !s->argv[0])
		return NULL;
	for (i = 0; i < s->argv_len; i++)
		n += !s->argv[i];
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return NULL;
	for (i = 0, n = 0; i < s->argv_len; i += strlen((const char *)s->argv + i) + 1)
		argv[n++] = (char *)s->argv + i;
	return argv;
}

static int make_cgroup(struct gridd *g, struct pjob *j, struct grid_why *why)
{
	char cg[PATH_MAX], failed[PATH_MAX];
	bool created;
	int ret;

	lease_cgroup(g, j, cg, sizeof(cg));
	ret = grid_cgroup_mkdir(cg, &created);
	if (!ret)
		ret = grid_cgroup_delegate(cg, failed, sizeof(failed));
	if (ret)
		return grid_why_set(why, ret, "cannot make the lease's cgroup %s: %s", cg,
				    strerror(-ret));
	job_cgroup(g, j, cg, sizeof(cg));
	ret = grid_cgroup_mkdir(cg, &created);
	if (ret)
		return grid_why_set(why, ret, "cannot make the job's cgroup %s: %s", cg,
				    strerror(-ret));
	/* One job, one OOM kill: the kernel ends all of it, never a part. */
	ret = grid_cgroup_write(cg, "memory.oom.group", "1");
	if (!ret)
		ret = grid_cgroup_write(cg, "memory.swap.max", "0");
	if (ret == -ENOENT)
		ret = 0;	/* no swap controller: nothing to swap to */
	if (ret)
		return grid_why_set(why, ret, "cannot write the job's memory limits in %s: %s",
				    cg, strerror(-ret));
	return 0;
}

static int start(struct gridd *g, struct pjob *j, const struct submit *s,
		 struct grid_why *why)
{
	char dir[PATH_MAX], cg[PATH_MAX];
	struct gridd_launch l = {
		.dir = dir, .cgroup = cg, .lease_id = j->lease_id, .dev = g->dev,
		.uid = GRIDD_JOB_UID_BASE + j->slot,
		/* The lease's memory bounds it anyway: tmpfs pages are charged. */
		.work_bytes = s->memory < GRIDD_JOB_WORK_MAX ? s->memory : GRIDD_JOB_WORK_MAX,
		.tty = s->tty, .net = s->net, .rows = s->rows, .cols = s->cols,
	};
	int ret;

	l.argv = words(s);
	if (!l.argv)
		return grid_why_set(why, -EINVAL, "the command is not NUL-terminated words");
	ret = make_cgroup(g, j, why);
	job_dir(g, j, dir, sizeof(dir));
	job_cgroup(g, j, cg, sizeof(cg));
	if (!ret)
		ret = gridd_job_launch(&l, why);
	j->out = l.out;
	j->err = l.err;
	j->ctl = l.ctl;
	j->pidfd = l.pidfd;
	j->cgroup_id = l.cgroup_id;
	free(l.argv);
	return ret;
}

static int send_refused(struct gridd *g, struct peer_conn *c, const uint8_t *id,
			int err, const char *why)
{
	uint8_t buf[PEER_TEXT_MAX + 128];
	struct cb_buf b;

	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, 4);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_JOB_REFUSED);
	cb_uint(&b, PK_JOB_ID);
	cb_bytes(&b, id, PEER_JOB_ID_LEN);
	cb_uint(&b, PK_REFUSED_CODE);
	cb_uint(&b, err < 0 ? -err : EIO);
	cb_uint(&b, PK_REFUSED_WHY);
	cb_text(&b, why, strnlen(why, PEER_TEXT_MAX));
	return gridd_peer_send(g, c, buf, cb_end(&b));
}

/* Whether @c's grid may run a job under lease @id now: 0, or why not. */
static int lease_ok(struct gridd *g, struct peer_conn *c, struct pjob *j,
		    struct submit *s, struct grid_why *why)
{
	struct grid_signed *rec;
	uint8_t holder_grid[GRID_PK_LEN], rid[GRID_ID_LEN];
	sqlite3_stmt *st;
	int64_t nb, na;
	int ret, revoked;

	st = store_prep(&g->st, "SELECT gridgrid, holder_grid, not_before, not_after,"
			" revoked IS NOT NULL, record FROM leases_issued WHERE lease_id = ?",
			"i", (int64_t)j->lease_id);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret != 1) {
		store_done(&g->st, st);
		return grid_why_set(why, ret ? ret : -ENOENT,
				    "lease %" PRIu64 " is not one this grid issued", j->lease_id);
	}
	snprintf(j->gg, sizeof(j->gg), "%s", (const char *)sqlite3_column_text(st, 0));
	ret = store_col_key(st, 1, holder_grid);
	nb = sqlite3_column_int64(st, 2);
	na = sqlite3_column_int64(st, 3);
	revoked = sqlite3_column_int(st, 4);
	if (sqlite3_column_bytes(st, 5) == GRID_ID_LEN)
		memcpy(rid, sqlite3_column_blob(st, 5), GRID_ID_LEN);
	else
		ret = -EIO;
	store_done(&g->st, st);
	if (ret || sodium_memcmp(holder_grid, c->s.identity, GRID_PK_LEN))
		return grid_why_set(why, -EPERM, "lease %" PRIu64 " is not your grid's",
				    j->lease_id);
	if (revoked)
		return grid_why_set(why, -EKEYREVOKED, "lease %" PRIu64 " was revoked",
				    j->lease_id);
	if ((int64_t)gridd_now(g) < nb)
		return grid_why_set(why, -EAGAIN, "lease %" PRIu64 " has not begun", j->lease_id);
	if ((int64_t)gridd_now(g) >= na)
		return grid_why_set(why, -EKEYEXPIRED, "lease %" PRIu64 " has ended", j->lease_id);
	rec = malloc(sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	ret = store_record_get(&g->st, rid, rec);
	if (!ret)
		s->memory = rec->r.limits.memory_bytes;
	free(rec);
	if (ret)
		return grid_why_set(why, ret, "lease %" PRIu64 "'s record cannot be read",
				    j->lease_id);
	return 0;
}

static int on_submit(struct gridd *g, struct peer_conn *c, const struct peer_msg *m)
{
	const uint8_t *id = peer_msg_bytes(m, PK_JOB_ID, &(size_t){ 0 });
	struct submit s = { 0 };
	struct grid_why why = { "" };
	struct pjob *j = find(id);
	unsigned int slot, theirs;
	char **argv;
	int ret;

	if (j) {
		/* Asked again (a lost answer): the same job, never a second. */
		if (sodium_memcmp(j->holder_grid, c->s.identity, GRID_PK_LEN))
			return send_refused(g, c, id, -EEXIST, "that job id is taken");
		return gridd_job_send(g, c, PEER_MSG_JOB_STARTED, id, 0);
	}
	if (g->dev < 0)
		return send_refused(g, c, id, -EOPNOTSUPP,
				    "this machine runs no jobs: grid.ko is not loaded, and only it ends a job with its lease");
	if (!gridd_jobinit_found())
		return send_refused(g, c, id, -ENOENT,
				    "this machine runs no jobs: grid-jobinit is not installed beside gridd");
	if (paused)
		return send_refused(g, c, id, -EAGAIN, paused_why);
	if (!gridd_selftest_passed(g))
		return send_refused(g, c, id, -EPERM,
				    "this machine takes no other grid's job until its owner's 'gridctl selftest' has passed on the kernel it runs");
	for (slot = 0, theirs = 0; slot < GRIDD_JOBS_MAX; slot++)
		theirs += jobs[slot] && !sodium_memcmp(jobs[slot]->holder_grid, c->s.identity,
						       GRID_PK_LEN);
	if (theirs >= GRIDD_JOBS_PER_HOLDER)
		return send_refused(g, c, id, -EBUSY,
				    "your grid has as many jobs here as one grid may (running, or ended with output you have not taken); try again later");
	if (peer_msg_uint(m, PK_SUBMIT_NET))
		return send_refused(g, c, id, -EOPNOTSUPP,
				    "this provider gives jobs no network ('net egress' is not offered): run it with 'net none'");
	for (slot = 0; slot < GRIDD_JOBS_MAX && jobs[slot]; slot++)
		;
	if (slot == GRIDD_JOBS_MAX)
		return send_refused(g, c, id, -EBUSY, "this machine runs as many jobs as it may; try again later");
	j = calloc(1, sizeof(*j));
	if (!j)
		return send_refused(g, c, id, -ENOMEM, "out of memory");
	memcpy(j->id, id, PEER_JOB_ID_LEN);
	gridd_job_hex(j->hex, id);
	memcpy(j->holder_grid, c->s.identity, GRID_PK_LEN);
	j->lease_id = peer_msg_uint(m, PK_SUBMIT_LEASE);
	j->slot = slot;
	j->ctl = j->pidfd = j->out = j->err = -1;
	j->started = gridd_now(g);
	j->synced = true;	/* it has nothing, and knows it */
	s.argv = peer_msg_bytes(m, PK_SUBMIT_ARGV, &s.argv_len);
	s.tty = peer_msg_uint(m, PK_SUBMIT_TTY);
	s.net = peer_msg_uint(m, PK_SUBMIT_NET);
	s.rows = peer_msg_uint(m, PK_SUBMIT_ROWS);
	s.cols = peer_msg_uint(m, PK_SUBMIT_COLS);
	argv = words(&s);
	ret = argv ? 0 : grid_why_set(&why, -EINVAL, "the command is not NUL-terminated words");
	free(argv);
	if (!ret)
		ret = lease_ok(g, c, j, &s, &why);
	if (ret)
		goto refuse;
	/* Kept before it starts: a gridd killed now finds it and ends it. */
	ret = store_begin(&g->st);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT INTO jobs_provided (id, holder_grid, lease_id, gridgrid, slot,"
			" argv, started) VALUES (?, ?, ?, ?, ?, ?, ?)", "bkitibi",
			j->id, (size_t)PEER_JOB_ID_LEN, j->holder_grid, (int64_t)j->lease_id,
			j->gg, (int64_t)slot, s.argv, s.argv_len, (int64_t)j->started));
	if (!ret)
		ret = store_commit(&g->st);
	if (ret) {
		store_rollback(&g->st);
		grid_why_set(&why, ret, "the job could not be kept");
		goto refuse;
	}
	jobs[slot] = j;
	ret = start(g, j, &s, &why);
	if (ret) {
		log_info("job %.8s for %s refused: %s", j->hex, c->label, why.msg);
		send_refused(g, c, id, ret, why.msg);
		if (j->out < 0)
			j->out = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (j->err < 0)
			j->err = open("/dev/null", O_RDONLY | O_CLOEXEC);
		forget(g, j);
		return 0;
	}
	log_info("job %.8s for %s under lease %" PRIu64 " in %s: %.*s", j->hex, c->label,
		 j->lease_id, j->gg, (int)strnlen((const char *)s.argv, 64), s.argv);
	return gridd_job_send(g, c, PEER_MSG_JOB_STARTED, id, 0);
refuse:
	log_info("job %.8s for %s refused: %s", j->hex, c->label, why.msg);
	free(j);
	return send_refused(g, c, id, ret, why.msg);
}

/* ---- the holder's messages ----------------------------------------------- */

int gridd_jobs_provider_message(struct gridd *g, struct peer_conn *c,
				const struct peer_msg *m, struct grid_why *why)
{
	const uint8_t *id = peer_msg_bytes(m, PK_JOB_ID, &(size_t){ 0 });
	struct grid_jobmsg jm = { 0 };
	const uint8_t *data;
	struct pjob *j;
	size_t n;

	if (m->type == PEER_MSG_JOB_SUBMIT)
		return on_submit(g, c, m);
	j = find(id);
	if (!j || sodium_memcmp(j->holder_grid, c->s.identity, GRID_PK_LEN))
		return 0;	/* forgotten already (an old ack), or not theirs */
	switch (m->type) {
	case PEER_MSG_JOB_INPUT:
		data = peer_msg_bytes(m, PK_IO_DATA, &n);
		jm.a = peer_msg_uint(m, PK_IO_OFF);
		if (n) {
			jm.type = GRID_JOBMSG_STDIN;
			jm.len = n;
			init_send(j, &jm, data);
		}
		if (peer_msg_uint(m, PK_INPUT_EOF)) {
			jm = (struct grid_jobmsg){ .type = GRID_JOBMSG_EOF,
						   .a = jm.a + n };
			init_send(j, &jm, NULL);
		}
		return 0;
	case PEER_MSG_JOB_SIGNAL:
		if (peer_msg_uint(m, PK_SIGNAL_SIG)) {
			jm.type = GRID_JOBMSG_SIGNAL;
			jm.a = peer_msg_uint(m, PK_SIGNAL_SIG);
			init_send(j, &jm, NULL);
		}
		if (peer_msg_uint(m, PK_SIGNAL_ROWS) && peer_msg_uint(m, PK_SIGNAL_COLS)) {
			jm.type = GRID_JOBMSG_WINSZ;
			jm.a = peer_msg_uint(m, PK_SIGNAL_ROWS);
			jm.b = peer_msg_uint(m, PK_SIGNAL_COLS);
			init_send(j, &jm, NULL);
		}
		return 0;
	case PEER_MSG_JOB_ACK: {
		uint64_t a[2] = { peer_msg_uint(m, PK_ACK_OUT), peer_msg_uint(m, PK_ACK_ERR) };
		int s;

		for (s = 0; s < 2; s++) {
			struct stat sb;

			/* (A restarted gridd may not have heard the init yet.) */
			if (a[s] > j->size[s] && !fstat(s ? j->err : j->out, &sb))
				j->size[s] = sb.st_size;
			if (a[s] > j->size[s])
				return grid_why_set(why, -EBADMSG,
						    "acknowledged output of job %.8s it was never sent",
						    j->hex);
			if (a[s] > j->acked[s])
				j->acked[s] = a[s];
			/*
			 * The first ack of a session says where to go on from
			 * (sent was put back to acked at its start); later ones
			 * trail what is in flight, which is not sent again.
			 */
			if (!j->synced || a[s] > j->sent[s])
				j->sent[s] = a[s];
		}
		j->synced = true;
		jm.type = GRID_JOBMSG_ACK;
		jm.a = a[0];
		jm.b = a[1];
		init_send(j, &jm, NULL);
		free_acked(j);
		if (peer_msg_uint(m, PK_ACK_DONE) && j->ended &&
		    a[0] == j->size[0] && a[1] == j->size[1]) {
			forget(g, j);
			return 0;
		}
		pump(g, j);
		return 0;
	}
	}
	return 0;
}

/* A session with a holder: what it lacks, from what it says it has. */
void gridd_jobs_provider_opened(struct gridd *g, struct peer_conn *c)
{
	unsigned int i;

	for (i = 0; i < GRIDD_JOBS_MAX; i++) {
		struct pjob *j = jobs[i];

		if (!j || sodium_memcmp(j->holder_grid, c->s.identity, GRID_PK_LEN))
			continue;
		/* Until it acknowledges, it has what it had acknowledged. */
		j->sent[0] = j->acked[0];
		j->sent[1] = j->acked[1];
		j->synced = false;
		j->end_sent = false;
		j->in_told = ~0ULL;
		/* Paused or not: a thaw while it was away is news too. */
		if (!j->ended)
			send_paused(g, c, j);
	}
}

/* ---- the loop ------------------------------------------------------------ */

int gridd_jobs_pollfds(struct gridd *g, struct pollfd *pfd, int max)
{
	int i, n = 0;

	(void)g;
	for (i = 0; i < GRIDD_JOBS_MAX && n < max; i++)
		pfd[n++] = (struct pollfd){ .fd = jobs[i] ? jobs[i]->ctl : -1,
					    .events = POLLIN };
	return n;
}

void gridd_jobs_poll(struct gridd *g, const struct pollfd *pfd, int n)
{
	int i;

	for (i = 0; i < n && i < GRIDD_JOBS_MAX; i++) {
		struct pjob *j = jobs[i];

		if (j && j->ctl >= 0 && pfd[i].fd == j->ctl && pfd[i].revents)
			init_input(g, j);
	}
}

/*
 * The pause's state, looked at each second: on a change every running
 * job is frozen or thawed (its cgroup.freeze: stopped, not killed, and
 * the lease's end still kills it), and its holder told.
 */
static void pause_run(struct gridd *g)
{
	uint64_t now = gridd_mono_ms();
	char why[sizeof(paused_why)] = "";
	char cg[PATH_MAX];
	bool p;
	unsigned int i;

	if (now < pause_checked + 1000)
		return;
	pause_checked = now;
	p = gridd_paused(g, why, sizeof(why));
	if (p == paused && pause_known)
		return;
	/* (At start, no pause: nothing to say, only a leftover freeze to undo.) */
	if (p || pause_known)
		log_info("jobs: %s%s", p ? "paused: " : "running again", p ? why : "");
	pause_known = true;
	paused = p;
	snprintf(paused_why, sizeof(paused_why), "%s", p ? why : "");
	for (i = 0; i < GRIDD_JOBS_MAX; i++) {
		struct pjob *j = jobs[i];
		struct peer_conn *c;

		if (!j || j->ended)
			continue;
		job_cgroup(g, j, cg, sizeof(cg));
		if (grid_cgroup_write(cg, "cgroup.freeze", p ? "1" : "0"))
			log_warn("job %.8s: cannot %s it", j->hex, p ? "freeze" : "thaw");
		c = gridd_peer_session(g, j->holder_grid);
		if (c)
			send_paused(g, c, j);
	}
}

void gridd_jobs_run(struct gridd *g)
{
	unsigned int i;
	siginfo_t si;

	pause_run(g);
	/* Inits this gridd started, once their pid namespaces have emptied. */
	do {
		si.si_pid = 0;
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG))
			break;
	} while (si.si_pid);

	for (i = 0; i < GRIDD_JOBS_MAX; i++) {
		if (!jobs[i])
			continue;
		/* Ended a day ago, its output never taken: the holder is gone. */
		if (jobs[i]->ended && jobs[i]->ended_at + GRIDD_JOB_KEEP_S < gridd_now(g)) {
			log_info("job %.8s: its holder never took its output; forgotten",
				 jobs[i]->hex);
			forget(g, jobs[i]);
			continue;
		}
		pump(g, jobs[i]);
	}
}

/* At start: the jobs the state says run, reattached, or ended. */
int gridd_jobs_start(struct gridd *g)
{
	char dir[PATH_MAX];
	sqlite3_stmt *st;
	int dfd;

	gridd_jobinit_find();
	snprintf(dir, sizeof(dir), "%s/jobs", g->cfg.state_dir);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	st = store_prep(&g->st, "SELECT id, holder_grid, lease_id, gridgrid, slot, started,"
			" ended, status, why, cpu_us, mem_peak, out_size, err_size, receipt"
			" FROM jobs_provided", "");
	while (st && store_step(&g->st, st) == 1) {
		struct pjob *j;
		unsigned int slot = sqlite3_column_int(st, 4);

		if (sqlite3_column_bytes(st, 0) != PEER_JOB_ID_LEN || slot >= GRIDD_JOBS_MAX ||
		    jobs[slot])
			continue;
		j = calloc(1, sizeof(*j));
		if (!j)
			break;
		memcpy(j->id, sqlite3_column_blob(st, 0), PEER_JOB_ID_LEN);
		gridd_job_hex(j->hex, j->id);
		store_col_key(st, 1, j->holder_grid);
		j->lease_id = sqlite3_column_int64(st, 2);
		snprintf(j->gg, sizeof(j->gg), "%s", (const char *)sqlite3_column_text(st, 3));
		j->slot = slot;
		j->started = sqlite3_column_int64(st, 5);
		j->ctl = j->pidfd = -1;
		job_dir(g, j, dir, sizeof(dir));
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* Read and write: what the holder has is freed (free_acked). */
		j->out = dfd >= 0 ? gridd_job_open_in(dfd, "out", O_RDWR) : -1;
		j->err = dfd >= 0 ? gridd_job_open_in(dfd, "err", O_RDWR) : -1;
		if (dfd >= 0)
			close(dfd);
		if (j->out < 0)
			j->out = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (j->err < 0)
			j->err = open("/dev/null", O_RDONLY | O_CLOEXEC);
		{
			char cg[PATH_MAX];

			job_cgroup(g, j, cg, sizeof(cg));
			grid_cgroup_id(cg, &j->cgroup_id);
		}
		jobs[slot] = j;
		if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
			j->ended = true;
			j->ended_at = sqlite3_column_int64(st, 6);
			j->status = sqlite3_column_int(st, 7);
			if (sqlite3_column_type(st, 8) != SQLITE_NULL)
				snprintf(j->why, sizeof(j->why), "%s",
					 (const char *)sqlite3_column_text(st, 8));
			j->cpu_us = sqlite3_column_int64(st, 9);
			j->mem_peak = sqlite3_column_int64(st, 10);
			j->size[0] = sqlite3_column_int64(st, 11);
			j->size[1] = sqlite3_column_int64(st, 12);
			if (sqlite3_column_bytes(st, 13) == GRID_ID_LEN) {
				memcpy(j->receipt, sqlite3_column_blob(st, 13), GRID_ID_LEN);
				j->has_receipt = true;
			}
			continue;
		}
		if (init_connect(g, j)) {
			log_info("job %.8s: its init has gone while gridd was away", j->hex);
			/* (ended() writes: after this statement is done) */
			continue;
		}
		log_info("job %.8s: reattached", j->hex);
	}
	store_done(&g->st, st);
	for (dfd = 0; dfd < GRIDD_JOBS_MAX; dfd++)
		if (jobs[dfd] && !jobs[dfd]->ended && jobs[dfd]->ctl < 0)
			ended(g, jobs[dfd]);
	return 0;
}

void gridd_jobs_stop(struct gridd *g)
{
	unsigned int i;

	(void)g;
	/* The jobs go on: their inits hold their output until gridd is back. */
	for (i = 0; i < GRIDD_JOBS_MAX; i++) {
		struct pjob *j = jobs[i];

		if (!j)
			continue;
		if (j->ctl >= 0)
			close(j->ctl);
		if (j->pidfd >= 0)
			close(j->pidfd);
		close(j->out);
		close(j->err);
		free(j);
		jobs[i] = NULL;
	}
}
