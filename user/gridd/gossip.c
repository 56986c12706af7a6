// SPDX-License-Identifier: GPL-2.0
/*
 * Gossip of signed records (PROTOCOL.md §7): the members of a grid-grid
 * pass each other the records the others lack, so that a revocation made
 * at home reaches the pi through whoever meets both.
 *
 * Each grid-grid has a set (the gossip table): the memberships this grid
 * has admitted, with their proofs, and the leaves, revocations and share
 * advertisements of its members. When a session opens, each side proves
 * its membership of the grid-grids the two have in common and says, for
 * each, how many records its set holds and their digest (have); when the
 * digests differ each sends its ids (ids), each asks for what it lacks
 * (want) and is sent it (records). A record made or kept here is pushed
 * at once to the sessions of the grid-grid's members. Nothing is kept
 * before it verifies as this grid would verify it from anyone: its
 * signature, and that its issuer may say it.
 *
 * A peer that sends records that do not verify, or too many of them, is
 * cut off; a record refused for what this grid knows (a member revoked
 * here) is not held against the peer, and not asked for again on that
 * session.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gridd.h"
#include "log.h"
#include "peers.h"
#include "token.h"

#define GOSSIP_GG_MAX		16	/* grid-grids in common, per session */
#define GOSSIP_SET_MAX		65536	/* records of one grid-grid's set */
#define RECORDS_PER_MINUTE	8192	/* from one peer, asked for or pushed */
#define BAD_PER_MINUTE		16	/* records that do not verify */

enum { KIND_RECORD = 1, KIND_MEMBERSHIP = 2 };

static struct grid_api_out scratch;

/* A request of our own, for the handlers shared with the local API. */
static void peer_request(struct request *rq, const struct caller *who)
{
	memset(rq, 0, sizeof(*rq));
	if (!scratch.buf)
		grid_api_out_init(&scratch);
	scratch.n_items = 0;
	scratch.items_len = 0;
	scratch.nodes = 0;
	scratch.more = false;
	rq->who = who;
	rq->out = &scratch;
}

/* ---- the set ------------------------------------------------------------- */

/* The ids of @gg's set, sorted, malloc()ed in *@ids. */
static int set_ids(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		   uint8_t **ids, size_t *n)
{
	size_t cap = 64;
	sqlite3_stmt *st;
	uint8_t *p;
	int ret;

	*n = 0;
	*ids = malloc(cap * GRID_ID_LEN);
	if (!*ids)
		return -ENOMEM;
	/* An ended member's membership leaves the set; its end is in it. */
	st = store_prep(&g->st, "SELECT s.id FROM gossip s WHERE s.gridgrid = ?1"
			" AND NOT (s.kind = 2 AND EXISTS (SELECT 1 FROM members m"
			" WHERE m.gridgrid = ?1 AND m.membership = s.id"
			" AND m.ended IS NOT NULL)) ORDER BY s.id", "k", gg);
	if (!st)
		return -EIO;
	while ((ret = store_step(&g->st, st)) == 1 && *n < GOSSIP_SET_MAX) {
		if (*n == cap) {
			cap *= 2;
			p = realloc(*ids, cap * GRID_ID_LEN);
			if (!p) {
				ret = -ENOMEM;
				break;
			}
			*ids = p;
		}
		if (store_col_key(st, 0, *ids + *n * GRID_ID_LEN))
			continue;
		(*n)++;
	}
	store_done(&g->st, st);
	if (ret < 0) {
		free(*ids);
		*ids = NULL;
	}
	return ret < 0 ? ret : 0;
}

static bool in_set(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		   const uint8_t id[GRID_ID_LEN])
{
	int64_t n = 0;

	store_int(&g->st, &n, "SELECT count(*) FROM gossip WHERE gridgrid = ?"
		  " AND id = ?", "kk", gg, id);
	return n > 0;
}

int gridd_gossip_keep(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		      const uint8_t id[GRID_ID_LEN], int kind)
{
	int ret = store_exec(&g->st, store_prep(&g->st,
		"INSERT OR IGNORE INTO gossip (gridgrid, id, kind, kept)"
		" VALUES (?, ?, ?, ?)", "kkii", gg, id, (int64_t)kind,
		(int64_t)gridd_now(g)));

	/* Only what is new here goes on: a record known already stops. */
	if (!ret && sqlite3_changes(g->st.db) && g->gossip_n < GRIDD_PUSH_MAX) {
		memcpy(g->gossip_push[g->gossip_n].gg, gg, GRID_PK_LEN);
		memcpy(g->gossip_push[g->gossip_n].id, id, GRID_ID_LEN);
		g->gossip_push[g->gossip_n].from = g->gossip_from;
		g->gossip_n++;
	}
	return ret;
}

