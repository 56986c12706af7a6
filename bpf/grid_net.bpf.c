// SPDX-License-Identifier: GPL-2.0
/*
 * Network accounting per cgroup and direction, attached to a grid-grid's
 * cgroup with cgroup_skb programs. It counts; the quota issue adds pacing,
 * buckets and budgets on top of the same map layout.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "grid_bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GRID_USAGE_ENTRIES);
	__type(key, struct grid_usage_key);
	__type(value, struct grid_usage);
} grid_usage SEC(".maps");

static __always_inline int account(struct __sk_buff *skb, __u32 dir)
{
	struct grid_usage_key key = {
		.cgroup_id = bpf_skb_cgroup_id(skb),
		.dir = dir,
	};
	struct grid_usage zero = {}, *u;

	u = bpf_map_lookup_elem(&grid_usage, &key);
	if (!u) {
		/* Another CPU may insert first; NOEXIST keeps its counts. */
		bpf_map_update_elem(&grid_usage, &key, &zero, BPF_NOEXIST);
		u = bpf_map_lookup_elem(&grid_usage, &key);
		if (!u)
			return 1;	/* map full: count nothing, drop nothing */
	}
	__sync_fetch_and_add(&u->bytes, skb->len);
	__sync_fetch_and_add(&u->packets, 1);
	return 1;
}

SEC("cgroup_skb/egress")
int grid_net_egress(struct __sk_buff *skb)
{
	return account(skb, GRID_DIR_EGRESS);
}

SEC("cgroup_skb/ingress")
int grid_net_ingress(struct __sk_buff *skb)
{
	return account(skb, GRID_DIR_INGRESS);
}
