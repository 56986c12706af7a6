// SPDX-License-Identifier: GPL-2.0
/*
 * Leases held: a provider's signed lease, handed over as a token and kept
 * once it verifies (its signature, its holder one of this grid's keys, its
 * grid-grid one this grid is in, still valid, no older than one held).
 * And the list of leases, issued and held, as the state has them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gridd.h"
#include "token.h"

/*
 * Keeps @s, a lease signed by its issuer (checked), as held: by the
 * local API's import, and by negotiate_holder.c when a provider grants one.
 */
int gridd_lease_hold(struct gridd *g, struct request *rq,
		     const struct grid_signed *s)
{
	const struct grid_record *r = &s->r;
	char gname[GRID_NAME_LEN];
	uint8_t gg_pk[GRID_PK_LEN];
	int64_t serial = -1, mine = 0, live = 0, issuer_ok = 0;
	int ret;

	if (r->type != GRID_REC_LEASE)
		return gridd_fail(rq, -EINVAL, "this is not a lease");
	snprintf(gname, sizeof(gname), "%s", r->name);
	if (gridd_gg_key(g, gname, gg_pk) ||
	    sodium_memcmp(gg_pk, r->gridgrid, GRID_PK_LEN)) {
		ret = gridd_fail(rq, -EPERM, "not a member of %s", gname);
		goto out;
	}
	/*
	 * Its issuer: a member of the grid-grid, as this grid knows it. Any
	 * key can sign a lease; only a member's is worth holding (RECORDS.md
	 * leaves this to the reader).
	 */
	store_int(&g->st, &issuer_ok, "SELECT count(*) FROM members WHERE gridgrid = ?"
		  " AND pk = ? AND ended IS NULL", "kk", gg_pk, r->issuer);
	if (!issuer_ok && sodium_memcmp(r->issuer, g->key.pk, GRID_PK_LEN)) {
		ret = gridd_fail(rq, -EPERM,
				 "the lease is signed by a grid that is not a member of %s here (revoked, left, or never admitted)",
				 gname);
		goto out;
	}
	/* The holder: this grid, or one of its agents (the caller, if one). */
	if (!rq->who->root) {
		if (!rq->who->has_agent ||
		    sodium_memcmp(rq->who->agent_pk, r->subject, GRID_PK_LEN)) {
			ret = gridd_fail(rq, -EPERM,
					 "the lease is not for this user's agent");
			goto out;
		}
	} else if (sodium_memcmp(g->key.pk, r->subject, GRID_PK_LEN)) {
		store_int(&g->st, &mine, "SELECT count(*) FROM agents WHERE pk = ?",
			  "k", r->subject);
		if (!mine) {
			ret = gridd_fail(rq, -EPERM,
					 "the lease is for a key that is neither this grid nor one of its agents");
			goto out;
		}
	}
	/* One already expired is refused here; one not yet valid is kept. */
	ret = grid_record_valid_at(r, gridd_now(g), &rq->why);
	if (ret == -EAGAIN) {
		rq->why.msg[0] = '\0';
		ret = 0;
	}
	if (ret)
		goto out;
	/* The state keeps times as SQLite's signed 64-bit integers. */
	if (r->not_after > INT64_MAX) {
		ret = gridd_fail(rq, -EINVAL,
				 "the lease ends past the last time gridd keeps");
		goto out;
	}
	store_int(&g->st, &serial, "SELECT serial FROM leases_held WHERE issuer = ?"
		  " AND lease_id = ?", "ku", r->issuer, r->lease_id);
	if (serial >= (int64_t)r->serial) {
		ret = gridd_fail(rq, serial == (int64_t)r->serial ? -EEXIST : -ESTALE,
				 serial == (int64_t)r->serial ?
				 "lease %" PRIu64 " serial %" PRIu64 " is held already" :
				 "lease %" PRIu64 " serial %" PRIu64 " is older than the one held",
				 r->lease_id, r->serial);
		goto out;
	}
	/*
	 * Any key can sign a lease to an agent's public key, so what one
	 * holder keeps live is bounded: a user cannot fill the state by
	 * importing leases made up for it. A newer serial of a lease held
	 * replaces its row, so that row is not counted: renewing one at the
	 * bound is fine, and bringing an expired one back to life is not a
	 * way past it.
	 */
	ret = store_int(&g->st, &live, "SELECT count(*) FROM leases_held"
			" WHERE holder = ? AND not_after > ? AND revoked IS NULL"
			" AND NOT (issuer = ? AND lease_id = ?)", "kiku",
			r->subject, (int64_t)gridd_now(g), r->issuer, r->lease_id);
	if (ret)
		goto out;
	if (live >= g->held_max) {
		ret = gridd_fail(rq, -EDQUOT,
				 "this holder holds %u live leases already, the most gridd keeps for one",
				 g->held_max);
		goto out;
	}
	ret = store_record_put(&g->st, s);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT INTO leases_held (issuer, lease_id, serial, gridgrid,"
			" holder, not_after, record) VALUES (?, ?, ?, ?, ?, ?, ?)"
			" ON CONFLICT (issuer, lease_id) DO UPDATE SET"
			" serial = excluded.serial, not_after = excluded.not_after,"
			" record = excluded.record", "kuutkik", r->issuer, r->lease_id,
			r->serial, gname, r->subject, (int64_t)r->not_after,
			s->id));
	if (!ret) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_GRIDGRID, gname);
		grid_api_set_u(&m, GRID_A_LEASE_ID, r->lease_id);
		grid_api_set_u(&m, GRID_A_SERIAL, r->serial);
		grid_api_set_u(&m, GRID_A_NOT_AFTER, r->not_after);
		grid_api_set_b(&m, GRID_A_ISSUER, r->issuer, GRID_PK_LEN);
		grid_api_set_b(&m, GRID_A_ID, s->id, GRID_ID_LEN);
		ret = grid_api_add_item(rq->out, &m);
	}
