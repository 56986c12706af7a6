// SPDX-License-Identifier: GPL-2.0
/*
 * Finding peers on the local link with no configuration (PROTOCOL.md
 * §10): every 10 s gridd sends a signed beacon to the IPv6 link-local
 * multicast group ff02::6772:6964 ("grid"), UDP port 7470, on each
 * interface that is up, and listens for the others'. A beacon says "grid
 * KEY takes sessions on port P" and is signed by KEY, so no one on the
 * link can point this grid at a wrong address in another grid's name; it
 * is still trusted for nothing but a place to dial: the session that
 * follows authenticates the grid, or fails.
 *
 * Why not DNS-SD over mDNS: it would need avahi-daemon (and D-Bus) on
 * every machine, which a Raspberry Pi or the test VM need not run, or a
 * DNS parser and responder of our own, a larger thing to get right than
 * one signed CBOR map read by the code that reads every other message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "gridd.h"
#include "log.h"
#include "beacon.h"
#include "peers.h"

#define BEACON_GROUP	"ff02::6772:6964"
#define BEACON_PORT	7470

/* Joins the group on every interface that is up and takes multicast. */
static void join_all(struct gridd_beacon *b)
{
	struct ifaddrs *ifs, *i;
	struct ipv6_mreq mr;
	unsigned int idx, n = 0;

	if (getifaddrs(&ifs))
		return;
	inet_pton(AF_INET6, BEACON_GROUP, &mr.ipv6mr_multiaddr);
	for (i = ifs; i; i = i->ifa_next) {
		unsigned int k;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 ||
		    !(i->ifa_flags & IFF_UP) || !(i->ifa_flags & IFF_MULTICAST) ||
		    (i->ifa_flags & IFF_LOOPBACK))
			continue;
		idx = if_nametoindex(i->ifa_name);
		for (k = 0; k < n && b->ifindex[k] != idx; k++)
			;
		if (!idx || k < n || n == BEACON_IFS_MAX)
			continue;
		b->ifindex[n++] = idx;
		mr.ipv6mr_interface = idx;
		/* Already a member (EADDRINUSE) is what was asked for. */
		setsockopt(b->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr));
	}
	b->n_if = n;
	freeifaddrs(ifs);
}

int gridd_beacon_start(struct gridd *g)
{
	struct gridd_beacon *b = &g->peers->beacon;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(BEACON_PORT) };
	const char *env = getenv("GRIDD_BEACON_INTERVAL");
	int one = 1, zero = 0;

	b->fd = -1;
	if (!g->cfg.beacon || g->cfg.listen_none || !g->peers->port)
		return 0;
	b->interval = env && strtoul(env, NULL, 10) ? strtoul(env, NULL, 10) : 10000;
	b->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (b->fd < 0)
		return -errno;
	/* Several gridds on one machine (tests) each hear every beacon. */
	setsockopt(b->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(b->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	setsockopt(b->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero));
	if (bind(b->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int ret = -errno;

		close(b->fd);
		b->fd = -1;
		return ret;
	}
	log_info("beacon: on %s port %d, every %llu ms", BEACON_GROUP, BEACON_PORT,
		 (unsigned long long)b->interval);
	return 0;
}

void gridd_beacon_stop(struct gridd *g)
{
	if (g->peers && g->peers->beacon.fd >= 0)
		close(g->peers->beacon.fd);
}

static void send_all(struct gridd *g, struct gridd_beacon *b)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6,
				   .sin6_port = htons(BEACON_PORT) };
	uint8_t buf[PEER_BEACON_MAX];
	unsigned int i;
	long n;

	join_all(b);
	n = peer_beacon_make(&g->key, g->peers->port, gridd_now(g), buf, sizeof(buf));
	if (n < 0)
		return;
	inet_pton(AF_INET6, BEACON_GROUP, &to.sin6_addr);
	for (i = 0; i < b->n_if; i++) {
		to.sin6_scope_id = b->ifindex[i];
		setsockopt(b->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &b->ifindex[i],
			   sizeof(b->ifindex[i]));
		if (sendto(b->fd, buf, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0 &&
		    errno != ENETUNREACH && errno != EADDRNOTAVAIL)
			log_debug("beacon: cannot send on interface %u: %s",
				  b->ifindex[i], strerror(errno));
		b->sent++;
	}
}

void gridd_beacon_input(struct gridd *g)
{
	struct gridd_beacon *b = &g->peers->beacon;
	struct sockaddr_in6 from;
	socklen_t fl;
	uint8_t buf[PEER_BEACON_MAX + 1], pk[GRID_PK_LEN];
	struct grid_why why;
	unsigned int port, i, slot;
	ssize_t n;
	int k;

	for (k = 0; k < 32; k++) {
		fl = sizeof(from);
		n = recvfrom(b->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		b->received++;
		/* From the link, or from nowhere: a beacon crosses no router. */
		if (fl != sizeof(from) || !IN6_IS_ADDR_LINKLOCAL(&from.sin6_addr) ||
		    peer_beacon_read(buf, n, gridd_now(g), pk, &port, &why)) {
			b->refused++;
			continue;
		}
		if (!sodium_memcmp(pk, g->key.pk, GRID_PK_LEN))
			continue;
		slot = BEACON_HEARD_MAX;
		for (i = 0; i < BEACON_HEARD_MAX; i++) {
			if (b->heard[i].at && !memcmp(b->heard[i].pk, pk, GRID_PK_LEN))
				break;
			if (slot == BEACON_HEARD_MAX && !b->heard[i].at)
				slot = i;
		}
		if (i == BEACON_HEARD_MAX)
			i = slot != BEACON_HEARD_MAX ? slot : randombytes_uniform(BEACON_HEARD_MAX);
		memcpy(b->heard[i].pk, pk, GRID_PK_LEN);
		memcpy(&b->heard[i].addr.ss, &from, sizeof(from));
		b->heard[i].addr.len = sizeof(from);
		peer_addr_set_port(&b->heard[i].addr, port);
		b->heard[i].at = gridd_mono_ms();
		/* A fellow member with no session: dial it where it says it is. */
		if (gridd_fellow(g, pk) && !gridd_peer_session(g, pk))
			gridd_peer_want(g, pk);
	}
}

int gridd_beacon_heard(struct gridd *g, const uint8_t pk[GRID_PK_LEN],
		       struct peer_addr *a)
{
	struct gridd_beacon *b = &g->peers->beacon;
	uint64_t now = gridd_mono_ms();
	unsigned int i;

	for (i = 0; i < BEACON_HEARD_MAX; i++) {
		if (b->heard[i].at && now < b->heard[i].at + 3 * b->interval &&
		    !sodium_memcmp(b->heard[i].pk, pk, GRID_PK_LEN)) {
			*a = b->heard[i].addr;
			return 0;
		}
	}
	return -ENOENT;
}

/* Sends when due; when next to be called, in *@next. */
void gridd_beacon_run(struct gridd *g, uint64_t now, uint64_t *next)
{
	struct gridd_beacon *b = &g->peers->beacon;

	if (b->fd < 0)
		return;
	if (now >= b->next) {
		send_all(g, b);
		b->next = now + b->interval;
	}
	if (b->next < *next)
		*next = b->next;
}
