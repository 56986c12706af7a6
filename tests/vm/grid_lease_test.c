// SPDX-License-Identifier: GPL-2.0
/*
 * Leases through /dev/grid, written against the uapi header alone: ADD,
 * SET, DEL and REVOKE with every error the header names, their states, and
 * admission against the grid-grid's share, exactly at the boundary of every
 * limit. Sandboxes and expiry are in grid_sandbox_test.c, GRID_IOC_SELF in
 * grid_self_test.c. Runs in the VM as root with grid.ko loaded (lease.sh).
 */
#define UNIT_SUITE "vm/lease"
#include <stddef.h>

#include "unit.h"
#include "objects_test.h"
#include "nl.h"
#include "sandbox_test.h"

/* ---- ADD ------------------------------------------------------------------- */

OTEST(lease_add_is_active_now_and_shows_in_the_status_counts)
{
	struct grid_status a, b, c;
	struct grid_ioc_lease l, sent;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	sent = l;
	a = status_now();
	EXPECT(lease_add(&l), 0);
	b = status_now();
	CHECK(l.state == GRID_LEASE_ACTIVE);
	CHECK(l.size == GRID_IOC_LEASE_SIZE_VER1);
	/* What the kernel writes back is the lease as given, plus its state. */
	sent.state = l.state;
	CHECK(!memcmp(&sent, &l, sizeof(l)));
	EXPECT(lease_del(l.id), 0);
	c = status_now();
	CHECK(b.leases == a.leases + 1 && b.grids == a.grids);
	CHECK(c.leases == a.leases);
}

OTEST(the_state_field_is_out_only_and_ignored_on_input)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.state = GRID_LEASE_REVOKED;
	EXPECT(lease_add(&l), 0);
	CHECK(l.state == GRID_LEASE_ACTIVE);
	/* A caller changes what ADD gave back and SETs it, state and all. */
	l.serial = 2;
	l.limits.pids++;
	EXPECT(lease_ioc(GRID_IOC_LEASE_SET, &l), 0);
	CHECK(l.state == GRID_LEASE_ACTIVE);
}

OTEST(a_lease_whose_not_before_is_ahead_is_pending)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_before_ns = now_ns() + 600 * NSEC_PER_SEC;
	EXPECT(lease_add(&l), 0);
	CHECK(l.state == GRID_LEASE_PENDING);
	l = lease_tmpl(&w, 2);
	l.not_before_ns = 0;
	EXPECT(lease_add(&l), 0);
	CHECK(l.state == GRID_LEASE_ACTIVE);
}

OTEST(a_lease_whose_issuer_is_not_a_local_grid_key_is_enokey)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	mkkey(l.issuer, 999);
	EXPECT(lease_add(&l), ENOKEY);
	/* A grid-grid's charter key or the holder's is not a grid's either. */
	mkkey(l.issuer, 200);
	EXPECT(lease_add(&l), ENOKEY);
	mkkey(l.issuer, HOLDER);
	EXPECT(lease_add(&l), ENOKEY);
	/* A deleted grid's key issues nothing. */
	EXPECT(grid_add(N("gone"), "", 55), 0);
	EXPECT(grid_del(N("gone")), 0);
	mkkey(l.issuer, 55);
	EXPECT(lease_add(&l), ENOKEY);
}

OTEST(a_lease_of_an_unknown_gridgrid_is_enoent)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	setname(l.gridgrid, N("nowhere"));
	EXPECT(lease_add(&l), ENOENT);
}

OTEST(a_lease_without_a_share_is_edquot)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	EXPECT(share_del(w.gg), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), EDQUOT);
}

OTEST(a_lease_id_already_known_is_eexist_whatever_its_state)
{
	struct grid_ioc_lease l, m;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	m = lease_tmpl(&w, 1);
	m.serial = 7;
	m.limits.pids = 1;
	EXPECT(lease_add(&m), EEXIST);
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(lease_add(&m), EEXIST);
	EXPECT(lease_del(l.id), 0);
	EXPECT(lease_add(&m), 0);
}

