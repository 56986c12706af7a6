// SPDX-License-Identifier: GPL-2.0
/*
 * Lease negotiation (PROTOCOL.md §8). A holder's gridd asks a provider
 * for a lease in a grid-grid; the provider checks who asks (a member, an
 * agent its grid certified), its policy and its share (grid.ko admits the
 * lease or not), then signs, keeps, registers and answers; the holder
 * checks the lease it is given and keeps it.
 *
 * Nothing is lost on either side. The holder's side is
 * negotiate_holder.c, the provider's negotiate_provider.c; here, what
 * both share: the caller a peer's message is served as, and the dispatch
 * of a session's negotiation messages to the side that takes them.
 */
#include <errno.h>

#include "negotiate.h"

const struct caller gridd_negotiate_caller = {
	.pid = -1, .uid = (uid_t)-1, .root = true,
};

int gridd_negotiate_message(struct gridd *g, struct peer_conn *c,
			    const struct peer_msg *m, struct grid_why *why)
{
	switch (m->type) {
	case PEER_MSG_LEASE_REQUEST:
		return gridd_negotiate_on_request(g, c, m, why);
	case PEER_MSG_LEASE_GRANT:
		return gridd_negotiate_on_grant(g, c, m);
	case PEER_MSG_LEASE_REFUSED:
		return gridd_negotiate_on_refused(g, c, m);
	case PEER_MSG_LEASE_RENEW:
		return gridd_negotiate_on_request(g, c, m, why);
	}
	return grid_why_set(why, -EBADMSG, "sent a %s, which this gridd does not take yet",
			    peer_msg_type_name(m->type));
}
