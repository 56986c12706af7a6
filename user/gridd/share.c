// SPDX-License-Identifier: GPL-2.0
/*
 * This machine's shares: a signed share advertisement in the state, then
 * the share in grid.ko (admission, with the grid-grid's cgroup) and the
 * BPF quotas (enforcement). The state is written first and committed;
 * if grid.ko or the loader refuses what was committed, the state is put
 * back as it was and the refusal is the answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_loader.h"
#include "cgroup.h"
#include "dev.h"
#include "gridd.h"
#include "log.h"
#include "names.h"
#include "nl.h"
#include "quota.h"
#include "quota_limits.h"
#include "units.h"

void gridd_obj_limits(struct grid_obj_limits *out, const struct grid_limits *l)
{
	memset(out, 0, sizeof(*out));
	out->l = *l;
	out->cpu_rate = grid_cpu_nanocores(l->cpu_quota_us, l->cpu_period_us);
	out->present = ~0u;
}

/* The sentence for grid.ko's -EDQUOT on @gg, for @want in addition. */
void gridd_exhausted(struct gridd *g, struct request *rq, const char *gg,
		     const struct grid_limits *want, uint32_t attr)
{
	struct grid_obj_gridgrid o;
	struct grid_obj_limits w;
	struct grid_nl *nl = gridd_nl(g);
	char why[160];

	if (!nl || grid_nl_gridgrid_get(nl, gg, &o)) {
		if (nl)
			gridd_nl_drop(g);
		gridd_fail(rq, -EDQUOT, "share of %s exhausted", gg);
		return;
	}
	if (!o.has_share) {
		gridd_fail(rq, -EDQUOT, "no share for %s on this machine", gg);
		return;
	}
	gridd_obj_limits(&w, want);
	if (!attr)
		attr = grid_quota_first_over(&o.share, &o.used, &w, NULL);
	if (!attr) {
		gridd_fail(rq, -EDQUOT, "share of %s exhausted", gg);
		return;
	}
	grid_quota_describe(why, sizeof(why), attr, grid_limits_get(&o.share, attr),
			    grid_quota_used(&o.used, NULL, attr),
			    grid_limits_get(&w, attr));
	gridd_fail(rq, -EDQUOT, "share exhausted: %s", why);
}

/* The BPF quota of a share: rates, budgets and the CPU cap it names. */
static void quota_of(struct grid_quota_limits *q, const struct grid_limits *l)
{
	memset(q, 0, sizeof(*q));
	if (l->net_egress_rate != GRID_LIMIT_MAX) {
		q->net.egress_rate = l->net_egress_rate;
		q->given |= GRID_QUOTA_BIT(GRID_QUOTA_EGRESS);
	}
	if (l->net_ingress_rate != GRID_LIMIT_MAX) {
		q->net.ingress_rate = l->net_ingress_rate;
		q->given |= GRID_QUOTA_BIT(GRID_QUOTA_INGRESS);
	}
	if (l->net_egress_budget != GRID_LIMIT_MAX) {
		q->net.egress_budget = l->net_egress_budget;
		q->given |= GRID_QUOTA_BIT(GRID_QUOTA_EGRESS_BUDGET);
	}
	if (l->net_ingress_budget != GRID_LIMIT_MAX) {
		q->net.ingress_budget = l->net_ingress_budget;
		q->given |= GRID_QUOTA_BIT(GRID_QUOTA_INGRESS_BUDGET);
	}
	/* A period is for budgets: given only with one that counts over it. */
	if (q->given & (GRID_QUOTA_BIT(GRID_QUOTA_EGRESS_BUDGET) |
			GRID_QUOTA_BIT(GRID_QUOTA_INGRESS_BUDGET))) {
		q->net.period_ns = (uint64_t)l->budget_period_s * GRID_NSEC_PER_SEC;
		q->given |= GRID_QUOTA_BIT(GRID_QUOTA_PERIOD);
	}
	if (l->cpu_budget_us != GRID_LIMIT_MAX) {
		q->cpu.budget_ns = l->cpu_budget_us * 1000;
		q->cpu.period_ns = (uint64_t)l->budget_period_s * GRID_NSEC_PER_SEC;
		q->given |= GRID_QUOTA_BIT(GRID_QUOTA_CPU_BUDGET) |
			    GRID_QUOTA_BIT(GRID_QUOTA_CPU_PERIOD);
	}
	if (l->cpu_quota_us != GRID_LIMIT_MAX) {
		q->cpu_nanocores = grid_cpu_nanocores(l->cpu_quota_us,
						      l->cpu_period_us);
		q->given |= GRID_QUOTA_BIT(GRID_QUOTA_CPU);
	}
}

