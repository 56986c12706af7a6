// SPDX-License-Identifier: GPL-2.0
/*
 * Leases this grid issues out of its shares. A lease is checked (the
 * holder is a member of the grid-grid, or an agent certified by one), then
 * signed and committed with the rest of its batch, and only then
 * registered in grid.ko with its signed bytes as the blob; a lease the
 * module refuses (its admission: the share) is taken out of the state
 * again before the refusal is the answer. So what is acknowledged is on
 * disk, and what is on disk but missing from grid.ko after a crash is
 * registered when gridd starts (kernel.c).
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
#include "nl.h"
#include "objects.h"
#include "units.h"

#define LEASE_SECONDS_MAX	(366ULL * 86400)

/* Who a lease is for: the holder's key and the member grid it is of. */
struct holder {
	uint8_t pk[GRID_PK_LEN];
	uint8_t grid[GRID_PK_LEN];
};

static int holder_of(struct gridd *g, struct request *rq, const char *gg,
		     const uint8_t gg_pk[GRID_PK_LEN], struct holder *h)
{
	const char *who = rq->args->t[GRID_A_HOLDER];
	sqlite3_stmt *st;
	int64_t n = 0;
	int ret;

	if (!grid_api_has(rq->args, GRID_A_HOLDER))
		return gridd_fail(rq, -EINVAL, "a lease to whom?");
	if (grid_parse_key(who, h->pk)) {
		/* A name: one of this grid's agents. */
		st = store_prep(&g->st, "SELECT pk FROM agents WHERE name = ?",
				"t", who);
		ret = st ? store_step(&g->st, st) : -EIO;
		if (ret == 1)
			ret = store_col_key(st, 0, h->pk) ? -EIO : 0;
		else if (!ret)
			ret = gridd_fail(rq, -ENOENT,
					 "no agent '%s' (and not a key in hex)", who);
		store_done(&g->st, st);
		if (!ret)
			memcpy(h->grid, g->key.pk, GRID_PK_LEN);
		return ret;
	}
	if (!grid_pk_ok(h->pk))
		return gridd_fail(rq, -EINVAL,
				  "the holder's key is not a valid Ed25519 public key");
	/* A member grid itself? */
	store_int(&g->st, &n, "SELECT count(*) FROM members WHERE gridgrid = ?"
		  " AND pk = ? AND ended IS NULL", "kk", gg_pk, h->pk);
	if (n) {
		memcpy(h->grid, h->pk, GRID_PK_LEN);
		return 0;
	}
	/* An agent of this grid, or of a member grid whose proof we hold. */
	st = store_prep(&g->st, "SELECT grid, cert FROM peer_agents WHERE pk = ?"
			" UNION ALL SELECT ?2, cert FROM agents WHERE pk = ?1",
			"kk", h->pk, g->key.pk);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1) {
		struct grid_signed *cert = malloc(sizeof(*cert));
		uint8_t id[GRID_ID_LEN];

		ret = store_col_key(st, 0, h->grid) || store_col_key(st, 1, id) ||
		      !cert ? -EIO : 0;
		if (!ret)
			ret = store_record_get(&g->st, id, cert);
		if (!ret)
			ret = grid_chain_agent(cert, h->grid, h->pk, gridd_now(g),
					       &rq->why);
		free(cert);
	} else if (!ret) {
		ret = gridd_fail(rq, -EPERM,
				 "not a member of %s: the holder is neither a member grid nor an agent of one (admit its proof: gridctl gridgrid admit TOKEN)",
				 gg);
	}
	store_done(&g->st, st);
	if (ret)
		return ret;
	store_int(&g->st, &n, "SELECT count(*) FROM members WHERE gridgrid = ?"
		  " AND pk = ? AND ended IS NULL", "kk", gg_pk, h->grid);
	if (!n && sodium_memcmp(h->grid, g->key.pk, GRID_PK_LEN))
		return gridd_fail(rq, -EPERM,
				  "not a member of %s: the holder's grid is not, or no longer",
				  gg);
	return 0;
}

