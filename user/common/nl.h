/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink door, the one place that knows libnl (nl.c, with
 * nl_reply.c reading the replies behind it). Every function
 * returns 0 or -errno; the errno is the kernel's own (not libnl's
 * translation), and a message from the kernel's extended ack, if any, is
 * kept for the caller to show.
 *
 * Replies are checked against a policy per attribute set and turned into
 * the plain structs of objects.h; a reply that does not fit is -EPROTO.
 */
#ifndef GRID_NL_H
#define GRID_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/grid.h>

#include "objects.h"

struct grid_nl;

struct grid_nl_status {
	char release[GRID_RELEASE_LEN];
	uint32_t abi;
	struct grid_status counts;
	uint64_t generation;		/* 0 from a module without it */
};

/* -ENOENT if the family is not registered (module not loaded). */
int grid_nl_open(struct grid_nl **out);
void grid_nl_close(struct grid_nl *nl);

int grid_nl_status(struct grid_nl *nl, struct grid_nl_status *st);

/*
 * Dumps: each object of the kind goes to @fn, in the kernel's order, and a
 * non-zero return from @fn stops the walk and is returned. The kernel
 * sends every object once, each as it was when sent, and a dump always
 * finishes (see GRID_CMD_GET_* in linux/grid.h; objects carry their
 * generation for a reader that follows events too). A dump marked
 * interrupted, which only a module older than that sends, is started
 * again a few times, then -EAGAIN.
 * @gridgrid, if not NULL, narrows leases and sandboxes to one grid-grid.
 */
int grid_nl_grids(struct grid_nl *nl,
		  int (*fn)(const struct grid_obj_grid *g, void *arg),
		  void *arg);
int grid_nl_gridgrids(struct grid_nl *nl,
		      int (*fn)(const struct grid_obj_gridgrid *gg, void *arg),
		      void *arg);
int grid_nl_peers(struct grid_nl *nl,
		  int (*fn)(const struct grid_obj_peer *p, void *arg),
		  void *arg);
int grid_nl_leases(struct grid_nl *nl, const char *gridgrid,
		   int (*fn)(const struct grid_obj_lease *l, void *arg),
		   void *arg);
int grid_nl_sandboxes(struct grid_nl *nl, const char *gridgrid,
		      int (*fn)(const struct grid_obj_sandbox *sb, void *arg),
		      void *arg);

/* One object by its key; -ENOENT if there is none. */
int grid_nl_grid_get(struct grid_nl *nl, const char *name,
		     struct grid_obj_grid *out);
int grid_nl_gridgrid_get(struct grid_nl *nl, const char *name,
			 struct grid_obj_gridgrid *out);
int grid_nl_peer_get(struct grid_nl *nl, const uint8_t key[GRID_KEY_LEN],
		     struct grid_obj_peer *out);
int grid_nl_lease_get(struct grid_nl *nl, uint64_t id,
		      struct grid_obj_lease *out);
int grid_nl_sandbox_get(struct grid_nl *nl, uint64_t cgroup_id,
			struct grid_obj_sandbox *out);

/*
 * Sends @cmd with @len bytes of already-encoded attributes and waits for
 * the answer, ignoring any reply data: for tests and fuzzers of the
 * kernel's validation.
 */
int grid_nl_send_raw(struct grid_nl *nl, uint8_t cmd, const void *payload,
		     size_t len);

/* The kernel's extended-ack message for the last failed request, or "". */
const char *grid_nl_extack(const struct grid_nl *nl);

/*
 * Event subscription, on a grid_nl of its own (events carry no sequence
 * numbers). grid_nl_subscribe() joins the "events" group and makes the
 * socket non-blocking; poll grid_nl_fd() and call grid_nl_read_events()
 * when it is readable: @fn sees each GRID_CMD_EVENT, parsed; messages that
 * are not events, or do not parse, are skipped. -ENOBUFS means the socket
 * overflowed and events were lost; reading can go on.
 */
int grid_nl_subscribe(struct grid_nl *nl);
int grid_nl_fd(const struct grid_nl *nl);
int grid_nl_read_events(struct grid_nl *nl,
			void (*fn)(const struct grid_obj_event *ev, void *arg),
			void *arg);
#endif
