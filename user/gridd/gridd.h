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

#include "addr.h"
#include "keys.h"
#include "proto.h"
#include "record.h"
#include "store.h"

struct grid_nl;
struct grid_bpf;
struct gridd_peers;

#define GRIDD_LISTEN_MAX	4
#define GRIDD_PEERS_MAX		32

/* A peer of gridd.conf: dialed, and kept, always. */
struct gridd_static_peer {
	struct peer_addr addr;
	uint8_t pk[GRID_PK_LEN];	/* the identity expected there */
	bool has_pk;
};

#define GRIDD_POLICIES_MAX	64

/* policy GRIDGRID GRID|* allow|deny [longest DURATION], of gridd.conf. */
struct gridd_policy {
	char gridgrid[GRID_NAME_LEN];
	char grid[GRID_NAME_LEN];	/* a member's name, or "" */
	uint8_t pk[GRID_PK_LEN];	/* or its key */
	bool has_pk;
	bool any_grid;			/* '*' */
	bool deny;
	uint64_t longest;		/* s; 0: as long as asked */
};

#define GRIDD_PAUSES_MAX	8

/* pause battery | file PATH | schedule HH:MM-HH:MM, of gridd.conf. */
struct gridd_pause {
	bool battery;			/* while on battery */
	char file[256];			/* while this file exists ("" none) */
	unsigned int n_sched;
	struct { int from, to; } sched[GRIDD_PAUSES_MAX];	/* minutes of the day */
};

struct gridd_config {
	char state_dir[256];
	char socket[108];
	char group[32];		/* "" : root only */
	gid_t gid;
	bool bpf;
	char cgroup_root[256];	/* where grid-grid cgroups go */
	struct peer_addr listen[GRIDD_LISTEN_MAX];	/* none: [::]:7470 */
	unsigned int n_listen;
	bool listen_none;
	struct gridd_static_peer peers[GRIDD_PEERS_MAX];
	unsigned int n_peers;
	bool beacon;		/* the link-local beacon (beacon.c) */
	char netns[256];	/* the peers' network namespace, or "" */
	struct gridd_policy policies[GRIDD_POLICIES_MAX];
	unsigned int n_policies;
	struct gridd_pause pause;	/* when jobs here are frozen */
};

/* config.c: 0, or -EINVAL with "FILE:LINE: ..." in @why. */
int gridd_config_read(struct gridd_config *c, const char *path,
		      struct grid_why *why);
void gridd_config_defaults(struct gridd_config *c);

#define GRIDD_HELD_MAX	256	/* live leases kept for one holder */

#define GRIDD_PUSH_MAX	256	/* records kept in one batch, pushed after it */

struct peer_conn;

struct gridd_push {
	uint8_t gg[GRID_PK_LEN];
	uint8_t id[GRID_ID_LEN];
	const struct peer_conn *from;	/* the session it came by, if one */
};

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
	struct gridd_peers *peers;	/* peers.c; NULL before the grid exists */
	/* gridd.conf 'netns': where gridd started, and where its peers are */
	int root_netns, peer_netns;
	/* gossip.c: kept since the last commit, to push to the members */
	struct gridd_push gossip_push[GRIDD_PUSH_MAX];
	unsigned int gossip_n;
	const struct peer_conn *gossip_from;	/* the session being read */
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
	char after_addr[PEER_ADDR_STR];	/* peer add, del */
	uint8_t after_key[GRID_PK_LEN];
	/* renew: the record it signed; share set: the one it replaced */
	uint8_t after_rec[GRID_ID_LEN];
	/* The key file it made (gridd_key_new): removed if it is undone. */
	char key_made[64];
	/*
	 * Not answered after its batch: the connection waits until
	 * gridd_api_wake() (an answer came from a peer) or its time is up,
	 * and the request is served again, then with @late if the time is
	 * up.
	 */
	bool park;
	bool late;
	unsigned int park_ms;	/* how long it waits; 0: as long as for a peer's answer */
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
/* Serves again the requests parked on @key (16 bytes: a lease request id). */
void gridd_api_wake(struct gridd *g, const uint8_t *key);

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

/* members.c, for gossip.c */
int gridd_admit_proof(struct gridd *g, struct request *rq,
		      const uint8_t *bytes, size_t len);
int gridd_gossip_apply(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		       const struct grid_signed *s, struct grid_why *why);
void gridd_leases_end(struct gridd *g, const uint8_t id[GRID_ID_LEN]);
/* An agent certificate of a member grid, kept as admit does. */
int gridd_admit_cert(struct gridd *g, struct request *rq,
		     const struct grid_signed *s);

/* peers_api.c, negotiate_holder.c: the operations of the local API */
int op_peer_add(struct gridd *g, struct request *rq);
int op_peer_del(struct gridd *g, struct request *rq);
int op_peer_list(struct gridd *g, struct request *rq);
int op_lease_request(struct gridd *g, struct request *rq);
int op_lease_renew_held(struct gridd *g, struct request *rq);
/*
 * negotiate_holder.c: the answers kept since the last commit, committed
 * now: a transaction that acts after its commit (grid.ko, pushes) must
 * not run inside theirs.
 */
void gridd_answers_commit(struct gridd *g);
/* negotiate_provider.c: the lease requests peers sent since the last batch. */
void gridd_negotiate_serve(struct gridd *g);

/*
 * gossip.c: record @id (kind 1 a record, 2 a membership with its proof)
 * is in grid-grid @gg's set, and is pushed to its members' sessions by
 * gridd_gossip_flush() once it is committed.
 */
int gridd_gossip_keep(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		      const uint8_t id[GRID_ID_LEN], int kind);
void gridd_gossip_flush(struct gridd *g);
/* A share record @s replaces its issuer's older ones in @gg's set. */
int gridd_gossip_share(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		       const struct grid_signed *s);

/* share.c, lease.c: shares and leases issued. */
int op_share_set(struct gridd *g, struct request *rq);
int op_share_del(struct gridd *g, struct request *rq);
int op_share_list(struct gridd *g, struct request *rq);
int op_lease_issue(struct gridd *g, struct request *rq);
/* A lease as an answer's item, with its token (and its issuer, if held). */
int gridd_lease_item(struct request *rq, const struct grid_signed *s,
		     bool with_issuer);
int op_lease_renew(struct gridd *g, struct request *rq);
int op_lease_revoke(struct gridd *g, struct request *rq);
/* held.c: leases this grid's agents hold. */
int op_lease_import(struct gridd *g, struct request *rq);
int gridd_lease_hold(struct gridd *g, struct request *rq,
		     const struct grid_signed *s);
int op_lease_list(struct gridd *g, struct request *rq);
/* ledger.c: what this grid provided to and used from each peer. */
int op_ledger(struct gridd *g, struct request *rq);

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
void gridd_exhausted(struct gridd *g, struct request *rq, const char *gg,
		     const struct grid_limits *want, uint32_t attr);
int gridd_kernel_open(struct gridd *g);
void gridd_kernel_close(struct gridd *g);
/* Registers what the state says should be in grid.ko, once each. */
int gridd_kernel_reconcile(struct gridd *g);

/* A failure with its sentence: sets rq->why, returns @err. */
int gridd_fail(struct request *rq, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
