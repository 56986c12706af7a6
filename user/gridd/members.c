// SPDX-License-Identifier: GPL-2.0
/*
 * The other members of a grid-grid, as this grid knows them: admitted
 * from the proofs they show (a membership chain, an agent certificate),
 * revoked by an admin's signed record, and this grid's own leaving. A
 * revocation or a leave ends the leases this grid issued that depend on
 * it, in the state first and then in grid.ko.
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

static int admitted(struct request *rq, const char *what, const char *name,
		    const uint8_t pk[GRID_PK_LEN])
{
	struct grid_api_map m;

	grid_api_map_init(&m);
	grid_api_set_t(&m, GRID_A_TYPE, what);
	grid_api_set_t(&m, GRID_A_NAME, name);
	grid_api_set_b(&m, GRID_A_KEY, pk, GRID_PK_LEN);
	return grid_api_add_item(rq->out, &m);
}

/* The name of the grid-grid with charter key @pk that this grid is in. */
static int gg_name(struct gridd *g, const uint8_t pk[GRID_PK_LEN],
		   char name[GRID_NAME_LEN])
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT name FROM gridgrids WHERE pk = ?"
			" AND left_at IS NULL", "k", pk);
	if (!st)
		return -EIO;
	ret = store_step(&g->st, st);
	if (ret == 1) {
		snprintf(name, GRID_NAME_LEN, "%s", sqlite3_column_text(st, 0));
		ret = 0;
	} else if (!ret) {
		ret = -ENOENT;
	}
	store_done(&g->st, st);
	return ret;
}

/*
 * How far a membership's `issued` may be ahead of this machine's clock:
 * clocks of laptops differ, but not by much more.
 */
#define CLOCK_SKEW	300

/* That the grid @pk, in grid-grid @gg, was not revoked and did not leave. */
static int not_ended(struct gridd *g, struct request *rq, const uint8_t *gg,
		     const uint8_t pk[GRID_PK_LEN], const char *gname,
		     const char *role)
{
	char k[2 * GRID_PK_LEN + 1];
	int64_t ended = 0;

	store_int(&g->st, &ended, "SELECT count(*) FROM members WHERE gridgrid = ?"
		  " AND pk = ? AND ended IS NOT NULL", "kk", gg, pk);
	if (!ended)
		return 0;
	sodium_bin2hex(k, sizeof(k), pk, GRID_PK_LEN);
	return gridd_fail(rq, -EKEYREVOKED, "%s %.16s... was revoked from %s or left it",
			  role, k, gname);
}

/*
 * One invitation and the membership that accepts it, as this grid sees
 * them now, beyond what the chain proves offline (chain.c): a one-time
 * invitation is claimed by one grid only, and an invitation this grid has
 * not seen accepted before must still be valid now. The chain checks an
 * invitation at its membership's `issued`, which the joiner writes: on
 * its own that would let an expired (or leaked one-time) invitation be
 * accepted at any later time by dating the membership back.
 */
static int check_pair(struct gridd *g, struct request *rq, const uint8_t *gg,
		      const char *gname, const struct grid_signed *inv,
		      const struct grid_signed *mem)
{
	const struct grid_record *i = &inv->r, *m = &mem->r;
	uint64_t now = gridd_now(g);
	int64_t used = 0, seen = 0;
	int ret;

	ret = not_ended(g, rq, gg, i->issuer, gname, "the inviter");
	if (!ret)
		ret = not_ended(g, rq, gg, m->issuer, gname, "grid");
	if (ret)
		return ret;
	if (m->issued > now + CLOCK_SKEW)
		return gridd_fail(rq, -EBADMSG,
				  "grid %s accepted its invitation to %s in the future, by this machine's clock",
				  m->name, gname);
	if (m->has & GRID_HAS(GRID_K_CLAIM)) {
		store_int(&g->st, &used, "SELECT count(*) FROM members WHERE gridgrid = ?"
			  " AND invitation = ? AND pk != ?", "kkk", gg, m->ref,
			  m->issuer);
		if (used)
			return gridd_fail(rq, -EEXIST,
					  "a one-time invitation to %s in this proof was used by another grid",
					  gname);
	}
	store_int(&g->st, &seen, "SELECT count(*) FROM members WHERE gridgrid = ?"
		  " AND pk = ? AND membership = ?", "kkk", gg, m->issuer, mem->id);
	if (!seen && i->not_after <= now) {
		char d[GRID_FMT_LEN];

		grid_format_duration(d, sizeof(d),
				     (now - i->not_after) * GRID_NSEC_PER_SEC);
		return gridd_fail(rq, -EKEYEXPIRED,
				  "invitation expired %s ago (grid %s's to %s, not shown here before)",
				  d, m->name, gname);
	}
	return 0;
}