OTEST(a_window_whose_end_is_not_after_its_start_is_einval)
{
	struct grid_ioc_lease l;
	struct world w;
	__s64 t = now_ns() + 600 * NSEC_PER_SEC;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_before_ns = t;
	l.not_after_ns = t;
	EXPECT(lease_add(&l), EINVAL);
	l.not_after_ns = t - 1;
	EXPECT(lease_add(&l), EINVAL);
	l.not_after_ns = t + 1;
	EXPECT(lease_add(&l), 0);
}

OTEST(a_window_that_has_already_ended_is_ekeyexpired)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_before_ns = now_ns() - 7200 * NSEC_PER_SEC;
	l.not_after_ns = now_ns() - NSEC_PER_SEC;
	EXPECT(lease_add(&l), EKEYEXPIRED);
	l.not_after_ns = now_ns() - 1;
	EXPECT(lease_add(&l), EKEYEXPIRED);
	CHECK(status_now().leases == test_start.leases);
}

OTEST(a_blob_of_4096_bytes_is_kept_and_4097_is_einval)
{
	static unsigned char blob[GRID_LEASE_BLOB_MAX + 1];
	struct grid_ioc_lease l;
	struct world w;

	memset(blob, 0xb1, sizeof(blob));
	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.blob = (uintptr_t)blob;
	l.blob_len = GRID_LEASE_BLOB_MAX + 1;
	EXPECT(lease_add(&l), EINVAL);
	l.blob_len = 0xffffffffu;
	EXPECT(lease_add(&l), EINVAL);
	l.blob_len = GRID_LEASE_BLOB_MAX;
	EXPECT(lease_add(&l), 0);
}

OTEST(a_bad_blob_pointer_is_efault_and_changes_nothing)
{
	struct grid_status before;
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	before = status_now();
	l = lease_tmpl(&w, 1);
	l.blob = 16;
	EXPECT(lease_add(&l), EFAULT);
	l.blob = ~0ULL - 8;
	EXPECT(lease_add(&l), EFAULT);
	CHECK(status_now().leases == before.leases);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
}

/* ---- SET, DEL, REVOKE --------------------------------------------------------- */

OTEST(lease_set_needs_a_greater_serial_else_estale)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.serial = 5;
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_bump(&l, 5), ESTALE);
	EXPECT(lease_bump(&l, 4), ESTALE);
	EXPECT(lease_bump(&l, 0), ESTALE);
	EXPECT(lease_bump(&l, 6), 0);
	CHECK(l.state == GRID_LEASE_ACTIVE);
	EXPECT(lease_bump(&l, 6), ESTALE);
	EXPECT(lease_bump(&l, ~0ULL), 0);
	EXPECT(lease_bump(&l, ~0ULL), ESTALE);
}

OTEST(lease_set_del_and_revoke_of_an_unknown_id_are_enoent)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_ioc(GRID_IOC_LEASE_SET, &l), ENOENT);
	EXPECT(lease_del(l.id), ENOENT);
	EXPECT(lease_revoke(l.id), ENOENT);
}

OTEST(lease_set_is_admitted_without_counting_its_own_old_limits)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.limits.memory_bytes = w.share.memory_bytes / 2 + 4096;
	EXPECT(lease_add(&l), 0);
	l.limits.memory_bytes = w.share.memory_bytes;
	EXPECT(lease_bump(&l, 2), 0);
	l.limits.memory_bytes = w.share.memory_bytes + 1;
	EXPECT(lease_bump(&l, 3), EDQUOT);
}

OTEST(lease_set_moves_not_after_earlier_and_the_lease_ends_then)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	l.not_after_ns = now_ns() + 300 * NSEC_PER_MSEC;
	EXPECT(lease_bump(&l, 2), 0);
	sleep_ms(500);
	EXPECT(lease_bump(&l, 3), EKEYEXPIRED);
}

