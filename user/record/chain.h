/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may say what: checks over records whose signatures already verified
 * (grid_record_open()), offline, with no server. Each returns 0 or -errno
 * with a sentence in @why:
 *   -EPERM       the signer has no right to say it
 *   -EKEYEXPIRED / -EAGAIN   outside its validity
 *   -EBADMSG     the records do not fit together (wrong type, other grid-grid)
 */
#ifndef GRID_CHAIN_H
#define GRID_CHAIN_H

#include <stdint.h>

#include "record.h"
#include "token.h"

/* How many admin proofs a bundle may stack before the inviter's own. */
#define GRID_CHAIN_DEPTH_MAX	3

/* The signed statement of a one-time invitation key (claim, key 16). */
#define GRID_CLAIM_CONTEXT	"grid-claim-v1"

/*
 * An agent certificate of @grid_pk for @agent_pk, valid at @now.
 */
int grid_chain_agent(const struct grid_signed *cert,
		     const uint8_t grid_pk[GRID_PK_LEN],
		     const uint8_t agent_pk[GRID_PK_LEN], uint64_t now,
		     struct grid_why *why);

/*
 * Nested grids: certs[0] is signed by @root_pk, each next one by the
 * subject of the one before, and the last names @leaf_pk.
 */
int grid_chain_member_grid(const struct grid_signed *certs, uint32_t n,
			   const uint8_t root_pk[GRID_PK_LEN],
			   const uint8_t leaf_pk[GRID_PK_LEN], uint64_t now,
			   struct grid_why *why);

/*
 * The message a one-time invitation key signs to hand its invitation to
 * @member_pk: GRID_CLAIM_CONTEXT || invitation id || member key.
 */
void grid_claim_message(uint8_t out[13 + GRID_ID_LEN + GRID_PK_LEN],
			const uint8_t inv_id[GRID_ID_LEN],
			const uint8_t member_pk[GRID_PK_LEN]);

/*
 * An invitation bundle (charter, admin proofs, invitation), checked as its
 * invitee would before joining at @now: the charter is self-signed, the
 * inviter may invite (named in the charter, or an admin by a proof in the
 * bundle, or any member if the charter's policy says so), the invitation
 * is of that grid-grid and not expired. On success *@inv is the index of
 * the invitation.
 */
int grid_chain_invitation(const struct grid_bundle *b, uint64_t now,
			  uint32_t *inv, struct grid_why *why);

/*
 * A membership proof (the invitation bundle and the membership at its end):
 * everything grid_chain_invitation() checks, at the time the membership was
 * signed, and that the membership accepts that invitation as its invitee.
 * @charter_pk, if not NULL, must be the grid-grid's key.
 */
int grid_chain_membership(const struct grid_bundle *b,
			  const uint8_t *charter_pk, struct grid_why *why);

#endif
