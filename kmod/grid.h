/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the subsystems of grid.ko.
 *
 * Lock order (outermost first); every lock in the module appears here:
 *
 *   grid_mutex              every object map, every object's mutable
 *                           fields, admission, lease state, generation
 *     cgroup_mutex          (the kernel's) taken inside cgroup.kill
 *                           writes and cgroup file reads we make
 *                           while holding grid_mutex
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

extern struct mutex grid_mutex;
/* Bumped under grid_mutex by every change: netlink dumps compare it. */
extern unsigned long grid_generation;
/* Creation order of all objects, for resumable dumps. */
unsigned long grid_next_seq(void);

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
	bool dead;
	char name[GRID_NAME_LEN];
	u8 charter_key[GRID_KEY_LEN];
	bool has_share;
	struct grid_limits share;
	struct grid_amounts share_amounts;
	struct grid_used used;
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
	enum grid_lease_state state;
	void *blob;
	u32 blob_len;
	struct hrtimer timer;
	struct work_struct work;
	struct list_head sandboxes;
	unsigned int nr_sandboxes;
};

struct grid_sandbox {
	struct kref ref;
	struct list_head node;
	struct hlist_node hnode;
	unsigned long seq;
	bool dead;
	u64 cgroup_id;
	struct cgroup *cgrp;
	struct path dir;
	struct grid_lease *lease;
	struct list_head lease_node;
	enum grid_sandbox_state state;
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
int grid_share_add(const struct grid_ioc_share *a);
int grid_share_set(const struct grid_ioc_share *a);
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
int grid_sandbox_read_u64(struct grid_sandbox *sb, const char *file,
			  const char *key, u64 *val);
void grid_sandbox_put(struct grid_sandbox *sb);
void grid_sandboxes_flush(void);
int grid_self(struct grid_self *s);
bool grid_current_in_sandbox(void);

/* genl.c */
void grid_event(enum grid_event type, u64 lease_id, u64 cgroup_id,
		const char *gridgrid, int resource);

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
