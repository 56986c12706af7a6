// SPDX-License-Identifier: GPL-2.0
/*
 * CPU-time budgets per grid-grid, enforced from the kernel.
 *
 * bpf/grid_cpu.bpf.c charges every fair task's runtime to its grid-grid's
 * entry in the "grid_cpu_usage" map; the loader puts the budget in
 * "grid_cpu_limits" and hands both maps and the grid-grid's cgroup to
 * GRID_IOC_CPU_WATCH. From then on a timer here reads the two entries and
 * freezes the cgroup (cgroup.freeze) once the period's usage reaches the
 * budget, and thaws it when the period ends, whether or not any daemon is
 * alive.
 *
 * Why the freezer: it stops every task below the cgroup at once, at its
 * next return to user space (an IPI away for a running task), and keeps
 * them stopped however many there are, so the overshoot is bounded by
 * how late the budget is seen, not by what the tasks do. Lowering cpu.max
 * to its minimum (1 ms per period) would still let the grid-grid run,
 * and would overwrite the share's rate, which cpu.max carries. sched_ext
 * would replace the scheduler for one budget. Sending SIGSTOP is visible
 * to the job and undone by SIGCONT from within. A frozen task keeps its
 * memory and sockets, and resumes where it stopped.
 *
 * When the budget is seen: the timer fires no later than the remaining
 * budget could be spent with every CPU busy, and at least every
 * CPUBUDGET_MIN_NS. The scheduler charges a running task at each tick
 * (update_curr), so the counted usage is up to a tick behind on every
 * busy CPU; the "grid_cpu_run" map says which CPUs run the grid-grid and
 * since when they were charged, and that time is added. What remains is
 * the polling floor and the time the freeze takes to reach the tasks.
 *
 * What holds it: cgroup.freeze is opened for writing when the watch is
 * made, with the watcher's credentials, so that no later write depends
 * on a path, a mount or credentials. While the budget is spent the cgroup's
 * own freeze state is looked at every CPUBUDGET_FROZEN_POLL_NS, and a
 * thaw by anyone else is undone: the cached flag is what we asked for,
 * not what holds. A write that fails is retried at the next look and
 * said once as an event.
 *
 * Locking: cpubudget_mutex covers the list and each watch's state; it
 * nests outside the kernel's cgroup_mutex (cgroup.freeze writes) and is
 * never taken with grid_mutex. A watch's work item is the only place the
 * timer is re-armed, and not once the watch is dying; a watch is thawed
 * before it leaves the list, so that a new watch of the cgroup starts
 * after the thaw.
 */
#include <linux/bpf.h>
#include <linux/cgroup.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/slab.h>

#include "compat.h"
#include "grid.h"
#include "uapi/linux/grid_bpf.h"

GRID_IMPORT_BPF_NS();

/* Polling floor: 1 ms of wall time, a few CPU-ms of budget at most. */
#define CPUBUDGET_MIN_NS	NSEC_PER_MSEC
/* With no budget in the map yet, look again this often. */
#define CPUBUDGET_IDLE_NS	NSEC_PER_SEC
/* After a freeze, read the usage again once the last charges are in. */
#define CPUBUDGET_SETTLE_NS	(20 * NSEC_PER_MSEC)
/* While frozen, how often the real freeze state is looked at. */
#define CPUBUDGET_FROZEN_POLL_NS	(5 * NSEC_PER_MSEC)
/*
 * The most a CPU adds uncharged: a tick, with room for a late one. An
 * entry older than that was left by a program no longer attached.
 */
#define CPUBUDGET_FLIGHT_MAX_NS	(2 * TICK_NSEC)

struct grid_cpuwatch {
	struct list_head node;
	u64 cgroup_id;
	struct cgroup *cgrp;
	struct file *freeze;		/* cgroup.freeze, open for writing */
	struct bpf_map *limits;
	struct bpf_map *usage;
	struct bpf_map *run;
	struct hrtimer timer;
	struct work_struct work;
	bool frozen;			/* as we asked: see still_frozen() */
	bool dying;
	u64 frozen_period;
	u64 freezes;
	u64 overshoot_ns;
	u32 refreezes;
	int error;			/* positive errno of the last write */
};

static DEFINE_MUTEX(cpubudget_mutex);
static LIST_HEAD(watches);
static unsigned int nr_watches;

static struct grid_cpuwatch *find(u64 cgroup_id)
{
	struct grid_cpuwatch *w;

	lockdep_assert_held(&cpubudget_mutex);
	list_for_each_entry(w, &watches, node)
		if (w->cgroup_id == cgroup_id)
			return w;
	return NULL;
}

