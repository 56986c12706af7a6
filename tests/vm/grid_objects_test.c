// SPDX-License-Identifier: GPL-2.0
/*
 * The object ioctls of /dev/grid, written against the uapi header alone:
 * the extensible-struct rules on every object ioctl, names and keys, and
 * the add/set/del life of grids, grid-grids, peers and shares with every
 * error the header names. Leases, admission, sandboxes and expiry are in
 * grid_lease_test.c. Runs in the VM as root with grid.ko loaded (objects.sh).
 */
#define UNIT_SUITE "vm/objects"
#include <grp.h>
#include <sched.h>
#include <stddef.h>

#include "unit.h"
#include "caps.h"
#include "objects_test.h"
#include "sandbox_test.h"

/* ---- the extensible-struct rules, on every object ioctl ---------------- */

static unsigned char big_buf[8192];

/*
 * Runs @o with its argument copied into a zeroed 8 KiB buffer, its size
 * field set to @size, and @val or'ed into the u32 at @off (if @off).
 */
static int op_with(const struct op *o, __u32 size, size_t off, __u32 val)
{
	__u32 v;

	memset(big_buf, 0, sizeof(big_buf));
	memcpy(big_buf, &o->arg, o->ksize);
	memcpy(big_buf, &size, sizeof(size));
	if (off) {
		memcpy(&v, big_buf + off, sizeof(v));
		v |= val;
		memcpy(big_buf + off, &v, sizeof(v));
	}
	return ioc(o->cmd, big_buf);
}

static int op_expect(const struct op *o, __u32 size, size_t off, __u32 val,
		     int want)
{
	int e = op_with(o, size, off, val);

	if (e == want)
		return 0;
	printf("# %s, size %u, +0x%x at %zu: got %s, want %s\n", o->name, size,
	       val, off, ename(e), ename(want));
	return 1;
}

OTEST(every_object_ioctl_succeeds_with_the_argument_the_other_tests_spoil)
{
	struct opset s;
	int i;

	EXPECT(ops_build(&s), 0);
	/* In this order each call is valid: the DELs name unreferenced objects. */
	for (i = 0; i < OP_NR; i++) {
		int e = ioc(s.op[i].cmd, &s.op[i].arg);

		if (e)
			printf("# %s: %s\n", s.op[i].name, ename(e));
		CHECK(e == 0);
	}
}

OTEST(every_object_ioctl_with_a_size_below_its_first_published_size_is_einval)
{
	struct grid_status before;
	struct opset s;
	int i, bad = 0;

	EXPECT(ops_build(&s), 0);
	before = status_now();
	for (i = 0; i < OP_NR; i++) {
		bad += op_expect(&s.op[i], s.op[i].size - 1, 0, 0, EINVAL);
		bad += op_expect(&s.op[i], 8, 0, 0, EINVAL);
		bad += op_expect(&s.op[i], 0, 0, 0, EINVAL);
	}
	CHECK(bad == 0);
	EXPECT(ops_untouched(&s, &before), 0);
}

OTEST(every_object_ioctl_with_a_size_over_4096_is_e2big)
{
	struct grid_status before;
	struct opset s;
	int i, bad = 0;

	EXPECT(ops_build(&s), 0);
	before = status_now();
	for (i = 0; i < OP_NR; i++) {
		bad += op_expect(&s.op[i], GRID_IOC_SIZE_MAX + 1, 0, 0, E2BIG);
		bad += op_expect(&s.op[i], 0xffffffffu, 0, 0, E2BIG);
	}
	CHECK(bad == 0);
	EXPECT(ops_untouched(&s, &before), 0);
}

OTEST(every_object_ioctl_with_nonzero_bytes_past_the_kernel_struct_is_e2big)
{
	struct grid_status before;
	struct opset s;
	int i, bad = 0;

	EXPECT(ops_build(&s), 0);
	before = status_now();
	for (i = 0; i < OP_NR; i++) {
		__u32 sz = s.op[i].ksize;

		bad += op_expect(&s.op[i], sz + 8, sz, 1, E2BIG);
		bad += op_expect(&s.op[i], sz + 8, sz + 4, 0x80000000u, E2BIG);
		bad += op_expect(&s.op[i], GRID_IOC_SIZE_MAX,
				 GRID_IOC_SIZE_MAX - 4, 0x1000000u, E2BIG);
	}
	CHECK(bad == 0);
	EXPECT(ops_untouched(&s, &before), 0);
}

OTEST(every_object_ioctl_with_an_unknown_flag_is_einval)
{
	struct grid_status before;
	struct opset s;
	int i, bad = 0;

	EXPECT(ops_build(&s), 0);
	before = status_now();
	for (i = 0; i < OP_NR; i++) {
		/*
		 * SANDBOX_BIND knows one flag, GRID_SANDBOX_REBIND; SHARE_ADD
		 * and SHARE_SET one, GRID_SHARE_CGROUP.
		 */
		unsigned long c = s.op[i].cmd;
		__u32 first = c == GRID_IOC_SANDBOX_BIND || c == GRID_IOC_SHARE_ADD ||
			      c == GRID_IOC_SHARE_SET ? 2 : 1;

		bad += op_expect(&s.op[i], s.op[i].size, 4, first, EINVAL);
		bad += op_expect(&s.op[i], s.op[i].size, 4, 0x80000000u, EINVAL);
	}
	CHECK(bad == 0);
	EXPECT(ops_untouched(&s, &before), 0);
}

