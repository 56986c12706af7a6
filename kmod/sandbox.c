// SPDX-License-Identifier: GPL-2.0
/*
 * Sandboxes: cgroup v2 directories bound to a lease, below the cgroup of
 * the lease's grid-grid. The bind takes everything the lease's end will
 * need (the directory, from the fd the binder passed, never from a path
 * string; cgroup.kill open for writing) and writes the lease's limits
 * into the lease cgroup, so that the end of the lease needs no
 * credentials and no path walk, and a bound sandbox never runs above its
 * lease. Which sandbox a task is in follows from its cgroup's ancestry,
 * which is what scopes /dev/grid for tasks inside one.
 */
#include <linux/cgroup.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "grid.h"

/* A failed kill is tried again after this, twice as long each time. */
#define RETRY_FIRST_MS	100
#define RETRY_MAX_MS	10000

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

/*
 * Whether lease cgroup @lc may hold a sandbox of lease @l (@self: the
 * sandbox being moved, not counted): a lease cgroup holds one lease's
 * sandboxes, and a lease's sandboxes are all in one lease cgroup, which
 * carries its limits once for all of them.
 */
static bool lease_cgroup_taken(struct cgroup *lc, struct grid_lease *l,
			       struct grid_sandbox *self)
{
	struct grid_sandbox *sb;

	list_for_each_entry(sb, &grid_sandboxes, node) {
		if (sb == self)
			continue;
		if (sb->lease_cgrp == lc && sb->lease != l)
			return true;
		if (sb->lease == l && sb->lease_cgrp != lc)
			return true;
	}
	return false;
}

/*
 * Whether cgroup.kill can kill the cgroup at @dir: its cgroup.type is
 * "domain" or "domain threaded". A threaded one cannot be killed, and a
 * "domain invalid" one may become threaded.
 */
static bool is_domain(const struct path *dir)
{
	char buf[24] = {};
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = grid_cgfile_open(dir, "cgroup.type", O_RDONLY);
	if (IS_ERR(f))
		return false;
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	fput(f);
	return n > 0 && (!strcmp(buf, "domain\n") ||
			 !strcmp(buf, "domain threaded\n"));
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
	fput(sb->kill);
	path_put(&sb->lease_dir);
	path_put(&sb->dir);
	cgroup_put(sb->lease_cgrp);
	cgroup_put(sb->cgrp);
	grid_lease_put(sb->lease);
	kfree(sb);
	grid_obj_destroyed(GRID_OBJ_SANDBOX);
}

void grid_sandbox_get(struct grid_sandbox *sb)
{
	kref_get(&sb->ref);
}

void grid_sandbox_put(struct grid_sandbox *sb)
{
	kref_put(&sb->ref, release);
}

/* A new generation for @sb, said with event @type; returns it. */
static u64 sandbox_changed(struct grid_sandbox *sb, enum grid_event type,
			   int error)
{
	u64 gen = grid_bump();

	sb->gen = gen;
	grid_event(type, &(struct grid_event_info){
		.gen = gen, .lease_id = sb->lease->id,
		.cgroup_id = sb->cgroup_id, .gridgrid = sb->lease->gg->name,
		.error = error });
	return gen;
}

/*
 * Kills every task in the sandbox's lease cgroup and below: the
 * sandbox's, and any the lease's holder moved out of the sandbox but
 * not out of the lease cgroup, which serves this lease only. The
 * kernel's cgroup.kill does the work, including tasks forking while it
 * runs, through the file the bind opened. A cgroup removed since has no task left (-ENODEV).
 * A write that fails leaves the sandbox bound and marked, says so once
 * per errno, and is tried again later by the retry work, which needs no
 * caller alive.
 */
void grid_sandbox_kill(struct grid_sandbox *sb)
{
	int ret, delay;

	lockdep_assert_held(&grid_mutex);
	sb->kill_tries++;
	ret = grid_cgfile_write(sb->kill, "1");
	if (!ret || ret == -ENODEV || ret == -ENOENT) {
		sb->state = GRID_SANDBOX_KILLED;
		sb->kill_err = 0;
		sb->retry_ms = 0;
		sandbox_changed(sb, GRID_EVENT_SANDBOX_KILLED, 0);
		return;
	}
	if (sb->state != GRID_SANDBOX_KILL_FAILED || sb->kill_err != -ret) {
		sb->state = GRID_SANDBOX_KILL_FAILED;
		sb->kill_err = -ret;
		sandbox_changed(sb, GRID_EVENT_SANDBOX_KILL_FAILED, -ret);
		pr_warn_ratelimited("sandbox %llu: cgroup.kill failed: %d; retrying\n",
				    sb->cgroup_id, ret);
	}
	delay = sb->retry_ms ? min(2 * sb->retry_ms, RETRY_MAX_MS) :
		RETRY_FIRST_MS;
	sb->retry_ms = delay;
	queue_delayed_work(grid_wq, &sb->retry, msecs_to_jiffies(delay));
}

