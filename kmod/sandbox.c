// SPDX-License-Identifier: GPL-2.0
/*
 * Sandboxes: cgroup v2 directories bound to a lease. The module keeps the
 * directory's path (taken from the fd the binder passed, never from a path
 * string) and kills the sandbox's tasks by writing "1" to the cgroup.kill
 * file beneath it. Which sandbox a task is in follows from its cgroup's
 * ancestry, which is what scopes /dev/grid for tasks inside one.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "grid.h"

LIST_HEAD(grid_sandboxes);
static DEFINE_HASHTABLE(by_cgroup, 8);

static u32 id_hash(u64 id)
{
	return hash_64(id, 32);
}

struct grid_sandbox *grid_sandbox_find(u64 cgroup_id)
{
	struct grid_sandbox *sb;

	lockdep_assert_held(&grid_mutex);
	hash_for_each_possible(by_cgroup, sb, hnode, id_hash(cgroup_id))
		if (sb->cgroup_id == cgroup_id)
			return sb;
	return NULL;
}

/* The sandbox @cgrp or one of its ancestors is bound as, if any. */
static struct grid_sandbox *sandbox_above(struct cgroup *cgrp)
{
	struct grid_sandbox *sb;

	for (; cgrp; cgrp = cgroup_parent(cgrp)) {
		sb = grid_sandbox_find(cgroup_id(cgrp));
		if (sb)
			return sb;
	}
	return NULL;
}

/* Whether a sandbox is bound below @cgrp. */
static bool sandbox_below(struct cgroup *cgrp)
{
	struct grid_sandbox *sb;

	list_for_each_entry(sb, &grid_sandboxes, node)
		if (cgroup_is_descendant(sb->cgrp, cgrp))
			return true;
	return false;
}

/* Reads the cgroup.type of the directory at @dir. */
static bool is_threaded(const struct path *dir)
{
	char buf[24] = {};
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = file_open_root(dir, "cgroup.type", O_RDONLY, 0);
	if (IS_ERR(f))
		return false;
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	fput(f);
	return n > 0 && !strncmp(buf, "threaded", 8);
}

struct grid_sandbox *grid_sandbox_of_current(void)
{
	struct grid_sandbox *sb;

	lockdep_assert_held(&grid_mutex);
	if (hash_empty(by_cgroup))
		return NULL;
	rcu_read_lock();
	sb = sandbox_above(task_dfl_cgroup(current));
	rcu_read_unlock();
	return sb;
}

static void release(struct kref *ref)
{
	struct grid_sandbox *sb = container_of(ref, struct grid_sandbox, ref);

	pr_debug("sandbox %lu destroyed\n", sb->seq);
	path_put(&sb->dir);
	cgroup_put(sb->cgrp);
	grid_lease_put(sb->lease);
	kfree(sb);
	grid_obj_destroyed(GRID_OBJ_SANDBOX);
}

void grid_sandbox_put(struct grid_sandbox *sb)
{
	kref_put(&sb->ref, release);
}

static struct file *open_below(struct grid_sandbox *sb, const char *name,
			       int flags)
{
	return file_open_root(&sb->dir, name, flags, 0);
}

/*
 * Kills every task in the sandbox and below. The kernel's cgroup.kill
 * does the work, including tasks forking while it runs. If the cgroup is
 * already gone there is nothing to kill. The file is opened with the
 * kernel's credentials, not the caller's: a revoke or an rmmod must kill
 * whatever file permissions or an LSM would let the caller open. A kill
 * that fails leaves the sandbox bound, not falsely reported killed.
 */
void grid_sandbox_kill(struct grid_sandbox *sb)
{
	const struct cred *old;
	struct cred *kcred;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	lockdep_assert_held(&grid_mutex);
	kcred = prepare_kernel_cred(NULL);
	if (!kcred) {
		n = -ENOMEM;
		goto failed;
	}
	old = override_creds(kcred);
	f = open_below(sb, "cgroup.kill", O_WRONLY);
	if (IS_ERR(f)) {
		n = PTR_ERR(f);
	} else {
		n = kernel_write(f, "1", 1, &pos);
		fput(f);
	}
	revert_creds(old);
	put_cred(kcred);
	if (n != 1 && n != -ENOENT)
		goto failed;
	sb->state = GRID_SANDBOX_KILLED;
	grid_generation++;
	grid_event(GRID_EVENT_SANDBOX_KILLED, sb->lease->id, sb->cgroup_id,
		   sb->lease->gg->name, 0);
	return;
failed:
	pr_warn_ratelimited("sandbox %llu: cgroup.kill failed: %zd\n",
			    sb->cgroup_id, n);
}