OTEST(every_reserved_field_that_is_not_zero_is_einval)
{
	static const struct { int op; size_t off; } fields[] = {
		{ OP_SHARE_ADD, offsetof(struct grid_ioc_share, limits.reserved) },
		{ OP_SHARE_SET, offsetof(struct grid_ioc_share, limits.reserved) },
		{ OP_LEASE_ADD, offsetof(struct grid_ioc_lease, limits.reserved) },
		{ OP_LEASE_SET, offsetof(struct grid_ioc_lease, limits.reserved) },
		{ OP_LEASE_ADD, offsetof(struct grid_ioc_lease, reserved) },
		{ OP_LEASE_SET, offsetof(struct grid_ioc_lease, reserved) },
		{ OP_PEER_ADD, offsetof(struct grid_ioc_peer, reserved) },
		{ OP_PEER_SET, offsetof(struct grid_ioc_peer, reserved) },
		{ OP_PEER_DEL, offsetof(struct grid_ioc_peer, reserved) },
		{ OP_SANDBOX_BIND, offsetof(struct grid_ioc_sandbox, reserved) },
		{ OP_SANDBOX_UNBIND, offsetof(struct grid_ioc_sandbox, reserved) },
	};
	struct grid_status before;
	struct opset s;
	int bad = 0;

	EXPECT(ops_build(&s), 0);
	before = status_now();
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct op *o = &s.op[fields[i].op];

		bad += op_expect(o, o->ksize, fields[i].off, 1, EINVAL);
		bad += op_expect(o, o->ksize, fields[i].off, 0x80000000u, EINVAL);
	}
	CHECK(bad == 0);
	EXPECT(ops_untouched(&s, &before), 0);
}

static struct opset *nocap_ops;

static bool every_op_is_eperm(void)
{
	int bad = 0;

	for (int i = 0; i < OP_NR; i++)
		bad += op_expect(&nocap_ops->op[i], nocap_ops->op[i].size, 0, 0,
				 EPERM);
	return bad == 0;
}

OTEST(every_object_ioctl_without_cap_sys_admin_is_eperm)
{
	struct grid_status before;
	struct opset s;

	EXPECT(ops_build(&s), 0);
	before = status_now();
	nocap_ops = &s;
	fflush(stdout);
	CHECK(in_child(drop_cap_sys_admin, every_op_is_eperm));
	EXPECT(ops_untouched(&s, &before), 0);
}

/* Root of a user namespace of its own: every capability, but not in the initial one. */
static int enter_a_user_namespace(void)
{
	return unshare(CLONE_NEWUSER);
}

OTEST(every_object_ioctl_from_another_user_namespace_is_eperm)
{
	struct grid_status before;
	struct opset s;

	EXPECT(ops_build(&s), 0);
	before = status_now();
	nocap_ops = &s;
	fflush(stdout);
	CHECK(in_child(enter_a_user_namespace, every_op_is_eperm));
	EXPECT(ops_untouched(&s, &before), 0);
}

OTEST(a_larger_struct_with_a_zero_tail_works_and_learns_the_kernel_size)
{
	unsigned char buf[GRID_IOC_GRID_SIZE_VER0 + 64] = { 0 };
	struct grid_ioc_grid g = grid_arg(N("big"), "", 1);
	struct grid_status before = status_now(), after;

	g.size = sizeof(buf);
	memcpy(buf, &g, sizeof(g));
	EXPECT(ioc(GRID_IOC_GRID_ADD, buf), 0);
	undo_name(U_GRID, g.name);
	memcpy(&g, buf, sizeof(g));
	CHECK(g.size == GRID_IOC_GRID_SIZE_VER0);
	for (size_t i = sizeof(g); i < sizeof(buf); i++)
		CHECK(buf[i] == 0);
	after = status_now();
	CHECK(after.grids == before.grids + 1);
}

OTEST(the_size_in_the_ioctl_number_is_only_informational)
{
	struct grid_ioc_grid g = grid_arg(N("a"), "", 1);
	struct grid_ioc_gridgrid gg = gridgrid_arg(N("gg"), 2);

	EXPECT(grid_ioc(_IOWR(GRID_IOC_MAGIC, 0x02, struct grid_ioc_peer), &g), 0);
	undo_name(U_GRID, g.name);
	EXPECT(grid_add(N("a"), "", 1), EEXIST);
	EXPECT(gridgrid_ioc(_IOWR(GRID_IOC_MAGIC, 0x05, struct grid_version), &gg), 0);
	undo_name(U_GRIDGRID, gg.name);
	EXPECT(gridgrid_del(N("gg")), 0);
}

/* ---- names and keys ------------------------------------------------------ */

static const char *const bad_names[] = {
	"",
	"abcdefghijklmnopqrstuvwxyzabcdef",	/* 32 bytes, no NUL */
	"Grid", "a/b", "/", "a b", "a\tb", "a:b", "a\\b", "a*", "a,b",
	"gr\xc3\xaf" "d", "a\x7f",
};

