// SPDX-License-Identifier: GPL-2.0
/*
 * Who may say what, offline: invitation bundles and membership proofs of
 * the grid-grid "clubhouse", agent certificates and nested member grids,
 * all built here from fixed seeds and signed properly, so that a refusal
 * is about the chain and never about a signature.
 */
#define UNIT_SUITE "unit/chain"
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include "unit.h"
#include "chain.h"
#include "record_samples.h"

#define T0 SAMPLE_T0
#define DAY 86400ULL

/* The samples' keys and a few more: bob, carol and dave, and mallory. */
enum { BOB = S_NKEYS, CAROL, DAVE, MALLORY, PI2, NKEYS };
static struct grid_key K[NKEYS];
static struct grid_why why;

static bool ready(void)
{
	static int done;
	uint8_t seed[GRID_SEED_LEN];
	int i;

	if (!done) {
		done = -1;
		for (i = 0; i < S_NKEYS; i++) {
			if (sample_key(i, &K[i]))
				return false;
		}
		for (; i < NKEYS; i++) {
			memset(seed, 0x70 + i, sizeof(seed));
			if (grid_key_from_seed(&K[i], seed))
				return false;
		}
		done = 1;
	}
	return done == 1;
}

static bool sign(struct grid_signed *s, const struct grid_record *r, int key)
{
	if (grid_record_sign(s, r, &K[key], &why)) {
		printf("  cannot sign: %s\n", why.msg);
		return false;
	}
	return true;
}

/* The charter of clubhouse, founded by home, with @n admins @admins. */
static bool charter(struct grid_signed *s, uint64_t policy, const int *admins,
		    int n)
{
	struct grid_record r;
	int i, j;

	grid_record_init(&r, GRID_REC_CHARTER, K[S_CLUB].pk, T0);
	strcpy(r.name, "clubhouse");
	memcpy(r.subject, K[S_HOME].pk, GRID_PK_LEN);
	for (i = 0; i < n; i++) {
		/* In increasing order, as the schema wants. */
		for (j = r.n_admins; j && memcmp(r.admins[j - 1], K[admins[i]].pk, 32) > 0; j--)
			memcpy(r.admins[j], r.admins[j - 1], 32);
		memcpy(r.admins[j], K[admins[i]].pk, 32);
		r.n_admins++;
	}
	r.policy = policy;
	r.invite_max = 7 * DAY;
	r.serial = 1;
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT) |
		 GRID_HAS(GRID_K_ADMINS) | GRID_HAS(GRID_K_POLICY) |
		 GRID_HAS(GRID_K_INVITE_MAX) | GRID_HAS(GRID_K_SERIAL);
	return sign(s, &r, S_CLUB);
}

/* What an invitation may differ in. */
struct inv {
	int by;			/* the inviter's key */
	const uint8_t *to;	/* the invited key */
	uint64_t admin;
	uint64_t issued, ttl, not_before;
	int gridgrid;		/* S_CLUB unless set */
	const char *name;	/* "clubhouse" unless set */
};

static bool invitation(struct grid_signed *s, struct inv i)
{
	struct grid_record r;

	grid_record_init(&r, GRID_REC_INVITATION, K[i.by].pk, i.issued ?: T0);
	strcpy(r.name, i.name ?: "clubhouse");
	memcpy(r.subject, i.to, GRID_PK_LEN);
	memcpy(r.gridgrid, K[i.gridgrid ?: S_CLUB].pk, GRID_PK_LEN);
	r.not_after = r.issued + (i.ttl ?: DAY);
	if (i.not_before) {
		r.not_before = i.not_before;
		r.has |= GRID_HAS(GRID_K_NOT_BEFORE);
	}
	r.admin = i.admin;
	memset(r.nonce, 0x5a, GRID_NONCE_LEN);
	r.nonce[0] = i.by;
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT) |
		 GRID_HAS(GRID_K_GRIDGRID) | GRID_HAS(GRID_K_NOT_AFTER) |
		 GRID_HAS(GRID_K_ADMIN) | GRID_HAS(GRID_K_NONCE);
	return sign(s, &r, i.by);
}

/* What a membership may differ in. */
struct mem {
	int by;			/* the member */
	const struct grid_signed *inv;
	uint64_t admin;
	uint64_t issued;	/* T0 + 60 unless set */
	int gridgrid;
	const uint8_t *claim;	/* a one-time key's signature */
};