int gridd_lease_item(struct request *rq, const struct grid_signed *s,
		     bool with_issuer)
{
	struct grid_bundle *b = calloc(1, sizeof(*b));
	char *tok = malloc(GRID_TOKEN_MAX);
	struct grid_api_map m;
	int ret = -ENOMEM;

	if (b && tok) {
		b->kind = GRID_BUNDLE_LEASE;
		b->n = 1;
		b->rec[0] = *s;
		ret = grid_token_write(b, tok, GRID_TOKEN_MAX);
	}
	if (!ret) {
		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_GRIDGRID, s->r.name);
		grid_api_set_u(&m, GRID_A_LEASE_ID, s->r.lease_id);
		grid_api_set_u(&m, GRID_A_SERIAL, s->r.serial);
		if (with_issuer)
			grid_api_set_b(&m, GRID_A_ISSUER, s->r.issuer, GRID_PK_LEN);
		grid_api_set_b(&m, GRID_A_HOLDER_KEY, s->r.subject, GRID_PK_LEN);
		grid_api_set_u(&m, GRID_A_NOT_BEFORE, s->r.not_before);
		grid_api_set_u(&m, GRID_A_NOT_AFTER, s->r.not_after);
		grid_api_set_lim(&m, GRID_A_LIMITS, &s->r.limits);
		grid_api_set_b(&m, GRID_A_ID, s->id, GRID_ID_LEN);
		grid_api_set_t(&m, GRID_A_TOKEN, tok);
		ret = grid_api_add_item(rq->out, &m);
	}
	free(b);
	free(tok);
	return ret;
}

/*
 * A limit the share has and the lease does not name: a quarter of the
 * share's, or what is left of it if less. A lease with no limit at all on
 * a resource the share limits would never be admitted (grid.ko), and "cpu
 * 0.5 memory 512M" should be a whole request on any share.
 */
#define SLICE 4

static void fill_one(__u64 *lease, uint64_t share, uint64_t used)
{
	uint64_t want = share / SLICE, left = share > used ? share - used : 0;

	if (*lease != GRID_LIMIT_MAX || share == GRID_LIMIT_MAX)
		return;
	*lease = want < left ? want : left;
	if (!*lease)
		*lease = 1;	/* refused by admission, with its sentence */
}

static void fill_limits(struct gridd *g, const char *gg, struct grid_limits *l)
{
	struct grid_obj_gridgrid o;
	struct grid_nl *nl = gridd_nl(g);
	const struct grid_limits *s, *u;

	if (!nl)
		return;
	if (grid_nl_gridgrid_get(nl, gg, &o)) {
		gridd_nl_drop(g);
		return;
	}
	if (!o.has_share)
		return;
	s = &o.share.l;
	u = &o.used.l;
	if (l->cpu_quota_us == GRID_LIMIT_MAX && o.share.cpu_rate != GRID_LIMIT_MAX) {
		uint64_t want = o.share.cpu_rate / SLICE;
		uint64_t left = o.share.cpu_rate > o.used.cpu_rate ?
				o.share.cpu_rate - o.used.cpu_rate : 0;
		uint64_t q = grid_cpu_quota_us(want < left ? want : left,
					       l->cpu_period_us);

		l->cpu_quota_us = q < 1000 ? 1000 : q;
	}
	fill_one(&l->cpu_budget_us, s->cpu_budget_us, u->cpu_budget_us);
	fill_one(&l->memory_bytes, s->memory_bytes, u->memory_bytes);
	fill_one(&l->pids, s->pids, u->pids);
	fill_one(&l->net_egress_rate, s->net_egress_rate, u->net_egress_rate);
	fill_one(&l->net_ingress_rate, s->net_ingress_rate, u->net_ingress_rate);
	fill_one(&l->net_egress_budget, s->net_egress_budget, u->net_egress_budget);
	fill_one(&l->net_ingress_budget, s->net_ingress_budget, u->net_ingress_budget);
}

