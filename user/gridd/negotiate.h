/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lease negotiation inside gridd: what negotiate.c's dispatch of a
 * session's messages calls on either side, and what both sides share.
 * The rest of gridd sees negotiation through gridd.h and peers.h only.
 */
#ifndef GRIDD_NEGOTIATE_H
#define GRIDD_NEGOTIATE_H

#include <errno.h>
#include <stdbool.h>

#include "gridd.h"
#include "peers.h"

/*
 * negotiate.c: the caller a peer's message is served as, root: the
 * lease a provider grants is kept (negotiate_holder.c), and the lease a
 * holder asks for is issued (negotiate_provider.c), on the grid's own
 * authority, never a local user's.
 */
extern const struct caller gridd_negotiate_caller;

/*
 * A refusal @code (a positive errno, as the wire carries it) that says
 * "ask again": the provider busy, or out of memory, or unable to write
 * its state. Neither side keeps it as the request's answer; the holder
 * asks again at its next session with the provider.
 */
static inline bool gridd_negotiate_ask_again(int code)
{
	return code == EBUSY || code == EIO || code == EAGAIN || code == ENOMEM;
}

/* negotiate_holder.c: a provider's answers to our requests. */
int gridd_negotiate_on_grant(struct gridd *g, struct peer_conn *c,
			     const struct peer_msg *m);
int gridd_negotiate_on_refused(struct gridd *g, struct peer_conn *c,
			       const struct peer_msg *m);

/* negotiate_provider.c: a holder's request, queued for the next batch. */
int gridd_negotiate_on_request(struct gridd *g, struct peer_conn *c,
			       const struct peer_msg *m, struct grid_why *why);

#endif
