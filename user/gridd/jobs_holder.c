// SPDX-License-Identifier: GPL-2.0
/*
 * Remote jobs, the holder's side (PROTOCOL.md §11): gridctl run submits
 * a job to a provider under a lease this grid's agent holds, and reads
 * its output back; gridctl jobs and job attach find it again later.
 *
 * The job is kept (jobs_held) before it is submitted, and submitted again
 * on every session with the provider until it is answered, under the id
 * gridctl made, so that the provider starts it once. Its output is
 * appended to a spool, STATE/held/<id>/{out,err}, at the offsets the
 * provider names, fsync()ed, and acknowledged: the spool is what the
 * holder has, and outlives gridctl, a laptop's sleep and this gridd.
 * What gridctl has written out is counted delivered, so that an attach
 * goes on from there, and no byte reaches the holder twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "dcbor.h"
#include "jobs.h"
#include "log.h"
#include "peers.h"
#include "units.h"

#define HELD_LIVE_MAX	512	/* jobs whose input progress is kept in memory */
#define IO_PARK_MS	3000	/* a job-io with nothing to say waits this long */

/* Input the provider says the job has taken, by job: not worth a write. */
static struct {
	uint8_t id[PEER_JOB_ID_LEN];
	uint64_t in_done;
	bool used;
	bool paused;		/* the provider froze it (its 'pause') */
	char why[GRID_API_TEXT_MAX + 1];
} live[HELD_LIVE_MAX];

/* The live entry of @id's in_done: its pause sits beside it. */
static int live_slot(const uint64_t *in_done)
{
	return (int)(((const char *)in_done - (const char *)&live[0].in_done) / sizeof(live[0]));
}

static uint64_t *in_done_of(const uint8_t *id, bool make)
{
	int i, free_i = -1;

	for (i = 0; i < HELD_LIVE_MAX; i++) {
		if (live[i].used && !memcmp(live[i].id, id, PEER_JOB_ID_LEN))
			return &live[i].in_done;
		if (!live[i].used && free_i < 0)
			free_i = i;
	}
	if (!make)
		return NULL;
	if (free_i < 0) {
		/* More live jobs than slots: one goes, round the table. */
		static int next;

		free_i = next++ % HELD_LIVE_MAX;
	}
	memcpy(live[free_i].id, id, PEER_JOB_ID_LEN);
	live[free_i].in_done = 0;
	live[free_i].used = true;
	live[free_i].paused = false;
	return &live[free_i].in_done;
}

static void spool_dir(struct gridd *g, const uint8_t *id, char *buf, size_t len)
{
	char hex[2 * PEER_JOB_ID_LEN + 1];

	gridd_job_hex(hex, id);
	snprintf(buf, len, "%s/held/%s", g->cfg.state_dir, hex);
}

static int spool_open(struct gridd *g, const uint8_t *id, int stream, int flags)
{
	char p[PATH_MAX];

	spool_dir(g, id, p, sizeof(p));
	strcat(p, stream ? "/err" : "/out");
	return open(p, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
}

static uint64_t spool_size(struct gridd *g, const uint8_t *id, int stream)
{
	struct stat st;
	int fd = spool_open(g, id, stream, O_RDONLY);
	uint64_t n = 0;

	if (fd >= 0 && !fstat(fd, &st))
		n = st.st_size;
	if (fd >= 0)
		close(fd);
	return n;
}

static int spool_make(struct gridd *g, const uint8_t *id)
{
	char p[PATH_MAX];
	int s, fd;

	snprintf(p, sizeof(p), "%s/held", g->cfg.state_dir);
	if (mkdir(p, 0700) && errno != EEXIST)
		return -errno;
	spool_dir(g, id, p, sizeof(p));
	if (mkdir(p, 0700) && errno != EEXIST)
		return -errno;
	for (s = 0; s < 2; s++) {
		fd = spool_open(g, id, s, O_WRONLY | O_CREAT);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	return 0;
}

static void spool_remove(struct gridd *g, const uint8_t *id)
{
	char p[PATH_MAX], f[PATH_MAX + 8];

	spool_dir(g, id, p, sizeof(p));
	snprintf(f, sizeof(f), "%s/out", p);
	unlink(f);
	snprintf(f, sizeof(f), "%s/err", p);
	unlink(f);
	rmdir(p);
}

/* ---- to the provider ----------------------------------------------------- */

static int send_submit(struct gridd *g, struct peer_conn *c, sqlite3_stmt *row)
{
	static uint8_t buf[PEER_ARGV_MAX + 256];
	struct cb_buf b;
	int tty = sqlite3_column_int(row, 3), rows = sqlite3_column_int(row, 4);
	int cols = sqlite3_column_int(row, 5), net = sqlite3_column_int(row, 6);

	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, 4 + !!tty + 2 * !!(rows && cols) + !!net);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_JOB_SUBMIT);
	cb_uint(&b, PK_JOB_ID);
	cb_bytes(&b, sqlite3_column_blob(row, 0), PEER_JOB_ID_LEN);
	cb_uint(&b, PK_SUBMIT_LEASE);
	cb_uint(&b, sqlite3_column_int64(row, 1));
	cb_uint(&b, PK_SUBMIT_ARGV);
	cb_bytes(&b, sqlite3_column_blob(row, 2), sqlite3_column_bytes(row, 2));
	if (tty) {
		cb_uint(&b, PK_SUBMIT_TTY);
		cb_uint(&b, 1);
	}
	if (rows && cols) {
		cb_uint(&b, PK_SUBMIT_ROWS);
		cb_uint(&b, rows);
		cb_uint(&b, PK_SUBMIT_COLS);
		cb_uint(&b, cols);
	}
	if (net) {
		cb_uint(&b, PK_SUBMIT_NET);
		cb_uint(&b, 1);
	}
	return gridd_peer_send(g, c, buf, cb_end(&b));
}