/* Keeps @mem, accepting @inv, as a member: a proof's admins too. */
static int keep_member(struct gridd *g, const uint8_t *gg,
		       const struct grid_signed *mem, const uint8_t *proof,
		       size_t proof_len)
{
	const struct grid_record *m = &mem->r;

	/* An admin known already keeps its own proof; a new one gets none. */
	if (!proof)
		return store_exec(&g->st, store_prep(&g->st,
			"INSERT OR IGNORE INTO members (gridgrid, pk, name, admin,"
			" membership, invitation) VALUES (?, ?, ?, ?, ?, ?)",
			"kktikk", gg, m->issuer, m->name, (int64_t)m->admin,
			mem->id, m->ref));
	return store_exec(&g->st, store_prep(&g->st,
		"INSERT OR REPLACE INTO members (gridgrid, pk, name, admin,"
		" membership, invitation, proof) VALUES (?, ?, ?, ?, ?, ?, ?)",
		"kktikkb", gg, m->issuer, m->name, (int64_t)m->admin,
		mem->id, m->ref, proof, proof_len));
}

static int admit_member(struct gridd *g, struct request *rq,
			const struct grid_bundle *b, const uint8_t *proof,
			size_t proof_len)
{
	const struct grid_record *c = &b->rec[0].r, *m;
	char gname[GRID_NAME_LEN];
	uint32_t i;
	int ret;

	if (gg_name(g, c->issuer, gname))
		return gridd_fail(rq, -ENOENT, "not a member of %s", c->name);
	ret = grid_chain_membership(b, c->issuer, &rq->why);
	if (ret)
		return ret;
	m = &b->rec[b->n - 1].r;
	/* Every invitation with its membership: admin proofs, then the last. */
	for (i = 1; i + 1 < b->n && !ret; i += 2)
		ret = check_pair(g, rq, c->issuer, gname, &b->rec[i], &b->rec[i + 1]);
	for (i = 0; i < b->n && !ret; i++)
		ret = store_record_put(&g->st, &b->rec[i]);
	for (i = 2; i + 1 < b->n && !ret; i += 2)
		ret = keep_member(g, c->issuer, &b->rec[i], NULL, 0);
	if (!ret)
		ret = keep_member(g, c->issuer, &b->rec[b->n - 1], proof, proof_len);
	if (!ret)
		ret = gridd_gossip_keep(g, c->issuer, b->rec[b->n - 1].id, 2);
	return ret ? ret : admitted(rq, "member", m->name, m->issuer);
}