/*
 * A share replaces its issuer's older ones in @gg's set: a member says
 * what it gives, once, not every version it ever gave. -ESTALE if one as
 * new or newer is there already.
 */
int gridd_gossip_share(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		       const struct grid_signed *s)
{
	struct grid_signed *old = malloc(sizeof(*old));
	uint8_t ids[16][GRID_ID_LEN];
	sqlite3_stmt *st;
	int i, n = 0, ret = 0;

	if (!old)
		return -ENOMEM;
	st = store_prep(&g->st, "SELECT s.id FROM gossip s JOIN records r ON r.id = s.id"
			" WHERE s.gridgrid = ? AND r.type = ? AND r.issuer = ? AND s.id != ?",
			"kikk", gg, (int64_t)GRID_REC_SHARE, s->r.issuer, s->id);
	while (st && n < 16 && store_step(&g->st, st) == 1) {
		if (!store_col_key(st, 0, ids[n]))
			n++;
	}
	store_done(&g->st, st);
	for (i = 0; i < n && !ret; i++) {
		if (store_record_get(&g->st, ids[i], old))
			continue;
		if (old->r.serial >= s->r.serial)
			ret = -ESTALE;
	}
	for (i = 0; i < n && !ret; i++)
		ret = store_exec(&g->st, store_prep(&g->st,
			"DELETE FROM gossip WHERE gridgrid = ? AND id = ?", "kk", gg, ids[i]));
	free(old);
	return ret;
}

/* Grid-grids this grid and @peer are both in (as far as this grid knows). */
static int common(struct gridd *g, const uint8_t peer[GRID_PK_LEN],
		  uint8_t gg[][GRID_PK_LEN], int max)
{
	sqlite3_stmt *st;
	int n = 0;

	st = store_prep(&g->st, "SELECT gg.pk FROM gridgrids gg JOIN members m"
			" ON m.gridgrid = gg.pk WHERE gg.left_at IS NULL AND m.pk = ?"
			" AND m.ended IS NULL", "k", peer);
	while (st && n < max && store_step(&g->st, st) == 1) {
		if (!store_col_key(st, 0, gg[n]))
			n++;
	}
	store_done(&g->st, st);
	return n;
}

static bool is_common(struct gridd *g, const uint8_t peer[GRID_PK_LEN],
		      const uint8_t gg[GRID_PK_LEN])
{
	uint8_t all[GOSSIP_GG_MAX][GRID_PK_LEN];
	int i, n = common(g, peer, all, GOSSIP_GG_MAX);

	for (i = 0; i < n; i++) {
		if (!memcmp(all[i], gg, GRID_PK_LEN))
			return true;
	}
	return false;
}

/*
 * Whether record @id goes to @peer: a member of @gg as this grid knows
 * it, whether or not this grid still is (a leave goes out after this grid
 * has left), or the member @id itself ended (a revoked grid learns it).
 */
static bool push_to(struct gridd *g, const uint8_t peer[GRID_PK_LEN],
		    const uint8_t gg[GRID_PK_LEN], const uint8_t id[GRID_ID_LEN])
{
	int64_t n = 0;

	store_int(&g->st, &n, "SELECT count(*) FROM members WHERE gridgrid = ?"
		  " AND pk = ? AND (ended IS NULL OR ended = ?)", "kkk", gg, peer, id);
	return n > 0;
}

/* ---- sending ------------------------------------------------------------- */

static int send_have(struct gridd *g, struct peer_conn *c,
		     const uint8_t gg[GRID_PK_LEN])
{
	uint8_t buf[128], digest[GRID_ID_LEN], *ids;
	struct cb_buf b;
	size_t n;
	int ret;

	ret = set_ids(g, gg, &ids, &n);
	if (ret)
		return ret;
	crypto_hash_sha256(digest, ids, n * GRID_ID_LEN);
	free(ids);
	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, 4);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_HAVE);
	cb_uint(&b, PK_GG);
	cb_bytes(&b, gg, GRID_PK_LEN);
	cb_uint(&b, PK_HAVE_COUNT);
	cb_uint(&b, n);
	cb_uint(&b, PK_HAVE_DIGEST);
	cb_bytes(&b, digest, GRID_ID_LEN);
	c->gossip.sent_have++;
	return gridd_peer_send(g, c, buf, cb_end(&b));
}

