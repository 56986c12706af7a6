// SPDX-License-Identifier: GPL-2.0
/*
 * Network quotas per grid-grid: cgroup_skb programs attached to each
 * grid-grid's cgroup, and so run for every socket below it (see
 * grid_net.h for what a packet meets).
 *
 * A program attached to the grid-grid's own cgroup reaches that
 * grid-grid's state and counters through its cgroup storage, which the
 * kernel hands it with no lookup: a packet costs one map lookup, its
 * lease's counters. The storage is made with the first link to the
 * cgroup and goes with the last one, so a grid-grid's entries can never
 * be crowded out of a full map, nor outlive it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "grid_net.h"

char LICENSE[] SEC("license") = "GPL";

/* Keyed by the cgroup id alone: egress and ingress share one storage. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, struct grid_gg_net);
} grid_gg_net SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, struct grid_gg_count);
} grid_gg_count SEC(".maps");

/*
 * Which cgroup each attached grid-grid is, by name, written by the
 * loader: a grid-grid whose cgroup was removed is still known by it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GRID_GG_ENTRIES);
	__type(key, struct grid_gg_name);
	__type(value, struct grid_gg_key);
} grid_gg_ids SEC(".maps");

SEC("cgroup_skb/egress")
int grid_net_egress(struct __sk_buff *skb)
{
	return net_egress(skb, bpf_get_local_storage(&grid_gg_net, 0),
			  bpf_get_local_storage(&grid_gg_count, 0));
}

SEC("cgroup_skb/ingress")
int grid_net_ingress(struct __sk_buff *skb)
{
	return net_ingress(skb, bpf_get_local_storage(&grid_gg_net, 0),
			   bpf_get_local_storage(&grid_gg_count, 0));
}
