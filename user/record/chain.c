// SPDX-License-Identifier: GPL-2.0
/*
 * Chains of records: who may say what. A bundle is read in order, so the
 * rights it proves grow as it goes and nothing can refer to a record after
 * it: [charter, (admin invitation, membership)..., invitation, membership?].
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "chain.h"
#include "units.h"

static const char *hexkey(char *buf, const uint8_t pk[GRID_PK_LEN])
{
	/* The first 16 hex digits name a key well enough in a sentence. */
	sodium_bin2hex(buf, 17, pk, 8);
	return buf;
}

int grid_chain_agent(const struct grid_signed *cert,
		     const uint8_t grid_pk[GRID_PK_LEN],
		     const uint8_t agent_pk[GRID_PK_LEN], uint64_t now,
		     struct grid_why *why)
{
	const struct grid_record *r = &cert->r;

	if (r->type != GRID_REC_AGENT)
		return grid_why_set(why, -EBADMSG,
				    "%s: not an agent certificate",
				    grid_record_type_name(r->type));
	if (sodium_memcmp(r->issuer, grid_pk, GRID_PK_LEN))
		return grid_why_set(why, -EPERM,
				    "agent '%s' is certified by another grid",
				    r->name);
	if (sodium_memcmp(r->subject, agent_pk, GRID_PK_LEN))
		return grid_why_set(why, -EPERM,
				    "the certificate of agent '%s' is for another key",
				    r->name);
	return grid_record_valid_at(r, now, why);
}

int grid_chain_member_grid(const struct grid_signed *certs, uint32_t n,
			   const uint8_t root_pk[GRID_PK_LEN],
			   const uint8_t leaf_pk[GRID_PK_LEN], uint64_t now,
			   struct grid_why *why)
{
	const uint8_t *signer = root_pk;
	uint32_t i;
	int ret;

	if (!n)
		return grid_why_set(why, -EPERM, "no member-grid certificate");
	for (i = 0; i < n; i++) {
		const struct grid_record *r = &certs[i].r;

		if (r->type != GRID_REC_MEMBER_GRID)
			return grid_why_set(why, -EBADMSG,
				"certificate %u is a %s, not a member-grid certificate",
				i + 1, grid_record_type_name(r->type));
		if (sodium_memcmp(r->issuer, signer, GRID_PK_LEN))
			return grid_why_set(why, -EPERM,
				"member grid '%s' is certified by a grid not in the chain",
				r->name);
		ret = grid_record_valid_at(r, now, why);
		if (ret)
			return ret;
		signer = r->subject;
	}
	if (sodium_memcmp(signer, leaf_pk, GRID_PK_LEN))
		return grid_why_set(why, -EPERM,
				    "the chain ends at another grid");
	return 0;
}

void grid_claim_message(uint8_t out[13 + GRID_ID_LEN + GRID_PK_LEN],
			const uint8_t inv_id[GRID_ID_LEN],
			const uint8_t member_pk[GRID_PK_LEN])
{
	memcpy(out, GRID_CLAIM_CONTEXT, 13);
	memcpy(out + 13, inv_id, GRID_ID_LEN);
	memcpy(out + 13 + GRID_ID_LEN, member_pk, GRID_PK_LEN);
}

/* The keys that may invite, and those that are members, so far. */
struct rights {
	const struct grid_record *charter;
	uint32_t n_admins, n_members;
	const uint8_t *admins[GRID_CHAIN_DEPTH_MAX + 1];
	const uint8_t *members[GRID_CHAIN_DEPTH_MAX + 1];
};

static bool in(const uint8_t *const *set, uint32_t n, const uint8_t *pk)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (!sodium_memcmp(set[i], pk, GRID_PK_LEN))
			return true;
	}
	return false;
}

/* The charter's key, its founder, its admins, and admins by proof. */
static bool is_admin(const struct rights *g, const uint8_t *pk)
{
	const struct grid_record *c = g->charter;
	uint32_t i;

	if (!sodium_memcmp(c->issuer, pk, GRID_PK_LEN) ||
	    !sodium_memcmp(c->subject, pk, GRID_PK_LEN))
		return true;
	for (i = 0; i < c->n_admins; i++) {
		if (!sodium_memcmp(c->admins[i], pk, GRID_PK_LEN))
			return true;
	}
	return in(g->admins, g->n_admins, pk);
}

static bool may_invite(const struct rights *g, const uint8_t *pk)
{
	return is_admin(g, pk) ||
	       ((g->charter->policy & GRID_POLICY_MEMBERS_INVITE) &&
		in(g->members, g->n_members, pk));
}