/*
 * Needs no reference of its own: a sandbox's work is cancelled, with
 * the sandbox dead and grid_mutex not held, before its map reference
 * is put (unbind, flush), and nothing queues it once it is dead.
 */
static void retry_fn(struct work_struct *work)
{
	struct grid_sandbox *sb = container_of(to_delayed_work(work),
					       struct grid_sandbox, retry);

	mutex_lock(&grid_mutex);
	if (!sb->dead && sb->state == GRID_SANDBOX_KILL_FAILED)
		grid_sandbox_kill(sb);
	mutex_unlock(&grid_mutex);
}

/*
 * The directory of the lease cgroup, @up levels above @dir, through the
 * same mount: the lease's limits are written there with the binder's
 * view. -EXDEV if the mount does not reach it.
 */
static int lease_dir_of(const struct path *dir, int up, struct cgroup *lc,
			struct path *out)
{
	struct dentry *d = dget(dir->dentry), *parent;

	while (up--) {
		if (d == dir->mnt->mnt_root) {
			dput(d);
			return -EXDEV;
		}
		parent = dget_parent(d);
		dput(d);
		d = parent;
	}
	if (!d_inode(d) || d_inode(d)->i_ino != (ino_t)cgroup_id(lc)) {
		dput(d);
		return -EXDEV;
	}
	out->mnt = mntget(dir->mnt);
	out->dentry = d;
	return 0;
}

/* What a bind found out before writing the limits. */
struct bind {
	struct grid_ioc_sandbox *a;
	struct path dir, lease_dir;
	struct cgroup *cgrp, *lease_cgrp;
	struct file *kill;
	struct grid_lease *lease;	/* referenced */
	struct grid_sandbox *rebound;	/* REBIND: the sandbox moved */
	struct grid_limits limits;
	struct grid_limits old_limits;	/* REBIND: its lease's, for undo */
};

/* The checks of the lease and the place, under grid_mutex. */
static int bind_check(struct bind *b)
{
	struct grid_gridgrid *gg;
	struct grid_lease *l;
	struct cgroup *lc;

	lockdep_assert_held(&grid_mutex);
	l = grid_lease_find(b->a->lease_id);
	if (!l)
		return -ENOENT;
	if (l->state == GRID_LEASE_PENDING)
		return -EAGAIN;
	if (!grid_lease_live(l))
		return l->state == GRID_LEASE_REVOKED ? -EKEYREVOKED : -EKEYEXPIRED;
	gg = l->gg;
	if (!gg->cgrp || b->cgrp == gg->cgrp ||
	    !cgroup_is_descendant(b->cgrp, gg->cgrp))
		return -EXDEV;
	lc = cgroup_ancestor(b->cgrp, gg->cgrp->level + 1);
	if (WARN_ON_ONCE(!lc))
		return -EXDEV;

	if (b->a->flags & GRID_SANDBOX_REBIND) {
		struct grid_sandbox *sb = grid_sandbox_find(cgroup_id(b->cgrp));

		if (!sb)
			return -ENOENT;
		if (sb->lease->gg != gg)
			return -EXDEV;
		/* The old lease's other sandboxes keep the lease cgroup. */
		if (lease_cgroup_taken(lc, l, sb))
			return -EBUSY;
		if (!b->rebound) {
			grid_sandbox_get(sb);
			b->rebound = sb;
			b->old_limits = sb->lease->limits;
		} else if (b->rebound != sb) {
			return -EAGAIN;	/* cannot happen: changes are serial */
		}
	} else {
		if (grid_sandbox_find(cgroup_id(b->cgrp)))
			return -EEXIST;
		/* A sandbox inside (or around) a sandbox would have two leases. */
		if (sandbox_above(cgroup_parent(b->cgrp)) ||
		    sandbox_below(b->cgrp))
			return -EBUSY;
		if (lease_cgroup_taken(lc, l, NULL))
			return -EBUSY;
	}
	if (!b->lease) {
		grid_lease_get(l);
		b->lease = l;
		cgroup_get(lc);
		b->lease_cgrp = lc;
	} else if (b->lease != l || b->lease_cgrp != lc) {
		return -EAGAIN;		/* cannot happen: changes are serial */
	}
	b->limits = l->limits;
	return 0;
}

