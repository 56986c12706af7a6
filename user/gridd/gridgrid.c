// SPDX-License-Identifier: GPL-2.0
/*
 * Grid-grids without a central authority: a charter signed by a key the
 * founder holds, invitations signed by an admin, memberships signed by the
 * invited grid, all carried as text (tokens) and checked offline by
 * anyone who holds the charter. This grid keeps its own membership proof
 * (to show to providers) and the proofs of members it admitted (to lease
 * to them).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "chain.h"
#include "dev.h"
#include "gridd.h"
#include "log.h"
#include "units.h"

#define INVITE_MAX_DEFAULT	(30 * 86400)	/* a charter's default */
#define INVITE_TTL_DEFAULT	86400		/* an invitation's */

/* The grid-grid row of @name this grid is in (not left). */
struct gg_row {
	uint8_t pk[GRID_PK_LEN];
	uint8_t charter[GRID_ID_LEN];
	bool founder, admin, left;
	uint8_t *proof;		/* our membership bundle, NULL for founders */
	size_t proof_len;
};

static void gg_row_free(struct gg_row *r)
{
	free(r->proof);
	r->proof = NULL;
}

static int gg_get(struct gridd *g, const char *name, struct gg_row *r)
{
	sqlite3_stmt *st;
	int ret;

	memset(r, 0, sizeof(*r));
	st = store_prep(&g->st, "SELECT pk, charter, founder, admin, left_at IS NOT NULL,"
			" proof FROM gridgrids WHERE name = ?", "t", name);
	if (!st)
		return -EIO;
	ret = store_step(&g->st, st);
	if (ret == 1) {
		ret = store_col_key(st, 0, r->pk) || store_col_key(st, 1, r->charter) ?
		      -EIO : 0;
		r->founder = sqlite3_column_int(st, 2);
		r->admin = sqlite3_column_int(st, 3);
		r->left = sqlite3_column_int(st, 4);
		if (!ret && sqlite3_column_type(st, 5) == SQLITE_BLOB) {
			r->proof_len = sqlite3_column_bytes(st, 5);
			r->proof = malloc(r->proof_len);
			if (!r->proof)
				ret = -ENOMEM;
			else
				memcpy(r->proof, sqlite3_column_blob(st, 5),
				       r->proof_len);
		}
	} else if (!ret) {
		ret = -ENOENT;
	}
	store_done(&g->st, st);
	return ret;
}

int gridd_gg_key(struct gridd *g, const char *name, uint8_t pk[GRID_PK_LEN])
{
	struct gg_row r;
	int ret = gg_get(g, name, &r);

	if (!ret && r.left)
		ret = -ENOENT;
	if (!ret)
		memcpy(pk, r.pk, GRID_PK_LEN);
	gg_row_free(&r);
	return ret;
}

/* The grid-grid of the request, one this grid is in, or a sentence. */
static int gg_of(struct gridd *g, struct request *rq, struct gg_row *r)
{
	const char *name = rq->args->t[GRID_A_GRIDGRID];
	int ret;

	if (!grid_api_has(rq->args, GRID_A_GRIDGRID))
		return gridd_fail(rq, -EINVAL, "which grid-grid?");
	ret = gg_get(g, name, r);
	if (ret == -ENOENT || (!ret && r->left)) {
		gg_row_free(r);
		return gridd_fail(rq, -ENOENT, "not a member of %s", name);
	}
	return ret;
}

int gridd_gg_kernel_add(struct gridd *g, struct request *rq)
{
	struct grid_ioc_gridgrid ig = { .size = sizeof(ig) };
	uint8_t pk[GRID_PK_LEN];
	int ret;

	if (g->dev < 0)
		return 0;
	memcpy(ig.name, rq->after_name, GRID_NAME_LEN);
	if (gridd_gg_key(g, ig.name, pk))
		return 0;
	memcpy(ig.charter_key, pk, GRID_PK_LEN);
	ret = grid_dev_gridgrid_add(g->dev, &ig);
	if (ret == -EEXIST)
		ret = grid_dev_gridgrid_set(g->dev, &ig);
	if (ret && ret != -EBUSY)
		log_warn("gridgrid %s: grid.ko refused it: %s (it is kept; shares wait for it)",
			 ig.name, strerror(-ret));
	return 0;
}