/* The invitation @inv as seen at @at (now, or when it was accepted). */
static int check_invitation(const struct rights *g, const struct grid_signed *inv,
			    uint64_t at, struct grid_why *why)
{
	const struct grid_record *r = &inv->r, *c = g->charter;
	char k[20];
	int ret;

	if (r->type != GRID_REC_INVITATION)
		return grid_why_set(why, -EBADMSG, "a %s where an invitation belongs",
				    grid_record_type_name(r->type));
	if (sodium_memcmp(r->gridgrid, c->issuer, GRID_PK_LEN))
		return grid_why_set(why, -EBADMSG,
				    "the invitation is for another grid-grid than '%s'",
				    c->name);
	if (strcmp(r->name, c->name))
		return grid_why_set(why, -EBADMSG,
				    "the invitation names grid-grid '%s', its charter '%s'",
				    r->name, c->name);
	if (!may_invite(g, r->issuer))
		return grid_why_set(why, -EPERM,
				    "the inviter %s is not an admin of %s",
				    hexkey(k, r->issuer), c->name);
	/* Members may invite members; only an admin makes an admin. */
	if (r->admin && !is_admin(g, r->issuer))
		return grid_why_set(why, -EPERM,
				    "the inviter %s is a member of %s, not an admin, and may not invite an admin",
				    hexkey(k, r->issuer), c->name);
	if (r->not_after < r->issued || r->not_after - r->issued > c->invite_max)
		return grid_why_set(why, -EPERM,
				    "the invitation lives longer than %s allows",
				    c->name);
	if (at < r->issued)
		return grid_why_set(why, -EBADMSG,
				    "the invitation was accepted before it was made");
	ret = grid_record_valid_at(r, at, why);
	if (ret == -EKEYEXPIRED) {
		char d[GRID_FMT_LEN];

		grid_format_duration(d, sizeof(d),
				     (at - r->not_after) * GRID_NSEC_PER_SEC);
		return grid_why_set(why, ret, "invitation expired %s ago", d);
	}
	return ret;
}

/* That @mem accepts @inv: signed by its invitee, or by a claim of it. */
static int check_acceptance(const struct rights *g, const struct grid_signed *inv,
			    const struct grid_signed *mem, struct grid_why *why)
{
	const struct grid_record *m = &mem->r, *i = &inv->r;
	uint8_t msg[13 + GRID_ID_LEN + GRID_PK_LEN];

	if (m->type != GRID_REC_MEMBERSHIP)
		return grid_why_set(why, -EBADMSG, "a %s where a membership belongs",
				    grid_record_type_name(m->type));
	if (sodium_memcmp(m->gridgrid, g->charter->issuer, GRID_PK_LEN) ||
	    sodium_memcmp(m->ref, inv->id, GRID_ID_LEN))
		return grid_why_set(why, -EBADMSG,
				    "the membership does not accept this invitation");
	if (m->admin != i->admin)
		return grid_why_set(why, -EPERM,
				    "the membership claims admin rights the invitation does not give");
	if (m->has & GRID_HAS(GRID_K_CLAIM)) {
		grid_claim_message(msg, inv->id, m->issuer);
		if (grid_verify(m->claim, msg, sizeof(msg), i->subject))
			return grid_why_set(why, -EPERM,
					    "the membership's claim of a one-time invitation does not verify");
		return 0;
	}
	if (sodium_memcmp(m->issuer, i->subject, GRID_PK_LEN))
		return grid_why_set(why, -EPERM,
				    "the invitation is for another grid");
	return 0;
}

/*
 * Walks @b up to its last invitation, at @last_at for that one (each
 * earlier invitation is checked at the time of the membership that
 * follows it). Returns the index of the last invitation in *@inv.
 */
static int walk(const struct grid_bundle *b, struct rights *g, bool with_mem,
		uint64_t last_at, uint32_t *inv, struct grid_why *why)
{
	uint32_t i, last, pairs;
	int ret;

	if (b->n < 2 || b->rec[0].r.type != GRID_REC_CHARTER)
		return grid_why_set(why, -EBADMSG,
				    "the bundle does not start with a charter");
	/* A charter is signed by the grid-grid's key: its issuer is the grid-grid. */
	g->charter = &b->rec[0].r;
	last = b->n - 1 - with_mem;
	if (last < 1 || (last - 1) % 2)
		return grid_why_set(why, -EBADMSG,
				    "the bundle is not charter, admin proofs, invitation%s",
				    with_mem ? ", membership" : "");
	pairs = (last - 1) / 2;
	if (pairs > GRID_CHAIN_DEPTH_MAX)
		return grid_why_set(why, -EBADMSG,
				    "more than %d admin proofs", GRID_CHAIN_DEPTH_MAX);
	for (i = 0; i < pairs; i++) {
		const struct grid_signed *pi = &b->rec[1 + 2 * i];
		const struct grid_signed *pm = &b->rec[2 + 2 * i];

		ret = check_invitation(g, pi, pm->r.issued, why);
		if (!ret)
			ret = check_acceptance(g, pi, pm, why);
		if (ret)
			return ret;
		g->members[g->n_members++] = pm->r.issuer;
		if (pm->r.admin)
			g->admins[g->n_admins++] = pm->r.issuer;
	}
	*inv = last;
	if (with_mem)
		last_at = b->rec[last + 1].r.issued;
	return check_invitation(g, &b->rec[last], last_at, why);
}

int grid_chain_invitation(const struct grid_bundle *b, uint64_t now,
			  uint32_t *inv, struct grid_why *why)
{
	struct rights g = { 0 };

	if (b->kind != GRID_BUNDLE_INVITATION)
		return grid_why_set(why, -EBADMSG, "not an invitation");
	return walk(b, &g, false, now, inv, why);
}

int grid_chain_membership(const struct grid_bundle *b,
			  const uint8_t *charter_pk, struct grid_why *why)
{
	struct rights g = { 0 };
	uint32_t inv;
	int ret;

	if (b->kind != GRID_BUNDLE_MEMBERSHIP)
		return grid_why_set(why, -EBADMSG, "not a membership proof");
	ret = walk(b, &g, true, 0, &inv, why);
	if (ret)
		return ret;
	if (charter_pk &&
	    sodium_memcmp(g.charter->issuer, charter_pk, GRID_PK_LEN))
		return grid_why_set(why, -EPERM,
				    "the proof is of another grid-grid");
	return check_acceptance(&g, &b->rec[inv], &b->rec[inv + 1], why);
}
