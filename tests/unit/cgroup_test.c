// SPDX-License-Identifier: GPL-2.0
/* cgroup ids from paths, as gridctl sandbox unbind and show take them. */
#define UNIT_SUITE "unit/cgroup"
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>
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

/* The same directory, open: its id, and the path the kernel gives it. */
TEST(an_open_cgroup_directory_gives_its_id_and_path)
{
	const char *root = cgroup2_root();
	char path[4096];
	uint64_t a = 0, b = 0;
	int fd;

	if (!root)
		SKIP("no cgroup2 mount here");
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(grid_cgroup_id_fd(fd, &a) == 0);
	CHECK(grid_cgroup_id(root, &b) == 0 && a == b);
	CHECK(grid_cgroup_fd_path(fd, path, sizeof(path)) == 0);
	CHECK(!strcmp(path, root));
	close(fd);
}

TEST(the_root_of_a_cgroup2_mount_is_level_0_and_a_child_level_1)
{
	const char *root = cgroup2_root();
	char dir[4200];
	int level = -1, made;

	if (!root)
		SKIP("no cgroup2 mount here");
	CHECK(grid_cgroup_level(root, &level) == 0);
	/* A mount of a subtree would say its depth; ours is the root. */
	CHECK(level == 0);
	snprintf(dir, sizeof(dir), "%s/unit-level-%d", root, (int)getpid());
	made = mkdir(dir, 0755) == 0;
	if (!made)
		SKIP("cannot make a cgroup here");
	CHECK(grid_cgroup_level(dir, &level) == 0 && level == 1);
	rmdir(dir);
	CHECK(grid_cgroup_level("/tmp", &level) == -EINVAL);
}

struct racer {
	const char *path;
	bool created;
	int ret;
};

static void *race_mkdir(void *arg)
{
	struct racer *r = arg;

	r->ret = grid_cgroup_mkdir(r->path, &r->created);
	return NULL;
}

/*
 * Two callers making the same directory: only the one whose mkdir made it
 * may say so (an attach that lost the race must not rmdir it on undo).
 */
TEST(of_two_racing_mkdirs_only_one_says_it_created_the_directory)
{
	const char *root = cgroup2_root();
	char dir[4200];
	int i, both = 0, none = 0;

	if (!root)
		SKIP("no cgroup2 mount here");
	for (i = 0; i < 200; i++) {
		struct racer a, b;
		pthread_t t;

		snprintf(dir, sizeof(dir), "%s/unit-race-%d-%d", root,
			 (int)getpid(), i);
		a = (struct racer){ .path = dir };
		b = a;
		if (pthread_create(&t, NULL, race_mkdir, &a))
			SKIP("no thread");
		race_mkdir(&b);
		pthread_join(t, NULL);
		if (a.ret == -EACCES || a.ret == -EPERM || a.ret == -EROFS)
			SKIP("cannot make a cgroup here");
		CHECK(a.ret == 0 && b.ret == 0);
		both += a.created && b.created;
		none += !a.created && !b.created;
		CHECK(rmdir(dir) == 0);
	}
	CHECK(both == 0 && none == 0);
}