/*
 * A have for @gg, once a session: when it opens, and when a proofs
 * message brings @gg into common (on both sides, so that each learns
 * what the other holds, the side that proved first too).
 */
static int send_have_once(struct gridd *g, struct peer_conn *c,
			  const uint8_t gg[GRID_PK_LEN])
{
	int i;

	for (i = 0; i < c->gossip.n_compared; i++) {
		if (!memcmp(c->gossip.compared[i], gg, GRID_PK_LEN))
			return 0;
	}
	if (c->gossip.n_compared == GOSSIP_GG_MAX)
		return 0;
	memcpy(c->gossip.compared[c->gossip.n_compared++], gg, GRID_PK_LEN);
	return send_have(g, c, gg);
}

/* @n ids behind a message head of type @type for @gg. */
static int send_ids(struct gridd *g, struct peer_conn *c, uint32_t type,
		    const uint8_t gg[GRID_PK_LEN], const uint8_t *ids, size_t n,
		    bool last)
{
	static uint8_t buf[PEER_IDS_MAX * (GRID_ID_LEN + 2) + 128];
	struct cb_buf b;
	size_t i;

	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, type == PEER_MSG_IDS ? 4 : 3);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, type);
	cb_uint(&b, PK_GG);
	cb_bytes(&b, gg, GRID_PK_LEN);
	cb_uint(&b, PK_IDS);
	cb_array(&b, n);
	for (i = 0; i < n; i++)
		cb_bytes(&b, ids + i * GRID_ID_LEN, GRID_ID_LEN);
	if (type == PEER_MSG_IDS) {
		cb_uint(&b, PK_IDS_LAST);
		cb_uint(&b, last);
	}
	return gridd_peer_send(g, c, buf, cb_end(&b));
}

/*
 * The item @id of @gg's set: a record's bytes, or a membership's proof
 * (its bundle). *@proof says which.
 */
static int item_of(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		   const uint8_t id[GRID_ID_LEN], uint8_t *out, size_t cap,
		   size_t *len, bool *proof)
{
	sqlite3_stmt *st;
	int64_t kind = 0;
	int ret;

	ret = store_int(&g->st, &kind, "SELECT kind FROM gossip WHERE gridgrid = ?"
			" AND id = ?", "kk", gg, id);
	if (ret)
		return ret;
	*proof = kind == KIND_MEMBERSHIP;
	if (*proof)
		st = store_prep(&g->st, "SELECT proof FROM members WHERE gridgrid = ?"
				" AND membership = ? AND proof IS NOT NULL", "kk", gg, id);
	else
		st = store_prep(&g->st, "SELECT bytes FROM records WHERE id = ?",
				"k", id);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1) {
		*len = sqlite3_column_bytes(st, 0);
		ret = *len <= cap ? 0 : -EMSGSIZE;
		if (!ret)
			memcpy(out, sqlite3_column_blob(st, 0), *len);
	} else if (!ret) {
		ret = -ENOENT;
	}
	store_done(&g->st, st);
	return ret;
}

/*
 * Records messages for @ids of @gg, as many per message as fit: records
 * under key 2, proofs under key 3.
 */
