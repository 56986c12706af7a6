// SPDX-License-Identifier: GPL-2.0
/*
 * Network quotas per grid-grid: cgroup_skb programs attached to each
 * grid-grid's cgroup (and so run for every job below it).
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
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "linux/grid_bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define NSEC_PER_SEC	1000000000ULL

/* cgroup_skb verdicts; egress may add the congestion bit. */
#define SK_DROP		0
#define SK_PASS		1
#define SK_DROP_CN	2

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GRID_GG_ENTRIES);
	__type(key, struct grid_gg_key);
	__type(value, struct grid_net_limit);
} grid_net_limits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GRID_GG_ENTRIES);
	__type(key, struct grid_gg_key);
	__type(value, struct grid_net_state);
} grid_net_state SEC(".maps");

/*
 * Per CPU: no atomic operation on the path of every packet; readers sum.
 * Not preallocated, as that would be GRID_USAGE_ENTRIES for every CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, GRID_USAGE_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct grid_usage_key);
	__type(value, struct grid_usage);
} grid_usage SEC(".maps");

/*
 * Finds the grid-grid a packet's socket belongs to: the highest ancestor
 * of its cgroup with limits, and the lease below it (0 if the socket sits
 * in the grid-grid's own cgroup). Top down, because a grid-grid is near
 * the root: two lookups for /grid/<grid-grid>/...
 */
static __always_inline const struct grid_net_limit *
classify(struct __sk_buff *skb, struct grid_gg_key *gg, __u64 *lease)
{
	const struct grid_net_limit *lim;
	int level;

	for (level = 1; level < GRID_BPF_MAX_LEVEL; level++) {
		gg->cgroup_id = bpf_skb_ancestor_cgroup_id(skb, level);
		if (!gg->cgroup_id)
			return NULL;
		lim = bpf_map_lookup_elem(&grid_net_limits, gg);
		if (lim) {
			*lease = bpf_skb_ancestor_cgroup_id(skb, level + 1);
			return lim;
		}
	}
	return NULL;
}

static __always_inline struct grid_net_state *state_of(struct grid_gg_key *gg)
{
	struct grid_net_state zero = {}, *st;

	st = bpf_map_lookup_elem(&grid_net_state, gg);
	if (st)
		return st;
	/* The loader creates it; this covers a racing detach and re-attach. */
	bpf_map_update_elem(&grid_net_state, gg, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&grid_net_state, gg);
}

static __always_inline void count(__u64 cgroup_id, __u32 dir, __u32 len,
				  bool dropped)
{
	struct grid_usage_key key = { .cgroup_id = cgroup_id, .dir = dir };
	struct grid_usage zero = {}, *u;

	u = bpf_map_lookup_elem(&grid_usage, &key);
	if (!u) {
		/* Another CPU may insert first; NOEXIST keeps its counts. */
		bpf_map_update_elem(&grid_usage, &key, &zero, BPF_NOEXIST);
		u = bpf_map_lookup_elem(&grid_usage, &key);
		if (!u)
			return;	/* map full: count nothing, drop nothing */
	}
	/* This CPU's copy, and programs do not preempt each other on it. */
	if (dropped) {
		u->drops++;
	} else {
		u->bytes += len;
		u->packets++;
	}
}

/*
 * Called with the lock held: starts a new period's count when one began.
 * Without a period the count belongs to no period, so that a budget set
 * later counts from then, not from whatever was sent before.
 */
static __always_inline void roll_period(const struct grid_net_limit *lim,
					struct grid_net_state *st, __u64 now)
{
	__u64 period = GRID_NO_PERIOD;

	if (lim->period_ns)
		period = now / lim->period_ns;
	if (period != st->period) {
		st->period = period;
		st->egress_used = 0;
		st->ingress_used = 0;
	}
}

