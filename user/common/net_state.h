/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A grid-grid's network state (struct grid_gg_net) carried across a change
 * of its limits. The pace and the bucket are kept in time (when the next
 * packet may leave, when the bucket is full again), and a time is worth
 * bytes only at a rate: a new rate must re-express them, or a bucket
 * emptied at 1 kB/s would stay empty for minutes at 1 MB/s.
 */
#ifndef GRID_NET_STATE_H
#define GRID_NET_STATE_H

#include <stdint.h>
#include <linux/types.h>
#include <linux/grid_bpf.h>

/*
 * Put @lim into @st, re-expressing the queue ahead of egress and the debt
 * of the ingress bucket, as they stand at @now_ns (CLOCK_MONOTONIC, the
 * programs' clock), in the new rates. No rate before or after starts
 * afresh; a debt beyond the new bucket is an empty bucket. A new period
 * length starts a new period; a new budget in the same period keeps the
 * bytes already counted in it.
 */
void grid_net_relimit(struct grid_gg_net *st, const struct grid_net_limit *lim,
		      uint64_t now_ns);

/* CLOCK_MONOTONIC in nanoseconds, as bpf_ktime_get_ns() reads it. */
uint64_t grid_net_now_ns(void);

#endif