/*
 * Reads one number from a file of the sandbox's cgroup: the whole file
 * (@key NULL, "max" meaning GRID_LIMIT_MAX) or the line "@key N".
 */
int grid_sandbox_read_u64(struct grid_sandbox *sb, const char *file,
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
	f = open_below(sb, file, O_RDONLY);
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

/* Moves a bound sandbox to lease @l in one step. */
static int rebind(struct cgroup *cgrp, struct grid_lease *l)
{
	struct grid_sandbox *sb = grid_sandbox_find(cgroup_id(cgrp));
	struct grid_lease *old;

	lockdep_assert_held(&grid_mutex);
	if (!sb)
		return -ENOENT;
	old = sb->lease;
	if (old == l)
		return 0;
	list_del(&sb->lease_node);
	old->nr_sandboxes--;
	old->gg->nr_sandboxes--;
	grid_lease_get(l);
	sb->lease = l;
	list_add_tail(&sb->lease_node, &l->sandboxes);
	l->nr_sandboxes++;
	l->gg->nr_sandboxes++;
	sb->state = GRID_SANDBOX_BOUND;
	grid_generation++;
	grid_event(GRID_EVENT_SANDBOX_BOUND, l->id, sb->cgroup_id, l->gg->name,
		   0);
	/* The map still holds the old lease, so this is never the last put. */
	grid_lease_put(old);
	return 0;
}

int grid_sandbox_bind(struct grid_ioc_sandbox *a)
{
	struct grid_sandbox *sb = NULL;
	bool inside;
	struct grid_lease *l;
	struct cgroup *cgrp;
	struct file *f;
	int ret;

	if (a->reserved)
		return -EINVAL;
	f = fget(a->cgroup_fd);
	if (!f)
		return -EBADF;
	ret = -ENOTDIR;
	if (!S_ISDIR(file_inode(f)->i_mode))
		goto out_fput;
	ret = -EINVAL;
	if (f->f_path.dentry->d_sb->s_magic != CGROUP2_SUPER_MAGIC)
		goto out_fput;
	cgrp = cgroup_get_from_fd(a->cgroup_fd);
	if (IS_ERR(cgrp)) {
		ret = PTR_ERR(cgrp);
		goto out_fput;
	}
	/*
	 * The fd was looked up twice; another thread may have put another
	 * directory behind it in between. The cgroup checked must be the
	 * one whose cgroup.kill is written.
	 */
	ret = -EBADF;
	if ((ino_t)cgroup_id(cgrp) != file_inode(f)->i_ino)
		goto out_cgroup;
	/* cgroup.kill refuses threaded cgroups: they could not be killed. */
	ret = -EINVAL;
	if (is_threaded(&f->f_path))
		goto out_cgroup;
	/* Binding the root would let one lease's end kill the machine. */
	ret = -EINVAL;
	if (!cgroup_parent(cgrp))
		goto out_cgroup;
	/*
	 * A binder inside the cgroup would be killed with it at the lease's
	 * end, and locked out of /dev/grid until then.
	 */
	rcu_read_lock();
	inside = cgroup_is_descendant(task_dfl_cgroup(current), cgrp);
	rcu_read_unlock();
	ret = -EDEADLK;
	if (inside)
		goto out_cgroup;
	ret = -ENOMEM;
	sb = kzalloc(sizeof(*sb), GFP_KERNEL);
	if (!sb)
		goto out_cgroup;

	mutex_lock(&grid_mutex);
	ret = -ENOENT;
	l = grid_lease_find(a->lease_id);
	if (!l)
		goto out_unlock;
	if (!grid_lease_live(l)) {
		ret = l->state == GRID_LEASE_REVOKED ? -EKEYREVOKED : -EKEYEXPIRED;
		goto out_unlock;
	}
	if (a->flags & GRID_SANDBOX_REBIND) {
		ret = rebind(cgrp, l);
		if (!ret)
			a->cgroup_id = cgroup_id(cgrp);
		goto out_unlock;
	}
	ret = -EEXIST;
	if (grid_sandbox_find(cgroup_id(cgrp)))
		goto out_unlock;
	/* A sandbox inside (or around) a sandbox would have two leases. */
	ret = -EBUSY;
	if (sandbox_above(cgroup_parent(cgrp)) || sandbox_below(cgrp))
		goto out_unlock;

	kref_init(&sb->ref);
	sb->cgroup_id = cgroup_id(cgrp);
	sb->cgrp = cgrp;
	sb->dir = f->f_path;
	path_get(&sb->dir);
	grid_lease_get(l);
	sb->lease = l;
	list_add_tail(&sb->lease_node, &l->sandboxes);
	l->nr_sandboxes++;
	l->gg->nr_sandboxes++;
	sb->state = GRID_SANDBOX_BOUND;
	sb->seq = grid_next_seq();
	list_add_tail(&sb->node, &grid_sandboxes);
	hash_add(by_cgroup, &sb->hnode, id_hash(sb->cgroup_id));
	grid_generation++;
	grid_obj_created(GRID_OBJ_SANDBOX);
	pr_debug("sandbox %lu created\n", sb->seq);
	a->cgroup_id = sb->cgroup_id;
	grid_event(GRID_EVENT_SANDBOX_BOUND, l->id, sb->cgroup_id,
		   l->gg->name, 0);
	mutex_unlock(&grid_mutex);
	fput(f);
	return 0;

out_unlock:
	mutex_unlock(&grid_mutex);
	kfree(sb);
out_cgroup:
	cgroup_put(cgrp);
out_fput:
	fput(f);
	return ret;
}

static void unlink(struct grid_sandbox *sb)
{
	lockdep_assert_held(&grid_mutex);
	sb->dead = true;
	list_del(&sb->node);
	hash_del(&sb->hnode);
	list_del(&sb->lease_node);
	sb->lease->nr_sandboxes--;
	sb->lease->gg->nr_sandboxes--;
	grid_generation++;
}

int grid_sandbox_unbind(u64 cgroup_id)
{
	struct grid_sandbox *sb;

	mutex_lock(&grid_mutex);
	sb = grid_sandbox_find(cgroup_id);
	if (sb) {
		unlink(sb);
		grid_sandbox_put(sb);
	}
	mutex_unlock(&grid_mutex);
	return sb ? 0 : -ENOENT;
}

/* Module exit: whatever runs under a live lease dies with the module. */
void grid_sandboxes_flush(void)
{
	struct grid_sandbox *sb, *tmp;

	mutex_lock(&grid_mutex);
	list_for_each_entry_safe(sb, tmp, &grid_sandboxes, node) {
		if (sb->state == GRID_SANDBOX_BOUND)
			grid_sandbox_kill(sb);
		unlink(sb);
		grid_sandbox_put(sb);
	}
	mutex_unlock(&grid_mutex);
}

/* GRID_IOC_SELF: the caller's own lease and usage. */
int grid_self(struct grid_self *s)
{
	struct grid_sandbox *sb;
	struct grid_lease *l;
	u64 v;

	if (s->reserved)
		return -EINVAL;
	mutex_lock(&grid_mutex);
	sb = grid_sandbox_of_current();
	if (!sb) {
		mutex_unlock(&grid_mutex);
		return -ENOENT;
	}
	l = sb->lease;
	s->lease_id = l->id;
	s->serial = l->serial;
	memcpy(s->gridgrid, l->gg->name, GRID_NAME_LEN);
	s->limits = l->limits;
	s->not_before_ns = l->not_before;
	s->not_after_ns = l->not_after;
	s->state = l->state;
	s->cgroup_id = sb->cgroup_id;
	/* A controller that is not enabled leaves its figure at 0. */
	s->cpu_usage_us = grid_sandbox_read_u64(sb, "cpu.stat", "usage_usec", &v) ? 0 : v;
	s->memory_current = grid_sandbox_read_u64(sb, "memory.current", NULL, &v) ? 0 : v;
	s->pids_current = grid_sandbox_read_u64(sb, "pids.current", NULL, &v) ? 0 : v;
	mutex_unlock(&grid_mutex);
	return 0;
}

bool grid_current_in_sandbox(void)
{
	bool in;

	mutex_lock(&grid_mutex);
	in = grid_sandbox_of_current();
	mutex_unlock(&grid_mutex);
	return in;
}
