// SPDX-License-Identifier: GPL-2.0
/* Peer addresses: parsing, printing and comparing, IPv6 and IPv4. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static int parse_port(const char *s, unsigned int *port)
{
	char *end;
	unsigned long v;

	/* Digits only: strtoul() would take " 1", "+1" and "-1" too. */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > 65535)
		return -EINVAL;
	*port = v;
	return 0;
}

int peer_addr_parse(struct peer_addr *a, const char *s, unsigned int port)
{
	char host[PEER_ADDR_STR], *scope, *close;
	const char *colon;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (strlen(s) >= sizeof(host))
		return -EINVAL;
	if (s[0] == '[') {
		snprintf(host, sizeof(host), "%s", s + 1);
		close = strchr(host, ']');
		if (!close)
			return -EINVAL;
		*close = '\0';
		if (close[1] == ':') {
			if (parse_port(close + 2, &port))
				return -EINVAL;
		} else if (close[1]) {
			return -EINVAL;
		}
		scope = strchr(host, '%');
		if (scope)
			*scope++ = '\0';
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -EINVAL;
		if (scope) {
			/* fe80::1%eth0: only link-local addresses have a scope. */
			if (!IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
				return -EINVAL;
			s6->sin6_scope_id = if_nametoindex(scope);
			if (!s6->sin6_scope_id)
				return -ENODEV;
		}
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		a->len = sizeof(*s6);
		return 0;
	}
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':'))
		return -EINVAL;	/* IPv6 goes in brackets */
	n = colon ? (size_t)(colon - s) : strlen(s);
	memcpy(host, s, n);
	host[n] = '\0';
	if (colon && parse_port(colon + 1, &port))
		return -EINVAL;
	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return -EINVAL;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	a->len = sizeof(*s4);
	return 0;
}

void peer_addr_str(const struct peer_addr *a, char out[PEER_ADDR_STR])
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;
	char host[INET6_ADDRSTRLEN], ifn[IF_NAMESIZE];

	if (a->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(out, PEER_ADDR_STR, "%s:%u", host, ntohs(s4->sin_port));
	} else if (a->ss.ss_family == AF_INET6 &&
		   IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], host, sizeof(host));
		snprintf(out, PEER_ADDR_STR, "%s:%u", host, ntohs(s6->sin6_port));
	} else if (a->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		if (s6->sin6_scope_id && if_indextoname(s6->sin6_scope_id, ifn))
			snprintf(out, PEER_ADDR_STR, "[%s%%%s]:%u", host, ifn,
				 ntohs(s6->sin6_port));
		else
			snprintf(out, PEER_ADDR_STR, "[%s]:%u", host,
				 ntohs(s6->sin6_port));
	} else {
		snprintf(out, PEER_ADDR_STR, "?");
	}
}

unsigned int peer_addr_port(const struct peer_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

void peer_addr_set_port(struct peer_addr *a, unsigned int port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
}

bool peer_addr_eq(const struct peer_addr *a, const struct peer_addr *b)
{
	char x[PEER_ADDR_STR], y[PEER_ADDR_STR];

	/* By their text: IPv4 and IPv4-mapped IPv6 are the same peer. */
	peer_addr_str(a, x);
	peer_addr_str(b, y);
	return !strcmp(x, y);
}

bool peer_addr_any(const struct peer_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}
