// SPDX-License-Identifier: GPL-2.0
/*
 * record_fuzz: the readers of user/record under libFuzzer. Every input goes
 * to every reader: cb_decode(), cose_sign1_parse(), grid_record_decode()
 * (the input as a payload, and the payload of any COSE_Sign1 it parses
 * as), grid_record_open(), grid_bundle_decode(), grid_bundle_charter_key()
 * and grid_token_read() ("grid1:" and the input as a string).
 *
 * All of them, rather than a selector byte: the seeds are the formats
 * exactly as they are stored and sent, with nothing in front, so one
 * corpus serves every reader and a mutation that turns one format into
 * another (a record into a payload, a bundle into a token) is taken up by
 * whichever reader it now suits. The readers all start with cb_decode(),
 * which stops at the first head that is wrong, so feeding all of them
 * costs about one decode each (the cost of a run is in signatures).
 *
 * Each reader gets its own heap copy of exactly the bytes it is given, so
 * that AddressSanitizer sees a read past the end, even where the bytes
 * were inside a larger input. What a reader accepts is checked against
 * what must hold, and a broken invariant is an abort() with a line on
 * stderr:
 *   - cb_decode: the items tile the input, and cb_reencode() gives back the
 *     input byte for byte (the whole document and every item alone); a
 *     writer one byte short overflows rather than writing short;
 *   - cose_sign1_parse: the pointers lie inside the input, and writing
 *     the parts again gives the input;
 *   - grid_record_decode: grid_record_encode() gives back the payload; the
 *     record signed again under a fixed key (grid_key_from_seed) opens,
 *     and not with one payload byte changed;
 *   - grid_record_open: id = SHA-256 of the bytes, the payload re-encodes;
 *   - grid_bundle_decode: grid_bundle_encode() gives back the input, and
 *     the bundle goes through a token and back;
 *   - grid_bundle_charter_key: of a bundle that decodes, the key of its
 *     charter if it opens with one, else -EBADMSG;
 *   - grid_token_read: grid_token_write() gives back the token;
 *   - every refusal says why (struct grid_why), with a documented errno.
 * Signature verification makes a mutated signed record fail almost
 * always, so the schema is reached through the payload paths; the
 * re-signing path takes what they accept through the signed path too.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "chain.h"
#include "cose.h"
#include "dcbor.h"
#include "record.h"
#include "token.h"

/*
 * Two bugs this fuzzer found are fixed in token.c, and their inputs kept
 * as corpus/record/known-*: a bundle whose later member is not a byte
 * string was accepted half-opened, and a byte past 0x7f read as the
 * base64 digit '_' (libsodium 1.0.18).
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key the re-signing path signs with: fixed, so runs reproduce. */
static struct grid_key key;

static void __attribute__((noreturn)) broken(int line, const char *what)
{
	fprintf(stderr, "record_fuzz.c:%d: invariant broken: %s\n", line, what);
	abort();
}

#define must(cond) do { if (!(cond)) broken(__LINE__, #cond); } while (0)

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

/* A heap copy of exactly @n bytes: a read past them is ASan's. */
static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n);

	if (n && !q)
		abort();
	if (n)
		memcpy(q, p, n);
	return q;
}

/* A refusal: a documented error, and a sentence in @why. */
static void refused(int line, int ret, const struct grid_why *why,
		    int also)
{
	if (ret == -ENOMEM)
		return;
	if (ret != -EBADMSG && ret != also)
		broken(line, "an error the contract does not name");
	if (!why->msg[0])
		broken(line, "a refusal that does not say why");
}

/* ---- deterministic CBOR -------------------------------------------------- */

/* Item @i re-encoded: its bytes in a buffer of their size, overflow in one less. */
static void reencode_item(const struct cb_doc *d, uint32_t i,
			  const uint8_t *in, uint8_t *out)
{
	const struct cb_item *it = &d->it[i];
	struct cb_buf b;

	cb_init(&b, out, it->len);
	cb_reencode(&b, d, i);
	must(cb_end(&b) == (long)it->len);
	must(!memcmp(out, in + it->off, it->len));
	if (it->len) {
		cb_init(&b, out, it->len - 1);
		cb_reencode(&b, d, i);
		must(cb_end(&b) == -EMSGSIZE);
	}
}