/* What this holder has of a job: the provider goes on from there. */
static int send_ack(struct gridd *g, struct peer_conn *c, const uint8_t *id, bool done)
{
	int64_t sizes[2] = { 0, 0 };

	/*
	 * An ended job's sizes are kept with its end: its spool may be gone
	 * (gridctl took it all), and an ack lost then is sent again.
	 */
	if (done) {
		store_int(&g->st, &sizes[0], "SELECT out_size FROM jobs_held WHERE id = ?", "b",
			  id, (size_t)PEER_JOB_ID_LEN);
		store_int(&g->st, &sizes[1], "SELECT err_size FROM jobs_held WHERE id = ?", "b",
			  id, (size_t)PEER_JOB_ID_LEN);
	} else {
		sizes[0] = spool_size(g, id, 0);
		sizes[1] = spool_size(g, id, 1);
	}
	return gridd_job_send(g, c, PEER_MSG_JOB_ACK, id, done ? 3 : 2,
			      PK_ACK_OUT, (uint64_t)sizes[0], PK_ACK_ERR, (uint64_t)sizes[1],
			      PK_ACK_DONE, (uint64_t)1);
}

/*
 * A provider's sentence, fit for gridctl to print: at most what the API
 * carries, and no control characters (it could move a terminal's cursor
 * or forge a line).
 */
static void sentence(char *out, size_t len, const uint8_t *in, size_t n)
{
	size_t i;

	if (n > len - 1)
		n = len - 1;
	for (i = 0; i < n; i++)
		out[i] = in[i] < 0x20 || in[i] == 0x7f ? '?' : (char)in[i];
	out[n] = '\0';
}

void gridd_jobs_holder_opened(struct gridd *g, struct peer_conn *c)
{
	sqlite3_stmt *st;

	st = store_prep(&g->st, "SELECT id, lease_id, argv, tty, rows, cols, net, state"
			" FROM jobs_held WHERE provider = ? AND (state IN ('asked', 'running')"
			" OR (state = 'ended' AND ended > ?))", "ki", c->s.identity,
			(int64_t)gridd_now(g) - 86400);
	while (st && store_step(&g->st, st) == 1) {
		const char *state = (const char *)sqlite3_column_text(st, 7);

		if (sqlite3_column_bytes(st, 0) != PEER_JOB_ID_LEN)
			continue;
		if (!strcmp(state, "asked"))
			send_submit(g, c, st);
		else
			send_ack(g, c, sqlite3_column_blob(st, 0), !strcmp(state, "ended"));
	}
	store_done(&g->st, st);
}

/* ---- from the provider --------------------------------------------------- */

/* The job @id, if @c's grid runs it for us: 1, 0 if not, -EIO. */
static int ours(struct gridd *g, struct peer_conn *c, const uint8_t *id, char *state,
		size_t len)
{
	sqlite3_stmt *st = store_prep(&g->st, "SELECT state FROM jobs_held WHERE id = ?"
				      " AND provider = ?", "bk", id, (size_t)PEER_JOB_ID_LEN,
				      c->s.identity);
	int ret = st ? store_step(&g->st, st) : -EIO;

	if (ret == 1)
		snprintf(state, len, "%s", (const char *)sqlite3_column_text(st, 0));
	store_done(&g->st, st);
	return ret;
}

static int on_output(struct gridd *g, struct peer_conn *c, const struct peer_msg *m,
		     const uint8_t *id)
{
	int stream = peer_msg_uint(m, PK_OUTPUT_STREAM) - 1;
	uint64_t off = peer_msg_uint(m, PK_IO_OFF), size, *in;
	const uint8_t *data;
	size_t n, skip;
	ssize_t w;
	int fd;

	data = peer_msg_bytes(m, PK_IO_DATA, &n);
	in = in_done_of(id, true);
	if (peer_msg_uint(m, PK_OUTPUT_IN_DONE) > *in)
		*in = peer_msg_uint(m, PK_OUTPUT_IN_DONE);
	if (n) {
		fd = spool_open(g, id, stream, O_WRONLY | O_APPEND);
		if (fd < 0) {
			log_warn("job output: the spool cannot be opened: %s", strerror(errno));
			return 0;
		}
		size = lseek(fd, 0, SEEK_END);
		/* Only at the spool's end: what it has is not taken again. */
		if (off <= size && off + n > size) {
			skip = size - off;
			w = write(fd, data + skip, n - skip);
			if (w != (ssize_t)(n - skip) || fdatasync(fd)) {
				/* Not acknowledged: the provider keeps it. */
				log_warn("job %02x%02x%02x%02x: its spool cannot be written: %s",
					 id[0], id[1], id[2], id[3], strerror(errno));
				if (w > 0 && ftruncate(fd, size))
					log_warn("job output: the spool cannot be cut back");
				close(fd);
				return 0;
			}
		}
		close(fd);
		send_ack(g, c, id, false);
	}
	gridd_api_wake(g, id);
	return 0;
}

