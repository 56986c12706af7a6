// SPDX-License-Identifier: GPL-2.0
/*
 * The link-local beacon's bytes (PROTOCOL.md §10): a CBOR array of the
 * beacon's map (bstr) and the grid's Ed25519 signature over
 * "grid-beacon:" followed by those bytes. Read strictly: exactly the
 * four keys, of now, signed by the key it names.
 */
#include <errno.h>
#include <string.h>

#include "beacon.h"
#include "dcbor.h"
#include "wire.h"

#define BEACON_CONTEXT	"grid-beacon:"

enum { BK_VERSION = 1, BK_IDENTITY = 2, BK_PORT = 3, BK_ISSUED = 4 };

static void beacon_sign(uint8_t sig[GRID_SIG_LEN], const uint8_t *map,
			size_t len, const struct grid_key *k)
{
	uint8_t msg[sizeof(BEACON_CONTEXT) - 1 + PEER_BEACON_MAX];

	memcpy(msg, BEACON_CONTEXT, sizeof(BEACON_CONTEXT) - 1);
	memcpy(msg + sizeof(BEACON_CONTEXT) - 1, map, len);
	grid_sign(sig, msg, sizeof(BEACON_CONTEXT) - 1 + len, k);
}

long peer_beacon_make(const struct grid_key *k, unsigned int port,
		      uint64_t now, uint8_t *out, size_t cap)
{
	uint8_t map[128], sig[GRID_SIG_LEN];
	struct cb_buf b;
	long n;

	cb_init(&b, map, sizeof(map));
	cb_map(&b, 4);
	cb_uint(&b, BK_VERSION);
	cb_uint(&b, PEER_VERSION);
	cb_uint(&b, BK_IDENTITY);
	cb_bytes(&b, k->pk, GRID_PK_LEN);
	cb_uint(&b, BK_PORT);
	cb_uint(&b, port);
	cb_uint(&b, BK_ISSUED);
	cb_uint(&b, now);
	n = cb_end(&b);
	if (n < 0)
		return n;
	beacon_sign(sig, map, n, k);
	cb_init(&b, out, cap);
	cb_array(&b, 2);
	cb_bytes(&b, map, n);
	cb_bytes(&b, sig, GRID_SIG_LEN);
	return cb_end(&b);
}

int peer_beacon_read(const uint8_t *buf, size_t len, uint64_t now,
		      uint8_t pk[GRID_PK_LEN], unsigned int *port,
		      struct grid_why *why)
{
	static struct cb_doc d, m;
	const struct cb_item *map, *sig;
	uint8_t msg[sizeof(BEACON_CONTEXT) - 1 + PEER_BEACON_MAX];
	uint32_t k;
	uint64_t issued;

	if (len > PEER_BEACON_MAX || cb_decode(&d, buf, len) || d.n != 3 ||
	    d.it[0].kind != CB_ARRAY || d.it[0].n != 2 ||
	    d.it[1].kind != CB_BYTES || d.it[2].kind != CB_BYTES ||
	    d.it[2].n != GRID_SIG_LEN)
		return grid_why_set(why, -EBADMSG, "not a beacon");
	map = &d.it[1];
	sig = &d.it[2];
	if (cb_decode(&m, map->p, map->n) || m.n != 9 ||
	    m.it[0].kind != CB_MAP || m.it[0].n != 4)
		return grid_why_set(why, -EBADMSG, "a beacon whose map does not read");
	/* Exactly keys 1 to 4, in order: uint, bstr 32, uint, uint. */
	for (k = 0; k < 4; k++) {
		const struct cb_item *key = &m.it[1 + 2 * k], *v = &m.it[2 + 2 * k];

		if (key->kind != CB_UINT || key->v != k + 1 ||
		    v->kind != (k == 1 ? CB_BYTES : CB_UINT) ||
		    (k == 1 && v->n != GRID_PK_LEN))
			return grid_why_set(why, -EBADMSG, "a beacon of another shape");
	}
	if (m.it[2].v != PEER_VERSION)
		return grid_why_set(why, -EBADMSG, "a beacon of version %llu",
				    (unsigned long long)m.it[2].v);
	memcpy(pk, m.it[4].p, GRID_PK_LEN);
	if (m.it[6].v == 0 || m.it[6].v > 65535)
		return grid_why_set(why, -EBADMSG, "a beacon with no port");
	*port = m.it[6].v;
	issued = m.it[8].v;
	if (issued + PEER_BEACON_SKEW < now || issued > now + PEER_BEACON_SKEW)
		return grid_why_set(why, -EBADMSG, "a beacon not of now (replayed, or a clock off by over %d s)",
				    PEER_BEACON_SKEW);
	if (!grid_pk_ok(pk))
		return grid_why_set(why, -EBADMSG, "a beacon with an invalid key");
	memcpy(msg, BEACON_CONTEXT, sizeof(BEACON_CONTEXT) - 1);
	memcpy(msg + sizeof(BEACON_CONTEXT) - 1, map->p, map->n);
	if (grid_verify(sig->p, msg, sizeof(BEACON_CONTEXT) - 1 + map->n, pk))
		return grid_why_set(why, -EBADMSG, "a beacon whose signature does not verify");
	return 0;
}

