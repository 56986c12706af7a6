// SPDX-License-Identifier: GPL-2.0
/* Bundles of records, and their one-line text form; see token.h. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dcbor.h"
#include "token.h"

void grid_bundle_wipe(struct grid_bundle *b)
{
	sodium_memzero(b->seed, sizeof(b->seed));
	b->has_seed = false;
}

int grid_bundle_encode(const struct grid_bundle *b, uint8_t *out, size_t cap,
		       size_t *len)
{
	struct cb_buf w;
	uint32_t i;
	long n;

	if (!b->kind || b->kind >= __GRID_BUNDLE_LAST || b->n > GRID_BUNDLE_MAX)
		return -EINVAL;
	cb_init(&w, out, cap);
	cb_map(&w, b->has_seed ? 3 : 2);
	cb_uint(&w, 1);
	cb_uint(&w, b->kind);
	cb_uint(&w, 2);
	cb_array(&w, b->n);
	for (i = 0; i < b->n; i++)
		cb_bytes(&w, b->rec[i].bytes, b->rec[i].len);
	if (b->has_seed) {
		cb_uint(&w, 3);
		cb_bytes(&w, b->seed, GRID_SEED_LEN);
	}
	n = cb_end(&w);
	if (n < 0)
		return n;
	*len = n;
	return 0;
}

int grid_bundle_decode(struct grid_bundle *b, const uint8_t *p, size_t n,
		       struct grid_why *why)
{
	struct cb_doc *d;
	uint32_t kv, rv, sv, i;
	int ret = -EBADMSG;

	memset(b, 0, sizeof(*b));
	if (n > GRID_BUNDLE_BYTES_MAX)
		return grid_why_set(why, -EMSGSIZE, "token: longer than %d bytes",
				    GRID_BUNDLE_BYTES_MAX);
	d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (cb_decode(d, p, n) || d->it[0].kind != CB_MAP) {
		grid_why_set(why, ret, "token: not a bundle of records");
		goto out;
	}
	kv = cb_map_get(d, 0, 1);
	rv = cb_map_get(d, 0, 2);
	sv = cb_map_get(d, 0, 3);
	if (!kv || !rv || d->it[0].n != 2u + !!sv ||
	    d->it[kv].kind != CB_UINT || !d->it[kv].v ||
	    d->it[kv].v >= __GRID_BUNDLE_LAST || d->it[rv].kind != CB_ARRAY) {
		grid_why_set(why, ret, "token: not a bundle of records");
		goto out;
	}
	if (d->it[rv].n > GRID_BUNDLE_MAX) {
		grid_why_set(why, ret, "token: more than %d records",
			     GRID_BUNDLE_MAX);
		goto out;
	}
	if (sv && (d->it[sv].kind != CB_BYTES || d->it[sv].n != GRID_SEED_LEN)) {
		grid_why_set(why, ret, "token: the seed is not 32 bytes");
		goto out;
	}
	b->kind = d->it[kv].v;
	b->n = d->it[rv].n;
	for (i = 0; i < b->n; i++) {
		const struct cb_item *it = &d->it[rv + 1 + i];

		if (it->kind != CB_BYTES) {
			ret = grid_why_set(why, -EBADMSG,
					   "token: record %u is not a byte string",
					   i + 1);
			goto out;
		}
		ret = grid_record_open(&b->rec[i], it->p, it->n, why);
		if (ret)
			goto out;
	}
	if (sv) {
		memcpy(b->seed, d->it[sv].p, GRID_SEED_LEN);
		b->has_seed = true;
	}
	ret = 0;
out:
	free(d);
	if (ret)
		grid_bundle_wipe(b);
	return ret;
}

int grid_bundle_charter_key(const uint8_t *p, size_t n, uint8_t pk[GRID_PK_LEN])
{
	struct grid_signed *s = NULL;
	struct grid_why why;
	struct cb_doc *d;
	uint32_t rv;
	int ret = -EBADMSG;

	if (n > GRID_BUNDLE_BYTES_MAX)
		return -EBADMSG;
	d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (cb_decode(d, p, n) || d->it[0].kind != CB_MAP)
		goto out;
	rv = cb_map_get(d, 0, 2);
	if (!rv || d->it[rv].kind != CB_ARRAY || !d->it[rv].n ||
	    d->it[rv + 1].kind != CB_BYTES)
		goto out;
	s = malloc(sizeof(*s));
	if (!s) {
		ret = -ENOMEM;
		goto out;
	}
	/* Decoded and checked against the schema; its signature is not. */
	if (grid_record_open_kept(s, d->it[rv + 1].p, d->it[rv + 1].n, &why) ||
	    s->r.type != GRID_REC_CHARTER)
		goto out;
	memcpy(pk, s->r.issuer, GRID_PK_LEN);
	ret = 0;