/* The share's quota handed to the loader: attached, or changed. */
static int share_bpf(struct gridd *g, const char *gg, const char *dir,
		     const struct grid_limits *l, struct grid_why *why)
{
	struct grid_quota_limits q;
	struct grid_bpf_fail fail = { 0 };
	enum grid_quota_field bad;
	int ret;

	if (!g->bpf)
		return 0;
	quota_of(&q, l);
	ret = grid_quota_resolve(&q, &bad);
	if (ret)
		return grid_why_set(why, ret, "the share's %s is not a quota BPF can keep",
				    grid_quota_word(bad));
	ret = grid_bpf_attach(g->bpf, gg, dir, &q, NULL, &fail);
	if (ret == -EEXIST) {
		memset(&fail, 0, sizeof(fail));
		ret = grid_bpf_set(g->bpf, gg, &q, NULL, &fail);
	}
	if (!ret)
		return 0;
	/* The loader's step, in an owner's words. */
	switch (fail.at) {
	case GRID_BPF_AT_LIMITS:
		return grid_why_set(why, ret, "the share's %s is not a quota BPF can keep",
				    grid_quota_word(fail.field));
	case GRID_BPF_AT_ROUTES:
		return grid_why_set(why, ret,
				    "an egress rate needs fq on the devices the grid-grid sends by, and no default route is up to find them");
	case GRID_BPF_AT_FQ:
		return grid_why_set(why, ret, "cannot make fq the root qdisc of %s: %s",
				    fail.dev, strerror(-ret));
	case GRID_BPF_AT_WATCH:
		return grid_why_set(why, ret, "grid.ko refused to watch the CPU budget: %s",
				    strerror(-ret));
	case GRID_BPF_AT_CGROUP:
	case GRID_BPF_AT_CPU_MAX:
		return grid_why_set(why, ret, "the BPF quota of %s: %s: %s", gg,
				    fail.path, strerror(-ret));
	default:
		return grid_why_set(why, ret, "the BPF quota of %s: %s", gg,
				    strerror(-ret));
	}
}

/*
 * The share of @gg as the state has it, into grid.ko and BPF. 0, or the
 * error with @why (and -EDQUOT's resource in *@exhausted).
 */
static int share_apply(struct gridd *g, const char *gg,
		       const struct grid_limits *l, const struct grid_limits *old,
		       uint32_t *exhausted, struct grid_why *why)
{
	struct grid_ioc_share s = { .size = sizeof(s) };
	char dir[PATH_MAX];
	bool created = false;
	int cg, ret;

	snprintf(dir, sizeof(dir), "%s/%s", g->cfg.cgroup_root, gg);
	ret = grid_cgroup_mkdir(dir, &created);
	if (!ret) {
		char failed[PATH_MAX];

		ret = grid_cgroup_delegate(dir, failed, sizeof(failed));
		if (ret)
			grid_why_set(why, ret, "cannot enable cpu, memory and pids below %s (%s)",
				     dir, failed);
	} else {
		grid_why_set(why, ret, "cannot make the cgroup %s: %s", dir,
			     strerror(-ret));
	}
	if (ret)
		goto out;
	cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		ret = grid_why_set(why, -errno, "cannot open %s: %s", dir,
				   strerror(errno));
		goto out;
	}
	snprintf(s.gridgrid, sizeof(s.gridgrid), "%s", gg);
	s.limits = *l;
	s.flags = GRID_SHARE_CGROUP;
	s.cgroup_fd = cg;
	ret = grid_dev_share_add(g->dev, &s);
	if (ret == -EEXIST) {
		s.size = sizeof(s);
		ret = grid_dev_share_set(g->dev, &s);
	}
	close(cg);
	if (ret) {
		*exhausted = s.exhausted;
		grid_why_set(why, ret, "grid.ko refused the share of %s: %s", gg,
			     strerror(-ret));
		goto out;
	}
	ret = share_bpf(g, gg, dir, l, why);
	if (ret) {
		/* grid.ko took it, BPF did not: grid.ko back as it was. */
		if (old) {
			s.limits = *old;
			s.flags = 0;
			grid_dev_share_set(g->dev, &s);
		} else {
			s.flags = 0;
			grid_dev_share_del(g->dev, &s);
		}
	}