static int send_items(struct gridd *g, struct peer_conn *c,
		      const uint8_t gg[GRID_PK_LEN], const uint8_t *ids, size_t n)
{
	static uint8_t msg[NOISE_PAYLOAD_MAX], item[GRID_BUNDLE_BYTES_MAX];
	/* Offsets of the items of the message being made, by kind. */
	static uint8_t recs[NOISE_PAYLOAD_MAX], proofs[NOISE_PAYLOAD_MAX];
	size_t rec_len = 0, proof_len = 0, len = 0, i;
	uint32_t n_rec = 0, n_proof = 0;
	struct cb_buf b, r, p;
	bool is_proof = false;
	int ret = 0;

	cb_init(&r, recs, sizeof(recs));
	cb_init(&p, proofs, sizeof(proofs));
	for (i = 0; i <= n && !ret; i++) {
		bool flush = i == n;

		if (!flush) {
			if (item_of(g, gg, ids + i * GRID_ID_LEN, item, sizeof(item),
				    &len, &is_proof))
				continue;	/* not ours (any more) */
			/* 80 bytes: the heads of the message and its arrays. */
			flush = rec_len + proof_len + len + 80 > NOISE_PAYLOAD_MAX ||
				(is_proof ? n_proof == PEER_PROOFS_MAX :
				 n_rec == PEER_RECORDS_MAX);
		}
		if (flush && (n_rec || n_proof)) {
			cb_init(&b, msg, sizeof(msg));
			cb_map(&b, 2 + !!n_rec + !!n_proof);
			cb_uint(&b, PK_TYPE);
			cb_uint(&b, PEER_MSG_RECORDS);
			cb_uint(&b, PK_GG);
			cb_bytes(&b, gg, GRID_PK_LEN);
			if (n_rec) {
				cb_uint(&b, PK_RECORDS);
				cb_array(&b, n_rec);
				cb_raw(&b, recs, rec_len);
			}
			if (n_proof) {
				cb_uint(&b, PK_RECORDS_PROOFS);
				cb_array(&b, n_proof);
				cb_raw(&b, proofs, proof_len);
			}
			ret = gridd_peer_send(g, c, msg, cb_end(&b));
			cb_init(&r, recs, sizeof(recs));
			cb_init(&p, proofs, sizeof(proofs));
			rec_len = proof_len = n_rec = n_proof = 0;
		}
		if (i == n || ret)
			break;
		if (is_proof) {
			cb_bytes(&p, item, len);
			proof_len = p.len;
			n_proof++;
		} else {
			cb_bytes(&r, item, len);
			rec_len = r.len;
			n_rec++;
		}
		c->gossip.sent_records++;
	}
	return ret;
}

/*
 * This grid's proof of membership of @gg: its membership bundle, or for
 * the founder, which has none, a bundle of the charter that names it.
 */
int gridd_gg_proof(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		   uint8_t *out, size_t cap, size_t *len)
{
	struct grid_bundle *b;
	uint8_t charter[GRID_ID_LEN];
	sqlite3_stmt *st;
	int ret, founder = 0;

	st = store_prep(&g->st, "SELECT proof, founder, charter FROM gridgrids"
			" WHERE pk = ? AND left_at IS NULL", "k", gg);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*len = sqlite3_column_bytes(st, 0);
		ret = *len <= cap ? 0 : -EMSGSIZE;
		if (!ret)
			memcpy(out, sqlite3_column_blob(st, 0), *len);
	} else if (ret == 1) {
		founder = sqlite3_column_int(st, 1);
		ret = store_col_key(st, 2, charter) || !founder ? -ENOENT : 0;
	} else if (!ret) {
		ret = -ENOENT;
	}
	store_done(&g->st, st);
	if (ret || !founder)
		return ret;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->kind = GRID_BUNDLE_RECORDS;
	b->n = 1;
	ret = store_record_get(&g->st, charter, &b->rec[0]);
	if (!ret)
		ret = cap >= GRID_BUNDLE_BYTES_MAX ?
		      grid_bundle_encode(b, out, cap, len) : -EMSGSIZE;
	free(b);
	return ret;
}

/* Our proofs for the grid-grids in common with @c's peer not yet sent. */
static int send_proofs(struct gridd *g, struct peer_conn *c)
{
	static uint8_t msg[NOISE_PAYLOAD_MAX], items[NOISE_PAYLOAD_MAX];
	static uint8_t one[GRID_BUNDLE_BYTES_MAX];
	uint8_t gg[GOSSIP_GG_MAX][GRID_PK_LEN];
	struct cb_buf b, p;
	uint32_t n_proofs = 0;
	size_t len;
	int i, j, n, ret = 0;

	n = common(g, c->s.identity, gg, GOSSIP_GG_MAX);
	cb_init(&p, items, sizeof(items));
	for (i = 0; i < n; i++) {
		for (j = 0; j < c->gossip.n_proved; j++) {
			if (!memcmp(c->gossip.proved[j], gg[i], GRID_PK_LEN))
				break;
		}
		if (j < c->gossip.n_proved || c->gossip.n_proved == GOSSIP_GG_MAX)
			continue;
		if (n_proofs < PEER_PROOFS_MAX &&
		    !gridd_gg_proof(g, gg[i], one, sizeof(one), &len) &&
		    p.len + len + 80 < sizeof(items)) {
			cb_bytes(&p, one, len);
			n_proofs++;
		}
		memcpy(c->gossip.proved[c->gossip.n_proved++], gg[i], GRID_PK_LEN);
	}
	if (n_proofs) {
		cb_init(&b, msg, sizeof(msg));
		cb_map(&b, 2);
		cb_uint(&b, PK_TYPE);
		cb_uint(&b, PEER_MSG_PROOFS);
		cb_uint(&b, PK_PROOFS);
		cb_array(&b, n_proofs);
		cb_raw(&b, items, p.len);
		ret = gridd_peer_send(g, c, msg, cb_end(&b));
	}
	return ret;
}