out:
	return ret;
}

int op_lease_import(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_bundle *b;
	int ret;

	if (!grid_api_has(a, GRID_A_TOKEN))
		return gridd_fail(rq, -EINVAL, "import what lease?");
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	ret = grid_token_read(b, a->t[GRID_A_TOKEN], &rq->why);
	if (ret)
		goto out;
	if (b->kind != GRID_BUNDLE_LEASE || b->n != 1 ||
	    b->rec[0].r.type != GRID_REC_LEASE) {
		ret = gridd_fail(rq, -EINVAL, "this token is not a lease");
		goto out;
	}
	ret = gridd_lease_hold(g, rq, &b->rec[0]);
out:
	free(b);
	return ret;
}

static const char *state_of(uint64_t now, int64_t not_after, bool revoked)
{
	if (revoked)
		return "revoked";
	return now >= (uint64_t)not_after ? "expired" : "live";
}

int op_lease_list(struct gridd *g, struct request *rq)
{
	uint64_t now = gridd_now(g), off = 0;
	sqlite3_stmt *st;
	int ret;

	/* A user who is no agent holds nothing: not the grid's leases. */
	if (!rq->who->root && !rq->who->has_agent)
		return gridd_fail(rq, -EPERM,
			"uid %u is none of this grid's agents: root can make it one with 'gridctl agent add NAME uid %u'",
			(unsigned int)rq->who->uid, (unsigned int)rq->who->uid);
	if (grid_api_has(rq->args, GRID_A_OFFSET))
		off = rq->args->u[GRID_A_OFFSET];
	/* root sees every lease; an agent the leases it holds. */
	st = store_prep(&g->st,
		"SELECT 'issued', lease_id, serial, gridgrid, holder, not_before,"
		" not_after, revoked IS NOT NULL, record, NULL FROM leases_issued"
		" WHERE ?1 UNION ALL"
		" SELECT 'held', lease_id, serial, gridgrid, holder, 0, not_after,"
		" revoked IS NOT NULL, record, issuer FROM leases_held"
		" WHERE ?1 OR holder = ?2 ORDER BY 1, 2 LIMIT ?3 OFFSET ?4",
		"ikii", (int64_t)rq->who->root,
		rq->who->root ? g->key.pk : rq->who->agent_pk,
		(int64_t)GRID_API_ITEMS_MAX + 1, (int64_t)off);
	if (!st)
		return -EIO;
	while ((ret = store_step(&g->st, st)) == 1) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_ROLE, (const char *)sqlite3_column_text(st, 0));
		grid_api_set_u(&m, GRID_A_LEASE_ID, sqlite3_column_int64(st, 1));
		grid_api_set_u(&m, GRID_A_SERIAL, sqlite3_column_int64(st, 2));
		grid_api_set_t(&m, GRID_A_GRIDGRID, (const char *)sqlite3_column_text(st, 3));
		grid_api_set_b(&m, GRID_A_HOLDER_KEY, sqlite3_column_blob(st, 4), GRID_PK_LEN);
		if (sqlite3_column_int64(st, 5))
			grid_api_set_u(&m, GRID_A_NOT_BEFORE, sqlite3_column_int64(st, 5));
		grid_api_set_u(&m, GRID_A_NOT_AFTER, sqlite3_column_int64(st, 6));
		grid_api_set_t(&m, GRID_A_STATE, state_of(now, sqlite3_column_int64(st, 6),
							  sqlite3_column_int(st, 7)));
		grid_api_set_b(&m, GRID_A_ID, sqlite3_column_blob(st, 8), GRID_ID_LEN);
		if (sqlite3_column_type(st, 9) == SQLITE_BLOB)
			grid_api_set_b(&m, GRID_A_ISSUER, sqlite3_column_blob(st, 9),
				       GRID_PK_LEN);
		else
			grid_api_set_b(&m, GRID_A_ISSUER, g->key.pk, GRID_PK_LEN);
		if (grid_api_add_item(rq->out, &m)) {
			rq->out->more = true;
			break;
		}
	}
	store_done(&g->st, st);
	return ret < 0 ? ret : 0;
}
