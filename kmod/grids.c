// SPDX-License-Identifier: GPL-2.0
/*
 * Grids: this machine's local security domains, each a name, an Ed25519
 * public key and an optional parent grid.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "grid.h"

LIST_HEAD(grid_grids);
static DEFINE_HASHTABLE(by_name, 6);

static u32 name_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

struct grid_grid *grid_grid_find(const char *name)
{
	struct grid_grid *g;

	lockdep_assert_held(&grid_mutex);
	hash_for_each_possible(by_name, g, hnode, name_hash(name))
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

struct grid_grid *grid_grid_find_key(const u8 *key)
{
	struct grid_grid *g;

	lockdep_assert_held(&grid_mutex);
	list_for_each_entry(g, &grid_grids, node)
		if (!memcmp(g->key, key, GRID_KEY_LEN))
			return g;
	return NULL;
}

static void release(struct kref *ref)
{
	struct grid_grid *g = container_of(ref, struct grid_grid, ref);

	pr_debug("grid %lu destroyed\n", g->seq);
	kfree(g);
	grid_obj_destroyed(GRID_OBJ_GRID);
}

void grid_grid_put(struct grid_grid *g)
{
	kref_put(&g->ref, release);
}

static int check(const struct grid_ioc_grid *a)
{
	if (grid_name_check(a->name, false) ||
	    grid_name_check(a->parent, true) || !grid_key_valid(a->key))
		return -EINVAL;
	return 0;
}

static void changed(struct grid_grid *g, enum grid_event type)
{
	g->gen = grid_bump();
	grid_event(type, &(struct grid_event_info){
		.gen = g->gen, .name = g->name });
}

/* Finds the parent a request names: NULL for none, an ERR_PTR on error. */
static struct grid_grid *find_parent(const struct grid_ioc_grid *a)
{
	struct grid_grid *p;

	if (!a->parent[0])
		return NULL;
	p = grid_grid_find(a->parent);
	return p ?: ERR_PTR(-ENOENT);
}

int grid_grid_add(const struct grid_ioc_grid *a)
{
	struct grid_grid *g, *parent;
	int ret;

	ret = check(a);
	if (ret)
		return ret;
	mutex_lock(&grid_mutex);
	ret = -EEXIST;
	if (grid_grid_find(a->name) || grid_grid_find_key(a->key))
		goto out;
	parent = find_parent(a);
	ret = PTR_ERR_OR_ZERO(parent);
	if (ret)
		goto out;
	ret = -ENOMEM;
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		goto out;
	g->seq = grid_next_seq();
	ret = grid_index_add(GRID_OBJ_GRID, g->seq, g);
	if (ret) {
		kfree(g);
		goto out;
	}
	kref_init(&g->ref);
	memcpy(g->name, a->name, GRID_NAME_LEN);
	memcpy(g->key, a->key, GRID_KEY_LEN);
	if (parent) {
		kref_get(&parent->ref);
		parent->children++;
		g->parent = parent;
	}
	list_add_tail(&g->node, &grid_grids);
	hash_add(by_name, &g->hnode, name_hash(g->name));
	grid_obj_created(GRID_OBJ_GRID);
	pr_debug("grid %lu created\n", g->seq);
	changed(g, GRID_EVENT_GRID_ADDED);
	ret = 0;
out:
	mutex_unlock(&grid_mutex);
	return ret;
}

int grid_grid_set(const struct grid_ioc_grid *a)
{
	struct grid_grid *g, *parent, *p, *other;
	int ret;

	ret = check(a);
	if (ret)
		return ret;
	mutex_lock(&grid_mutex);
	ret = -ENOENT;
	g = grid_grid_find(a->name);
	if (!g)
		goto out;
	parent = find_parent(a);
	ret = PTR_ERR_OR_ZERO(parent);
	if (ret)
		goto out;
	/* A grid cannot sit below itself. */
	ret = -ELOOP;
	for (p = parent; p; p = p->parent)
		if (p == g)
			goto out;
	ret = -EEXIST;
	other = grid_grid_find_key(a->key);
	if (other && other != g)
		goto out;
	/* Live leases were issued under the old key. */
	ret = -EBUSY;
	if (g->leases && memcmp(g->key, a->key, GRID_KEY_LEN))
		goto out;

	memcpy(g->key, a->key, GRID_KEY_LEN);
	if (parent != g->parent) {
		if (parent) {
			kref_get(&parent->ref);
			parent->children++;
		}
		if (g->parent) {
			g->parent->children--;
			grid_grid_put(g->parent);
		}
		g->parent = parent;
	}
	changed(g, GRID_EVENT_GRID_CHANGED);
	ret = 0;
out:
	mutex_unlock(&grid_mutex);
	return ret;
}

/* Unlinks @g; the caller holds grid_mutex and drops the map's reference. */
static void unlink(struct grid_grid *g)
{
	lockdep_assert_held(&grid_mutex);
	g->dead = true;
	list_del(&g->node);
	hash_del(&g->hnode);
	grid_index_del(GRID_OBJ_GRID, g->seq);
	if (g->parent) {
		g->parent->children--;
		grid_grid_put(g->parent);
		g->parent = NULL;
	}
	changed(g, GRID_EVENT_GRID_DELETED);
}

int grid_grid_del(const char *name)
{
	struct grid_grid *g;
	int ret;

	if (grid_name_check(name, false))
		return -EINVAL;
	mutex_lock(&grid_mutex);
	ret = -ENOENT;
	g = grid_grid_find(name);
	if (!g)
		goto out;
	ret = -EBUSY;
	if (g->children || g->leases)
		goto out;
	unlink(g);
	grid_grid_put(g);
	ret = 0;
out:
	mutex_unlock(&grid_mutex);
	return ret;
}

/* Module exit, after leases: children go before their parents. */
void grid_grids_flush(void)
{
	struct grid_grid *g, *tmp;
	bool again = true;

	mutex_lock(&grid_mutex);
	while (again && !list_empty(&grid_grids)) {
		again = false;
		list_for_each_entry_safe(g, tmp, &grid_grids, node) {
			if (g->children)
				continue;
			WARN_ON(g->leases);
			unlink(g);
			grid_grid_put(g);
			again = true;
		}
	}
	WARN_ON(!list_empty(&grid_grids));
	mutex_unlock(&grid_mutex);
}