static bool membership(struct grid_signed *s, struct mem m)
{
	struct grid_record r;

	grid_record_init(&r, GRID_REC_MEMBERSHIP, K[m.by].pk, m.issued ?: T0 + 60);
	strcpy(r.name, "member");
	memcpy(r.gridgrid, K[m.gridgrid ?: S_CLUB].pk, GRID_PK_LEN);
	memcpy(r.ref, m.inv->id, GRID_ID_LEN);
	r.admin = m.admin;
	if (m.claim) {
		memcpy(r.claim, m.claim, GRID_SIG_LEN);
		r.has |= GRID_HAS(GRID_K_CLAIM);
	}
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_GRIDGRID) |
		 GRID_HAS(GRID_K_REF) | GRID_HAS(GRID_K_ADMIN);
	return sign(s, &r, m.by);
}

static struct grid_bundle B;

/* B as @kind of the @n records given. */
static struct grid_bundle *bundle(uint32_t kind, int n, ...)
{
	va_list ap;
	int i;

	memset(&B, 0, sizeof(B));
	B.kind = kind;
	B.n = n;
	va_start(ap, n);
	for (i = 0; i < n; i++)
		B.rec[i] = *va_arg(ap, const struct grid_signed *);
	va_end(ap);
	return &B;
}

#define INV(...) bundle(GRID_BUNDLE_INVITATION, __VA_ARGS__)
#define MEM(...) bundle(GRID_BUNDLE_MEMBERSHIP, __VA_ARGS__)

static bool says(const char *what)
{
	if (strstr(why.msg, what))
		return true;
	printf("  why: \"%s\", not \"%s\"\n", why.msg, what);
	return false;
}

static struct grid_signed ch, ch_admins, ch_open, inv, inv2, mem, pinv, pmem;

/* ---- invitations ------------------------------------------------------------ */

TEST(an_invitation_by_the_founder_is_accepted_inside_its_window)
{
	uint32_t at = 99;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0, &at, &why) == 0);
	CHECK(at == 1);
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + 60, &at, &why) == 0);
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + DAY - 1, &at, &why) == 0);
}

TEST(an_invitation_after_its_expiry_is_refused_and_says_how_long_ago)
{
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + DAY, &at, &why) == -EKEYEXPIRED);
	CHECK(says("invitation expired 0s ago"));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + DAY + 3600, &at, &why) == -EKEYEXPIRED);
	CHECK(!strcmp(why.msg, "invitation expired 1h ago"));
}

TEST(an_invitation_before_its_not_before_is_not_valid_yet)
{
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk,
					     .not_before = T0 + 3600 }));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + 60, &at, &why) == -EAGAIN);
	CHECK(says("not valid for another"));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + 3600, &at, &why) == 0);
}

TEST(an_invitation_checked_before_it_was_issued_is_refused)
{
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 - 1, &at, &why) == -EBADMSG);
}

TEST(an_invitation_by_the_charter_key_or_a_charter_admin_is_accepted)
{
	static const int admins[] = { BOB, CAROL };
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch_admins, 0, admins, 2));
	CHECK(invitation(&inv, (struct inv){ .by = S_CLUB, .to = K[S_FRIEND].pk }));
	CHECK(grid_chain_invitation(INV(2, &ch_admins, &inv), T0 + 1, &at, &why) == 0);
	CHECK(invitation(&inv, (struct inv){ .by = BOB, .to = K[S_FRIEND].pk }));
	CHECK(grid_chain_invitation(INV(2, &ch_admins, &inv), T0 + 1, &at, &why) == 0);
	CHECK(invitation(&inv, (struct inv){ .by = CAROL, .to = K[S_FRIEND].pk, .admin = 1 }));
	CHECK(grid_chain_invitation(INV(2, &ch_admins, &inv), T0 + 1, &at, &why) == 0);
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(grid_chain_invitation(INV(2, &ch_admins, &inv), T0 + 1, &at, &why) == 0);
}