static void fuzz_cbor(const uint8_t *in, size_t n)
{
	struct cb_doc *d = xmalloc(sizeof(*d));
	uint8_t *out;
	uint32_t i;

	if (cb_decode(d, in, n))
		goto out;
	must(d->n >= 1 && d->n <= CB_ITEMS_MAX);
	must(d->it[0].off == 0 && d->it[0].len == n && d->it[0].end == d->n);
	for (i = 0; i < d->n; i++) {
		const struct cb_item *it = &d->it[i];

		must(it->end > i && it->end <= d->n);
		must(it->depth <= CB_DEPTH_MAX);
		must(it->off + it->len <= n);
		if ((it->kind == CB_BYTES || it->kind == CB_TEXT) && it->n)
			must(it->p + it->n == in + it->off + it->len &&
			     it->n < it->len);
		/* Preorder: what follows an item and its descendants is next. */
		if (it->end < d->n)
			must(d->it[it->end].off == it->off + it->len);
		if (it->kind == CB_MAP && it->n) {
			uint32_t v = cb_map_get(d, i, d->it[i + 1].v);

			must(!v || (v > i && v < it->end));
		}
	}
	out = xmalloc(n);
	for (i = 0; i < d->n; i++)
		reencode_item(d, i, in, out);
	free(out);
out:
	free(d);
}

/* ---- records --------------------------------------------------------------- */

/* What @r encodes to, into @out (GRID_PAYLOAD_MAX); its length. */
static size_t encode(const struct grid_record *r, uint8_t *out)
{
	struct grid_why why = { "" };
	size_t len = 0;

	must(!grid_record_encode(r, out, GRID_PAYLOAD_MAX, &len, &why));
	return len;
}

static void same_record(const struct grid_record *a, const struct grid_record *b)
{
	uint8_t *x = xmalloc(GRID_PAYLOAD_MAX), *y = xmalloc(GRID_PAYLOAD_MAX);
	size_t nx = encode(a, x), ny = encode(b, y);

	must(nx == ny && !memcmp(x, y, nx));
	free(x);
	free(y);
}

/* Times around the record's own: the formatting of expiry sentences. */
static void valid_at(const struct grid_record *r)
{
	const uint64_t at[] = { 0, UINT64_MAX, r->issued, r->not_before - 1,
				r->not_before, r->not_after - 1, r->not_after,
				r->not_after + 1 };
	struct grid_why why;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		why.msg[0] = '\0';
		ret = grid_record_valid_at(r, at[i], &why);
		must(ret == 0 || ret == -EKEYEXPIRED || ret == -EAGAIN);
		must(!ret || why.msg[0]);
	}
}

/* An opened record: its bytes, id and payload as they must be. */
static void check_signed(const struct grid_signed *s, const uint8_t *in,
			 size_t n)
{
	uint8_t id[GRID_ID_LEN], *again;
	struct cose_sign1 c;
	struct grid_why why;

	must(s->len == n && !memcmp(s->bytes, in, n));
	crypto_hash_sha256(id, in, n);
	must(!memcmp(s->id, id, GRID_ID_LEN));
	must(grid_record_type_name(s->r.type));
	must(!cose_sign1_parse(&c, s->bytes, s->len));
	again = xmalloc(GRID_PAYLOAD_MAX);
	must(encode(&s->r, again) == c.payload_len &&
	     !memcmp(again, c.payload, c.payload_len));
	free(again);
	valid_at(&s->r);
	if (s->r.type == GRID_REC_AGENT)
		(void)grid_chain_agent(s, s->r.issuer, s->r.subject,
				       s->r.issued, &why);
	if (s->r.type == GRID_REC_MEMBER_GRID)
		(void)grid_chain_member_grid(s, 1, s->r.issuer, s->r.subject,
					     s->r.issued, &why);
}

/*
 * @r, which a payload decoded to, signed by the fixed key: it must sign
 * and open again, and not open with one payload byte changed.
 */
