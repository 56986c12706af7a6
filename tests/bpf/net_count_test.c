// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/grid_net.bpf.c through BPF_PROG_TEST_RUN: each packet is counted once
 * with its length, per direction, and always allowed. Runs on the host where
 * the kernel allows it (root, BPF), and in the VM.
 */
#define UNIT_SUITE "bpf/net_count"
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "unit.h"
#include <linux/bpf.h>
#include <linux/grid_bpf.h>
#include "grid_net.skel.h"

static struct grid_net_bpf *skel;
static const char *why_not;

/* An Ethernet + IPv4 + UDP frame with @payload bytes of data. */
static size_t make_packet(unsigned char *buf, size_t payload)
{
	size_t len = 14 + 20 + 8 + payload;

	memset(buf, 0, len);
	buf[12] = 0x08;			/* ETH_P_IP */
	buf[14] = 0x45;			/* IPv4, IHL 5 */
	buf[16] = (len - 14) >> 8;
	buf[17] = (len - 14) & 0xff;
	buf[22] = 64;			/* TTL */
	buf[23] = 17;			/* UDP */
	buf[26] = 10; buf[29] = 1;	/* 10.0.0.1 */
	buf[30] = 10; buf[33] = 2;	/* 10.0.0.2 */
	return len;
}

/* Sums the map over all cgroups for @dir. */
static struct grid_usage total(__u32 dir)
{
	struct grid_usage sum = { 0 }, v;
	struct grid_usage_key k, *prev = NULL;
	int fd = bpf_map__fd(skel->maps.grid_usage);

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		if (k.dir == dir && !bpf_map_lookup_elem(fd, &k, &v)) {
			sum.bytes += v.bytes;
			sum.packets += v.packets;
			sum.drops += v.drops;
		}
		prev = &k;
	}
	return sum;
}

/* Runs @prog over a packet @repeat times; returns the program's verdict. */
static int run(struct bpf_program *prog, size_t payload, int repeat,
	       __u32 *verdict, size_t *len)
{
	unsigned char pkt[1600];
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	*len = make_packet(pkt, payload);
	opts.data_in = pkt;
	opts.data_size_in = *len;
	opts.repeat = repeat;
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return -errno;
	*verdict = opts.retval;
	return 0;
}

TEST(an_egress_packet_is_counted_once_with_its_length_and_allowed)
{
	struct grid_usage before, after;
	__u32 verdict;
	size_t len;

	if (why_not)
		SKIP(why_not);
	before = total(GRID_DIR_EGRESS);
	CHECK(run(skel->progs.grid_net_egress, 100, 1, &verdict, &len) == 0);
	after = total(GRID_DIR_EGRESS);
	CHECK(verdict == 1);
	CHECK(after.packets == before.packets + 1);
	/* cgroup_skb sees the packet from the network header on. */
	CHECK(after.bytes == before.bytes + len - 14);
	CHECK(after.drops == before.drops);
}

TEST(repeated_runs_accumulate)
{
	struct grid_usage before, after;
	__u32 verdict;
	size_t len;

	if (why_not)
		SKIP(why_not);
	before = total(GRID_DIR_INGRESS);
	CHECK(run(skel->progs.grid_net_ingress, 1000, 50, &verdict, &len) == 0);
	after = total(GRID_DIR_INGRESS);
	CHECK(verdict == 1);
	CHECK(after.packets == before.packets + 50);
	CHECK(after.bytes == before.bytes + 50 * (len - 14));
}

TEST(directions_are_counted_apart)
{
	struct grid_usage eg_before, eg_after;
	__u32 verdict;
	size_t len;

	if (why_not)
		SKIP(why_not);
	eg_before = total(GRID_DIR_EGRESS);
	CHECK(run(skel->progs.grid_net_ingress, 10, 3, &verdict, &len) == 0);
	eg_after = total(GRID_DIR_EGRESS);
	CHECK(!memcmp(&eg_before, &eg_after, sizeof(eg_before)));
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN && getenv("GRID_BPF_VERBOSE") ?
		vfprintf(stderr, fmt, ap) : 0;
}

__attribute__((constructor(101))) static void load(void)
{
	libbpf_set_print(quiet);
	if (geteuid() != 0) {
		why_not = "needs root to load BPF programs";
		return;
	}
	skel = grid_net_bpf__open_and_load();
	if (!skel)
		why_not = "this kernel refused to load the program (set GRID_BPF_VERBOSE=1 to see why)";
}