/* A receipt for the job, checked and kept, with the ledger's line. */
static void keep_receipt(struct gridd *g, struct peer_conn *c, const struct peer_msg *m,
			 const uint8_t *id, uint64_t lease_id)
{
	struct grid_signed *s;
	struct grid_why why = { "it is another lease's, or not the provider's" };
	const uint8_t *b;
	size_t n;

	b = peer_msg_bytes(m, PK_END_RECEIPT, &n);
	if (!b)
		return;
	s = malloc(sizeof(*s));
	if (!s)
		return;
	if (grid_record_open(s, b, n, &why) || s->r.type != GRID_REC_RECEIPT ||
	    sodium_memcmp(s->r.issuer, c->s.identity, GRID_PK_LEN) ||
	    s->r.lease_id != lease_id) {
		log_warn("job %02x%02x%02x%02x: %s's receipt is not one for its lease: %s",
			 id[0], id[1], id[2], id[3], c->label, why.msg);
		goto out;
	}
	if (store_record_put(&g->st, s) ||
	    store_exec(&g->st, store_prep(&g->st,
		"INSERT INTO ledger (at, peer, lease_id, role, receipt, cpu_us,"
		" memory_peak, bytes_out, bytes_in) VALUES (?, ?, ?, 'used', ?, ?, ?, ?, ?)",
		"ikikiiii", (int64_t)s->r.usage.ended, c->s.identity, (int64_t)lease_id,
		s->id, (int64_t)s->r.usage.cpu_us, (int64_t)s->r.usage.memory_peak,
		(int64_t)s->r.usage.bytes_out, (int64_t)s->r.usage.bytes_in)))
		goto out;
	store_exec(&g->st, store_prep(&g->st, "UPDATE jobs_held SET receipt = ? WHERE id = ?",
				      "kb", s->id, id, (size_t)PEER_JOB_ID_LEN));
out:
	free(s);
}

static int on_end(struct gridd *g, struct peer_conn *c, const struct peer_msg *m,
		  const uint8_t *id, const char *state)
{
	size_t n;
	const uint8_t *why = peer_msg_bytes(m, PK_END_WHY, &n);
	char text[GRID_API_TEXT_MAX + 1] = "";
	int64_t lease_id = 0;

	/* Not all of it here (a write that failed): ask for the rest. */
	if (spool_size(g, id, 0) != peer_msg_uint(m, PK_END_OUT) ||
	    spool_size(g, id, 1) != peer_msg_uint(m, PK_END_ERR))
		return send_ack(g, c, id, false);
	if (strcmp(state, "ended")) {
		if (why)
			sentence(text, sizeof(text), why, n);
		if (store_begin(&g->st))
			return 0;
		store_int(&g->st, &lease_id, "SELECT lease_id FROM jobs_held WHERE id = ?", "b",
			  id, (size_t)PEER_JOB_ID_LEN);
		keep_receipt(g, c, m, id, lease_id);
		if (store_exec(&g->st, store_prep(&g->st,
			"UPDATE jobs_held SET state = 'ended', ended = ?, status = ?, why = ?,"
			" cpu_us = ?, mem_peak = ?, out_size = ?, err_size = ? WHERE id = ?",
			"iitiiiib", (int64_t)gridd_now(g),
			(int64_t)peer_msg_uint(m, PK_END_STATUS), text[0] ? text : NULL,
			(int64_t)peer_msg_uint(m, PK_END_CPU_US),
			(int64_t)peer_msg_uint(m, PK_END_MEM_PEAK),
			(int64_t)peer_msg_uint(m, PK_END_OUT), (int64_t)peer_msg_uint(m, PK_END_ERR), id,
			(size_t)PEER_JOB_ID_LEN)) || store_commit(&g->st)) {
			store_rollback(&g->st);
			return 0;
		}
	}
	gridd_api_wake(g, id);
	/* On disk here: the provider may forget it. */
	return send_ack(g, c, id, true);
}

