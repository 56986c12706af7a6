// SPDX-License-Identifier: GPL-2.0
/*
 * Reading "grid_usage", whose counters are per CPU: each CPU adds to its
 * own copy without an atomic operation (under emulation six atomics were
 * most of what counting a packet cost), and a reader sums the copies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_loader.h"

int grid_bpf_usage_read(int fd, const struct grid_usage_key *key,
			struct grid_usage *sum)
{
	int n = libbpf_num_possible_cpus(), i, ret = 0;
	struct grid_usage *per_cpu;

	memset(sum, 0, sizeof(*sum));
	if (n < 0)
		return n;
	/* Values of a per-CPU map come 8-byte aligned; this one is 24. */
	per_cpu = calloc(n, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, per_cpu)) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < n; i++) {
		sum->bytes += per_cpu[i].bytes;
		sum->packets += per_cpu[i].packets;
		sum->drops += per_cpu[i].drops;
	}
out:
	free(per_cpu);
	return ret;
}
