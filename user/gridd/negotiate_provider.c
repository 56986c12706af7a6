// SPDX-License-Identifier: GPL-2.0
/*
 * Lease negotiation, the provider's side (PROTOCOL.md §8): a member
 * grid asks for a lease, or the renewal of one, in a grid-grid; the
 * provider checks who asks (a member, an agent its grid certified), its
 * policy and its share (grid.ko admits the lease or not), then signs,
 * keeps, registers and answers.
 *
 * Nothing is lost: the provider keeps its answer by request id, so a
 * request asked again after a lost answer gets the same lease, not a
 * second one. Requests that arrive together are served in one
 * transaction, one fsync for them all, as the local API serves a batch.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "negotiate.h"
#include "units.h"

#define QUEUE_MAX	4096	/* requests waiting for the next batch */

/* A request from a peer, copied out of its message, until it is served. */
struct asked_of_us {
	uint8_t peer[GRID_PK_LEN];
	uint8_t req[PEER_REQ_ID_LEN];
	uint8_t gg[GRID_PK_LEN];
	uint8_t holder[GRID_PK_LEN];
	uint8_t *cert;
	size_t cert_len;
	struct grid_limits limits;
	bool has_limits;
	uint64_t seconds;
	uint64_t renew;		/* a renewal of this lease, or 0 */
	bool deferred;		/* to the next batch: its lease is renewed in this one */
	/* The answer: */
	int status;
	struct grid_why why;
	struct request rq;
	uint8_t lease[GRID_ID_LEN];
	uint64_t lease_id;
};

static struct asked_of_us *queue;
static unsigned int queue_n, queue_cap;

/* ---- messages ------------------------------------------------------------ */

static int send_refused(struct gridd *g, struct peer_conn *c,
			const uint8_t req[PEER_REQ_ID_LEN], int code,
			const char *why)
{
	uint8_t buf[PEER_TEXT_MAX + 64];
	struct cb_buf b;

	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, 4);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_LEASE_REFUSED);
	cb_uint(&b, PK_REQ_ID);
	cb_bytes(&b, req, PEER_REQ_ID_LEN);
	cb_uint(&b, PK_REFUSED_CODE);
	cb_uint(&b, code < 0 ? -code : code);
	cb_uint(&b, PK_REFUSED_WHY);
	cb_text(&b, why, strnlen(why, PEER_TEXT_MAX));
	return gridd_peer_send(g, c, buf, cb_end(&b));
}

static int send_grant(struct gridd *g, struct peer_conn *c,
		      const uint8_t req[PEER_REQ_ID_LEN],
		      const struct grid_signed *s)
{
	uint8_t buf[GRID_RECORD_MAX + 64];
	struct cb_buf b;

	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, 3);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_LEASE_GRANT);
	cb_uint(&b, PK_REQ_ID);
	cb_bytes(&b, req, PEER_REQ_ID_LEN);
	cb_uint(&b, PK_GRANT_LEASE);
	cb_bytes(&b, s->bytes, s->len);
	return gridd_peer_send(g, c, buf, cb_end(&b));
}

/* ---- the provider: requests, served in batches --------------------------- */