static int add_token_item(struct request *rq, const char *gg,
			  const struct grid_bundle *b, const uint8_t *id)
{
	struct grid_api_map m;
	char *tok = malloc(GRID_TOKEN_MAX);
	int ret;

	if (!tok)
		return -ENOMEM;
	ret = grid_token_write(b, tok, GRID_TOKEN_MAX);
	if (!ret) {
		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_GRIDGRID, gg);
		if (id)
			grid_api_set_b(&m, GRID_A_ID, id, GRID_ID_LEN);
		grid_api_set_t(&m, GRID_A_TOKEN, tok);
		ret = grid_api_add_item(rq->out, &m);
	}
	sodium_memzero(tok, GRID_TOKEN_MAX);	/* may hold a one-time seed */
	free(tok);
	return ret;
}

int op_gg_create(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_signed *s;
	struct grid_record r;
	struct grid_key k = { 0 };
	char name[GRID_NAME_LEN];
	int64_t n = 0;
	int ret;

	if (!grid_api_has(a, GRID_A_GRIDGRID) ||
	    grid_parse_name(a->t[GRID_A_GRIDGRID], name))
		return gridd_fail(rq, -EINVAL,
				  "a grid-grid's name is 1 to 31 of a-z 0-9 . _ -");
	store_int(&g->st, &n, "SELECT count(*) FROM gridgrids WHERE name = ?",
		  "t", name);
	if (n)
		return gridd_fail(rq, -EEXIST,
				  "this grid is in a grid-grid named %s already, or was",
				  name);
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = gridd_key_new(g, "gridgrid", "charter", &k);
	if (ret) {
		gridd_fail(rq, ret, "cannot make the grid-grid's key: %s",
			   strerror(-ret));
		goto out;
	}
	grid_record_init(&r, GRID_REC_CHARTER, k.pk, gridd_now(g));
	memcpy(r.name, name, GRID_NAME_LEN);
	memcpy(r.subject, g->key.pk, GRID_PK_LEN);
	r.policy = grid_api_has(a, GRID_A_POLICY) ? a->u[GRID_A_POLICY] : 0;
	r.invite_max = grid_api_has(a, GRID_A_SECONDS) ? a->u[GRID_A_SECONDS] :
		       INVITE_MAX_DEFAULT;
	r.serial = 1;
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT) |
		 GRID_HAS(GRID_K_ADMINS) | GRID_HAS(GRID_K_POLICY) |
		 GRID_HAS(GRID_K_INVITE_MAX) | GRID_HAS(GRID_K_SERIAL);
	ret = gridd_sign_keep(g, &r, &k, s, &rq->why);
	if (ret)
		goto out;
	ret = store_exec(&g->st, store_prep(&g->st,
		"INSERT INTO gridgrids (name, pk, charter, founder, admin, joined)"
		" VALUES (?, ?, ?, 1, 1, ?)", "tkki", name, k.pk, s->id,
		(int64_t)gridd_now(g)));
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT INTO members (gridgrid, pk, name, admin) VALUES (?, ?, ?, 1)",
			"kkt", k.pk, g->key.pk, g->name));
	if (ret)
		goto out;
	{
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_GRIDGRID, name);
		grid_api_set_b(&m, GRID_A_KEY, k.pk, GRID_PK_LEN);
		grid_api_set_b(&m, GRID_A_ID, s->id, GRID_ID_LEN);
		ret = grid_api_add_item(rq->out, &m);
	}
	rq->after = gridd_gg_kernel_add;
	memcpy(rq->after_name, name, GRID_NAME_LEN);
out:
	grid_key_free(&k);
	free(s);
	return ret;
}