OTEST(lease_set_moves_not_after_later_and_the_lease_outlives_its_old_end)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_after_ns = now_ns() + 300 * NSEC_PER_MSEC;
	EXPECT(lease_add(&l), 0);
	l.not_after_ns = now_ns() + 3600 * NSEC_PER_SEC;
	EXPECT(lease_bump(&l, 2), 0);
	sleep_ms(500);
	EXPECT(lease_bump(&l, 3), 0);
	CHECK(l.state == GRID_LEASE_ACTIVE);
}

OTEST(an_expired_lease_cannot_be_set_ekeyexpired_but_can_be_deleted)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_after_ns = now_ns() + 200 * NSEC_PER_MSEC;
	EXPECT(lease_add(&l), 0);
	sleep_ms(400);
	l.not_after_ns = now_ns() + 3600 * NSEC_PER_SEC;
	EXPECT(lease_bump(&l, 2), EKEYEXPIRED);
	EXPECT(lease_del(l.id), 0);
}

OTEST(a_revoked_lease_cannot_be_set_ekeyrevoked_but_can_be_deleted)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(lease_bump(&l, 2), EKEYREVOKED);
	/* Revoked stays revoked, not expired, once its end has passed too. */
	l = lease_tmpl(&w, 2);
	l.not_after_ns = now_ns() + 200 * NSEC_PER_MSEC;
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_revoke(l.id), 0);
	sleep_ms(400);
	EXPECT(lease_bump(&l, 2), EKEYREVOKED);
	EXPECT(lease_del(l.id), 0);
}

OTEST(a_pending_lease_can_be_revoked)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_before_ns = now_ns() + 600 * NSEC_PER_SEC;
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(lease_bump(&l, 2), EKEYREVOKED);
}

OTEST(lease_del_is_ebusy_while_a_sandbox_is_bound)
{
	char cg[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;
	__u64 cgid = 0;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, &cgid), 0);
	EXPECT(lease_del(l.id), EBUSY);
	/* Ending the lease does not unbind its sandbox. */
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(lease_del(l.id), EBUSY);
	EXPECT(sandbox_unbind(cgid), 0);
	EXPECT(lease_del(l.id), 0);
}

/* ---- admission against the share ---------------------------------------------- */

static const struct {
	const char *name;
	size_t off;
} fields[] = {
	{ "cpu_quota_us", offsetof(struct grid_limits, cpu_quota_us) },
	{ "cpu_budget_us", offsetof(struct grid_limits, cpu_budget_us) },
	{ "memory_bytes", offsetof(struct grid_limits, memory_bytes) },
	{ "pids", offsetof(struct grid_limits, pids) },
	{ "net_egress_rate", offsetof(struct grid_limits, net_egress_rate) },
	{ "net_ingress_rate", offsetof(struct grid_limits, net_ingress_rate) },
	{ "net_egress_budget", offsetof(struct grid_limits, net_egress_budget) },
	{ "net_ingress_budget", offsetof(struct grid_limits, net_ingress_budget) },
};

#define N_FIELDS ((int)(sizeof(fields) / sizeof(fields[0])))
#define F(lim, i) (*(__u64 *)((char *)&(lim) + fields[i].off))

/*
 * Two leases that together hold exactly the share's @f are admitted; one
 * unit more, by ADD or by SET, is refused and changes nothing. Every other
 * limit of the two is small, and the CPU period is 100000 throughout.
 */
static void admits_exactly_the_share(int f)
{
	struct grid_status before, after;
	struct grid_ioc_lease a, b;
	struct world w;
	__u64 s, x;

	ctx = fields[f].name;
	EXPECT(world_up(&w, 0, NULL), 0);
	s = F(w.share, f);
	x = s / 4;
	a = lease_tmpl(&w, 1);
	b = lease_tmpl(&w, 2);
	F(a.limits, f) = s - x;
	EXPECT(lease_add(&a), 0);

	before = status_now();
	F(b.limits, f) = x + 1;
	EXPECT(lease_add(&b), EDQUOT);
	after = status_now();
	CHECK(same_objects(&before, &after));
	F(b.limits, f) = x;
	EXPECT(lease_add(&b), 0);

	F(b.limits, f) = x + 1;
	EXPECT(lease_bump(&b, 2), EDQUOT);
	F(a.limits, f) = s - x + 1;
	EXPECT(lease_bump(&a, 2), EDQUOT);
	/* The refused SETs took nothing, not even their serials. */
	F(b.limits, f) = x - 1;
	EXPECT(lease_bump(&b, 2), 0);
	EXPECT(lease_bump(&a, 2), 0);
	F(a.limits, f) = s - x + 2;
	EXPECT(lease_bump(&a, 3), EDQUOT);
}