int gridd_negotiate_on_request(struct gridd *g, struct peer_conn *c,
			       const struct peer_msg *m, struct grid_why *why)
{
	struct asked_of_us *q;
	const uint8_t *p;
	size_t n;
	int ret;

	/*
	 * A grid that is no member of the grid-grid it asks in (as this
	 * grid knows it), or that asks to renew a lease it does not hold,
	 * is told so at once, and nothing is kept of it:
	 * answers are kept by request, and a stranger's would be kept
	 * without end. One that goes on asking is cut off.
	 */
	{
		char gname[GRID_NAME_LEN] = "", text[160];
		int64_t member = 0;
		sqlite3_stmt *st;

		/* A renewal: of a lease issued to the asker, in a grid-grid of both. */
		if (m->type == PEER_MSG_LEASE_RENEW)
			st = store_prep(&g->st, "SELECT gg.name, (SELECT count(*) FROM members m"
					" WHERE m.gridgrid = gg.pk AND m.pk = ?1 AND m.ended IS NULL)"
					" FROM leases_issued l JOIN gridgrids gg ON gg.name = l.gridgrid"
					" WHERE l.lease_id = ?2 AND l.holder_grid = ?1 AND gg.left_at IS NULL",
					"ku", c->s.identity, peer_msg_uint(m, PK_RENEW_LEASE_ID));
		else
			st = store_prep(&g->st, "SELECT gg.name, (SELECT count(*) FROM members m"
					" WHERE m.gridgrid = gg.pk AND m.pk = ? AND m.ended IS NULL)"
					" FROM gridgrids gg WHERE gg.pk = ? AND gg.left_at IS NULL",
					"kk", c->s.identity, peer_msg_bytes(m, PK_REQ_GG, &n));
		if (st && store_step(&g->st, st) == 1) {
			snprintf(gname, sizeof(gname), "%s", sqlite3_column_text(st, 0));
			member = sqlite3_column_int64(st, 1);
		}
		store_done(&g->st, st);
		if (!member && m->type == PEER_MSG_LEASE_RENEW && !*gname) {
			if (++c->refused_strangers > 16)
				return grid_why_set(why, -EPERM,
						    "asked again and again to renew leases it does not hold; cut off");
			snprintf(text, sizeof(text), "this grid issued no lease %" PRIu64 " to yours",
				 peer_msg_uint(m, PK_RENEW_LEASE_ID));
			return send_refused(g, c, peer_msg_bytes(m, PK_REQ_ID, &n), ENOENT, text);
		}
		if (!member) {
			if (++c->refused_strangers > 16)
				return grid_why_set(why, -EPERM,
						    "asked again and again in grid-grids it is not a member of here; cut off");
			if (*gname)
				snprintf(text, sizeof(text),
					 "not a member of %s as this grid knows it (no admitted proof, or revoked, or left)",
					 gname);
			else
				snprintf(text, sizeof(text),
					 "this grid is not a member of that grid-grid");
			return send_refused(g, c, peer_msg_bytes(m, PK_REQ_ID, &n), EPERM, text);
		}
	}
	if (queue_n == QUEUE_MAX)
		return send_refused(g, c, peer_msg_bytes(m, PK_REQ_ID, &n), EBUSY,
				    "the provider is busy; ask again");
	if (queue_n == queue_cap) {
		unsigned int cap = queue_cap ? queue_cap * 2 : 64;
		struct asked_of_us *nq = realloc(queue, cap * sizeof(*nq));

		if (!nq)
			return -ENOMEM;
		queue = nq;
		queue_cap = cap;
	}
	q = &queue[queue_n];
	memset(q, 0, sizeof(*q));
	memcpy(q->peer, c->s.identity, GRID_PK_LEN);
	memcpy(q->req, peer_msg_bytes(m, PK_REQ_ID, &n), PEER_REQ_ID_LEN);
	if (m->type == PEER_MSG_LEASE_RENEW) {
		q->renew = peer_msg_uint(m, PK_RENEW_LEASE_ID);
		q->seconds = peer_msg_uint(m, PK_RENEW_SECONDS);
		if (peer_msg_get(m, PK_RENEW_LIMITS)) {
			ret = grid_limits_read(m->doc, peer_msg_get(m, PK_RENEW_LIMITS),
					       &q->limits, why);
			if (ret)
				return ret;
			q->has_limits = true;
		}
		queue_n++;
		return 0;
	}
	memcpy(q->gg, peer_msg_bytes(m, PK_REQ_GG, &n), GRID_PK_LEN);
	memcpy(q->holder, peer_msg_bytes(m, PK_REQ_HOLDER, &n), GRID_PK_LEN);
	q->seconds = peer_msg_uint(m, PK_REQ_SECONDS);
	ret = grid_limits_read(m->doc, peer_msg_get(m, PK_REQ_LIMITS), &q->limits, why);
	if (ret)
		return ret;	/* not what a peer speaking version 1 sends */
	p = peer_msg_bytes(m, PK_REQ_CERT, &n);
	if (p) {
		q->cert = malloc(n);
		if (!q->cert)
			return -ENOMEM;
		memcpy(q->cert, p, n);
		q->cert_len = n;
	}
	queue_n++;
	return 0;
}