TEST(an_invitation_by_anyone_else_is_refused)
{
	static const int admins[] = { BOB };
	static const int outsiders[] = { MALLORY, S_FRIEND, S_PI, S_ALICE, CAROL };
	uint32_t at;
	size_t i;

	CHECK(ready());
	CHECK(charter(&ch_admins, 0, admins, 1));
	for (i = 0; i < sizeof(outsiders) / sizeof(outsiders[0]); i++) {
		CHECK(invitation(&inv, (struct inv){ .by = outsiders[i], .to = K[DAVE].pk }));
		CHECK(grid_chain_invitation(INV(2, &ch_admins, &inv), T0 + 1, &at, &why) == -EPERM);
		CHECK(says("is not an admin of clubhouse"));
	}
	/* Even with the members-invite policy, an outsider is no member. */
	CHECK(charter(&ch_open, GRID_POLICY_MEMBERS_INVITE, admins, 1));
	CHECK(invitation(&inv, (struct inv){ .by = MALLORY, .to = K[DAVE].pk }));
	CHECK(grid_chain_invitation(INV(2, &ch_open, &inv), T0 + 1, &at, &why) == -EPERM);
}

TEST(an_invitation_living_longer_than_the_charter_allows_is_refused)
{
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk,
					     .ttl = 7 * DAY }));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + 1, &at, &why) == 0);
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk,
					     .ttl = 7 * DAY + 1 }));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + 1, &at, &why) == -EPERM);
	CHECK(says("lives longer than clubhouse allows"));
}

TEST(an_invitation_to_another_grid_grid_or_name_is_refused)
{
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk,
					     .gridgrid = MALLORY }));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + 1, &at, &why) == -EBADMSG);
	CHECK(says("another grid-grid"));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk,
					     .name = "pub" }));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + 1, &at, &why) == -EBADMSG);
}

TEST(bundles_of_the_wrong_shape_are_refused)
{
	struct grid_signed agent;
	struct grid_record r;
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv }));
	CHECK(grid_chain_invitation(INV(1, &ch), T0 + 1, &at, &why) == -EBADMSG);
	CHECK(grid_chain_invitation(INV(2, &inv, &ch), T0 + 1, &at, &why) == -EBADMSG);
	CHECK(says("does not start with a charter"));
	CHECK(grid_chain_invitation(INV(3, &ch, &inv, &inv), T0 + 1, &at, &why) == -EBADMSG);
	CHECK(grid_chain_invitation(INV(2, &ch, &mem), T0 + 1, &at, &why) == -EBADMSG);
	CHECK(says("a membership where an invitation belongs"));
	CHECK(grid_chain_invitation(MEM(3, &ch, &inv, &mem), T0 + 1, &at, &why) == -EBADMSG);
	CHECK(says("not an invitation"));
	CHECK(grid_chain_membership(INV(2, &ch, &inv), NULL, &why) == -EBADMSG);
	CHECK(grid_chain_membership(MEM(2, &ch, &inv), NULL, &why) == -EBADMSG);
	CHECK(grid_chain_membership(MEM(4, &ch, &inv, &mem, &mem), NULL, &why) == -EBADMSG);
	/* Something else in the charter's place. */
	grid_record_init(&r, GRID_REC_AGENT, K[S_CLUB].pk, T0);
	strcpy(r.name, "clubhouse");
	memcpy(r.subject, K[S_HOME].pk, 32);
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT);
	CHECK(sign(&agent, &r, S_CLUB));
	CHECK(grid_chain_invitation(INV(2, &agent, &inv), T0 + 1, &at, &why) == -EBADMSG);
}

/* ---- admins by proof -------------------------------------------------------- */

TEST(an_invitation_by_an_admin_by_proof_is_accepted)
{
	uint32_t at = 0;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	/* home makes bob an admin, bob joins, bob invites friend. */
	CHECK(invitation(&pinv, (struct inv){ .by = S_HOME, .to = K[BOB].pk, .admin = 1 }));
	CHECK(membership(&pmem, (struct mem){ .by = BOB, .inv = &pinv, .admin = 1 }));
	CHECK(invitation(&inv, (struct inv){ .by = BOB, .to = K[S_FRIEND].pk,
					     .issued = T0 + 120 }));
	CHECK(grid_chain_invitation(INV(4, &ch, &pinv, &pmem, &inv), T0 + 200, &at, &why) == 0);
	CHECK(at == 3);
	/* Without the proof bob is nobody. */
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + 200, &at, &why) == -EPERM);
}

