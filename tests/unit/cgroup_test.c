// SPDX-License-Identifier: GPL-2.0
/* cgroup ids from paths, as gridctl sandbox unbind and show take them. */
#define UNIT_SUITE "unit/cgroup"
#include <errno.h>
#include <mntent.h>
#include <stdint.h>
#include <sys/stat.h>

#include "unit.h"
#include "cgroup.h"

/* The first cgroup2 mount, or NULL. */
static const char *cgroup2_root(void)
{
	static char dir[4096];
	struct mntent *m;
	FILE *f = setmntent("/proc/self/mounts", "r");

	if (!f)
		return NULL;
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(dir, sizeof(dir), "%s", m->mnt_dir);
			endmntent(f);
			return dir;
		}
	endmntent(f);
	return NULL;
}

TEST(a_cgroup_directory_has_the_id_of_its_inode)
{
	const char *root = cgroup2_root();
	struct stat st;
	uint64_t id = 0;

	if (!root)
		SKIP("no cgroup2 mount here");
	CHECK(grid_cgroup_id(root, &id) == 0);
	/* On 64-bit kernels the kernfs inode number is the cgroup id. */
	CHECK(stat(root, &st) == 0);
	CHECK(id == (uint64_t)st.st_ino);
}

TEST(a_directory_that_is_not_a_cgroup_is_einval)
{
	uint64_t id;

	CHECK(grid_cgroup_id("/", &id) == -EINVAL);
}

TEST(a_path_that_does_not_exist_is_enoent)
{
	uint64_t id;

	CHECK(grid_cgroup_id("/nonexistent/grid/cgroup", &id) == -ENOENT);
}