#define N_BAD (sizeof(bad_names) / sizeof(bad_names[0]))

OTEST(grid_names_that_are_empty_too_long_uppercase_or_have_a_slash_are_einval)
{
	struct grid_status before = status_now(), after;

	for (size_t i = 0; i < N_BAD; i++) {
		int e = grid_add(bad_names[i], "", 1);

		if (e != EINVAL)
			printf("# bad name %zu: %s\n", i, ename(e));
		CHECK(e == EINVAL);
	}
	after = status_now();
	CHECK(same_objects(&before, &after));
}

OTEST(a_name_with_bytes_after_its_nul_is_einval)
{
	struct grid_ioc_grid g = grid_arg("ab", "", 1);

	g.name[3] = 'c';
	EXPECT(grid_ioc(GRID_IOC_GRID_ADD, &g), EINVAL);
	g = grid_arg("ab", "", 1);
	g.name[GRID_NAME_LEN - 1] = 'z';
	EXPECT(grid_ioc(GRID_IOC_GRID_ADD, &g), EINVAL);
}

OTEST(a_31_byte_name_of_every_allowed_character_and_a_1_byte_name_work)
{
	static const char all[] = "abcdefghijklmnopqrstuvwxyz0.9_-";

	CHECK(strlen(all) == GRID_NAME_LEN - 1);
	EXPECT(grid_add(all, "", 1), 0);
	EXPECT(grid_add("7", all, 2), 0);
	EXPECT(grid_del("7"), 0);
	EXPECT(grid_del(all), 0);
}

OTEST(a_parent_name_follows_the_name_rules)
{
	EXPECT(grid_add(N("a"), "Parent", 1), EINVAL);
	EXPECT(grid_add(N("a"), bad_names[1], 1), EINVAL);
	EXPECT(grid_add(N("a"), "a/b", 1), EINVAL);
	EXPECT(grid_add(N("a"), "", 1), 0);
	EXPECT(grid_set(N("a"), "P", 1), EINVAL);
}

OTEST(gridgrid_share_peer_and_lease_names_follow_the_name_rules)
{
	struct grid_limits big = big_share();
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	for (size_t i = 0; i < N_BAD; i++) {
		const char *bad = bad_names[i];
		struct grid_ioc_peer p = peer_arg(5, bad, 0, NULL);
		struct grid_ioc_peer q = peer_arg(6, "ok", 1, &bad);
		struct grid_ioc_lease l = lease_tmpl(&w, 1);

		setname(l.gridgrid, bad);
		ctx = bad_names[i][0] ? bad_names[i] : "(empty)";
		EXPECT(gridgrid_add(bad, 2), EINVAL);
		EXPECT(share_add(bad, &big), EINVAL);
		EXPECT(share_set(bad, &big), EINVAL);
		EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), EINVAL);
		EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &q), EINVAL);
		EXPECT(lease_add(&l), EINVAL);
	}
}

OTEST(an_all_zero_key_is_einval)
{
	struct grid_ioc_grid g = grid_arg(N("a"), "", 1);
	struct grid_ioc_gridgrid gg = gridgrid_arg(N("gg"), 2);
	struct grid_ioc_peer p = peer_arg(3, "p", 0, NULL);
	struct grid_ioc_lease l;
	struct world w;

	memset(g.key, 0, sizeof(g.key));
	memset(gg.charter_key, 0, sizeof(gg.charter_key));
	memset(p.key, 0, sizeof(p.key));
	EXPECT(grid_ioc(GRID_IOC_GRID_ADD, &g), EINVAL);
	EXPECT(gridgrid_ioc(GRID_IOC_GRIDGRID_ADD, &gg), EINVAL);
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), EINVAL);

	EXPECT(world_up(&w, 0, NULL), 0);
	g = grid_arg(w.grid, "", 1);
	memset(g.key, 0, sizeof(g.key));
	EXPECT(grid_ioc(GRID_IOC_GRID_SET, &g), EINVAL);
	gg = gridgrid_arg(w.gg, 2);
	memset(gg.charter_key, 0, sizeof(gg.charter_key));
	EXPECT(gridgrid_ioc(GRID_IOC_GRIDGRID_SET, &gg), EINVAL);
	l = lease_tmpl(&w, 1);
	memset(l.holder, 0, sizeof(l.holder));
	EXPECT(lease_add(&l), EINVAL);
	l = lease_tmpl(&w, 1);
	memset(l.issuer, 0, sizeof(l.issuer));
	EXPECT(lease_add(&l), EINVAL);
}

/* ---- grids ------------------------------------------------------------------ */

OTEST(grid_add_set_and_del_show_in_the_status_counts)
{
	struct grid_status a = status_now(), b, c, d;

	EXPECT(grid_add(N("a"), "", 1), 0);
	b = status_now();
	EXPECT(grid_set(N("a"), "", 2), 0);
	c = status_now();
	EXPECT(grid_del(N("a")), 0);
	d = status_now();
	CHECK(b.grids == a.grids + 1);
	CHECK(c.grids == b.grids);
	CHECK(d.grids == a.grids);
	CHECK(b.gridgrids == a.gridgrids && b.leases == a.leases);
}