/*
 * The policy line of gridd.conf that decides for @grid in @gname. A
 * member grid names itself, so a line that names it by name holds only
 * while no other live member of the grid-grid took the same name: else a
 * member could take another's allowance by taking its name. Then only a
 * line with its key, or '*', decides, and the owner is told.
 */
static const struct gridd_policy *policy_for(struct gridd *g, const char *gname,
					     const uint8_t grid[GRID_PK_LEN],
					     const char *grid_name)
{
	const struct gridd_policy *best = NULL, *p;
	int64_t same = 0;
	unsigned int i;

	/* By the names serve_request() calls them (a founder by its hello's). */
	store_int(&g->st, &same, "SELECT count(*) FROM members m JOIN gridgrids gg"
		  " ON gg.pk = m.gridgrid WHERE gg.name = ?1 AND m.ended IS NULL"
		  " AND (CASE WHEN m.name = 'founder' THEN coalesce((SELECT name"
		  " FROM peers WHERE pk = m.pk), m.name) ELSE m.name END) = ?2",
		  "tt", gname, grid_name);
	if (same > 1) {
		log_warn("negotiate: %" PRId64 " members of %s call themselves '%s': policy lines naming it by name are not used; name it by key",
			 same, gname, grid_name);
		grid_name = "";
	}
	for (i = 0; i < g->cfg.n_policies; i++) {
		p = &g->cfg.policies[i];
		if (strcmp(p->gridgrid, gname))
			continue;
		if (p->any_grid) {
			if (!best)
				best = p;
		} else if ((p->grid[0] && !strcmp(p->grid, grid_name)) ||
			   (p->has_pk && !sodium_memcmp(p->pk, grid, GRID_PK_LEN))) {
			return p;
		}
	}
	return best;
}

/* 0 if gridd.conf's policy lets @q's grid, called @who, ask as it does. */
static int policy_allows(struct gridd *g, struct asked_of_us *q,
			 const char *gname, const char *who)
{
	const struct gridd_policy *pol = policy_for(g, gname, q->peer, who);

	if (pol && pol->deny)
		return gridd_fail(&q->rq, -EACCES, "this provider's policy does not lease to %s in %s",
				  who, gname);
	if (pol && pol->longest && q->seconds > pol->longest)
		return gridd_fail(&q->rq, -EACCES,
				  "this provider's policy leases to %s in %s for %" PRIu64 " s at most",
				  who, gname, pol->longest);
	return 0;
}

/* @q's lease, kept as its answer: the same request asked again gets it. */
static int keep_grant(struct gridd *g, const struct asked_of_us *q)
{
	return store_exec(&g->st, store_prep(&g->st,
		"INSERT INTO answered (peer, req, lease_id, at) VALUES (?, ?, ?, ?)",
		"kbui", q->peer, q->req, (size_t)PEER_REQ_ID_LEN, q->lease_id,
		(int64_t)gridd_now(g)));
}

/* A renewal a holder's grid asks for: of a lease issued to it. */
static int serve_renew(struct gridd *g, struct asked_of_us *q, const char *gname,
		       const char *who)
{
	struct request *rq = &q->rq;
	struct grid_api_map args;
	uint8_t holder_grid[GRID_PK_LEN];
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT holder_grid FROM leases_issued WHERE lease_id = ?"
			" AND gridgrid = ?", "ut", q->renew, gname);
	ret = st ? store_step(&g->st, st) : -EIO;
	ret = ret == 1 ? (store_col_key(st, 0, holder_grid) ? -EIO : 0) : -ENOENT;
	store_done(&g->st, st);
	if (ret || sodium_memcmp(holder_grid, q->peer, GRID_PK_LEN))
		return gridd_fail(rq, -ENOENT, "this grid issued no lease %" PRIu64 " in %s to %s",
				  q->renew, gname, who);
	ret = policy_allows(g, q, gname, who);
	if (ret)
		return ret;
	grid_api_map_init(&args);
	grid_api_set_u(&args, GRID_A_LEASE_ID, q->renew);
	grid_api_set_u(&args, GRID_A_SECONDS, q->seconds);
	if (q->has_limits)
		grid_api_set_lim(&args, GRID_A_LIMITS, &q->limits);
	rq->args = &args;
	ret = op_lease_renew(g, rq);
	rq->args = NULL;
	if (ret)
		return ret;
	memcpy(q->lease, rq->after_rec, GRID_ID_LEN);
	q->lease_id = q->renew;
	return keep_grant(g, q);
}

