// SPDX-License-Identifier: GPL-2.0
/*
 * The network quota of bpf/grid_net.h driven through BPF_PROG_TEST_RUN.
 * The product's programs take a grid-grid's state and counters from the
 * cgroup storage of the cgroup they are attached to; test_run gives a
 * program a fresh storage of its own on every call, which no test could
 * fill with limits. These programs run the very same code on a state and
 * counters kept in arrays (entry 0), which the test writes and reads.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "grid_net.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct grid_gg_net);
} test_gg_net SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct grid_gg_count);
} test_gg_count SEC(".maps");

SEC("cgroup_skb/egress")
int test_net_egress(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct grid_gg_net *gg = bpf_map_lookup_elem(&test_gg_net, &zero);
	struct grid_gg_count *cnt = bpf_map_lookup_elem(&test_gg_count, &zero);

	if (!gg || !cnt)
		return SK_PASS;
	return net_egress(skb, gg, cnt);
}

SEC("cgroup_skb/ingress")
int test_net_ingress(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct grid_gg_net *gg = bpf_map_lookup_elem(&test_gg_net, &zero);
	struct grid_gg_count *cnt = bpf_map_lookup_elem(&test_gg_count, &zero);

	if (!gg || !cnt)
		return SK_PASS;
	return net_ingress(skb, gg, cnt);
}

/* The baseline a packet's cost is measured against. */
SEC("cgroup_skb/egress")
int test_pass(struct __sk_buff *skb)
{
	return SK_PASS;
}
