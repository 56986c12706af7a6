// SPDX-License-Identifier: GPL-2.0
/*
 * Reading what the programs keep. Counters are per CPU: each CPU adds to
 * its own copy without an atomic operation (under emulation six atomics
 * were most of what counting a packet cost), and a reader sums the
 * copies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_pins.h"

/* One entry of a per-CPU map, summed: the value is a run of u64s. */
static int sum_per_cpu(int fd, const void *key, void *sum, size_t size)
{
	/* Values of a per-CPU map come 8-byte aligned; ours are u64s. */
	size_t words = size / sizeof(uint64_t), i, w;
	int n = libbpf_num_possible_cpus(), ret = 0;
	uint64_t *per_cpu, *out = sum;

	memset(sum, 0, size);
	if (n < 0)
		return n;
	per_cpu = calloc((size_t)n, size);
	if (!per_cpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, per_cpu)) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < (size_t)n; i++)
		for (w = 0; w < words; w++)
			out[w] += per_cpu[i * words + w];
out:
	free(per_cpu);
	return ret;
}

static int lookup(int fd, const void *key, void *val, size_t size,
		  __u64 flags)
{
	if (!bpf_map_lookup_elem_flags(fd, key, val, flags))
		return 0;
	memset(val, 0, size);
	return -errno;
}

int grid_bpf_gg_net_read(struct grid_bpf *b, uint64_t id,
			 struct grid_gg_net *out)
{
	return lookup(b->map[GRID_BPF_MAP_GG_NET], &id, out, sizeof(*out), 0);
}

int grid_bpf_gg_count_read(struct grid_bpf *b, uint64_t id,
			   struct grid_gg_count *sum)
{
	return sum_per_cpu(b->map[GRID_BPF_MAP_GG_COUNT], &id, sum,
			   sizeof(*sum));
}

int grid_bpf_lease_count_read(struct grid_bpf *b, uint64_t id,
			      struct grid_gg_count *sum)
{
	struct grid_gg_key key = { .cgroup_id = id };

	return sum_per_cpu(b->map[GRID_BPF_MAP_LEASE_NET], &key, sum,
			   sizeof(*sum));
}

int grid_bpf_cpu_usage_read(struct grid_bpf *b, uint64_t id,
			    struct grid_cpu_usage *out)
{
	struct grid_gg_key key = { .cgroup_id = id };

	return lookup(b->map[GRID_BPF_MAP_CPU_USAGE], &key, out, sizeof(*out),
		      0);
}

int grid_bpf_lease_cpu_read(struct grid_bpf *b, uint64_t id,
			    uint64_t *runtime_ns)
{
	struct grid_gg_key key = { .cgroup_id = id };
	struct grid_cpu_time t;
	int ret;

	ret = lookup(b->map[GRID_BPF_MAP_LEASE_CPU], &key, &t, sizeof(t), 0);
	*runtime_ns = t.runtime_ns;
	return ret;
}
