// SPDX-License-Identifier: GPL-2.0
/*
 * Leases: admitted against their grid-grid's share, and ended by a timer
 * on the absolute wall clock, so that a lease ends on time even when the
 * clock is set and even when no daemon runs. The timer only queues work:
 * ending a lease takes grid_mutex and writes cgroup.kill, which needs
 * process context.
 *
 * A deleted lease leaves a tombstone (its id and serial) until its
 * not_after: the signed lease it was made from stays valid that long,
 * and must not be admitted again as if new.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "grid.h"

LIST_HEAD(grid_leases);
static DEFINE_HASHTABLE(by_id, 10);
struct workqueue_struct *grid_wq;

struct tombstone {
	struct hlist_node hnode;
	struct list_head node;		/* in tombs, by not_after */
	u64 id;
	u64 serial;
	s64 not_after;
};

static DEFINE_HASHTABLE(tombs_by_id, 8);
static LIST_HEAD(tombs);

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

/* Forgets the tombstones whose lease could no longer be admitted anyway. */
static void tombs_purge(s64 now)
{
	struct tombstone *t, *tmp;

	lockdep_assert_held(&grid_mutex);
	list_for_each_entry_safe(t, tmp, &tombs, node) {
		if (t->not_after > now)
			break;
		hash_del(&t->hnode);
		list_del(&t->node);
		kfree(t);
	}
}

static struct tombstone *tomb_find(u64 id)
{
	struct tombstone *t;

	lockdep_assert_held(&grid_mutex);
	hash_for_each_possible(tombs_by_id, t, hnode, id_hash(id))
		if (t->id == id)
			return t;
	return NULL;
}

static void tomb_drop(struct tombstone *t)
{
	hash_del(&t->hnode);
	list_del(&t->node);
	kfree(t);
}

/* Keeps @t for @l, in not_after order (most go at the end). */
static void tomb_add(struct tombstone *t, const struct grid_lease *l)
{
	struct tombstone *pos;

	lockdep_assert_held(&grid_mutex);
	t->id = l->id;
	t->serial = l->serial;
	t->not_after = l->replay_until;
	list_for_each_entry_reverse(pos, &tombs, node)
		if (pos->not_after <= t->not_after)
			break;
	list_add(&t->node, &pos->node);
	hash_add(tombs_by_id, &t->hnode, id_hash(t->id));
}

/* A new generation for @l and its grid-grid, said with event @type. */
static void changed(struct grid_lease *l, enum grid_event type)
{
	u64 gen = grid_bump();

	l->gen = gen;
	l->gg->gen = gen;
	grid_event(type, &(struct grid_event_info){
		.gen = gen, .lease_id = l->id, .gridgrid = l->gg->name });
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
	/* Not hrtimer_cancel(): this may run from the timer's own work. */
	hrtimer_try_to_cancel(&l->timer);
	changed(l, state == GRID_LEASE_REVOKED ? GRID_EVENT_LEASE_REVOKED :
		GRID_EVENT_LEASE_EXPIRED);
	list_for_each_entry(sb, &l->sandboxes, lease_node)
		grid_sandbox_kill(sb);
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
		changed(l, GRID_EVENT_LEASE_ACTIVE);
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

	queue_work(grid_wq, &l->work);
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
	    a->blob_len > GRID_LEASE_BLOB_MAX || a->reserved)
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

/* On -EDQUOT, says which resource ran out, in the event and in @a. */
static int admit(struct grid_gridgrid *gg, const struct grid_amounts *add,
		 const struct grid_amounts *remove, struct grid_ioc_lease *a)
{
	enum grid_res short_of;
	int ret;

	ret = grid_admit(gg, add, remove, &short_of);
	if (ret) {
		a->exhausted = grid_res_to_attr(short_of);
		grid_event(GRID_EVENT_SHARE_EXHAUSTED, &(struct grid_event_info){
			.gridgrid = gg->name, .resource = a->exhausted });
	}
	return ret;
}

/* Takes ownership of @blob (NULL if blob_len is 0) on success. */
int grid_lease_add(struct grid_ioc_lease *a, void *blob)
{
	struct grid_gridgrid *gg;
	struct grid_grid *issuer;
	struct tombstone *t;
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
	tombs_purge((s64)ktime_get_real_ns());
	t = tomb_find(a->id);
	ret = -ESTALE;
	if (t && a->serial <= t->serial)
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
	ret = admit(gg, &l->amounts, NULL, a);
	if (ret)
		goto err;
	l->seq = grid_next_seq();
	ret = grid_index_add(GRID_OBJ_LEASE, l->seq, l);
	if (ret)
		goto err;
	/*
	 * The new lease carries the serial from now on, and how long the
	 * deleted one's bytes may still be replayed.
	 */
	l->replay_until = a->not_after_ns;
	if (t) {
		l->replay_until = max(l->replay_until, t->not_after);
		tomb_drop(t);
	}

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

	list_add_tail(&l->node, &grid_leases);
	hash_add(by_id, &l->hnode, id_hash(l->id));
	grid_obj_created(GRID_OBJ_LEASE);
	pr_debug("lease %lu created\n", l->seq);
	arm(l);
	changed(l, GRID_EVENT_LEASE_GRANTED);
	mutex_unlock(&grid_mutex);
	return 0;
err:
	mutex_unlock(&grid_mutex);
	kfree(l);
	return ret;
}

