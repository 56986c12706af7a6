/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a packet of a grid-grid meets, given the grid-grid's state and its
 * counters: the whole of the network quota but where those two come
 * from. grid_net.bpf.c takes them from the cgroup storage of the
 * grid-grid's cgroup (no lookup); the host tests' program takes them from
 * an array, so that BPF_PROG_TEST_RUN, which gives cgroup programs a
 * storage of its own, can drive this very code.
 *
 * Egress is paced, not policed: each packet gets an earliest departure time
 * in skb->tstamp and the fq qdisc on the sender's egress device holds it
 * until then, so TCP small queues slow the sender down instead of TCP
 * seeing losses. Only a packet that would wait longer than the horizon is
 * dropped. Ingress cannot be paced (the packet is already here), so it is
 * a token bucket that drops; below half the bucket it marks packets of
 * ECN-capable flows CE, so that a sender which negotiated ECN backs off
 * before the bucket runs dry and a whole GSO packet is lost (TCP reads
 * the mark after this program, in tcp_v4_rcv()/tcp_v6_rcv()). A byte
 * budget per period and direction drops everything past it. Lengths are
 * skb->len: the IPv4 or IPv6 packet, a whole GSO/GRO packet at once.
 *
 * A drop on egress returns "drop, congestion": the sender's stack counts
 * it as congestion (UDP sendmsg still succeeds) rather than failing the
 * send with EPERM.
 *
 * No lock: the pace, the bucket and each budget are one word each, kept
 * with atomic operations (an irq-saving spin lock was the largest part of
 * what a paced packet cost).
 *
 * Include after vmlinux.h and bpf_helpers.h.
 */
#ifndef GRID_BPF_NET_H
#define GRID_BPF_NET_H

#include "linux/grid_bpf.h"

#define NSEC_PER_SEC	1000000000ULL

/* cgroup_skb verdicts; egress may add the congestion bit. */
#define SK_DROP		0
#define SK_PASS		1
#define SK_DROP_CN	2

/*
 * "grid_lease_net", a lease's counters. Per CPU: no atomic operation on
 * the path of every packet; readers sum. Not preallocated, as that would
 * be GRID_USAGE_ENTRIES for every CPU. Defined here for every object that
 * uses it (grid_cpu.bpf.c deletes from it); they share it by its pin.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, GRID_USAGE_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct grid_gg_key);
	__type(value, struct grid_gg_count);
} grid_lease_net SEC(".maps");

/*
 * The lease of a packet of grid-grid @gg: the socket's ancestor one level
 * below the grid-grid's cgroup (0 for a socket in the grid-grid's own).
 * The level is found once, from the top, and kept: a cgroup never moves
 * to another depth. A socket that is not below the grid-grid at all
 * (only a program run by hand could see one) is no one's: -1.
 */
static __always_inline __s64 lease_of(struct __sk_buff *skb,
				      struct grid_gg_net *gg)
{
	__u32 level = gg->level;
	int l;

	if (!level) {
		for (l = 1; l < GRID_BPF_MAX_LEVEL; l++)
			if (bpf_skb_ancestor_cgroup_id(skb, l) == gg->cgroup_id)
				break;
		if (l == GRID_BPF_MAX_LEVEL)
			return -1;
		level = l;
		gg->level = level;
	} else if (bpf_skb_ancestor_cgroup_id(skb, level) != gg->cgroup_id) {
		return -1;
	}
	return bpf_skb_ancestor_cgroup_id(skb, level + 1);
}

static __always_inline void add(struct grid_usage *u, __u32 len, bool dropped)
{
	/* This CPU's copy, and programs do not preempt each other on it. */
	if (dropped) {
		u->drops++;
	} else {
		u->bytes += len;
		u->packets++;
	}
}