out:
	free(s);
	free(d);
	return ret;
}

int grid_token_write(const struct grid_bundle *b, char *out, size_t cap)
{
	const size_t pre = sizeof(GRID_TOKEN_PREFIX) - 1;
	uint8_t *raw;
	size_t n;
	int ret;

	/* Locked memory only for a seed: sodium_malloc() costs syscalls. */
	raw = b->has_seed ? sodium_malloc(GRID_BUNDLE_BYTES_MAX) :
	      malloc(GRID_BUNDLE_BYTES_MAX);
	if (!raw)
		return -ENOMEM;
	ret = grid_bundle_encode(b, raw, GRID_BUNDLE_BYTES_MAX, &n);
	if (ret)
		goto out;
	if (cap < pre + sodium_base64_ENCODED_LEN(n,
			sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		ret = -ENOSPC;
		goto out;
	}
	memcpy(out, GRID_TOKEN_PREFIX, pre);
	sodium_bin2base64(out + pre, cap - pre, raw, n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
out:
	if (b->has_seed) {
		sodium_free(raw);
	} else {
		free(raw);
	}
	return ret;
}

int grid_token_read(struct grid_bundle *b, const char *text,
		    struct grid_why *why)
{
	const size_t pre = sizeof(GRID_TOKEN_PREFIX) - 1;
	const char *end;
	uint8_t *raw;
	size_t n;
	int ret;

	while (isspace((unsigned char)*text))
		text++;
	end = text + strlen(text);
	while (end > text && isspace((unsigned char)end[-1]))
		end--;
	if ((size_t)(end - text) < pre || memcmp(text, GRID_TOKEN_PREFIX, pre))
		return grid_why_set(why, -EBADMSG,
				    "token: does not start with '%s'",
				    GRID_TOKEN_PREFIX);
	text += pre;
	if ((size_t)(end - text) > GRID_TOKEN_MAX)
		return grid_why_set(why, -EMSGSIZE, "token: too long");
	/*
	 * The alphabet first: libsodium 1.0.18 reads a byte past 0x7f as a
	 * negative char and decodes it as '_', so a token mangled in copying
	 * (UTF-8 where '_' was) would read as another text of the same bundle.
	 */
	if (strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789-_") != (size_t)(end - text))
		return grid_why_set(why, -EBADMSG,
				    "token: not base64url after '%s' (cut short in copying?)",
				    GRID_TOKEN_PREFIX);
	raw = sodium_malloc(GRID_BUNDLE_BYTES_MAX);
	if (!raw)
		return -ENOMEM;
	if (sodium_base642bin(raw, GRID_BUNDLE_BYTES_MAX, text, end - text,
			      NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		ret = grid_why_set(why, -EBADMSG,
				   "token: not base64url after '%s' (cut short in copying?)",
				   GRID_TOKEN_PREFIX);
		goto out;
	}
	ret = grid_bundle_decode(b, raw, n, why);
out:
	sodium_free(raw);
	return ret;
}