/* Copies the watch's two map entries; false if either is missing. */
static bool read_maps(struct grid_cpuwatch *w, struct grid_cpu_limit *lim,
		      struct grid_cpu_usage *use)
{
	struct grid_gg_key key = { .cgroup_id = w->cgroup_id };
	struct grid_cpu_limit *l;
	struct grid_cpu_usage *u;
	bool found = false;

	memset(use, 0, sizeof(*use));
	rcu_read_lock();
	l = w->limits->ops->map_lookup_elem(w->limits, &key);
	if (l) {
		lim->budget_ns = READ_ONCE(l->budget_ns);
		lim->period_ns = READ_ONCE(l->period_ns);
		found = true;
	}
	u = w->usage->ops->map_lookup_elem(w->usage, &key);
	if (u) {
		use->runtime_ns = READ_ONCE(u->runtime_ns);
		use->period = READ_ONCE(u->period);
		use->period_used_ns = READ_ONCE(u->period_used_ns);
	}
	rcu_read_unlock();
	return found;
}

/* CPU time the grid-grid's running tasks used since they were charged. */
static u64 in_flight(struct grid_cpuwatch *w, u64 now)
{
	struct grid_cpu_run *r;
	u64 sum = 0, since;
	u32 key;
	int cpu;

	rcu_read_lock();
	for_each_online_cpu(cpu) {
		key = cpu;
		if (key >= w->run->max_entries)
			break;
		r = w->run->ops->map_lookup_elem(w->run, &key);
		if (!r || READ_ONCE(r->cgroup_id) != w->cgroup_id)
			continue;
		since = READ_ONCE(r->since_ns);
		if (now > since)
			sum += min_t(u64, now - since, CPUBUDGET_FLIGHT_MAX_NS);
	}
	rcu_read_unlock();
	return sum;
}

/* Whether the cgroup is still frozen as asked, whoever wrote since. */
static bool still_frozen(struct grid_cpuwatch *w)
{
	return READ_ONCE(w->cgrp->freezer.freeze);
}

/*
 * Writes cgroup.freeze through the file opened at the watch. A cgroup
 * removed since has nothing to freeze (-ENODEV). A failure is said once,
 * until a write works again; the caller's next look retries.
 */
static void set_frozen(struct grid_cpuwatch *w, bool freeze)
{
	int ret = grid_cgfile_write(w->freeze, freeze ? "1" : "0");

	if (ret && ret != -ENODEV && ret != -ENOENT) {
		if (w->error != -ret) {
			w->error = -ret;
			pr_warn_ratelimited("cgroup %llu: cgroup.freeze failed: %d\n",
					    w->cgroup_id, ret);
			grid_event(GRID_EVENT_CPU_FREEZE_FAILED,
				   &(struct grid_event_info){
				   .cgroup_id = w->cgroup_id, .error = -ret });
		}
		return;
	}
	w->error = 0;
	w->frozen = freeze;
	grid_event(freeze ? GRID_EVENT_CPU_BUDGET_SPENT :
		   GRID_EVENT_CPU_BUDGET_RENEWED,
		   &(struct grid_event_info){ .cgroup_id = w->cgroup_id });
}

/* Looks at the usage and decides; returns when to look again. */
static u64 decide(struct grid_cpuwatch *w, u64 now)
{
	struct grid_cpu_limit lim;
	struct grid_cpu_usage use;
	u64 period, used, left, next_period, wait;

	lockdep_assert_held(&cpubudget_mutex);
	/*
	 * The loader writes at most GRID_PERIOD_MAX; a longer period (from
	 * whoever else can write the map) would carry next_period past
	 * KTIME_MAX, and is no budget.
	 */
	if (!read_maps(w, &lim, &use) || !lim.budget_ns || !lim.period_ns ||
	    lim.period_ns > GRID_PERIOD_MAX) {
		if (w->frozen)
			set_frozen(w, false);
		return now + CPUBUDGET_IDLE_NS;
	}
	period = div64_u64(now, lim.period_ns);
	next_period = (period + 1) * lim.period_ns;
	/* The BPF side restarts the count at the period's first charge. */
	used = use.period == period ? use.period_used_ns : 0;
	used += in_flight(w, now);

	if (used >= lim.budget_ns) {
		/* Someone thawed what we froze: freeze it again. */
		if (w->frozen && !still_frozen(w)) {
			w->frozen = false;
			set_frozen(w, true);
			if (!w->frozen)
				return now + CPUBUDGET_MIN_NS;
			w->refreezes++;
		}
		if (!w->frozen || w->frozen_period != period) {
			if (!w->frozen) {
				set_frozen(w, true);
				if (!w->frozen)
					return now + CPUBUDGET_MIN_NS;
				w->freezes++;
			}
			w->frozen_period = period;
			w->overshoot_ns = used - lim.budget_ns;
			return min(now + CPUBUDGET_SETTLE_NS, next_period);
		}
		/* Charges made before the freeze took hold count too. */
		w->overshoot_ns = max(w->overshoot_ns, used - lim.budget_ns);
		return min(now + CPUBUDGET_FROZEN_POLL_NS, next_period);
	}

	if (w->frozen)
		set_frozen(w, false);
	/* The soonest the rest could be spent: every CPU running it. */
	left = lim.budget_ns - used;
	wait = div_u64(left, num_online_cpus());
	wait = max_t(u64, wait, CPUBUDGET_MIN_NS);
	return min(now + wait, next_period);
}

