// SPDX-License-Identifier: GPL-2.0
/*
 * record-corpus DIR: writes the seed corpus of tests/fuzz/record_fuzz.c
 * into DIR (which must exist), one file per input:
 *
 *   TYPE.cose         the sample of every record type (record_samples.h)
 *   TYPE.payload      its payload alone
 *   *.payload         a few payloads the samples do not have (admins,
 *                     extensions, a member revocation, a claim)
 *   bundle-*.cbor     bundles as grid_bundle_encode() writes them
 *   token-*.txt       tokens without "grid1:" (the fuzzer adds it)
 *   cbor-*            small CBOR edge cases, accepted and refused
 *
 * The files are made from the code, so tests/fuzz/seed_record.sh keeps the
 * corpus in step with the format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "record_samples.h"
#include "token.h"

static const char *dir;

static int put(const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		fprintf(stderr, "record-corpus: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int put_payload(const char *name, const struct grid_record *r)
{
	uint8_t out[GRID_PAYLOAD_MAX];
	struct grid_why why;
	size_t n;

	if (grid_record_encode(r, out, sizeof(out), &n, &why)) {
		fprintf(stderr, "record-corpus: %s: %s\n", name, why.msg);
		return -1;
	}
	return put(name, out, n);
}

/* The payload of a signed record: its bstr inside the COSE_Sign1. */
static int put_cose_payload(const char *name, const struct grid_signed *s)
{
	struct cose_sign1 c;

	if (cose_sign1_parse(&c, s->bytes, s->len))
		return -1;
	return put(name, c.payload, c.payload_len);
}

static int put_bundle(const char *name, const char *token, uint32_t kind,
		      const struct grid_signed *s, const uint32_t *types,
		      uint32_t n, bool seed)
{
	static struct grid_bundle b;
	static uint8_t raw[GRID_BUNDLE_BYTES_MAX];
	static char text[GRID_TOKEN_MAX];
	size_t len;
	uint32_t i;

	memset(&b, 0, sizeof(b));
	b.kind = kind;
	b.n = n;
	for (i = 0; i < n; i++)
		b.rec[i] = s[types[i]];
	b.has_seed = seed;
	memset(b.seed, 0x66, sizeof(b.seed));
	if (grid_bundle_encode(&b, raw, sizeof(raw), &len) ||
	    put(name, raw, len))
		return -1;
	if (!token)
		return 0;
	if (grid_token_write(&b, text, sizeof(text)))
		return -1;
	return put(token, text + strlen(GRID_TOKEN_PREFIX),
		   strlen(text) - strlen(GRID_TOKEN_PREFIX));
}

/* Hex of the edge cases: the decoder's every kind of yes and no. */
static const struct {
	const char *name, *hex;
} edges[] = {
	{ "cbor-uint0", "00" },
	{ "cbor-uint23", "17" },
	{ "cbor-uint24", "1818" },
	{ "cbor-uint-max", "1bffffffffffffffff" },
	{ "cbor-uint-long-form", "1800" },		/* not shortest */
	{ "cbor-nint-max", "3bffffffffffffffff" },
	{ "cbor-bytes", "4401020304" },
	{ "cbor-text-utf8", "63e282ac" },
	{ "cbor-text-surrogate", "63eda080" },		/* not UTF-8 */
	{ "cbor-text-overlong", "62c0af" },		/* not UTF-8 */
	{ "cbor-array", "83010203" },
	{ "cbor-map", "a201020304" },
	{ "cbor-map-unordered", "a203040102" },	/* refused */
	{ "cbor-map-dup", "a201020103" },		/* refused */
	{ "cbor-tag18", "d28440a04040" },		/* one-byte head, 6..20 */
	{ "cbor-tag-long", "d9d9f700" },
	{ "cbor-deep", "818181818181818100" },		/* depth 8 */
	{ "cbor-too-deep", "81818181818181818100" },	/* depth 9 */
	{ "cbor-indef-array", "9f01ff" },
	{ "cbor-float", "f93c00" },
	{ "cbor-simple", "f6" },
	{ "cbor-trailing", "0000" },
	{ "cbor-truncated", "5a00010000" },
	{ "cbor-huge-array", "9b7fffffffffffffff" },
};

static int put_edges(void)
{
	uint8_t bin[64];
	size_t i, n;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		if (sodium_hex2bin(bin, sizeof(bin), edges[i].hex,
				   strlen(edges[i].hex), NULL, &n, NULL) ||
		    put(edges[i].name, bin, n))
			return -1;
	}
	return 0;
}

