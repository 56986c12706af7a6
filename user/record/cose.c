// SPDX-License-Identifier: GPL-2.0
/* COSE_Sign1 with Ed25519; see cose.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dcbor.h"
#include "cose.h"

/* {1: -8}, the protected header grid writes. */
static const uint8_t protected_eddsa[] = { 0xa1, 0x01, 0x27 };

/*
 * Sig_structure = ["Signature1", protected, external_aad = h'', payload]
 * (RFC 9052 section 4.4), written in deterministic CBOR into a buffer of
 * the caller's that the result is returned in.
 */
static long sig_structure(uint8_t **out, const uint8_t *prot, size_t prot_len,
			  const uint8_t *payload, size_t payload_len)
{
	size_t cap = payload_len + prot_len + 32;
	struct cb_buf b;
	long n;

	*out = malloc(cap);
	if (!*out)
		return -ENOMEM;
	cb_init(&b, *out, cap);
	cb_array(&b, 4);
	cb_text(&b, "Signature1", 10);
	cb_bytes(&b, prot, prot_len);
	cb_bytes(&b, NULL, 0);
	cb_bytes(&b, payload, payload_len);
	n = cb_end(&b);
	if (n < 0) {
		free(*out);
		*out = NULL;
	}
	return n;
}

int cose_sign1_make(uint8_t *out, size_t cap, size_t *len,
		    const uint8_t *payload, size_t payload_len,
		    const struct grid_key *key)
{
	uint8_t sig[GRID_SIG_LEN], *tbs;
	struct cb_buf b;
	long n;

	if (payload_len > GRID_PAYLOAD_MAX)
		return -EMSGSIZE;
	n = sig_structure(&tbs, protected_eddsa, sizeof(protected_eddsa),
			  payload, payload_len);
	if (n < 0)
		return n;
	grid_sign(sig, tbs, n, key);
	free(tbs);

	cb_init(&b, out, cap < GRID_RECORD_MAX ? cap : GRID_RECORD_MAX);
	cb_tag(&b, COSE_TAG_SIGN1);
	cb_array(&b, 4);
	cb_bytes(&b, protected_eddsa, sizeof(protected_eddsa));
	cb_map(&b, 0);
	cb_bytes(&b, payload, payload_len);
	cb_bytes(&b, sig, sizeof(sig));
	n = cb_end(&b);
	if (n < 0)
		return n;
	*len = n;
	return 0;
}

/* The protected header must be exactly {1: -8} or {1: -19}. */
static int read_protected(struct cose_sign1 *s)
{
	struct cb_doc *d;
	uint32_t v;
	int ret;

	d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	ret = cb_decode(d, s->protected_hdr, s->protected_len);
	if (ret) {
		ret = -EBADMSG;
		goto out;
	}
	ret = -EBADMSG;
	if (d->it[0].kind != CB_MAP || d->it[0].n != 1)
		goto out;
	v = cb_map_get(d, 0, COSE_HDR_ALG);
	if (!v || d->it[v].kind != CB_NINT)
		goto out;
	s->alg = -1 - (int64_t)d->it[v].v;
	if (s->alg == COSE_ALG_EDDSA || s->alg == COSE_ALG_ED25519)
		ret = 0;
out:
	free(d);
	return ret;
}

int cose_sign1_parse(struct cose_sign1 *s, const uint8_t *buf, size_t len)
{
	const struct cb_item *it;
	struct cb_doc *d;
	int ret;

	if (len > GRID_RECORD_MAX)
		return -EMSGSIZE;
	d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	ret = cb_decode(d, buf, len);
	if (ret) {
		if (ret != -EMSGSIZE && ret != -ENOMEM)
			ret = -EBADMSG;
		goto out;
	}
	ret = -EBADMSG;
	it = d->it;
	/* tag 18, array of 4: bstr, map, bstr, bstr */
	if (d->n < 6 || it[0].kind != CB_TAG || it[0].v != COSE_TAG_SIGN1 ||
	    it[1].kind != CB_ARRAY || it[1].n != 4)
		goto out;
	if (it[2].kind != CB_BYTES || it[3].kind != CB_MAP || it[3].n != 0 ||
	    it[4].kind != CB_BYTES || it[5].kind != CB_BYTES ||
	    it[5].n != GRID_SIG_LEN || d->n != 6)
		goto out;
	s->protected_hdr = it[2].p;
	s->protected_len = it[2].n;
	s->payload = it[4].p;
	s->payload_len = it[4].n;
	s->sig = it[5].p;
	ret = read_protected(s);
out:
	free(d);
	return ret;
}

int cose_sign1_verify(const struct cose_sign1 *s, const uint8_t pk[GRID_PK_LEN])
{
	uint8_t *tbs;
	long n;
	int ret;

	n = sig_structure(&tbs, s->protected_hdr, s->protected_len, s->payload,
			  s->payload_len);
	if (n < 0)
		return n;
	ret = grid_verify(s->sig, tbs, n, pk);
	free(tbs);
	return ret;
}