/* An agent certificate, or a founder's charter. */
static int admit_record(struct gridd *g, struct request *rq,
			const struct grid_signed *s)
{
	const struct grid_record *r = &s->r;
	char gname[GRID_NAME_LEN];
	int64_t known = 0;
	int ret;

	switch (r->type) {
	case GRID_REC_AGENT:
		ret = grid_record_valid_at(r, gridd_now(g), &rq->why);
		if (ret)
			return ret;
		store_int(&g->st, &known, "SELECT count(*) FROM members WHERE pk = ?"
			  " AND ended IS NULL", "k", r->issuer);
		if (!known && sodium_memcmp(r->issuer, g->key.pk, GRID_PK_LEN))
			return gridd_fail(rq, -EPERM,
					  "agent %s is certified by a grid that is not a member of any grid-grid of this one",
					  r->name);
		ret = store_record_put(&g->st, s);
		if (!ret)
			ret = store_exec(&g->st, store_prep(&g->st,
				"INSERT OR REPLACE INTO peer_agents (pk, grid, name, cert)"
				" VALUES (?, ?, ?, ?)", "kktk", r->subject, r->issuer,
				r->name, s->id));
		return ret ? ret : admitted(rq, "agent", r->name, r->subject);
	case GRID_REC_CHARTER:
		if (gg_name(g, r->issuer, gname))
			return gridd_fail(rq, -ENOENT, "not a member of %s", r->name);
		ret = store_record_put(&g->st, s);
		if (!ret)
			ret = store_exec(&g->st, store_prep(&g->st,
				"INSERT OR IGNORE INTO members (gridgrid, pk, name, admin)"
				" VALUES (?1, ?2, coalesce((SELECT name FROM peers"
				" WHERE pk = ?2), 'founder'), 1)", "kk", r->issuer,
				r->subject));
		return ret ? ret : admitted(rq, "founder", r->name, r->subject);
	}
	return gridd_fail(rq, -EINVAL, "a %s is not something to admit",
			  grid_record_type_name(r->type));
}

int op_gg_admit(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_bundle *b;
	uint8_t *bytes = NULL;
	size_t len;
	uint32_t i;
	int ret;

	if (!grid_api_has(a, GRID_A_TOKEN))
		return gridd_fail(rq, -EINVAL, "admit what?");
	b = calloc(1, sizeof(*b));
	bytes = malloc(GRID_BUNDLE_BYTES_MAX);
	if (!b || !bytes) {
		ret = -ENOMEM;
		goto out;
	}
	ret = grid_token_read(b, a->t[GRID_A_TOKEN], &rq->why);
	if (ret)
		goto out;
	grid_bundle_wipe(b);
	switch (b->kind) {
	case GRID_BUNDLE_MEMBERSHIP:
		ret = grid_bundle_encode(b, bytes, GRID_BUNDLE_BYTES_MAX, &len);
		if (!ret)
			ret = admit_member(g, rq, b, bytes, len);
		break;
	case GRID_BUNDLE_RECORDS:
		for (i = 0; i < b->n && !ret; i++)
			ret = admit_record(g, rq, &b->rec[i]);
		break;
	default:
		ret = gridd_fail(rq, -EINVAL,
				 "this token is neither a membership proof nor certificates");
	}
out:
	free(b);
	free(bytes);
	return ret;
}

/* After the commit: the leases ended by record rq->after_key, in grid.ko. */
static int end_leases_after(struct gridd *g, struct request *rq)
{
	sqlite3_stmt *st;
	int ret, n = 0;

	if (g->dev < 0)
		return 0;
	st = store_prep(&g->st, "SELECT lease_id FROM leases_issued WHERE revoked = ?",
			"k", rq->after_key);
	if (!st)
		return 0;
	while ((ret = store_step(&g->st, st)) == 1) {
		struct grid_ioc_lease_ref ref = { .size = sizeof(ref),
			.id = sqlite3_column_int64(st, 0) };

		ret = grid_dev_lease_revoke(g->dev, &ref);
		if (ret && ret != -ENOENT && ret != -EKEYEXPIRED &&
		    ret != -EKEYREVOKED)
			log_warn("lease %" PRIu64 ": grid.ko did not revoke it: %s",
				 (uint64_t)ref.id, strerror(-ret));
		n++;
	}
	store_done(&g->st, st);
	if (n)
		log_info("%d lease%s ended in grid.ko", n, n == 1 ? "" : "s");
	return 0;
}

