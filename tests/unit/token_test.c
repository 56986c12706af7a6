// SPDX-License-Identifier: GPL-2.0
/*
 * Tokens: bundles of signed records as one line of "grid1:" and
 * base64url. Every kind of bundle goes out and comes back, with and
 * without a one-time seed; anything else that looks like a token is
 * refused, and so is one whose records do not open.
 */
#define UNIT_SUITE "unit/token"
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include <sodium.h>

#include "unit.h"
#include "dcbor.h"
#include "token.h"
#include "record_samples.h"

static struct grid_signed S[GRID_REC_MAX + 1];
static struct grid_bundle out, in;
static char tok[GRID_TOKEN_MAX], tok2[2 * GRID_TOKEN_MAX + 64];
static struct grid_why why;

static bool ready(void)
{
	static int done;

	if (!done)
		done = grid_crypto_init() || sample_records(S) ? -1 : 1;
	return done == 1;
}

/* @out as @kind of the samples of @n types, with a seed if @seed. */
static void make(uint32_t kind, bool seed, int n, ...)
{
	va_list ap;
	int i;

	memset(&out, 0, sizeof(out));
	out.kind = kind;
	out.n = n;
	va_start(ap, n);
	for (i = 0; i < n; i++)
		out.rec[i] = S[va_arg(ap, int)];
	va_end(ap);
	if (seed) {
		memset(out.seed, 0x66, GRID_SEED_LEN);
		out.has_seed = true;
	}
}

/* That @in is @out, record for record. */
static bool same(void)
{
	uint32_t i;

	if (in.kind != out.kind || in.n != out.n || in.has_seed != out.has_seed)
		return false;
	if (in.has_seed && memcmp(in.seed, out.seed, GRID_SEED_LEN))
		return false;
	for (i = 0; i < in.n; i++) {
		if (in.rec[i].len != out.rec[i].len ||
		    memcmp(in.rec[i].bytes, out.rec[i].bytes, in.rec[i].len) ||
		    memcmp(in.rec[i].id, out.rec[i].id, GRID_ID_LEN) ||
		    in.rec[i].r.type != out.rec[i].r.type)
			return false;
	}
	return true;
}

/* Writes @out and reads it back into @in. */
static bool round_trip(void)
{
	if (grid_token_write(&out, tok, sizeof(tok)))
		return false;
	if (strncmp(tok, "grid1:", 6) || strlen(tok) + 1 > GRID_TOKEN_MAX)
		return false;
	if (grid_token_read(&in, tok, &why)) {
		printf("  %s\n", why.msg);
		return false;
	}
	return same();
}

