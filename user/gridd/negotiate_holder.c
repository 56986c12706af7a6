// SPDX-License-Identifier: GPL-2.0
/*
 * Lease negotiation, the holder's side (PROTOCOL.md §8): gridctl lease
 * request, and lease renew of a lease this grid holds, ask the provider
 * for a lease in a grid-grid; the holder checks the lease it is given and
 * keeps it, or keeps the refusal, and wakes the gridctl that waits.
 *
 * Nothing is lost: the request is on disk before it is sent and is sent
 * again on every new session with the provider until it is answered (or
 * an hour has passed, ASK_LIFE). The answers that arrive together are
 * kept in one transaction, one fsync for them all.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "negotiate.h"
#include "units.h"

#define ASK_LIFE	3600	/* s: a request unanswered this long is dropped */

/* ---- messages ------------------------------------------------------------ */

/* A pending request of ours, to its provider over @c. */
static int send_request(struct gridd *g, struct peer_conn *c,
			sqlite3_stmt *row)
{
	static uint8_t buf[GRID_RECORD_MAX + 512];
	uint8_t req[PEER_REQ_ID_LEN], holder[GRID_PK_LEN], gg[GRID_PK_LEN];
	const char *gname = (const char *)sqlite3_column_text(row, 1);
	struct grid_limits l;
	struct grid_why why;
	struct cb_buf b;
	sqlite3_stmt *st;
	static struct cb_doc d;
	const void *cert = NULL;
	size_t cert_len = 0;
	int ret;

	if (sqlite3_column_bytes(row, 0) != PEER_REQ_ID_LEN ||
	    store_col_key(row, 2, holder) || gridd_gg_key(g, gname, gg))
		return 0;
	memcpy(req, sqlite3_column_blob(row, 0), PEER_REQ_ID_LEN);
	ret = cb_decode(&d, sqlite3_column_blob(row, 3), sqlite3_column_bytes(row, 3));
	if (!ret)
		ret = grid_limits_read(&d, 0, &l, &why);
	if (ret)
		return 0;
	/* An agent's certificate shows the provider whose agent it is. */
	st = store_prep(&g->st, "SELECT r.bytes FROM agents a JOIN records r"
			" ON r.id = a.cert WHERE a.pk = ?", "k", holder);
	if (st && store_step(&g->st, st) == 1) {
		cert = sqlite3_column_blob(st, 0);
		cert_len = sqlite3_column_bytes(st, 0);
	}
	cb_init(&b, buf, sizeof(buf));
	if (sqlite3_column_type(row, 5) != SQLITE_NULL) {
		/* A renewal: the lease, how long, and the limits it changes. */
		cb_map(&b, 5);
		cb_uint(&b, PK_TYPE);
		cb_uint(&b, PEER_MSG_LEASE_RENEW);
		cb_uint(&b, PK_REQ_ID);
		cb_bytes(&b, req, PEER_REQ_ID_LEN);
		cb_uint(&b, PK_RENEW_LEASE_ID);
		cb_uint(&b, sqlite3_column_int64(row, 5));
		cb_uint(&b, PK_RENEW_SECONDS);
		cb_uint(&b, sqlite3_column_int64(row, 4));
		cb_uint(&b, PK_RENEW_LIMITS);
		grid_limits_write(&b, &l);
		store_done(&g->st, st);
		return gridd_peer_send(g, c, buf, cb_end(&b));
	}
	cb_map(&b, cert ? 7 : 6);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_LEASE_REQUEST);
	cb_uint(&b, PK_REQ_ID);
	cb_bytes(&b, req, PEER_REQ_ID_LEN);
	cb_uint(&b, PK_REQ_GG);
	cb_bytes(&b, gg, GRID_PK_LEN);
	cb_uint(&b, PK_REQ_HOLDER);
	cb_bytes(&b, holder, GRID_PK_LEN);
	if (cert) {
		cb_uint(&b, PK_REQ_CERT);
		cb_bytes(&b, cert, cert_len);
	}
	cb_uint(&b, PK_REQ_LIMITS);
	grid_limits_write(&b, &l);
	cb_uint(&b, PK_REQ_SECONDS);
	cb_uint(&b, sqlite3_column_int64(row, 4));
	store_done(&g->st, st);
	return gridd_peer_send(g, c, buf, cb_end(&b));
}