/* The lease's counters: the one lookup a packet costs. */
static __always_inline void count_lease(__u64 lease, __u32 dir, __u32 len,
					bool dropped)
{
	struct grid_gg_key key = { .cgroup_id = lease };
	struct grid_gg_count zero = {}, *c;

	c = bpf_map_lookup_elem(&grid_lease_net, &key);
	if (!c) {
		/* Another CPU may insert first; NOEXIST keeps its counts. */
		bpf_map_update_elem(&grid_lease_net, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&grid_lease_net, &key);
		if (!c)
			return;	/* map full: this lease is not counted */
	}
	add(dir == GRID_DIR_EGRESS ? &c->egress : &c->ingress, len, dropped);
}

/*
 * Starts a new period's count when one began: the first CPU to see it
 * wins the compare-and-swap and zeroes the counts (a packet racing with
 * that, nanoseconds wide, may land in either period). Without a period
 * the count belongs to no period, so that a budget set later counts from
 * then, not from whatever was sent before.
 */
static __always_inline void roll_period(const struct grid_net_limit *lim,
					struct grid_gg_net *st, __u64 now)
{
	__u64 period = GRID_NO_PERIOD, seen = st->period;

	if (lim->period_ns)
		period = now / lim->period_ns;
	if (period != seen &&
	    __sync_val_compare_and_swap(&st->period, seen, period) == seen) {
		__sync_lock_test_and_set(&st->egress_used, 0);
		__sync_lock_test_and_set(&st->ingress_used, 0);
	}
}

/* Compare-and-swap attempts before a contended budget refuses. */
#define GRID_CAS_TRIES	64

/*
 * Takes @len bytes of a period's @budget in *@used, or none: false when
 * they do not fit. By compare-and-swap, so that two CPUs can never both
 * take the last bytes and a refusal never has to give anything back
 * (a give-back racing with a new period's zero would wrap the count).
 */
static __always_inline bool take_budget(__u64 *used, __u64 budget, __u32 len)
{
	__u64 u = *(volatile __u64 *)used, seen;
	int i;

	for (i = 0; i < GRID_CAS_TRIES; i++) {
		if (len > budget || u > budget - len)
			return false;
		seen = __sync_val_compare_and_swap(used, u, u + len);
		if (seen == u)
			return true;
		u = seen;
	}
	return false;
}

/*
 * Gives back @len bytes taken for a packet that was then dropped (by the
 * pace or the bucket), never below zero: a new period may have zeroed
 * the count in between.
 */
static __always_inline void give_back(__u64 *used, __u32 len)
{
	__u64 u = *(volatile __u64 *)used, seen;
	int i;

	for (i = 0; i < GRID_CAS_TRIES; i++) {
		seen = __sync_val_compare_and_swap(used, u,
						   u > len ? u - len : 0);
		if (seen == u)
			return;
		u = seen;
	}
}

/*
 * Reserves @delay ns of the virtual schedule *@t from @now and returns
 * where the reservation starts: max(*t, now), *t then being that + delay.
 * A schedule in the past restarts at @now (compare-and-swap: if another
 * CPU moved it first, the reservation is added after that CPU's); one in
 * the future is extended by an atomic add, exact however many CPUs do so
 * at once. This is the egress pace (next departure) and, as GCRA, the
 * ingress bucket (when it is full again): one word each, no lock.
 */
static __always_inline __u64 reserve(__u64 *t, __u64 now, __u64 delay)
{
	__u64 seen = *t, start;

	if (seen < now &&
	    __sync_val_compare_and_swap(t, seen, now + delay) == seen)
		return now;
	start = __sync_fetch_and_add(t, delay);
	/* Lost to a CPU whose now was earlier: start from ours. */
	return start > now ? start : now;
}

static __always_inline int net_egress(struct __sk_buff *skb,
				      struct grid_gg_net *gg,
				      struct grid_gg_count *cnt)
{
	const struct grid_net_limit *lim = &gg->limits;
	__u64 now, at = 0, delay = 0;
	__u64 rate = lim->egress_rate, budget = lim->egress_budget;
	__u32 len = skb->len;
	bool drop = false;
	__s64 lease;