static void rebind(struct bind *b)
{
	struct grid_sandbox *sb = b->rebound;
	struct grid_lease *old = sb->lease, *l = b->lease;
	u64 gen;

	lockdep_assert_held(&grid_mutex);
	if (old == l)
		return;
	list_del(&sb->lease_node);
	old->nr_sandboxes--;
	grid_lease_get(l);
	sb->lease = l;
	list_add_tail(&sb->lease_node, &l->sandboxes);
	l->nr_sandboxes++;
	sb->state = GRID_SANDBOX_BOUND;
	sb->kill_err = 0;
	sb->retry_ms = 0;
	gen = sandbox_changed(sb, GRID_EVENT_SANDBOX_BOUND, 0);
	l->gen = gen;
	old->gen = gen;
	/* The map still holds the old lease, so this is never the last put. */
	grid_lease_put(old);
}

static int bind_new(struct bind *b)
{
	struct grid_sandbox *sb;
	struct grid_lease *l = b->lease;
	u64 gen;
	int ret;

	lockdep_assert_held(&grid_mutex);
	sb = kzalloc(sizeof(*sb), GFP_KERNEL);
	if (!sb)
		return -ENOMEM;
	kref_init(&sb->ref);
	INIT_DELAYED_WORK(&sb->retry, retry_fn);
	sb->seq = grid_next_seq();
	ret = grid_index_add(GRID_OBJ_SANDBOX, sb->seq, sb);
	if (ret) {
		kfree(sb);
		return ret;
	}
	sb->cgroup_id = cgroup_id(b->cgrp);
	sb->cgrp = b->cgrp;
	sb->lease_cgrp = b->lease_cgrp;
	sb->dir = b->dir;
	sb->lease_dir = b->lease_dir;
	sb->kill = b->kill;
	b->cgrp = NULL;
	b->lease_cgrp = NULL;
	b->kill = NULL;
	b->dir.dentry = NULL;
	b->lease_dir.dentry = NULL;
	grid_lease_get(l);
	sb->lease = l;
	list_add_tail(&sb->lease_node, &l->sandboxes);
	l->nr_sandboxes++;
	l->gg->nr_sandboxes++;
	sb->state = GRID_SANDBOX_BOUND;
	list_add_tail(&sb->node, &grid_sandboxes);
	hash_add(by_cgroup, &sb->hnode, id_hash(sb->cgroup_id));
	grid_obj_created(GRID_OBJ_SANDBOX);
	pr_debug("sandbox %lu created\n", sb->seq);
	gen = sandbox_changed(sb, GRID_EVENT_SANDBOX_BOUND, 0);
	l->gen = gen;
	l->gg->gen = gen;
	return 0;
}

static void bind_free(struct bind *b)
{
	if (b->rebound)
		grid_sandbox_put(b->rebound);
	if (b->kill)
		fput(b->kill);
	if (b->lease_dir.dentry)
		path_put(&b->lease_dir);
	if (b->dir.dentry)
		path_put(&b->dir);
	if (b->lease_cgrp)
		cgroup_put(b->lease_cgrp);
	if (b->cgrp)
		cgroup_put(b->cgrp);
	if (b->lease)
		grid_lease_put(b->lease);
}

/*
 * Called with grid_change_mutex held, so that no other change of leases
 * or sandboxes comes between the checks, the limit writes (made without
 * grid_mutex: lowering memory.max reclaims, and may take long) and the
 * commit. Only a lease's end can: the commit checks again.
 */
int grid_sandbox_bind(struct grid_ioc_sandbox *a)
{
	struct bind b = { .a = a };
	bool inside;
	int ret;

	lockdep_assert_held(&grid_change_mutex);
	if (a->reserved)
		return -EINVAL;
	ret = grid_cgroup_dir_get(a->cgroup_fd, &b.dir, &b.cgrp);
	if (ret)
		return ret;
	/* cgroup.kill refuses threaded cgroups: they could not be killed. */
	ret = -EINVAL;
	if (!is_domain(&b.dir))
		goto out;
	/* Binding the root would let one lease's end kill the machine. */
	if (!cgroup_parent(b.cgrp))
		goto out;
	mutex_lock(&grid_mutex);
	ret = bind_check(&b);
	mutex_unlock(&grid_mutex);
	if (ret)
		goto out;
	/*
	 * A binder inside the lease cgroup (the sandbox's own, or one
	 * around it) would be killed with it at the lease's end, and
	 * locked out of /dev/grid until then.
	 */
	rcu_read_lock();
	inside = cgroup_is_descendant(task_dfl_cgroup(current), b.lease_cgrp);
	rcu_read_unlock();
	ret = -EDEADLK;
	if (inside)
		goto out;

	if (!b.rebound) {
		ret = lease_dir_of(&b.dir, b.cgrp->level - b.lease_cgrp->level,
				   b.lease_cgrp, &b.lease_dir);
		if (ret)
			goto out;
		ret = -EINVAL;
		if (!is_domain(&b.lease_dir))
			goto out;
		b.kill = grid_cgfile_open(&b.lease_dir, "cgroup.kill",
					  O_WRONLY);
		if (IS_ERR(b.kill)) {
			ret = PTR_ERR(b.kill);
			b.kill = NULL;
			goto out;
		}
		ret = grid_limits_write(&b.lease_dir, &b.limits);
	} else {
		ret = grid_limits_write(&b.rebound->lease_dir, &b.limits);
	}
	if (ret)
		goto undo;

	a->cgroup_id = cgroup_id(b.cgrp);
	mutex_lock(&grid_mutex);
	/* The lease may have ended while the limits were written. */
	ret = bind_check(&b);
	if (!ret) {
		if (b.rebound)
			rebind(&b);
		else
			ret = bind_new(&b);
	}
	mutex_unlock(&grid_mutex);
undo:
	/* The sandbox stays with its old lease, under that lease's limits. */
	if (ret && b.rebound)
		grid_limits_write(&b.rebound->lease_dir, &b.old_limits);
out:
	bind_free(&b);
	return ret;
}