/* Every pending request of ours to @c's peer (a session just opened). */
void gridd_negotiate_opened(struct gridd *g, struct peer_conn *c)
{
	sqlite3_stmt *st;

	st = store_prep(&g->st, "SELECT req, gridgrid, holder, limits, seconds, renew"
			" FROM asked WHERE provider = ? AND state = 'pending'"
			" AND made > ?", "ki", c->s.identity,
			(int64_t)gridd_now(g) - ASK_LIFE);
	while (st && store_step(&g->st, st) == 1) {
		if (send_request(g, c, st))
			break;
	}
	store_done(&g->st, st);
}

/* ---- the holder: gridctl lease request ----------------------------------- */

/* The provider a request names: a member grid's name or key, in @gg. */
static int provider_of(struct gridd *g, struct request *rq,
		       const uint8_t gg[GRID_PK_LEN], const char *gname,
		       uint8_t pk[GRID_PK_LEN])
{
	const char *who = rq->args->t[GRID_A_PROVIDER];
	sqlite3_stmt *st;
	int ret;

	if (!grid_api_has(rq->args, GRID_A_PROVIDER))
		return gridd_fail(rq, -EINVAL, "a lease from which grid ('on GRID')?");
	if (!grid_parse_key(who, pk))
		st = store_prep(&g->st, "SELECT pk FROM members WHERE gridgrid = ?"
				" AND pk = ? AND ended IS NULL", "kk", gg, pk);
	else
		st = store_prep(&g->st, "SELECT pk FROM members WHERE gridgrid = ?1"
				" AND ended IS NULL AND (name = ?2 OR pk IN"
				" (SELECT pk FROM peers WHERE name = ?2))", "kt", gg, who);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1)
		ret = store_col_key(st, 0, pk) ? -EIO : 0;
	else if (!ret)
		ret = gridd_fail(rq, -ENOENT,
				 "no member '%s' of %s is known here (its proof arrives with a session, or by gridctl gridgrid admit)",
				 who, gname);
	/* Members name themselves: a name two of them took names neither. */
	while (!ret && store_step(&g->st, st) == 1) {
		uint8_t other[GRID_PK_LEN];

		if (!store_col_key(st, 0, other) && sodium_memcmp(other, pk, GRID_PK_LEN))
			ret = gridd_fail(rq, -ENOTUNIQ,
					 "more than one member of %s is called '%s': say which by its key (gridctl peer list shows the keys of those met)",
					 gname, who);
	}
	store_done(&g->st, st);
	if (!ret && !sodium_memcmp(pk, g->key.pk, GRID_PK_LEN))
		ret = gridd_fail(rq, -EINVAL,
				 "%s is this grid: gridctl lease issue gives a lease of its own", who);
	return ret;
}

/* Who holds the lease: the caller's agent, a named agent (root), or the grid. */
static int holder_key(struct gridd *g, struct request *rq, uint8_t pk[GRID_PK_LEN])
{
	const struct grid_api_map *a = rq->args;
	sqlite3_stmt *st;
	int ret;

	if (!rq->who->root) {
		if (!rq->who->has_agent)
			return gridd_fail(rq, -EPERM,
					  "uid %u is no agent of this grid: gridctl agent add NAME uid %u",
					  rq->who->uid, rq->who->uid);
		memcpy(pk, rq->who->agent_pk, GRID_PK_LEN);
		return 0;
	}
	if (!grid_api_has(a, GRID_A_HOLDER)) {
		memcpy(pk, g->key.pk, GRID_PK_LEN);
		return 0;
	}
	st = store_prep(&g->st, "SELECT pk FROM agents WHERE name = ?", "t",
			a->t[GRID_A_HOLDER]);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1)
		ret = store_col_key(st, 0, pk) ? -EIO : 0;
	else if (!ret)
		ret = gridd_fail(rq, -ENOENT, "no agent '%s'", a->t[GRID_A_HOLDER]);
	store_done(&g->st, st);
	return ret;
}