OTEST(grid_add_of_an_existing_name_is_eexist)
{
	EXPECT(grid_add(N("a"), "", 1), 0);
	EXPECT(grid_add(N("a"), "", 1), EEXIST);
	EXPECT(grid_add(N("a"), "", 2), EEXIST);
	EXPECT(grid_add(N("b"), N("a"), 3), 0);
	EXPECT(grid_add(N("b"), "", 3), EEXIST);
}

OTEST(grid_with_an_unknown_parent_is_enoent)
{
	EXPECT(grid_add(N("a"), N("nobody"), 1), ENOENT);
	EXPECT(grid_add(N("a"), "", 1), 0);
	EXPECT(grid_set(N("a"), N("nobody"), 1), ENOENT);
}

OTEST(grid_set_and_del_of_an_unknown_grid_are_enoent)
{
	EXPECT(grid_set(N("nobody"), "", 1), ENOENT);
	EXPECT(grid_del(N("nobody")), ENOENT);
	EXPECT(grid_add(N("a"), "", 1), 0);
	EXPECT(grid_del(N("a")), 0);
	EXPECT(grid_del(N("a")), ENOENT);
}

OTEST(grid_del_ignores_the_key)
{
	struct grid_ioc_grid g = grid_arg(N("a"), "", 1);

	EXPECT(grid_add(N("a"), "", 1), 0);
	memset(g.key, 0, sizeof(g.key));
	EXPECT(grid_ioc(GRID_IOC_GRID_DEL, &g), 0);
}

OTEST(a_grid_cannot_be_its_own_parent)
{
	EXPECT(grid_add(N("a"), "", 1), 0);
	EXPECT(grid_set(N("a"), N("a"), 1), ELOOP);
	EXPECT(grid_del(N("a")), 0);
}

OTEST(a_grid_cannot_take_one_of_its_descendants_as_parent)
{
	EXPECT(grid_add(N("a"), "", 1), 0);
	EXPECT(grid_add(N("b"), N("a"), 2), 0);
	EXPECT(grid_add(N("c"), N("b"), 3), 0);
	EXPECT(grid_set(N("a"), N("b"), 1), ELOOP);
	EXPECT(grid_set(N("a"), N("c"), 1), ELOOP);
	EXPECT(grid_set(N("b"), N("c"), 2), ELOOP);
	/* Refused, so nothing moved: a is still the root and b's parent. */
	EXPECT(grid_del(N("a")), EBUSY);
	EXPECT(grid_del(N("c")), 0);
	EXPECT(grid_del(N("b")), 0);
	EXPECT(grid_del(N("a")), 0);
}

OTEST(grid_del_of_a_parent_is_ebusy_until_its_children_go)
{
	EXPECT(grid_add(N("a"), "", 1), 0);
	EXPECT(grid_add(N("b"), N("a"), 2), 0);
	EXPECT(grid_add(N("c"), N("a"), 3), 0);
	EXPECT(grid_del(N("a")), EBUSY);
	EXPECT(grid_del(N("b")), 0);
	EXPECT(grid_del(N("a")), EBUSY);
	EXPECT(grid_set(N("c"), "", 3), 0);
	EXPECT(grid_del(N("a")), 0);
}

OTEST(grid_set_moves_a_grid_to_another_parent)
{
	EXPECT(grid_add(N("a"), "", 1), 0);
	EXPECT(grid_add(N("b"), "", 2), 0);
	EXPECT(grid_add(N("c"), N("a"), 3), 0);
	EXPECT(grid_set(N("c"), N("b"), 3), 0);
	EXPECT(grid_del(N("b")), EBUSY);
	EXPECT(grid_del(N("a")), 0);
	/* The old parent gone, a grid may now descend from b under its name. */
	EXPECT(grid_add(N("a"), N("c"), 1), 0);
	EXPECT(grid_set(N("b"), N("a"), 2), ELOOP);
}

OTEST(grid_set_changes_the_key_that_may_issue_leases)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	EXPECT(grid_set(w.grid, "", 77), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), ENOKEY);
	w.issuer = 77;
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
}

OTEST(grid_del_is_ebusy_while_its_key_has_issued_live_leases)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(grid_del(w.grid), EBUSY);
	/* A lease that has ended holds nothing. */
	EXPECT(lease_revoke(l.id), 0);
	EXPECT(grid_del(w.grid), 0);
}

/* ---- grid-grids ------------------------------------------------------------ */

OTEST(gridgrid_add_set_and_del_show_in_the_status_counts)
{
	struct grid_status a = status_now(), b, c, d;
	struct grid_ioc_gridgrid gg = gridgrid_arg(N("gg"), 2);

	EXPECT(gridgrid_add(N("gg"), 1), 0);
	b = status_now();
	EXPECT(gridgrid_ioc(GRID_IOC_GRIDGRID_SET, &gg), 0);
	c = status_now();
	EXPECT(gridgrid_del(N("gg")), 0);
	d = status_now();
	CHECK(b.gridgrids == a.gridgrids + 1 && b.grids == a.grids);
	CHECK(c.gridgrids == b.gridgrids);
	CHECK(d.gridgrids == a.gridgrids);
}