OTEST(cpu_rate_admits_leases_up_to_the_share_and_not_one_unit_more)
{
	admits_exactly_the_share(0);
}

OTEST(cpu_budget_admits_leases_up_to_the_share_and_not_one_unit_more)
{
	admits_exactly_the_share(1);
}

OTEST(memory_admits_leases_up_to_the_share_and_not_one_byte_more)
{
	admits_exactly_the_share(2);
}

OTEST(pids_admit_leases_up_to_the_share_and_not_one_more)
{
	admits_exactly_the_share(3);
}

OTEST(net_egress_rate_admits_leases_up_to_the_share_and_not_one_unit_more)
{
	admits_exactly_the_share(4);
}

OTEST(net_ingress_rate_admits_leases_up_to_the_share_and_not_one_unit_more)
{
	admits_exactly_the_share(5);
}

OTEST(net_egress_budget_admits_leases_up_to_the_share_and_not_one_byte_more)
{
	admits_exactly_the_share(6);
}

OTEST(net_ingress_budget_admits_leases_up_to_the_share_and_not_one_byte_more)
{
	admits_exactly_the_share(7);
}

OTEST(cpu_rate_is_admitted_as_quota_over_period)
{
	struct grid_limits share = big_share();
	struct grid_ioc_lease a, b, c;
	struct world w;

	share.cpu_quota_us = 200000;		/* two CPUs */
	share.cpu_period_us = 100000;
	EXPECT(world_up(&w, 0, &share), 0);
	a = lease_tmpl(&w, 1);
	a.limits.cpu_quota_us = 50000;		/* one CPU */
	a.limits.cpu_period_us = 50000;
	b = lease_tmpl(&w, 2);
	b.limits.cpu_quota_us = 100000;		/* one CPU */
	b.limits.cpu_period_us = 100000;
	c = lease_tmpl(&w, 3);
	c.limits.cpu_quota_us = 1000;		/* a thousandth */
	c.limits.cpu_period_us = 1000000;
	EXPECT(lease_add(&a), 0);
	EXPECT(lease_add(&b), 0);
	EXPECT(lease_add(&c), EDQUOT);
	b.limits.cpu_quota_us = 99900;
	EXPECT(lease_bump(&b, 2), 0);
	EXPECT(lease_add(&c), 0);
}

OTEST(cpu_rate_rounds_a_lease_up_and_a_share_down)
{
	struct grid_limits share = big_share();
	struct grid_ioc_lease l;
	struct world w;

	/* 10^12 / 3000 nanocores: 333333333.3, so the share has 333333333. */
	share.cpu_quota_us = 1000;
	share.cpu_period_us = 3000;
	EXPECT(world_up(&w, 0, &share), 0);
	l = lease_tmpl(&w, 1);
	l.limits.cpu_quota_us = 1000;
	l.limits.cpu_period_us = 3000;		/* 333333334 */
	EXPECT(lease_add(&l), EDQUOT);
	l.limits.cpu_period_us = 3001;		/* 333222260 */
	EXPECT(lease_add(&l), 0);
}

OTEST(a_huge_cpu_quota_is_compared_without_overflow)
{
	struct grid_limits share = big_share();
	struct grid_ioc_lease l;
	struct world w;

	/* 10^4 CPUs; 2 * 10^4 CPUs overflows 64 bits as quota * 10^9. */
	share.cpu_quota_us = 10000000000ULL;
	share.cpu_period_us = 1000000;
	EXPECT(world_up(&w, 0, &share), 0);
	l = lease_tmpl(&w, 1);
	l.limits.cpu_period_us = 1000000;
	l.limits.cpu_quota_us = 20000000000ULL;
	EXPECT(lease_add(&l), EDQUOT);
	l.limits.cpu_quota_us = 10000000000ULL;
	EXPECT(lease_add(&l), 0);
}

