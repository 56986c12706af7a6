/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gridd's subsystems and what they share: the configuration, the state,
 * the grid's key, the module's doors, and a request being served.
 */
#ifndef GRIDD_H
#define GRIDD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "keys.h"
#include "proto.h"
#include "record.h"
#include "store.h"

struct grid_nl;
struct grid_bpf;

struct gridd_config {
	char state_dir[256];
	char socket[108];
	char group[32];		/* "" : root only */
	gid_t gid;
	bool bpf;
	char cgroup_root[256];	/* where grid-grid cgroups go */
};

/* config.c: 0, or -EINVAL with "FILE:LINE: ..." in @why. */
int gridd_config_read(struct gridd_config *c, const char *path,
		      struct grid_why *why);
void gridd_config_defaults(struct gridd_config *c);

#define GRIDD_HELD_MAX	256	/* live leases kept for one holder */

struct gridd {
	struct gridd_config cfg;
	struct store st;
	int state_fd;		/* the state folder, O_PATH */
	bool has_grid;		/* gridctl init done */
	char name[GRID_NAME_LEN];
	struct grid_key key;	/* the grid's */
	int dev;		/* /dev/grid, or -1: consumer only */
	char kernel[64];	/* "grid.ko 0.1 (abi 1)" or why not */
	struct grid_bpf *bpf;
	struct grid_nl *nl;	/* queries, kept open; see gridd_nl() */
	uint64_t now_override;	/* tests: GRIDD_NOW */
	unsigned int held_max;	/* live leases kept per holder; tests: GRIDD_HELD_MAX */
	/*
	 * init's grid is in memory before its batch commits (the requests
	 * after it in the batch sign with it): until init's @after has run,
	 * a batch that does not reach the disk takes it back.
	 */
	bool grid_uncommitted;
	struct request *serving;	/* whose handler runs now (api.c) */
};

/* Who is asking, from SO_PEERCRED, never from what the client says. */
struct caller {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool root;		/* acts as the grid */
	bool has_agent;		/* uid maps to an agent */
	char agent[GRID_NAME_LEN];
	uint8_t agent_pk[GRID_PK_LEN];
};

/*
 * One request being served. A handler answers into @out (items) and
 * @why (the sentence of a failure); work that must follow the commit of
 * the state (the module's objects) goes into @after, run once the batch
 * the request is in has committed, and may still fail the request.
 */
struct request {
	const struct caller *who;
	const struct grid_api_map *args;
	struct grid_api_out *out;
	struct grid_why why;
	int status;
	int (*after)(struct gridd *g, struct request *rq);
	uint64_t after_id;	/* what @after works on */
	uint64_t after_serial;
	char after_name[GRID_NAME_LEN];
	uint8_t after_key[GRID_PK_LEN];
	/* renew: the record it signed; share set: the one it replaced */
	uint8_t after_rec[GRID_ID_LEN];
	/* The key file it made (gridd_key_new): removed if it is undone. */
	char key_made[64];
};

typedef int (*gridd_op)(struct gridd *g, struct request *rq);

/*
 * kernel.c: the netlink handle for queries, opened at first use and kept
 * (opening one per lease issued was a tenth of its cost); NULL if the
 * module does not answer. A query that fails gives it back by
 * gridd_nl_drop(), so the next one starts on a fresh socket.
 */
struct grid_nl *gridd_nl(struct gridd *g);
void gridd_nl_drop(struct gridd *g);

/* api.c: the local API server. */
int gridd_api_serve(struct gridd *g, int sigfd, struct grid_nl *events);

/* Unix seconds now (GRIDD_NOW in the environment for tests). */
uint64_t gridd_now(const struct gridd *g);

/* identity.c */
int gridd_identity_load(struct gridd *g);
void gridd_identity_reload(struct gridd *g);
int gridd_keys_sweep(struct gridd *g);
int op_status(struct gridd *g, struct request *rq);
int op_init(struct gridd *g, struct request *rq);
int op_agent_add(struct gridd *g, struct request *rq);
int op_agent_list(struct gridd *g, struct request *rq);
int op_agent_del(struct gridd *g, struct request *rq);
int op_grid_certify(struct gridd *g, struct request *rq);
int op_grid_list(struct gridd *g, struct request *rq);
int op_record_list(struct gridd *g, struct request *rq);
/* The agent @uid maps to, if any. */
int gridd_agent_of_uid(struct gridd *g, uid_t uid, struct caller *c);
/* Signs @r with the grid's key and keeps it: 0 or -errno with @why. */
int gridd_sign_keep(struct gridd *g, struct grid_record *r,
		    const struct grid_key *key, struct grid_signed *out,
		    struct grid_why *why);
/* A fresh key kept as keys/@file (0600), its metadata in the state. */
int gridd_key_new(struct gridd *g, const char *file, const char *role,
		  struct grid_key *k);
int gridd_key_open(struct gridd *g, const uint8_t pk[GRID_PK_LEN],
		   struct grid_key *k);
/* @rq was undone (its savepoint or its batch): the key file it made goes. */
void gridd_key_undo(struct gridd *g, struct request *rq);

/* gridgrid.c */
int op_gg_create(struct gridd *g, struct request *rq);
int op_gg_invite(struct gridd *g, struct request *rq);
int op_gg_join(struct gridd *g, struct request *rq);
int op_gg_leave(struct gridd *g, struct request *rq);
int op_gg_list(struct gridd *g, struct request *rq);
int op_gg_revoke(struct gridd *g, struct request *rq);
int op_gg_proof(struct gridd *g, struct request *rq);
int op_gg_admit(struct gridd *g, struct request *rq);
/* The grid-grid @name this grid is in: its charter key; -ENOENT. */
int gridd_gg_key(struct gridd *g, const char *name, uint8_t pk[GRID_PK_LEN]);
/* After a commit: the grid-grid rq->after_name in grid.ko. */
int gridd_gg_kernel_add(struct gridd *g, struct request *rq);

/* share.c, lease.c: shares and leases issued. */
int op_share_set(struct gridd *g, struct request *rq);
int op_share_del(struct gridd *g, struct request *rq);
int op_share_list(struct gridd *g, struct request *rq);
int op_lease_issue(struct gridd *g, struct request *rq);
int op_lease_renew(struct gridd *g, struct request *rq);
int op_lease_revoke(struct gridd *g, struct request *rq);
/* held.c: leases this grid's agents hold. */
int op_lease_import(struct gridd *g, struct request *rq);
int op_lease_list(struct gridd *g, struct request *rq);

/* kernel.c: grid.ko, when it is there. */
struct grid_obj_event;
void gridd_on_event(const struct grid_obj_event *ev, void *arg);
int gridd_kernel_lease(struct gridd *g, const struct grid_signed *rec,
		       struct grid_ioc_lease *l);
/* share.c: the shares of the state into grid.ko (and BPF). */
int gridd_provide_reconcile(struct gridd *g);
int gridd_share_kernel_del(struct gridd *g, const char *gg);
struct grid_obj_limits;
void gridd_obj_limits(struct grid_obj_limits *out, const struct grid_limits *l);
/* rq's sentence for grid.ko's -EDQUOT on @gg (@attr: its exhausted). */
void gridd_exhausted(struct request *rq, const char *gg,
		     const struct grid_limits *want, uint32_t attr);
int gridd_kernel_open(struct gridd *g);
void gridd_kernel_close(struct gridd *g);
/* Registers what the state says should be in grid.ko, once each. */
int gridd_kernel_reconcile(struct gridd *g);

/* A failure with its sentence: sets rq->why, returns @err. */
int gridd_fail(struct request *rq, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
