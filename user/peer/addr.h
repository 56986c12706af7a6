/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Peer addresses as people write them: "[2001:db8::1]:7470",
 * "192.0.2.1:7470", and without ":PORT" the protocol's port. Numeric
 * only: grid resolves no names, so what a configuration says is what is
 * dialed.
 */
#ifndef GRID_PEER_ADDR_H
#define GRID_PEER_ADDR_H

#include <stdbool.h>
#include <sys/socket.h>

#define PEER_ADDR_STR	80	/* "[v6%scope]:port" and its NUL */
#define PEER_PORT	7470	/* the protocol's, when an address has none */

struct peer_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* 0, or -EINVAL if @s is not an address this accepts. */
int peer_addr_parse(struct peer_addr *a, const char *s, unsigned int port);
/* "[v6]:port", or "v4:port" for IPv4 and IPv4-mapped IPv6. */
void peer_addr_str(const struct peer_addr *a, char out[PEER_ADDR_STR]);
bool peer_addr_eq(const struct peer_addr *a, const struct peer_addr *b);
unsigned int peer_addr_port(const struct peer_addr *a);
void peer_addr_set_port(struct peer_addr *a, unsigned int port);
/* Whether the address is a wildcard ([::] or 0.0.0.0): for listening only. */
bool peer_addr_any(const struct peer_addr *a);

#endif