/* "grid1:" and the base64url of @n bytes at @p, into tok2. */
static void token_of(const uint8_t *p, size_t n)
{
	strcpy(tok2, GRID_TOKEN_PREFIX);
	sodium_bin2base64(tok2 + 6, sizeof(tok2) - 6, p, n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool says(const char *what)
{
	if (strstr(why.msg, what))
		return true;
	printf("  why: \"%s\", not \"%s\"\n", why.msg, what);
	return false;
}

/* ---- round trips ------------------------------------------------------------- */

TEST(an_invitation_bundle_goes_out_and_comes_back)
{
	CHECK(ready());
	make(GRID_BUNDLE_INVITATION, false, 2, GRID_REC_CHARTER, GRID_REC_INVITATION);
	CHECK(round_trip());
}

TEST(an_invitation_bundle_with_a_one_time_seed_goes_out_and_comes_back)
{
	CHECK(ready());
	make(GRID_BUNDLE_INVITATION, true, 2, GRID_REC_CHARTER, GRID_REC_INVITATION);
	CHECK(round_trip());
	CHECK(in.has_seed && in.seed[0] == 0x66 && in.seed[31] == 0x66);
	grid_bundle_wipe(&in);
	CHECK(!in.has_seed && in.seed[0] == 0 && in.seed[31] == 0);
}

TEST(a_membership_proof_goes_out_and_comes_back)
{
	CHECK(ready());
	make(GRID_BUNDLE_MEMBERSHIP, false, 3, GRID_REC_CHARTER,
	     GRID_REC_INVITATION, GRID_REC_MEMBERSHIP);
	CHECK(round_trip());
	make(GRID_BUNDLE_MEMBERSHIP, true, 3, GRID_REC_CHARTER,
	     GRID_REC_INVITATION, GRID_REC_MEMBERSHIP);
	CHECK(round_trip());
}

TEST(a_lease_goes_out_and_comes_back)
{
	CHECK(ready());
	make(GRID_BUNDLE_LEASE, false, 1, GRID_REC_LEASE);
	CHECK(round_trip());
	make(GRID_BUNDLE_LEASE, true, 1, GRID_REC_LEASE);
	CHECK(round_trip());
}

TEST(a_bundle_of_any_records_goes_out_and_comes_back)
{
	uint32_t t;

	CHECK(ready());
	make(GRID_BUNDLE_RECORDS, false, 8, 1, 2, 3, 4, 5, 6, 7, 8);
	CHECK(round_trip());
	make(GRID_BUNDLE_RECORDS, true, 8, 4, 5, 6, 7, 8, 9, 10, 11);
	CHECK(round_trip());
	make(GRID_BUNDLE_RECORDS, false, 0);
	CHECK(round_trip());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		make(GRID_BUNDLE_RECORDS, t & 1, 1, (int)t);
		CHECK(round_trip());
	}
}

TEST(a_token_is_the_base64url_of_the_bundles_cbor)
{
	static uint8_t raw[GRID_BUNDLE_BYTES_MAX], want[GRID_BUNDLE_BYTES_MAX];
	struct cb_buf b;
	size_t n;

	CHECK(ready());
	make(GRID_BUNDLE_LEASE, true, 1, GRID_REC_LEASE);
	CHECK(grid_bundle_encode(&out, raw, sizeof(raw), &n) == 0);
	/* {1: 3, 2: [lease], 3: seed} */
	cb_init(&b, want, sizeof(want));
	cb_map(&b, 3);
	cb_uint(&b, 1);
	cb_uint(&b, 3);
	cb_uint(&b, 2);
	cb_array(&b, 1);
	cb_bytes(&b, S[GRID_REC_LEASE].bytes, S[GRID_REC_LEASE].len);
	cb_uint(&b, 3);
	cb_bytes(&b, out.seed, 32);
	CHECK(cb_end(&b) == (long)n && !memcmp(raw, want, n));
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == 0);
	token_of(want, n);
	CHECK(!strcmp(tok, tok2));
	CHECK(!strchr(tok, '=') && !strchr(tok, '+') && !strchr(tok, '/'));
}

TEST(white_space_around_a_token_is_ignored)
{
	CHECK(ready());
	make(GRID_BUNDLE_INVITATION, false, 2, GRID_REC_CHARTER, GRID_REC_INVITATION);
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == 0);
	snprintf(tok2, sizeof(tok2), " \t\n%s\r\n  ", tok);
	CHECK(grid_token_read(&in, tok2, &why) == 0);
	CHECK(same());
}