OTEST(a_sum_past_2_to_the_64_is_edquot_not_wrapped_around)
{
	struct grid_limits share = big_share();
	struct grid_ioc_lease a, b;
	struct world w;

	share.memory_bytes = GRID_LIMIT_MAX - 1;
	EXPECT(world_up(&w, 0, &share), 0);
	a = lease_tmpl(&w, 1);
	a.limits.memory_bytes = GRID_LIMIT_MAX - 1;
	EXPECT(lease_add(&a), 0);
	b = lease_tmpl(&w, 2);
	b.limits.memory_bytes = 2;
	EXPECT(lease_add(&b), EDQUOT);
}

/*
 * Under a share without a memory limit, two leases of 2^63 bytes would
 * wrap the sum to 0; a share of 1G would then be accepted under leases of
 * 2^63, and more leases granted under it.
 */
OTEST(under_an_unlimited_share_the_sum_of_leases_never_wraps)
{
	struct grid_limits share = big_share(), one_g;
	struct grid_ioc_lease a, b, c;
	struct world w;

	share.memory_bytes = GRID_LIMIT_MAX;
	EXPECT(world_up(&w, 0, &share), 0);
	a = lease_tmpl(&w, 1);
	a.limits.memory_bytes = 1ULL << 63;
	EXPECT(lease_add(&a), 0);
	b = lease_tmpl(&w, 2);
	b.limits.memory_bytes = 1ULL << 63;
	EXPECT(lease_add(&b), EDQUOT);
	CHECK(b.exhausted == GRID_LIMITS_A_MEMORY);
	/* Just below the top is still a sum. */
	b.limits.memory_bytes = (1ULL << 63) - 2;
	EXPECT(lease_add(&b), 0);
	c = lease_tmpl(&w, 3);
	c.limits.memory_bytes = 1;
	EXPECT(lease_add(&c), EDQUOT);
	one_g = share;
	one_g.memory_bytes = 1ULL << 30;
	EXPECT(share_set(w.gg, &one_g), EDQUOT);
	EXPECT(lease_del(b.id), 0);
	EXPECT(lease_del(a.id), 0);
	EXPECT(share_set(w.gg, &one_g), 0);
	c.limits.memory_bytes = 1ULL << 30;
	EXPECT(lease_add(&c), 0);
}

OTEST(an_unlimited_lease_needs_an_unlimited_share)
{
	struct grid_limits all_max = big_share();
	struct grid_ioc_lease l;
	struct world w;
	int f;

	EXPECT(world_up(&w, 0, NULL), 0);
	for (f = 0; f < N_FIELDS; f++) {
		ctx = fields[f].name;
		l = lease_tmpl(&w, 1 + f);
		F(l.limits, f) = GRID_LIMIT_MAX;
		EXPECT(lease_add(&l), EDQUOT);
	}
	for (f = 0; f < N_FIELDS; f++)
		F(all_max, f) = GRID_LIMIT_MAX;
	EXPECT(share_set(w.gg, &all_max), 0);
	for (f = 0; f < N_FIELDS; f++) {
		ctx = fields[f].name;
		l = lease_tmpl(&w, 1 + f);
		F(l.limits, f) = GRID_LIMIT_MAX;
		EXPECT(lease_add(&l), 0);
	}
	l = lease_tmpl(&w, 100);
	l.limits = all_max;
	EXPECT(lease_add(&l), 0);
	EXPECT(share_set(w.gg, &w.share), EDQUOT);
}