int gridd_jobs_holder_message(struct gridd *g, struct peer_conn *c,
			      const struct peer_msg *m, struct grid_why *why)
{
	const uint8_t *id = peer_msg_bytes(m, PK_JOB_ID, &(size_t){ 0 });
	const uint8_t *text;
	char state[16];
	size_t n;
	int ret;

	(void)why;
	ret = ours(g, c, id, state, sizeof(state));
	if (ret != 1)
		return 0;	/* not ours: a stale message, nothing to do */
	switch (m->type) {
	case PEER_MSG_JOB_STARTED:
		if (!strcmp(state, "asked")) {
			ret = spool_make(g, id);
			if (ret)
				log_warn("job %02x%02x%02x%02x: no spool for its output: %s",
					 id[0], id[1], id[2], id[3], strerror(-ret));
			else
				store_exec(&g->st, store_prep(&g->st,
					"UPDATE jobs_held SET state = 'running' WHERE id = ?"
					" AND state = 'asked'", "b", id, (size_t)PEER_JOB_ID_LEN));
		}
		gridd_api_wake(g, id);
		/* What it has (nothing yet, or a spool): the provider sends from there. */
		return send_ack(g, c, id, false);
	case PEER_MSG_JOB_REFUSED:
		text = peer_msg_bytes(m, PK_REFUSED_WHY, &n);
		if (!strcmp(state, "asked")) {
			char s[GRID_API_TEXT_MAX + 1];

			sentence(s, sizeof(s), text, n);
			store_exec(&g->st, store_prep(&g->st,
				"UPDATE jobs_held SET state = 'refused', code = ?, why = ?"
				" WHERE id = ?", "itb", (int64_t)peer_msg_uint(m, PK_REFUSED_CODE),
				s, id, (size_t)PEER_JOB_ID_LEN));
		}
		gridd_api_wake(g, id);
		return 0;
	case PEER_MSG_JOB_OUTPUT:
		return strcmp(state, "running") ? 0 : on_output(g, c, m, id);
	case PEER_MSG_JOB_END:
		return strcmp(state, "running") && strcmp(state, "ended") ? 0 :
		       on_end(g, c, m, id, state);
	case PEER_MSG_JOB_PAUSED: {
		int k = live_slot(in_done_of(id, true));

		live[k].paused = peer_msg_uint(m, PK_PAUSED);
		text = peer_msg_bytes(m, PK_PAUSED_WHY, &n);
		sentence(live[k].why, sizeof(live[k].why), text ? text : (const uint8_t *)"", n);
		gridd_api_wake(g, id);
		return 0;
	}
	}
	return 0;
}

/* ---- gridctl ------------------------------------------------------------- */

/* The grid @who names (a member's or a met peer's name, or a key). */
static int provider_key(struct gridd *g, struct request *rq, uint8_t pk[GRID_PK_LEN])
{
	const char *who = rq->args->t[GRID_A_PROVIDER];
	sqlite3_stmt *st;
	int ret;

	if (!grid_api_has(rq->args, GRID_A_PROVIDER))
		return gridd_fail(rq, -EINVAL, "run on which grid ('on GRID')?");
	if (!grid_parse_key(who, pk))
		return 0;
	st = store_prep(&g->st, "SELECT DISTINCT pk FROM members WHERE ended IS NULL"
			" AND (name = ?1 OR pk IN (SELECT pk FROM peers WHERE name = ?1))",
			"t", who);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1) {
		ret = store_col_key(st, 0, pk) ? -EIO : 0;
		if (!ret && store_step(&g->st, st) == 1)
			ret = gridd_fail(rq, -ENOTUNIQ,
					 "more than one grid is called '%s': say which by its key",
					 who);
	} else if (!ret) {
		ret = gridd_fail(rq, -ENOENT, "no member grid '%s' is known here", who);
	}
	store_done(&g->st, st);
	return ret;
}

static const uint8_t *holder_of(struct gridd *g, struct request *rq)
{
	return rq->who->root ? g->key.pk : rq->who->agent_pk;
}

/* A job of the caller's: its row in @st (id, provider, state, ...), or fails. */
static sqlite3_stmt *job_of(struct gridd *g, struct request *rq, int *ret)
{
	const struct grid_api_map *a = rq->args;
	sqlite3_stmt *st;

	if (!grid_api_has(a, GRID_A_JOB) || a->bn[GRID_A_JOB] != PEER_JOB_ID_LEN) {
		*ret = gridd_fail(rq, -EINVAL, "which job? (its 16-byte id)");
		return NULL;
	}
	st = store_prep(&g->st, "SELECT id, provider, state, lease_id, code, why, status,"
			" delivered_out, delivered_err, argv, made, tty FROM jobs_held WHERE id = ?"
			" AND (holder = ? OR ?)", "bki", a->b[GRID_A_JOB], (size_t)PEER_JOB_ID_LEN,
			holder_of(g, rq), (int64_t)rq->who->root);
	*ret = st ? store_step(&g->st, st) : -EIO;
	if (*ret == 1)
		return st;
	store_done(&g->st, st);
	if (!*ret)
		*ret = gridd_fail(rq, -ENOENT, "no job of yours has that id");
	return NULL;
}

