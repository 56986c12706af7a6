// SPDX-License-Identifier: GPL-2.0
/*
 * Leases: admitted against their grid-grid's share, and ended by a timer
 * on the absolute wall clock, so that a lease ends on time even when the
 * clock is set and even when no daemon runs. The timer only queues work:
 * ending a lease takes grid_mutex and writes cgroup.kill, which needs
 * process context.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "grid.h"

LIST_HEAD(grid_leases);
static DEFINE_HASHTABLE(by_id, 10);
static struct workqueue_struct *lease_wq;

static u32 id_hash(u64 id)
{
	return hash_64(id, 32);
}

struct grid_lease *grid_lease_find(u64 id)
{
	struct grid_lease *l;

	lockdep_assert_held(&grid_mutex);
	hash_for_each_possible(by_id, l, hnode, id_hash(id))
		if (l->id == id)
			return l;
	return NULL;
}

bool grid_lease_live(const struct grid_lease *l)
{
	return l->state == GRID_LEASE_PENDING || l->state == GRID_LEASE_ACTIVE;
}

static int ended_errno(const struct grid_lease *l)
{
	return l->state == GRID_LEASE_REVOKED ? -EKEYREVOKED : -EKEYEXPIRED;
}

static void release(struct kref *ref)
{
	struct grid_lease *l = container_of(ref, struct grid_lease, ref);

	pr_debug("lease %lu destroyed\n", l->seq);
	grid_gridgrid_put(l->gg);
	grid_grid_put(l->issuer);
	kfree(l->blob);
	kfree(l);
	grid_obj_destroyed(GRID_OBJ_LEASE);
}

void grid_lease_get(struct grid_lease *l)
{
	kref_get(&l->ref);
}

void grid_lease_put(struct grid_lease *l)
{
	kref_put(&l->ref, release);
}

static void arm(struct grid_lease *l)
{
	s64 at = l->state == GRID_LEASE_PENDING ? l->not_before : l->not_after;

	lockdep_assert_held(&grid_mutex);
	hrtimer_start(&l->timer, ns_to_ktime(at), HRTIMER_MODE_ABS);
}

/* Gives back what a live lease held of its share and of its issuer. */
static void unadmit(struct grid_lease *l)
{
	grid_used_sub(l->gg, &l->amounts);
	l->gg->nr_live--;
	l->issuer->leases--;
}

/* Ends a live lease: kills its sandboxes and says so. */
static void end_lease(struct grid_lease *l, enum grid_lease_state state)
{
	struct grid_sandbox *sb;

	lockdep_assert_held(&grid_mutex);
	l->state = state;
	unadmit(l);
	grid_generation++;
	/* Not hrtimer_cancel(): this may run from the timer's own work. */
	hrtimer_try_to_cancel(&l->timer);
	list_for_each_entry(sb, &l->sandboxes, lease_node)
		grid_sandbox_kill(sb);
	grid_event(state == GRID_LEASE_REVOKED ? GRID_EVENT_LEASE_REVOKED :
		   GRID_EVENT_LEASE_EXPIRED, l->id, 0, l->gg->name, 0);
}

static void lease_work(struct work_struct *work)
{
	struct grid_lease *l = container_of(work, struct grid_lease, work);
	s64 now;

	mutex_lock(&grid_mutex);
	if (l->dead || !grid_lease_live(l))
		goto out;
	now = (s64)ktime_get_real_ns();
	if (l->state == GRID_LEASE_PENDING && now >= l->not_before) {
		l->state = GRID_LEASE_ACTIVE;
		grid_generation++;
	}
	if (now >= l->not_after)
		end_lease(l, GRID_LEASE_EXPIRED);
	else
		arm(l);
out:
	mutex_unlock(&grid_mutex);
}

static enum hrtimer_restart lease_timer(struct hrtimer *t)
{
	struct grid_lease *l = container_of(t, struct grid_lease, timer);

	queue_work(lease_wq, &l->work);
	return HRTIMER_NORESTART;
}

/*
 * Checks what a request can be checked for without the mutex, and fills
 * in the share's budget period for a lease that left it at 0.
 */
