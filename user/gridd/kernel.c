// SPDX-License-Identifier: GPL-2.0
/*
 * gridd and grid.ko. The module is optional: without it gridd is a
 * consumer only (a laptop, a host kernel), holding identities and leases
 * but providing nothing. With it, gridd is the one owner of the objects it
 * made: the state says what should be there, and at start every live
 * lease of the state is registered once (none twice: the module refuses a
 * second lease of one id), a renewal the module missed is applied and a
 * revocation it missed is made. Objects gridd does not know are reported,
 * never deleted: they are someone's (gridctl's direct commands).
 */
#include <errno.h>
#include <sched.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "dev.h"
#include "gridd.h"
#include "log.h"
#include "names.h"
#include "nl.h"

void gridd_on_event(const struct grid_obj_event *ev, void *arg)
{
	const char *name = grid_event_name(ev->type);
	const char *res = ev->has_resource ? grid_limit_name(ev->resource) : NULL;
	char lease[32] = "", cg[32] = "", gg[48] = "", rs[48] = "";

	(void)arg;
	if (ev->has_lease_id)
		snprintf(lease, sizeof(lease), " lease %" PRIu64, ev->lease_id);
	if (ev->has_cgroup_id)
		snprintf(cg, sizeof(cg), " cgroup %" PRIu64, ev->cgroup_id);
	if (ev->gridgrid[0])
		snprintf(gg, sizeof(gg), " gridgrid %s", ev->gridgrid);
	if (ev->has_resource)
		snprintf(rs, sizeof(rs), " resource %s", res ? res : "unknown");
	if (name)
		log_info("event: %s%s%s%s%s", name, lease, cg, gg, rs);
	else
		log_info("event: type %u%s%s%s%s", ev->type, lease, cg, gg, rs);
}

int gridd_kernel_open(struct gridd *g)
{
	struct grid_version v;
	int ret;

	g->dev = -1;
	ret = grid_dev_open(&g->dev);
	if (ret) {
		snprintf(g->kernel, sizeof(g->kernel), "%s",
			 ret == -ENOENT ? "no grid.ko" :
			 ret == -EPROTO ? "grid.ko of another ABI" :
			 "grid.ko cannot be opened");
		g->dev = -1;
		return ret;
	}
	ret = grid_dev_version(g->dev, &v);
	if (ret) {
		close(g->dev);
		g->dev = -1;
		snprintf(g->kernel, sizeof(g->kernel),
			 "grid.ko does not answer");
		return ret;
	}
	snprintf(g->kernel, sizeof(g->kernel), "grid.ko %.40s (abi %u)",
		 v.release, v.abi);
	return 0;
}

struct grid_nl *gridd_nl(struct gridd *g)
{
	int ret;

	if (g->nl)
		return g->nl;
	/*
	 * grid.ko's netlink family is in the first network namespace only:
	 * a gridd whose peers live in another (gridd.conf 'netns') opens
	 * its netlink sockets from where it started.
	 */
	if (g->root_netns >= 0 && setns(g->root_netns, CLONE_NEWNET))
		return NULL;
	ret = grid_nl_open(&g->nl);
	if (g->root_netns >= 0 && setns(g->peer_netns, CLONE_NEWNET))
		log_err("netns: cannot return to the peers' network namespace: %s",
			strerror(errno));
	if (ret)
		g->nl = NULL;
	return g->nl;
}

void gridd_nl_drop(struct gridd *g)
{
	grid_nl_close(g->nl);
	g->nl = NULL;
}

void gridd_kernel_close(struct gridd *g)
{
	gridd_nl_drop(g);
	if (g->dev >= 0)
		close(g->dev);
	g->dev = -1;
}

/* A lease row of the state as the module's ioctl struct. */
int gridd_kernel_lease(struct gridd *g, const struct grid_signed *rec,
		       struct grid_ioc_lease *l)
{
	const struct grid_record *r = &rec->r;

	memset(l, 0, sizeof(*l));
	l->size = sizeof(*l);
	l->id = r->lease_id;
	l->serial = r->serial;
	memcpy(l->issuer, r->issuer, GRID_KEY_LEN);
	memcpy(l->holder, r->subject, GRID_KEY_LEN);
	memcpy(l->gridgrid, r->name, GRID_NAME_LEN);
	l->limits = r->limits;
	l->not_before_ns = (int64_t)r->not_before * 1000000000LL;
	l->not_after_ns = (int64_t)r->not_after * 1000000000LL;
	l->blob = (uintptr_t)rec->bytes;
	l->blob_len = rec->len;
	(void)g;
	return 0;
}