/* The item of a job: what job-run and job-list answer. */
static int job_item(struct gridd *g, struct request *rq, sqlite3_stmt *st)
{
	struct grid_api_map m;
	char name[GRID_NAME_LEN + 24];
	uint8_t provider[GRID_PK_LEN];
	const char *state = (const char *)sqlite3_column_text(st, 2);

	grid_api_map_init(&m);
	grid_api_set_b(&m, GRID_A_JOB, sqlite3_column_blob(st, 0), PEER_JOB_ID_LEN);
	if (!store_col_key(st, 1, provider)) {
		gridd_peer_label(g, provider, name);
		grid_api_set_t(&m, GRID_A_PROVIDER, name);
	}
	{
		uint64_t *in = in_done_of(sqlite3_column_blob(st, 0), false);

		grid_api_set_t(&m, GRID_A_STATE, in && live[live_slot(in)].paused &&
			       !strcmp(state, "running") ? "paused" : state);
	}
	grid_api_set_u(&m, GRID_A_LEASE_ID, sqlite3_column_int64(st, 3));
	if (!strcmp(state, "ended"))
		grid_api_set_u(&m, GRID_A_STATUS, sqlite3_column_int64(st, 6));
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		grid_api_set_t(&m, GRID_A_REASON, (const char *)sqlite3_column_text(st, 5));
	grid_api_set_u(&m, GRID_A_OUT_OFF, sqlite3_column_int64(st, 7));
	grid_api_set_u(&m, GRID_A_ERR_OFF, sqlite3_column_int64(st, 8));
	grid_api_set_b(&m, GRID_A_ARGV, sqlite3_column_blob(st, 9), sqlite3_column_bytes(st, 9));
	grid_api_set_u(&m, GRID_A_SINCE, sqlite3_column_int64(st, 10));
	grid_api_set_u(&m, GRID_A_TTY, sqlite3_column_int64(st, 11));
	return grid_api_add_item(rq->out, &m);
}

/* After the job is on disk: to the provider, now or when it is reachable. */
static int run_after(struct gridd *g, struct request *rq)
{
	struct peer_conn *c = gridd_peer_session(g, rq->after_key);
	sqlite3_stmt *st;

	if (!c) {
		gridd_peer_want(g, rq->after_key);
		return 0;
	}
	st = store_prep(&g->st, "SELECT id, lease_id, argv, tty, rows, cols, net FROM jobs_held"
			" WHERE id = ?", "b", rq->after_rec, (size_t)PEER_JOB_ID_LEN);
	if (st && store_step(&g->st, st) == 1)
		send_submit(g, c, st);
	store_done(&g->st, st);
	return 0;
}

/* The answer to a job-run asked before: started, refused, or still asked. */
static int run_answer(struct gridd *g, struct request *rq, sqlite3_stmt *st)
{
	const char *state = (const char *)sqlite3_column_text(st, 2);
	char name[GRID_NAME_LEN + 24] = "the provider";
	uint8_t provider[GRID_PK_LEN];

	if (!store_col_key(st, 1, provider))
		gridd_peer_label(g, provider, name);
	if (!strcmp(state, "refused"))
		return gridd_fail(rq, -(int)sqlite3_column_int64(st, 4), "%s refused the job: %s",
				  name, sqlite3_column_text(st, 5));
	if (!strcmp(state, "asked")) {
		if (rq->late)
			return gridd_fail(rq, -EINPROGRESS,
					  "no answer from %s yet; the job stays submitted, and is sent again whenever a session with it opens (gridctl jobs shows it)",
					  name);
		memcpy(rq->after_rec, sqlite3_column_blob(st, 0), PEER_JOB_ID_LEN);
		rq->park = true;
		return 0;
	}
	return job_item(g, rq, st);
}

static int argv_ok(struct request *rq, const struct grid_api_map *a)
{
	const uint8_t *p = a->b[GRID_A_ARGV];
	uint32_t n = a->bn[GRID_A_ARGV];

	if (!grid_api_has(a, GRID_A_ARGV) || n < 2 || p[0] == '\0' || p[n - 1] != '\0')
		return gridd_fail(rq, -EINVAL, "the command is missing, or not NUL-terminated words");
	if (n > PEER_ARGV_MAX)
		return gridd_fail(rq, -E2BIG, "the command is longer than %d bytes", PEER_ARGV_MAX);
	return 0;
}

