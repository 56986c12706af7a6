/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the subsystems of grid.ko.
 *
 * Lock order (outermost first); every lock in the module appears here:
 *
 *   grid_change_mutex       serialises the changes made through /dev/grid
 *                           (all but a revoke); held across the cgroup
 *                           writes a change makes (a lease's limits), so
 *                           that those happen without grid_mutex
 *     grid_mutex            every object map, every object's mutable
 *                           fields, admission, lease state, generation;
 *                           held only for short sections, never across
 *                           a cgroup file write that may block (the
 *                           readers and the lease timers take it alone)
 *       cgroup_mutex        (the kernel's) taken inside the cgroup.kill
 *                           write a lease's end makes under grid_mutex
 *   cpubudget_mutex         cpubudget.c's own, never with the two above
 *   gridfs: the VFS's own locks (i_rwsem of gridfs directories), which
 *           are taken before grid_mutex when a lookup or readdir asks
 *           for objects; nothing in the module takes an inode lock while
 *           holding grid_mutex.
 *
 * Lifetimes. Every object is reference counted (kref). Maps hold one
 * reference; lookups under grid_mutex take another for anyone who keeps
 * the pointer past the lock. Removal is two-phase: under grid_mutex the
 * object is marked dead and unlinked (so no new reference can be found),
 * then, with the mutex dropped, whatever could still run on it (a lease's
 * timer and work) is cancelled synchronously, then the map's reference is
 * put. Objects refer to each other with counted references:
 *   lease -> gridgrid, lease -> issuer grid, sandbox -> lease,
 *   peer -> gridgrid (memberships), grid -> parent grid.
 * An object others refer to cannot be deleted (-EBUSY), with one
 * exception: a grid whose key issued only ended leases may go while those
 * leases still hold it; the reference keeps its memory. Module exit tears
 * down in dependency order.
 */
#ifndef _GRID_H
#define _GRID_H

#include <linux/hashtable.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include "uapi/linux/grid.h"

#ifndef GRID_RELEASE
#define GRID_RELEASE "unknown"
#endif

/* Kinds of object the module counts, one counter each (status.c). */
enum grid_obj {
	GRID_OBJ_GRID,
	GRID_OBJ_GRIDGRID,
	GRID_OBJ_PEER,
	GRID_OBJ_LEASE,
	GRID_OBJ_SANDBOX,
	GRID_OBJ_HANDLE,
	GRID_OBJ_CPUWATCH,
	GRID_OBJ_NR
};

void grid_obj_created(enum grid_obj kind);
void grid_obj_destroyed(enum grid_obj kind);
void grid_status_read(struct grid_status *st);
bool grid_objects_none_left(void);

extern struct mutex grid_change_mutex;
extern struct mutex grid_mutex;
/*
 * Every change of the object model makes a new generation (under
 * grid_mutex): the objects it changed record it in their gen, and its
 * event carries it, so that a reader can tell what it has seen.
 */
u64 grid_bump(void);
u64 grid_generation_now(void);
/* Creation order of all objects, for resumable dumps. */
unsigned long grid_next_seq(void);

/*
 * Each kind's objects by creation number, so that a dump resumes after
 * the last object it sent without walking from the head (core.c).
 */
int grid_index_add(enum grid_obj kind, unsigned long seq, void *obj);
void grid_index_del(enum grid_obj kind, unsigned long seq);
void *grid_index_next(enum grid_obj kind, unsigned long *seq);

/* The work of the lease timers and the retried kills (lease.c). */
extern struct workqueue_struct *grid_wq;

/*
 * The resources admission sums, in the units it compares: CPU rate in
 * nanocores, everything else as in struct grid_limits.
 */
enum grid_res {
	GRID_RES_CPU_RATE,
	GRID_RES_CPU_BUDGET,
	GRID_RES_MEMORY,
	GRID_RES_PIDS,
	GRID_RES_NET_EGRESS_RATE,
	GRID_RES_NET_INGRESS_RATE,
	GRID_RES_NET_EGRESS_BUDGET,
	GRID_RES_NET_INGRESS_BUDGET,
	GRID_RES_NR
};

struct grid_amounts {
	u64 v[GRID_RES_NR];	/* GRID_LIMIT_MAX: no limit */
};

/* Sums over a grid-grid's live leases. */
struct grid_used {
	u64 sum[GRID_RES_NR];		/* of the finite amounts */
	unsigned int unlimited[GRID_RES_NR];	/* leases with no limit */
};

struct grid_grid {
	struct kref ref;
	struct list_head node;
	struct hlist_node hnode;
	unsigned long seq;
	u64 gen;			/* of its last change */
	bool dead;
	char name[GRID_NAME_LEN];
	u8 key[GRID_KEY_LEN];
	struct grid_grid *parent;
	unsigned int children;
	unsigned int leases;		/* live leases it issued */
};

struct grid_gridgrid {
	struct kref ref;
	struct list_head node;
	struct hlist_node hnode;
	unsigned long seq;
	u64 gen;			/* of its last change */
	bool dead;
	char name[GRID_NAME_LEN];
	u8 charter_key[GRID_KEY_LEN];
	bool has_share;
	struct grid_limits share;
	struct grid_amounts share_amounts;
	struct grid_used used;
	/* The share's cgroup, below which its sandboxes are (referenced). */
	struct cgroup *cgrp;
	unsigned int nr_leases;		/* all its leases, any state */
	unsigned int nr_live;		/* pending or active */
	unsigned int nr_peers;
	unsigned int nr_sandboxes;
};

struct grid_peer {
	struct kref ref;
	struct list_head node;
	struct hlist_node hnode;
	unsigned long seq;
	u64 gen;			/* of its last change */
	bool dead;
	u8 key[GRID_KEY_LEN];
	char name[GRID_NAME_LEN];
	unsigned int n_gridgrids;
	struct grid_gridgrid *gridgrids[GRID_PEER_GRIDGRIDS_MAX];
};

struct grid_lease {
	struct kref ref;
	struct list_head node;
	struct hlist_node hnode;
	unsigned long seq;
	u64 gen;			/* of its last change */
	bool dead;
	u64 id;
	u64 serial;
	u8 issuer_key[GRID_KEY_LEN];
	u8 holder[GRID_KEY_LEN];
	struct grid_grid *issuer;
	struct grid_gridgrid *gg;
	struct grid_limits limits;
	struct grid_amounts amounts;
	s64 not_before;
	s64 not_after;
	/* The latest not_after it ever had: its signed bytes were valid that long. */
	s64 replay_until;
	enum grid_lease_state state;
	void *blob;
	u32 blob_len;
	struct hrtimer timer;
	struct work_struct work;
	struct list_head sandboxes;
	unsigned int nr_sandboxes;
};

/*
 * A sandbox holds what its kill needs from the bind on: cgroup.kill open
 * for writing (no credentials, no path walk at the lease's end), and the
 * lease cgroup's directory for the limits a LEASE_SET writes.
 */
struct grid_sandbox {
	struct kref ref;
	struct list_head node;
	struct hlist_node hnode;
	unsigned long seq;
	u64 gen;			/* of its last change */
	bool dead;
	u64 cgroup_id;
	struct cgroup *cgrp;
	struct cgroup *lease_cgrp;	/* one level below the grid-grid's */
	struct path dir;
	struct path lease_dir;
	struct file *kill;		/* cgroup.kill, open for writing */
	struct grid_lease *lease;
	struct list_head lease_node;
	enum grid_sandbox_state state;
	int kill_err;			/* positive errno, while KILL_FAILED */
	unsigned int kill_tries;
	unsigned int retry_ms;		/* the last retry's delay */
	struct delayed_work retry;
};

/* Lists in creation order, for dumps; each kind's own file owns its list. */
extern struct list_head grid_grids;
extern struct list_head grid_gridgrids;
extern struct list_head grid_peers;
extern struct list_head grid_leases;
extern struct list_head grid_sandboxes;

/* grids.c */
struct grid_grid *grid_grid_find(const char *name);
struct grid_grid *grid_grid_find_key(const u8 *key);
int grid_grid_add(const struct grid_ioc_grid *a);
int grid_grid_set(const struct grid_ioc_grid *a);
int grid_grid_del(const char *name);
void grid_grid_put(struct grid_grid *g);
void grid_grids_flush(void);

/* gridgrid.c */
struct grid_gridgrid *grid_gridgrid_find(const char *name);
int grid_gridgrid_add(const struct grid_ioc_gridgrid *a);
int grid_gridgrid_set(const struct grid_ioc_gridgrid *a);
int grid_gridgrid_del(const char *name);
void grid_gridgrid_get(struct grid_gridgrid *gg);
void grid_gridgrid_put(struct grid_gridgrid *gg);
void grid_gridgrids_flush(void);

/* share.c: limits, shares and admission */
int grid_limits_check(const struct grid_limits *l, bool is_share);
void grid_limits_amounts(const struct grid_limits *l, bool round_up,
			 struct grid_amounts *out);
int grid_share_add(struct grid_ioc_share *a);
int grid_share_set(struct grid_ioc_share *a);
int grid_share_del(const char *gridgrid);
int grid_admit(struct grid_gridgrid *gg, const struct grid_amounts *add,
	       const struct grid_amounts *remove, enum grid_res *short_of);
void grid_used_add(struct grid_gridgrid *gg, const struct grid_amounts *a);
void grid_used_sub(struct grid_gridgrid *gg, const struct grid_amounts *a);
void grid_used_limits(const struct grid_gridgrid *gg, struct grid_limits *l,
		      struct grid_amounts *am);
const char *grid_res_name(enum grid_res r);
int grid_res_to_attr(enum grid_res r);

/* peer.c */
struct grid_peer *grid_peer_find(const u8 *key);
int grid_peer_add(const struct grid_ioc_peer *a);
int grid_peer_set(const struct grid_ioc_peer *a);
int grid_peer_del(const u8 *key);
void grid_peers_flush(void);

/* lease.c */
struct grid_lease *grid_lease_find(u64 id);
int grid_lease_add(struct grid_ioc_lease *a, void *blob);
int grid_lease_set(struct grid_ioc_lease *a, void *blob);
int grid_lease_del(u64 id);
int grid_lease_revoke(u64 id);
bool grid_lease_live(const struct grid_lease *l);
void grid_lease_get(struct grid_lease *l);
void grid_lease_put(struct grid_lease *l);
void grid_leases_flush(void);

/* sandbox.c */
struct grid_sandbox *grid_sandbox_find(u64 cgroup_id);
struct grid_sandbox *grid_sandbox_of_current(void);
int grid_sandbox_bind(struct grid_ioc_sandbox *a);
int grid_sandbox_unbind(u64 cgroup_id);
void grid_sandbox_kill(struct grid_sandbox *sb);
void grid_sandbox_get(struct grid_sandbox *sb);
void grid_sandbox_put(struct grid_sandbox *sb);
void grid_sandboxes_flush(void);
int grid_sandbox_dirs(struct grid_lease *l, struct path **dirs,
		      unsigned int *n);
void grid_sandbox_dirs_put(struct path *dirs, unsigned int n);
int grid_self(struct grid_self *s);
bool grid_current_in_sandbox(void);

/* cgfile.c: the cgroup files the module opens, reads and writes */
int grid_cgroup_dir_get(int fd, struct path *dir, struct cgroup **cgrp);
struct file *grid_cgfile_open(const struct path *dir, const char *name,
			      int flags);
int grid_cgfile_write(struct file *f, const char *val);
int grid_cgfile_read_u64(const struct path *dir, const char *name,
			 const char *key, u64 *val);
int grid_limits_write(const struct path *lease_dir,
		      const struct grid_limits *l);

/* genl.c */
struct grid_event_info {
	u64 gen;		/* 0: none (the CPU events) */
	u64 lease_id;
	u64 cgroup_id;
	const char *gridgrid;
	const char *name;
	const u8 *key;
	int resource;		/* a grid_limits_attr */
	int error;		/* a positive errno */
};

void grid_event(enum grid_event type, const struct grid_event_info *e);

/* cpubudget.c: CPU-time budgets read from the BPF maps (own mutex) */
int grid_cpu_watch(struct grid_ioc_cpu_watch *a);
int grid_cpu_unwatch(struct grid_ioc_cpu_watch *a);
int grid_cpu_watch_get(struct grid_ioc_cpu_watch *a);
void grid_cpu_watches_flush(void);

int grid_dev_init(void);
void grid_dev_uninit(void);
int grid_genl_init(void);
void grid_genl_uninit(void);
int grid_lease_init(void);
void grid_lease_uninit(void);
int grid_gridfs_init(void);
void grid_gridfs_uninit(void);

/* Shared validation (status.c). */
int grid_name_check(const char *name, bool may_be_empty);
bool grid_key_valid(const u8 *key);

#endif /* _GRID_H */
