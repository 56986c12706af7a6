// SPDX-License-Identifier: GPL-2.0
/*
 * The link-local beacon's datagram: what peer_beacon_make() writes reads
 * back, and a flipped byte anywhere, a beacon out of its time, another
 * key's signature, and every other shape are refused.
 */
#define UNIT_SUITE "unit/beacon"
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "unit.h"
#include "beacon.h"
#include "dcbor.h"
#include "keys.h"

#define NOW 1796000000ULL

static struct grid_key k, other;
static uint8_t buf[PEER_BEACON_MAX];
static long len;

static void setup(void)
{
	static bool done;
	uint8_t seed[GRID_SEED_LEN];

	if (done)
		return;
	done = true;
	grid_crypto_init();
	memset(seed, 1, sizeof(seed));
	grid_key_from_seed(&k, seed);
	memset(seed, 2, sizeof(seed));
	grid_key_from_seed(&other, seed);
	len = peer_beacon_make(&k, 7470, NOW, buf, sizeof(buf));
}

TEST(a_beacon_reads_back_with_its_key_and_port)
{
	uint8_t pk[GRID_PK_LEN];
	unsigned int port = 0;
	struct grid_why why;

	setup();
	CHECK(len > 0 && len <= PEER_BEACON_MAX);
	CHECK(peer_beacon_read(buf, len, NOW, pk, &port, &why) == 0);
	CHECK(!memcmp(pk, k.pk, GRID_PK_LEN));
	CHECK(port == 7470);
}

TEST(a_flipped_bit_anywhere_is_refused)
{
	uint8_t copy[PEER_BEACON_MAX], pk[GRID_PK_LEN];
	unsigned int port;
	struct grid_why why;
	long i;
	int b;

	setup();
	for (i = 0; i < len; i++) {
		for (b = 0; b < 8; b++) {
			memcpy(copy, buf, len);
			copy[i] ^= 1 << b;
			CHECK(peer_beacon_read(copy, len, NOW, pk, &port, &why) == -EBADMSG);
		}
	}
}

TEST(a_beacon_older_or_newer_than_five_minutes_is_refused)
{
	uint8_t pk[GRID_PK_LEN];
	unsigned int port;
	struct grid_why why;

	setup();
	CHECK(peer_beacon_read(buf, len, NOW + 300, pk, &port, &why) == 0);
	CHECK(peer_beacon_read(buf, len, NOW + 301, pk, &port, &why) == -EBADMSG);
	CHECK(strstr(why.msg, "not of now"));
	CHECK(peer_beacon_read(buf, len, NOW - 301, pk, &port, &why) == -EBADMSG);
}

TEST(a_beacon_signed_by_another_key_is_refused)
{
	uint8_t forged[PEER_BEACON_MAX], theirs[PEER_BEACON_MAX], pk[GRID_PK_LEN];
	long n = peer_beacon_make(&other, 7470, NOW, theirs, sizeof(theirs));
	unsigned int port;
	struct grid_why why;

	setup();
	/* Our map, their signature: the last 64 bytes. */
	CHECK(n == len);
	memcpy(forged, buf, len);
	memcpy(forged + len - GRID_SIG_LEN, theirs + n - GRID_SIG_LEN, GRID_SIG_LEN);
	CHECK(peer_beacon_read(forged, len, NOW, pk, &port, &why) == -EBADMSG);
	CHECK(strstr(why.msg, "does not verify"));
}

TEST(a_beacon_with_no_port_or_too_long_is_refused)
{
	uint8_t b0[PEER_BEACON_MAX], big[PEER_BEACON_MAX + 8] = { 0 }, pk[GRID_PK_LEN];
	long n = peer_beacon_make(&k, 0, NOW, b0, sizeof(b0));
	unsigned int port;
	struct grid_why why;

	setup();
	CHECK(n > 0);
	CHECK(peer_beacon_read(b0, n, NOW, pk, &port, &why) == -EBADMSG);
	CHECK(peer_beacon_read(big, sizeof(big), NOW, pk, &port, &why) == -EBADMSG);
	CHECK(peer_beacon_read(buf, len - 1, NOW, pk, &port, &why) == -EBADMSG);
	CHECK(peer_beacon_read(buf, 0, NOW, pk, &port, &why) == -EBADMSG);
}

TEST(a_map_with_a_fifth_key_is_refused)
{
	uint8_t map[160], out[PEER_BEACON_MAX], msg[200], sig[GRID_SIG_LEN];
	uint8_t pk[GRID_PK_LEN];
	struct cb_buf b;
	unsigned int port;
	struct grid_why why;
	long n;

	setup();
	cb_init(&b, map, sizeof(map));
	cb_map(&b, 5);
	cb_uint(&b, 1);
	cb_uint(&b, 1);
	cb_uint(&b, 2);
	cb_bytes(&b, k.pk, GRID_PK_LEN);
	cb_uint(&b, 3);
	cb_uint(&b, 7470);
	cb_uint(&b, 4);
	cb_uint(&b, NOW);
	cb_uint(&b, 5);
	cb_uint(&b, 0);
	n = cb_end(&b);
	CHECK(n > 0);
	memcpy(msg, "grid-beacon:", 12);
	memcpy(msg + 12, map, n);
	grid_sign(sig, msg, 12 + n, &k);
	cb_init(&b, out, sizeof(out));
	cb_array(&b, 2);
	cb_bytes(&b, map, n);
	cb_bytes(&b, sig, GRID_SIG_LEN);
	CHECK(cb_end(&b) > 0);
	CHECK(peer_beacon_read(out, b.len, NOW, pk, &port, &why) == -EBADMSG);
}