/* The answer to a request of ours that has one: the lease, or the refusal. */
static int answer_asked(struct gridd *g, struct request *rq, sqlite3_stmt *row,
			const char *provider)
{
	const char *state = (const char *)sqlite3_column_text(row, 0);
	struct grid_signed *s;
	uint8_t id[GRID_ID_LEN];
	sqlite3_stmt *st;
	int ret;

	if (!strcmp(state, "refused"))
		return gridd_fail(rq, -(int)sqlite3_column_int64(row, 2),
				  "%s refused: %s", provider,
				  sqlite3_column_text(row, 3));
	if (strcmp(state, "granted"))
		return rq->late ? gridd_fail(rq, -EINPROGRESS,
			"no answer from %s yet; the request stays, and gridd asks again whenever a session with it opens (gridctl lease list shows the lease once granted)",
			provider) : 1;
	st = store_prep(&g->st, "SELECT record FROM leases_held WHERE issuer ="
			" (SELECT provider FROM asked WHERE req = ?) AND lease_id = ?",
			"bu", rq->after_rec, (size_t)PEER_REQ_ID_LEN,
			(uint64_t)sqlite3_column_int64(row, 1));
	ret = st ? store_step(&g->st, st) : -EIO;
	ret = ret == 1 ? (store_col_key(st, 0, id) ? -EIO : 0) : -ENOENT;
	store_done(&g->st, st);
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (!ret)
		ret = store_record_get(&g->st, id, s);
	if (!ret)
		ret = gridd_lease_item(rq, s, true);
	free(s);
	return ret;
}

/* After the request is on disk: to the provider, now or when it is reachable. */
static int request_after(struct gridd *g, struct request *rq)
{
	struct peer_conn *c = gridd_peer_session(g, rq->after_key);
	sqlite3_stmt *st;

	if (!c) {
		if (gridd_peer_want(g, rq->after_key))
			log_info("lease request: provider not reachable now; asked again when it is");
		return 0;
	}
	st = store_prep(&g->st, "SELECT req, gridgrid, holder, limits, seconds, renew"
			" FROM asked WHERE req = ?", "b", rq->after_rec,
			(size_t)PEER_REQ_ID_LEN);
	if (st && store_step(&g->st, st) == 1)
		send_request(g, c, st);
	store_done(&g->st, st);
	return 0;
}

/*
 * Keeps @a's request as pending, durable before it is sent: its limits
 * (@a's, or none named) and, for a renewal, the lease @renew (0: a new
 * lease, NULL in the state).
 */
static int ask(struct gridd *g, const struct grid_api_map *a,
	       const uint8_t provider[GRID_PK_LEN], const char *gname,
	       const uint8_t holder[GRID_PK_LEN], uint64_t secs, uint64_t renew)
{
	uint8_t limits[512];
	struct grid_limits l;
	struct cb_buf b;

	if (grid_api_has(a, GRID_A_LIMITS))
		l = *grid_api_lim(a, GRID_A_LIMITS);
	else
		grid_limits_none(&l);
	cb_init(&b, limits, sizeof(limits));
	grid_limits_write(&b, &l);
	if (cb_end(&b) < 0)
		return -EMSGSIZE;
	return store_exec(&g->st, store_prep(&g->st,
		"INSERT INTO asked (req, provider, gridgrid, holder, limits, seconds,"
		" made, state, renew) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending',"
		" nullif(?, 0))", "bktkbuiu", a->b[GRID_A_REQUEST],
		(size_t)PEER_REQ_ID_LEN, provider, gname, holder, limits,
		(size_t)b.len, secs, (int64_t)gridd_now(g), renew));
}