/* What a SET may change, checked under grid_mutex; fills @amounts. */
static int set_check(struct grid_ioc_lease *a, struct grid_lease *l,
		     const struct grid_amounts *amounts)
{
	int ret;

	lockdep_assert_held(&grid_mutex);
	if (!grid_lease_live(l))
		return ended_errno(l);
	if (a->serial <= l->serial)
		return -ESTALE;
	if (a->not_after_ns <= l->not_before)
		return -EINVAL;
	if (a->not_after_ns <= (s64)ktime_get_real_ns())
		return -EKEYEXPIRED;
	ret = period_check(l->gg, &a->limits);
	if (ret)
		return ret;
	return admit(l->gg, amounts, &l->amounts, a);
}

/* Writes @lim into every lease cgroup of @dirs; on failure, @old back. */
static int write_all(struct path *dirs, unsigned int n,
		     const struct grid_limits *lim,
		     const struct grid_limits *old)
{
	unsigned int i, j;
	int ret = 0;

	for (i = 0; i < n && !ret; i++)
		ret = grid_limits_write(&dirs[i], lim);
	if (ret)
		for (j = 0; j < i; j++)
			grid_limits_write(&dirs[j], old);
	return ret;
}

/*
 * Replaces the limits, not_after and signed bytes of a live lease under a
 * newer serial; takes ownership of @blob (NULL: none) on success. The
 * new limits go into the lease cgroups of its sandboxes first, without
 * grid_mutex (a lower memory.max reclaims, and may take long); with
 * grid_change_mutex held no other change comes in between, only the
 * lease's end, which the commit checks for again.
 */
int grid_lease_set(struct grid_ioc_lease *a, void *blob)
{
	struct grid_limits old_limits;
	struct grid_amounts amounts;
	struct path *dirs = NULL;
	struct grid_lease *l;
	unsigned int n = 0;
	void *old_blob;
	int ret;

	lockdep_assert_held(&grid_change_mutex);
	if (!a->id || a->blob_len > GRID_LEASE_BLOB_MAX || a->reserved ||
	    grid_limits_check(&a->limits, false))
		return -EINVAL;
	grid_limits_amounts(&a->limits, true, &amounts);
	mutex_lock(&grid_mutex);
	l = grid_lease_find(a->id);
	if (!l) {
		mutex_unlock(&grid_mutex);
		return -ENOENT;
	}
	ret = set_check(a, l, &amounts);
	if (!ret)
		ret = grid_sandbox_dirs(l, &dirs, &n);
	if (ret) {
		mutex_unlock(&grid_mutex);
		return ret;
	}
	grid_lease_get(l);
	old_limits = l->limits;
	mutex_unlock(&grid_mutex);

	ret = write_all(dirs, n, &a->limits, &old_limits);
	if (ret)
		goto out;

	mutex_lock(&grid_mutex);
	ret = l->dead ? -ENOENT : set_check(a, l, &amounts);
	if (!ret) {
		grid_used_sub(l->gg, &l->amounts);
		grid_used_add(l->gg, &amounts);
		l->amounts = amounts;
		l->limits = a->limits;
		l->serial = a->serial;
		l->not_after = a->not_after_ns;
		l->replay_until = max(l->replay_until, a->not_after_ns);
		/* Bytes signed for the old limits do not describe the new. */
		old_blob = l->blob;
		l->blob = blob;
		l->blob_len = blob ? a->blob_len : 0;
		blob = old_blob;
		a->state = l->state;
		arm(l);
		changed(l, GRID_EVENT_LEASE_CHANGED);
	}
	mutex_unlock(&grid_mutex);
	/* Changing nothing, even when the lease ended meanwhile. */
	if (ret)
		write_all(dirs, n, &old_limits, &old_limits);
out:
	grid_sandbox_dirs_put(dirs, n);
	grid_lease_put(l);
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
	grid_index_del(GRID_OBJ_LEASE, l->seq);
	if (grid_lease_live(l))
		unadmit(l);
	l->gg->nr_leases--;
	changed(l, GRID_EVENT_LEASE_DELETED);
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
	struct tombstone *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct grid_lease *l;
	s64 now;
	int ret;

	if (!t)
		return -ENOMEM;
	mutex_lock(&grid_mutex);
	ret = -ENOENT;
	l = grid_lease_find(id);
	if (!l)
		goto out;
	ret = -EBUSY;
	if (l->nr_sandboxes)
		goto out;
	now = (s64)ktime_get_real_ns();
	tombs_purge(now);
	/*
	 * A window that ended, in every version of the lease, needs none:
	 * ADD refuses its bytes as expired. A SET may have shortened it.
	 */
	if (l->replay_until > now) {
		tomb_add(t, l);
		t = NULL;
	}
	unlink(l);
	ret = 0;
out:
	mutex_unlock(&grid_mutex);
	kfree(t);
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
	tombs_purge(S64_MAX);
	mutex_unlock(&grid_mutex);
	list_for_each_entry_safe(l, tmp, &doomed, node)
		quiesce_and_put(l);
}

int grid_lease_init(void)
{
	grid_wq = alloc_workqueue("grid", WQ_UNBOUND, 0);
	return grid_wq ? 0 : -ENOMEM;
}

void grid_lease_uninit(void)
{
	destroy_workqueue(grid_wq);
}