static void resign(const struct grid_record *decoded)
{
	struct grid_signed *s = xmalloc(sizeof(*s)), *t = xmalloc(sizeof(*t));
	struct grid_record r = *decoded;
	struct cose_sign1 c;
	struct grid_why why = { "" };
	uint8_t *copy;
	size_t off;
	int ret;

	memcpy(r.issuer, key.pk, GRID_PK_LEN);
	ret = grid_record_sign(s, &r, &key, &why);
	if (ret)
		fprintf(stderr, "record_fuzz: sign: %s\n", why.msg);
	must(!ret);
	copy = dup_exact(s->bytes, s->len);
	why.msg[0] = '\0';
	ret = grid_record_open(t, copy, s->len, &why);
	if (ret)
		fprintf(stderr, "record_fuzz: open: %s\n", why.msg);
	must(!ret);
	check_signed(t, copy, s->len);
	must(!memcmp(t->id, s->id, GRID_ID_LEN));
	same_record(&t->r, &r);

	must(!cose_sign1_parse(&c, copy, s->len));
	off = c.payload - copy + c.payload_len - 1;
	copy[off] ^= 0x01;
	why.msg[0] = '\0';
	ret = grid_record_open(t, copy, s->len, &why);
	must(ret);
	refused(__LINE__, ret, &why, -EMSGSIZE);
	free(copy);
	free(t);
	free(s);
}

/* @p (exactly @n bytes of heap) as a payload. */
static void fuzz_payload(const uint8_t *p, size_t n)
{
	struct grid_record *r = xmalloc(sizeof(*r));
	struct grid_why why = { "" };
	uint8_t *again;
	size_t len = 0;
	int ret;

	ret = grid_record_decode(r, p, n, &why);
	if (ret) {
		refused(__LINE__, ret, &why, -EBADMSG);
		goto out;
	}
	must(grid_record_type_name(r->type));
	again = xmalloc(n);
	must(!grid_record_encode(r, again, n, &len, &why));
	must(len == n && !memcmp(again, p, n));
	if (n)
		must(grid_record_encode(r, again, n - 1, &len, NULL) == -EMSGSIZE);
	free(again);
	valid_at(r);
	resign(r);
out:
	free(r);
}

static void fuzz_cose(const uint8_t *in, size_t n)
{
	struct cose_sign1 c;
	uint8_t *again, *payload;
	struct cb_buf b;

	if (cose_sign1_parse(&c, in, n))
		return;
	must(c.alg == COSE_ALG_EDDSA || c.alg == COSE_ALG_ED25519);
	must(c.payload >= in && c.payload + c.payload_len <= in + n);
	must(c.sig >= in && c.sig + GRID_SIG_LEN <= in + n);
	must(c.protected_hdr >= in && c.protected_hdr + c.protected_len <= in + n);
	again = xmalloc(n);
	cb_init(&b, again, n);
	cb_tag(&b, COSE_TAG_SIGN1);
	cb_array(&b, 4);
	cb_bytes(&b, c.protected_hdr, c.protected_len);
	cb_map(&b, 0);
	cb_bytes(&b, c.payload, c.payload_len);
	cb_bytes(&b, c.sig, GRID_SIG_LEN);
	must(cb_end(&b) == (long)n && !memcmp(again, in, n));
	free(again);

	payload = dup_exact(c.payload, c.payload_len);
	fuzz_payload(payload, c.payload_len);
	free(payload);
}

static void fuzz_open(const uint8_t *in, size_t n)
{
	struct grid_signed *s = xmalloc(sizeof(*s));
	struct grid_why why = { "" };
	int ret;

	ret = grid_record_open(s, in, n, &why);
	if (ret)
		refused(__LINE__, ret, &why, -EMSGSIZE);
	else
		check_signed(s, in, n);
	free(s);
}

/* ---- bundles and tokens ------------------------------------------------------ */

/* A member no grid_record_open() accepted: no record is that short. */
static bool unopened(const struct grid_bundle *b)
{
	uint32_t i;

	for (i = 0; i < b->n; i++) {
		if (!b->rec[i].len)
			return true;
	}
	return false;
}

