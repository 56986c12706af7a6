// SPDX-License-Identifier: GPL-2.0
/*
 * Peers: remote grids, known by their public key, and the grid-grids they
 * are members of. A peer holds a reference on each of those grid-grids.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "grid.h"

LIST_HEAD(grid_peers);
static DEFINE_HASHTABLE(by_key, 6);

static u32 key_hash(const u8 *key)
{
	return jhash(key, GRID_KEY_LEN, 0);
}

struct grid_peer *grid_peer_find(const u8 *key)
{
	struct grid_peer *p;

	lockdep_assert_held(&grid_mutex);
	hash_for_each_possible(by_key, p, hnode, key_hash(key))
		if (!memcmp(p->key, key, GRID_KEY_LEN))
			return p;
	return NULL;
}

/* Stamps @p and the grid-grids it is a member of with generation @gen. */
static void stamp(struct grid_peer *p, u64 gen)
{
	unsigned int i;

	p->gen = gen;
	for (i = 0; i < p->n_gridgrids; i++)
		p->gridgrids[i]->gen = gen;
}

static void said(struct grid_peer *p, enum grid_event type)
{
	grid_event(type, &(struct grid_event_info){
		.gen = p->gen, .key = p->key });
}

static void drop_memberships(struct grid_peer *p)
{
	unsigned int i;

	for (i = 0; i < p->n_gridgrids; i++) {
		p->gridgrids[i]->nr_peers--;
		grid_gridgrid_put(p->gridgrids[i]);
		p->gridgrids[i] = NULL;
	}
	p->n_gridgrids = 0;
}

static void release(struct kref *ref)
{
	struct grid_peer *p = container_of(ref, struct grid_peer, ref);

	pr_debug("peer %lu destroyed\n", p->seq);
	kfree(p);
	grid_obj_destroyed(GRID_OBJ_PEER);
}

static int check(const struct grid_ioc_peer *a)
{
	unsigned int i, j;

	if (!grid_key_valid(a->key) || grid_name_check(a->name, false) ||
	    a->reserved || a->n_gridgrids > GRID_PEER_GRIDGRIDS_MAX)
		return -EINVAL;
	/* Unused slots are zero, so that no stray name can mean anything. */
	for (i = a->n_gridgrids; i < GRID_PEER_GRIDGRIDS_MAX; i++)
		if (memchr_inv(a->gridgrids[i], 0, GRID_NAME_LEN))
			return -EINVAL;
	for (i = 0; i < a->n_gridgrids; i++) {
		if (grid_name_check(a->gridgrids[i], false))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(a->gridgrids[i], a->gridgrids[j]))
				return -EINVAL;
	}
	return 0;
}

/* Resolves every named grid-grid, taking references, or none. */
static int take_memberships(const struct grid_ioc_peer *a,
			    struct grid_gridgrid **out)
{
	unsigned int i;

	for (i = 0; i < a->n_gridgrids; i++) {
		out[i] = grid_gridgrid_find(a->gridgrids[i]);
		if (!out[i])
			return -ENOENT;
	}
	for (i = 0; i < a->n_gridgrids; i++) {
		grid_gridgrid_get(out[i]);
		out[i]->nr_peers++;
	}
	return 0;
}

int grid_peer_add(const struct grid_ioc_peer *a)
{
	struct grid_peer *p;
	int ret;

	ret = check(a);
	if (ret)
		return ret;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	mutex_lock(&grid_mutex);
	ret = -EEXIST;
	if (grid_peer_find(a->key))
		goto err;
	p->seq = grid_next_seq();
	ret = grid_index_add(GRID_OBJ_PEER, p->seq, p);
	if (ret)
		goto err;
	ret = take_memberships(a, p->gridgrids);
	if (ret) {
		grid_index_del(GRID_OBJ_PEER, p->seq);
		goto err;
	}
	kref_init(&p->ref);
	memcpy(p->key, a->key, GRID_KEY_LEN);
	memcpy(p->name, a->name, GRID_NAME_LEN);
	p->n_gridgrids = a->n_gridgrids;
	list_add_tail(&p->node, &grid_peers);
	hash_add(by_key, &p->hnode, key_hash(p->key));
	grid_obj_created(GRID_OBJ_PEER);
	pr_debug("peer %lu created\n", p->seq);
	stamp(p, grid_bump());
	said(p, GRID_EVENT_PEER_ADDED);
	mutex_unlock(&grid_mutex);
	return 0;
err:
	mutex_unlock(&grid_mutex);
	kfree(p);
	return ret;
}

int grid_peer_set(const struct grid_ioc_peer *a)
{
	struct grid_gridgrid *gg[GRID_PEER_GRIDGRIDS_MAX];
	struct grid_peer *p;
	u64 gen;
	int ret;

	ret = check(a);
	if (ret)
		return ret;
	mutex_lock(&grid_mutex);
	ret = -ENOENT;
	p = grid_peer_find(a->key);
	if (!p)
		goto out;
	/* New references first, so a failure leaves the old set intact. */
	ret = take_memberships(a, gg);
	if (ret)
		goto out;
	gen = grid_bump();
	stamp(p, gen);
	drop_memberships(p);
	memcpy(p->gridgrids, gg, sizeof(gg[0]) * a->n_gridgrids);
	p->n_gridgrids = a->n_gridgrids;
	memcpy(p->name, a->name, GRID_NAME_LEN);
	stamp(p, gen);
	said(p, GRID_EVENT_PEER_CHANGED);
out:
	mutex_unlock(&grid_mutex);
	return ret;
}

static void unlink(struct grid_peer *p)
{
	lockdep_assert_held(&grid_mutex);
	p->dead = true;
	list_del(&p->node);
	hash_del(&p->hnode);
	grid_index_del(GRID_OBJ_PEER, p->seq);
	stamp(p, grid_bump());
	drop_memberships(p);
	said(p, GRID_EVENT_PEER_DELETED);
}

int grid_peer_del(const u8 *key)
{
	struct grid_peer *p;

	if (!grid_key_valid(key))
		return -EINVAL;
	mutex_lock(&grid_mutex);
	p = grid_peer_find(key);
	if (p) {
		unlink(p);
		kref_put(&p->ref, release);
	}
	mutex_unlock(&grid_mutex);
	return p ? 0 : -ENOENT;
}

void grid_peers_flush(void)
{
	struct grid_peer *p, *tmp;

	mutex_lock(&grid_mutex);
	list_for_each_entry_safe(p, tmp, &grid_peers, node) {
		unlink(p);
		kref_put(&p->ref, release);
	}
	mutex_unlock(&grid_mutex);
}