/* The charter of @r, opened from the state. */
static int charter_of(struct gridd *g, const struct gg_row *r,
		      struct grid_signed *c)
{
	return store_record_get(&g->st, r->charter, c);
}

int op_gg_invite(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_bundle *b = NULL, *proof = NULL;
	struct grid_key once = { 0 };
	struct grid_record r;
	struct gg_row gg;
	uint64_t ttl, now = gridd_now(g);
	bool one_time = grid_api_has(a, GRID_A_ONE_TIME) && a->u[GRID_A_ONE_TIME];
	uint32_t i;
	int ret;

	ret = gg_of(g, rq, &gg);
	if (ret)
		return ret;
	b = calloc(1, sizeof(*b));
	proof = calloc(1, sizeof(*proof));
	if (!b || !proof) {
		ret = -ENOMEM;
		goto out;
	}
	ret = charter_of(g, &gg, &b->rec[0]);
	if (ret)
		goto out;
	if (!gg.admin && !(b->rec[0].r.policy & GRID_POLICY_MEMBERS_INVITE)) {
		ret = gridd_fail(rq, -EPERM, "this grid is not an admin of %s",
				 a->t[GRID_A_GRIDGRID]);
		goto out;
	}
	if (!gg.admin && grid_api_has(a, GRID_A_ADMIN) && a->u[GRID_A_ADMIN]) {
		ret = gridd_fail(rq, -EPERM,
				 "this grid is a member of %s, not an admin: it may invite members, not admins",
				 a->t[GRID_A_GRIDGRID]);
		goto out;
	}
	if (one_time == grid_api_has(a, GRID_A_KEY)) {
		ret = gridd_fail(rq, -EINVAL,
				 "invite either a grid's key or whoever holds a one-time secret");
		goto out;
	}
	if (!one_time && !grid_pk_ok(a->b[GRID_A_KEY])) {
		ret = gridd_fail(rq, -EINVAL,
				 "the invited key is not a valid Ed25519 public key");
		goto out;
	}
	ttl = grid_api_has(a, GRID_A_SECONDS) ? a->u[GRID_A_SECONDS] :
	      INVITE_TTL_DEFAULT;
	if (!ttl || ttl > b->rec[0].r.invite_max) {
		char d[GRID_FMT_LEN];

		grid_format_duration(d, sizeof(d),
				     b->rec[0].r.invite_max * GRID_NSEC_PER_SEC);
		ret = gridd_fail(rq, -EINVAL,
				 "an invitation to %s lives at most %s",
				 a->t[GRID_A_GRIDGRID], d);
		goto out;
	}
	/* Our own admin proofs go first: they show why we may invite. */
	b->kind = GRID_BUNDLE_INVITATION;
	b->n = 1;
	if (gg.proof) {
		struct grid_why why;

		ret = grid_bundle_decode(proof, gg.proof, gg.proof_len, &why);
		if (ret) {
			ret = gridd_fail(rq, ret, "our membership proof no longer reads: %s",
					 why.msg);
			goto out;
		}
		if (proof->n - 1 > GRID_CHAIN_DEPTH_MAX * 2) {
			ret = gridd_fail(rq, -EMLINK,
					 "this grid's admin rights are too many steps from the charter to pass on");
			goto out;
		}
		for (i = 1; i < proof->n; i++)
			b->rec[b->n++] = proof->rec[i];
	}
	if (one_time) {
		ret = grid_key_generate(&once);
		if (ret)
			goto out;
	}
	grid_record_init(&r, GRID_REC_INVITATION, g->key.pk, now);
	memcpy(r.name, b->rec[0].r.name, GRID_NAME_LEN);
	memcpy(r.subject, one_time ? once.pk : a->b[GRID_A_KEY], GRID_PK_LEN);
	memcpy(r.gridgrid, gg.pk, GRID_PK_LEN);
	r.not_after = now + ttl;
	r.admin = grid_api_has(a, GRID_A_ADMIN) && a->u[GRID_A_ADMIN];
	randombytes_buf(r.nonce, GRID_NONCE_LEN);
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT) |
		 GRID_HAS(GRID_K_GRIDGRID) | GRID_HAS(GRID_K_NOT_AFTER) |
		 GRID_HAS(GRID_K_ADMIN) | GRID_HAS(GRID_K_NONCE);
	ret = gridd_sign_keep(g, &r, &g->key, &b->rec[b->n], &rq->why);
	if (ret)
		goto out;
	ret = store_exec(&g->st, store_prep(&g->st,
		"INSERT INTO invitations (id, gridgrid, subject, admin, not_after, one_time)"
		" VALUES (?, ?, ?, ?, ?, ?)", "ktkiii", b->rec[b->n].id,
		a->t[GRID_A_GRIDGRID], r.subject, (int64_t)r.admin,
		(int64_t)r.not_after, (int64_t)one_time));
	if (ret)
		goto out;
	b->n++;
	if (one_time) {
		/* The seed travels in the token only; gridd keeps none. */
		memcpy(b->seed, once.sk, GRID_SEED_LEN);
		b->has_seed = true;
	}
	ret = add_token_item(rq, a->t[GRID_A_GRIDGRID], b, b->rec[b->n - 1].id);
