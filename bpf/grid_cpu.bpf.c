// SPDX-License-Identifier: GPL-2.0
/*
 * CPU time per grid-grid and per lease, from the scheduler, and the
 * removal of a cgroup's entries when the cgroup goes.
 *
 * sched_stat_runtime fires from update_curr() with the CPU time a fair
 * task has just run: at every tick while the task keeps running, and at
 * every switch, wakeup preemption and migration. sched_switch alone would
 * miss a task that runs alone on its CPU for seconds without switching;
 * here the charge is never more than one tick (4 ms at HZ=250) behind.
 * The same delta feeds the cgroup's cpu.stat, so both agree. Only fair
 * tasks are seen: jobs cannot make themselves real-time without
 * CAP_SYS_NICE, which they do not get.
 *
 * sched_switch keeps "grid_cpu_run": which grid-grid with a budget each
 * CPU is running and since when it was charged, so that grid.ko can add
 * the part of the current tick not charged yet on every busy CPU.
 *
 * A task's grid-grid is found from the top of its cgroup's ancestry
 * (cgroup->ancestors[], level by level), never by walking up a bounded
 * number of steps: a job cannot get out of its budget by nesting cgroups
 * deep below its lease. A grid-grid's entries are the loader's, made at
 * attach; only a lease's are made here, in maps of their own.
 *
 * These programs only count. grid.ko reads the counters and freezes a
 * grid-grid whose budget is spent (see kmod/cpubudget.c): BPF cannot stop
 * a task, and the module keeps doing it with no userland alive.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "grid_net.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GRID_GG_ENTRIES);
	__type(key, struct grid_gg_key);
	__type(value, struct grid_cpu_limit);
} grid_cpu_limits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GRID_GG_ENTRIES);
	__type(key, struct grid_gg_key);
	__type(value, struct grid_cpu_usage);
} grid_cpu_usage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GRID_USAGE_ENTRIES);
	__type(key, struct grid_gg_key);
	__type(value, struct grid_cpu_time);
} grid_lease_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GRID_CPU_RUN_ENTRIES);
	__type(key, __u32);
	__type(value, struct grid_cpu_run);
} grid_cpu_run SEC(".maps");

/*
 * Charges a grid-grid. The first CPU to see a new period wins the
 * compare-and-swap and zeroes the count; a charge racing with that (a few
 * nanoseconds wide) may land in either period.
 */
static __always_inline void charge_gg(__u64 cgroup_id,
				      const struct grid_cpu_limit *lim,
				      __u64 runtime)
{
	struct grid_gg_key key = { .cgroup_id = cgroup_id };
	struct grid_cpu_usage *u;
	__u64 period, seen;

	u = bpf_map_lookup_elem(&grid_cpu_usage, &key);
	if (!u)
		return;	/* not attached yet, or detached since */
	__sync_fetch_and_add(&u->runtime_ns, runtime);
	if (!lim->period_ns)
		return;
	period = bpf_ktime_get_ns() / lim->period_ns;
	seen = u->period;
	if (seen != period &&
	    __sync_val_compare_and_swap(&u->period, seen, period) == seen)
		__sync_lock_test_and_set(&u->period_used_ns, 0);
	__sync_fetch_and_add(&u->period_used_ns, runtime);
}

static __always_inline void charge_lease(__u64 cgroup_id, __u64 runtime)
{
	struct grid_gg_key key = { .cgroup_id = cgroup_id };
	struct grid_cpu_time zero = {}, *t;

	t = bpf_map_lookup_elem(&grid_lease_cpu, &key);
	if (!t) {
		bpf_map_update_elem(&grid_lease_cpu, &key, &zero, BPF_NOEXIST);
		t = bpf_map_lookup_elem(&grid_lease_cpu, &key);
		if (!t)
			return;	/* map full: this lease is not counted */
	}
	__sync_fetch_and_add(&t->runtime_ns, runtime);
}