/* One request from a peer, in its savepoint: the lease, or why not. */
static int serve_request(struct gridd *g, struct asked_of_us *q)
{
	struct request *rq = &q->rq;
	struct grid_api_map args;
	char gname[GRID_NAME_LEN], holder_hex[2 * GRID_PK_LEN + 1];
	char who[GRID_NAME_LEN + 24] = "";
	sqlite3_stmt *st;
	int64_t member = 0;
	int ret;

	/* A renewal names its lease, whose grid-grid it is in. */
	if (q->renew) {
		st = store_prep(&g->st, "SELECT gg.pk FROM leases_issued l JOIN gridgrids gg"
				" ON gg.name = l.gridgrid WHERE l.lease_id = ?", "u", q->renew);
		ret = st ? store_step(&g->st, st) : -EIO;
		if (ret == 1)
			ret = store_col_key(st, 0, q->gg) ? -EIO : 0;
		else if (!ret)
			ret = -ENOENT;
		store_done(&g->st, st);
		if (ret == -ENOENT)
			return gridd_fail(rq, -ENOENT, "this grid issued no lease %" PRIu64,
					  q->renew);
		if (ret)
			return ret;
	}
	st = store_prep(&g->st, "SELECT name FROM gridgrids WHERE pk = ?"
			" AND left_at IS NULL", "k", q->gg);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1)
		snprintf(gname, sizeof(gname), "%s", sqlite3_column_text(st, 0));
	store_done(&g->st, st);
	if (ret != 1)
		return gridd_fail(rq, -ENOENT, "this grid is not a member of that grid-grid");
	/* Its name: a founder known from the charter alone by its hello's. */
	st = store_prep(&g->st, "SELECT CASE WHEN m.name = 'founder' THEN"
			" coalesce((SELECT name FROM peers WHERE pk = m.pk), m.name)"
			" ELSE m.name END FROM members m WHERE m.gridgrid = ?"
			" AND m.pk = ? AND m.ended IS NULL", "kk", q->gg, q->peer);
	if (st && store_step(&g->st, st) == 1) {
		snprintf(who, sizeof(who), "%s", sqlite3_column_text(st, 0));
		member = 1;
	}
	store_done(&g->st, st);
	if (!member)
		return gridd_fail(rq, -EPERM,
				  "not a member of %s as this grid knows it (no admitted proof, or revoked, or left)",
				  gname);
	if (q->renew)
		return serve_renew(g, q, gname, who);
	if (sodium_memcmp(q->holder, q->peer, GRID_PK_LEN)) {
		/* An agent: its certificate, by the grid that asks. */
		struct grid_signed *cert;
		int64_t other = 0;

		/* Not another member: a lease is for the asker or its agent. */
		ret = store_int(&g->st, &other, "SELECT count(*) FROM members WHERE pk = ?",
				"k", q->holder);
		if (ret)
			return ret;
		if (other)
			return gridd_fail(rq, -EPERM,
					  "the holder is another member grid: a grid asks for itself or its agents");

		if (!q->cert)
			return gridd_fail(rq, -EPERM,
					  "the holder is not the asking grid, and no agent certificate came with the request");
		cert = malloc(sizeof(*cert));
		if (!cert)
			return -ENOMEM;
		ret = grid_record_open(cert, q->cert, q->cert_len, &rq->why);
		if (!ret && (cert->r.type != GRID_REC_AGENT ||
			     sodium_memcmp(cert->r.issuer, q->peer, GRID_PK_LEN) ||
			     sodium_memcmp(cert->r.subject, q->holder, GRID_PK_LEN)))
			ret = gridd_fail(rq, -EPERM,
					 "the certificate is not of the holder as an agent of the asking grid");
		if (!ret)
			ret = gridd_admit_cert(g, rq, cert);
		free(cert);
		if (ret)
			return ret;
	}
	ret = policy_allows(g, q, gname, who);
	if (ret)
		return ret;
	sodium_bin2hex(holder_hex, sizeof(holder_hex), q->holder, GRID_PK_LEN);
	grid_api_map_init(&args);
	grid_api_set_t(&args, GRID_A_GRIDGRID, gname);
	grid_api_set_t(&args, GRID_A_HOLDER, holder_hex);
	grid_api_set_u(&args, GRID_A_SECONDS, q->seconds);
	grid_api_set_lim(&args, GRID_A_LIMITS, &q->limits);
	rq->args = &args;
	ret = op_lease_issue(g, rq);
	rq->args = NULL;
	if (ret)
		return ret;
	memcpy(q->lease, rq->after_key, GRID_ID_LEN);
	q->lease_id = rq->after_id;
	return keep_grant(g, q);
}

