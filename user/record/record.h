/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grid's signed records: what each one says, as a C struct, and the one
 * way it is written. RECORDS.md beside this file is the specification a
 * second implementation is written from; the key numbers here are its.
 *
 * A record's payload is a CBOR map with small unsigned keys in core
 * deterministic encoding. Keys 0..63 are critical: a reader that does not
 * know one refuses the record. Keys 64 and up are extensions: kept, signed
 * and re-encoded as they came, but given no meaning here. A record is
 * accepted only if writing the struct it decoded to gives back the same
 * payload bytes, so there is exactly one encoding of each record.
 */
#ifndef GRID_RECORD_H
#define GRID_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/grid.h>

#include "cose.h"
#include "keys.h"

#define GRID_RECORD_VERSION	1
#define GRID_ID_LEN		32	/* SHA-256 of the record's bytes */
#define GRID_NONCE_LEN		16
#define GRID_ADMINS_MAX		16
#define GRID_REASON_MAX		200	/* bytes of UTF-8 */
#define GRID_EXT_MAX		8
/* The first extension key; below it every key is critical. */
#define GRID_KEY_EXT_MIN	64

enum grid_record_type {
	GRID_REC_GRID = 1,	/* a grid announces its key and name */
	GRID_REC_AGENT,		/* a grid certifies one of its agents */
	GRID_REC_MEMBER_GRID,	/* a grid certifies a member grid */
	GRID_REC_CHARTER,	/* a grid-grid's key founds it */
	GRID_REC_INVITATION,	/* an admin invites a key */
	GRID_REC_MEMBERSHIP,	/* the invited grid accepts */
	GRID_REC_LEAVE,		/* a member leaves */
	GRID_REC_REVOCATION,	/* of a member (admin) or a lease (provider) */
	GRID_REC_SHARE,		/* a provider's share advertisement */
	GRID_REC_LEASE,		/* a provider's lease to a holder */
	GRID_REC_RECEIPT,	/* a provider's usage receipt for a lease */
	__GRID_REC_LAST,
};
#define GRID_REC_MAX (__GRID_REC_LAST - 1)

/* Payload keys. */
enum grid_record_key {
	GRID_K_TYPE = 1,
	GRID_K_VERSION,
	GRID_K_ISSUER,		/* the Ed25519 key that signed */
	GRID_K_ISSUED,		/* Unix seconds */
	GRID_K_NOT_BEFORE,
	GRID_K_NOT_AFTER,
	GRID_K_NAME,
	GRID_K_SUBJECT,		/* the key the record is about */
	GRID_K_GRIDGRID,	/* the grid-grid's charter key */
	GRID_K_ADMINS,
	GRID_K_POLICY,		/* GRID_POLICY_* bits */
	GRID_K_INVITE_MAX,	/* seconds an invitation may live */
	GRID_K_ADMIN,		/* 0 or 1 */
	GRID_K_NONCE,
	GRID_K_REF,		/* the id of the record this one follows */
	GRID_K_CLAIM,		/* one-time key's signature */
	GRID_K_REASON,
	GRID_K_LIMITS,
	GRID_K_LEASE_ID,
	GRID_K_SERIAL,
	GRID_K_USAGE,
	GRID_K_HOLDER_GRID,
	GRID_K_KIND,		/* of a revocation */
	__GRID_K_LAST,
};
#define GRID_K_MAX (__GRID_K_LAST - 1)

/* Charter policy bits. */
#define GRID_POLICY_MEMBERS_INVITE	0x1	/* any member may invite */
#define GRID_POLICY_ALL			0x1

enum grid_revocation_kind {
	GRID_REVOKE_MEMBER = 1,	/* subject: the member grid's key */
	GRID_REVOKE_LEASE = 2,	/* lease_id: every serial of it */
};

/* Keys of the usage map of a receipt. */
struct grid_rec_usage {
	uint64_t cpu_us;
	uint64_t memory_peak;
	uint64_t bytes_out;
	uint64_t bytes_in;
	uint64_t exit_status;	/* 0..255, or 128 + signal */
	uint64_t started;	/* Unix seconds */
	uint64_t ended;
};

/* An extension member, kept as its encoded value bytes. */
struct grid_ext {
	uint64_t key;
	const uint8_t *val;
	uint32_t len;
};