int op_job_run(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	uint8_t provider[GRID_PK_LEN];
	char name[GRID_NAME_LEN + 24];
	sqlite3_stmt *st;
	int64_t lease_id = 0;
	bool net = false;
	int ret;

	if (!rq->who->root && !rq->who->has_agent)
		return gridd_fail(rq, -EPERM, "uid %u is no agent of this grid: gridctl agent add NAME uid %u",
				  rq->who->uid, rq->who->uid);
	if (!grid_api_has(a, GRID_A_JOB) || a->bn[GRID_A_JOB] != PEER_JOB_ID_LEN)
		return gridd_fail(rq, -EINVAL, "a job needs its 16-byte id");
	st = job_of(g, rq, &ret);
	if (st) {
		ret = run_answer(g, rq, st);
		store_done(&g->st, st);
		return ret;
	}
	if (ret != -ENOENT)
		return ret;
	rq->why.msg[0] = '\0';
	ret = provider_key(g, rq, provider);
	if (!ret)
		ret = argv_ok(rq, a);
	if (ret)
		return ret;
	if (!sodium_memcmp(provider, g->key.pk, GRID_PK_LEN))
		return gridd_fail(rq, -EINVAL, "%s is this grid: run the command here", a->t[GRID_A_PROVIDER]);
	if (grid_api_has(a, GRID_A_NET)) {
		if (!strcmp(a->t[GRID_A_NET], "egress"))
			net = true;
		else if (strcmp(a->t[GRID_A_NET], "none"))
			return gridd_fail(rq, -EINVAL, "net is 'none' or 'egress', not '%s'",
					  a->t[GRID_A_NET]);
	}
	if ((grid_api_has(a, GRID_A_ROWS) && a->u[GRID_A_ROWS] > 0xffff) ||
	    (grid_api_has(a, GRID_A_COLS) && a->u[GRID_A_COLS] > 0xffff))
		return gridd_fail(rq, -EINVAL, "a terminal has at most 65535 rows and columns");
	gridd_peer_label(g, provider, name);
	/* The lease: the one named, or the caller's live one from there that lasts longest. */
	ret = store_int(&g->st, &lease_id, "SELECT lease_id FROM leases_held WHERE issuer = ?"
			" AND (holder = ? OR ?) AND revoked IS NULL AND not_after > ?"
			" AND (? = 0 OR lease_id = ?) AND (? IS NULL OR gridgrid = ?)"
			" ORDER BY not_after DESC LIMIT 1", "kkiiiitt", provider, holder_of(g, rq),
			(int64_t)rq->who->root, (int64_t)gridd_now(g),
			(int64_t)(grid_api_has(a, GRID_A_LEASE_ID) ? a->u[GRID_A_LEASE_ID] : 0),
			(int64_t)(grid_api_has(a, GRID_A_LEASE_ID) ? a->u[GRID_A_LEASE_ID] : 0),
			grid_api_has(a, GRID_A_GRIDGRID) ? a->t[GRID_A_GRIDGRID] : NULL,
			grid_api_has(a, GRID_A_GRIDGRID) ? a->t[GRID_A_GRIDGRID] : "");
	if (ret == -ENOENT) {
		if (grid_api_has(a, GRID_A_LEASE_ID))
			return gridd_fail(rq, -ENOKEY, "you hold no live lease %" PRIu64 " from %s",
					  a->u[GRID_A_LEASE_ID], name);
		return gridd_fail(rq, -ENOKEY, "you hold no live lease from %s%s%s", name,
				  grid_api_has(a, GRID_A_GRIDGRID) ? " in " : "",
				  grid_api_has(a, GRID_A_GRIDGRID) ? a->t[GRID_A_GRIDGRID] : "");
	}
	if (ret)
		return ret;
	ret = store_exec(&g->st, store_prep(&g->st,
		"INSERT INTO jobs_held (id, provider, holder, lease_id, argv, tty, rows, cols,"
		" net, state, made) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'asked', ?)",
		"bkkibiiiii", a->b[GRID_A_JOB], (size_t)PEER_JOB_ID_LEN, provider,
		holder_of(g, rq), lease_id, a->b[GRID_A_ARGV], (size_t)a->bn[GRID_A_ARGV],
		(int64_t)!!a->u[GRID_A_TTY], (int64_t)a->u[GRID_A_ROWS],
		(int64_t)a->u[GRID_A_COLS], (int64_t)net, (int64_t)gridd_now(g)));
	if (ret)
		return ret;
	log_info("job to %s under lease %" PRId64, name, lease_id);
	memcpy(rq->after_rec, a->b[GRID_A_JOB], PEER_JOB_ID_LEN);
	memcpy(rq->after_key, provider, GRID_PK_LEN);
	rq->after = run_after;
	rq->park = true;
	return 0;
}