static int check(const struct grid_ioc_lease *a)
{
	if (!a->id || !grid_key_valid(a->issuer) || !grid_key_valid(a->holder) ||
	    grid_name_check(a->gridgrid, false) ||
	    a->blob_len > GRID_LEASE_BLOB_MAX)
		return -EINVAL;
	if (grid_limits_check(&a->limits, false))
		return -EINVAL;
	if (a->not_after_ns <= a->not_before_ns)
		return -EINVAL;
	if (a->not_after_ns <= (s64)ktime_get_real_ns())
		return -EKEYEXPIRED;
	return 0;
}

static int period_check(struct grid_gridgrid *gg, struct grid_limits *l)
{
	if (!gg->has_share)
		return 0;	/* admission refuses it */
	if (!l->budget_period_s)
		l->budget_period_s = gg->share.budget_period_s;
	return l->budget_period_s == gg->share.budget_period_s ? 0 : -EINVAL;
}

static int admit(struct grid_gridgrid *gg, const struct grid_amounts *add,
		 const struct grid_amounts *remove)
{
	enum grid_res short_of;
	int ret;

	ret = grid_admit(gg, add, remove, &short_of);
	if (ret)
		grid_event(GRID_EVENT_SHARE_EXHAUSTED, 0, 0, gg->name,
			   grid_res_to_attr(short_of));
	return ret;
}

/* Takes ownership of @blob (NULL if blob_len is 0) on success. */
int grid_lease_add(struct grid_ioc_lease *a, void *blob)
{
	struct grid_gridgrid *gg;
	struct grid_grid *issuer;
	struct grid_lease *l;
	int ret;

	ret = check(a);
	if (ret)
		return ret;
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	mutex_lock(&grid_mutex);
	ret = -EEXIST;
	if (grid_lease_find(a->id))
		goto err;
	ret = -ENOKEY;
	issuer = grid_grid_find_key(a->issuer);
	if (!issuer)
		goto err;
	ret = -ENOENT;
	gg = grid_gridgrid_find(a->gridgrid);
	if (!gg)
		goto err;
	ret = period_check(gg, &a->limits);
	if (ret)
		goto err;
	grid_limits_amounts(&a->limits, true, &l->amounts);
	ret = admit(gg, &l->amounts, NULL);
	if (ret)
		goto err;

	kref_init(&l->ref);
	l->id = a->id;
	l->serial = a->serial;
	memcpy(l->issuer_key, a->issuer, GRID_KEY_LEN);
	memcpy(l->holder, a->holder, GRID_KEY_LEN);
	l->limits = a->limits;
	l->not_before = a->not_before_ns;
	l->not_after = a->not_after_ns;
	l->blob = blob;
	l->blob_len = a->blob_len;
	INIT_LIST_HEAD(&l->sandboxes);
	INIT_WORK(&l->work, lease_work);
	hrtimer_init(&l->timer, CLOCK_REALTIME, HRTIMER_MODE_ABS);
	l->timer.function = lease_timer;

	grid_gridgrid_get(gg);
	l->gg = gg;
	gg->nr_leases++;
	gg->nr_live++;
	kref_get(&issuer->ref);
	l->issuer = issuer;
	issuer->leases++;
	grid_used_add(gg, &l->amounts);
	l->state = (s64)ktime_get_real_ns() < l->not_before ?
		GRID_LEASE_PENDING : GRID_LEASE_ACTIVE;
	a->state = l->state;

	l->seq = grid_next_seq();
	list_add_tail(&l->node, &grid_leases);
	hash_add(by_id, &l->hnode, id_hash(l->id));
	grid_generation++;
	grid_obj_created(GRID_OBJ_LEASE);
	pr_debug("lease %lu created\n", l->seq);
	arm(l);
	grid_event(GRID_EVENT_LEASE_GRANTED, l->id, 0, gg->name, 0);
	mutex_unlock(&grid_mutex);
	return 0;
err:
	mutex_unlock(&grid_mutex);
	kfree(l);
	return ret;
}

/*
 * Replaces the limits and not_after of a live lease (and its signed bytes,
 * if given) under a newer serial. Takes ownership of @blob on success.
 */
