/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A grid-grid's quota as the BPF loader writes it: the grid_net_limits and
 * grid_cpu_limits entries of linux/grid_bpf.h, and the cores of its cpu.max.
 * Checking and completing one is pure arithmetic, kept apart from the
 * loader so that it can be tested without a kernel.
 */
#ifndef GRID_QUOTA_LIMITS_H
#define GRID_QUOTA_LIMITS_H

#include <stdint.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/grid_bpf.h>

/* The fields a caller may give, in the order gridctl's words name them. */
enum grid_quota_field {
	GRID_QUOTA_EGRESS,		/* net.egress_rate */
	GRID_QUOTA_INGRESS,		/* net.ingress_rate */
	GRID_QUOTA_BURST,		/* net.ingress_burst */
	GRID_QUOTA_EGRESS_BUDGET,	/* net.egress_budget */
	GRID_QUOTA_INGRESS_BUDGET,	/* net.ingress_budget */
	GRID_QUOTA_PERIOD,		/* net.period_ns */
	GRID_QUOTA_HORIZON,		/* net.horizon_ns */
	GRID_QUOTA_CPU,			/* cpu_nanocores */
	GRID_QUOTA_CPU_BUDGET,		/* cpu.budget_ns */
	GRID_QUOTA_CPU_PERIOD,		/* cpu.period_ns */
	GRID_QUOTA_NR_FIELDS,
};

#define GRID_QUOTA_BIT(f)	(1u << (f))

/* Defaults and the bounds linux/grid_bpf.h leaves to the loader. */
#define GRID_QUOTA_HORIZON_DEFAULT	1000000000ULL	/* 1 s */
/*
 * TCP through a dropping bucket loses whole GSO packets (up to 64 KiB)
 * at once: in the VM a 4 MB/s bucket of 50 ms let one flow have 28% of
 * the rate, one of 125 ms 65%. The larger bucket costs a burst of 125 ms
 * of the rate once, after an idle time.
 */
#define GRID_QUOTA_BURST_FLOOR		(256ULL << 10)
#define GRID_QUOTA_BURST_DIVISOR	8		/* 125 ms of the rate */
#define GRID_QUOTA_PERIOD_MIN		1000000ULL	/* 1 ms */
#define GRID_QUOTA_CPU_BUDGET_MAX	GRID_NET_BUDGET_MAX
/* cpu.max: at least 1000 us a period, at most what the kernel takes. */
#define GRID_QUOTA_CPU_PERIOD_US	100000
#define GRID_QUOTA_CPU_QUOTA_MIN_US	1000
#define GRID_QUOTA_CPU_QUOTA_MAX_US	((1ULL << 43) - 1)

/*
 * Rates, budgets and cores of 0 or GRID_LIMIT_MAX are no limit; the other
 * fields 0 are "not set". @given has GRID_QUOTA_BIT() of each field the
 * caller named, which decides what may be refused as meaningless (a burst
 * without an ingress rate) rather than quietly dropped.
 */
struct grid_quota_limits {
	struct grid_net_limit net;
	struct grid_cpu_limit cpu;
	uint64_t cpu_nanocores;		/* cpu.max; 0: no cap */
	uint32_t given;
};

/*
 * Completes @q and checks it: no limit becomes 0; an ingress rate without
 * a burst gets max(rate / 8, 256 KiB) within the burst bounds, an egress
 * rate without a horizon 1 s, a CPU budget without a cpu period the
 * network budgets' period; what nothing uses is cleared. Returns 0, or
 * -ERANGE (a value past its bounds) or -EINVAL (a field that needs
 * another, or a period with no budget) with *@bad the field.
 */
int grid_quota_resolve(struct grid_quota_limits *q,
		       enum grid_quota_field *bad);

/*
 * Puts the given fields of @change over @cur, for a change of a quota in
 * force, and marks them given in @cur. A burst that was the default for
 * the old ingress rate follows a new rate.
 */
void grid_quota_apply(struct grid_quota_limits *cur,
		      const struct grid_quota_limits *change);

/* The ingress burst used when none is given. */
uint64_t grid_quota_default_burst(uint64_t ingress_rate);

/* gridctl's word for @f: "egress", "cpu-budget". */
const char *grid_quota_word(enum grid_quota_field f);

#endif