/* What job-io answers: the spool from the offsets asked, and where it stands. */
static int io_item(struct gridd *g, struct request *rq, sqlite3_stmt *st, bool *news)
{
	static uint8_t buf[2][GRID_API_JOB_CHUNK];
	const struct grid_api_map *a = rq->args;
	const uint8_t *id = sqlite3_column_blob(st, 0);
	const char *state = (const char *)sqlite3_column_text(st, 2);
	uint64_t off[2], *in = in_done_of(id, false);
	struct grid_api_map m;
	ssize_t n[2] = { 0, 0 };
	int s, fd;

	off[0] = a->u[GRID_A_OUT_OFF];
	off[1] = a->u[GRID_A_ERR_OFF];
	grid_api_map_init(&m);
	grid_api_set_b(&m, GRID_A_JOB, id, PEER_JOB_ID_LEN);
	/* Frozen by its provider: "paused", and why, until it goes on. */
	if (in && live[live_slot(in)].paused && !strcmp(state, "running")) {
		grid_api_set_t(&m, GRID_A_STATE, "paused");
		grid_api_set_t(&m, GRID_A_REASON, live[live_slot(in)].why);
		if (grid_api_has(a, GRID_A_STATE) && strcmp(a->t[GRID_A_STATE], "paused"))
			*news = true;
	} else {
		grid_api_set_t(&m, GRID_A_STATE, !strcmp(state, "asked") ? "starting" : state);
		if (grid_api_has(a, GRID_A_STATE) && !strcmp(a->t[GRID_A_STATE], "paused"))
			*news = true;
	}
	for (s = 0; s < 2; s++) {
		fd = spool_open(g, id, s, O_RDONLY);
		if (fd >= 0) {
			n[s] = pread(fd, buf[s], sizeof(buf[s]), off[s]);
			close(fd);
		}
		if (n[s] < 0)
			n[s] = 0;
		if (n[s])
			*news = true;
		grid_api_set_b(&m, s ? GRID_A_ERR : GRID_A_OUT, buf[s], n[s]);
		grid_api_set_u(&m, s ? GRID_A_ERR_OFF : GRID_A_OUT_OFF, off[s]);
	}
	grid_api_set_u(&m, GRID_A_IN_DONE, in ? *in : 0);
	if (in && grid_api_has(a, GRID_A_IN_DONE) && *in != a->u[GRID_A_IN_DONE])
		*news = true;
	if (!strcmp(state, "ended")) {
		grid_api_set_u(&m, GRID_A_STATUS, sqlite3_column_int64(st, 6));
		/* The end is news once the output before it has all been read. */
		if (!n[0] && !n[1])
			*news = true;
	}
	if (!strcmp(state, "refused"))
		*news = true;
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		grid_api_set_t(&m, GRID_A_REASON, (const char *)sqlite3_column_text(st, 5));
	return grid_api_add_item(rq->out, &m);
}

int op_job_io(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	uint8_t provider[GRID_PK_LEN], id[PEER_JOB_ID_LEN];
	struct peer_conn *c;
	bool acts, news = false;
	uint64_t *in;
	sqlite3_stmt *st;
	int ret;

	st = job_of(g, rq, &ret);
	if (!st)
		return ret;
	memcpy(id, sqlite3_column_blob(st, 0), PEER_JOB_ID_LEN);
	store_col_key(st, 1, provider);
	c = gridd_peer_session(g, provider);
	acts = grid_api_has(a, GRID_A_IN) || a->u[GRID_A_EOF] || a->u[GRID_A_SIGNAL] ||
	       a->u[GRID_A_ROWS] || a->u[GRID_A_DONE];
	/* All of it within what the peer protocol carries: a bad value would end the session. */
	if ((grid_api_has(a, GRID_A_IN) && a->bn[GRID_A_IN] > GRID_API_JOB_CHUNK) ||
	    (grid_api_has(a, GRID_A_SIGNAL) && (a->u[GRID_A_SIGNAL] < 1 || a->u[GRID_A_SIGNAL] > 64)) ||
	    a->u[GRID_A_IN_OFF] > (1ULL << 52) ||
	    !!a->u[GRID_A_ROWS] != !!a->u[GRID_A_COLS] || a->u[GRID_A_ROWS] > 0xffff ||
	    a->u[GRID_A_COLS] > 0xffff) {
		store_done(&g->st, st);
		return gridd_fail(rq, -EINVAL, "input comes in pieces of at most %u bytes below 2^52, a signal is 1 to 64, and a size has rows and columns of 1 to 65535",
				  GRID_API_JOB_CHUNK);
	}
	in = in_done_of(id, false);
	if (grid_api_has(a, GRID_A_IN) &&
	    a->u[GRID_A_IN_OFF] + a->bn[GRID_A_IN] > (in ? *in : 0) + GRID_API_JOB_WINDOW) {
		store_done(&g->st, st);
		return gridd_fail(rq, -ENOBUFS, "input past the job's window (%u bytes past what it has taken)",
				  GRID_API_JOB_WINDOW);
	}
	if (c && c->s.out_len > GRIDD_JOB_QUEUE_MAX &&
	    (grid_api_has(a, GRID_A_IN) || a->u[GRID_A_EOF])) {
		store_done(&g->st, st);
		return gridd_fail(rq, -EAGAIN, "the session with the provider is busy; send it again");
	}
	if (acts && (grid_api_has(a, GRID_A_IN) || a->u[GRID_A_EOF] || a->u[GRID_A_SIGNAL] ||
		     a->u[GRID_A_ROWS]) && !c) {
		store_done(&g->st, st);
		gridd_peer_want(g, provider);
		return gridd_fail(rq, -EAGAIN, "the provider is not reachable now; send it again");
	}
	if (c && (grid_api_has(a, GRID_A_IN) || a->u[GRID_A_EOF])) {
		static uint8_t buf[GRID_API_JOB_CHUNK + 128];
		struct cb_buf b;

		cb_init(&b, buf, sizeof(buf));
		cb_map(&b, 4 + !!a->u[GRID_A_EOF]);
		cb_uint(&b, PK_TYPE);
		cb_uint(&b, PEER_MSG_JOB_INPUT);
		cb_uint(&b, PK_JOB_ID);
		cb_bytes(&b, id, PEER_JOB_ID_LEN);
		cb_uint(&b, PK_IO_OFF);
		cb_uint(&b, a->u[GRID_A_IN_OFF]);
		cb_uint(&b, PK_IO_DATA);
		cb_bytes(&b, a->b[GRID_A_IN], a->bn[GRID_A_IN]);
		if (a->u[GRID_A_EOF]) {
			cb_uint(&b, PK_INPUT_EOF);
			cb_uint(&b, 1);
		}
		gridd_peer_send(g, c, buf, cb_end(&b));
	}
	if (c && (a->u[GRID_A_SIGNAL] || (a->u[GRID_A_ROWS] && a->u[GRID_A_COLS])))
		gridd_job_send(g, c, PEER_MSG_JOB_SIGNAL, id,
			       (a->u[GRID_A_SIGNAL] ? 1 : 0) + (a->u[GRID_A_ROWS] ? 2 : 0),
			       a->u[GRID_A_SIGNAL] ? PK_SIGNAL_SIG : PK_SIGNAL_ROWS,
			       a->u[GRID_A_SIGNAL] ? a->u[GRID_A_SIGNAL] : a->u[GRID_A_ROWS],
			       a->u[GRID_A_SIGNAL] ? PK_SIGNAL_ROWS : PK_SIGNAL_COLS,
			       a->u[GRID_A_SIGNAL] ? a->u[GRID_A_ROWS] : a->u[GRID_A_COLS],
			       PK_SIGNAL_COLS, a->u[GRID_A_COLS]);
	/* Delivered: what the client has written out (it never goes back). */
	ret = store_exec(&g->st, store_prep(&g->st,
		"UPDATE jobs_held SET delivered_out = max(delivered_out, ?),"
		" delivered_err = max(delivered_err, ?) WHERE id = ?", "iib",
		(int64_t)a->u[GRID_A_OUT_OFF], (int64_t)a->u[GRID_A_ERR_OFF], id,
		(size_t)PEER_JOB_ID_LEN));
	if (!ret && a->u[GRID_A_DONE] && !strcmp((const char *)sqlite3_column_text(st, 2), "ended")) {
		spool_remove(g, id);
		/* Its input's progress and its pause are of no more use. */
		in = in_done_of(id, false);
		if (in)
			live[live_slot(in)].used = false;
	}
	if (!ret)
		ret = io_item(g, rq, st, &news);
	store_done(&g->st, st);
	if (!ret && !news && !acts && !rq->late) {
		/* Nothing new: wait for it, a while (woken by the provider's words). */
		rq->out->n_items = 0;
		rq->out->items_len = 0;
		rq->out->nodes = 0;
		memcpy(rq->after_rec, id, PEER_JOB_ID_LEN);
		rq->park = true;
		rq->park_ms = IO_PARK_MS;
	}
	return ret;
}