out:
	if (b)
		grid_bundle_wipe(b);
	grid_key_free(&once);
	free(b);
	free(proof);
	gg_row_free(&gg);
	return ret;
}

int op_gg_join(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_bundle *b;
	struct grid_record m;
	struct grid_key once = { 0 };
	const struct grid_record *inv, *c;
	uint8_t *bytes = NULL;
	uint32_t at;
	size_t len;
	int64_t n = 0;
	uint32_t i;
	int ret;

	if (!grid_api_has(a, GRID_A_TOKEN))
		return gridd_fail(rq, -EINVAL, "join with what invitation?");
	b = calloc(1, sizeof(*b));
	bytes = malloc(GRID_BUNDLE_BYTES_MAX);
	if (!b || !bytes) {
		ret = -ENOMEM;
		goto out;
	}
	ret = grid_token_read(b, a->t[GRID_A_TOKEN], &rq->why);
	if (ret)
		goto out;
	if (b->kind != GRID_BUNDLE_INVITATION) {
		ret = gridd_fail(rq, -EINVAL, "this token is not an invitation");
		goto out;
	}
	ret = grid_chain_invitation(b, gridd_now(g), &at, &rq->why);
	if (ret)
		goto out;
	c = &b->rec[0].r;
	inv = &b->rec[at].r;
	if (b->has_seed) {
		ret = grid_key_from_seed(&once, b->seed);
		if (!ret && sodium_memcmp(once.pk, inv->subject, GRID_PK_LEN))
			ret = gridd_fail(rq, -EPERM,
					 "the token's secret does not open its invitation");
		if (ret)
			goto out;
	} else if (sodium_memcmp(inv->subject, g->key.pk, GRID_PK_LEN)) {
		ret = gridd_fail(rq, -EPERM,
				 "the invitation is for another grid");
		goto out;
	}
	store_int(&g->st, &n, "SELECT count(*) FROM gridgrids WHERE name = ?"
		  " AND left_at IS NULL", "t", c->name);
	if (n) {
		uint8_t pk[GRID_PK_LEN];

		ret = gridd_gg_key(g, c->name, pk);
		ret = gridd_fail(rq, -EEXIST,
			!ret && !sodium_memcmp(pk, c->issuer, GRID_PK_LEN) ?
			"already a member of %s" :
			"this grid knows another grid-grid named %s", c->name);
		goto out;
	}
	/* Joining again after leaving: the old membership stays as records. */
	ret = store_exec(&g->st, store_prep(&g->st,
		"DELETE FROM gridgrids WHERE name = ? AND left_at IS NOT NULL",
		"t", c->name));
	if (ret)
		goto out;
	grid_record_init(&m, GRID_REC_MEMBERSHIP, g->key.pk, gridd_now(g));
	memcpy(m.name, g->name, GRID_NAME_LEN);
	memcpy(m.gridgrid, c->issuer, GRID_PK_LEN);
	memcpy(m.ref, b->rec[at].id, GRID_ID_LEN);
	m.admin = inv->admin;
	m.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_GRIDGRID) |
		 GRID_HAS(GRID_K_REF) | GRID_HAS(GRID_K_ADMIN);
	if (b->has_seed) {
		uint8_t msg[13 + GRID_ID_LEN + GRID_PK_LEN];

		grid_claim_message(msg, b->rec[at].id, g->key.pk);
		grid_sign(m.claim, msg, sizeof(msg), &once);
		m.has |= GRID_HAS(GRID_K_CLAIM);
	}
	grid_bundle_wipe(b);
	if (b->n == GRID_BUNDLE_MAX) {
		ret = gridd_fail(rq, -EMLINK, "the invitation's chain is too long to join by");
		goto out;
	}
	ret = gridd_sign_keep(g, &m, &g->key, &b->rec[b->n], &rq->why);
	if (ret)
		goto out;
	b->n++;
	b->kind = GRID_BUNDLE_MEMBERSHIP;
	/* What we show others must verify as they would verify it. */
	ret = grid_chain_membership(b, c->issuer, &rq->why);
	if (ret)
		goto out;
	for (i = 0; i < b->n && !ret; i++)
		ret = store_record_put(&g->st, &b->rec[i]);
	if (!ret)
		ret = grid_bundle_encode(b, bytes, GRID_BUNDLE_BYTES_MAX, &len);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT INTO gridgrids (name, pk, charter, founder, admin,"
			" membership, proof, joined) VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
			"tkkikbi", c->name, c->issuer, b->rec[0].id,
			(int64_t)m.admin, b->rec[b->n - 1].id, bytes, len,
			(int64_t)gridd_now(g)));
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT OR REPLACE INTO members (gridgrid, pk, name, admin, membership,"
			" invitation, proof) VALUES (?, ?, ?, ?, ?, ?, ?)", "kktikkb",
			c->issuer, g->key.pk, g->name, (int64_t)m.admin,
			b->rec[b->n - 1].id, m.ref, bytes, len));
	/*
	 * Who the chain shows a member: the founder, and every admin proof's
	 * member. The first sessions need them, to know to whom this grid
	 * proves its membership (peers.c).
	 */
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT OR IGNORE INTO members (gridgrid, pk, name, admin)"
			" VALUES (?1, ?2, coalesce((SELECT name FROM peers WHERE pk = ?2),"
			" 'founder'), 1)", "kk", c->issuer, c->subject));
	for (i = 2; i + 2 < b->n && !ret; i += 2)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT OR IGNORE INTO members (gridgrid, pk, name, admin,"
			" membership, invitation) VALUES (?, ?, ?, ?, ?, ?)", "kktikk",
			c->issuer, b->rec[i].r.issuer, b->rec[i].r.name,
			(int64_t)b->rec[i].r.admin, b->rec[i].id, b->rec[i].r.ref));
	if (!ret)
		ret = gridd_gossip_keep(g, c->issuer, b->rec[b->n - 1].id, 2);
	if (ret)
		goto out;
	{
		struct grid_api_map out;

		grid_api_map_init(&out);
		grid_api_set_t(&out, GRID_A_GRIDGRID, c->name);
		grid_api_set_b(&out, GRID_A_KEY, c->issuer, GRID_PK_LEN);
		grid_api_set_u(&out, GRID_A_ADMIN, m.admin);
		grid_api_set_b(&out, GRID_A_ID, b->rec[b->n - 1].id, GRID_ID_LEN);
		ret = grid_api_add_item(rq->out, &out);
	}
	rq->after = gridd_gg_kernel_add;
	memcpy(rq->after_name, c->name, GRID_NAME_LEN);