/* The id of @cgrp's ancestor at @level (@level <= cgrp->level). */
static __always_inline __u64 ancestor_id(struct cgroup *cgrp, int level)
{
	struct cgroup *anc = NULL;

	bpf_probe_read_kernel(&anc, sizeof(anc), (void *)cgrp +
			      bpf_core_field_offset(struct cgroup, ancestors) +
			      level * sizeof(anc));
	return anc ? BPF_CORE_READ(anc, kn, id) : 0;
}

/*
 * The grid-grid of @task: its cgroup's ancestor nearest the root with
 * CPU limits, its limits, and the cgroup just below it on the way to the
 * task (the lease, 0 if the task sits in the grid-grid's own cgroup).
 * NULL if it is in none.
 */
static __always_inline const struct grid_cpu_limit *
gg_of(struct task_struct *task, __u64 *gg, __u64 *lease)
{
	const struct grid_cpu_limit *lim;
	struct grid_gg_key key;
	struct cgroup *cgrp;
	int level, i;

	cgrp = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	if (!cgrp)
		return NULL;
	level = BPF_CORE_READ(cgrp, level);
	for (i = 1; i < GRID_BPF_MAX_LEVEL; i++) {
		if (i > level)
			return NULL;
		key.cgroup_id = ancestor_id(cgrp, i);
		lim = bpf_map_lookup_elem(&grid_cpu_limits, &key);
		if (!lim)
			continue;
		*gg = key.cgroup_id;
		*lease = i < level ? ancestor_id(cgrp, i + 1) : 0;
		return lim;
	}
	return NULL;
}

/* CPU @cpu runs a task of grid-grid @gg (0: of none with a budget). */
static __always_inline void running(__u32 cpu, __u64 gg,
				    const struct grid_cpu_limit *lim)
{
	struct grid_cpu_run *r = bpf_map_lookup_elem(&grid_cpu_run, &cpu);

	if (!r)
		return;
	/* Only budgets are enforced; the rest would only cost grid.ko. */
	r->cgroup_id = lim && lim->budget_ns ? gg : 0;
	r->since_ns = bpf_ktime_get_ns();
}

/*
 * Two arguments: 6.1 passes a third (vruntime), which later kernels
 * dropped; reading only these two loads on both.
 */
SEC("tp_btf/sched_stat_runtime")
int BPF_PROG(grid_cpu_runtime, struct task_struct *task, u64 runtime)
{
	const struct grid_cpu_limit *lim;
	__u64 gg = 0, lease = 0;

	lim = gg_of(task, &gg, &lease);
	/*
	 * update_curr() charges the task running on its CPU, which may be
	 * another than ours (a migration holds that CPU's runqueue).
	 */
	running(BPF_CORE_READ(task, thread_info.cpu), gg, lim);
	if (!lim)
		return 0;
	charge_gg(gg, lim, runtime);
	if (lease)
		charge_lease(lease, runtime);
	return 0;
}

/*
 * The task switched out was charged just before (put_prev_task), so what
 * @next runs from now on is what is not charged yet.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(grid_cpu_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	const struct grid_cpu_limit *lim;
	__u64 gg = 0, lease = 0;

	lim = gg_of(next, &gg, &lease);
	running(bpf_get_smp_processor_id(), gg, lim);
	return 0;
}

/*
 * A cgroup is released once nothing refers to it any more (no task, no
 * socket, no child): whatever the maps hold for it, as a lease or as a
 * removed grid-grid, goes with it, so that the maps hold only what lives.
 */
SEC("tp_btf/cgroup_release")
int BPF_PROG(grid_cgroup_gone, struct cgroup *cgrp, const char *path)
{
	struct grid_gg_key key = { .cgroup_id = BPF_CORE_READ(cgrp, kn, id) };

	bpf_map_delete_elem(&grid_lease_net, &key);
	bpf_map_delete_elem(&grid_lease_cpu, &key);
	bpf_map_delete_elem(&grid_cpu_limits, &key);
	bpf_map_delete_elem(&grid_cpu_usage, &key);
	return 0;
}
