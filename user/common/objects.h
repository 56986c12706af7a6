/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grid.ko's objects as its netlink replies describe them, in plain userland
 * types. nl.c fills them; gridctl and gridd read them. Names are
 * NUL-terminated, keys raw bytes, times CLOCK_REALTIME nanoseconds.
 */
#ifndef GRID_OBJECTS_H
#define GRID_OBJECTS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/grid.h>

/* The longest sandbox path a reply may carry, NUL included. */
#define GRID_OBJ_PATH_LEN	4096

/*
 * A GRID_LIMITS_A_* nest. @present has bit (1 << GRID_LIMITS_A_x) for each
 * attribute the kernel sent; the others hold the parser's default
 * (GRID_LIMIT_MAX for a share or a lease, 0 for the used sums). @cpu_rate
 * is in nanocores, the unit the kernel admits CPU by; when the kernel did
 * not send it, a share's or lease's is worked out from quota and period.
 */
struct grid_obj_limits {
	struct grid_limits l;
	uint64_t cpu_rate;
	uint32_t present;
};

struct grid_obj_grid {
	char name[GRID_NAME_LEN];
	uint8_t key[GRID_KEY_LEN];
	char parent[GRID_NAME_LEN];	/* "" for none */
	uint64_t gen;			/* generation of its last change */
};

struct grid_obj_gridgrid {
	char name[GRID_NAME_LEN];
	uint8_t charter_key[GRID_KEY_LEN];
	bool has_share;
	struct grid_obj_limits share;	/* if has_share */
	struct grid_obj_limits used;	/* the sum over live leases */
	uint32_t leases;
	uint32_t peers;
	uint32_t sandboxes;
	uint64_t cgroup_id;		/* the share's cgroup; 0 if none */
	uint64_t gen;
};

struct grid_obj_peer {
	uint8_t key[GRID_KEY_LEN];
	char name[GRID_NAME_LEN];
	uint32_t n_gridgrids;
	char gridgrids[GRID_PEER_GRIDGRIDS_MAX][GRID_NAME_LEN];
	uint64_t gen;
};

struct grid_obj_lease {
	uint64_t id;
	uint64_t serial;
	uint8_t issuer[GRID_KEY_LEN];
	uint8_t holder[GRID_KEY_LEN];
	char gridgrid[GRID_NAME_LEN];
	struct grid_obj_limits limits;
	int64_t not_before_ns;
	int64_t not_after_ns;
	uint32_t state;			/* enum grid_lease_state */
	uint32_t sandboxes;
	uint64_t gen;
	uint32_t blob_len;
	uint8_t blob[GRID_LEASE_BLOB_MAX];
};

struct grid_obj_sandbox {
	uint64_t cgroup_id;
	uint64_t lease_id;
	char gridgrid[GRID_NAME_LEN];
	uint32_t state;			/* enum grid_sandbox_state */
	uint64_t lease_cgroup_id;	/* one level below the grid-grid's */
	uint32_t error;			/* errno of the last failed kill */
	uint32_t kill_tries;
	uint64_t gen;
	char path[GRID_OBJ_PATH_LEN];	/* "" if not visible to the caller */
};

/* A GRID_CMD_EVENT; what an event does not concern is left out (has_* false). */
struct grid_obj_event {
	uint32_t type;			/* enum grid_event */
	bool has_lease_id;
	bool has_cgroup_id;
	bool has_resource;
	bool has_key;
	uint64_t lease_id;
	uint64_t cgroup_id;
	uint32_t resource;		/* enum grid_limits_attr */
	uint64_t gen;			/* 0 if none */
	uint32_t error;			/* a positive errno; 0 if none */
	char gridgrid[GRID_NAME_LEN];	/* "" if none */
	char name[GRID_NAME_LEN];	/* a grid's; "" if none */
	uint8_t key[GRID_KEY_LEN];	/* a peer's, if has_key */
};

#endif