out:
	grid_key_free(&once);
	if (b)
		grid_bundle_wipe(b);
	free(b);
	free(bytes);
	return ret;
}

int op_gg_list(struct gridd *g, struct request *rq)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT g.name, g.pk, g.founder, g.admin, g.left_at,"
			" (SELECT count(*) FROM members m WHERE m.gridgrid = g.pk"
			"  AND m.ended IS NULL), g.joined FROM gridgrids g ORDER BY g.name", "");
	if (!st)
		return -EIO;
	while ((ret = store_step(&g->st, st)) == 1) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_GRIDGRID, (const char *)sqlite3_column_text(st, 0));
		grid_api_set_b(&m, GRID_A_KEY, sqlite3_column_blob(st, 1), GRID_PK_LEN);
		grid_api_set_u(&m, GRID_A_FOUNDER, sqlite3_column_int(st, 2));
		grid_api_set_u(&m, GRID_A_ADMIN, sqlite3_column_int(st, 3));
		grid_api_set_t(&m, GRID_A_STATE, sqlite3_column_type(st, 4) == SQLITE_NULL ?
			       "member" : "left");
		grid_api_set_u(&m, GRID_A_COUNT, sqlite3_column_int64(st, 5));
		grid_api_set_u(&m, GRID_A_ISSUED, sqlite3_column_int64(st, 6));
		if (grid_api_add_item(rq->out, &m)) {
			rq->out->more = true;
			break;
		}
	}
	store_done(&g->st, st);
	return ret < 0 ? ret : 0;
}