int op_lease_request(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	const char *gname = a->t[GRID_A_GRIDGRID];
	uint8_t gg[GRID_PK_LEN], provider[GRID_PK_LEN], holder[GRID_PK_LEN];
	char pname[GRID_NAME_LEN + 24];
	sqlite3_stmt *st;
	uint64_t secs;
	int64_t live = 0;
	int ret;

	if (!grid_api_has(a, GRID_A_GRIDGRID) || gridd_gg_key(g, gname, gg))
		return gridd_fail(rq, -ENOENT, "not a member of %s",
				  grid_api_has(a, GRID_A_GRIDGRID) ? gname :
				  "that grid-grid");
	if (!grid_api_has(a, GRID_A_REQUEST) || a->bn[GRID_A_REQUEST] != PEER_REQ_ID_LEN)
		return gridd_fail(rq, -EINVAL, "a lease request needs its 16-byte request id");
	memcpy(rq->after_rec, a->b[GRID_A_REQUEST], PEER_REQ_ID_LEN);
	ret = provider_of(g, rq, gg, gname, provider);
	if (ret)
		return ret;
	gridd_peer_label(g, provider, pname);
	/* Asked before (gridctl again, or woken): its answer, if it has one. */
	st = store_prep(&g->st, "SELECT state, lease_id, code, why, provider FROM asked"
			" WHERE req = ?", "b", a->b[GRID_A_REQUEST],
			(size_t)PEER_REQ_ID_LEN);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1) {
		ret = answer_asked(g, rq, st, pname);
		store_done(&g->st, st);
		if (ret == 1) {
			rq->park = true;	/* still pending: wait for it */
			ret = 0;
		}
		return ret;
	}
	store_done(&g->st, st);
	if (ret)
		return ret;
	secs = grid_api_has(a, GRID_A_SECONDS) ? a->u[GRID_A_SECONDS] : 0;
	if (!secs || secs > 366ULL * 86400)
		return gridd_fail(rq, -EINVAL,
				  "a lease lasts 1 s to 366 days: say how long with 'for DURATION'");
	ret = holder_key(g, rq, holder);
	if (ret)
		return ret;
	/* An hour unanswered: over (gridd no longer asks; not counted). */
	ret = store_exec(&g->st, store_prep(&g->st,
		"UPDATE asked SET state = 'refused', code = ?, why = ?"
		" WHERE state = 'pending' AND made <= ?", "iti", (int64_t)ETIMEDOUT,
		"no answer within an hour", (int64_t)gridd_now(g) - ASK_LIFE));
	if (ret)
		return ret;
	/* Not asked for if it could not be kept (held.c bounds a holder's). */
	ret = store_int(&g->st, &live, "SELECT (SELECT count(*) FROM leases_held"
			" WHERE holder = ?1 AND not_after > ?2 AND revoked IS NULL) +"
			" (SELECT count(*) FROM asked WHERE holder = ?1 AND state = 'pending'"
			" AND renew IS NULL)", "ki", holder, (int64_t)gridd_now(g));
	if (ret)
		return ret;
	if (live >= g->held_max)
		return gridd_fail(rq, -EDQUOT,
				  "this holder holds or awaits %u live leases already, the most gridd keeps for one",
				  g->held_max);
	ret = ask(g, a, provider, gname, holder, secs, 0);
	if (ret)
		return ret;
	log_info("lease request to %s in %s for %" PRIu64 " s", pname, gname, secs);
	memcpy(rq->after_key, provider, GRID_PK_LEN);
	rq->after = request_after;
	rq->park = true;
	return 0;
}

/*
 * gridctl lease renew ID, of a lease this grid holds: its provider is
 * asked, as for a new lease, and the renewed lease (the next serial)
 * replaces the one held.
 */
int op_lease_renew_held(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	uint8_t provider[GRID_PK_LEN], holder[GRID_PK_LEN];
	char gname[GRID_NAME_LEN], pname[GRID_NAME_LEN + 24];
	struct grid_signed *s;
	sqlite3_stmt *st;
	uint8_t id[GRID_ID_LEN];
	uint64_t secs;
	int ret;

	if (!grid_api_has(a, GRID_A_REQUEST) || a->bn[GRID_A_REQUEST] != PEER_REQ_ID_LEN)
		return gridd_fail(rq, -EINVAL, "renewing a lease held needs a 16-byte request id");
	memcpy(rq->after_rec, a->b[GRID_A_REQUEST], PEER_REQ_ID_LEN);
	st = store_prep(&g->st, "SELECT issuer, gridgrid, holder, record FROM leases_held"
			" WHERE lease_id = ? AND revoked IS NULL", "u",
			a->u[GRID_A_LEASE_ID]);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1) {
		snprintf(gname, sizeof(gname), "%s", sqlite3_column_text(st, 1));
		ret = store_col_key(st, 0, provider) || store_col_key(st, 2, holder) ||
		      store_col_key(st, 3, id) ? -EIO : 0;
	} else if (!ret) {
		ret = gridd_fail(rq, -EKEYREVOKED, "lease %" PRIu64 " was revoked",
				 a->u[GRID_A_LEASE_ID]);
	}
	store_done(&g->st, st);
	if (ret)
		return ret;
	if (!rq->who->root && (!rq->who->has_agent ||
			       sodium_memcmp(rq->who->agent_pk, holder, GRID_PK_LEN)))
		return gridd_fail(rq, -EPERM, "lease %" PRIu64 " is not this user's agent's",
				  a->u[GRID_A_LEASE_ID]);
	gridd_peer_label(g, provider, pname);
	/* Asked before: its answer, or wait for it. */
	st = store_prep(&g->st, "SELECT state, lease_id, code, why, provider FROM asked"
			" WHERE req = ?", "b", a->b[GRID_A_REQUEST], (size_t)PEER_REQ_ID_LEN);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1) {
		ret = answer_asked(g, rq, st, pname);
		store_done(&g->st, st);
		if (ret == 1) {
			rq->park = true;
			ret = 0;
		}
		return ret;
	}
	store_done(&g->st, st);
	if (ret)
		return ret;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = store_record_get(&g->st, id, s);
	secs = ret ? 0 : s->r.not_after - s->r.not_before;
	free(s);
	if (ret)
		return ret;
	if (grid_api_has(a, GRID_A_SECONDS))
		secs = a->u[GRID_A_SECONDS];
	if (!secs || secs > 366ULL * 86400)
		return gridd_fail(rq, -EINVAL, "a lease lasts 1 s to 366 days");
	ret = ask(g, a, provider, gname, holder, secs, a->u[GRID_A_LEASE_ID]);
	if (ret)
		return ret;
	log_info("lease %" PRIu64 ": renewal asked of %s for %" PRIu64 " s",
		 a->u[GRID_A_LEASE_ID], pname, secs);
	memcpy(rq->after_key, provider, GRID_PK_LEN);
	rq->after = request_after;
	rq->park = true;
	return 0;
}

