// SPDX-License-Identifier: GPL-2.0
/*
 * What every object subsystem shares: the mutexes, the generation,
 * creation sequence numbers with the index dumps resume from, and the
 * validation of names and keys.
 */
#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "grid.h"

/* Serialises the changes made through /dev/grid; see grid.h. */
DEFINE_MUTEX(grid_change_mutex);
/* Guards every object map and object; see the lock order in grid.h. */
DEFINE_MUTEX(grid_mutex);
static u64 generation = 1;
static unsigned long last_seq;

u64 grid_bump(void)
{
	lockdep_assert_held(&grid_mutex);
	return ++generation;
}

u64 grid_generation_now(void)
{
	lockdep_assert_held(&grid_mutex);
	return generation;
}

unsigned long grid_next_seq(void)
{
	lockdep_assert_held(&grid_mutex);
	return ++last_seq;
}

/* The kinds with a list of their own; the others are never dumped. */
static struct xarray index[] = {
	[GRID_OBJ_GRID] = XARRAY_INIT(index[GRID_OBJ_GRID], 0),
	[GRID_OBJ_GRIDGRID] = XARRAY_INIT(index[GRID_OBJ_GRIDGRID], 0),
	[GRID_OBJ_PEER] = XARRAY_INIT(index[GRID_OBJ_PEER], 0),
	[GRID_OBJ_LEASE] = XARRAY_INIT(index[GRID_OBJ_LEASE], 0),
	[GRID_OBJ_SANDBOX] = XARRAY_INIT(index[GRID_OBJ_SANDBOX], 0),
};

int grid_index_add(enum grid_obj kind, unsigned long seq, void *obj)
{
	lockdep_assert_held(&grid_mutex);
	if (WARN_ON_ONCE(kind >= ARRAY_SIZE(index)))
		return -EINVAL;
	return xa_insert(&index[kind], seq, obj, GFP_KERNEL);
}

void grid_index_del(enum grid_obj kind, unsigned long seq)
{
	lockdep_assert_held(&grid_mutex);
	if (!WARN_ON_ONCE(kind >= ARRAY_SIZE(index)))
		xa_erase(&index[kind], seq);
}

/* The first object of @kind made after *@seq, which becomes its seq. */
void *grid_index_next(enum grid_obj kind, unsigned long *seq)
{
	lockdep_assert_held(&grid_mutex);
	if (WARN_ON_ONCE(kind >= ARRAY_SIZE(index)))
		return NULL;
	return xa_find_after(&index[kind], seq, ULONG_MAX, XA_PRESENT);
}

/*
 * A name is 1..31 bytes of [a-z0-9._-], NUL-padded: the padding must be
 * all NULs so that two spellings of one name cannot exist. "." and ".."
 * are refused since names become gridfs directory entries.
 */
int grid_name_check(const char *name, bool may_be_empty)
{
	size_t len = strnlen(name, GRID_NAME_LEN);
	size_t i;

	if (len == GRID_NAME_LEN)
		return -EINVAL;
	if (!len)
		return may_be_empty ? 0 : -EINVAL;
	for (i = len; i < GRID_NAME_LEN; i++)
		if (name[i])
			return -EINVAL;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return -EINVAL;
	}
	return 0;
}

bool grid_key_valid(const u8 *key)
{
	return memchr_inv(key, 0, GRID_KEY_LEN);
}