/* ---- receiving ----------------------------------------------------------- */

/* The peer grid's standing: a session is not root, and it is no agent. */
static const struct caller peer_caller = { .pid = -1, .uid = (uid_t)-1 };

/*
 * A proof from a peer (a membership bundle, or a founder's charter) admitted
 * as the local API admits one: 0 kept (or kept already), -EBADMSG it does
 * not verify at all, another -errno refused for what this grid knows.
 */
static int admit_proof(struct gridd *g, struct peer_conn *c,
		       const uint8_t *bytes, size_t len, struct grid_why *why)
{
	struct request rq;
	int ret;

	peer_request(&rq, &peer_caller);
	gridd_answers_commit(g);
	ret = store_begin(&g->st);
	if (ret)
		return ret;
	ret = gridd_admit_proof(g, &rq, bytes, len);
	if (ret) {
		store_rollback(&g->st);
		*why = rq.why;
		return ret;
	}
	return store_commit(&g->st);
}

int gridd_gossip_hello(struct gridd *g, struct peer_conn *c,
		       const struct peer_hello *h, struct grid_why *why)
{
	struct grid_why w;
	uint32_t i;
	int ret;

	memcpy(c->s.identity, h->identity, GRID_PK_LEN);
	for (i = 0; i < h->n_proofs; i++) {
		uint8_t gg[GRID_PK_LEN];
		int64_t in = 0;

		/*
		 * Checked only if it is of a grid-grid this grid is in: a
		 * stranger's hello costs no signature checks beyond its
		 * binding's.
		 */
		if (grid_bundle_charter_key(h->proof[i], h->proof_len[i], gg) ||
		    store_int(&g->st, &in, "SELECT count(*) FROM gridgrids"
			      " WHERE pk = ? AND left_at IS NULL", "k", gg) || !in) {
			gridd_peer_log(LOG_DEBUG, c, "its proof %u is of no grid-grid this grid is in; not checked",
				       i + 1);
			continue;
		}
		ret = admit_proof(g, c, h->proof[i], h->proof_len[i], &w);
		if (ret)
			gridd_peer_log(LOG_INFO, c, "its proof %u is not admitted: %s", i + 1,
					w.msg);
	}
	if (h->n_proofs)
		gridd_peer_label(g, h->identity, c->label);
	return 0;
}

void gridd_gossip_opened(struct gridd *g, struct peer_conn *c)
{
	uint8_t gg[GOSSIP_GG_MAX][GRID_PK_LEN], ended[GRID_ID_LEN];
	sqlite3_stmt *st;
	int i, n;

	if (send_proofs(g, c))
		return;
	n = common(g, c->s.identity, gg, GOSSIP_GG_MAX);
	for (i = 0; i < n; i++) {
		if (send_have_once(g, c, gg[i]))
			return;
	}
	/*
	 * A member revoked (or gone) while it was away shares nothing with
	 * this grid any more, but is told what ended it.
	 */
	st = store_prep(&g->st, "SELECT m.gridgrid, m.ended FROM members m JOIN"
			" gridgrids gg ON gg.pk = m.gridgrid WHERE m.pk = ?1"
			" AND m.ended IS NOT NULL AND gg.left_at IS NULL"
			/* and this grid's own leave, to a member met since */
			" UNION SELECT me.gridgrid, me.ended FROM members me JOIN"
			" members them ON them.gridgrid = me.gridgrid AND them.pk = ?1"
			" AND them.ended IS NULL WHERE me.pk = ?2 AND me.ended IS NOT NULL",
			"kk", c->s.identity, g->key.pk);
	n = 0;
	while (st && n < GOSSIP_GG_MAX && store_step(&g->st, st) == 1) {
		if (!store_col_key(st, 0, gg[0]) && !store_col_key(st, 1, ended) &&
		    in_set(g, gg[0], ended))
			send_items(g, c, gg[0], ended, 1);
		n++;
	}
	store_done(&g->st, st);
}