/* ---- the holder: answers ------------------------------------------------- */

static int asked_state(struct gridd *g, const uint8_t peer[GRID_PK_LEN],
		       const uint8_t *req, char state[16], char gname[GRID_NAME_LEN],
		       uint8_t holder[GRID_PK_LEN], uint64_t *renew)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT state, gridgrid, holder, renew FROM asked"
			" WHERE req = ? AND provider = ?", "bk", req,
			(size_t)PEER_REQ_ID_LEN, peer);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1) {
		snprintf(state, 16, "%s", sqlite3_column_text(st, 0));
		snprintf(gname, GRID_NAME_LEN, "%s", sqlite3_column_text(st, 1));
		*renew = sqlite3_column_int64(st, 3);
		ret = store_col_key(st, 2, holder) ? -EIO : 0;
	} else if (!ret) {
		ret = -ENOENT;
	}
	store_done(&g->st, st);
	return ret;
}

/*
 * The answers that arrive in one round of the loop are kept in one
 * transaction (each in a savepoint of its own), committed by
 * gridd_negotiate_serve() before the local API serves the requests they
 * woke: one fsync for them all, and no answer to gridctl before it.
 */
static bool answers_open;

static int answers_begin(struct gridd *g)
{
	int ret;

	if (!answers_open) {
		ret = store_begin(&g->st);
		if (ret)
			return ret;
		answers_open = true;
	}
	return store_begin(&g->st);
}

void gridd_answers_commit(struct gridd *g)
{
	if (!answers_open)
		return;
	answers_open = false;
	if (store_commit(&g->st)) {
		/* Woken, they find their requests pending again, and wait. */
		log_err("negotiate: the answers of this round could not be committed");
	}
}