TEST(a_bundle_of_eight_of_the_largest_records_fits_in_a_token)
{
	static uint8_t val[GRID_RECORD_MAX];
	static struct grid_signed big;
	struct grid_key home;
	struct grid_record r;
	int i, ret;

	CHECK(ready());
	CHECK(sample_key(S_HOME, &home) == 0);
	/* The grid sample with an extension that brings it to the limit. */
	r = S[GRID_REC_GRID].r;
	r.n_ext = 1;
	val[0] = 0x59;
	r.ext[0] = (struct grid_ext){ 64, val, 0 };
	for (i = GRID_RECORD_MAX - 3; i > 0; i--) {
		val[1] = i >> 8;
		val[2] = i;
		r.ext[0].len = 3 + i;
		ret = grid_record_sign(&big, &r, &home, &why);
		if (!ret)
			break;
	}
	grid_key_free(&home);
	CHECK(i > 0 && big.len > GRID_PAYLOAD_MAX && big.len <= GRID_RECORD_MAX);
	memset(&out, 0, sizeof(out));
	out.kind = GRID_BUNDLE_RECORDS;
	out.n = GRID_BUNDLE_MAX;
	for (i = 0; i < GRID_BUNDLE_MAX; i++)
		out.rec[i] = big;
	out.has_seed = true;
	CHECK(round_trip());
	CHECK(strlen(tok) > 8 * 4 * 4000 / 3);
	/* One byte less room than it needs is refused. */
	CHECK(grid_token_write(&out, tok, strlen(tok)) == -ENOSPC);
	CHECK(grid_token_write(&out, tok, strlen(tok) + 1) == 0);
}

/* ---- refused -------------------------------------------------------------------- */

TEST(a_token_without_its_prefix_is_refused)
{
	static const char *const bad[] = { "", "grid1", "grid2:", "GRID1:", "grid:", " ", "rid1:" };
	size_t i;

	CHECK(ready());
	make(GRID_BUNDLE_LEASE, false, 1, GRID_REC_LEASE);
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == 0);
	CHECK(grid_token_read(&in, tok + 6, &why) == -EBADMSG);
	CHECK(says("does not start with 'grid1:'"));
	snprintf(tok2, sizeof(tok2), "Grid1:%s", tok + 6);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	snprintf(tok2, sizeof(tok2), "x%s", tok);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(grid_token_read(&in, bad[i], &why) == -EBADMSG);
	/* The prefix alone is an empty text: no bundle. */
	CHECK(grid_token_read(&in, "grid1:", &why) == -EBADMSG);
}

TEST(a_token_with_characters_outside_base64url_is_refused)
{
	static const char *const bad[] = {
		"+", "/", "*", " ", ".", "\xc3\xa9", "\x80", "\xff", "~", "\t",
	};
	size_t i, n, pos;

	CHECK(ready());
	make(GRID_BUNDLE_INVITATION, false, 2, GRID_REC_CHARTER, GRID_REC_INVITATION);
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == 0);
	n = strlen(tok);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* In the middle, where the white space rule does not reach. */
		pos = n / 2;
		snprintf(tok2, sizeof(tok2), "%.*s%s%s", (int)pos, tok, bad[i], tok + pos + 1);
		CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
		CHECK(says("not base64url"));
	}
	/* Standard base64 in place of every '-' and '_'. */
	strcpy(tok2, tok);
	for (i = 6; i < n; i++) {
		if (tok2[i] == '-')
			tok2[i] = '+';
		else if (tok2[i] == '_')
			tok2[i] = '/';
	}
	CHECK(strcmp(tok, tok2));
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
}

TEST(a_token_with_padding_is_refused)
{
	static uint8_t raw[GRID_BUNDLE_BYTES_MAX];
	size_t n;

	CHECK(ready());
	make(GRID_BUNDLE_LEASE, false, 1, GRID_REC_LEASE);
	CHECK(grid_bundle_encode(&out, raw, sizeof(raw), &n) == 0);
	/* Padding where the length needs it, and where it does not. */
	strcpy(tok2, GRID_TOKEN_PREFIX);
	sodium_bin2base64(tok2 + 6, sizeof(tok2) - 6, raw, n,
			  sodium_base64_VARIANT_URLSAFE);
	CHECK(strchr(tok2, '=') || n % 3 == 0);
	if (!strchr(tok2, '='))
		strcat(tok2, "=");
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	token_of(raw, n);
	strcat(tok2, "==");
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	token_of(raw, n);
	CHECK(grid_token_read(&in, tok2, &why) == 0);
}

