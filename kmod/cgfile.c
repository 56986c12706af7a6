// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup v2 files the module itself opens: a cgroup directory taken
 * from an fd, its interface files read and written, and a lease's limits
 * written into its lease cgroup.
 *
 * Files are opened through the directory the caller handed over, so
 * what is opened is what the caller could open: a read-only mount stays
 * read-only, and file modes and LSMs apply to the caller's credentials
 * at the time of the request. Whatever must still work at a lease's end,
 * with no caller (the kill, the freeze), is opened here at the request
 * and kept open.
 */
#include <linux/cgroup.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/magic.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/threads.h>

#include "grid.h"

/*
 * The cgroup v2 directory open at @fd: its path and its cgroup, both
 * referenced. -EBADF: no such fd, or another directory was put behind
 * it while we looked; -ENOTDIR: not a directory; -EINVAL: not cgroup2.
 */
int grid_cgroup_dir_get(int fd, struct path *dir, struct cgroup **cgrp)
{
	struct cgroup *c;
	struct file *f;
	int ret;

	f = fget(fd);
	if (!f)
		return -EBADF;
	ret = -ENOTDIR;
	if (!S_ISDIR(file_inode(f)->i_mode))
		goto out_fput;
	ret = -EINVAL;
	if (f->f_path.dentry->d_sb->s_magic != CGROUP2_SUPER_MAGIC)
		goto out_fput;
	c = cgroup_get_from_fd(fd);
	if (IS_ERR(c)) {
		ret = PTR_ERR(c);
		goto out_fput;
	}
	/*
	 * The fd was looked up twice; another thread may have put another
	 * directory behind it in between. The cgroup checked must be the
	 * one whose files are opened.
	 */
	ret = -EBADF;
	if ((ino_t)cgroup_id(c) != file_inode(f)->i_ino) {
		cgroup_put(c);
		goto out_fput;
	}
	*dir = f->f_path;
	path_get(dir);
	*cgrp = c;
	ret = 0;
out_fput:
	fput(f);
	return ret;
}

struct file *grid_cgfile_open(const struct path *dir, const char *name,
			      int flags)
{
	return file_open_root(dir, name, flags, 0);
}

/* Writes @val to an interface file open for writing. */
int grid_cgfile_write(struct file *f, const char *val)
{
	size_t len = strlen(val);
	loff_t pos = 0;
	ssize_t n;

	n = kernel_write(f, val, len, &pos);
	if (n == len)
		return 0;
	return n < 0 ? n : -EIO;
}

static int write_at(const struct path *dir, const char *name, const char *val)
{
	struct file *f = grid_cgfile_open(dir, name, O_WRONLY);
	int ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = grid_cgfile_write(f, val);
	fput(f);
	return ret;
}

/*
 * Reads one number from a file of the cgroup at @dir: the whole file
 * (@key NULL, "max" meaning GRID_LIMIT_MAX) or the line "@key N".
 */
int grid_cgfile_read_u64(const struct path *dir, const char *name,
			 const char *key, u64 *val)
{
	char *buf, *p, *line;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	int ret = -ENOENT;

	buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	f = grid_cgfile_open(dir, name, O_RDONLY);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto out;
	}
	n = kernel_read(f, buf, PAGE_SIZE - 1, &pos);
	fput(f);
	if (n < 0) {
		ret = n;
		goto out;
	}
	p = buf;
	while ((line = strsep(&p, "\n"))) {
		char *v = line;

		if (key) {
			size_t klen = strlen(key);

			if (strncmp(line, key, klen) || line[klen] != ' ')
				continue;
			v = line + klen + 1;
		}
		if (!strcmp(v, "max")) {
			*val = GRID_LIMIT_MAX;
			ret = 0;
		} else {
			ret = kstrtou64(v, 10, val);
		}
		break;
	}
out:
	kfree(buf);
	return ret;
}

/*
 * Amounts past what the kernel itself can count are no limit to it: a
 * cpu.max quota beyond 2^40 us (a million cores for a one-second period;
 * the scheduler refuses past about 2^44) and a pids.max past PID_MAX_LIMIT.
 * memory.max clamps by itself.
 */
#define CPU_QUOTA_AS_MAX	BIT_ULL(40)

static void amount(char *buf, size_t len, u64 v, u64 as_max)
{
	if (v == GRID_LIMIT_MAX || v >= as_max)
		strscpy(buf, "max", len);
	else
		snprintf(buf, len, "%llu", v);
}

/* One limit file; a missing one only matters for a finite limit. */
static int write_limit(const struct path *dir, const char *name,
		       const char *val)
{
	int ret = write_at(dir, name, val);

	if (ret == -ENOENT)
		return strncmp(val, "max", 3) ? -EOPNOTSUPP : 0;
	return ret;
}

/* The lease's cpu.max, memory.max and pids.max, into its lease cgroup. */
int grid_limits_write(const struct path *lease_dir,
		      const struct grid_limits *l)
{
	char quota[24], val[48];
	int ret;

	amount(quota, sizeof(quota), l->cpu_quota_us, CPU_QUOTA_AS_MAX);
	snprintf(val, sizeof(val), "%s %llu", quota, l->cpu_period_us);
	ret = write_limit(lease_dir, "cpu.max", val);
	if (ret)
		return ret;
	amount(val, sizeof(val), l->memory_bytes, GRID_LIMIT_MAX);
	ret = write_limit(lease_dir, "memory.max", val);
	if (ret)
		return ret;
	amount(val, sizeof(val), l->pids, PID_MAX_LIMIT);
	return write_limit(lease_dir, "pids.max", val);
}