int op_job_list(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	uint64_t skip = grid_api_has(a, GRID_A_OFFSET) ? a->u[GRID_A_OFFSET] : 0;
	sqlite3_stmt *st;
	int ret = 0;

	st = store_prep(&g->st, "SELECT id, provider, state, lease_id, code, why, status,"
			" delivered_out, delivered_err, argv, made, tty FROM jobs_held"
			" WHERE holder = ? OR ? ORDER BY made LIMIT -1 OFFSET ?", "kii",
			holder_of(g, rq), (int64_t)rq->who->root, (int64_t)skip);
	while (st && store_step(&g->st, st) == 1) {
		ret = job_item(g, rq, st);
		if (ret == -ENOSPC) {
			rq->out->more = true;
			ret = 0;
			break;
		}
		if (ret)
			break;
	}
	store_done(&g->st, st);
	return ret;
}

int op_job_signal(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	uint8_t provider[GRID_PK_LEN], id[PEER_JOB_ID_LEN];
	struct peer_conn *c;
	sqlite3_stmt *st;
	int ret;

	if (!grid_api_has(a, GRID_A_SIGNAL) || a->u[GRID_A_SIGNAL] < 1 || a->u[GRID_A_SIGNAL] > 64)
		return gridd_fail(rq, -EINVAL, "which signal? (1 to 64)");
	st = job_of(g, rq, &ret);
	if (!st)
		return ret;
	memcpy(id, sqlite3_column_blob(st, 0), PEER_JOB_ID_LEN);
	store_col_key(st, 1, provider);
	ret = strcmp((const char *)sqlite3_column_text(st, 2), "running") ?
	      gridd_fail(rq, -ESRCH, "the job is not running") : 0;
	store_done(&g->st, st);
	if (ret)
		return ret;
	c = gridd_peer_session(g, provider);
	if (!c) {
		gridd_peer_want(g, provider);
		return gridd_fail(rq, -EAGAIN, "the provider is not reachable now; the signal was not sent");
	}
	return gridd_job_send(g, c, PEER_MSG_JOB_SIGNAL, id, 1, PK_SIGNAL_SIG,
			      a->u[GRID_A_SIGNAL]);
}
