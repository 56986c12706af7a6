// SPDX-License-Identifier: GPL-2.0
/* A grid-grid's network state carried across a change of limits. */
#include <time.h>

#include "net_state.h"

#define NSEC_PER_SEC	1000000000ULL

/*
 * A time of @ns ahead of now, worth @old_rate bytes per second, as the
 * time the same bytes take at @new_rate, at most @cap. Rates are at most
 * GRID_NET_RATE_MAX (2^40) and a time at most a horizon or a bucket's
 * fill time (below 2^60 ns), so the product needs 128 bits.
 */
static uint64_t rescale(uint64_t ns, uint64_t old_rate, uint64_t new_rate,
			uint64_t cap)
{
	unsigned __int128 t;

	if (!old_rate || !new_rate)
		return 0;
	t = (unsigned __int128)ns * old_rate / new_rate;
	return t > cap ? cap : (uint64_t)t;
}

static uint64_t ahead(uint64_t at, uint64_t now)
{
	return at > now ? at - now : 0;
}

void grid_net_relimit(struct grid_gg_net *st, const struct grid_net_limit *lim,
		      uint64_t now_ns)
{
	const struct grid_net_limit *old = &st->limits;
	uint64_t q, debt, tau = 0;

	/* Egress: no packet is held longer than the new horizon allows. */
	q = rescale(ahead(st->next_departure_ns, now_ns), old->egress_rate,
		    lim->egress_rate, lim->horizon_ns);
	st->next_departure_ns = q ? now_ns + q : 0;

	/* Ingress: the bucket is at worst empty, its debt then tau. */
	if (lim->ingress_rate)
		tau = lim->ingress_burst * NSEC_PER_SEC / lim->ingress_rate;
	debt = rescale(ahead(st->ingress_full_at_ns, now_ns), old->ingress_rate,
		       lim->ingress_rate, tau);
	st->ingress_full_at_ns = debt ? now_ns + debt : 0;

	/* The programs start the new period at the next packet. */
	if (lim->period_ns != old->period_ns)
		st->period = GRID_NO_PERIOD;
	st->limits = *lim;
}

uint64_t grid_net_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}