TEST(a_proof_of_plain_membership_does_not_make_an_inviter)
{
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&pinv, (struct inv){ .by = S_HOME, .to = K[BOB].pk }));
	CHECK(membership(&pmem, (struct mem){ .by = BOB, .inv = &pinv }));
	CHECK(invitation(&inv, (struct inv){ .by = BOB, .to = K[S_FRIEND].pk,
					     .issued = T0 + 120 }));
	CHECK(grid_chain_invitation(INV(4, &ch, &pinv, &pmem, &inv), T0 + 200, &at, &why) == -EPERM);
	CHECK(says("is not an admin"));
	/* Unless the charter lets any member invite. */
	CHECK(charter(&ch_open, GRID_POLICY_MEMBERS_INVITE, NULL, 0));
	CHECK(grid_chain_invitation(INV(4, &ch_open, &pinv, &pmem, &inv), T0 + 200, &at, &why) == 0);
}

TEST(a_member_without_admin_rights_may_not_invite_an_admin)
{
	/*
	 * With members-invite, a member may invite; but an invitation with
	 * admin set, accepted, makes its invitee an admin: a plain member
	 * could make itself (another key of its own) an admin that way.
	 */
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch_open, GRID_POLICY_MEMBERS_INVITE, NULL, 0));
	CHECK(invitation(&pinv, (struct inv){ .by = S_HOME, .to = K[BOB].pk }));
	CHECK(membership(&pmem, (struct mem){ .by = BOB, .inv = &pinv }));
	CHECK(invitation(&inv, (struct inv){ .by = BOB, .to = K[MALLORY].pk,
					     .admin = 1, .issued = T0 + 120 }));
	CHECK(grid_chain_invitation(INV(4, &ch_open, &pinv, &pmem, &inv), T0 + 200, &at, &why) == -EPERM);
}

TEST(a_proof_whose_membership_claims_more_than_its_invitation_is_refused)
{
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&pinv, (struct inv){ .by = S_HOME, .to = K[BOB].pk }));
	CHECK(membership(&pmem, (struct mem){ .by = BOB, .inv = &pinv, .admin = 1 }));
	CHECK(invitation(&inv, (struct inv){ .by = BOB, .to = K[S_FRIEND].pk,
					     .issued = T0 + 120 }));
	CHECK(grid_chain_invitation(INV(4, &ch, &pinv, &pmem, &inv), T0 + 200, &at, &why) == -EPERM);
	CHECK(says("admin rights the invitation does not give"));
}

TEST(a_proof_accepted_after_its_invitation_expired_is_refused)
{
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&pinv, (struct inv){ .by = S_HOME, .to = K[BOB].pk, .admin = 1 }));
	CHECK(membership(&pmem, (struct mem){ .by = BOB, .inv = &pinv, .admin = 1,
					      .issued = T0 + DAY }));
	CHECK(invitation(&inv, (struct inv){ .by = BOB, .to = K[S_FRIEND].pk,
					     .issued = T0 + DAY + 60 }));
	CHECK(grid_chain_invitation(INV(4, &ch, &pinv, &pmem, &inv), T0 + DAY + 100,
				    &at, &why) == -EKEYEXPIRED);
	CHECK(says("invitation expired"));
}

TEST(a_proof_for_another_key_than_its_member_is_refused)
{
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	/* mallory shows bob's admin invitation with a membership of its own. */
	CHECK(invitation(&pinv, (struct inv){ .by = S_HOME, .to = K[BOB].pk, .admin = 1 }));
	CHECK(membership(&pmem, (struct mem){ .by = MALLORY, .inv = &pinv, .admin = 1 }));
	CHECK(invitation(&inv, (struct inv){ .by = MALLORY, .to = K[S_FRIEND].pk,
					     .issued = T0 + 120 }));
	CHECK(grid_chain_invitation(INV(4, &ch, &pinv, &pmem, &inv), T0 + 200, &at, &why) == -EPERM);
	CHECK(says("the invitation is for another grid"));
}