int op_gg_revoke(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_signed *s;
	struct grid_record r;
	uint8_t pk[GRID_PK_LEN];
	int64_t admin = 0, known = 0;
	int ret;

	if (!grid_api_has(a, GRID_A_GRIDGRID) || gridd_gg_key(g, a->t[GRID_A_GRIDGRID], pk))
		return gridd_fail(rq, -ENOENT, "not a member of %s",
				  grid_api_has(a, GRID_A_GRIDGRID) ?
				  a->t[GRID_A_GRIDGRID] : "that grid-grid");
	if (!grid_api_has(a, GRID_A_KEY))
		return gridd_fail(rq, -EINVAL, "revoke which member (its key)?");
	store_int(&g->st, &admin, "SELECT admin FROM gridgrids WHERE name = ?",
		  "t", a->t[GRID_A_GRIDGRID]);
	if (!admin)
		return gridd_fail(rq, -EPERM, "this grid is not an admin of %s",
				  a->t[GRID_A_GRIDGRID]);
	store_int(&g->st, &known, "SELECT count(*) FROM members WHERE gridgrid = ?"
		  " AND pk = ? AND ended IS NULL", "kk", pk, a->b[GRID_A_KEY]);
	if (!known)
		return gridd_fail(rq, -ENOENT, "no member of %s with that key",
				  a->t[GRID_A_GRIDGRID]);
	if (!sodium_memcmp(a->b[GRID_A_KEY], g->key.pk, GRID_PK_LEN))
		return gridd_fail(rq, -EINVAL,
				  "a grid leaves a grid-grid; it does not revoke itself");
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	grid_record_init(&r, GRID_REC_REVOCATION, g->key.pk, gridd_now(g));
	memcpy(r.gridgrid, pk, GRID_PK_LEN);
	memcpy(r.subject, a->b[GRID_A_KEY], GRID_PK_LEN);
	r.kind = GRID_REVOKE_MEMBER;
	r.has |= GRID_HAS(GRID_K_GRIDGRID) | GRID_HAS(GRID_K_SUBJECT) |
		 GRID_HAS(GRID_K_KIND);
	if (grid_api_has(a, GRID_A_REASON)) {
		snprintf(r.reason, sizeof(r.reason), "%s", a->t[GRID_A_REASON]);
		grid_record_set(&r, GRID_K_REASON);
	}
	ret = gridd_sign_keep(g, &r, &g->key, s, &rq->why);
	if (!ret)
		ret = gridd_gossip_keep(g, pk, s->id, 1);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE members SET ended = ? WHERE gridgrid = ? AND pk = ?",
			"kkk", s->id, pk, r.subject));
	/* Leases issued to it, or to its agents, end with it. */
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE leases_issued SET revoked = ? WHERE revoked IS NULL"
			" AND holder_grid = ? AND gridgrid = ?", "kkt", s->id,
			r.subject, a->t[GRID_A_GRIDGRID]));
	if (!ret) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_b(&m, GRID_A_ID, s->id, GRID_ID_LEN);
		ret = grid_api_add_item(rq->out, &m);
		memcpy(rq->after_key, s->id, GRID_ID_LEN);
		rq->after = end_leases_after;
	}
	free(s);
	return ret;
}

/* After leaving: the leases ended, the share gone from grid.ko. */
static int leave_after(struct gridd *g, struct request *rq)
{
	end_leases_after(g, rq);
	return gridd_share_kernel_del(g, rq->after_name);
}