/* The sentence for a lease grid.ko refused. */
static int refused(struct gridd *g, struct request *rq,
		   const struct grid_record *r, int err, uint32_t exhausted)
{
	if (err == -EDQUOT) {
		gridd_exhausted(g, rq, r->name, &r->limits, exhausted);
		return err;
	}
	return gridd_fail(rq, err, "grid.ko refused lease %" PRIu64 ": %s",
			  r->lease_id, strerror(-err));
}

static int issue_after(struct gridd *g, struct request *rq)
{
	struct grid_signed *s = malloc(sizeof(*s));
	struct grid_ioc_lease l;
	int ret;

	if (!s)
		return gridd_fail(rq, -ENOMEM, "out of memory");
	ret = store_record_get(&g->st, rq->after_key, s);
	if (!ret) {
		gridd_kernel_lease(g, s, &l);
		ret = grid_dev_lease_add(g->dev, &l);
		if (ret)
			refused(g, rq, &s->r, ret, l.exhausted);
	} else {
		gridd_fail(rq, ret, "the lease just kept cannot be read back");
	}
	if (ret && !store_begin(&g->st)) {
		/* Never acknowledged: as if it had never been. */
		store_exec(&g->st, store_prep(&g->st,
			"DELETE FROM leases_issued WHERE lease_id = ?", "u",
			rq->after_id));
		store_exec(&g->st, store_prep(&g->st,
			"DELETE FROM records WHERE id = ?", "k", rq->after_key));
		if (store_commit(&g->st))
			log_err("lease %" PRIu64 ": refused, but the state still has it; it will be tried again at start",
				rq->after_id);
	}
	free(s);
	return ret;
}

/* The share's record of @gg: -ENOENT with a sentence. */
static int share_of(struct gridd *g, struct request *rq, const char *gg,
		    struct grid_signed *s)
{
	sqlite3_stmt *st;
	uint8_t id[GRID_ID_LEN];
	int ret;

	st = store_prep(&g->st, "SELECT record FROM shares WHERE gridgrid = ?",
			"t", gg);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1)
		ret = store_col_key(st, 0, id) ? -EIO : 0;
	else if (!ret)
		ret = gridd_fail(rq, -ENOENT,
				 "no share for %s on this machine: gridctl share set %s LIMITS",
				 gg, gg);
	store_done(&g->st, st);
	return ret ? ret : store_record_get(&g->st, id, s);
}