out:
	if (ret && created)
		rmdir(dir);
	return ret;
}

int gridd_share_kernel_del(struct gridd *g, const char *gg)
{
	struct grid_ioc_share s = { .size = sizeof(s) };
	struct grid_bpf_fail fail = { 0 };
	int ret;

	if (g->dev < 0)
		return 0;
	if (g->bpf) {
		ret = grid_bpf_detach(g->bpf, gg, &fail);
		if (ret && ret != -ENOENT)
			log_warn("share %s: the BPF quota stays: %s", gg,
				 strerror(-ret));
	}
	snprintf(s.gridgrid, sizeof(s.gridgrid), "%s", gg);
	ret = grid_dev_share_del(g->dev, &s);
	if (ret && ret != -ENOENT)
		log_warn("share %s: grid.ko keeps it: %s", gg, strerror(-ret));
	return 0;
}

/*
 * After the commit: the share this request signed, into grid.ko and BPF.
 * api.c serves at most one request per grid-grid's share in a batch, so
 * the row holds this request's share, and what it replaced is the one
 * op_share_set() kept in rq->after_rec (none if rq->after_serial is 0).
 */
static int share_after(struct gridd *g, struct request *rq)
{
	const char *gg = rq->after_name;
	struct grid_signed *now, *before;
	uint32_t exhausted = 0;
	bool had = false;
	int ret;

	now = malloc(sizeof(*now));
	before = malloc(sizeof(*before));
	ret = now && before ? gridd_gg_kernel_add(g, rq) : -ENOMEM;
	if (!ret && rq->after_serial) {
		ret = store_record_get(&g->st, rq->after_rec, before);
		had = !ret;
	}
	if (!ret)
		ret = store_record_get(&g->st, rq->after_key, now);
	if (ret)
		gridd_fail(rq, ret, "the share just kept cannot be read back");
	else
		ret = share_apply(g, gg, &now->r.limits,
				  had ? &before->r.limits : NULL, &exhausted,
				  &rq->why);
	if (ret) {
		/*
		 * grid.ko and BPF kept the share before (share_apply puts
		 * grid.ko back if BPF refuses); the state goes back to it
		 * too, or to none.
		 */
		if (!store_begin(&g->st)) {
			if (rq->after_serial)
				store_exec(&g->st, store_prep(&g->st,
					"UPDATE shares SET record = ?, serial = ?"
					" WHERE gridgrid = ? AND record = ?", "kitk",
					rq->after_rec, (int64_t)rq->after_serial, gg,
					rq->after_key));
			else
				store_exec(&g->st, store_prep(&g->st,
					"DELETE FROM shares WHERE gridgrid = ? AND record = ?",
					"tk", gg, rq->after_key));
			store_exec(&g->st, store_prep(&g->st,
				"DELETE FROM records WHERE id = ? AND NOT EXISTS"
				" (SELECT 1 FROM shares WHERE record = ?)", "kk",
				rq->after_key, rq->after_key));
			if (store_commit(&g->st))
				log_err("share %s: refused, but the state still has it; it will be tried again at start",
					gg);
		}
		if (ret == -EDQUOT) {
			char why[sizeof(rq->why.msg)];

			memcpy(why, rq->why.msg, sizeof(why));
			gridd_fail(rq, ret,
				   "the live leases of %s hold more than that share (%s)",
				   gg, why);
		}
	}
	free(before);
	free(now);
	return ret;
}

