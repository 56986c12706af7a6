/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the subsystems of grid.ko.
 *
 * Lock order (outermost first); every lock in the module appears here:
 *   (none yet: the object counters are atomics and need no lock)
 */
#ifndef _GRID_H
#define _GRID_H

#include <linux/types.h>
#include "uapi/linux/grid.h"

#ifndef GRID_RELEASE
#define GRID_RELEASE "unknown"
#endif

/* Kinds of object the module counts, one counter each (status.c). */
enum grid_obj {
	GRID_OBJ_GRID,
	GRID_OBJ_GRIDGRID,
	GRID_OBJ_PEER,
	GRID_OBJ_LEASE,
	GRID_OBJ_SANDBOX,
	GRID_OBJ_HANDLE,
	GRID_OBJ_NR
};

void grid_obj_created(enum grid_obj kind);
void grid_obj_destroyed(enum grid_obj kind);
void grid_status_read(struct grid_status *st);
bool grid_objects_none_left(void);

int grid_dev_init(void);
void grid_dev_uninit(void);

int grid_genl_init(void);
void grid_genl_uninit(void);

#endif /* _GRID_H */