int gridd_negotiate_on_grant(struct gridd *g, struct peer_conn *c,
			     const struct peer_msg *m)
{
	const uint8_t *req, *bytes;
	struct grid_signed *s;
	struct grid_api_out out = { 0 };
	struct request rq = { .who = &gridd_negotiate_caller };
	char state[16], gname[GRID_NAME_LEN];
	uint8_t holder[GRID_PK_LEN], gg[GRID_PK_LEN];
	uint64_t renew = 0;
	size_t len, n;
	int ret;

	req = peer_msg_bytes(m, PK_REQ_ID, &n);
	bytes = peer_msg_bytes(m, PK_GRANT_LEASE, &len);
	if (asked_state(g, c->s.identity, req, state, gname, holder, &renew)) {
		gridd_peer_log(LOG_WARNING, c, "sent a lease for no request of ours; refused");
		return 0;
	}
	if (strcmp(state, "pending"))
		return 0;	/* answered already: this is the answer again */
	s = malloc(sizeof(*s));
	if (!s || grid_api_out_init(&out)) {
		free(s);
		return -ENOMEM;
	}
	rq.out = &out;
	ret = grid_record_open(s, bytes, len, &rq.why);
	if (!ret && s->r.type != GRID_REC_LEASE)
		ret = gridd_fail(&rq, -EBADMSG, "a %s, not a lease",
				 grid_record_type_name(s->r.type));
	if (!ret && sodium_memcmp(s->r.issuer, c->s.identity, GRID_PK_LEN))
		ret = gridd_fail(&rq, -EPERM, "a lease signed by another grid than the provider");
	if (!ret && (gridd_gg_key(g, gname, gg) ||
		     sodium_memcmp(s->r.gridgrid, gg, GRID_PK_LEN) ||
		     strcmp(s->r.name, gname)))
		ret = gridd_fail(&rq, -EPERM, "a lease in another grid-grid than the one asked for");
	if (!ret && sodium_memcmp(s->r.subject, holder, GRID_PK_LEN))
		ret = gridd_fail(&rq, -EPERM, "a lease for another holder than the one asked for");
	if (!ret && renew && s->r.lease_id != renew)
		ret = gridd_fail(&rq, -EPERM, "another lease than the one whose renewal was asked for");
	if (!ret)
		ret = answers_begin(g);
	if (!ret) {
		ret = gridd_lease_hold(g, &rq, s);
		if (!ret)
			ret = store_exec(&g->st, store_prep(&g->st,
				"UPDATE asked SET state = 'granted', lease_id = ? WHERE req = ?",
				"ub", s->r.lease_id, req, (size_t)PEER_REQ_ID_LEN));
		if (ret)
			store_rollback(&g->st);
		else
			ret = store_commit(&g->st);
	}
	if (ret)
		gridd_peer_log(LOG_WARNING, c, "its lease is refused: %s", rq.why.msg);
	else
		gridd_peer_log(LOG_INFO, c, "granted lease %" PRIu64 " in %s",
			       s->r.lease_id, gname);
	/*
	 * This grid's own trouble (its state, its memory) is no answer: the
	 * request stays pending, is asked again at the next session, and
	 * the provider gives the same lease again.
	 */
	if (ret == -EIO || ret == -ENOMEM) {
		log_warn("negotiate: lease %" PRIu64 " not kept now; asked for again at the next session",
			 s->r.lease_id);
	} else if (ret && !answers_begin(g)) {
		/* The holder's answer says why, as a refusal would. */
		char why[256];

		snprintf(why, sizeof(why), "its lease does not hold: %s", rq.why.msg);
		store_exec(&g->st, store_prep(&g->st,
			"UPDATE asked SET state = 'refused', code = ?, why = ? WHERE req = ?",
			"itb", (int64_t)-ret, why, req, (size_t)PEER_REQ_ID_LEN));
		/* A commit that fails closes its savepoint itself. */
		store_commit(&g->st);
	}
	gridd_api_wake(g, req);
	grid_api_out_free(&out);
	free(s);
	return 0;
}

int gridd_negotiate_on_refused(struct gridd *g, struct peer_conn *c,
			       const struct peer_msg *m)
{
	char state[16], gname[GRID_NAME_LEN], why[PEER_TEXT_MAX + 1];
	uint8_t holder[GRID_PK_LEN];
	const uint8_t *req, *text;
	uint64_t renew;
	size_t n;
	int ret;

	req = peer_msg_bytes(m, PK_REQ_ID, &n);
	text = peer_msg_bytes(m, PK_REFUSED_WHY, &n);
	snprintf(why, sizeof(why), "%.*s", (int)n, (const char *)text);
	if (asked_state(g, c->s.identity, req, state, gname, holder, &renew) ||
	    strcmp(state, "pending"))
		return 0;
	/* Busy, or its state not written: asked again at the next session. */
	if (peer_msg_uint(m, PK_REFUSED_CODE) <= INT_MAX &&
	    gridd_negotiate_ask_again((int)peer_msg_uint(m, PK_REFUSED_CODE))) {
		gridd_peer_log(LOG_INFO, c, "could not answer our request in %s now: %s",
			       gname, why);
		return 0;
	}
	/* A savepoint not begun has nothing to roll back (the round's has). */
	ret = answers_begin(g);
	if (!ret) {
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE asked SET state = 'refused', code = ?, why = ? WHERE req = ?",
			"itb", (int64_t)peer_msg_uint(m, PK_REFUSED_CODE), why, req,
			(size_t)PEER_REQ_ID_LEN));
		if (!ret)
			ret = store_commit(&g->st);
		else
			store_rollback(&g->st);
	}
	gridd_peer_log(LOG_INFO, c, "refused our request in %s: %s", gname, why);
	gridd_api_wake(g, req);
	return 0;
}
