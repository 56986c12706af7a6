// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroup.h"

/* @path relative to @dirfd, or the directory itself with @path "". */
static int id_at(int dirfd, const char *path, uint64_t *id)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	struct statfs sfs;
	int mount_id, ret;

	ret = *path ? statfs(path, &sfs) : fstatfs(dirfd, &sfs);
	if (ret < 0)
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -EINVAL;
	/* On cgroup2 the file handle is the cgroup id (kernfs's FILEID_KERNFS). */
	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = sizeof(uint64_t);
	if (name_to_handle_at(dirfd, path, &h.fh, &mount_id,
			      *path ? 0 : AT_EMPTY_PATH) < 0)
		return -errno;
	if (h.fh.handle_bytes != sizeof(uint64_t))
		return -EINVAL;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

int grid_cgroup_id(const char *path, uint64_t *id)
{
	return id_at(AT_FDCWD, path, id);
}

int grid_cgroup_id_fd(int fd, uint64_t *id)
{
	return id_at(fd, "", id);
}

int grid_cgroup_fd_path(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len);
	if (n < 0)
		return -errno;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/* Path components of @p ("/" has none). */
static int components(const char *p)
{
	bool in = false;
	int n = 0;

	for (; *p; p++) {
		if (*p == '/')
			in = false;
		else if (!in && ++n)
			in = true;
	}
	return n;
}

int grid_cgroup_level(const char *path, int *level)
{
	char real[PATH_MAX], *line = NULL, mnt[PATH_MAX], root[PATH_MAX];
	char best_root[PATH_MAX] = "";
	size_t cap = 0, best = 0, n;
	int found = 0;
	FILE *f;

	if (!realpath(path, real))
		return -errno;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char *sep = strstr(line, " - ");

		/* id parent major:minor root mount-point ... - type ... */
		if (!sep || strncmp(sep, " - cgroup2 ", 11) ||
		    sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2)
			continue;
		n = strlen(mnt);
		if (strncmp(real, mnt, n) || (real[n] && real[n] != '/'))
			continue;
		if (n >= best) {
			best = n;
			snprintf(best_root, sizeof(best_root), "%s", root);
			found = 1;
		}
	}
	free(line);
	fclose(f);
	if (!found)
		return -EINVAL;
	*level = components(best_root) + components(real + best);
	return 0;
}

int grid_cgroup_root(char *buf, size_t len)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	struct mntent *m;
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			ret = snprintf(buf, len, "%s", m->mnt_dir) < (int)len ?
			      0 : -ENAMETOOLONG;
			break;
		}
	endmntent(f);
	return ret;
}

/* nftw() takes no argument: one search per thread at a time. */
static __thread struct {
	uint64_t id;		/* find: the cgroup looked for */
	char *path;
	size_t len;
	uint64_t *ids;		/* below: the ids found */
	size_t max, n;
} walk;

static int find_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	uint64_t id;

	(void)ftw;
	if (type != FTW_D || (uint64_t)st->st_ino != walk.id)
		return 0;
	/* The inode number is the id on cgroup2; check, as v1 reuses them. */
	if (grid_cgroup_id(path, &id) || id != walk.id)
		return 0;
	snprintf(walk.path, walk.len, "%s", path);
	return 1;
}

int grid_cgroup_find(uint64_t id, const char *hint, char *path, size_t len)
{
	char root[PATH_MAX];
	uint64_t got;
	int ret;

	if (hint && !grid_cgroup_id(hint, &got) && got == id) {
		if (snprintf(path, len, "%s", hint) >= (int)len)
			return -ENAMETOOLONG;
		return 0;
	}
	ret = grid_cgroup_root(root, sizeof(root));
	if (ret)
		return ret;
	walk.id = id;
	walk.path = path;
	walk.len = len;
	ret = nftw(root, find_one, 16, FTW_PHYS | FTW_MOUNT);
	if (ret < 0)
		return -errno;
	return ret == 1 ? 0 : -ENOENT;
}

static int collect(const char *path, const struct stat *st, int type,
		   struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type != FTW_D)
		return 0;
	if (walk.n == walk.max)
		return 1;
	walk.ids[walk.n++] = st->st_ino;
	return 0;
}

int grid_cgroup_ids_below(const char *path, uint64_t *ids, size_t max,
			  size_t *n)
{
	uint64_t id;
	int ret;

	ret = grid_cgroup_id(path, &id);
	if (ret)
		return ret;
	walk.ids = ids;
	walk.max = max;
	walk.n = 0;
	ret = nftw(path, collect, 16, FTW_PHYS | FTW_MOUNT);
	*n = walk.n;
	if (ret < 0)
		return -errno;
	return ret == 1 ? -E2BIG : 0;
}