OTEST(gridgrid_add_of_an_existing_name_is_eexist)
{
	EXPECT(gridgrid_add(N("gg"), 1), 0);
	EXPECT(gridgrid_add(N("gg"), 1), EEXIST);
	EXPECT(gridgrid_add(N("gg"), 2), EEXIST);
}

OTEST(gridgrid_set_and_del_of_an_unknown_name_are_enoent)
{
	struct grid_ioc_gridgrid gg = gridgrid_arg(N("nobody"), 2);

	EXPECT(gridgrid_ioc(GRID_IOC_GRIDGRID_SET, &gg), ENOENT);
	EXPECT(gridgrid_del(N("nobody")), ENOENT);
}

OTEST(gridgrid_del_is_ebusy_while_a_share_refers_to_it)
{
	struct grid_limits big = big_share();

	EXPECT(gridgrid_add(N("gg"), 1), 0);
	EXPECT(share_add(N("gg"), &big), 0);
	EXPECT(gridgrid_del(N("gg")), EBUSY);
	EXPECT(share_del(N("gg")), 0);
	EXPECT(gridgrid_del(N("gg")), 0);
}

OTEST(gridgrid_del_is_ebusy_while_a_peer_is_a_member)
{
	const char *ggs[] = { N("gg") };
	struct grid_ioc_peer p = peer_arg(5, "p", 1, ggs);

	EXPECT(gridgrid_add(N("gg"), 1), 0);
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), 0);
	EXPECT(gridgrid_del(N("gg")), EBUSY);
	EXPECT(peer_ioc(GRID_IOC_PEER_DEL, &p), 0);
	EXPECT(gridgrid_del(N("gg")), 0);
}

OTEST(gridgrid_del_is_ebusy_while_a_lease_refers_to_it_even_an_ended_one)
{
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(share_del(w.gg), EDQUOT);
	EXPECT(lease_revoke(l.id), 0);
	/* No live lease: the share may go; the lease object still names gg. */
	EXPECT(share_del(w.gg), 0);
	EXPECT(gridgrid_del(w.gg), EBUSY);
	EXPECT(lease_del(l.id), 0);
	EXPECT(gridgrid_del(w.gg), 0);
}

/* ---- peers ------------------------------------------------------------------- */

OTEST(peer_add_set_and_del_show_in_the_status_counts)
{
	const char *ggs[] = { N("gg1"), N("gg2") };
	struct grid_ioc_peer p = peer_arg(5, "pi", 2, ggs);
	struct grid_status a, b, c, d;

	EXPECT(gridgrid_add(ggs[0], 1), 0);
	EXPECT(gridgrid_add(ggs[1], 2), 0);
	a = status_now();
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), 0);
	b = status_now();
	p = peer_arg(5, "pi.renamed", 1, ggs);
	EXPECT(peer_ioc(GRID_IOC_PEER_SET, &p), 0);
	c = status_now();
	EXPECT(peer_ioc(GRID_IOC_PEER_DEL, &p), 0);
	d = status_now();
	CHECK(b.peers == a.peers + 1 && b.gridgrids == a.gridgrids);
	CHECK(c.peers == b.peers);
	CHECK(d.peers == a.peers);
}

OTEST(a_peer_with_no_gridgrids_is_accepted)
{
	struct grid_ioc_peer p = peer_arg(5, "lonely", 0, NULL);

	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), 0);
	EXPECT(peer_ioc(GRID_IOC_PEER_DEL, &p), 0);
}

OTEST(peer_add_of_a_known_key_is_eexist)
{
	struct grid_ioc_peer p = peer_arg(5, "p", 0, NULL);
	struct grid_ioc_peer q = peer_arg(5, "another-name", 0, NULL);

	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), 0);
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), EEXIST);
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &q), EEXIST);
}

OTEST(peer_set_and_del_of_an_unknown_key_are_enoent)
{
	struct grid_ioc_peer p = peer_arg(5, "p", 0, NULL);

	EXPECT(peer_ioc(GRID_IOC_PEER_SET, &p), ENOENT);
	EXPECT(peer_ioc(GRID_IOC_PEER_DEL, &p), ENOENT);
}

OTEST(a_peer_in_an_unknown_gridgrid_is_enoent)
{
	const char *ggs[] = { N("gg"), N("nowhere") };
	struct grid_ioc_peer p = peer_arg(5, "p", 2, ggs);

	EXPECT(gridgrid_add(N("gg"), 1), 0);
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), ENOENT);
	p = peer_arg(5, "p", 1, ggs);
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), 0);
	p = peer_arg(5, "p", 1, ggs + 1);
	EXPECT(peer_ioc(GRID_IOC_PEER_SET, &p), ENOENT);
	/* The refused SET left the membership: gg is still referred to. */
	EXPECT(gridgrid_del(N("gg")), EBUSY);
}