/* One live lease of the state, made to be in the module once. */
static int reconcile_lease(struct gridd *g, struct grid_nl *nl,
			   const uint8_t id[GRID_ID_LEN], bool revoked,
			   unsigned int *added, unsigned int *fixed)
{
	struct grid_obj_lease *have;
	struct grid_signed *rec;
	struct grid_ioc_lease l;
	int ret;

	rec = malloc(sizeof(*rec));
	have = malloc(sizeof(*have));
	if (!rec || !have) {
		ret = -ENOMEM;
		goto out;
	}
	ret = store_record_get(&g->st, id, rec);
	if (ret)
		goto out;
	ret = grid_nl_lease_get(nl, rec->r.lease_id, have);
	if (ret == -ENOENT) {
		if (revoked || rec->r.not_after <= gridd_now(g)) {
			ret = 0;
			goto out;
		}
		gridd_kernel_lease(g, rec, &l);
		ret = grid_dev_lease_add(g->dev, &l);
		if (!ret)
			++*added;
		else
			log_warn("reconcile: lease %" PRIu64 " cannot be registered: %s",
				 rec->r.lease_id, strerror(-ret));
		ret = 0;
		goto out;
	}
	if (ret)
		goto out;
	if (have->serial < rec->r.serial && have->state <= GRID_LEASE_ACTIVE &&
	    !revoked) {
		gridd_kernel_lease(g, rec, &l);
		ret = grid_dev_lease_set(g->dev, &l);
		if (!ret)
			++*fixed;
		else
			log_warn("reconcile: lease %" PRIu64 " serial %" PRIu64
				 " cannot be applied: %s", rec->r.lease_id,
				 rec->r.serial, strerror(-ret));
	}
	if (revoked && have->state <= GRID_LEASE_ACTIVE) {
		struct grid_ioc_lease_ref ref = { .size = sizeof(ref),
						  .id = rec->r.lease_id };

		ret = grid_dev_lease_revoke(g->dev, &ref);
		if (!ret)
			++*fixed;
	}
	ret = 0;
out:
	free(rec);
	free(have);
	return ret;
}

struct unknown_ctx {
	struct gridd *g;
	unsigned int n;
};

static int report_unknown(const struct grid_obj_lease *l, void *arg)
{
	struct unknown_ctx *u = arg;
	int64_t n = 0;

	if (sodium_memcmp(l->issuer, u->g->key.pk, GRID_PK_LEN))
		return 0;
	if (store_int(&u->g->st, &n, "SELECT count(*) FROM leases_issued"
		      " WHERE lease_id = ?", "i", (int64_t)l->id) || !n) {
		log_warn("reconcile: lease %" PRIu64 " in grid.ko is signed by this grid's key but not in gridd's state; left alone",
			 l->id);
		u->n++;
	}
	return 0;
}

int gridd_kernel_reconcile(struct gridd *g)
{
	unsigned int added = 0, fixed = 0;
	struct unknown_ctx u = { g, 0 };
	struct grid_nl *nl = NULL;
	struct grid_ioc_grid ig = { .size = sizeof(ig) };
	sqlite3_stmt *st;
	int ret;

	if (g->dev < 0 || !g->has_grid)
		return 0;
	memcpy(ig.name, g->name, GRID_NAME_LEN);
	memcpy(ig.key, g->key.pk, GRID_PK_LEN);
	ret = grid_dev_grid_add(g->dev, &ig);
	if (ret && ret != -EEXIST)
		log_warn("reconcile: grid %s cannot be registered: %s", g->name,
			 strerror(-ret));
	ret = gridd_provide_reconcile(g);
	if (ret)
		return ret;
	ret = grid_nl_open(&nl);
	if (ret)
		return ret;
	st = store_prep(&g->st, "SELECT record, revoked IS NOT NULL FROM leases_issued"
			" WHERE not_after > ? OR revoked IS NOT NULL", "i",
			(int64_t)gridd_now(g));
	if (!st) {
		ret = -EIO;
		goto out;
	}
	while ((ret = store_step(&g->st, st)) == 1) {
		uint8_t id[GRID_ID_LEN];

		if (store_col_key(st, 0, id))
			continue;
		ret = reconcile_lease(g, nl, id, sqlite3_column_int(st, 1),
				      &added, &fixed);
		if (ret)
			break;
	}
	store_done(&g->st, st);
	if (ret < 0)
		goto out;
	ret = grid_nl_leases(nl, NULL, report_unknown, &u);
	log_info("reconcile: %u lease%s registered, %u brought up to date, %u unknown",
		 added, added == 1 ? "" : "s", fixed, u.n);
out:
	grid_nl_close(nl);
	return ret;
}