int op_gg_leave(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	const char *gname = a->t[GRID_A_GRIDGRID];
	struct grid_signed *s;
	struct grid_record r;
	uint8_t pk[GRID_PK_LEN], ref[GRID_ID_LEN];
	sqlite3_stmt *st;
	int ret;

	if (!grid_api_has(a, GRID_A_GRIDGRID) || gridd_gg_key(g, gname, pk))
		return gridd_fail(rq, -ENOENT, "not a member of %s",
				  grid_api_has(a, GRID_A_GRIDGRID) ? gname :
				  "that grid-grid");
	/* What the leave follows: our membership, or the charter we founded. */
	st = store_prep(&g->st, "SELECT coalesce(membership, charter) FROM gridgrids"
			" WHERE name = ?", "t", gname);
	ret = st ? store_step(&g->st, st) : -EIO;
	ret = ret == 1 ? (store_col_key(st, 0, ref) ? -EIO : 0) : -EIO;
	store_done(&g->st, st);
	if (ret)
		return ret;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	grid_record_init(&r, GRID_REC_LEAVE, g->key.pk, gridd_now(g));
	memcpy(r.gridgrid, pk, GRID_PK_LEN);
	memcpy(r.ref, ref, GRID_ID_LEN);
	r.has |= GRID_HAS(GRID_K_GRIDGRID) | GRID_HAS(GRID_K_REF);
	ret = gridd_sign_keep(g, &r, &g->key, s, &rq->why);
	if (!ret)
		ret = gridd_gossip_keep(g, pk, s->id, 1);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE gridgrids SET left_at = ? WHERE name = ?", "it",
			(int64_t)gridd_now(g), gname));
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE members SET ended = ? WHERE gridgrid = ? AND pk = ?",
			"kkk", s->id, pk, g->key.pk));
	/* The share is revoked at once: its leases end, it goes. */
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE leases_issued SET revoked = ? WHERE revoked IS NULL"
			" AND gridgrid = ?", "kt", s->id, gname));
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"DELETE FROM shares WHERE gridgrid = ?", "t", gname));
	if (!ret) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_GRIDGRID, gname);
		grid_api_set_b(&m, GRID_A_ID, s->id, GRID_ID_LEN);
		ret = grid_api_add_item(rq->out, &m);
		memcpy(rq->after_key, s->id, GRID_ID_LEN);
		snprintf(rq->after_name, sizeof(rq->after_name), "%s", gname);
		rq->after = leave_after;
	}
	free(s);
	return ret;
}

/*
 * A proof a peer sent (gossip.c): a membership bundle, or a founder's
 * charter, admitted as op_gg_admit() admits a token. -EBADMSG with @why
 * if it does not even verify.
 */
int gridd_admit_proof(struct gridd *g, struct request *rq,
		      const uint8_t *bytes, size_t len)
{
	struct grid_bundle *b = calloc(1, sizeof(*b));
	int ret;

	if (!b)
		return -ENOMEM;
	ret = grid_bundle_decode(b, bytes, len, &rq->why);
	if (ret) {
		ret = -EBADMSG;
		goto out;
	}
	grid_bundle_wipe(b);
	if (b->kind == GRID_BUNDLE_MEMBERSHIP)
		ret = admit_member(g, rq, b, bytes, len);
	else if (b->kind == GRID_BUNDLE_RECORDS && b->n == 1 &&
		 b->rec[0].r.type == GRID_REC_CHARTER)
		ret = admit_record(g, rq, &b->rec[0]);
	else
		ret = gridd_fail(rq, -EBADMSG,
				 "a proof is a membership bundle or a founder's charter");
out:
	free(b);
	return ret;
}

/* After a commit: the leases ended by record @id, in grid.ko. */
void gridd_leases_end(struct gridd *g, const uint8_t id[GRID_ID_LEN])
{
	struct request rq = { 0 };

	memcpy(rq.after_key, id, GRID_ID_LEN);
	end_leases_after(g, &rq);
}

static int64_t member_state(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
			    const uint8_t pk[GRID_PK_LEN], int64_t *admin)
{
	sqlite3_stmt *st;
	int64_t state = 0;	/* 0 unknown, 1 a member, 2 ended */

	*admin = 0;
	st = store_prep(&g->st, "SELECT admin, ended IS NOT NULL FROM members"
			" WHERE gridgrid = ? AND pk = ?", "kk", gg, pk);
	if (st && store_step(&g->st, st) == 1) {
		*admin = sqlite3_column_int64(st, 0);
		state = sqlite3_column_int64(st, 1) ? 2 : 1;
	}
	store_done(&g->st, st);
	return state;
}