/* The certificate of agent @pk of this grid, into a records bundle. */
static int agent_cert(struct gridd *g, const uint8_t pk[GRID_PK_LEN],
		      struct grid_bundle *b)
{
	uint8_t id[GRID_ID_LEN];
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT cert FROM agents WHERE pk = ?", "k", pk);
	if (!st)
		return -EIO;
	ret = store_step(&g->st, st);
	if (ret == 1)
		ret = store_col_key(st, 0, id) ? -EIO : 0;
	else if (!ret)
		ret = -ENOENT;
	store_done(&g->st, st);
	if (ret)
		return ret;
	b->kind = GRID_BUNDLE_RECORDS;
	b->n = 1;
	return store_record_get(&g->st, id, &b->rec[0]);
}

int op_gg_proof(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	const char *gname = a->t[GRID_A_GRIDGRID];
	struct grid_bundle *b;
	struct gg_row gg;
	struct grid_why why;
	int ret;

	ret = gg_of(g, rq, &gg);
	if (ret)
		return ret;
	b = calloc(1, sizeof(*b));
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	if (gg.proof) {
		ret = grid_bundle_decode(b, gg.proof, gg.proof_len, &why);
		if (ret)
			gridd_fail(rq, ret, "our membership proof no longer reads: %s",
				   why.msg);
	} else {
		/* A founder's proof is the charter that names it. */
		b->kind = GRID_BUNDLE_RECORDS;
		b->n = 1;
		ret = store_record_get(&g->st, gg.charter, &b->rec[0]);
	}
	if (!ret)
		ret = add_token_item(rq, gname, b, NULL);
	/* An agent shows its certificate beside its grid's proof. */
	if (!ret && (rq->who->has_agent || grid_api_has(a, GRID_A_NAME))) {
		uint8_t pk[GRID_PK_LEN];

		if (rq->who->has_agent && !rq->who->root) {
			memcpy(pk, rq->who->agent_pk, GRID_PK_LEN);
		} else {
			sqlite3_stmt *st = store_prep(&g->st,
				"SELECT pk FROM agents WHERE name = ?", "t",
				a->t[GRID_A_NAME]);

			ret = st ? store_step(&g->st, st) : -EIO;
			if (ret == 1)
				ret = store_col_key(st, 0, pk) ? -EIO : 0;
			else if (!ret)
				ret = gridd_fail(rq, -ENOENT, "no agent '%s'",
						 a->t[GRID_A_NAME]);
			store_done(&g->st, st);
		}
		if (!ret)
			ret = agent_cert(g, pk, b);
		if (!ret)
			ret = add_token_item(rq, gname, b, NULL);
	}
out:
	free(b);
	gg_row_free(&gg);
	return ret;
}