OTEST(a_peer_in_16_gridgrids_is_accepted_and_17_is_einval)
{
	char names[GRID_PEER_GRIDGRIDS_MAX][GRID_NAME_LEN];
	const char *ggs[GRID_PEER_GRIDGRIDS_MAX];
	struct grid_ioc_peer p;

	for (int i = 0; i < GRID_PEER_GRIDGRIDS_MAX; i++) {
		char base[8];

		snprintf(base, sizeof(base), "gg%d", i);
		setname(names[i], N(base));
		ggs[i] = names[i];
		EXPECT(gridgrid_add(ggs[i], 10 + i), 0);
	}
	p = peer_arg(5, "p", GRID_PEER_GRIDGRIDS_MAX, ggs);
	p.n_gridgrids = GRID_PEER_GRIDGRIDS_MAX + 1;
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), EINVAL);
	p.n_gridgrids = 0xffffffffu;
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), EINVAL);
	p.n_gridgrids = GRID_PEER_GRIDGRIDS_MAX;
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), 0);
	p.n_gridgrids = GRID_PEER_GRIDGRIDS_MAX + 1;
	EXPECT(peer_ioc(GRID_IOC_PEER_SET, &p), EINVAL);
	for (int i = 0; i < GRID_PEER_GRIDGRIDS_MAX; i++)
		EXPECT(gridgrid_del(ggs[i]), EBUSY);
}

/* Bytes in an unused slot would be a name no check ever looks at. */
OTEST(a_peer_with_bytes_in_an_unused_gridgrid_slot_is_einval)
{
	const char *ggs[] = { N("gg1") };
	struct grid_ioc_peer p = peer_arg(5, "p", 1, ggs);

	EXPECT(gridgrid_add(ggs[0], 1), 0);
	p.gridgrids[1][0] = 'x';
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), EINVAL);
	p.gridgrids[1][0] = 0;
	p.gridgrids[GRID_PEER_GRIDGRIDS_MAX - 1][GRID_NAME_LEN - 1] = 1;
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), EINVAL);
	p.gridgrids[GRID_PEER_GRIDGRIDS_MAX - 1][GRID_NAME_LEN - 1] = 0;
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), 0);
	p.gridgrids[3][5] = 'y';
	EXPECT(peer_ioc(GRID_IOC_PEER_SET, &p), EINVAL);
	CHECK(status_now().peers == test_start.peers + 1);
}

OTEST(peer_set_replaces_its_memberships)
{
	const char *ggs[] = { N("gg1"), N("gg2") };
	struct grid_ioc_peer p = peer_arg(5, "p", 1, ggs);

	EXPECT(gridgrid_add(ggs[0], 1), 0);
	EXPECT(gridgrid_add(ggs[1], 2), 0);
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), 0);
	p = peer_arg(5, "p", 1, ggs + 1);
	EXPECT(peer_ioc(GRID_IOC_PEER_SET, &p), 0);
	EXPECT(gridgrid_del(ggs[1]), EBUSY);
	EXPECT(gridgrid_del(ggs[0]), 0);
	p = peer_arg(5, "p", 0, NULL);
	EXPECT(peer_ioc(GRID_IOC_PEER_SET, &p), 0);
	EXPECT(gridgrid_del(ggs[1]), 0);
}

OTEST(peer_del_ignores_the_name)
{
	struct grid_ioc_peer p = peer_arg(5, "p", 0, NULL);

	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), 0);
	memset(p.name, 0, sizeof(p.name));
	p.name[0] = 'X';
	EXPECT(peer_ioc(GRID_IOC_PEER_DEL, &p), 0);
}

/* ---- shares --------------------------------------------------------------- */

OTEST(share_add_set_and_del_work_on_a_gridgrid)
{
	struct grid_limits big = big_share(), more = big_share();

	more.memory_bytes *= 2;
	EXPECT(gridgrid_add(N("gg"), 1), 0);
	EXPECT(share_add(N("gg"), &big), 0);
	EXPECT(share_set(N("gg"), &more), 0);
	EXPECT(share_del(N("gg")), 0);
	EXPECT(share_add(N("gg"), &big), 0);
}

OTEST(share_add_twice_is_eexist)
{
	struct grid_limits big = big_share();

	EXPECT(gridgrid_add(N("gg"), 1), 0);
	EXPECT(share_add(N("gg"), &big), 0);
	EXPECT(share_add(N("gg"), &big), EEXIST);
}

OTEST(a_share_of_an_unknown_gridgrid_is_enoent)
{
	struct grid_limits big = big_share();

	EXPECT(share_add(N("nowhere"), &big), ENOENT);
	EXPECT(share_set(N("nowhere"), &big), ENOENT);
	EXPECT(share_del(N("nowhere")), ENOENT);
}

OTEST(share_set_and_del_of_a_gridgrid_without_a_share_are_enoent)
{
	struct grid_limits big = big_share();

	EXPECT(gridgrid_add(N("gg"), 1), 0);
	EXPECT(share_set(N("gg"), &big), ENOENT);
	EXPECT(share_del(N("gg")), ENOENT);
}

OTEST(share_del_ignores_the_limits)
{
	struct grid_limits big = big_share();
	struct grid_ioc_share s;

	EXPECT(gridgrid_add(N("gg"), 1), 0);
	EXPECT(share_add(N("gg"), &big), 0);
	big.reserved = 1;
	big.cpu_period_us = 0;
	s = share_arg(N("gg"), &big);
	EXPECT(share_ioc(GRID_IOC_SHARE_DEL, &s), 0);
}