int op_share_set(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	const char *gg = a->t[GRID_A_GRIDGRID];
	struct grid_signed *s;
	struct grid_record r;
	uint8_t pk[GRID_PK_LEN];
	int64_t serial = 0;
	uint8_t prev[GRID_ID_LEN] = { 0 };
	sqlite3_stmt *st;
	int ret;

	if (g->dev < 0)
		return gridd_fail(rq, -EOPNOTSUPP,
			"this machine can hold leases but not provide a share: %s",
			g->kernel);
	if (!grid_api_has(a, GRID_A_GRIDGRID) || gridd_gg_key(g, gg, pk))
		return gridd_fail(rq, -ENOENT, "not a member of %s",
				  grid_api_has(a, GRID_A_GRIDGRID) ? gg :
				  "that grid-grid");
	if (!grid_api_has(a, GRID_A_LIMITS))
		return gridd_fail(rq, -EINVAL, "a share of what? (cpu, memory, ...)");
	/* The share before, kept in the request in case grid.ko refuses. */
	st = store_prep(&g->st, "SELECT serial, record FROM shares WHERE gridgrid = ?",
			"t", gg);
	if (!st)
		return -EIO;
	ret = store_step(&g->st, st);
	if (ret == 1) {
		serial = sqlite3_column_int64(st, 0);
		ret = store_col_key(st, 1, prev) ? -EIO : 0;
	}
	store_done(&g->st, st);
	if (ret < 0)
		return ret;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	grid_record_init(&r, GRID_REC_SHARE, g->key.pk, gridd_now(g));
	snprintf(r.name, sizeof(r.name), "%s", gg);
	memcpy(r.gridgrid, pk, GRID_PK_LEN);
	r.limits = *grid_api_lim(a, GRID_A_LIMITS);
	r.serial = serial + 1;
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_GRIDGRID) |
		 GRID_HAS(GRID_K_LIMITS) | GRID_HAS(GRID_K_SERIAL);
	ret = gridd_sign_keep(g, &r, &g->key, s, &rq->why);
	/* The members learn what this grid offers them, this one alone. */
	if (!ret)
		ret = gridd_gossip_share(g, pk, s);
	if (!ret)
		ret = gridd_gossip_keep(g, pk, s->id, 1);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT INTO shares (gridgrid, serial, record) VALUES (?, ?, ?)"
			" ON CONFLICT (gridgrid) DO UPDATE SET serial = excluded.serial,"
			" record = excluded.record", "tik", gg, (int64_t)r.serial, s->id));
	if (!ret) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_GRIDGRID, gg);
		grid_api_set_u(&m, GRID_A_SERIAL, r.serial);
		grid_api_set_lim(&m, GRID_A_LIMITS, &r.limits);
		grid_api_set_b(&m, GRID_A_ID, s->id, GRID_ID_LEN);
		ret = grid_api_add_item(rq->out, &m);
		snprintf(rq->after_name, sizeof(rq->after_name), "%s", gg);
		memcpy(rq->after_key, s->id, GRID_ID_LEN);
		rq->after_serial = serial;
		memcpy(rq->after_rec, prev, GRID_ID_LEN);
		rq->after = share_after;
	}
	free(s);
	return ret;
}

static int share_del_after(struct gridd *g, struct request *rq)
{
	return gridd_share_kernel_del(g, rq->after_name);
}

int op_share_del(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	const char *gg = a->t[GRID_A_GRIDGRID];
	int64_t live = 0, n = 0;

	if (!grid_api_has(a, GRID_A_GRIDGRID))
		return gridd_fail(rq, -EINVAL, "which grid-grid's share?");
	store_int(&g->st, &n, "SELECT count(*) FROM shares WHERE gridgrid = ?",
		  "t", gg);
	if (!n)
		return gridd_fail(rq, -ENOENT, "no share for %s", gg);
	store_int(&g->st, &live, "SELECT count(*) FROM leases_issued WHERE gridgrid = ?"
		  " AND revoked IS NULL AND not_after > ?", "ti", gg,
		  (int64_t)gridd_now(g));
	if (live)
		return gridd_fail(rq, -EBUSY,
				  "%lld live lease%s of %s use the share: revoke them first",
				  (long long)live, live == 1 ? "" : "s", gg);
	snprintf(rq->after_name, sizeof(rq->after_name), "%s", gg);
	rq->after = share_del_after;
	return store_exec(&g->st, store_prep(&g->st,
		"DELETE FROM shares WHERE gridgrid = ?", "t", gg));
}