/* A request asked again: the answer it had. 1 if there was none. */
static int answered_before(struct gridd *g, struct asked_of_us *q)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT lease_id, code, why FROM answered"
			" WHERE peer = ? AND req = ?", "kb", q->peer, q->req,
			(size_t)PEER_REQ_ID_LEN);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
			q->status = -(int)sqlite3_column_int64(st, 1);
			snprintf(q->why.msg, sizeof(q->why.msg), "%s",
				 sqlite3_column_text(st, 2));
		} else {
			q->lease_id = sqlite3_column_int64(st, 0);
		}
		ret = 0;
	} else if (!ret) {
		ret = 1;
	}
	store_done(&g->st, st);
	if (!ret && q->lease_id) {
		st = store_prep(&g->st, "SELECT record FROM leases_issued WHERE lease_id = ?",
				"u", q->lease_id);
		if (st && store_step(&g->st, st) == 1 && !store_col_key(st, 0, q->lease))
			ret = 0;
		else
			ret = -EIO;
		store_done(&g->st, st);
	}
	return ret;
}

/*
 * A refusal kept as the request's answer, for the same request asked
 * again. Not one that says "ask again" (busy, or the state not written):
 * the holder does, and then it is served afresh.
 */
static void keep_refusal(struct gridd *g, struct asked_of_us *q)
{
	/*
	 * Nor an answer kept before it, by a batch whose after-step then
	 * failed: its lease was taken back, and a request asked again is
	 * served afresh.
	 */
	if (gridd_negotiate_ask_again(-q->status)) {
		store_exec(&g->st, store_prep(&g->st,
			"DELETE FROM answered WHERE peer = ? AND req = ?", "kb",
			q->peer, q->req, (size_t)PEER_REQ_ID_LEN));
		return;
	}
	store_exec(&g->st, store_prep(&g->st,
		"INSERT OR REPLACE INTO answered (peer, req, lease_id, code, why, at)"
		" VALUES (?, ?, NULL, ?, ?, ?)", "kbiti", q->peer, q->req,
		(size_t)PEER_REQ_ID_LEN, (int64_t)-q->status,
		q->why.msg[0] ? q->why.msg : strerror(-q->status),
		(int64_t)gridd_now(g)));
}

