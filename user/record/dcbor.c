// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic CBOR over libcbor's heads. See cbor.h for what is accepted;
 * the point of this file is that the reader and the writer agree byte for
 * byte, because the reader checks every head against the writer's.
 */
#include <errno.h>
#include <string.h>

#include <cbor.h>

#include "dcbor.h"

/* What libcbor's callbacks saw for one head. */
struct head {
	int kind;		/* enum cb_kind, or -errno */
	uint64_t v;
	const uint8_t *p;
	size_t n;
};

static void set(void *ctx, int kind, uint64_t v, const uint8_t *p, size_t n)
{
	struct head *h = ctx;

	h->kind = kind;
	h->v = v;
	h->p = p;
	h->n = n;
}

static void on_u8(void *c, uint8_t v) { set(c, CB_UINT, v, NULL, 0); }
static void on_u16(void *c, uint16_t v) { set(c, CB_UINT, v, NULL, 0); }
static void on_u32(void *c, uint32_t v) { set(c, CB_UINT, v, NULL, 0); }
static void on_u64(void *c, uint64_t v) { set(c, CB_UINT, v, NULL, 0); }
static void on_n8(void *c, uint8_t v) { set(c, CB_NINT, v, NULL, 0); }
static void on_n16(void *c, uint16_t v) { set(c, CB_NINT, v, NULL, 0); }
static void on_n32(void *c, uint32_t v) { set(c, CB_NINT, v, NULL, 0); }
static void on_n64(void *c, uint64_t v) { set(c, CB_NINT, v, NULL, 0); }
static void on_bytes(void *c, cbor_data p, size_t n) { set(c, CB_BYTES, 0, p, n); }
static void on_text(void *c, cbor_data p, size_t n) { set(c, CB_TEXT, 0, p, n); }
static void on_array(void *c, size_t n) { set(c, CB_ARRAY, 0, NULL, n); }
static void on_map(void *c, size_t n) { set(c, CB_MAP, 0, NULL, n); }
static void on_tag(void *c, uint64_t v) { set(c, CB_TAG, v, NULL, 0); }

/* Indefinite lengths are CBOR, but not deterministic CBOR. */
static void on_indef(void *c) { set(c, -EBADMSG, 0, NULL, 0); }
/* Floats and simple values are CBOR this codec does not carry. */
static void on_simple(void *c) { set(c, -EPROTONOSUPPORT, 0, NULL, 0); }
static void on_float(void *c, float f) { (void)f; on_simple(c); }
static void on_double(void *c, double f) { (void)f; on_simple(c); }
static void on_bool(void *c, bool b) { (void)b; on_simple(c); }

/* Every member is set: libcbor calls them without checking for NULL. */
static const struct cbor_callbacks callbacks = {
	.uint8 = on_u8, .uint16 = on_u16, .uint32 = on_u32, .uint64 = on_u64,
	.negint8 = on_n8, .negint16 = on_n16, .negint32 = on_n32,
	.negint64 = on_n64,
	.byte_string_start = on_indef, .byte_string = on_bytes,
	.string = on_text, .string_start = on_indef,
	.indef_array_start = on_indef, .array_start = on_array,
	.indef_map_start = on_indef, .map_start = on_map,
	.tag = on_tag,
	.float2 = on_float, .float4 = on_float, .float8 = on_double,
	.undefined = on_simple, .null = on_simple, .boolean = on_bool,
	.indef_break = on_indef,
};

/* RFC 3629 UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static bool utf8_ok(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		uint32_t cp;
		size_t k, len;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return false;
		if (n - i < len)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += len;
	}
	return true;
}

/* The head the writer makes for @it, into @out (at most 9 bytes). */
static size_t write_head(const struct cb_item *it, uint8_t *out)
{
	switch (it->kind) {
	case CB_UINT:
		return cbor_encode_uint(it->v, out, 9);
	case CB_NINT:
		return cbor_encode_negint(it->v, out, 9);
	case CB_BYTES:
		return cbor_encode_bytestring_start(it->n, out, 9);
	case CB_TEXT:
		return cbor_encode_string_start(it->n, out, 9);
	case CB_ARRAY:
		return cbor_encode_array_start(it->n, out, 9);
	case CB_MAP:
		return cbor_encode_map_start(it->n, out, 9);
	case CB_TAG:
		return cbor_encode_tag(it->v, out, 9);
	}
	return 0;
}