TEST(three_admin_proofs_in_a_row_are_accepted)
{
	static struct grid_signed i1, m1, i2, m2, i3, m3, last;
	uint32_t at = 0;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&i1, (struct inv){ .by = S_HOME, .to = K[BOB].pk, .admin = 1 }));
	CHECK(membership(&m1, (struct mem){ .by = BOB, .inv = &i1, .admin = 1 }));
	CHECK(invitation(&i2, (struct inv){ .by = BOB, .to = K[CAROL].pk, .admin = 1,
					    .issued = T0 + 100 }));
	CHECK(membership(&m2, (struct mem){ .by = CAROL, .inv = &i2, .admin = 1,
					    .issued = T0 + 160 }));
	CHECK(invitation(&i3, (struct inv){ .by = CAROL, .to = K[DAVE].pk, .admin = 1,
					    .issued = T0 + 200 }));
	CHECK(membership(&m3, (struct mem){ .by = DAVE, .inv = &i3, .admin = 1,
					    .issued = T0 + 260 }));
	CHECK(invitation(&last, (struct inv){ .by = DAVE, .to = K[S_FRIEND].pk,
					      .issued = T0 + 300 }));
	CHECK(grid_chain_invitation(INV(8, &ch, &i1, &m1, &i2, &m2, &i3, &m3, &last),
				    T0 + 400, &at, &why) == 0);
	CHECK(at == 7);
	/* A link taken out breaks the chain. */
	CHECK(grid_chain_invitation(INV(6, &ch, &i1, &m1, &i3, &m3, &last),
				    T0 + 400, &at, &why) == -EPERM);
}

/* ---- membership proofs ------------------------------------------------------ */

TEST(a_membership_proof_is_accepted)
{
	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == 0);
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), K[S_CLUB].pk, &why) == 0);
}

TEST(the_samples_are_a_membership_proof)
{
	static struct grid_signed s[GRID_REC_MAX + 1];
	uint32_t at;

	CHECK(ready());
	CHECK(sample_records(s) == 0);
	CHECK(grid_chain_invitation(INV(2, &s[GRID_REC_CHARTER], &s[GRID_REC_INVITATION]),
				    T0 + 60, &at, &why) == 0);
	CHECK(grid_chain_membership(MEM(3, &s[GRID_REC_CHARTER], &s[GRID_REC_INVITATION],
					&s[GRID_REC_MEMBERSHIP]), K[S_CLUB].pk, &why) == 0);
}

TEST(a_membership_proof_of_another_grid_grid_is_refused)
{
	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), K[S_HOME].pk, &why) == -EPERM);
	CHECK(says("the proof is of another grid-grid"));
}

TEST(a_membership_signed_by_another_grid_than_the_invitee_is_refused)
{
	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(membership(&mem, (struct mem){ .by = MALLORY, .inv = &inv }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EPERM);
	CHECK(says("the invitation is for another grid"));
	/* Nor by the inviter on its invitee's behalf. */
	CHECK(membership(&mem, (struct mem){ .by = S_HOME, .inv = &inv }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EPERM);
}

TEST(a_membership_whose_admin_flag_differs_from_the_invitation_is_refused)
{
	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv, .admin = 1 }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EPERM);
	CHECK(says("admin rights the invitation does not give"));
	/* Nor less than it gives: the flag is the invitation's. */
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk, .admin = 1 }));
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EPERM);
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv, .admin = 1 }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == 0);
}

TEST(a_membership_referring_to_another_invitation_is_refused)
{
	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(invitation(&inv2, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk,
					      .issued = T0 + 1 }));
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv2 }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EBADMSG);
	CHECK(says("does not accept this invitation"));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv2, &mem), NULL, &why) == 0);
}

TEST(a_membership_of_another_grid_grid_than_its_invitation_is_refused)
{
	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv,
					     .gridgrid = MALLORY }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EBADMSG);
}

TEST(a_membership_signed_after_the_invitation_expired_is_refused)
{
	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk }));
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv,
					     .issued = T0 + DAY - 1 }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == 0);
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv,
					     .issued = T0 + DAY }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EKEYEXPIRED);
	CHECK(says("invitation expired 0s ago"));
	/* Or before it was made. */
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_FRIEND].pk,
					     .issued = T0 + 100 }));
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EBADMSG);
}

TEST(a_membership_proof_with_an_admin_proof_is_accepted)
{
	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&pinv, (struct inv){ .by = S_HOME, .to = K[BOB].pk, .admin = 1 }));
	CHECK(membership(&pmem, (struct mem){ .by = BOB, .inv = &pinv, .admin = 1 }));
	CHECK(invitation(&inv, (struct inv){ .by = BOB, .to = K[S_FRIEND].pk,
					     .issued = T0 + 120 }));
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv,
					     .issued = T0 + 180 }));
	CHECK(grid_chain_membership(MEM(5, &ch, &pinv, &pmem, &inv, &mem), K[S_CLUB].pk, &why) == 0);
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), K[S_CLUB].pk, &why) == -EPERM);
}

