/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records as text, for copy and paste, a file or a QR code: a bundle of
 * signed records (and, for an invitation to whoever holds it, its one-time
 * seed) as one line "grid1:" followed by base64url without padding of
 *
 *   { 1: kind, 2: [ record bstr, ... ], ? 3: seed bstr(32) }
 *
 * in deterministic CBOR. The bundle itself is not signed: each record in
 * it is, and what a bundle proves is checked record by record (chain.h).
 */
#ifndef GRID_TOKEN_H
#define GRID_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define GRID_TOKEN_PREFIX	"grid1:"
#define GRID_BUNDLE_MAX		8	/* records in one bundle */
/* The longest token: the CBOR of a full bundle in base64 and the prefix. */
#define GRID_BUNDLE_BYTES_MAX	(GRID_BUNDLE_MAX * (GRID_RECORD_MAX + 3) + 64)
#define GRID_TOKEN_MAX		(6 + (GRID_BUNDLE_BYTES_MAX * 4 + 2) / 3 + 1)

enum grid_bundle_kind {
	GRID_BUNDLE_INVITATION = 1,	/* charter, admin proofs, invitation */
	GRID_BUNDLE_MEMBERSHIP = 2,	/* charter, admin proofs, invitation, membership */
	GRID_BUNDLE_LEASE = 3,		/* lease */
	GRID_BUNDLE_RECORDS = 4,	/* any records */
	__GRID_BUNDLE_LAST,
};

struct grid_bundle {
	uint32_t kind;
	uint32_t n;
	struct grid_signed rec[GRID_BUNDLE_MAX];
	bool has_seed;
	uint8_t seed[GRID_SEED_LEN];	/* wiped by grid_bundle_wipe() */
};

void grid_bundle_wipe(struct grid_bundle *b);

/* The CBOR of @b into @out (at least GRID_BUNDLE_BYTES_MAX). */
int grid_bundle_encode(const struct grid_bundle *b, uint8_t *out, size_t cap,
		       size_t *len);
/* Reads a bundle and opens every record in it (signatures checked). */
int grid_bundle_decode(struct grid_bundle *b, const uint8_t *p, size_t n,
		       struct grid_why *why);

/*
 * The key of the grid-grid whose charter opens the bundle @p, read with
 * no signature checked: only for choosing which bundles are worth
 * checking (a stranger's proofs of grid-grids this grid is not in cost
 * nothing). 0, or -EBADMSG if @p does not open with a charter.
 */
int grid_bundle_charter_key(const uint8_t *p, size_t n, uint8_t pk[GRID_PK_LEN]);

/* "grid1:..." into @out (at least GRID_TOKEN_MAX), NUL-terminated. */
int grid_token_write(const struct grid_bundle *b, char *out, size_t cap);
/* Leading and trailing white space is ignored. */
int grid_token_read(struct grid_bundle *b, const char *text,
		    struct grid_why *why);

#endif