TEST(a_token_with_trailing_garbage_is_refused)
{
	static const char *const tails[] = { "A", "AA", "AAA", "AAAA", "AAAAAA", "!", "grid1:" };
	size_t i;

	CHECK(ready());
	make(GRID_BUNDLE_MEMBERSHIP, false, 3, GRID_REC_CHARTER,
	     GRID_REC_INVITATION, GRID_REC_MEMBERSHIP);
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == 0);
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(tok2, sizeof(tok2), "%s%s", tok, tails[i]);
		CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	}
	/* And a second token after a space. */
	snprintf(tok2, sizeof(tok2), "%s %s", tok, tok);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
}

TEST(a_token_cut_short_anywhere_is_refused)
{
	size_t n, i;

	CHECK(ready());
	make(GRID_BUNDLE_INVITATION, true, 2, GRID_REC_CHARTER, GRID_REC_INVITATION);
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == 0);
	n = strlen(tok);
	for (i = 0; i < n; i++) {
		memcpy(tok2, tok, i);
		tok2[i] = '\0';
		if (grid_token_read(&in, tok2, &why) == 0) {
			printf("  cut at %zu of %zu reads\n", i, n);
			CHECK(0);
		}
	}
}

/* That @in holds the records of @out, byte for byte. */
static bool same_records(void)
{
	uint32_t r;

	if (in.n != out.n)
		return false;
	for (r = 0; r < in.n; r++) {
		if (in.rec[r].len != out.rec[r].len ||
		    memcmp(in.rec[r].bytes, out.rec[r].bytes, in.rec[r].len))
			return false;
	}
	return true;
}

TEST(every_single_character_change_of_a_token_changes_what_it_reads_as_or_is_refused)
{
	/*
	 * The records are signed, the bundle around them is not: a change
	 * may give another kind or seed with the same records, never other
	 * records, and never the same bundle from another text.
	 */
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n, i, a, read = 0;

	CHECK(ready());
	make(GRID_BUNDLE_INVITATION, true, 2, GRID_REC_CHARTER, GRID_REC_INVITATION);
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == 0);
	n = strlen(tok);
	strcpy(tok2, tok);
	for (i = 6; i < n; i++) {
		for (a = 0; a < 64; a++) {
			if (alphabet[a] == tok[i])
				continue;
			tok2[i] = alphabet[a];
			if (grid_token_read(&in, tok2, &why))
				continue;
			read++;
			if (same() || !same_records()) {
				printf("  %zu: '%c' for '%c' reads as %s\n", i,
				       alphabet[a], tok[i],
				       same() ? "the same bundle" : "other records");
				CHECK(0);
			}
		}
		tok2[i] = tok[i];
	}
	/* The kind, and the seed's bytes: a few characters' worth. */
	CHECK(read > 0 && read < 64 * 60);
}

/* A bundle written by hand: {1: @kind, 2: [@n records], 3: seed of @seed_len}. */
static long hand_bundle(uint8_t *raw, size_t cap, uint64_t kind, int n,
			int seed_len, int extra_key)
{
	static const uint8_t seed[64];
	struct cb_buf b;
	int i;

	cb_init(&b, raw, cap);
	cb_map(&b, 2 + (seed_len >= 0) + (extra_key > 0));
	cb_uint(&b, 1);
	cb_uint(&b, kind);
	cb_uint(&b, 2);
	cb_array(&b, n);
	for (i = 0; i < n; i++)
		cb_bytes(&b, S[1 + i % GRID_REC_MAX].bytes, S[1 + i % GRID_REC_MAX].len);
	if (seed_len >= 0) {
		cb_uint(&b, 3);
		cb_bytes(&b, seed, seed_len);
	}
	if (extra_key > 0) {
		cb_uint(&b, extra_key);
		cb_uint(&b, 0);
	}
	return cb_end(&b);
}

