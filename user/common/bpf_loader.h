/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF quota programs of bpf/, loaded once per boot and pinned under
 * GRID_BPF_PIN_DIR in the layout linux/grid_bpf.h draws, so that gridd,
 * gridctl and a restarted gridd all use the same programs and maps: each
 * adopts what is pinned and loads only what is not.
 *
 * A grid-grid is "attached" while GRID_BPF_PIN_DIR/links/<name>/ exists;
 * the cgroup links pinned there (egress and ingress, always both, so that
 * even a grid-grid without limits is counted) name its cgroup, and so does
 * its entry in grid_gg_ids, which outlives the cgroup. Its limits are in
 * the cgroup storage grid_gg_net of its cgroup and its entry in
 * grid_cpu_limits, keyed by that cgroup's id, and the cpu.max of its
 * cgroup; grid.ko enforces a CPU-time budget through GRID_IOC_CPU_WATCH.
 * Everything a grid-grid's enforcement needs is made at attach, which
 * fails if it cannot be.
 *
 * Every function returns 0 or -errno and prints nothing. A change that
 * fails is undone, and says in struct grid_bpf_fail (when given) where it
 * failed, for the caller to explain. Changes of one machine are
 * serialised by a lock on GRID_BPF_PIN_DIR.
 */
#ifndef GRID_BPF_LOADER_H
#define GRID_BPF_LOADER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/grid.h>

#include "quota_limits.h"

#define GRID_BPF_FS		"/sys/fs/bpf"
/* Where a grid-grid's cgroup is when none is named. */
#define GRID_BPF_CGROUP_DIR	"/sys/fs/cgroup/grid"

struct grid_bpf;

enum grid_bpf_map {
	GRID_BPF_MAP_GG_NET,		/* "grid_gg_net" */
	GRID_BPF_MAP_GG_COUNT,		/* "grid_gg_count" */
	GRID_BPF_MAP_LEASE_NET,		/* "grid_lease_net" */
	GRID_BPF_MAP_GG_IDS,		/* "grid_gg_ids" */
	GRID_BPF_MAP_CPU_LIMITS,	/* "grid_cpu_limits" */
	GRID_BPF_MAP_CPU_USAGE,		/* "grid_cpu_usage" */
	GRID_BPF_MAP_LEASE_CPU,		/* "grid_lease_cpu" */
	GRID_BPF_MAP_CPU_RUN,		/* "grid_cpu_run" */
	GRID_BPF_NR_MAPS,
};

enum grid_bpf_prog {
	GRID_BPF_PROG_NET_EGRESS,	/* prog/net_egress */
	GRID_BPF_PROG_NET_INGRESS,	/* prog/net_ingress */
	GRID_BPF_PROG_CPU_RUNTIME,	/* prog/cpu_runtime */
	GRID_BPF_PROG_CPU_SWITCH,	/* prog/cpu_switch */
	GRID_BPF_PROG_CGROUP_GONE,	/* prog/cgroup_gone */
	GRID_BPF_NR_PROGS,
};

/* Where a change failed. */
enum grid_bpf_step {
	GRID_BPF_AT_NONE,
	GRID_BPF_AT_NAME,	/* -EINVAL: not a grid-grid name, or reserved */
	GRID_BPF_AT_LIMITS,	/* -EINVAL, -ERANGE: @field (quota_limits.h) */
	GRID_BPF_AT_PROGS,	/* -ENOENT: the programs are not pinned */
	GRID_BPF_AT_CGROUP,	/* the cgroup @path; -EBUSY: attached under
				 * another name; -EINVAL: not cgroup v2;
				 * -ESTALE: the grid-grid's cgroup is gone;
				 * -EMLINK: at GRID_BPF_MAX_LEVEL or deeper,
				 * or the root */
	GRID_BPF_AT_CPU_MAX,	/* writing @path: cgroup.subtree_control
				 * or cpu.max */
	GRID_BPF_AT_NETNS,	/* entering the network namespace @path */
	GRID_BPF_AT_FQ,		/* the fq qdisc on @dev */
	GRID_BPF_AT_ROUTES,	/* reading the default routes */
	GRID_BPF_AT_MAPS,	/* an entry of the maps */
	GRID_BPF_AT_LINKS,	/* creating, pinning or unpinning a link */
	GRID_BPF_AT_WATCH,	/* /dev/grid: opening it or the CPU watch */
	GRID_BPF_AT_UNWATCH,	/* /dev/grid: stopping the CPU watch */
};

struct grid_bpf_fail {
	enum grid_bpf_step at;
	enum grid_quota_field field;
	char dev[IF_NAMESIZE];
	char path[PATH_MAX];
};

/* A grid-grid as attached. */
struct grid_bpf_gg {
	char name[GRID_NAME_LEN];
	uint64_t cgroup_id;		/* 0 if its cgroup was removed */
	char cgroup[PATH_MAX];		/* "" if not found */
	struct grid_quota_limits limits;	/* in force; given is 0 */
};