int op_lease_issue(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	const char *gg = a->t[GRID_A_GRIDGRID];
	struct grid_signed *s, *share;
	struct grid_record r;
	struct holder h;
	uint8_t gg_pk[GRID_PK_LEN];
	uint64_t now = gridd_now(g), secs, nb;
	int ret;

	if (g->dev < 0)
		return gridd_fail(rq, -EOPNOTSUPP,
			"this machine cannot provide leases: %s",
			g->kernel);
	if (!grid_api_has(a, GRID_A_GRIDGRID) || gridd_gg_key(g, gg, gg_pk))
		return gridd_fail(rq, -ENOENT, "not a member of %s",
				  grid_api_has(a, GRID_A_GRIDGRID) ? gg : "that grid-grid");
	secs = grid_api_has(a, GRID_A_SECONDS) ? a->u[GRID_A_SECONDS] : 0;
	if (!secs || secs > LEASE_SECONDS_MAX)
		return gridd_fail(rq, -EINVAL,
				  "a lease lasts 1 s to 366 days: say how long with 'for DURATION'");
	nb = grid_api_has(a, GRID_A_NOT_BEFORE) ? a->u[GRID_A_NOT_BEFORE] : now;
	s = malloc(sizeof(*s));
	share = malloc(sizeof(*share));
	if (!s || !share) {
		ret = -ENOMEM;
		goto out;
	}
	ret = share_of(g, rq, gg, share);
	if (!ret)
		ret = holder_of(g, rq, gg, gg_pk, &h);
	if (ret)
		goto out;
	grid_record_init(&r, GRID_REC_LEASE, g->key.pk, now);
	if (grid_api_has(a, GRID_A_LIMITS))
		r.limits = *grid_api_lim(a, GRID_A_LIMITS);
	/*
	 * The lease counts its budgets over its share's period, as grid.ko
	 * does, whatever the request's limits say (API.md); gridctl lets
	 * no one name another.
	 */
	r.limits.budget_period_s = share->r.limits.budget_period_s;
	fill_limits(g, gg, &r.limits);
	snprintf(r.name, sizeof(r.name), "%s", gg);
	memcpy(r.subject, h.pk, GRID_PK_LEN);
	memcpy(r.holder_grid, h.grid, GRID_PK_LEN);
	memcpy(r.gridgrid, gg_pk, GRID_PK_LEN);
	r.not_before = nb;
	r.not_after = nb + secs;
	/*
	 * Random ids: none is reused, even after a crash lost a counter. 53
	 * bits, so that JSON readers that hold numbers as doubles (jq,
	 * JavaScript) see every id exactly.
	 */
	do {
		randombytes_buf(&r.lease_id, sizeof(r.lease_id));
		r.lease_id &= (1ULL << 53) - 1;
	} while (!r.lease_id);
	r.serial = 1;
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT) |
		 GRID_HAS(GRID_K_HOLDER_GRID) | GRID_HAS(GRID_K_GRIDGRID) |
		 GRID_HAS(GRID_K_LIMITS) | GRID_HAS(GRID_K_NOT_BEFORE) |
		 GRID_HAS(GRID_K_NOT_AFTER) | GRID_HAS(GRID_K_LEASE_ID) |
		 GRID_HAS(GRID_K_SERIAL);
	ret = gridd_sign_keep(g, &r, &g->key, s, &rq->why);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT INTO leases_issued (lease_id, serial, gridgrid, holder,"
			" holder_grid, not_before, not_after, record)"
			" VALUES (?, 1, ?, ?, ?, ?, ?, ?)", "utkkiik", r.lease_id, gg,
			r.subject, r.holder_grid, (int64_t)r.not_before,
			(int64_t)r.not_after, s->id));
	if (!ret)
		ret = gridd_lease_item(rq, s, false);
	if (!ret) {
		rq->after = issue_after;
		rq->after_id = r.lease_id;
		memcpy(rq->after_key, s->id, GRID_ID_LEN);
	}
out:
	free(s);
	free(share);
	return ret;
}

/* The row of lease rq's lease_id: its record, and whether it is live. */
static int issued_get(struct gridd *g, struct request *rq,
		      struct grid_signed *s)
{
	sqlite3_stmt *st;
	uint8_t id[GRID_ID_LEN];
	int revoked = 0, ret;

	if (!grid_api_has(rq->args, GRID_A_LEASE_ID))
		return gridd_fail(rq, -EINVAL, "which lease?");
	st = store_prep(&g->st, "SELECT record, revoked IS NOT NULL FROM leases_issued"
			" WHERE lease_id = ?", "u", rq->args->u[GRID_A_LEASE_ID]);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1) {
		ret = store_col_key(st, 0, id) ? -EIO : 0;
		revoked = sqlite3_column_int(st, 1);
	} else if (!ret) {
		ret = gridd_fail(rq, -ENOENT, "this grid issued no lease %" PRIu64,
				 rq->args->u[GRID_A_LEASE_ID]);
	}
	store_done(&g->st, st);
	if (!ret)
		ret = store_record_get(&g->st, id, s);
	if (!ret && revoked)
		ret = gridd_fail(rq, -EKEYREVOKED, "lease %" PRIu64 " was revoked",
				 s->r.lease_id);
	if (!ret)
		ret = grid_record_valid_at(&s->r, gridd_now(g), &rq->why);
	if (ret == -EAGAIN)
		ret = 0;	/* not yet begun: it may still change */
	return ret;
}