	if (!gg->cgroup_id)
		return SK_PASS;
	lease = lease_of(skb, gg);
	if (lease < 0)
		return SK_PASS;
	/*
	 * Nothing to keep: only count. The used bytes of no period need no
	 * update, as a budget set later starts a period of its own.
	 */
	if (!rate && !budget)
		goto out;
	now = bpf_ktime_get_ns();
	roll_period(lim, gg, now);
	if (budget && !take_budget(&gg->egress_used, budget, len)) {
		drop = true;
		goto out;
	}
	if (rate) {
		delay = (__u64)len * NSEC_PER_SEC / rate;
		at = reserve(&gg->next_departure_ns, now, delay);
		/*
		 * Past the horizon by a clock read before the CPU was held
		 * up (an interrupt, a vCPU descheduled) is not past it:
		 * a drop is decided on a fresh clock.
		 */
		if (at - now > lim->horizon_ns)
			now = bpf_ktime_get_ns();
		if (at > now && at - now > lim->horizon_ns) {
			/* Give back what was taken: the packet never leaves. */
			__sync_fetch_and_sub(&gg->next_departure_ns, delay);
			if (budget)
				give_back(&gg->egress_used, len);
			drop = true;
			goto out;
		}
	}
	if (!budget)
		__sync_fetch_and_add(&gg->egress_used, len);
	/* Never earlier than a stamp the stack set (TCP's own pacing). */
	if (at > now && at > skb->tstamp)
		skb->tstamp = at;
out:
	add(&cnt->egress, len, drop);
	if (lease)
		count_lease(lease, GRID_DIR_EGRESS, len, drop);
	return drop ? SK_DROP_CN : SK_PASS;
}

/*
 * The ingress bucket as a generic cell rate algorithm (GCRA), the same
 * bucket told in time: a bucket of ingress_burst bytes refilled at
 * ingress_rate holds (tau - (full_at - now)) * rate bytes, tau being
 * the time to fill it from empty and full_at when it is full again. A
 * packet takes len / rate of it; one that would leave it below empty
 * drops, and one that leaves it below half is marked CE.
 */
static __always_inline int net_ingress(struct __sk_buff *skb,
				       struct grid_gg_net *gg,
				       struct grid_gg_count *cnt)
{
	const struct grid_net_limit *lim = &gg->limits;
	__u64 rate = lim->ingress_rate, budget = lim->ingress_budget;
	__u64 now, start, delay, tau, after;
	__u32 len = skb->len;
	bool drop = false, mark = false;
	__s64 lease;

	if (!gg->cgroup_id)
		return SK_PASS;
	lease = lease_of(skb, gg);
	if (lease < 0)
		return SK_PASS;
	if (!rate && !budget)
		goto out;
	now = bpf_ktime_get_ns();
	roll_period(lim, gg, now);
	if (budget && !take_budget(&gg->ingress_used, budget, len)) {
		drop = true;
		goto out;
	}
	if (rate) {
		/* burst <= 2^30 and rate >= 1: tau stays below 2^60. */
		tau = lim->ingress_burst * NSEC_PER_SEC / rate;
		delay = (__u64)len * NSEC_PER_SEC / rate;
		start = reserve(&gg->ingress_full_at_ns, now, delay);
		after = start + delay - now;
		/* As for egress: a drop is decided on a fresh clock. */
		if (after > tau) {
			now = bpf_ktime_get_ns();
			after = start + delay > now ? start + delay - now : 0;
		}
		if (after > tau) {
			__sync_fetch_and_sub(&gg->ingress_full_at_ns, delay);
			if (budget)
				give_back(&gg->ingress_used, len);
			drop = true;
			goto out;
		}
		mark = after > tau / 2;
	}
	if (!budget)
		__sync_fetch_and_add(&gg->ingress_used, len);
	/* A no-op for packets that are not ECT. */
	if (mark)
		bpf_skb_ecn_set_ce(skb);
out:
	add(&cnt->ingress, len, drop);
	if (lease)
		count_lease(lease, GRID_DIR_INGRESS, len, drop);
	return drop ? SK_DROP : SK_PASS;
}

#endif
