// SPDX-License-Identifier: GPL-2.0
/*
 * What every object subsystem shares: the one mutex, the generation that
 * dumps check, creation sequence numbers and the validation of names and
 * keys.
 */
#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "grid.h"

/* Guards every object map and object; see the lock order in grid.h. */
DEFINE_MUTEX(grid_mutex);
unsigned long grid_generation = 1;
static unsigned long last_seq;

unsigned long grid_next_seq(void)
{
	lockdep_assert_held(&grid_mutex);
	return ++last_seq;
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
