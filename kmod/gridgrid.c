// SPDX-License-Identifier: GPL-2.0
/*
 * Grid-grids: the federations this machine takes part in, each a name and
 * a charter key, with this machine's share for it (share.c).
 */
#include <linux/cgroup.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "grid.h"

LIST_HEAD(grid_gridgrids);
static DEFINE_HASHTABLE(by_name, 6);

static u32 name_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

struct grid_gridgrid *grid_gridgrid_find(const char *name)
{
	struct grid_gridgrid *gg;

	lockdep_assert_held(&grid_mutex);
	hash_for_each_possible(by_name, gg, hnode, name_hash(name))
		if (!strcmp(gg->name, name))
			return gg;
	return NULL;
}

static void release(struct kref *ref)
{
	struct grid_gridgrid *gg = container_of(ref, struct grid_gridgrid, ref);

	pr_debug("gridgrid %lu destroyed\n", gg->seq);
	if (gg->cgrp)
		cgroup_put(gg->cgrp);
	kfree(gg);
	grid_obj_destroyed(GRID_OBJ_GRIDGRID);
}

void grid_gridgrid_get(struct grid_gridgrid *gg)
{
	kref_get(&gg->ref);
}

void grid_gridgrid_put(struct grid_gridgrid *gg)
{
	kref_put(&gg->ref, release);
}

static void changed(struct grid_gridgrid *gg, enum grid_event type)
{
	gg->gen = grid_bump();
	grid_event(type, &(struct grid_event_info){
		.gen = gg->gen, .gridgrid = gg->name });
}

static int check(const struct grid_ioc_gridgrid *a)
{
	if (grid_name_check(a->name, false) || !grid_key_valid(a->charter_key))
		return -EINVAL;
	return 0;
}

int grid_gridgrid_add(const struct grid_ioc_gridgrid *a)
{
	struct grid_gridgrid *gg;
	int ret;

	ret = check(a);
	if (ret)
		return ret;
	mutex_lock(&grid_mutex);
	ret = -EEXIST;
	if (grid_gridgrid_find(a->name))
		goto out;
	ret = -ENOMEM;
	gg = kzalloc(sizeof(*gg), GFP_KERNEL);
	if (!gg)
		goto out;
	gg->seq = grid_next_seq();
	ret = grid_index_add(GRID_OBJ_GRIDGRID, gg->seq, gg);
	if (ret) {
		kfree(gg);
		goto out;
	}
	kref_init(&gg->ref);
	memcpy(gg->name, a->name, GRID_NAME_LEN);
	memcpy(gg->charter_key, a->charter_key, GRID_KEY_LEN);
	list_add_tail(&gg->node, &grid_gridgrids);
	hash_add(by_name, &gg->hnode, name_hash(gg->name));
	grid_obj_created(GRID_OBJ_GRIDGRID);
	pr_debug("gridgrid %lu created\n", gg->seq);
	changed(gg, GRID_EVENT_GRIDGRID_ADDED);
	ret = 0;
out:
	mutex_unlock(&grid_mutex);
	return ret;
}

int grid_gridgrid_set(const struct grid_ioc_gridgrid *a)
{
	struct grid_gridgrid *gg;
	int ret;

	ret = check(a);
	if (ret)
		return ret;
	mutex_lock(&grid_mutex);
	gg = grid_gridgrid_find(a->name);
	if (gg) {
		memcpy(gg->charter_key, a->charter_key, GRID_KEY_LEN);
		changed(gg, GRID_EVENT_GRIDGRID_CHANGED);
	}
	mutex_unlock(&grid_mutex);
	return gg ? 0 : -ENOENT;
}

static void unlink(struct grid_gridgrid *gg)
{
	lockdep_assert_held(&grid_mutex);
	gg->dead = true;
	list_del(&gg->node);
	hash_del(&gg->hnode);
	grid_index_del(GRID_OBJ_GRIDGRID, gg->seq);
	changed(gg, GRID_EVENT_GRIDGRID_DELETED);
}

int grid_gridgrid_del(const char *name)
{
	struct grid_gridgrid *gg;
	int ret;

	if (grid_name_check(name, false))
		return -EINVAL;
	mutex_lock(&grid_mutex);
	ret = -ENOENT;
	gg = grid_gridgrid_find(name);
	if (!gg)
		goto out;
	ret = -EBUSY;
	if (gg->has_share || gg->nr_leases || gg->nr_peers)
		goto out;
	unlink(gg);
	grid_gridgrid_put(gg);
	ret = 0;
out:
	mutex_unlock(&grid_mutex);
	return ret;
}

/* Module exit, after leases and peers. */
void grid_gridgrids_flush(void)
{
	struct grid_gridgrid *gg, *tmp;

	mutex_lock(&grid_mutex);
	list_for_each_entry_safe(gg, tmp, &grid_gridgrids, node) {
		WARN_ON(gg->nr_leases || gg->nr_peers);
		unlink(gg);
		grid_gridgrid_put(gg);
	}
	mutex_unlock(&grid_mutex);
}