void gridd_gossip_closed(struct gridd *g, struct peer_conn *c)
{
	free(c->gossip.refused);
	c->gossip.refused = NULL;
	c->gossip.n_refused = 0;
}

/*
 * What each peer has sent this minute, by its key rather than by its
 * session: a peer that is cut off and dials again starts where it was.
 * A member grid is one of a bounded few, so a small table does; when it
 * is full, the entry whose minute is oldest makes room.
 */
#define BUDGETS_MAX	256

struct budget {
	uint8_t pk[GRID_PK_LEN];
	uint64_t window;	/* gridd_mono_ms() its minute began; 0 free */
	uint32_t records, bad;
};

static struct budget budgets[BUDGETS_MAX];

static struct budget *budget_of(const uint8_t pk[GRID_PK_LEN], uint64_t now)
{
	struct budget *b, *oldest = &budgets[0];
	unsigned int i;

	for (i = 0; i < BUDGETS_MAX; i++) {
		b = &budgets[i];
		if (b->window && !memcmp(b->pk, pk, GRID_PK_LEN))
			return b;
		if (b->window < oldest->window)
			oldest = b;
	}
	memset(oldest, 0, sizeof(*oldest));
	memcpy(oldest->pk, pk, GRID_PK_LEN);
	oldest->window = now;
	return oldest;
}

/* Counts what @c's peer sends; false once it is over its bounds (then cut off). */
static bool within(struct peer_conn *c, uint32_t records, uint32_t bad,
		   struct grid_why *why)
{
	uint64_t now = gridd_mono_ms() + 1;	/* never 0: 0 is a free entry */
	struct budget *b = budget_of(c->s.identity, now);

	if (now >= b->window + 60000) {
		b->window = now;
		b->records = b->bad = 0;
	}
	b->records += records;
	b->bad += bad;
	if (b->bad >= BAD_PER_MINUTE) {
		grid_why_set(why, -EBADMSG, "sent %u records in a minute that do not verify; cut off",
			     b->bad);
		return false;
	}
	if (b->records > RECORDS_PER_MINUTE) {
		grid_why_set(why, -EBADMSG, "sent or asked for over %u records in a minute; cut off",
			     RECORDS_PER_MINUTE);
		return false;
	}
	return true;
}

static bool refused_before(const struct peer_conn *c, const uint8_t id[GRID_ID_LEN])
{
	uint32_t i;

	for (i = 0; i < c->gossip.n_refused; i++) {
		if (!memcmp(c->gossip.refused + i * GRID_ID_LEN, id, GRID_ID_LEN))
			return true;
	}
	return false;
}

static void refuse(struct peer_conn *c, const uint8_t id[GRID_ID_LEN])
{
	uint8_t *p;

	if (c->gossip.n_refused >= 4096)
		return;
	p = realloc(c->gossip.refused, (c->gossip.n_refused + 1) * GRID_ID_LEN);
	if (!p)
		return;
	c->gossip.refused = p;
	memcpy(p + c->gossip.n_refused++ * GRID_ID_LEN, id, GRID_ID_LEN);
}

static int on_have(struct gridd *g, struct peer_conn *c, const struct peer_msg *m)
{
	const uint8_t *gg, *digest;
	uint8_t mine[GRID_ID_LEN], *ids;
	size_t n, len, off;
	int ret, i;

	gg = peer_msg_bytes(m, PK_GG, &len);
	digest = peer_msg_bytes(m, PK_HAVE_DIGEST, &len);
	if (!is_common(g, c->s.identity, gg))
		return 0;	/* not a grid-grid we share, as far as we know */
	/*
	 * Our ids once a session for each grid-grid: a have costs its sender
	 * 50 bytes and us the whole set, so it is not answered twice (the
	 * next session compares again).
	 */
	for (i = 0; i < c->gossip.n_listed; i++) {
		if (!memcmp(c->gossip.listed[i], gg, GRID_PK_LEN))
			return 0;
	}
	if (c->gossip.n_listed == GOSSIP_GG_MAX)
		return 0;
	ret = set_ids(g, gg, &ids, &n);
	if (ret)
		return ret;
	crypto_hash_sha256(mine, ids, n * GRID_ID_LEN);
	if (n == peer_msg_uint(m, PK_HAVE_COUNT) &&
	    !sodium_memcmp(mine, digest, GRID_ID_LEN)) {
		free(ids);
		return 0;
	}
	memcpy(c->gossip.listed[c->gossip.n_listed++], gg, GRID_PK_LEN);
	/* Ours, so that it asks for what it lacks; it sends us its own. */
	for (off = 0; !ret && (off < n || !off); off += PEER_IDS_MAX) {
		size_t k = n - off < PEER_IDS_MAX ? n - off : PEER_IDS_MAX;

		ret = send_ids(g, c, PEER_MSG_IDS, gg, ids + off * GRID_ID_LEN, k,
			       off + k >= n);
		if (!n)
			break;
	}
	free(ids);
	return ret;
}