/*
 * The lease cgroup directories of @l's sandboxes, referenced, for a
 * LEASE_SET to write new limits into after letting go of grid_mutex.
 */
int grid_sandbox_dirs(struct grid_lease *l, struct path **dirs,
		      unsigned int *n)
{
	struct grid_sandbox *sb;
	unsigned int i = 0;

	lockdep_assert_held(&grid_mutex);
	*dirs = NULL;
	*n = 0;
	if (!l->nr_sandboxes)
		return 0;
	*dirs = kcalloc(l->nr_sandboxes, sizeof(**dirs), GFP_KERNEL);
	if (!*dirs)
		return -ENOMEM;
	list_for_each_entry(sb, &l->sandboxes, lease_node) {
		if (WARN_ON_ONCE(i == l->nr_sandboxes))
			break;
		(*dirs)[i] = sb->lease_dir;
		path_get(&(*dirs)[i]);
		i++;
	}
	*n = i;
	return 0;
}

void grid_sandbox_dirs_put(struct path *dirs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		path_put(&dirs[i]);
	kfree(dirs);
}

static void unlink(struct grid_sandbox *sb)
{
	u64 gen;

	lockdep_assert_held(&grid_mutex);
	sb->dead = true;
	list_del(&sb->node);
	hash_del(&sb->hnode);
	grid_index_del(GRID_OBJ_SANDBOX, sb->seq);
	list_del(&sb->lease_node);
	sb->lease->nr_sandboxes--;
	sb->lease->gg->nr_sandboxes--;
	gen = sandbox_changed(sb, GRID_EVENT_SANDBOX_UNBOUND, 0);
	sb->lease->gen = gen;
	sb->lease->gg->gen = gen;
}

/* After unlink(), without grid_mutex: no retry may run on it after. */
static void quiesce_and_put(struct grid_sandbox *sb)
{
	cancel_delayed_work_sync(&sb->retry);
	grid_sandbox_put(sb);
}

int grid_sandbox_unbind(u64 cgroup_id)
{
	struct grid_sandbox *sb;

	mutex_lock(&grid_mutex);
	sb = grid_sandbox_find(cgroup_id);
	if (sb)
		unlink(sb);
	mutex_unlock(&grid_mutex);
	if (!sb)
		return -ENOENT;
	quiesce_and_put(sb);
	return 0;
}

/* Module exit: whatever runs under a live lease dies with the module. */
void grid_sandboxes_flush(void)
{
	struct grid_sandbox *sb;

	for (;;) {
		mutex_lock(&grid_mutex);
		sb = list_first_entry_or_null(&grid_sandboxes,
					      struct grid_sandbox, node);
		if (sb) {
			if (sb->state != GRID_SANDBOX_KILLED)
				grid_sandbox_kill(sb);
			unlink(sb);
		}
		mutex_unlock(&grid_mutex);
		if (!sb)
			return;
		quiesce_and_put(sb);
	}
}

/*
 * GRID_IOC_SELF: the caller's own lease and usage. What the objects say
 * is copied under grid_mutex; the cgroup files are read after, so that a
 * task in a sandbox cannot hold up the control plane.
 */
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
	grid_sandbox_get(sb);
	mutex_unlock(&grid_mutex);
	/*
	 * What the lease's limits are held against: the lease cgroup's
	 * figures, where the module wrote them (the sandbox below may
	 * not have the controllers). One not enabled leaves its figure 0.
	 */
	s->cpu_usage_us = grid_cgfile_read_u64(&sb->lease_dir, "cpu.stat",
					       "usage_usec", &v) ? 0 : v;
	s->memory_current = grid_cgfile_read_u64(&sb->lease_dir,
						 "memory.current", NULL, &v) ?
			    0 : v;
	s->pids_current = grid_cgfile_read_u64(&sb->lease_dir, "pids.current",
					       NULL, &v) ? 0 : v;
	grid_sandbox_put(sb);
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