/* ---- one-time invitations --------------------------------------------------- */

/* The claim of invitation @i by @member, signed by @key. */
static void claim(uint8_t sig[GRID_SIG_LEN], const struct grid_signed *i,
		  int member, int key)
{
	uint8_t msg[13 + GRID_ID_LEN + GRID_PK_LEN];

	grid_claim_message(msg, i->id, K[member].pk);
	grid_sign(sig, msg, sizeof(msg), &K[key]);
}

TEST(the_claim_message_is_the_context_the_invitation_id_and_the_member_key)
{
	uint8_t msg[13 + GRID_ID_LEN + GRID_PK_LEN], id[GRID_ID_LEN];

	CHECK(ready());
	memset(id, 0xee, sizeof(id));
	grid_claim_message(msg, id, K[S_FRIEND].pk);
	CHECK(sizeof(msg) == 77 && strlen(GRID_CLAIM_CONTEXT) == 13);
	CHECK(!memcmp(msg, "grid-claim-v1", 13));
	CHECK(!memcmp(msg + 13, id, 32));
	CHECK(!memcmp(msg + 45, K[S_FRIEND].pk, 32));
}

TEST(a_one_time_invitation_claimed_by_its_holder_is_accepted)
{
	uint8_t sig[GRID_SIG_LEN];
	uint32_t at;

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_ONCE].pk }));
	CHECK(grid_chain_invitation(INV(2, &ch, &inv), T0 + 60, &at, &why) == 0);
	claim(sig, &inv, S_FRIEND, S_ONCE);
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv, .claim = sig }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), K[S_CLUB].pk, &why) == 0);
}

TEST(a_one_time_invitation_with_a_bad_claim_is_refused)
{
	uint8_t sig[GRID_SIG_LEN];

	CHECK(ready());
	CHECK(charter(&ch, 0, NULL, 0));
	CHECK(invitation(&inv, (struct inv){ .by = S_HOME, .to = K[S_ONCE].pk }));
	CHECK(invitation(&inv2, (struct inv){ .by = S_HOME, .to = K[S_ONCE].pk,
					      .issued = T0 + 1 }));
	/* Signed by another key than the one-time key. */
	claim(sig, &inv, S_FRIEND, S_FRIEND);
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv, .claim = sig }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EPERM);
	CHECK(says("claim of a one-time invitation does not verify"));
	/* For another member: mallory cannot use friend's claim. */
	claim(sig, &inv, S_FRIEND, S_ONCE);
	CHECK(membership(&mem, (struct mem){ .by = MALLORY, .inv = &inv, .claim = sig }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EPERM);
	/* Of another invitation of the same key. */
	claim(sig, &inv2, S_FRIEND, S_ONCE);
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv, .claim = sig }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EPERM);
	/* With one bit of the claim flipped. */
	claim(sig, &inv, S_FRIEND, S_ONCE);
	sig[10] ^= 0x04;
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv, .claim = sig }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EPERM);
	/* Without a claim at all, friend is not the invited key. */
	CHECK(membership(&mem, (struct mem){ .by = S_FRIEND, .inv = &inv }));
	CHECK(grid_chain_membership(MEM(3, &ch, &inv, &mem), NULL, &why) == -EPERM);
}

/* ---- agents and member grids ------------------------------------------------ */

static struct grid_signed S[GRID_REC_MAX + 1];

TEST(an_agent_certificate_is_accepted_for_its_grid_and_agent)
{
	CHECK(ready());
	CHECK(sample_records(S) == 0);
	CHECK(grid_chain_agent(&S[GRID_REC_AGENT], K[S_HOME].pk, K[S_ALICE].pk,
			       T0 + 1, &why) == 0);
	CHECK(grid_chain_agent(&S[GRID_REC_AGENT], K[S_HOME].pk, K[S_ALICE].pk,
			       T0 + 365 * DAY - 1, &why) == 0);
}

