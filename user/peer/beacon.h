/* SPDX-License-Identifier: GPL-2.0 */
/* The link-local beacon's datagram (PROTOCOL.md §10): made and read. */
#ifndef GRID_PEER_BEACON_H
#define GRID_PEER_BEACON_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "record.h"

#define PEER_BEACON_MAX	256	/* bytes of a datagram */
#define PEER_BEACON_SKEW	300	/* s: a beacon older or newer is refused */

/* "grid @k's sessions are on @port", signed, at @now: its length, or -errno. */
long peer_beacon_make(const struct grid_key *k, unsigned int port,
		      uint64_t now, uint8_t *out, size_t cap);
/*
 * A datagram read at @now: 0 with the grid's key and port if it is a
 * beacon that verifies and is of now, else -EBADMSG with @why.
 */
int peer_beacon_read(const uint8_t *buf, size_t len, uint64_t now,
		     uint8_t pk[GRID_PK_LEN], unsigned int *port,
		     struct grid_why *why);

#endif