/*
 * After the commit: the record this renewal signed (rq->after_rec) into
 * grid.ko. api.c serves at most one renewal or revocation of a lease in a
 * batch, so nothing in this batch built on it, and a refusal puts back
 * exactly the row before it: the record rq->after_key.
 */
static int renew_after(struct gridd *g, struct request *rq)
{
	struct grid_signed *s = malloc(sizeof(*s)), *old = NULL;
	struct grid_ioc_lease l;
	int ret;

	if (!s)
		return gridd_fail(rq, -ENOMEM, "out of memory");
	ret = store_record_get(&g->st, rq->after_rec, s);
	if (!ret) {
		gridd_kernel_lease(g, s, &l);
		ret = grid_dev_lease_set(g->dev, &l);
		if (ret)
			refused(g, rq, &s->r, ret, l.exhausted);
	} else {
		gridd_fail(rq, ret, "the renewal just kept cannot be read back");
	}
	if (ret && !store_begin(&g->st)) {
		old = malloc(sizeof(*old));
		if (old && !store_record_get(&g->st, rq->after_key, old))
			store_exec(&g->st, store_prep(&g->st,
				"UPDATE leases_issued SET serial = ?, not_after = ?,"
				" record = ? WHERE lease_id = ? AND record = ?", "uikuk",
				old->r.serial, (int64_t)old->r.not_after, old->id,
				rq->after_id, rq->after_rec));
		store_exec(&g->st, store_prep(&g->st,
			"DELETE FROM records WHERE id = ? AND NOT EXISTS"
			" (SELECT 1 FROM leases_issued WHERE record = ?)", "kk",
			rq->after_rec, rq->after_rec));
		if (store_commit(&g->st))
			log_err("lease %" PRIu64 ": renewal refused, but the state still has it; it will be tried again at start",
				rq->after_id);
	}
	free(old);
	free(s);
	return ret;
}

/*
 * A renewal changes the limits it names and keeps the others: "renew ID
 * memory 1G" is not a lease without a CPU limit.
 */
static void merge_limits(struct grid_limits *l, const struct grid_limits *w)
{
	if (w->cpu_quota_us != GRID_LIMIT_MAX) {
		l->cpu_quota_us = w->cpu_quota_us;
		l->cpu_period_us = w->cpu_period_us;
	}
#define TAKE(f) do { if (w->f != GRID_LIMIT_MAX) l->f = w->f; } while (0)
	TAKE(cpu_budget_us);
	TAKE(memory_bytes);
	TAKE(pids);
	TAKE(net_egress_rate);
	TAKE(net_ingress_rate);
	TAKE(net_egress_budget);
	TAKE(net_ingress_budget);
#undef TAKE
}

int op_lease_renew(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_signed *old, *s;
	struct grid_record r;
	uint64_t now = gridd_now(g), secs;
	int64_t held = 0;
	int ret;

	/* A lease this grid holds is renewed by its provider (negotiate_holder.c). */
	if (grid_api_has(a, GRID_A_LEASE_ID))
		store_int(&g->st, &held, "SELECT count(*) FROM leases_held h"
			  " WHERE lease_id = ?1 AND NOT EXISTS (SELECT 1 FROM"
			  " leases_issued i WHERE i.lease_id = ?1)", "u",
			  a->u[GRID_A_LEASE_ID]);
	if (held)
		return op_lease_renew_held(g, rq);
	if (!rq->who->root)
		return gridd_fail(rq, -EPERM,
				  "renewing a lease this grid issued is for the grid's owner (root); uid %u may not",
				  rq->who->uid);
	if (g->dev < 0)
		return gridd_fail(rq, -EOPNOTSUPP, "this machine has no grid.ko");
	old = malloc(sizeof(*old));
	s = malloc(sizeof(*s));
	if (!old || !s) {
		ret = -ENOMEM;
		goto out;
	}
	ret = issued_get(g, rq, old);
	if (ret)
		goto out;
	r = old->r;
	r.n_ext = 0;
	r.issued = now;
	secs = grid_api_has(a, GRID_A_SECONDS) ? a->u[GRID_A_SECONDS] :
	       old->r.not_after - old->r.not_before;
	if (!secs || secs > LEASE_SECONDS_MAX) {
		ret = gridd_fail(rq, -EINVAL, "a lease lasts 1 s to 366 days");
		goto out;
	}
	r.not_after = (now > r.not_before ? now : r.not_before) + secs;
	if (grid_api_has(a, GRID_A_LIMITS)) {
		merge_limits(&r.limits, grid_api_lim(a, GRID_A_LIMITS));
	}
	r.serial = old->r.serial + 1;
	ret = gridd_sign_keep(g, &r, &g->key, s, &rq->why);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE leases_issued SET serial = ?, not_after = ?, record = ?"
			" WHERE lease_id = ?", "uiku", r.serial, (int64_t)r.not_after,
			s->id, r.lease_id));
	if (!ret)
		ret = gridd_lease_item(rq, s, false);
	if (!ret) {
		rq->after = renew_after;
		rq->after_id = r.lease_id;
		memcpy(rq->after_key, old->id, GRID_ID_LEN);
		memcpy(rq->after_rec, s->id, GRID_ID_LEN);
	}