/*
 * Where fq goes: @devs, or when there are none and an egress rate is set,
 * the devices of the default routes; all in network namespace @netns (a
 * name under /run/netns or a path; NULL: the caller's).
 */
struct grid_bpf_fq {
	const char *netns;
	const char *const *devs;
	unsigned int n_devs;
};

/* grid_bpf_open() flags */
#define GRID_BPF_LOAD	0x1	/* load and pin what is not pinned */

/*
 * Adopts the pinned programs and maps, or with GRID_BPF_LOAD loads what
 * is missing from the skeletons: maps through their pin paths (so pinned
 * ones are reused), programs pinned, the scheduler hooks attached and
 * their links pinned once. Never loads a second copy of what is pinned.
 * -ENODEV: no bpffs mounted at GRID_BPF_FS; -ENOENT: nothing pinned
 * (without GRID_BPF_LOAD); otherwise libbpf's or the kernel's errno.
 */
int grid_bpf_open(struct grid_bpf **out, unsigned int flags);
void grid_bpf_close(struct grid_bpf *b);
/* Whether this open loaded anything itself rather than only adopting. */
bool grid_bpf_loaded(const struct grid_bpf *b);
/* The fds stay the handle's; -1 for a program not pinned. */
int grid_bpf_map_fd(const struct grid_bpf *b, enum grid_bpf_map m);
int grid_bpf_prog_fd(const struct grid_bpf *b, enum grid_bpf_prog p);

/*
 * What the programs keep for cgroup @id, as they see it now: a
 * grid-grid's network state and counters, a lease's counters and CPU
 * time (summed over the CPUs where they are per CPU). Zeros and -ENOENT
 * if there is nothing.
 */
int grid_bpf_gg_net_read(struct grid_bpf *b, uint64_t id,
			 struct grid_gg_net *out);
int grid_bpf_gg_count_read(struct grid_bpf *b, uint64_t id,
			   struct grid_gg_count *sum);
int grid_bpf_lease_count_read(struct grid_bpf *b, uint64_t id,
			      struct grid_gg_count *sum);
int grid_bpf_cpu_usage_read(struct grid_bpf *b, uint64_t id,
			    struct grid_cpu_usage *out);
int grid_bpf_lease_cpu_read(struct grid_bpf *b, uint64_t id,
			    uint64_t *runtime_ns);

/* Where libbpf's warnings go, one message each; NULL (the default): nowhere. */
void grid_bpf_set_log(void (*fn)(const char *msg));

/*
 * Each attached grid-grid, by name; a non-zero return from @fn stops the
 * walk and is returned. grid_bpf_get(): one; -ENOENT if not attached.
 */
int grid_bpf_each(struct grid_bpf *b,
		  int (*fn)(const struct grid_bpf_gg *gg, void *arg),
		  void *arg);
int grid_bpf_get(struct grid_bpf *b, const char *gg, struct grid_bpf_gg *out);

/*
 * Attaches grid-grid @gg to the cgroup at @cgroup (NULL:
 * GRID_BPF_CGROUP_DIR/<gg>, made if missing) with @limits, which
 * grid_quota_resolve() completes and checks. fq is made the root qdisc of
 * the devices @fq (may be NULL) names, see above; a device whose root is
 * fq already is left alone. A CPU budget is watched by grid.ko; cores set
 * the cgroup's cpu.max (enabling the cpu controller on the way down).
 * -EEXIST: @gg is attached.
 */
int grid_bpf_attach(struct grid_bpf *b, const char *gg, const char *cgroup,
		    const struct grid_quota_limits *limits,
		    const struct grid_bpf_fq *fq, struct grid_bpf_fail *fail);

/*
 * Changes the fields @change gives (grid_quota_apply()) and nothing else;
 * a CPU budget added or removed starts or stops the watch. fq on the
 * devices named, or as above when an egress rate starts (a changed rate
 * keeps the fq of the attach). -ENOENT: not attached.
 */
int grid_bpf_set(struct grid_bpf *b, const char *gg,
		 const struct grid_quota_limits *change,
		 const struct grid_bpf_fq *fq, struct grid_bpf_fail *fail);

/*
 * Unpins @gg's links (the kernel detaches the programs with the last
 * reference, and frees its cgroup storage with them), deletes its entries
 * and its leases' from the maps and stops grid.ko's watch, which thaws
 * it. Only what is known to be @gg's is touched: its own cgroup id (from
 * grid_gg_ids, when its cgroup was removed) and the cgroups below its
 * cgroup. The cgroup, its cpu.max and cgroup.max.depth are left as they
 * are. -ENOENT: not attached.
 */
int grid_bpf_detach(struct grid_bpf *b, const char *gg,
		    struct grid_bpf_fail *fail);

/*
 * Watches again every attached grid-grid with a CPU budget, for a grid.ko
 * loaded after they were attached (GRID_IOC_CPU_WATCH accepts a watched
 * cgroup). *@watched counts them; the first error is returned after all
 * were tried.
 */
int grid_bpf_rewatch(struct grid_bpf *b, unsigned int *watched);

#endif