static int on_ids(struct gridd *g, struct peer_conn *c, const struct peer_msg *m,
		  struct grid_why *why)
{
	static uint8_t want[PEER_IDS_MAX * GRID_ID_LEN];
	uint32_t v = peer_msg_get(m, PK_IDS), i;
	const struct cb_doc *d = m->doc;
	const uint8_t *gg;
	size_t n = 0, len;

	gg = peer_msg_bytes(m, PK_GG, &len);
	if (!is_common(g, c->s.identity, gg))
		return 0;
	/* Each id costs a lookup: counted as a record. */
	if (!within(c, d->it[v].n, 0, why))
		return -EBADMSG;
	for (i = v + 1; i < d->it[v].end; i = cb_next(d, i)) {
		const uint8_t *id = d->it[i].p;

		if (d->it[i].n != GRID_ID_LEN || in_set(g, gg, id) ||
		    refused_before(c, id))
			continue;
		memcpy(want + n++ * GRID_ID_LEN, id, GRID_ID_LEN);
	}
	return n ? send_ids(g, c, PEER_MSG_WANT, gg, want, n, true) : 0;
}

static int on_want(struct gridd *g, struct peer_conn *c, const struct peer_msg *m,
		   struct grid_why *why)
{
	static uint8_t ids[PEER_IDS_MAX * GRID_ID_LEN];
	uint32_t v = peer_msg_get(m, PK_IDS), i;
	const struct cb_doc *d = m->doc;
	const uint8_t *gg;
	size_t n = 0, len;

	gg = peer_msg_bytes(m, PK_GG, &len);
	if (!is_common(g, c->s.identity, gg))
		return 0;
	if (!within(c, d->it[v].n, 0, why))
		return -EBADMSG;
	for (i = v + 1; i < d->it[v].end; i = cb_next(d, i))
		memcpy(ids + n++ * GRID_ID_LEN, d->it[i].p, GRID_ID_LEN);
	return send_items(g, c, gg, ids, n);
}

/*
 * A leave, revocation or share from a peer: 0 kept (or known), -EBADMSG
 * it does not verify or is not what gossip carries, -EAGAIN its issuer is
 * not (yet) known here as one who may say it, another -errno refused.
 */