TEST(a_bundle_of_nine_records_is_refused)
{
	static uint8_t raw[GRID_BUNDLE_BYTES_MAX + GRID_RECORD_MAX];
	long n;

	CHECK(ready());
	n = hand_bundle(raw, sizeof(raw), GRID_BUNDLE_RECORDS, 8, -1, 0);
	CHECK(n > 0);
	token_of(raw, n);
	CHECK(grid_token_read(&in, tok2, &why) == 0);
	CHECK(in.n == 8);
	n = hand_bundle(raw, sizeof(raw), GRID_BUNDLE_RECORDS, 9, -1, 0);
	CHECK(n > 0);
	token_of(raw, n);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	CHECK(says("more than 8 records"));
	/* grid_bundle_encode() will not write one either. */
	make(GRID_BUNDLE_RECORDS, false, 8, 1, 2, 3, 4, 5, 6, 7, 8);
	out.n = 9;
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == -EINVAL);
}

TEST(a_bundle_of_another_shape_is_refused)
{
	static uint8_t raw[GRID_BUNDLE_BYTES_MAX];
	long n;

	CHECK(ready());
	/* The hand-written bundle itself is good. */
	n = hand_bundle(raw, sizeof(raw), GRID_BUNDLE_LEASE, 1, 32, 0);
	token_of(raw, n);
	CHECK(grid_token_read(&in, tok2, &why) == 0 && in.has_seed);
	n = hand_bundle(raw, sizeof(raw), GRID_BUNDLE_LEASE, 1, 31, 0);
	token_of(raw, n);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	CHECK(says("the seed is not 32 bytes"));
	n = hand_bundle(raw, sizeof(raw), GRID_BUNDLE_LEASE, 1, 33, 0);
	token_of(raw, n);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	n = hand_bundle(raw, sizeof(raw), 0, 1, -1, 0);
	token_of(raw, n);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	n = hand_bundle(raw, sizeof(raw), __GRID_BUNDLE_LAST, 1, -1, 0);
	token_of(raw, n);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	n = hand_bundle(raw, sizeof(raw), GRID_BUNDLE_LEASE, 1, -1, 4);
	token_of(raw, n);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	n = hand_bundle(raw, sizeof(raw), GRID_BUNDLE_LEASE, 1, 32, 4);
	token_of(raw, n);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	/* Not a map, no records, records not byte strings. */
	token_of((const uint8_t *)"\x80", 1);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	token_of((const uint8_t *)"\xa1\x01\x03", 3);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	token_of((const uint8_t *)"\xa2\x01\x03\x02\xa0", 5);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	token_of((const uint8_t *)"\xa2\x01\x03\x02\x81\x61\x61", 7);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	CHECK(says("record 1 is not a byte string"));
	token_of((const uint8_t *)"\xa2\x01\x03\x02\x81\x81\x40", 7);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
	/* Not deterministic: keys out of order. */
	token_of((const uint8_t *)"\xa2\x02\x80\x01\x03", 5);
	CHECK(grid_token_read(&in, tok2, &why) == -EBADMSG);
}

TEST(a_bundle_with_a_tampered_record_is_refused)
{
	uint32_t r;
	size_t i;

	CHECK(ready());
	for (r = 0; r < 3; r++) {
		for (i = 0; i < S[GRID_REC_INVITATION].len; i += 7) {
			make(GRID_BUNDLE_MEMBERSHIP, false, 3, GRID_REC_CHARTER,
			     GRID_REC_INVITATION, GRID_REC_MEMBERSHIP);
			if (i >= out.rec[r].len)
				break;
			out.rec[r].bytes[i] ^= 0x20;
			CHECK(grid_token_write(&out, tok, sizeof(tok)) == 0);
			CHECK(grid_token_read(&in, tok, &why) == -EBADMSG);
			/* Nothing of a refused bundle is left behind. */
			CHECK(!in.has_seed);
		}
	}
	/* A record cut short, inside a bundle that is itself well formed. */
	make(GRID_BUNDLE_LEASE, true, 1, GRID_REC_LEASE);
	out.rec[0].len--;
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == 0);
	CHECK(grid_token_read(&in, tok, &why) == -EBADMSG);
	CHECK(!in.has_seed && in.seed[0] == 0);
}