SEC("cgroup_skb/egress")
int grid_net_egress(struct __sk_buff *skb)
{
	const struct grid_net_limit *lim;
	struct grid_net_state *st;
	struct grid_gg_key gg;
	__u64 lease = 0, now, at = 0, start;
	__u32 len = skb->len;
	bool drop = false;

	lim = classify(skb, &gg, &lease);
	if (!lim)
		return SK_PASS;
	/*
	 * Nothing to keep: only count. The used bytes of no period need no
	 * update, as a budget set later starts a period of its own.
	 */
	if (!lim->egress_rate && !lim->egress_budget)
		goto out;
	st = state_of(&gg);
	if (!st)
		return SK_PASS;
	now = bpf_ktime_get_ns();

	bpf_spin_lock(&st->lock);
	roll_period(lim, st, now);
	if (lim->egress_budget && st->egress_used + len > lim->egress_budget) {
		drop = true;
	} else if (lim->egress_rate) {
		start = st->next_departure_ns > now ? st->next_departure_ns : now;
		if (start - now > lim->horizon_ns) {
			drop = true;
		} else {
			at = start;
			st->next_departure_ns = start +
				(__u64)len * NSEC_PER_SEC / lim->egress_rate;
		}
	}
	if (!drop)
		st->egress_used += len;
	bpf_spin_unlock(&st->lock);

	/* Never earlier than a stamp the stack set (TCP's own pacing). */
	if (at > now && at > skb->tstamp)
		skb->tstamp = at;
out:
	count(gg.cgroup_id, GRID_DIR_EGRESS, len, drop);
	if (lease)
		count(lease, GRID_DIR_EGRESS, len, drop);
	return drop ? SK_DROP_CN : SK_PASS;
}

SEC("cgroup_skb/ingress")
int grid_net_ingress(struct __sk_buff *skb)
{
	const struct grid_net_limit *lim;
	struct grid_net_state *st;
	struct grid_gg_key gg;
	__u64 lease = 0, now, elapsed, fill_ns, tokens;
	__u32 len = skb->len;
	bool drop = false, mark = false;

	lim = classify(skb, &gg, &lease);
	if (!lim)
		return SK_PASS;
	if (!lim->ingress_rate && !lim->ingress_budget)
		goto out;
	st = state_of(&gg);
	if (!st)
		return SK_PASS;
	now = bpf_ktime_get_ns();

	bpf_spin_lock(&st->lock);
	roll_period(lim, st, now);
	if (lim->ingress_budget && st->ingress_used + len > lim->ingress_budget) {
		drop = true;
	} else if (lim->ingress_rate) {
		/*
		 * Refill. Past fill_ns (the time to fill an empty bucket)
		 * the bucket is full; below it, elapsed * rate stays under
		 * burst * 1e9 < 2^60, so nothing wraps.
		 */
		elapsed = now > st->refilled_ns ? now - st->refilled_ns : 0;
		fill_ns = lim->ingress_burst * NSEC_PER_SEC / lim->ingress_rate;
		tokens = st->tokens;
		/* A new bucket (zeroed by the loader) starts full. */
		if (!st->refilled_ns || elapsed >= fill_ns)
			tokens = lim->ingress_burst;
		else
			tokens += elapsed * lim->ingress_rate / NSEC_PER_SEC;
		if (tokens > lim->ingress_burst)
			tokens = lim->ingress_burst;
		/*
		 * Only whole bytes were added: keep the remainder of
		 * elapsed by moving refilled_ns just as far as they pay.
		 */
		if (!st->refilled_ns || elapsed >= fill_ns ||
		    tokens == lim->ingress_burst)
			st->refilled_ns = now;
		else
			st->refilled_ns += (tokens - st->tokens) *
					   NSEC_PER_SEC / lim->ingress_rate;
		if (tokens < len)
			drop = true;
		else
			tokens -= len;
		mark = tokens < lim->ingress_burst / 2;
		st->tokens = tokens;
	}
	if (!drop)
		st->ingress_used += len;
	bpf_spin_unlock(&st->lock);

	/* A no-op for packets that are not ECT. */
	if (mark && !drop)
		bpf_skb_ecn_set_ce(skb);
out:
	count(gg.cgroup_id, GRID_DIR_INGRESS, len, drop);
	if (lease)
		count(lease, GRID_DIR_INGRESS, len, drop);
	return drop ? SK_DROP : SK_PASS;
}