/* Payloads the story of record_samples.h has no use for. */
static int put_extra_payloads(const struct grid_signed *s)
{
	static const uint8_t ext_val[] = { 0x61, 'x' };	/* "x" */
	struct grid_key k[3];
	struct grid_record r;
	int i, ret;

	for (i = 0; i < 3; i++) {
		if (sample_key(i, &k[i]))
			return -1;
	}
	/* A charter with two admins, in increasing order, and the policy bit. */
	r = s[GRID_REC_CHARTER].r;
	r.n_admins = 2;
	if (memcmp(k[0].pk, k[1].pk, GRID_PK_LEN) < 0) {
		memcpy(r.admins[0], k[0].pk, GRID_PK_LEN);
		memcpy(r.admins[1], k[1].pk, GRID_PK_LEN);
	} else {
		memcpy(r.admins[0], k[1].pk, GRID_PK_LEN);
		memcpy(r.admins[1], k[0].pk, GRID_PK_LEN);
	}
	r.policy = GRID_POLICY_MEMBERS_INVITE;
	ret = put_payload("charter-admins.payload", &r);

	/* Extensions: kept as they came. */
	r = s[GRID_REC_GRID].r;
	r.n_ext = 2;
	r.ext[0] = (struct grid_ext){ 64, ext_val, sizeof(ext_val) };
	r.ext[1] = (struct grid_ext){ 1000, ext_val, sizeof(ext_val) };
	ret = ret ?: put_payload("grid-ext.payload", &r);

	/* A revocation of a member, not of a lease. */
	r = s[GRID_REC_REVOCATION].r;
	r.kind = GRID_REVOKE_MEMBER;
	r.has &= ~GRID_HAS(GRID_K_LEASE_ID);
	r.has |= GRID_HAS(GRID_K_SUBJECT);
	memcpy(r.subject, k[1].pk, GRID_PK_LEN);
	ret = ret ?: put_payload("revocation-member.payload", &r);

	/* A membership handed over by a one-time key's claim. */
	r = s[GRID_REC_MEMBERSHIP].r;
	memset(r.claim, 0x5a, GRID_SIG_LEN);
	r.has |= GRID_HAS(GRID_K_CLAIM);
	ret = ret ?: put_payload("membership-claim.payload", &r);

	/* An agent with both ends of its validity. */
	r = s[GRID_REC_AGENT].r;
	r.not_before = SAMPLE_T0;
	r.has |= GRID_HAS(GRID_K_NOT_BEFORE);
	ret = ret ?: put_payload("agent-not-before.payload", &r);

	for (i = 0; i < 3; i++)
		grid_key_free(&k[i]);
	return ret;
}

int main(int argc, char **argv)
{
	static struct grid_signed s[GRID_REC_MAX + 1];
	static const uint32_t invitation[] = { GRID_REC_CHARTER, GRID_REC_INVITATION };
	static const uint32_t membership[] = { GRID_REC_CHARTER, GRID_REC_INVITATION,
					       GRID_REC_MEMBERSHIP };
	static const uint32_t lease[] = { GRID_REC_LEASE };
	static const uint32_t records[] = { GRID_REC_GRID, GRID_REC_AGENT,
					    GRID_REC_MEMBER_GRID };
	char name[64];
	uint32_t t;

	if (argc != 2) {
		fprintf(stderr, "usage: record-corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	if (grid_crypto_init() || sample_records(s))
		return 1;
	for (t = 1; t <= GRID_REC_MAX; t++) {
		snprintf(name, sizeof(name), "%s.cose", grid_record_type_name(t));
		if (put(name, s[t].bytes, s[t].len))
			return 1;
		snprintf(name, sizeof(name), "%s.payload", grid_record_type_name(t));
		if (put_cose_payload(name, &s[t]))
			return 1;
	}
	if (put_extra_payloads(s) ||
	    put_bundle("bundle-invitation.cbor", "token-invitation.txt",
		       GRID_BUNDLE_INVITATION, s, invitation, 2, true) ||
	    put_bundle("bundle-membership.cbor", "token-membership.txt",
		       GRID_BUNDLE_MEMBERSHIP, s, membership, 3, false) ||
	    put_bundle("bundle-lease.cbor", NULL, GRID_BUNDLE_LEASE, s, lease,
		       1, false) ||
	    put_bundle("bundle-records.cbor", NULL, GRID_BUNDLE_RECORDS, s,
		       records, 3, false) ||
	    put_edges())
		return 1;
	return 0;
}