/* Keys of the map at @m strictly increasing, bytewise (RFC 8949 4.2.1). */
static bool keys_ordered(const struct cb_doc *d, const uint8_t *buf,
			 uint32_t m)
{
	uint32_t k = m + 1, prev = 0, i;

	for (i = 0; i < d->it[m].n; i++) {
		if (i) {
			const struct cb_item *a = &d->it[prev], *b = &d->it[k];
			size_t l = a->len < b->len ? a->len : b->len;
			int c = memcmp(buf + a->off, buf + b->off, l);

			if (c > 0 || (c == 0 && a->len >= b->len))
				return false;
		}
		prev = k;
		k = d->it[d->it[k].end].end;	/* past the value */
	}
	return true;
}

/* Marks @i complete at @pos and checks what can only be checked then. */
static int complete(struct cb_doc *d, const uint8_t *buf, uint32_t i,
		    size_t pos)
{
	struct cb_item *it = &d->it[i];

	it->end = d->n;
	it->len = pos - it->off;
	if (it->kind == CB_MAP && !keys_ordered(d, buf, i))
		return -EBADMSG;
	return 0;
}

int cb_decode(struct cb_doc *d, const uint8_t *buf, size_t len)
{
	struct {
		uint32_t i;
		uint64_t left;	/* children still to come */
	} stack[CB_DEPTH_MAX + 1];
	unsigned int depth = 0;
	size_t pos = 0;
	uint32_t i;
	int ret;

	d->n = 0;
	if (len > CB_INPUT_MAX)
		return -EMSGSIZE;
	do {
		struct cbor_decoder_result r;
		struct head h = { -EBADMSG, 0, NULL, 0 };
		struct cb_item *it;
		uint64_t kids = 0;

		if (d->n == CB_ITEMS_MAX)
			return -EMSGSIZE;
		if (pos == len)
			return -EBADMSG;	/* truncated */
		/*
		 * libcbor 0.8 refuses the one-byte heads of tags 6..20
		 * (0xc6..0xd4) as "unassigned", COSE_Sign1's 18 among them
		 * (PJK/libcbor#307, fixed after Debian 12's 0.8.0). That head
		 * is one byte with the tag in its low five bits: read it here.
		 */
		if (buf[pos] >= 0xc6 && buf[pos] <= 0xd4) {
			h = (struct head){ CB_TAG, buf[pos] - 0xc0, NULL, 0 };
			r = (struct cbor_decoder_result){ .read = 1,
				.status = CBOR_DECODER_FINISHED };
		} else {
			r = cbor_stream_decode(buf + pos, len - pos,
					       &callbacks, &h);
		}
		if (r.status != CBOR_DECODER_FINISHED)
			return -EBADMSG;
		if (h.kind < 0)
			return h.kind;
		it = &d->it[d->n];
		*it = (struct cb_item){ .kind = h.kind, .depth = depth,
					.off = pos, .v = h.v, .p = h.p };
		pos += r.read;
		switch (h.kind) {
		case CB_TEXT:
			if (!utf8_ok(h.p, h.n))
				return -EBADMSG;
			/* fall through */
		case CB_BYTES:
			it->n = h.n;
			break;
		case CB_ARRAY:
		case CB_MAP:
			/* More than could ever fit is refused before counting. */
			if (h.n > CB_ITEMS_MAX)
				return -EMSGSIZE;
			it->n = h.n;
			kids = h.kind == CB_MAP ? 2 * h.n : h.n;
			break;
		case CB_TAG:
			kids = 1;
			break;
		}
		if (depth)
			stack[depth - 1].left--;
		d->n++;
		if (kids) {
			if (depth == CB_DEPTH_MAX)
				return -EMSGSIZE;
			stack[depth].i = d->n - 1;
			stack[depth].left = kids;
			depth++;
			continue;
		}
		ret = complete(d, buf, d->n - 1, pos);
		if (ret)
			return ret;
		while (depth && !stack[depth - 1].left) {
			depth--;
			ret = complete(d, buf, stack[depth].i, pos);
			if (ret)
				return ret;
		}
	} while (depth);
	if (pos != len)
		return -EBADMSG;	/* something after the item */

	/* Every head as the writer would make it: shortest form. */
	for (i = 0; i < d->n; i++) {
		const struct cb_item *it = &d->it[i];
		uint8_t h[9];
		size_t hl = write_head(it, h), have;

		if (it->kind == CB_BYTES || it->kind == CB_TEXT)
			have = it->len - it->n;
		else if (it->end > i + 1)
			have = d->it[i + 1].off - it->off;
		else
			have = it->len;
		if (!hl || hl != have || memcmp(h, buf + it->off, hl))
			return -EBADMSG;
	}
	return 0;
}