TEST(a_broken_agent_certificate_is_refused)
{
	CHECK(ready());
	CHECK(sample_records(S) == 0);
	CHECK(grid_chain_agent(&S[GRID_REC_AGENT], K[S_PI].pk, K[S_ALICE].pk,
			       T0 + 1, &why) == -EPERM);
	CHECK(says("agent 'alice' is certified by another grid"));
	CHECK(grid_chain_agent(&S[GRID_REC_AGENT], K[S_HOME].pk, K[MALLORY].pk,
			       T0 + 1, &why) == -EPERM);
	CHECK(says("is for another key"));
	CHECK(grid_chain_agent(&S[GRID_REC_AGENT], K[S_HOME].pk, K[S_ALICE].pk,
			       T0 + 365 * DAY, &why) == -EKEYEXPIRED);
	CHECK(says("agent expired 0s ago"));
	CHECK(grid_chain_agent(&S[GRID_REC_MEMBER_GRID], K[S_HOME].pk, K[S_PI].pk,
			       T0 + 1, &why) == -EBADMSG);
	CHECK(says("not an agent certificate"));
}

/* A member-grid certificate by @by for @of, valid until @not_after or ever. */
static bool member_grid(struct grid_signed *s, int by, int of, uint64_t not_after)
{
	struct grid_record r;

	grid_record_init(&r, GRID_REC_MEMBER_GRID, K[by].pk, T0);
	strcpy(r.name, "pi");
	memcpy(r.subject, K[of].pk, GRID_PK_LEN);
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT);
	if (not_after) {
		r.not_after = not_after;
		r.has |= GRID_HAS(GRID_K_NOT_AFTER);
	}
	return sign(s, &r, by);
}

TEST(a_chain_of_member_grids_is_accepted_from_root_to_leaf)
{
	static struct grid_signed c[3];

	CHECK(ready());
	CHECK(member_grid(&c[0], S_HOME, S_PI, 0));
	CHECK(member_grid(&c[1], S_PI, PI2, T0 + DAY));
	CHECK(member_grid(&c[2], PI2, DAVE, 0));
	CHECK(grid_chain_member_grid(c, 1, K[S_HOME].pk, K[S_PI].pk, T0, &why) == 0);
	CHECK(grid_chain_member_grid(c, 2, K[S_HOME].pk, K[PI2].pk, T0, &why) == 0);
	CHECK(grid_chain_member_grid(c, 3, K[S_HOME].pk, K[DAVE].pk, T0, &why) == 0);
	CHECK(grid_chain_member_grid(c + 1, 2, K[S_PI].pk, K[DAVE].pk, T0, &why) == 0);
	CHECK(sample_records(S) == 0);
	CHECK(grid_chain_member_grid(&S[GRID_REC_MEMBER_GRID], 1, K[S_HOME].pk,
				     K[S_PI].pk, UINT64_MAX, &why) == 0);
}

TEST(a_broken_chain_of_member_grids_is_refused)
{
	static struct grid_signed c[3];

	CHECK(ready());
	CHECK(member_grid(&c[0], S_HOME, S_PI, 0));
	CHECK(member_grid(&c[1], S_HOME, PI2, 0));	/* not by pi */
	CHECK(member_grid(&c[2], PI2, DAVE, T0 + DAY));
	CHECK(grid_chain_member_grid(c, 2, K[S_HOME].pk, K[PI2].pk, T0, &why) == -EPERM);
	CHECK(says("certified by a grid not in the chain"));
	CHECK(grid_chain_member_grid(c, 1, K[S_PI].pk, K[S_PI].pk, T0, &why) == -EPERM);
	CHECK(grid_chain_member_grid(c, 1, K[S_HOME].pk, K[PI2].pk, T0, &why) == -EPERM);
	CHECK(says("the chain ends at another grid"));
	CHECK(grid_chain_member_grid(c, 0, K[S_HOME].pk, K[S_HOME].pk, T0, &why) == -EPERM);
	/* Expired on the way. */
	CHECK(grid_chain_member_grid(c + 1, 2, K[S_HOME].pk, K[DAVE].pk, T0 + DAY, &why) == -EKEYEXPIRED);
	CHECK(grid_chain_member_grid(c + 1, 2, K[S_HOME].pk, K[DAVE].pk, T0, &why) == 0);
	/* Something else in the chain. */
	CHECK(sample_records(S) == 0);
	CHECK(grid_chain_member_grid(&S[GRID_REC_AGENT], 1, K[S_HOME].pk,
				     K[S_ALICE].pk, T0, &why) == -EBADMSG);
}