static void check_bundle(const struct grid_bundle *b, const uint8_t *in,
			 size_t n)
{
	struct grid_bundle *b2 = xmalloc(sizeof(*b2));
	uint8_t *raw = xmalloc(GRID_BUNDLE_BYTES_MAX);
	uint8_t *raw2 = xmalloc(GRID_BUNDLE_BYTES_MAX);
	char *text = xmalloc(GRID_TOKEN_MAX);
	struct grid_why why = { "" };
	uint8_t id[GRID_ID_LEN];
	size_t len = 0, len2 = 0;
	uint32_t i, inv = 0;
	int ret;

	must(b->kind && b->kind < __GRID_BUNDLE_LAST && b->n <= GRID_BUNDLE_MAX);
	for (i = 0; i < b->n; i++) {
		crypto_hash_sha256(id, b->rec[i].bytes, b->rec[i].len);
		must(!memcmp(id, b->rec[i].id, GRID_ID_LEN));
	}
	must(!grid_bundle_encode(b, raw, GRID_BUNDLE_BYTES_MAX, &len));
	if (in)
		must(len == n && !memcmp(raw, in, n));

	/* Who may say what: the checks must not fall over, whatever they say. */
	if (b->n) {
		const struct grid_record *last = &b->rec[b->n - 1].r;

		ret = grid_chain_invitation(b, last->issued, &inv, &why);
		if (!ret)
			must(inv < b->n &&
			     b->rec[inv].r.type == GRID_REC_INVITATION);
		(void)grid_chain_invitation(b, UINT64_MAX, &inv, &why);
		(void)grid_chain_membership(b, NULL, &why);
		(void)grid_chain_membership(b, b->rec[0].r.issuer, &why);
		(void)grid_chain_member_grid(b->rec, b->n, b->rec[0].r.issuer,
					     last->subject, last->issued, &why);
	}

	must(!grid_token_write(b, text, GRID_TOKEN_MAX));
	ret = grid_token_read(b2, text, &why);
	if (ret)
		fprintf(stderr, "record_fuzz: token: %s\n", why.msg);
	must(!ret);
	must(!grid_bundle_encode(b2, raw2, GRID_BUNDLE_BYTES_MAX, &len2));
	must(len2 == len && !memcmp(raw, raw2, len));
	grid_bundle_wipe(b2);
	free(text);
	free(raw2);
	free(raw);
	free(b2);
}

static void fuzz_bundle(const uint8_t *in, size_t n)
{
	struct grid_bundle *b = xmalloc(sizeof(*b));
	struct grid_why why = { "" };
	/* Its own heap copy, so that ASan sees a read past the end. */
	uint8_t *copy = xmalloc(n ? n : 1);
	uint8_t pk[GRID_PK_LEN];
	int ret, peek;

	memcpy(copy, in, n);
	peek = grid_bundle_charter_key(copy, n, pk);
	must(peek == 0 || peek == -EBADMSG);
	free(copy);
	ret = grid_bundle_decode(b, in, n, &why);
	if (ret)
		refused(__LINE__, ret, &why, -EMSGSIZE);
	else
		check_bundle(b, in, n);
	/* What the unchecked reader names is what the checked one opens. */
	if (!ret && b->n && b->rec[0].r.type == GRID_REC_CHARTER)
		must(peek == 0 && !memcmp(pk, b->rec[0].r.issuer, GRID_PK_LEN));
	if (!ret && (!b->n || b->rec[0].r.type != GRID_REC_CHARTER))
		must(peek == -EBADMSG);
	grid_bundle_wipe(b);
	free(b);
}

static void fuzz_token(const uint8_t *in, size_t n)
{
	const size_t pre = strlen(GRID_TOKEN_PREFIX);
	struct grid_bundle *b = xmalloc(sizeof(*b));
	char *text = xmalloc(pre + n + 1), *again;
	struct grid_why why = { "" };
	size_t len, i;
	int ret;

	memcpy(text, GRID_TOKEN_PREFIX, pre);
	memcpy(text + pre, in, n);
	text[pre + n] = '\0';
	ret = grid_token_read(b, text, &why);
	if (ret) {
		refused(__LINE__, ret, &why, -EMSGSIZE);
		goto out;
	}
	if (unopened(b))
		broken(__LINE__, "a bundle read with records never opened");
	check_bundle(b, NULL, 0);
	/* One token per bundle: the one read, less trailing white space. */
	len = strlen(text);
	while (len > pre && isspace((unsigned char)text[len - 1]))
		len--;
	again = xmalloc(GRID_TOKEN_MAX);
	must(!grid_token_write(b, again, GRID_TOKEN_MAX));
	must(strlen(again) == len);
	for (i = 0; i < len; i++) {
		if (again[i] != text[i])
			broken(__LINE__, "a second text for one token");
	}
	free(again);
out:
	grid_bundle_wipe(b);
	free(b);
	free(text);
}

/* ---- libFuzzer ------------------------------------------------------------------ */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t seed[GRID_SEED_LEN];

	memset(seed, 0x77, sizeof(seed));
	if (grid_key_from_seed(&key, seed))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = dup_exact(data, size);

	fuzz_cbor(in, size);
	fuzz_cose(in, size);
	fuzz_payload(in, size);
	fuzz_open(in, size);
	fuzz_bundle(in, size);
	fuzz_token(in, size);
	free(in);
	return 0;
}