int grid_cgroup_mkdir(const char *path, bool *created)
{
	size_t len = strlen(path), have;
	char buf[PATH_MAX], *p, c;
	struct statfs sfs;
	struct stat st;
	bool made = false;

	*created = false;
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	/* The deepest directory that is there. */
	while (stat(buf, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		p = strrchr(buf, '/');
		if (!p || p == buf)
			return -ENOENT;
		*p = '\0';
	}
	have = strlen(buf);
	if (have == len)
		return 0;
	/* Directories are made only below a cgroup2 one, never stray ones. */
	if (statfs(buf, &sfs) < 0)
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -EINVAL;
	memcpy(buf, path, len + 1);
	for (p = buf + have + 1;; p++) {
		if (*p && *p != '/')
			continue;
		c = *p;
		*p = '\0';
		made = mkdir(buf, 0755) == 0;
		if (!made && errno != EEXIST)
			return -errno;
		if (!c)
			break;
		*p = c;
	}
	/* Another mkdir that won the race for the last one owns it. */
	*created = made;
	return 0;
}

int grid_cgroup_read(const char *path, const char *file, char *buf,
		     size_t len)
{
	char name[PATH_MAX];

	if (snprintf(name, sizeof(name), "%s/%s", path, file) >= (int)sizeof(name))
		return -ENAMETOOLONG;
	return grid_cgroup_read_at(AT_FDCWD, name, buf, len);
}

int grid_cgroup_read_at(int dirfd, const char *file, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int grid_cgroup_write(const char *path, const char *file, const char *val)
{
	char name[PATH_MAX];

	if (snprintf(name, sizeof(name), "%s/%s", path, file) >= (int)sizeof(name))
		return -ENAMETOOLONG;
	return grid_cgroup_write_at(AT_FDCWD, name, val);
}

int grid_cgroup_write_at(int dirfd, const char *file, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, ret = 0;

	fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

/* Whether the space-separated @list holds @word. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

int grid_cgroup_enable(const char *path, const char *ctl, char *failed,
		       size_t len)
{
	char dir[PATH_MAX], list[512], plus[64];
	size_t ends[64];	/* the length of each ancestor's path */
	struct stat st, up;
	int n = 0, ret;
	char *slash;

	if (!realpath(path, dir))
		return -errno;
	if (stat(dir, &st) < 0)
		return -errno;
	/* The ancestors, up to the root of this cgroup2 mount. */
	for (;;) {
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			break;
		*slash = '\0';
		if (stat(dir, &up) < 0)
			return -errno;
		if (up.st_dev != st.st_dev)
			break;
		if (n == (int)(sizeof(ends) / sizeof(ends[0])))
			return -ELOOP;
		ends[n++] = strlen(dir);
	}
	if (!realpath(path, dir))
		return -errno;
	snprintf(plus, sizeof(plus), "+%s", ctl);
	/* From the root down: a controller is enabled below an enabled one. */
	while (n--) {
		char keep = dir[ends[n]];

		dir[ends[n]] = '\0';
		ret = grid_cgroup_read(dir, "cgroup.subtree_control", list,
				       sizeof(list));
		if (!ret && !has_word(list, ctl))
			ret = grid_cgroup_write(dir, "cgroup.subtree_control",
						plus);
		if (ret) {
			snprintf(failed, len, "%s/cgroup.subtree_control", dir);
			return ret;
		}
		dir[ends[n]] = keep;
	}
	return 0;
}

int grid_cgroup_delegate(const char *path, char *failed, size_t len)
{
	static const char *const ctls[] = { "cpu", "memory", "pids" };
	char root[PATH_MAX], have[512], list[512], plus[64];
	unsigned int i;
	int ret;

	ret = grid_cgroup_root(root, sizeof(root));
	if (!ret)
		ret = grid_cgroup_read(root, "cgroup.controllers", have,
				       sizeof(have));
	if (ret) {
		snprintf(failed, len, "%s/cgroup.controllers", root);
		return ret;
	}
	for (i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++) {
		/* What the kernel lacks, no lease can be limited by. */
		if (!has_word(have, ctls[i]))
			continue;
		ret = grid_cgroup_enable(path, ctls[i], failed, len);
		if (ret)
			return ret;
		ret = grid_cgroup_read(path, "cgroup.subtree_control", list,
				       sizeof(list));
		snprintf(plus, sizeof(plus), "+%s", ctls[i]);
		if (!ret && !has_word(list, ctls[i]))
			ret = grid_cgroup_write(path, "cgroup.subtree_control",
						plus);
		if (ret) {
			snprintf(failed, len, "%s/cgroup.subtree_control", path);
			return ret;
		}
	}
	return 0;
}

/* The proc inode number of the initial cgroup namespace (PROC_CGROUP_INIT_INO). */
#define CGROUP_NS_INIT_INO	0xEFFFFFFBU

bool grid_cgroup_ns_is_initial(void)
{
	struct stat st;

	return !stat("/proc/self/ns/cgroup", &st) &&
	       st.st_ino == CGROUP_NS_INIT_INO;
}
