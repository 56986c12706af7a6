/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The contract between the BPF programs in bpf/, their loader in user/ and
 * grid.ko, which reads the CPU maps to enforce CPU-time budgets. Plain
 * __u64/__u32 fields and no includes: the BPF side gets the types from
 * vmlinux.h, the others from <linux/types.h>, and BTF (hence bpftool) sees
 * the same named structs.
 *
 * Every map is pinned under GRID_BPF_PIN_DIR with the name given below.
 * A grid-grid is named in the maps by the id of its cgroup (the inode
 * number of /sys/fs/cgroup/grid/<grid-grid>); a lease by the id of its
 * cgroup, the child of the grid-grid's on the way down to a job.
 *
 * What a grid-grid's enforcement needs is made when it is attached, never
 * on the way: its network state and counters live in the cgroup storage
 * of its own cgroup (made with the programs' links, gone with them), and
 * its CPU entries are written by the loader, which fails the attach if
 * it cannot. Lease counters live in maps of their own, made by the
 * programs as leases run, so that however many leases come and go they
 * can never crowd out a grid-grid; and they are deleted when the lease's
 * cgroup is released (cgroup_release), as are a removed grid-grid's.
 *
 * Times are CLOCK_MONOTONIC nanoseconds; an accounting period is numbered
 * now / period_ns, so every CPU agrees on when one ends without a timer.
 */
#ifndef _UAPI_LINUX_GRID_BPF_H
#define _UAPI_LINUX_GRID_BPF_H

/*
 * The pinned layout, which a restarted loader adopts instead of loading
 * again:
 *   GRID_BPF_PIN_DIR/<map>               the maps named below
 *   GRID_BPF_PIN_DIR/prog/<program>      net_egress net_ingress cpu_runtime
 *                                        cpu_switch cgroup_gone
 *   GRID_BPF_PIN_DIR/links/cpu_runtime   the scheduler hooks and the
 *   GRID_BPF_PIN_DIR/links/cpu_switch    cgroup_release one, once each
 *   GRID_BPF_PIN_DIR/links/cgroup_gone
 *   GRID_BPF_PIN_DIR/links/<grid-grid>/  net_egress net_ingress: the
 *                                        cgroup links (their info names
 *                                        the grid-grid's cgroup id)
 */
#define GRID_BPF_PIN_DIR	"/sys/fs/bpf/grid"

/*
 * A grid-grid's cgroup is found from the top: its level (the root is 0)
 * is below GRID_BPF_MAX_LEVEL, and a task or socket is found at any depth
 * below it. The loader caps cgroup.max.depth below a grid-grid at
 * GRID_GG_MAX_DEPTH: a lease, a job, and as many levels as a job may make.
 */
#define GRID_BPF_MAX_LEVEL	16
#define GRID_GG_MAX_DEPTH	8

enum grid_dir {
	GRID_DIR_EGRESS = 0,
	GRID_DIR_INGRESS = 1,
};

/* Keys every per-grid-grid (and per-lease) hash map. */
struct grid_gg_key {
	__u64 cgroup_id;
};

/* "grid_gg_ids", written by the loader: a grid-grid's name, its cgroup id. */
struct grid_gg_name {
	char name[32];		/* NUL-padded, as GRID_NAME_LEN */
};

/*
 * A grid-grid's network limits, written by the loader into its
 * grid_gg_net. A zero rate or budget is no limit. Egress is paced at
 * egress_rate (the fq qdisc holds each packet until its stamp) and
 * dropped past horizon_ns of queue; ingress is a token bucket of
 * ingress_burst bytes refilled at ingress_rate (kept as GCRA: the time it
 * is full again), which marks ECN-capable packets CE while it is less
 * than half full. A budget counts the bytes let through in one period;
 * past it, packets drop.
 */
struct grid_net_limit {
	__u64 egress_rate;	/* bytes per second */
	__u64 ingress_rate;	/* bytes per second */
	__u64 ingress_burst;	/* bytes, >= GRID_NET_BURST_MIN when rate set */
	__u64 egress_budget;	/* bytes per period */
	__u64 ingress_budget;	/* bytes per period */
	__u64 period_ns;	/* > 0 when a budget is set */
	__u64 horizon_ns;	/* > 0 when egress_rate is set */
};

/* Bounds the loader enforces, so that no product in the programs wraps. */
#define GRID_NET_RATE_MAX	0x10000000000ULL	/* 2^40, about 1.1 TB/s */
#define GRID_NET_BUDGET_MAX	0x1000000000000000ULL	/* 2^60 */
#define GRID_NET_BURST_MIN	(64ULL << 10)	/* one GSO/GRO packet */
#define GRID_NET_BURST_MAX	0x40000000ULL	/* 1 GiB */
#define GRID_NET_HORIZON_MAX	(10ULL * 1000000000ULL)	/* fq's own horizon */
#define GRID_PERIOD_MAX		(366ULL * 86400 * 1000000000ULL)

/*
 * "grid_gg_net": a cgroup storage (BPF_MAP_TYPE_CGROUP_STORAGE keyed by
 * the cgroup id, so one storage serves both programs), which a program
 * attached to the grid-grid's cgroup reaches without a lookup. The loader
 * writes cgroup_id and limits once the links exist; until then cgroup_id
 * is 0 and packets pass uncounted. A change of limits writes the whole
 * value back with the state it read a moment before: what the programs
 * did in between (a few packets' pace or budget) is lost. level is the
 * programs' own, found once: the depth of the grid-grid's cgroup, whose
 * child on a packet's way is its lease. The rest is their state, each
 * field one word kept with atomic operations.
 */
struct grid_gg_net {
	__u64 cgroup_id;		/* 0 until the loader is done */
	__u32 level;			/* 0 until the first packet */
	__u32 pad;
	struct grid_net_limit limits;
	__u64 next_departure_ns;	/* egress: earliest time of the next packet */
	__u64 ingress_full_at_ns;	/* ingress: when the bucket is full again */
	__u64 period;			/* number of the period being counted,
					 * GRID_NO_PERIOD while there is none
					 */
	__u64 egress_used;		/* bytes let out in that period */
	__u64 ingress_used;		/* bytes let in during that period */
};

#define GRID_NO_PERIOD	0xffffffffffffffffULL

struct grid_usage {
	__u64 bytes;
	__u64 packets;
	__u64 drops;
};

/*
 * "grid_gg_count": a grid-grid's counters, a per-CPU cgroup storage of
 * its cgroup: each CPU counts in its own copy, and a reader sums them
 * (bpftool lists them as "values", one per CPU).
 */
struct grid_gg_count {
	struct grid_usage egress;
	struct grid_usage ingress;
};

/*
 * "grid_lease_net": a lease's counters, in the same struct, in a per-CPU
 * hash keyed by its cgroup id (struct grid_gg_key).
 */

/* "grid_cpu_limits", written by the loader, read by grid.ko. */
struct grid_cpu_limit {
	__u64 budget_ns;	/* CPU time per period; 0 = no budget */
	__u64 period_ns;	/* > 0 when a budget is set */
};

/*
 * "grid_cpu_usage": per grid-grid, made by the loader at attach (the
 * programs only add to it). runtime_ns is the total ever; period_used_ns
 * counts period number @period only (grid-grids with a budget). grid.ko
 * treats a stale @period as nothing used.
 */
struct grid_cpu_usage {
	__u64 runtime_ns;
	__u64 period;
	__u64 period_used_ns;
};

/* "grid_lease_cpu": per lease, made by the programs as it runs. */
struct grid_cpu_time {
	__u64 runtime_ns;
};

/*
 * "grid_cpu_run", an array indexed by CPU number: the grid-grid whose task
 * runs on that CPU (0: none of a grid-grid with a budget) and when it was
 * last charged. The scheduler charges a running task only at ticks and
 * switches, so grid_cpu_usage lags by up to a tick per busy CPU; grid.ko
 * adds now - since_ns for each CPU running the grid-grid, which keeps the
 * overshoot from growing with the number of CPUs.
 */
struct grid_cpu_run {
	__u64 cgroup_id;
	__u64 since_ns;
};

#define GRID_CPU_RUN_ENTRIES	1024	/* CPUs past this are not seen */
#define GRID_USAGE_ENTRIES	16384	/* leases: grid_lease_net, _cpu */
#define GRID_GG_ENTRIES		1024	/* grid-grids */

#endif /* _UAPI_LINUX_GRID_BPF_H */
