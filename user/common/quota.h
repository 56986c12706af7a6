/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Admission arithmetic, as grid.ko does it, so that a refusal (-EDQUOT)
 * can be explained: which resource of a grid-grid's share does not fit.
 * CPU is compared in nanocores (GRID_LIMITS_A_CPU_RATE), everything else
 * in its own unit; GRID_LIMIT_MAX is no limit, which fits only a share
 * without one.
 */
#ifndef GRID_QUOTA_H
#define GRID_QUOTA_H

#include <stddef.h>
#include <stdint.h>

#include "objects.h"

/* The value of GRID_LIMITS_A_@attr in @l; CPU_RATE in nanocores. */
uint64_t grid_limits_get(const struct grid_obj_limits *l, uint32_t attr);

/*
 * The first resource (a GRID_LIMITS_A_* attribute) for which
 * used - @sub + @add exceeds @share, or 0 if all fit. @sub is what a
 * lease being changed holds now (NULL for none); @add may be NULL too,
 * which asks whether @used alone still fits a smaller @share.
 */
uint32_t grid_quota_first_over(const struct grid_obj_limits *share,
			       const struct grid_obj_limits *used,
			       const struct grid_obj_limits *add,
			       const struct grid_obj_limits *sub);

/* used - @sub of @attr, as grid_quota_first_over() counts it. */
uint64_t grid_quota_used(const struct grid_obj_limits *used,
			 const struct grid_obj_limits *sub, uint32_t attr);

/*
 * "cpu 1.5 of 2.0 cores in use, 1.0 requested", "memory 1.5G of 2G in
 * use, no limit requested": why @add does not fit beside @used in @share.
 */
const char *grid_quota_describe(char *buf, size_t len, uint32_t attr,
				uint64_t share, uint64_t used, uint64_t add);
/* "memory 1.5G in use, more than 1G": why a smaller share does not fit. */
const char *grid_quota_describe_shrink(char *buf, size_t len, uint32_t attr,
				       uint64_t share, uint64_t used);

#endif
