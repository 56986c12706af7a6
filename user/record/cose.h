/* SPDX-License-Identifier: GPL-2.0 */
/*
 * COSE_Sign1 (RFC 9052 section 4.2) with Ed25519, as grid writes it:
 *
 *   18([ h'A10127', {}, payload, signature ])
 *
 * The protected header is the map {1: alg}, alg -8 (EdDSA) when grid
 * signs; -19 (Ed25519, RFC 9864) is accepted too, and both mean the same
 * signature. The unprotected header is empty, and the external AAD of the
 * Sig_structure is empty, so any COSE library verifies these bytes with
 * nothing but the public key.
 */
#ifndef GRID_COSE_H
#define GRID_COSE_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define COSE_TAG_SIGN1		18
#define COSE_ALG_EDDSA		(-8)
#define COSE_ALG_ED25519	(-19)
#define COSE_HDR_ALG		1

/* The most a whole signed record may be, and its payload. */
#define GRID_RECORD_MAX		4096
#define GRID_PAYLOAD_MAX	(GRID_RECORD_MAX - 80)

struct cose_sign1 {
	int64_t alg;
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *sig;
	const uint8_t *protected_hdr;	/* the bstr's bytes */
	size_t protected_len;
};

/*
 * Signs @payload with @key: the COSE_Sign1 into @out, its length in @len.
 * -EMSGSIZE if it does not fit in @cap or GRID_RECORD_MAX.
 */
int cose_sign1_make(uint8_t *out, size_t cap, size_t *len,
		    const uint8_t *payload, size_t payload_len,
		    const struct grid_key *key);

/*
 * Reads the structure (not the signature) of @buf: 0, or -EBADMSG for
 * anything but the form above with a 64-byte signature. Pointers point
 * into @buf.
 */
int cose_sign1_parse(struct cose_sign1 *s, const uint8_t *buf, size_t len);

/* Checks the signature of @s with @pk: 0 or -EBADMSG. */
int cose_sign1_verify(const struct cose_sign1 *s, const uint8_t pk[GRID_PK_LEN]);

#endif