/* @pk's membership of @gg ends with record @id: its leases with it. */
static int end_member(struct gridd *g, const char *gname,
		      const uint8_t gg[GRID_PK_LEN], const uint8_t pk[GRID_PK_LEN],
		      const uint8_t id[GRID_ID_LEN])
{
	int ret;

	ret = store_exec(&g->st, store_prep(&g->st,
		"UPDATE members SET ended = ? WHERE gridgrid = ? AND pk = ?"
		" AND ended IS NULL", "kkk", id, gg, pk));
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE leases_issued SET revoked = ? WHERE revoked IS NULL"
			" AND holder_grid = ? AND gridgrid = ?", "kkt", id, pk, gname));
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE leases_held SET revoked = ? WHERE revoked IS NULL"
			" AND issuer = ? AND gridgrid = ?", "kkt", id, pk, gname));
	return ret;
}

/*
 * A leave, revocation or share a peer sent, checked against what this
 * grid knows and acted on (gossip.c keeps it in the set). -EAGAIN if its
 * issuer is not known here yet (its proof may follow), -EPERM if the
 * issuer may not say it, -EBADMSG if gossip does not carry it.
 */
int gridd_gossip_apply(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		       const struct grid_signed *s, struct grid_why *why)
{
	const struct grid_record *r = &s->r;
	char gname[GRID_NAME_LEN], k[2 * GRID_PK_LEN + 1];
	int64_t state, admin;
	int ret;

	if (gg_name(g, gg, gname))
		return grid_why_set(why, -ENOENT, "not a member of that grid-grid");
	state = member_state(g, gg, r->issuer, &admin);
	if (!state && memcmp(r->issuer, gg, GRID_PK_LEN))
		return grid_why_set(why, -EAGAIN, "its issuer is not known here");
	/* A grid that left or was revoked says nothing more in it. */
	if (state == 2)
		return grid_why_set(why, -EPERM, "a %s from a grid no longer a member of %s",
				    grid_record_type_name(r->type), gname);
	if (r->type == GRID_REC_SHARE) {
		ret = gridd_gossip_share(g, gg, s);
		if (ret == -ESTALE)
			return grid_why_set(why, ret, "a share older than the one this grid holds");
		if (ret)
			return ret;
	}
	ret = store_record_put(&g->st, s);
	if (ret)
		return ret;
	switch (r->type) {
	case GRID_REC_LEAVE:
		return end_member(g, gname, gg, r->issuer, s->id);
	case GRID_REC_SHARE:
		return 0;
	case GRID_REC_REVOCATION:
		break;
	default:
		return grid_why_set(why, -EBADMSG, "a %s is not gossiped",
				    grid_record_type_name(r->type));
	}
	if (r->kind == GRID_REVOKE_LEASE)
		/* Only its provider revokes a lease: its issuer is the lease's. */
		return store_exec(&g->st, store_prep(&g->st,
			"UPDATE leases_held SET revoked = ? WHERE revoked IS NULL"
			" AND issuer = ? AND lease_id = ?", "kku", s->id, r->issuer,
			r->lease_id));
	if (!admin && memcmp(r->issuer, gg, GRID_PK_LEN))
		return grid_why_set(why, -EPERM, "a revocation from a member, which is not an admin of %s",
				    gname);
	sodium_bin2hex(k, sizeof(k), r->subject, GRID_PK_LEN);
	if (!sodium_memcmp(r->subject, g->key.pk, GRID_PK_LEN))
		log_warn("this grid was revoked from %s", gname);
	else
		log_info("gossip: %.16s... revoked from %s", k, gname);
	return end_member(g, gname, gg, r->subject, s->id);
}

int gridd_admit_cert(struct gridd *g, struct request *rq,
		     const struct grid_signed *s)
{
	if (s->r.type != GRID_REC_AGENT)
		return gridd_fail(rq, -EINVAL, "not an agent certificate");
	return admit_record(g, rq, s);
}