OTEST(a_cpu_period_outside_1000_to_1000000_is_einval)
{
	static const __u64 bad[] = { 0, 999, 1000001, GRID_LIMIT_MAX };
	static const __u64 good[] = { 1000, 1000000 };
	struct grid_limits l = big_share();
	struct grid_ioc_lease lease;
	struct world w;

	EXPECT(gridgrid_add(N("gg"), 1), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l.cpu_period_us = bad[i];
		EXPECT(share_add(N("gg"), &l), EINVAL);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		l.cpu_period_us = good[i];
		l.cpu_quota_us = 4 * good[i];
		EXPECT(share_add(N("gg"), &l), 0);
		EXPECT(share_del(N("gg")), 0);
	}
	EXPECT(world_up(&w, 0, NULL), 0);
	lease = lease_tmpl(&w, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lease.limits.cpu_period_us = bad[i];
		EXPECT(lease_add(&lease), EINVAL);
		w.share.cpu_period_us = bad[i];
		EXPECT(share_set(w.gg, &w.share), EINVAL);
	}
}

/* ---- the status counts ------------------------------------------------------ */

OTEST(status_counts_follow_every_kind_of_add_and_del)
{
	const char *ggs[1];
	struct grid_status s0, s1, s2, s3, s4, s5;
	struct grid_ioc_lease l;
	struct grid_ioc_peer p;
	char cg[CG_PATH_LEN];
	struct world w;
	__u64 cgid = 0;

	s0 = status_now();
	EXPECT(world_up(&w, 0, NULL), 0);
	s1 = status_now();
	CHECK(s1.grids == s0.grids + 1 && s1.gridgrids == s0.gridgrids + 1);
	CHECK(s1.peers == s0.peers && s1.leases == s0.leases);
	ggs[0] = w.gg;
	p = peer_arg(5, "p", 1, ggs);
	EXPECT(peer_ioc(GRID_IOC_PEER_ADD, &p), 0);
	s2 = status_now();
	CHECK(s2.peers == s1.peers + 1);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	s3 = status_now();
	CHECK(s3.leases == s2.leases + 1 && s3.sandboxes == s2.sandboxes);
	EXPECT(sandbox_new(l.id, cg, &cgid), 0);
	s4 = status_now();
	CHECK(s4.sandboxes == s3.sandboxes + 1 && s4.leases == s3.leases);
	/* An ended lease is still a lease ("in any state"). */
	EXPECT(lease_revoke(l.id), 0);
	s5 = status_now();
	CHECK(s5.leases == s4.leases && s5.sandboxes == s4.sandboxes);
	EXPECT(sandbox_unbind(cgid), 0);
	CHECK(status_now().sandboxes == s3.sandboxes);
	EXPECT(lease_del(l.id), 0);
	CHECK(status_now().leases == s2.leases);
	EXPECT(peer_ioc(GRID_IOC_PEER_DEL, &p), 0);
	CHECK(status_now().peers == s1.peers);
	EXPECT(share_del(w.gg), 0);
	EXPECT(gridgrid_del(w.gg), 0);
	EXPECT(grid_del(w.grid), 0);
	s5 = status_now();
	CHECK(same_objects(&s0, &s5));
}

__attribute__((constructor(101))) static void open_device(void)
{
	fd = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("grid_objects_test: " GRID_DEV_PATH);
		exit(1);
	}
}

/* ---- a grid-grid's cgroup -------------------------------------------------- */

static int share_cg(unsigned long cmd, const char *gg, const char *dir)
{
	struct grid_limits big = big_share();
	struct grid_ioc_share sh = share_arg(gg, &big);
	int e;

	sh.flags = GRID_SHARE_CGROUP;
	sh.cgroup_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sh.cgroup_fd < 0)
		return errno;
	e = share_ioc(cmd, &sh);
	close(sh.cgroup_fd);
	return e;
}

OTEST(a_share_cgroup_is_neither_the_root_nor_another_gridgrids)
{
	char a[CG_PATH_LEN], b[CG_PATH_LEN], in[CG_PATH_LEN];

	EXPECT(gridgrid_add(N("gg1"), 1), 0);
	EXPECT(gridgrid_add(N("gg2"), 2), 0);
	EXPECT(cgroup_make(a, NULL), 0);
	EXPECT(cgroup_make(b, NULL), 0);
	EXPECT(cgroup_make(in, a), 0);
	EXPECT(share_cg(GRID_IOC_SHARE_ADD, N("gg1"), "/sys/fs/cgroup"), EINVAL);
	EXPECT(share_cg(GRID_IOC_SHARE_ADD, N("gg1"), "/tmp"), EINVAL);
	EXPECT(share_cg(GRID_IOC_SHARE_ADD, N("gg1"), a), 0);
	/* The same, inside or around it: a sandbox would be in both. */
	EXPECT(share_cg(GRID_IOC_SHARE_ADD, N("gg2"), a), EBUSY);
	EXPECT(share_cg(GRID_IOC_SHARE_ADD, N("gg2"), in), EBUSY);
	EXPECT(share_cg(GRID_IOC_SHARE_ADD, N("gg2"), cg_top_dir()), EBUSY);
	EXPECT(share_cg(GRID_IOC_SHARE_ADD, N("gg2"), b), 0);
	EXPECT(share_cg(GRID_IOC_SHARE_SET, N("gg2"), a), EBUSY);
	/* Moved, gg1's old cgroup is free for gg2. */
	EXPECT(share_cg(GRID_IOC_SHARE_SET, N("gg1"), in), 0);
	EXPECT(share_cg(GRID_IOC_SHARE_SET, N("gg1"), a), 0);
}