static void answer(struct gridd *g, struct asked_of_us *q)
{
	struct peer_conn *c = gridd_peer_session(g, q->peer);
	struct grid_signed *s;
	char who[GRID_NAME_LEN + 24];

	gridd_peer_label(g, q->peer, who);
	if (q->status) {
		log_info("negotiate: %s's request refused: %s", who,
			 q->why.msg[0] ? q->why.msg : strerror(-q->status));
		if (c)
			send_refused(g, c, q->req, q->status,
				     q->why.msg[0] ? q->why.msg : strerror(-q->status));
		return;
	}
	s = malloc(sizeof(*s));
	if (s && !store_record_get(&g->st, q->lease, s)) {
		char lim[160] = "", d[GRID_FMT_LEN];

		grid_format_duration(d, sizeof(d),
				     (s->r.not_after - s->r.not_before) * GRID_NSEC_PER_SEC);
		if (s->r.limits.memory_bytes != GRID_LIMIT_MAX)
			grid_format_size(lim, sizeof(lim), s->r.limits.memory_bytes);
		log_info("negotiate: lease %" PRIu64 " in %s to %s, for %s%s%s",
			 s->r.lease_id, s->r.name, who, d, *lim ? ", memory " : "", lim);
		if (c)
			send_grant(g, c, q->req, s);
	}
	free(s);
}

/*
 * The requests queued since the last batch, served together: one
 * transaction, each in a savepoint; grid.ko after the commit; then the
 * answers. A lease grid.ko refuses is taken back (issue_after does) and
 * its refusal is kept as the request's answer.
 */
void gridd_negotiate_serve(struct gridd *g)
{
	struct grid_api_out out = { 0 };
	unsigned int i, deferred;
	bool committed;
	int ret;

	gridd_answers_commit(g);
	if (!queue_n)
		return;
	if (grid_api_out_init(&out))
		return;
again:
	deferred = 0;
	committed = !store_begin(&g->st);
	for (i = 0; i < queue_n; i++) {
		struct asked_of_us *q = &queue[i];
		unsigned int j;

		/*
		 * One renewal of a lease per batch: renew_after's undo puts
		 * back the row its own request found (as api.c does).
		 */
		for (j = 0; q->renew && j < i; j++) {
			if (queue[j].renew == q->renew && !queue[j].deferred)
				break;
		}
		q->deferred = q->renew && j < i;
		if (q->deferred) {
			deferred++;
			continue;
		}
		q->rq.who = &gridd_negotiate_caller;
		q->rq.out = &out;
		out.n_items = out.items_len = out.nodes = 0;
		if (!committed) {
			q->status = -EIO;
			snprintf(q->why.msg, sizeof(q->why.msg), "the provider cannot write its state");
			continue;
		}
		ret = answered_before(g, q);
		if (ret <= 0) {
			q->status = q->status ? q->status : ret;
			continue;
		}
		if (store_begin(&g->st)) {
			q->status = -EIO;
			continue;
		}
		g->serving = &q->rq;
		ret = serve_request(g, q);
		g->serving = NULL;
		if (ret) {
			store_rollback(&g->st);
			gridd_key_undo(g, &q->rq);
			q->rq.after = NULL;
			q->status = ret;
			q->why = q->rq.why;
			if (!store_begin(&g->st)) {
				keep_refusal(g, q);
				store_commit(&g->st);
			}
		} else if (store_commit(&g->st)) {
			q->status = -EIO;
		}
	}
	if (committed && store_commit(&g->st)) {
		log_err("negotiate: a batch of lease requests could not be committed");
		committed = false;
	}
	for (i = 0; i < queue_n; i++) {
		struct asked_of_us *q = &queue[i];

		if (q->deferred)
			continue;
		if (!committed && !q->status) {
			q->status = -EIO;
			snprintf(q->why.msg, sizeof(q->why.msg), "the provider could not write its state to disk");
			q->rq.after = NULL;
		}
		if (!q->status && q->rq.after) {
			ret = q->rq.after(g, &q->rq);
			if (ret) {
				q->status = ret;
				q->why = q->rq.why;
				if (!store_begin(&g->st)) {
					keep_refusal(g, q);
					store_commit(&g->st);
				}
			}
		}
		answer(g, q);
		free(q->cert);
	}
	if (deferred) {
		unsigned int k = 0;

		for (i = 0; i < queue_n; i++) {
			if (queue[i].deferred)
				queue[k++] = queue[i];
		}
		queue_n = k;
		goto again;
	}
	queue_n = 0;
	grid_api_out_free(&out);
}
