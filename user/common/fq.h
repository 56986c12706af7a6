/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fq qdisc on egress devices. The network quota paces a grid-grid's
 * packets by stamping their departure time (EDT), and only fq as the root
 * qdisc of the device a packet leaves by holds it until then: without fq
 * the stamp is ignored and the rate is not kept. All functions return 0 or
 * -errno (the kernel's own) and work in the caller's network namespace.
 */
#ifndef GRID_FQ_H
#define GRID_FQ_H

#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>

/* The most default-route devices looked at. */
#define GRID_FQ_DEVS_MAX	8

/*
 * Makes fq the root qdisc of @dev. A root qdisc that is already fq is
 * left alone, since replacing it would drop the packets it holds; any
 * other is replaced. *@installed (if not NULL) says whether fq was put
 * there now. -ENODEV: no such device.
 */
int grid_fq_ensure(const char *dev, bool *installed);

/*
 * The devices of the IPv4 and IPv6 default routes that are up, each once,
 * from /proc/net/route and /proc/net/ipv6_route (either may be NULL in the
 * parse form, for a host without that protocol).
 */
int grid_fq_default_devs(char devs[][IF_NAMESIZE], unsigned int max,
			 unsigned int *n);
int grid_fq_parse_routes(FILE *route, FILE *ipv6_route,
			 char devs[][IF_NAMESIZE], unsigned int max,
			 unsigned int *n);

/*
 * Moves the calling thread into network namespace @netns (a name under
 * /run/netns, or a path) and back; *@back is the one to return to.
 */
int grid_netns_enter(const char *netns, int *back);
/*
 * Goes back and closes @back. -errno if setns() failed: the caller is
 * still in the other namespace and must not carry on as if it were not.
 */
int grid_netns_leave(int back);

#endif
