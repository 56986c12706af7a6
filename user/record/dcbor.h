/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CBOR that grid's records and local API are made of, and nothing more:
 * unsigned and negative integers, byte and text strings, arrays, maps and
 * tags, in core deterministic encoding (RFC 8949 section 4.2.1): shortest
 * heads, definite lengths, map keys in bytewise order of their encodings.
 *
 * Heads are written and read by Debian's libcbor (its streaming encoders
 * write the shortest head; cbor_stream_decode reads one head at a time).
 * libcbor does not canonicalise, so the order of map keys is ours: writers
 * put keys in order, and the reader refuses any input that its own
 * re-encoding does not reproduce byte for byte, any map whose keys are not
 * strictly increasing, floats, simple values, indefinite lengths and text
 * that is not UTF-8. What it accepts is exactly what a writer here makes.
 */
#ifndef GRID_DCBOR_H
#define GRID_DCBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds of one decoded document. */
#define CB_ITEMS_MAX	1024	/* items, counting every key and value */
#define CB_DEPTH_MAX	8	/* nesting of arrays, maps and tags */
#define CB_INPUT_MAX	65536	/* bytes */

enum cb_kind {
	CB_UINT,	/* v */
	CB_NINT,	/* the integer -1 - v */
	CB_BYTES,	/* p, n bytes */
	CB_TEXT,	/* p, n bytes of UTF-8 */
	CB_ARRAY,	/* n items follow */
	CB_MAP,		/* n key/value pairs follow, 2n items */
	CB_TAG,		/* tag number v; one item follows */
};

/*
 * A decoded item. Items are kept in document order (preorder) in one
 * array, so an array's members and a map's keys and values follow it;
 * @end is the index just past its last descendant. @off and @len locate
 * its whole encoding in the input.
 */
struct cb_item {
	uint8_t kind;
	uint8_t depth;
	uint32_t n;
	uint64_t v;
	const uint8_t *p;
	uint32_t end;
	uint32_t off;
	uint32_t len;
};

struct cb_doc {
	struct cb_item it[CB_ITEMS_MAX];
	uint32_t n;
};

/*
 * Decodes exactly one item from @buf (nothing may follow it). Returns 0,
 * -EMSGSIZE past the bounds above, -EBADMSG for input that is not CBOR or
 * not deterministic, -EPROTONOSUPPORT for a kind this codec does not have
 * (floats, simple values). @doc's byte pointers point into @buf.
 */
int cb_decode(struct cb_doc *doc, const uint8_t *buf, size_t len);

/* The index of the next sibling of item @i: @i's end. */
static inline uint32_t cb_next(const struct cb_doc *d, uint32_t i)
{
	return d->it[i].end;
}

/*
 * In the map at @map, the value whose key is the unsigned integer @key, or
 * 0 if there is none (item 0 is never a value).
 */
uint32_t cb_map_get(const struct cb_doc *d, uint32_t map, uint64_t key);

/*
 * A writer into a caller's buffer. After an overflow every call does
 * nothing and cb_end() says -EMSGSIZE, so callers write a whole record and
 * check once.
 */
struct cb_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool overflow;
};

void cb_init(struct cb_buf *b, uint8_t *p, size_t cap);
/* The length written, or -EMSGSIZE. */
long cb_end(const struct cb_buf *b);
void cb_uint(struct cb_buf *b, uint64_t v);
/* Any int64_t, as an unsigned or negative integer. */
void cb_int(struct cb_buf *b, int64_t v);
void cb_bytes(struct cb_buf *b, const void *p, size_t n);
void cb_text(struct cb_buf *b, const char *s, size_t n);
void cb_array(struct cb_buf *b, size_t n);
void cb_map(struct cb_buf *b, size_t n);
void cb_tag(struct cb_buf *b, uint64_t tag);
/* A byte string head of @n bytes; the caller writes them with cb_raw(). */
void cb_bytes_head(struct cb_buf *b, size_t n);
void cb_raw(struct cb_buf *b, const void *p, size_t n);

/* Re-encodes the item at @i of @d (with its descendants) into @b. */
void cb_reencode(struct cb_buf *b, const struct cb_doc *d, uint32_t i);

#endif