OTEST(a_pending_lease_counts_against_the_share)
{
	struct grid_ioc_lease a, b;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	a = lease_tmpl(&w, 1);
	a.limits.memory_bytes = w.share.memory_bytes;
	a.not_before_ns = now_ns() + 3600 * NSEC_PER_SEC;
	a.not_after_ns = a.not_before_ns + 3600 * NSEC_PER_SEC;
	EXPECT(lease_add(&a), 0);
	CHECK(a.state == GRID_LEASE_PENDING);
	b = lease_tmpl(&w, 2);
	EXPECT(lease_add(&b), EDQUOT);
}

OTEST(share_set_below_what_live_leases_hold_is_edquot)
{
	struct grid_limits half = big_share(), lower;
	struct grid_ioc_lease a, b;
	struct world w;
	int f;

	EXPECT(world_up(&w, 0, NULL), 0);
	for (f = 0; f < N_FIELDS; f++)
		F(half, f) /= 2;
	a = lease_tmpl(&w, 1);
	a.limits = half;
	EXPECT(lease_add(&a), 0);
	for (f = 0; f < N_FIELDS; f++) {
		ctx = fields[f].name;
		lower = half;
		F(lower, f) -= 1;
		EXPECT(share_set(w.gg, &lower), EDQUOT);
	}
	/* Exactly what the leases hold is enough, and leaves no room. */
	EXPECT(share_set(w.gg, &half), 0);
	b = lease_tmpl(&w, 2);
	EXPECT(lease_add(&b), EDQUOT);
	EXPECT(share_set(w.gg, &w.share), 0);
	EXPECT(lease_add(&b), 0);
}

OTEST(share_set_of_another_budget_period_is_ebusy_while_leases_are_live)
{
	struct grid_limits other;
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	other = w.share;
	other.budget_period_s = w.share.budget_period_s / 2;
	EXPECT(share_set(w.gg, &other), EBUSY);
	/* The same period with other limits is an ordinary SET. */
	other = w.share;
	other.memory_bytes += 1;
	EXPECT(share_set(w.gg, &other), 0);
	EXPECT(lease_revoke(l.id), 0);
	other.budget_period_s = w.share.budget_period_s / 2;
	EXPECT(share_set(w.gg, &other), 0);
}

OTEST(share_del_with_live_leases_is_edquot_pending_or_active)
{
	struct grid_ioc_lease a, p;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	a = lease_tmpl(&w, 1);
	p = lease_tmpl(&w, 2);
	p.not_before_ns = now_ns() + 3600 * NSEC_PER_SEC;
	p.not_after_ns = p.not_before_ns + NSEC_PER_SEC;
	EXPECT(lease_add(&a), 0);
	EXPECT(lease_add(&p), 0);
	EXPECT(share_del(w.gg), EDQUOT);
	EXPECT(lease_revoke(a.id), 0);
	EXPECT(share_del(w.gg), EDQUOT);
	EXPECT(lease_revoke(p.id), 0);
	EXPECT(share_del(w.gg), 0);
}

OTEST(revoked_and_expired_leases_no_longer_count_against_the_share)
{
	struct grid_ioc_lease a, b, c;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	a = lease_tmpl(&w, 1);
	a.limits.memory_bytes = w.share.memory_bytes;
	EXPECT(lease_add(&a), 0);
	b = a;
	b.id = LID(2);
	b.state = 0;
	b.not_after_ns = now_ns() + 300 * NSEC_PER_MSEC;
	EXPECT(lease_add(&b), EDQUOT);
	EXPECT(lease_revoke(a.id), 0);
	b.not_after_ns = now_ns() + 300 * NSEC_PER_MSEC;
	EXPECT(lease_add(&b), 0);
	c = a;
	c.id = LID(3);
	c.state = 0;
	EXPECT(lease_add(&c), EDQUOT);
	sleep_ms(500);
	EXPECT(lease_add(&c), 0);
	/* And the share may shrink to what is live now. */
	EXPECT(share_set(w.gg, &c.limits), 0);
}

__attribute__((constructor(101))) static void open_device(void)
{
	fd = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("grid_lease_test: " GRID_DEV_PATH);
		exit(1);
	}
}

/* ---- a lease's identity outlives its deletion -------------------------------- */