/*
 * decide(), never sooner than the polling floor (a period of a few
 * nanoseconds in the map must not turn the timer into a busy loop) and
 * never later than the idle poll (nor past a wrap).
 */
static u64 check(struct grid_cpuwatch *w)
{
	u64 now = ktime_get_ns();

	return clamp(decide(w, now), now + CPUBUDGET_MIN_NS,
		     now + CPUBUDGET_IDLE_NS);
}

static void work_fn(struct work_struct *work)
{
	struct grid_cpuwatch *w = container_of(work, struct grid_cpuwatch,
					       work);
	u64 at;

	mutex_lock(&cpubudget_mutex);
	if (!w->dying) {
		at = check(w);
		hrtimer_start(&w->timer, ns_to_ktime(at), HRTIMER_MODE_ABS);
	}
	mutex_unlock(&cpubudget_mutex);
}

static enum hrtimer_restart timer_fn(struct hrtimer *t)
{
	struct grid_cpuwatch *w = container_of(t, struct grid_cpuwatch, timer);

	queue_work(system_highpri_wq, &w->work);
	return HRTIMER_NORESTART;
}

static struct bpf_map *get_map(int fd, enum bpf_map_type type, u32 key_size,
			       u32 value_size)
{
	struct bpf_map *map = bpf_map_get(fd);

	if (IS_ERR(map))
		return map;
	/* An offloaded map has the type and sizes but no host lookup. */
	if (map->map_type != type || !map->ops->map_lookup_elem ||
	    map->key_size != key_size || map->value_size != value_size) {
		bpf_map_put(map);
		return ERR_PTR(-EINVAL);
	}
	return map;
}

/* Whether both maps hold the cgroup's entry, which the loader makes. */
static bool has_entries(struct bpf_map *limits, struct bpf_map *usage, u64 id)
{
	struct grid_gg_key key = { .cgroup_id = id };
	bool found;

	rcu_read_lock();
	found = limits->ops->map_lookup_elem(limits, &key) &&
		usage->ops->map_lookup_elem(usage, &key);
	rcu_read_unlock();
	return found;
}