OTEST(a_share_cgroup_deeper_than_gridgrid_level_max_is_einval)
{
	char path[256];
	int i;

	EXPECT(gridgrid_add(N("gg"), 1), 0);
	/* cg_top is level 1: levels 2.. below it. */
	snprintf(path, sizeof(path), "%s", cg_top_dir());
	for (i = 2; i <= GRID_GRIDGRID_LEVEL_MAX + 1; i++) {
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
			 "/%d", i);
		CHECK(mkdir(path, 0755) == 0);
		undo_path(U_CGROUP, path);
	}
	EXPECT(share_cg(GRID_IOC_SHARE_ADD, N("gg"), path), EINVAL);
	*strrchr(path, '/') = '\0';
	EXPECT(share_cg(GRID_IOC_SHARE_ADD, N("gg"), path), 0);
}

/*
 * A struct of the first published size has no cgroup_fd: the flag there
 * would name whatever the zero fill says, fd 0.
 */
OTEST(the_cgroup_flag_in_a_share_struct_without_cgroup_fd_is_einval)
{
	struct grid_limits big = big_share();
	struct grid_ioc_share sh = share_arg(N("gg"), &big);
	int dirfd;

	EXPECT(gridgrid_add(N("gg"), 1), 0);
	/* fd 0 a cgroup directory: what the kernel would otherwise take. */
	dirfd = open(cg_top_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dirfd >= 0);
	undo_id(U_FD, (__u64)dirfd);
	sh.size = GRID_IOC_SHARE_SIZE_VER0;
	sh.flags = GRID_SHARE_CGROUP;
	EXPECT(share_ioc(GRID_IOC_SHARE_ADD, &sh), EINVAL);
	CHECK(status_now().gridgrids == test_start.gridgrids + 1);
	sh.flags = 0;
	EXPECT(share_ioc(GRID_IOC_SHARE_ADD, &sh), 0);
}

OTEST(the_share_cgroup_does_not_move_while_sandboxes_are_bound)
{
	char cg[CG_PATH_LEN], other[CG_PATH_LEN];
	struct grid_ioc_lease l;
	struct world w;

	EXPECT(world_up(&w, 0, NULL), 0);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	EXPECT(sandbox_new(l.id, cg, NULL), 0);
	EXPECT(cgroup_make(other, cg_top_dir()), 0);
	EXPECT(share_cg(GRID_IOC_SHARE_SET, w.gg, other), EBUSY);
	/* Set again to the same: nothing moves. */
	EXPECT(share_cg(GRID_IOC_SHARE_SET, w.gg, w.cgroup), 0);
}

/* ---- -EDQUOT says what ran out ---------------------------------------------- */

OTEST(an_edquot_writes_back_the_resource_that_ran_out)
{
	struct grid_limits share = big_share(), small;
	struct grid_ioc_lease l, m;
	struct grid_ioc_share sh;
	struct world w;

	EXPECT(world_up(&w, 0, &share), 0);
	l = lease_tmpl(&w, 1);
	l.limits.memory_bytes = share.memory_bytes + 1;
	l.exhausted = 0;
	EXPECT(lease_add(&l), EDQUOT);
	CHECK(l.exhausted == GRID_LIMITS_A_MEMORY);
	l = lease_tmpl(&w, 1);
	l.limits.pids = share.pids + 1;
	EXPECT(lease_add(&l), EDQUOT);
	CHECK(l.exhausted == GRID_LIMITS_A_PIDS);
	l = lease_tmpl(&w, 1);
	EXPECT(lease_add(&l), 0);
	m = l;
	m.limits.net_egress_rate = share.net_egress_rate + 1;
	EXPECT(lease_bump(&m, 2), EDQUOT);
	CHECK(m.exhausted == GRID_LIMITS_A_NET_EGRESS_RATE);
	small = share;
	small.memory_bytes = l.limits.memory_bytes - 1;
	sh = share_arg(w.gg, &small);
	EXPECT(share_ioc(GRID_IOC_SHARE_SET, &sh), EDQUOT);
	CHECK(sh.exhausted == GRID_LIMITS_A_MEMORY);
	/* No share at all: 0, GRID_LIMITS_A_UNSPEC. */
	EXPECT(gridgrid_add(N("bare"), 9), 0);
	l = lease_tmpl(&w, 2);
	setname(l.gridgrid, N("bare"));
	l.exhausted = 77;
	EXPECT(lease_add(&l), EDQUOT);
	CHECK(l.exhausted == GRID_LIMITS_A_UNSPEC);
}