/*
 * A deleted lease whose window is still open could be added again from
 * the same signed bytes: the id keeps its serial until not_after.
 */
OTEST(a_deleted_lease_cannot_be_added_again_with_its_old_serial)
{
	struct grid_ioc_lease l, again;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.serial = 5;
	EXPECT(lease_add(&l), 0);
	EXPECT(lease_del(l.id), 0);
	again = lease_tmpl(&w, 1);
	again.serial = 5;
	EXPECT(lease_add(&again), ESTALE);
	again.serial = 1;
	EXPECT(lease_add(&again), ESTALE);
	again.serial = 6;
	EXPECT(lease_add(&again), 0);
	/* And a revoked one, deleted: the same. */
	EXPECT(lease_revoke(again.id), 0);
	EXPECT(lease_del(again.id), 0);
	again.serial = 6;
	EXPECT(lease_add(&again), ESTALE);
	CHECK(status_now().leases == test_start.leases);
}

/*
 * The first bytes were signed for a long window; a SET that shortened it
 * and the lease's end do not make them valid again: the tombstone keeps
 * the longest window the lease ever had. So does a re-ADD over an older
 * tombstone with a longer window.
 */
OTEST(a_tombstone_keeps_the_longest_window_the_lease_ever_had)
{
	struct grid_ioc_lease l, first, again;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);		/* an hour */
	first = l;
	EXPECT(lease_add(&l), 0);
	l.not_after_ns = now_ns() + NSEC_PER_SEC / 2;
	EXPECT(lease_bump(&l, 2), 0);
	/* Past the shortened end: the lease has expired. */
	usleep(1200 * 1000);
	EXPECT(lease_bump(&l, 3), EKEYEXPIRED);
	EXPECT(lease_del(l.id), 0);
	/* The hour-long bytes of serial 1 and 2 are still refused. */
	EXPECT(lease_add(&first), ESTALE);
	first.serial = 2;
	EXPECT(lease_add(&first), ESTALE);
	/* A newer one, for a minute, then deleted: the hour still holds. */
	again = first;
	again.serial = 4;
	again.not_after_ns = now_ns() + 60 * NSEC_PER_SEC;
	EXPECT(lease_add(&again), 0);
	EXPECT(lease_del(again.id), 0);
	first.serial = 4;
	EXPECT(lease_add(&first), ESTALE);
	CHECK(status_now().leases == test_start.leases);
}

OTEST(a_deleted_lease_whose_window_ended_leaves_nothing_to_refuse_by)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	l.not_after_ns = now_ns() + 200 * NSEC_PER_MSEC;
	EXPECT(lease_add(&l), 0);
	sleep_ms(300);
	EXPECT(lease_del(l.id), 0);
	/* Its window has ended: refused as expired, not as stale. */
	EXPECT(lease_add(&l), EKEYEXPIRED);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
}

/* The signed bytes a lease carries, by netlink; -1 if it has none. */
static int blob_len_of(__u64 id)
{
	static struct grid_obj_lease o;
	struct grid_nl *nl;
	int ret;

	if (grid_nl_open(&nl))
		return -2;
	ret = grid_nl_lease_get(nl, id, &o);
	grid_nl_close(nl);
	if (ret)
		return -2;
	return o.blob_len ? (int)o.blob_len : -1;
}

/* Bytes signed for the old limits would claim what the lease no longer is. */
OTEST(lease_set_without_signed_bytes_leaves_the_lease_with_none)
{
	static const char blob2[] = "the bytes of serial 2";
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	CHECK(blob_len_of(l.id) == (int)l.blob_len);
	l.blob = (uintptr_t)blob2;
	l.blob_len = sizeof(blob2) - 1;
	EXPECT(lease_bump(&l, 2), 0);
	CHECK(blob_len_of(l.id) == (int)sizeof(blob2) - 1);
	l.blob = 0;
	l.blob_len = 0;
	l.limits.memory_bytes /= 2;
	EXPECT(lease_bump(&l, 3), 0);
	CHECK(blob_len_of(l.id) == -1);
}