out:
	free(old);
	free(s);
	return ret;
}

/*
 * After the commit: the lease ended in grid.ko. The revocation is signed
 * and on disk whatever the module says, so the request succeeded; a
 * refusal is logged (the API carries a message on failures only), and
 * grid.ko is told again at the next start (kernel.c, reconcile).
 */
static int revoke_after(struct gridd *g, struct request *rq)
{
	struct grid_ioc_lease_ref ref = { .size = sizeof(ref), .id = rq->after_id };
	int ret;

	ret = grid_dev_lease_revoke(g->dev, &ref);
	if (ret && ret != -ENOENT && ret != -EKEYEXPIRED && ret != -EKEYREVOKED)
		log_warn("lease %" PRIu64 " is revoked, but grid.ko did not end it: %s; it is tried again at start",
			 rq->after_id, strerror(-ret));
	return 0;
}

int op_lease_revoke(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_signed *old, *s;
	struct grid_record r;
	int ret;

	old = malloc(sizeof(*old));
	s = malloc(sizeof(*s));
	if (!old || !s) {
		ret = -ENOMEM;
		goto out;
	}
	ret = issued_get(g, rq, old);
	if (ret)
		goto out;
	grid_record_init(&r, GRID_REC_REVOCATION, g->key.pk, gridd_now(g));
	memcpy(r.gridgrid, old->r.gridgrid, GRID_PK_LEN);
	r.kind = GRID_REVOKE_LEASE;
	r.lease_id = old->r.lease_id;
	r.has |= GRID_HAS(GRID_K_GRIDGRID) | GRID_HAS(GRID_K_KIND) |
		 GRID_HAS(GRID_K_LEASE_ID);
	if (grid_api_has(a, GRID_A_REASON)) {
		snprintf(r.reason, sizeof(r.reason), "%s", a->t[GRID_A_REASON]);
		grid_record_set(&r, GRID_K_REASON);
	}
	ret = gridd_sign_keep(g, &r, &g->key, s, &rq->why);
	/* It reaches the holder by gossip, with whoever meets it. */
	if (!ret)
		ret = gridd_gossip_keep(g, r.gridgrid, s->id, 1);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE leases_issued SET revoked = ? WHERE lease_id = ?",
			"ku", s->id, r.lease_id));
	if (!ret) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_u(&m, GRID_A_LEASE_ID, r.lease_id);
		grid_api_set_b(&m, GRID_A_ID, s->id, GRID_ID_LEN);
		ret = grid_api_add_item(rq->out, &m);
	}
	if (!ret && g->dev >= 0) {
		rq->after = revoke_after;
		rq->after_id = r.lease_id;
	}
out:
	free(old);
	free(s);
	return ret;
}