struct grid_record {
	uint64_t has;		/* bit k: key k is present */
	uint32_t type;
	uint32_t version;
	uint8_t issuer[GRID_PK_LEN];
	uint64_t issued;
	uint64_t not_before;
	uint64_t not_after;
	char name[GRID_NAME_LEN];
	uint8_t subject[GRID_PK_LEN];
	uint8_t gridgrid[GRID_PK_LEN];
	uint32_t n_admins;
	uint8_t admins[GRID_ADMINS_MAX][GRID_PK_LEN];
	uint64_t policy;
	uint64_t invite_max;
	uint64_t admin;
	uint8_t nonce[GRID_NONCE_LEN];
	uint8_t ref[GRID_ID_LEN];
	uint8_t claim[GRID_SIG_LEN];
	char reason[GRID_REASON_MAX + 1];
	struct grid_limits limits;	/* absent fields: GRID_LIMIT_MAX */
	uint64_t lease_id;
	uint64_t serial;
	struct grid_rec_usage usage;
	uint8_t holder_grid[GRID_PK_LEN];
	uint64_t kind;
	uint32_t n_ext;
	struct grid_ext ext[GRID_EXT_MAX];
};

#define GRID_HAS(k)	(1ULL << (k))

/* A record with its signed bytes and id, as stored and sent. */
struct grid_signed {
	size_t len;
	uint8_t bytes[GRID_RECORD_MAX];
	uint8_t id[GRID_ID_LEN];
	struct grid_record r;	/* ext[] points into bytes */
};

/* Why a record was refused: one sentence, made where it was found. */
struct grid_why {
	char msg[192];
};

/* "lease", "membership", ...; NULL for an unknown type. */
const char *grid_record_type_name(uint32_t type);
int grid_record_type_parse(const char *s, uint32_t *type);
/* "subject", "not_after", ...; NULL for an unknown key. */
const char *grid_record_key_name(uint32_t key);

/* A record of @type with its type, version and issuer set, @issued now. */
void grid_record_init(struct grid_record *r, uint32_t type,
		      const uint8_t issuer[GRID_PK_LEN], uint64_t issued);
/* Sets @k's bit; the setters below do it too. */
static inline void grid_record_set(struct grid_record *r, unsigned int k)
{
	r->has |= GRID_HAS(k);
}

/*
 * The payload of @r into @out. -EINVAL (with @why) if @r is not a record
 * its type allows (missing or extra fields, bad values), -EMSGSIZE if it
 * does not fit.
 */
int grid_record_encode(const struct grid_record *r, uint8_t *out, size_t cap,
		       size_t *len, struct grid_why *why);
/*
 * A payload into @r: -EBADMSG (with @why) for anything grid_record_encode()
 * would not have written. Extension values point into @p.
 */
int grid_record_decode(struct grid_record *r, const uint8_t *p, size_t n,
		       struct grid_why *why);

/* Encodes @r, signs it with @key (which must be r->issuer) into @s. */
int grid_record_sign(struct grid_signed *s, const struct grid_record *r,
		     const struct grid_key *key, struct grid_why *why);
/*
 * Reads a signed record: structure, payload, and the signature under the
 * record's own issuer key. That proves who signed, not that the signer may
 * say it: grid_chain_*() checks that. 0, or -EBADMSG / -EMSGSIZE with @why.
 */
int grid_record_open(struct grid_signed *s, const uint8_t *buf, size_t len,
		     struct grid_why *why);
/*
 * The same for a record this process verified before it kept it (a
 * store's own bytes, under the same protection as the keys): decoded and
 * checked against the schema, its signature not checked again.
 */
int grid_record_open_kept(struct grid_signed *s, const uint8_t *buf,
			  size_t len, struct grid_why *why);
/* SHA-256 of @len bytes: a record's id. */
void grid_record_id(uint8_t id[GRID_ID_LEN], const uint8_t *buf, size_t len);

/*
 * Whether @r is valid at @now (Unix seconds): 0, or -EKEYEXPIRED ("expired
 * 3h ago") or -EAGAIN ("not valid for another 10m") with @why.
 */
int grid_record_valid_at(const struct grid_record *r, uint64_t now,
			 struct grid_why *why);

/*
 * The limits map of records (key 18), for the local API too: written with
 * absent fields unlimited; read strictly, 0 or -EBADMSG with @why.
 */
struct cb_buf;
struct cb_doc;
void grid_limits_write(struct cb_buf *b, const struct grid_limits *l);
int grid_limits_read(const struct cb_doc *d, uint32_t i, struct grid_limits *l,
		    struct grid_why *why);
/* Limits with every field unlimited, the default CPU and budget periods. */
void grid_limits_none(struct grid_limits *l);

int grid_why_set(struct grid_why *why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