int grid_lease_set(struct grid_ioc_lease *a, void *blob)
{
	struct grid_amounts amounts;
	struct grid_lease *l;
	void *old_blob;
	int ret;

	if (!a->id || a->blob_len > GRID_LEASE_BLOB_MAX ||
	    grid_limits_check(&a->limits, false))
		return -EINVAL;
	grid_limits_amounts(&a->limits, true, &amounts);
	mutex_lock(&grid_mutex);
	ret = -ENOENT;
	l = grid_lease_find(a->id);
	if (!l)
		goto out;
	if (!grid_lease_live(l)) {
		ret = ended_errno(l);
		goto out;
	}
	ret = -ESTALE;
	if (a->serial <= l->serial)
		goto out;
	ret = -EINVAL;
	if (a->not_after_ns <= l->not_before)
		goto out;
	ret = -EKEYEXPIRED;
	if (a->not_after_ns <= (s64)ktime_get_real_ns())
		goto out;
	ret = period_check(l->gg, &a->limits);
	if (ret)
		goto out;
	ret = admit(l->gg, &amounts, &l->amounts);
	if (ret)
		goto out;

	grid_used_sub(l->gg, &l->amounts);
	grid_used_add(l->gg, &amounts);
	l->amounts = amounts;
	l->limits = a->limits;
	l->serial = a->serial;
	l->not_after = a->not_after_ns;
	if (blob) {
		old_blob = l->blob;
		l->blob = blob;
		l->blob_len = a->blob_len;
		blob = old_blob;
	}
	a->state = l->state;
	grid_generation++;
	arm(l);
	ret = 0;
out:
	mutex_unlock(&grid_mutex);
	if (!ret)
		kfree(blob);
	return ret;
}

int grid_lease_revoke(u64 id)
{
	struct grid_lease *l;
	int ret = 0;

	mutex_lock(&grid_mutex);
	l = grid_lease_find(id);
	if (!l)
		ret = -ENOENT;
	else if (!grid_lease_live(l))
		ret = ended_errno(l);
	else
		end_lease(l, GRID_LEASE_REVOKED);
	mutex_unlock(&grid_mutex);
	return ret;
}

static void unlink(struct grid_lease *l)
{
	lockdep_assert_held(&grid_mutex);
	l->dead = true;
	list_del(&l->node);
	hash_del(&l->hnode);
	if (grid_lease_live(l))
		unadmit(l);
	l->gg->nr_leases--;
	grid_generation++;
}

/* After unlink(), with grid_mutex dropped: nothing may run on it after. */
static void quiesce_and_put(struct grid_lease *l)
{
	hrtimer_cancel(&l->timer);
	cancel_work_sync(&l->work);
	grid_lease_put(l);
}

int grid_lease_del(u64 id)
{
	struct grid_lease *l;
	int ret;

	mutex_lock(&grid_mutex);
	ret = -ENOENT;
	l = grid_lease_find(id);
	if (!l)
		goto out;
	ret = -EBUSY;
	if (l->nr_sandboxes)
		goto out;
	unlink(l);
	ret = 0;
out:
	mutex_unlock(&grid_mutex);
	if (!ret)
		quiesce_and_put(l);
	return ret;
}

/* Module exit, after the sandboxes are gone. */
void grid_leases_flush(void)
{
	struct grid_lease *l, *tmp;
	LIST_HEAD(doomed);

	mutex_lock(&grid_mutex);
	list_for_each_entry_safe(l, tmp, &grid_leases, node) {
		WARN_ON(l->nr_sandboxes);
		unlink(l);
		list_add_tail(&l->node, &doomed);
	}
	mutex_unlock(&grid_mutex);
	list_for_each_entry_safe(l, tmp, &doomed, node)
		quiesce_and_put(l);
}

int grid_lease_init(void)
{
	lease_wq = alloc_workqueue("grid_lease", WQ_UNBOUND, 0);
	return lease_wq ? 0 : -ENOMEM;
}

void grid_lease_uninit(void)
{
	destroy_workqueue(lease_wq);
}