int op_share_list(struct gridd *g, struct request *rq)
{
	struct grid_signed *s;
	sqlite3_stmt *st;
	int ret;

	s = malloc(sizeof(*s));
	st = store_prep(&g->st, "SELECT gridgrid, record FROM shares ORDER BY gridgrid", "");
	if (!st || !s) {
		free(s);
		store_done(&g->st, st);
		return -EIO;
	}
	while ((ret = store_step(&g->st, st)) == 1) {
		struct grid_api_map m;
		uint8_t id[GRID_ID_LEN];

		if (store_col_key(st, 1, id) || store_record_get(&g->st, id, s))
			continue;
		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_GRIDGRID, s->r.name);
		grid_api_set_u(&m, GRID_A_SERIAL, s->r.serial);
		grid_api_set_lim(&m, GRID_A_LIMITS, &s->r.limits);
		grid_api_set_b(&m, GRID_A_ID, s->id, GRID_ID_LEN);
		if (grid_api_add_item(rq->out, &m)) {
			rq->out->more = true;
			break;
		}
	}
	store_done(&g->st, st);
	free(s);
	return ret < 0 ? ret : 0;
}

/*
 * Whether this grid ever signed a share of grid-grid @pk. A share in
 * grid.ko is no one's in particular: two gridds on one module (a test's
 * two grids) may both be in a grid-grid, and only the one that shared
 * takes its share away.
 */
static bool shared_once(struct gridd *g, const uint8_t pk[GRID_PK_LEN],
			struct grid_signed *s)
{
	sqlite3_stmt *st;
	bool yes = false;

	st = store_prep(&g->st, "SELECT id FROM records WHERE type = ? AND issuer = ?",
			"ik", (int64_t)GRID_REC_SHARE, g->key.pk);
	while (st && !yes && store_step(&g->st, st) == 1) {
		uint8_t id[GRID_ID_LEN];

		yes = !store_col_key(st, 0, id) && !store_record_get(&g->st, id, s) &&
		      !memcmp(s->r.gridgrid, pk, GRID_PK_LEN);
	}
	store_done(&g->st, st);
	return yes;
}

/*
 * The leases of @gg the state has revoked, ended in grid.ko first, as a
 * leave's after step does: grid.ko keeps a share that live leases use.
 */
static void end_revoked(struct gridd *g, const char *gg)
{
	sqlite3_stmt *st;

	st = store_prep(&g->st, "SELECT lease_id FROM leases_issued"
			" WHERE gridgrid = ? AND revoked IS NOT NULL", "t", gg);
	while (st && store_step(&g->st, st) == 1) {
		struct grid_ioc_lease_ref ref = { .size = sizeof(ref),
			.id = (uint64_t)sqlite3_column_int64(st, 0) };
		int ret = grid_dev_lease_revoke(g->dev, &ref);

		if (ret && ret != -ENOENT && ret != -EKEYEXPIRED &&
		    ret != -EKEYREVOKED)
			log_warn("reconcile: lease %" PRIu64 " is revoked, but grid.ko did not end it: %s",
				 (uint64_t)ref.id, strerror(-ret));
	}
	store_done(&g->st, st);
}

/*
 * A grid-grid of the state with no share in it: a share del or a leave
 * committed, and gridd killed before its after step told grid.ko. The
 * share goes from grid.ko and BPF as share del's after step takes it;
 * a grid-grid left goes too, if nothing in grid.ko holds it any more.
 */
static void reconcile_unshared(struct gridd *g, const char *name,
			       const uint8_t pk[GRID_PK_LEN], bool left,
			       struct grid_signed *s)
{
	struct grid_ioc_gridgrid ig = { .size = sizeof(ig) };
	struct grid_obj_gridgrid o;
	struct grid_nl *nl = gridd_nl(g);
	int ret;

