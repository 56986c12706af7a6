// SPDX-License-Identifier: GPL-2.0
/*
 * Object counts: every object constructor and destructor in the module
 * reports here, so status can say how many of each kind are alive and
 * module exit can tell whether anything leaked.
 */
#include <linux/atomic.h>
#include <linux/bug.h>

#include "grid.h"

static atomic64_t objects[GRID_OBJ_NR];

void grid_obj_created(enum grid_obj kind)
{
	atomic64_inc(&objects[kind]);
}

void grid_obj_destroyed(enum grid_obj kind)
{
	WARN_ON_ONCE(atomic64_dec_return(&objects[kind]) < 0);
}

static u64 count(enum grid_obj kind)
{
	return atomic64_read(&objects[kind]);
}

/* Fills the counts of @st; the caller owns size and flags. */
void grid_status_read(struct grid_status *st)
{
	st->grids = count(GRID_OBJ_GRID);
	st->gridgrids = count(GRID_OBJ_GRIDGRID);
	st->peers = count(GRID_OBJ_PEER);
	st->leases = count(GRID_OBJ_LEASE);
	st->sandboxes = count(GRID_OBJ_SANDBOX);
	st->handles = count(GRID_OBJ_HANDLE);
}

bool grid_objects_none_left(void)
{
	int i;

	for (i = 0; i < GRID_OBJ_NR; i++)
		if (count(i))
			return false;
	return true;
}