TEST(grid_token_write_refuses_bundles_it_cannot_write)
{
	CHECK(ready());
	make(GRID_BUNDLE_LEASE, false, 1, GRID_REC_LEASE);
	out.kind = 0;
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == -EINVAL);
	out.kind = __GRID_BUNDLE_LAST;
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == -EINVAL);
	out.kind = GRID_BUNDLE_LEASE;
	CHECK(grid_token_write(&out, tok, 10) == -ENOSPC);
	CHECK(grid_token_write(&out, tok, sizeof(tok)) == 0);
}

TEST(a_token_longer_than_grid_token_max_is_refused)
{
	static char huge[GRID_TOKEN_MAX + 16];

	memcpy(huge, "grid1:", 6);
	memset(huge + 6, 'A', GRID_TOKEN_MAX + 1);
	huge[6 + GRID_TOKEN_MAX + 1] = '\0';
	CHECK(grid_token_read(&in, huge, &why) == -EMSGSIZE);
}

/* ---- a bundle's grid-grid, before its signatures are checked ----------- */

TEST(a_membership_bundle_names_its_gridgrid_unchecked)
{
	static uint8_t raw[GRID_BUNDLE_BYTES_MAX];
	uint8_t pk[GRID_PK_LEN];
	size_t n;

	CHECK(ready());
	make(GRID_BUNDLE_MEMBERSHIP, false, 3, GRID_REC_CHARTER,
	     GRID_REC_INVITATION, GRID_REC_MEMBERSHIP);
	CHECK(grid_bundle_encode(&out, raw, sizeof(raw), &n) == 0);
	memset(pk, 0, sizeof(pk));
	CHECK(grid_bundle_charter_key(raw, n, pk) == 0);
	CHECK(!memcmp(pk, S[GRID_REC_CHARTER].r.issuer, GRID_PK_LEN));
	/* A bad signature is not this function's to see: it names it still. */
	out.rec[0].bytes[out.rec[0].len - 1] ^= 0x01;
	CHECK(grid_bundle_encode(&out, raw, sizeof(raw), &n) == 0);
	CHECK(grid_bundle_charter_key(raw, n, pk) == 0);
	CHECK(grid_bundle_decode(&in, raw, n, &why) == -EBADMSG);
}

TEST(a_bundle_that_does_not_open_with_a_charter_names_no_gridgrid)
{
	static uint8_t raw[GRID_BUNDLE_BYTES_MAX];
	uint8_t pk[GRID_PK_LEN];
	size_t n, i;

	CHECK(ready());
	make(GRID_BUNDLE_LEASE, false, 1, GRID_REC_LEASE);
	CHECK(grid_bundle_encode(&out, raw, sizeof(raw), &n) == 0);
	CHECK(grid_bundle_charter_key(raw, n, pk) == -EBADMSG);
	make(GRID_BUNDLE_RECORDS, false, 0);
	CHECK(grid_bundle_encode(&out, raw, sizeof(raw), &n) == 0);
	CHECK(grid_bundle_charter_key(raw, n, pk) == -EBADMSG);
	/* Cut short anywhere: refused, never read past the end (ASan). */
	make(GRID_BUNDLE_MEMBERSHIP, false, 3, GRID_REC_CHARTER,
	     GRID_REC_INVITATION, GRID_REC_MEMBERSHIP);
	CHECK(grid_bundle_encode(&out, raw, sizeof(raw), &n) == 0);
	for (i = 0; i < n; i += 13)
		CHECK(grid_bundle_charter_key(raw, i, pk) == -EBADMSG);
	CHECK(grid_bundle_charter_key(raw, GRID_BUNDLE_BYTES_MAX + 1, pk) == -EBADMSG);
}