int grid_cpu_watch(struct grid_ioc_cpu_watch *a)
{
	struct bpf_map *limits, *usage, *run, *old_limits, *old_usage, *old_run;
	struct grid_cpuwatch *w, *nw;
	struct cgroup *cgrp;
	struct file *freeze;
	struct path dir;
	u64 id;
	int ret;

	if (a->frozen || a->freezes || a->overshoot_ns || a->reserved ||
	    a->error || a->refreezes)
		return -EINVAL;
	ret = grid_cgroup_dir_get(a->cgroup_fd, &dir, &cgrp);
	if (ret)
		return ret;
	/*
	 * Freezing the root would stop the machine; deeper than a
	 * grid-grid may be, the programs never charge the cgroup.
	 */
	ret = -EINVAL;
	if (!cgroup_parent(cgrp) || cgrp->level > GRID_GRIDGRID_LEVEL_MAX)
		goto err_dir;
	id = cgroup_id(cgrp);
	limits = get_map(a->limits_fd, BPF_MAP_TYPE_HASH,
			 sizeof(struct grid_gg_key), sizeof(struct grid_cpu_limit));
	if (IS_ERR(limits)) {
		ret = PTR_ERR(limits);
		goto err_dir;
	}
	usage = get_map(a->usage_fd, BPF_MAP_TYPE_HASH,
			sizeof(struct grid_gg_key), sizeof(struct grid_cpu_usage));
	if (IS_ERR(usage)) {
		ret = PTR_ERR(usage);
		goto err_limits;
	}
	run = get_map(a->run_fd, BPF_MAP_TYPE_ARRAY, sizeof(u32),
		      sizeof(struct grid_cpu_run));
	if (IS_ERR(run)) {
		ret = PTR_ERR(run);
		goto err_usage;
	}
	/* A budget without its entries could never be enforced. */
	ret = -ENOENT;
	if (!has_entries(limits, usage, id))
		goto err_run;
	freeze = grid_cgfile_open(&dir, "cgroup.freeze", O_WRONLY);
	if (IS_ERR(freeze)) {
		ret = PTR_ERR(freeze);
		goto err_run;
	}
	nw = kzalloc(sizeof(*nw), GFP_KERNEL);
	if (!nw) {
		ret = -ENOMEM;
		goto err_freeze;
	}

	mutex_lock(&cpubudget_mutex);
	w = find(id);
	if (w) {
		/* A new loader's maps: swap them in and look right away. */
		old_limits = w->limits;
		old_usage = w->usage;
		old_run = w->run;
		w->limits = limits;
		w->usage = usage;
		w->run = run;
		queue_work(system_highpri_wq, &w->work);
		mutex_unlock(&cpubudget_mutex);
		kfree(nw);
		fput(freeze);
		cgroup_put(cgrp);
		path_put(&dir);
		bpf_map_put(old_limits);
		bpf_map_put(old_usage);
		bpf_map_put(old_run);
		a->cgroup_id = id;
		return 0;
	}
	ret = -ENOSPC;
	if (nr_watches >= GRID_GG_ENTRIES)
		goto err_unlock;
	nw->cgroup_id = id;
	nw->cgrp = cgrp;
	nw->freeze = freeze;
	nw->limits = limits;
	nw->usage = usage;
	nw->run = run;
	hrtimer_init(&nw->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	nw->timer.function = timer_fn;
	INIT_WORK(&nw->work, work_fn);
	/* Counted before anyone can find it, and so destroy it. */
	grid_obj_created(GRID_OBJ_CPUWATCH);
	pr_debug("cpu-watch %llu created\n", id);
	list_add_tail(&nw->node, &watches);
	nr_watches++;
	queue_work(system_highpri_wq, &nw->work);
	mutex_unlock(&cpubudget_mutex);
	path_put(&dir);
	a->cgroup_id = id;
	return 0;

err_unlock:
	mutex_unlock(&cpubudget_mutex);
	kfree(nw);
err_freeze:
	fput(freeze);
err_run:
	bpf_map_put(run);
err_usage:
	bpf_map_put(usage);
err_limits:
	bpf_map_put(limits);
err_dir:
	cgroup_put(cgrp);
	path_put(&dir);
	return ret;
}

/*
 * Takes @w off the list, thawed: under cpubudget_mutex, so that a new
 * watch of the cgroup, which can only start after, finds it thawed and
 * its own freeze is never undone by this one's thaw.
 */
static void retire(struct grid_cpuwatch *w)
{
	lockdep_assert_held(&cpubudget_mutex);
	w->dying = true;
	if (w->frozen)
		set_frozen(w, false);
	list_del(&w->node);
	nr_watches--;
}

/* Stops @w for good, after retire(), without cpubudget_mutex. */
static void destroy(struct grid_cpuwatch *w)
{
	hrtimer_cancel(&w->timer);
	cancel_work_sync(&w->work);
	hrtimer_cancel(&w->timer);
	bpf_map_put(w->limits);
	bpf_map_put(w->usage);
	bpf_map_put(w->run);
	fput(w->freeze);
	cgroup_put(w->cgrp);
	pr_debug("cpu-watch %llu destroyed\n", w->cgroup_id);
	kfree(w);
	grid_obj_destroyed(GRID_OBJ_CPUWATCH);
}

int grid_cpu_unwatch(struct grid_ioc_cpu_watch *a)
{
	struct grid_cpuwatch *w;

	if (a->reserved)
		return -EINVAL;
	mutex_lock(&cpubudget_mutex);
	w = find(a->cgroup_id);
	if (!w) {
		mutex_unlock(&cpubudget_mutex);
		return -ENOENT;
	}
	retire(w);
	mutex_unlock(&cpubudget_mutex);
	destroy(w);
	return 0;
}

int grid_cpu_watch_get(struct grid_ioc_cpu_watch *a)
{
	struct grid_cpuwatch *w;
	int ret = -ENOENT;

	if (a->reserved)
		return -EINVAL;
	mutex_lock(&cpubudget_mutex);
	w = find(a->cgroup_id);
	if (w) {
		a->frozen = w->frozen;
		a->freezes = w->freezes;
		a->overshoot_ns = w->overshoot_ns;
		a->refreezes = w->refreezes;
		a->error = w->error;
		ret = 0;
	}
	mutex_unlock(&cpubudget_mutex);
	return ret;
}

/* Module exit: thaws everything grid.ko froze. */
void grid_cpu_watches_flush(void)
{
	struct grid_cpuwatch *w;

	for (;;) {
		mutex_lock(&cpubudget_mutex);
		w = list_first_entry_or_null(&watches, struct grid_cpuwatch,
					     node);
		if (w)
			retire(w);
		mutex_unlock(&cpubudget_mutex);
		if (!w)
			return;
		destroy(w);
	}
}