uint32_t cb_map_get(const struct cb_doc *d, uint32_t map, uint64_t key)
{
	uint32_t k = map + 1, i;

	if (map >= d->n || d->it[map].kind != CB_MAP)
		return 0;
	for (i = 0; i < d->it[map].n; i++) {
		uint32_t v = d->it[k].end;

		if (d->it[k].kind == CB_UINT && d->it[k].v == key)
			return v;
		k = d->it[v].end;
	}
	return 0;
}

void cb_init(struct cb_buf *b, uint8_t *p, size_t cap)
{
	*b = (struct cb_buf){ .p = p, .cap = cap };
}

long cb_end(const struct cb_buf *b)
{
	return b->overflow ? -EMSGSIZE : (long)b->len;
}

static void advance(struct cb_buf *b, size_t n)
{
	if (!n)
		b->overflow = true;
	else
		b->len += n;
}

#define ROOM(b) ((b)->overflow ? NULL : (b)->p + (b)->len), \
		((b)->overflow ? 0 : (b)->cap - (b)->len)

void cb_uint(struct cb_buf *b, uint64_t v)
{
	advance(b, cbor_encode_uint(v, ROOM(b)));
}

void cb_int(struct cb_buf *b, int64_t v)
{
	if (v >= 0)
		cb_uint(b, v);
	else
		advance(b, cbor_encode_negint((uint64_t)(-1 - v), ROOM(b)));
}

void cb_raw(struct cb_buf *b, const void *p, size_t n)
{
	if (b->overflow || b->cap - b->len < n) {
		b->overflow = true;
		return;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void cb_bytes_head(struct cb_buf *b, size_t n)
{
	advance(b, cbor_encode_bytestring_start(n, ROOM(b)));
}

void cb_bytes(struct cb_buf *b, const void *p, size_t n)
{
	cb_bytes_head(b, n);
	cb_raw(b, p, n);
}

void cb_text(struct cb_buf *b, const char *s, size_t n)
{
	advance(b, cbor_encode_string_start(n, ROOM(b)));
	cb_raw(b, s, n);
}

void cb_array(struct cb_buf *b, size_t n)
{
	advance(b, cbor_encode_array_start(n, ROOM(b)));
}

void cb_map(struct cb_buf *b, size_t n)
{
	advance(b, cbor_encode_map_start(n, ROOM(b)));
}

void cb_tag(struct cb_buf *b, uint64_t tag)
{
	advance(b, cbor_encode_tag(tag, ROOM(b)));
}

void cb_reencode(struct cb_buf *b, const struct cb_doc *d, uint32_t i)
{
	uint32_t end = d->it[i].end;

	for (; i < end; i++) {
		const struct cb_item *it = &d->it[i];
		uint8_t h[9];
		size_t hl = write_head(it, h);

		if (!hl) {
			b->overflow = true;
			return;
		}
		cb_raw(b, h, hl);
		if (it->kind == CB_BYTES || it->kind == CB_TEXT)
			cb_raw(b, it->p, it->n);
	}
}