	if (!nl)
		return;
	ret = grid_nl_gridgrid_get(nl, name, &o);
	if (ret) {
		if (ret != -ENOENT)
			gridd_nl_drop(g);
		return;
	}
	/* A namesake of another charter is not this grid-grid. */
	if (memcmp(o.charter_key, pk, GRID_PK_LEN))
		return;
	if (o.has_share && shared_once(g, pk, s)) {
		log_info("reconcile: share %s is no longer in the state; taken out of grid.ko",
			 name);
		end_revoked(g, name);
		gridd_share_kernel_del(g, name);
	}
	if (!left)
		return;
	snprintf(ig.name, sizeof(ig.name), "%s", name);
	ret = grid_dev_gridgrid_del(g->dev, &ig);
	if (!ret)
		log_info("reconcile: grid-grid %s was left; taken out of grid.ko", name);
	else if (ret == -EBUSY)
		log_info("reconcile: grid-grid %s was left, but grid.ko still holds it (a share, leases or peers); left there",
			 name);
	else if (ret != -ENOENT)
		log_warn("reconcile: grid-grid %s was left, but grid.ko keeps it: %s",
			 name, strerror(-ret));
}

/* A grid-grid in grid.ko that the state does not name: said, not touched. */
static int report_unknown_gg(const struct grid_obj_gridgrid *o, void *arg)
{
	struct gridd *g = arg;
	int64_t n = 0;

	if (!store_int(&g->st, &n, "SELECT count(*) FROM gridgrids WHERE name = ?",
		       "t", o->name) && !n)
		log_info("reconcile: grid-grid %s in grid.ko is not in gridd's state; left alone",
			 o->name);
	return 0;
}

int gridd_provide_reconcile(struct gridd *g)
{
	struct grid_signed *s;
	struct grid_nl *nl;
	sqlite3_stmt *st;
	int ret, n = 0;

	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	/* Every grid-grid this grid made or joined, left or not. */
	st = store_prep(&g->st, "SELECT name, pk, left_at IS NOT NULL, EXISTS"
			" (SELECT 1 FROM shares WHERE gridgrid = gridgrids.name)"
			" FROM gridgrids", "");
	if (!st) {
		free(s);
		return -EIO;
	}
	while ((ret = store_step(&g->st, st)) == 1) {
		struct request rq = { 0 };
		const char *name = (const char *)sqlite3_column_text(st, 0);
		uint8_t pk[GRID_PK_LEN];
		bool left = sqlite3_column_int(st, 2);

		if (!name || strlen(name) >= GRID_NAME_LEN || store_col_key(st, 1, pk))
			continue;
		memcpy(rq.after_name, name, strlen(name) + 1);
		if (!left)
			gridd_gg_kernel_add(g, &rq);
		/* With a share: made again below. */
		if (!sqlite3_column_int(st, 3))
			reconcile_unshared(g, name, pk, left, s);
	}
	store_done(&g->st, st);
	if (ret < 0) {
		free(s);
		return ret;
	}
	nl = gridd_nl(g);
	if (nl && grid_nl_gridgrids(nl, report_unknown_gg, g))
		gridd_nl_drop(g);
	st = store_prep(&g->st, "SELECT record FROM shares", "");
	if (!st) {
		free(s);
		return -EIO;
	}
	while ((ret = store_step(&g->st, st)) == 1) {
		struct grid_why why = { "" };
		struct request rq = { 0 };
		uint8_t id[GRID_ID_LEN];
		uint32_t ex = 0;

		if (store_col_key(st, 0, id) || store_record_get(&g->st, id, s))
			continue;
		memcpy(rq.after_name, s->r.name, GRID_NAME_LEN);
		gridd_gg_kernel_add(g, &rq);
		if (share_apply(g, s->r.name, &s->r.limits, NULL, &ex, &why))
			log_warn("reconcile: share %s: %s", s->r.name, why.msg);
		else
			n++;
	}
	store_done(&g->st, st);
	free(s);
	if (n)
		log_info("reconcile: %d share%s in grid.ko", n, n == 1 ? "" : "s");
	return ret < 0 ? ret : 0;
}