static int keep_record(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		       const uint8_t *bytes, size_t len, struct grid_why *why)
{
	struct grid_signed *s = malloc(sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	ret = grid_record_open(s, bytes, len, why);
	if (!ret && memcmp(s->r.gridgrid, gg, GRID_PK_LEN))
		ret = grid_why_set(why, -EBADMSG, "a %s of another grid-grid",
				   grid_record_type_name(s->r.type));
	if (!ret && in_set(g, gg, s->id))
		goto out;
	if (!ret) {
		gridd_answers_commit(g);
		ret = store_begin(&g->st);
		if (!ret) {
			ret = gridd_gossip_apply(g, gg, s, why);
			if (!ret)
				ret = gridd_gossip_keep(g, gg, s->id, KIND_RECORD);
			if (ret)
				store_rollback(&g->st);
			else
				ret = store_commit(&g->st);
		}
		/* What it ended here ends in grid.ko too, now it is committed. */
		if (!ret && s->r.type != GRID_REC_SHARE)
			gridd_leases_end(g, s->id);
	}
out:
	free(s);
	return ret;
}

static int on_records(struct gridd *g, struct peer_conn *c,
		      const struct peer_msg *m, struct grid_why *why)
{
	const struct cb_doc *d = m->doc;
	uint32_t keys[2] = { PK_RECORDS_PROOFS, PK_RECORDS }, k, v, i;
	uint32_t kept = 0, bad = 0, total = 0;
	const uint8_t *gg;
	struct grid_why w;
	uint8_t id[GRID_ID_LEN];
	size_t len;
	int ret;

	gg = peer_msg_bytes(m, PK_GG, &len);
	if (!is_common(g, c->s.identity, gg))
		return 0;
	g->gossip_from = c;	/* it has them: not pushed back to it */
	/* Proofs first: the records after them may be by those members. */
	for (k = 0; k < 2; k++) {
		v = peer_msg_get(m, keys[k]);
		if (!v)
			continue;
		total += d->it[v].n;
		for (i = v + 1; i < d->it[v].end; i = cb_next(d, i)) {
			grid_record_id(id, d->it[i].p, d->it[i].n);
			if (k == 0)
				ret = admit_proof(g, c, d->it[i].p, d->it[i].n, &w);
			else
				ret = keep_record(g, gg, d->it[i].p, d->it[i].n, &w);
			if (!ret) {
				kept++;
			} else if (ret == -EBADMSG) {
				bad++;
				gridd_peer_log(LOG_INFO, c, "sent a record that does not verify: %s",
						w.msg);
			} else if (ret != -EAGAIN) {
				refuse(c, id);
				gridd_peer_log(LOG_INFO, c, "a record it sent is refused: %s", w.msg);
			}
		}
	}
	g->gossip_from = NULL;
	if (!within(c, total, bad, why))
		return -EBADMSG;
	if (kept)
		gridd_gossip_flush(g);
	return 0;
}

static int on_proofs(struct gridd *g, struct peer_conn *c,
		     const struct peer_msg *m, struct grid_why *why)
{
	const struct cb_doc *d = m->doc;
	uint32_t v = peer_msg_get(m, PK_PROOFS), i, bad = 0;
	uint8_t gg[GOSSIP_GG_MAX][GRID_PK_LEN];
	struct grid_why w;
	int ret, j, n;

	g->gossip_from = c;
	for (i = v + 1; i < d->it[v].end; i = cb_next(d, i)) {
		ret = admit_proof(g, c, d->it[i].p, d->it[i].n, &w);
		if (ret == -EBADMSG)
			bad++;
		if (ret)
			gridd_peer_log(LOG_INFO, c, "its proof is not admitted: %s", w.msg);
	}
	g->gossip_from = NULL;
	if (!within(c, d->it[v].n, bad, why))
		return -EBADMSG;
	gridd_peer_label(g, c->s.identity, c->label);
	/* Grid-grids now in common: prove ours, and compare sets. */
	ret = send_proofs(g, c);
	n = common(g, c->s.identity, gg, GOSSIP_GG_MAX);
	for (j = 0; !ret && j < n; j++)
		ret = send_have_once(g, c, gg[j]);
	return ret;
}

int gridd_gossip_message(struct gridd *g, struct peer_conn *c,
			 const struct peer_msg *m, struct grid_why *why)
{
	switch (m->type) {
	case PEER_MSG_PROOFS:
		return on_proofs(g, c, m, why);
	case PEER_MSG_HAVE:
		return on_have(g, c, m);
	case PEER_MSG_IDS:
		return on_ids(g, c, m, why);
	case PEER_MSG_WANT:
		return on_want(g, c, m, why);
	case PEER_MSG_RECORDS:
		return on_records(g, c, m, why);
	}
	return grid_why_set(why, -EBADMSG, "not a gossip message");
}

/*
 * After a commit: what was kept since goes to the open sessions of the
 * members of its grid-grid (the peer it came from has it; sending it back
 * costs one message, and the set is what it is either way).
 */
void gridd_gossip_flush(struct gridd *g)
{
	struct gridd_peers *p = g->peers;
	unsigned int i, j;

	if (!p) {
		g->gossip_n = 0;
		return;
	}
	/* A grid-grid joined, a member admitted: proofs the peers lack. */
	for (i = 0; g->gossip_n && i < PEER_CONNS_MAX; i++) {
		struct peer_conn *c = p->conns[i];

		if (c && c->s.state == PEER_OPEN)
			send_proofs(g, c);
	}
	for (j = 0; j < g->gossip_n; j++) {
		struct gridd_push *q = &g->gossip_push[j];

		if (!in_set(g, q->gg, q->id))
			continue;	/* undone since */
		for (i = 0; i < PEER_CONNS_MAX; i++) {
			struct peer_conn *c = p->conns[i];

			if (c && c != q->from && c->s.state == PEER_OPEN &&
			    push_to(g, c->s.identity, q->gg, q->id))
				send_items(g, c, q->gg, q->id, 1);
		}
	}
	g->gossip_n = 0;
}
