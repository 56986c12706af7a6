// SPDX-License-Identifier: GPL-2.0
/*
 * The record schema: a fixed sample of every record type, byte for byte,
 * and every way of writing a payload that grid would not have written
 * refused. Bad payloads are written here by hand with the cb_* writer and
 * signed properly by their issuer, so that only the payload is at fault.
 */
#define UNIT_SUITE "unit/record"
#include <errno.h>
#include <stdint.h>

#include <sodium.h>

#include "unit.h"
#include "dcbor.h"
#include "record.h"
#include "record_samples.h"

/* The bytes and id of each sample, from build/tests/tools/record-samples. */
static const struct {
	const char *type, *hex, *id;
} expected[GRID_REC_MAX] = {
	{ "grid",
	  "d28443a10127a05834a501010201035820d04ab232742bb4ab3a1368bd4615e4"
	  "e6d0224ab71a016baf8520a332c9778737041a6b0cc9000764686f6d655840e3"
	  "77004b8998e96b8d85c7d9407dfb93cd78801bb80cef69244026222819fb0962"
	  "05c45b9422ff2303a850d3f47bc0444e21ec2ccd67c08355356e3046d19e02",
	  "84c4a7165a9ef34ae84ee0ad046ae78c2ee997fd41840dc7d3a5e8290919209d" },
	{ "agent",
	  "d28443a10127a0585ea701020201035820d04ab232742bb4ab3a1368bd4615e4"
	  "e6d0224ab71a016baf8520a332c9778737041a6b0cc900061a6cedfc80076561"
	  "6c696365085820c6822637c7d310ec57627be00ba259d253749f4aaf644470cf"
	  "fbe53a35f7324258409bd979b2be8c935b1ea006f4347e564a1528c2ebe2984c"
	  "516edc8dfa16d89e8e2f251e30c3c91a7274fdbce0379367fc63f3d91ed3da6d"
	  "a9ae6d57405d57760d",
	  "d15dfa321ca7ef35a0483adf4eb555b4b384df6009d1c4929ce58e58e38c1f01" },
	{ "member-grid",
	  "d28443a10127a05855a601030201035820d04ab232742bb4ab3a1368bd4615e4"
	  "e6d0224ab71a016baf8520a332c9778737041a6b0cc90007627069085820a09a"
	  "a5f47a6759802ff955f8dc2d2a14a5c99d23be97f864127ff9383455a4f05840"
	  "9304eca8e537cd6a63fe5d60308662d05deacdd85dda9edeae6fc04f7c2f66cf"
	  "bae4c44f51b9f5d1f3ac76792a3c28a419f3f1a418a339c0a7c819576e9c390d",
	  "13c5f60f9f8144823945fdde0d644aa4fa65927e9f6406fb7a12c5e371ed71d6" },
	{ "charter",
	  "d28443a10127a05868aa0104020103582017cb79fb2b4120f2b1ec65e4198d6e"
	  "08b28e813feb01e4a400839b85e18080ce041a6b0cc9000769636c7562686f75"
	  "7365085820d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a3"
	  "32c97787370a800b000c1a00093a8014015840d9511858ee9a2dd81648797b8b"
	  "f67486b707001e278c01fd8f1c1adf9c549dc7cc5a6569cabe2e235f682f1eb5"
	  "60b69127cc07aab31607ff6092d3919715940f",
	  "6c3675d8f9d88b9a3ccfc58e4db6ad2fc7ed1db076d0bacce3a4e7f02dd4af2f" },
	{ "invitation",
	  "d28443a10127a05899aa01050201035820d04ab232742bb4ab3a1368bd4615e4"
	  "e6d0224ab71a016baf8520a332c9778737041a6b0cc900061a6b0e1a80076963"
	  "6c7562686f757365085820d759793bbc13a2819a827c76adb6fba8a49aee007f"
	  "49f2d0992d99b825ad2c4809582017cb79fb2b4120f2b1ec65e4198d6e08b28e"
	  "813feb01e4a400839b85e18080ce0d000e50a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
	  "a5a558406eb87f79777f65cbbf8530651113da7c78e71e3fe2156adcde398df8"
	  "ab2d8e4fab4261841a2bda2cb2ec6acc44b740e5a4c8d2cc740227e44b527789"
	  "e0c25f08",
	  "59eed8f0be115734aa58af62f61b265534d19265a9be33427c648736d26b38ae" },
	{ "membership",
	  "d28443a10127a0587ea801060201035820d759793bbc13a2819a827c76adb6fb"
	  "a8a49aee007f49f2d0992d99b825ad2c48041a6b0cc93c0766667269656e6409"
	  "582017cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e180"
	  "80ce0d000f582059eed8f0be115734aa58af62f61b265534d19265a9be33427c"
	  "648736d26b38ae58400a53691fa05657986334a0a155e14bc2ac6b87f77449dc"
	  "7e0ffa7d70cb29d831811773000debd83fd650be3f65b87466c6eb7ab654a952"
	  "dfc4702b92fc070a0e",
	  "e861b8e14c146ea1a635358ce3ba9c85fd18ef51f65de7c310778a0fcbeff910" },
	{ "leave",
	  "d28443a10127a05874a601070201035820d759793bbc13a2819a827c76adb6fb"
	  "a8a49aee007f49f2d0992d99b825ad2c48041a6b0ce52009582017cb79fb2b41"
	  "20f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce0f5820e861b8"
	  "e14c146ea1a635358ce3ba9c85fd18ef51f65de7c310778a0fcbeff9105840d6"
	  "9dfa8bc35c82bdbefeed1eddff3e890eb3c50f6e248ce36069aa4a947a8a41d6"
	  "5c2bcf0837083b99fb98515b0e81232218c5721062af432c3fa552c4cc8805",
	  "27fb51c591abf36cce5c1635db974f79e003d23286fa532bee34e62adacc19be" },
	{ "revocation",
	  "d28443a10127a05865a801080201035820d04ab232742bb4ab3a1368bd4615e4"
	  "e6d0224ab71a016baf8520a332c9778737041a6b0cd71009582017cb79fb2b41"
	  "20f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce116e6a6f6220"
	  "6d697362656861766564130117025840291af6c9550e43f3335320624c32e3ea"
	  "a63488d173c062817baf8c0e5362f23c15ee7685c62d077ace31476ef97b59e9"
	  "b9e4d7b46f4d3f4034476746f4cce40f",
	  "5bf8888abfdd4f3104f9ea6e750b88529d0affd4444d2a145b9d8ca2deb9ba29" },
	{ "share",
	  "d28443a10127a05894a801090201035820d04ab232742bb4ab3a1368bd4615e4"
	  "e6d0224ab71a016baf8520a332c9778737041a6b0cc9000769636c7562686f75"
	  "736509582017cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b"
	  "85e18080ce12a801194e20021a000186a0031b00000001ad274800041a800000"
	  "0005190100061a00500000081b00000002800000000a1a0001518014015840bb"
	  "cde93e5cf136b0a964bc27942abe67ed6a2f999297f066d4f5cfed0896337c19"
	  "bd84f282b8ddc31cfdb828734b565e031ae4b124804f71dfc241caf60c9f00",
	  "9f9f539b3b0e1750b51b577d348ad7be593d1231a97115a88f288dab19faccae" },
	{ "lease",
	  "d28443a10127a058caad010a0201035820d04ab232742bb4ab3a1368bd4615e4"
	  "e6d0224ab71a016baf8520a332c9778737041a6b0cc900051a6b0cc900061a6b"
	  "0ce5200769636c7562686f757365085820c6822637c7d310ec57627be00ba259"
	  "d253749f4aaf644470cffbe53a35f7324209582017cb79fb2b4120f2b1ec65e4"
	  "198d6e08b28e813feb01e4a400839b85e18080ce12a40119c350021a000186a0"
	  "041a200000000a1a0001518013011401165820d04ab232742bb4ab3a1368bd46"
	  "15e4e6d0224ab71a016baf8520a332c97787375840d672f8a9febea17361c747"
	  "7772dd629461b848552e5de268794f8e8157b61be0f691809f173ccce78ba466"
	  "c4751de07296316578c9cba9fe4bc583f93fd2db06",
	  "7a21bf63338c1280f97d8655f7d726dcb20939b790ce964e69e5e060019f11bb" },
	{ "receipt",
	  "d28443a10127a058c1a9010b0201035820d04ab232742bb4ab3a1368bd4615e4"
	  "e6d0224ab71a016baf8520a332c9778737041a6b0ce520085820c6822637c7d3"
	  "10ec57627be00ba259d253749f4aaf644470cffbe53a35f7324209582017cb79"
	  "fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce0f5820"
	  "7a21bf63338c1280f97d8655f7d726dcb20939b790ce964e69e5e060019f11bb"
	  "130115a7011a0016e360021a12c00000031a00100000041a004000000500061a"
	  "6b0cc90a071a6b0cd008584023b8bd502f6440ed798a9281af880b931e37441b"
	  "807ebd2cf52bbf022cbbe6bdfaaeaf38fba3c00ba673c8b4f6656218bb829e7f"
	  "b1f216e957b439b799557f0f",
	  "86a09c9d9c44ec8a10654f169044eae1bbc8ddd867d567640777c507656b0ef8" },
};

/* The public keys of the sample seeds 11.., 22.., 33.., 44.., 55.., 66... */
static const char *const expected_pk[S_NKEYS] = {
	"d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737",	/* home */
	"a09aa5f47a6759802ff955f8dc2d2a14a5c99d23be97f864127ff9383455a4f0",	/* pi */
	"17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce",	/* clubhouse */
	"d759793bbc13a2819a827c76adb6fba8a49aee007f49f2d0992d99b825ad2c48",	/* friend */
	"c6822637c7d310ec57627be00ba259d253749f4aaf644470cffbe53a35f73242",	/* alice */
	"34b4d9043156cb6dcf0beb0a2949b7559c940d2bcb6dbe8c53a9b30278e3a746",	/* once */
};

static long unhex(uint8_t *buf, size_t cap, const char *hex)
{
	size_t n = 0;
	unsigned int v;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		if (n == cap || sscanf(hex, "%2x", &v) != 1 || !hex[1])
			return -1;
		buf[n++] = v;
		hex += 2;
	}
	return n;
}

static struct grid_signed S[GRID_REC_MAX + 1];	/* the samples */
static struct grid_key K[S_NKEYS];
static struct grid_signed s;			/* what a test opens */
static struct grid_why why;
static struct cb_doc doc;

static bool ready(void)
{
	static int done;
	int i;

	if (!done) {
		done = -1;
		if (grid_crypto_init() || sample_records(S))
			return false;
		for (i = 0; i < S_NKEYS; i++) {
			if (sample_key(i, &K[i]))
				return false;
		}
		done = 1;
	}
	return done == 1;
}

/* Who signs each sample (record_samples.h). */
static enum sample_key signer(uint32_t type)
{
	switch (type) {
	case GRID_REC_CHARTER:
		return S_CLUB;
	case GRID_REC_MEMBERSHIP:
	case GRID_REC_LEAVE:
		return S_FRIEND;
	default:
		return S_HOME;
	}
}

/* The payload of sample @type, in its own bytes. */
static bool sample_payload(uint32_t type, const uint8_t **p, size_t *n)
{
	struct cose_sign1 c;

	if (cose_sign1_parse(&c, S[type].bytes, S[type].len))
		return false;
	*p = c.payload;
	*n = c.payload_len;
	return true;
}

/*
 * One change to a payload: key @key gets the value @hex (its CBOR), or
 * is deleted if @hex is NULL.
 */
struct edit {
	uint64_t key;
	const char *hex;
};

#define DEL NULL

/* Hex of a byte string of the 32 bytes at @pk, in one of a few slots. */
static const char *bstr32(const uint8_t *pk)
{
	static char slot[8][4 + 64 + 1];
	static int next;
	char *h = slot[next++ % 8];

	strcpy(h, "5820");
	sodium_bin2hex(h + 4, 65, pk, 32);
	return h;
}

/*
 * Sample @type's payload with @edits applied, written again with the cb_*
 * writer: keys in increasing order (numeric order is bytewise order for
 * unsigned keys), unchanged values re-encoded from the sample.
 */
static long edited(uint8_t *out, size_t cap, uint32_t type,
		   const struct edit *e, size_t ne)
{
	const uint8_t *p;
	size_t n, i, j, count = 0;
	uint32_t k;
	uint8_t val[GRID_PAYLOAD_MAX];
	struct cb_buf b;
	struct {
		uint64_t key;
		uint32_t orig;		/* value index in doc, or 0 */
		const char *hex;	/* or the edit's value */
		bool del;
	} m[GRID_K_MAX + 1 + GRID_EXT_MAX + 16];
	size_t nm = 0;

	if (!sample_payload(type, &p, &n) || cb_decode(&doc, p, n))
		return -1;
	for (i = 0, k = 1; i < doc.it[0].n; i++) {
		m[nm++] = (typeof(m[0])){ doc.it[k].v, doc.it[k].end, NULL, false };
		k = doc.it[doc.it[k].end].end;
	}
	for (j = 0; j < ne; j++) {
		for (i = 0; i < nm && m[i].key != e[j].key; i++)
			;
		if (i == nm) {
			if (nm == sizeof(m) / sizeof(m[0]))
				return -1;
			m[nm++] = (typeof(m[0])){ e[j].key, 0, NULL, false };
		}
		m[i].orig = 0;
		m[i].hex = e[j].hex;
		m[i].del = !e[j].hex;
	}
	/* Insertion sort by key. */
	for (i = 1; i < nm; i++) {
		for (j = i; j && m[j - 1].key > m[j].key; j--) {
			typeof(m[0]) t = m[j];

			m[j] = m[j - 1];
			m[j - 1] = t;
		}
	}
	for (i = 0; i < nm; i++)
		count += !m[i].del;
	cb_init(&b, out, cap);
	cb_map(&b, count);
	for (i = 0; i < nm; i++) {
		long vn;

		if (m[i].del)
			continue;
		cb_uint(&b, m[i].key);
		if (m[i].orig) {
			cb_reencode(&b, &doc, m[i].orig);
			continue;
		}
		vn = unhex(val, sizeof(val), m[i].hex);
		if (vn < 0)
			return -1;
		cb_raw(&b, val, vn);
	}
	return cb_end(&b);
}

/* Signs @payload with sample key @who and opens it into s: open's answer. */
static int sign_open(const uint8_t *payload, size_t n, enum sample_key who)
{
	static uint8_t buf[GRID_RECORD_MAX];
	size_t len;

	why.msg[0] = '\0';
	if (cose_sign1_make(buf, sizeof(buf), &len, payload, n, &K[who]))
		return -1000;
	return grid_record_open(&s, buf, len, &why);
}

/* Sample @type with @edits, signed by its own issuer and opened. */
static int open_edited(uint32_t type, const struct edit *e, size_t ne)
{
	static uint8_t p[GRID_PAYLOAD_MAX];
	long n = edited(p, sizeof(p), type, e, ne);

	if (n < 0)
		return -1000;
	return sign_open(p, n, signer(type));
}

#define EDITS(...) (const struct edit[]){ __VA_ARGS__ }, \
	sizeof((const struct edit[]){ __VA_ARGS__ }) / sizeof(struct edit)

/* That @why says @what (after a refusal). */
static bool says(const char *what)
{
	if (strstr(why.msg, what))
		return true;
	printf("  why: \"%s\", not \"%s\"\n", why.msg, what);
	return false;
}

/* ---- the samples ---------------------------------------------------------- */

TEST(the_sample_keys_are_the_fixed_public_keys)
{
	uint8_t pk[32];
	int i;

	CHECK(ready());
	for (i = 0; i < S_NKEYS; i++) {
		CHECK(unhex(pk, 32, expected_pk[i]) == 32);
		CHECK(!memcmp(K[i].pk, pk, 32));
	}
}

TEST(every_sample_has_its_fixed_bytes_and_id)
{
	static uint8_t bytes[GRID_RECORD_MAX];
	uint8_t id[GRID_ID_LEN];
	uint32_t t;
	long n;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		CHECK(!strcmp(grid_record_type_name(t), expected[t - 1].type));
		n = unhex(bytes, sizeof(bytes), expected[t - 1].hex);
		CHECK(n > 0 && unhex(id, sizeof(id), expected[t - 1].id) == 32);
		if (S[t].len != (size_t)n || memcmp(S[t].bytes, bytes, n) ||
		    memcmp(S[t].id, id, 32)) {
			printf("  the %s sample changed\n", expected[t - 1].type);
			CHECK(0);
		}
	}
}

/* The next ```hex block of @md from *@pos, its lines joined, into @out. */
static bool next_hex_block(const char *md, const char **pos, char *out, size_t cap)
{
	const char *p = strstr(*pos, "```hex\n"), *end;
	size_t n = 0;

	if (!p)
		return false;
	p += 7;
	end = strstr(p, "```");
	if (!end)
		return false;
	for (; p < end; p++) {
		if (*p == '\n')
			continue;
		if (n + 1 == cap)
			return false;
		out[n++] = *p;
	}
	out[n] = '\0';
	*pos = end + 3;
	return true;
}

TEST(records_md_shows_every_sample_with_its_bytes_and_id)
{
	/* The specification's examples are the samples, byte for byte. */
	static char md[256 * 1024], hex[2 * GRID_RECORD_MAX + 1];
	const char *pos = md;
	FILE *f = fopen("user/record/RECORDS.md", "r");
	size_t n;
	uint32_t t;

	if (!f)
		SKIP("user/record/RECORDS.md is not here (run from the top of the tree)");
	n = fread(md, 1, sizeof(md) - 1, f);
	fclose(f);
	md[n] = '\0';
	for (t = 1; t <= GRID_REC_MAX; t++) {
		CHECK(next_hex_block(md, &pos, hex, sizeof(hex)));
		if (strcmp(hex, expected[t - 1].hex)) {
			printf("  RECORDS.md's %s is not the sample\n", expected[t - 1].type);
			CHECK(0);
		}
		CHECK(strstr(md, expected[t - 1].id));
	}
}

TEST(every_sample_opens_from_its_fixed_bytes_with_its_id)
{
	static uint8_t bytes[GRID_RECORD_MAX];
	uint8_t id[GRID_ID_LEN];
	uint32_t t;
	long n;

	CHECK(grid_crypto_init() == 0);
	for (t = 1; t <= GRID_REC_MAX; t++) {
		n = unhex(bytes, sizeof(bytes), expected[t - 1].hex);
		CHECK(n > 0);
		CHECK(grid_record_open(&s, bytes, n, &why) == 0);
		CHECK(s.r.type == t && s.len == (size_t)n);
		unhex(id, sizeof(id), expected[t - 1].id);
		CHECK(!memcmp(s.id, id, 32));
		grid_record_id(id, bytes, n);
		CHECK(!memcmp(s.id, id, 32));
		crypto_hash_sha256(id, bytes, n);
		CHECK(!memcmp(s.id, id, 32));
	}
}

TEST(every_sample_payload_decodes_and_encodes_to_the_same_bytes)
{
	static uint8_t again[GRID_PAYLOAD_MAX];
	struct grid_record r;
	const uint8_t *p;
	size_t n, len;
	uint32_t t;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		CHECK(sample_payload(t, &p, &n));
		CHECK(grid_record_decode(&r, p, n, &why) == 0);
		CHECK(grid_record_encode(&r, again, sizeof(again), &len, &why) == 0);
		CHECK(len == n && !memcmp(again, p, n));
		/* And it does not fit in one byte less. */
		CHECK(grid_record_encode(&r, again, n - 1, &len, &why) == -EMSGSIZE);
	}
}

TEST(every_sample_signed_again_from_its_decoded_record_is_the_same_record)
{
	static struct grid_signed again;
	uint32_t t;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		CHECK(grid_record_sign(&again, &S[t].r, &K[signer(t)], &why) == 0);
		CHECK(again.len == S[t].len && !memcmp(again.bytes, S[t].bytes, S[t].len));
		CHECK(!memcmp(again.id, S[t].id, 32));
	}
}

TEST(the_samples_decode_to_what_record_samples_h_says)
{
	const struct grid_record *r;

	CHECK(ready());
	r = &S[GRID_REC_GRID].r;
	CHECK(!strcmp(r->name, "home") && r->issued == SAMPLE_T0);
	CHECK(!memcmp(r->issuer, K[S_HOME].pk, 32) && r->version == 1);
	r = &S[GRID_REC_AGENT].r;
	CHECK(!memcmp(r->subject, K[S_ALICE].pk, 32));
	CHECK(r->not_after == SAMPLE_T0 + 365 * 86400);
	CHECK(!(r->has & GRID_HAS(GRID_K_NOT_BEFORE)));
	r = &S[GRID_REC_CHARTER].r;
	CHECK(!strcmp(r->name, "clubhouse") && r->n_admins == 0);
	CHECK(r->invite_max == 7 * 86400 && r->serial == 1 && r->policy == 0);
	r = &S[GRID_REC_INVITATION].r;
	CHECK(r->nonce[0] == 0xa5 && r->nonce[15] == 0xa5 && r->admin == 0);
	r = &S[GRID_REC_MEMBERSHIP].r;
	CHECK(!memcmp(r->ref, S[GRID_REC_INVITATION].id, 32));
	r = &S[GRID_REC_REVOCATION].r;
	CHECK(!strcmp(r->reason, "job misbehaved") && r->kind == GRID_REVOKE_LEASE);
	r = &S[GRID_REC_SHARE].r;
	CHECK(r->limits.cpu_quota_us == 20000 && r->limits.cpu_period_us == 100000);
	CHECK(r->limits.cpu_budget_us == 7200ULL * 1000000);
	CHECK(r->limits.memory_bytes == 2ULL << 30 && r->limits.pids == 256);
	CHECK(r->limits.net_egress_rate == 5ULL << 20);
	CHECK(r->limits.net_ingress_rate == GRID_LIMIT_MAX);
	CHECK(r->limits.net_egress_budget == 10ULL << 30);
	CHECK(r->limits.net_ingress_budget == GRID_LIMIT_MAX);
	CHECK(r->limits.budget_period_s == 86400);
	r = &S[GRID_REC_LEASE].r;
	CHECK(r->not_before == SAMPLE_T0 && r->not_after == SAMPLE_T0 + 7200);
	CHECK(r->limits.memory_bytes == 512ULL << 20 && r->limits.pids == GRID_LIMIT_MAX);
	CHECK(!memcmp(r->holder_grid, K[S_HOME].pk, 32));
	r = &S[GRID_REC_RECEIPT].r;
	CHECK(r->usage.cpu_us == 1500000 && r->usage.ended == SAMPLE_T0 + 1800);
	CHECK(!memcmp(r->ref, S[GRID_REC_LEASE].id, 32));
}

TEST(a_sample_rebuilt_by_hand_and_signed_again_is_the_sample)
{
	/* The tools below change only what their edits say. */
	uint32_t t;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		CHECK(open_edited(t, NULL, 0) == 0);
		CHECK(s.len == S[t].len && !memcmp(s.bytes, S[t].bytes, s.len));
	}
	/* A changed name, signed by the issuer, is a good record. */
	CHECK(open_edited(GRID_REC_GRID, EDITS({ GRID_K_NAME, "6461776179" })) == 0);
	CHECK(!strcmp(s.r.name, "away"));
}

/* ---- cut short, changed, lengthened ------------------------------------- */

TEST(every_sample_cut_short_anywhere_is_refused)
{
	uint32_t t;
	size_t n;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		for (n = 0; n < S[t].len; n++) {
			if (grid_record_open(&s, S[t].bytes, n, &why) == 0) {
				printf("  %s cut to %zu opens\n", expected[t - 1].type, n);
				CHECK(0);
			}
		}
	}
}

TEST(every_sample_with_a_byte_appended_is_refused)
{
	static uint8_t buf[GRID_RECORD_MAX + 1];
	uint32_t t;
	unsigned int v;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		memcpy(buf, S[t].bytes, S[t].len);
		for (v = 0; v < 256; v += 15) {
			buf[S[t].len] = v;
			CHECK(grid_record_open(&s, buf, S[t].len + 1, &why) == -EBADMSG);
		}
	}
}

/*
 * Marks in @inside the bytes of sample @t that are the contents of a byte
 * string of 16 bytes or more (keys, ids, the nonce, the signature): to the
 * decoder every value there is the same, only the point check or the
 * signature tells them apart.
 */
static bool byte_string_contents(uint32_t t, bool *inside)
{
	struct cose_sign1 c;
	size_t off, i, j;

	memset(inside, 0, S[t].len);
	if (cose_sign1_parse(&c, S[t].bytes, S[t].len) ||
	    cb_decode(&doc, c.payload, c.payload_len))
		return false;
	off = c.payload - S[t].bytes;
	for (i = 0; i < doc.n; i++) {
		const struct cb_item *it = &doc.it[i];

		if (it->kind != CB_BYTES || it->n < 16)
			continue;
		for (j = it->len - it->n; j < it->len; j++)
			inside[off + it->off + j] = true;
	}
	for (j = S[t].len - GRID_SIG_LEN; j < S[t].len; j++)
		inside[j] = true;
	return true;
}

/*
 * Every single-byte change of sample @t: every other value of each byte
 * of the structure, the heads, keys, integers and text, and in the
 * contents of long byte strings each bit flipped, all flipped, and a few
 * more. None opens.
 */
static bool every_byte_change_refused(uint32_t t)
{
	static const uint8_t some[] = {
		0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff, 0x55, 0x0f,
	};
	static uint8_t buf[GRID_RECORD_MAX];
	static bool inside[GRID_RECORD_MAX];
	size_t i, n = S[t].len, tried = 0;
	unsigned int v;

	if (!byte_string_contents(t, inside))
		return false;
	memcpy(buf, S[t].bytes, n);
	for (i = 0; i < n; i++) {
		for (v = 1; v < 256; v++) {
			uint8_t x = inside[i] ? (v <= sizeof(some) ? some[v - 1] : 0) : v;

			if (!x)
				break;
			buf[i] ^= x;
			tried++;
			if (grid_record_open(&s, buf, n, &why) == 0) {
				printf("  %s with byte %zu ^ 0x%02x opens\n",
				       expected[t - 1].type, i, x);
				return false;
			}
			buf[i] ^= x;
		}
	}
	return tried > n * sizeof(some);
}

TEST(every_single_byte_change_of_a_grid_or_agent_or_member_grid_is_refused)
{
	CHECK(ready());
	CHECK(every_byte_change_refused(GRID_REC_GRID));
	CHECK(every_byte_change_refused(GRID_REC_AGENT));
	CHECK(every_byte_change_refused(GRID_REC_MEMBER_GRID));
}

TEST(every_single_byte_change_of_a_charter_or_invitation_is_refused)
{
	CHECK(ready());
	CHECK(every_byte_change_refused(GRID_REC_CHARTER));
	CHECK(every_byte_change_refused(GRID_REC_INVITATION));
}

TEST(every_single_byte_change_of_a_membership_leave_or_revocation_is_refused)
{
	CHECK(ready());
	CHECK(every_byte_change_refused(GRID_REC_MEMBERSHIP));
	CHECK(every_byte_change_refused(GRID_REC_LEAVE));
	CHECK(every_byte_change_refused(GRID_REC_REVOCATION));
}

TEST(every_single_byte_change_of_a_share_lease_or_receipt_is_refused)
{
	CHECK(ready());
	CHECK(every_byte_change_refused(GRID_REC_SHARE));
	CHECK(every_byte_change_refused(GRID_REC_LEASE));
	CHECK(every_byte_change_refused(GRID_REC_RECEIPT));
}

/* ---- what the payload may say ------------------------------------------- */

/* A value of the right kind for each key, for adding it where it is not. */
static const char *good_value(unsigned int k)
{
	switch (k) {
	case GRID_K_TYPE: return "01";
	case GRID_K_VERSION: return "01";
	case GRID_K_ISSUER: return bstr32(K[S_HOME].pk);
	case GRID_K_ISSUED: return "1a6b0cc900";
	case GRID_K_NOT_BEFORE: return "1a6b0cc900";		/* T0 */
	case GRID_K_NOT_AFTER: return "1a6b0cc964";		/* T0 + 100 */
	case GRID_K_NAME: return "6178";
	case GRID_K_SUBJECT: return bstr32(K[S_PI].pk);
	case GRID_K_GRIDGRID: return bstr32(K[S_CLUB].pk);
	case GRID_K_ADMINS: return "80";
	case GRID_K_POLICY: return "00";
	case GRID_K_INVITE_MAX: return "01";
	case GRID_K_ADMIN: return "00";
	case GRID_K_NONCE: return "50 0102030405060708090a0b0c0d0e0f10";
	case GRID_K_REF: return bstr32(S[GRID_REC_GRID].id);
	case GRID_K_CLAIM:
		return "5840 0102030405060708090a0b0c0d0e0f10"
		       "0102030405060708090a0b0c0d0e0f10"
		       "0102030405060708090a0b0c0d0e0f10"
		       "0102030405060708090a0b0c0d0e0f10";
	case GRID_K_REASON: return "6172";
	case GRID_K_LIMITS: return "a2 02 1a000186a0 0a 1a00015180";
	case GRID_K_LEASE_ID: return "01";
	case GRID_K_SERIAL: return "01";
	case GRID_K_USAGE: return "a7 0100 0200 0300 0400 0500 0600 0700";
	case GRID_K_HOLDER_GRID: return bstr32(K[S_HOME].pk);
	case GRID_K_KIND: return "01";
	}
	return NULL;
}

/* Whether sample @t has key @k. */
static bool sample_has(uint32_t t, unsigned int k)
{
	return S[t].r.has & GRID_HAS(k);
}

TEST(every_required_field_missing_from_a_sample_is_refused)
{
	uint32_t t;
	unsigned int k;
	int ret, tried = 0;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		for (k = 1; k <= GRID_K_MAX; k++) {
			bool optional = (t == GRID_REC_AGENT && k == GRID_K_NOT_AFTER) ||
					(t == GRID_REC_REVOCATION && k == GRID_K_REASON);

			if (!sample_has(t, k))
				continue;
			ret = open_edited(t, EDITS({ k, DEL }));
			tried++;
			if (optional ? ret != 0 : ret != -EBADMSG) {
				printf("  %s without %s: %d %s\n", expected[t - 1].type,
				       grid_record_key_name(k), ret, why.msg);
				CHECK(0);
			}
		}
	}
	CHECK(tried > 60);
	/* What it says, for one of them. */
	CHECK(open_edited(GRID_REC_LEASE, EDITS({ GRID_K_HOLDER_GRID, DEL })) == -EBADMSG);
	CHECK(says("lease: no holder_grid"));
}

TEST(every_field_a_type_does_not_have_is_refused_and_its_optional_ones_accepted)
{
	uint32_t t;
	unsigned int k;
	int ret;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		for (k = 1; k <= GRID_K_MAX; k++) {
			bool allowed = (t == GRID_REC_AGENT && k == GRID_K_NOT_BEFORE) ||
				       (t == GRID_REC_MEMBER_GRID &&
					(k == GRID_K_NOT_BEFORE || k == GRID_K_NOT_AFTER)) ||
				       (t == GRID_REC_INVITATION && k == GRID_K_NOT_BEFORE) ||
				       (t == GRID_REC_MEMBERSHIP && k == GRID_K_CLAIM);

			if (sample_has(t, k))
				continue;
			ret = open_edited(t, EDITS({ k, good_value(k) }));
			if (allowed ? ret != 0 : ret != -EBADMSG) {
				printf("  %s with %s: %d %s\n", expected[t - 1].type,
				       grid_record_key_name(k), ret, why.msg);
				CHECK(0);
			}
			if (allowed)
				CHECK(s.r.has & GRID_HAS(k));
		}
	}
	CHECK(open_edited(GRID_REC_GRID, EDITS({ GRID_K_CLAIM, good_value(GRID_K_CLAIM) })) == -EBADMSG);
	CHECK(says("grid: a grid has no field claim"));
}

TEST(every_field_of_every_sample_with_a_value_of_another_kind_is_refused)
{
	static const char *const wrong[] = {
		"20", "3903e7", "4100", "40", "6178", "80", "8101", "a0", "a10101",
		"c100", "1bffffffffffffffff",
	};
	uint32_t t;
	unsigned int k;
	size_t w;
	int ret;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		for (k = 1; k <= GRID_K_MAX; k++) {
			if (!sample_has(t, k))
				continue;
			for (w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
				/* Skip the ones that are of the right kind. */
				if ((w == 4 && (k == GRID_K_NAME || k == GRID_K_REASON)) ||
				    (w == 5 && k == GRID_K_ADMINS) ||
				    (w == 10 && (k == GRID_K_ISSUED ||
						 k == GRID_K_NOT_AFTER ||
						 k == GRID_K_NOT_BEFORE ||
						 k == GRID_K_INVITE_MAX ||
						 k == GRID_K_LEASE_ID ||
						 k == GRID_K_SERIAL)))
					continue;
				ret = open_edited(t, EDITS({ k, wrong[w] }));
				if (ret != -EBADMSG) {
					printf("  %s with %s = %s: %d\n", expected[t - 1].type,
					       grid_record_key_name(k), wrong[w], ret);
					CHECK(0);
				}
			}
		}
	}
}

TEST(byte_strings_of_the_wrong_length_are_refused)
{
	static const struct { unsigned int k; uint32_t t; const char *hex; } bad[] = {
		{ GRID_K_ISSUER, GRID_REC_GRID, "581f 000000000000000000000000000000"
		  "00000000000000000000000000000000" },
		{ GRID_K_SUBJECT, GRID_REC_AGENT, "5821 c6822637c7d310ec57627be00ba259d2"
		  "53749f4aaf644470cffbe53a35f73242 00" },
		{ GRID_K_NONCE, GRID_REC_INVITATION, "4f a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5" },
		{ GRID_K_NONCE, GRID_REC_INVITATION, "51 a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5" },
		{ GRID_K_REF, GRID_REC_LEAVE, "40" },
		{ GRID_K_GRIDGRID, GRID_REC_SHARE, "5840"
		  "17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce"
		  "17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce" },
	};
	size_t i;

	CHECK(ready());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(open_edited(bad[i].t, EDITS({ bad[i].k, bad[i].hex })) == -EBADMSG);
	CHECK(says("is not a byte string of 32"));
	CHECK(open_edited(GRID_REC_MEMBERSHIP, EDITS({ GRID_K_CLAIM, "5820"
		"0102030405060708090a0b0c0d0e0f100102030405060708090a0b0c0d0e0f10" })) == -EBADMSG);
	CHECK(says("membership: claim is not a byte string of 64"));
}

TEST(values_past_their_range_are_refused)
{
	static const struct { uint32_t t; unsigned int k; const char *hex; } bad[] = {
		{ GRID_REC_GRID, GRID_K_TYPE, "00" },
		{ GRID_REC_GRID, GRID_K_TYPE, "0c" },
		{ GRID_REC_GRID, GRID_K_TYPE, "1b0000000100000001" },
		{ GRID_REC_GRID, GRID_K_VERSION, "00" },
		{ GRID_REC_GRID, GRID_K_VERSION, "02" },
		{ GRID_REC_GRID, GRID_K_VERSION, "1b0000000100000001" },
		{ GRID_REC_INVITATION, GRID_K_ADMIN, "02" },
		{ GRID_REC_CHARTER, GRID_K_POLICY, "02" },
		{ GRID_REC_CHARTER, GRID_K_POLICY, "03" },
		{ GRID_REC_REVOCATION, GRID_K_KIND, "00" },
		{ GRID_REC_REVOCATION, GRID_K_KIND, "03" },
		{ GRID_REC_LEASE, GRID_K_LEASE_ID, "00" },
		{ GRID_REC_LEASE, GRID_K_NOT_AFTER, "1a6b0cc900" },	/* = not_before */
		{ GRID_REC_LEASE, GRID_K_NOT_AFTER, "1a6b0cc8ff" },	/* before it */
	};
	size_t i;

	CHECK(ready());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (open_edited(bad[i].t, EDITS({ bad[i].k, bad[i].hex })) != -EBADMSG) {
			printf("  %s %s = %s\n", expected[bad[i].t - 1].type,
			       grid_record_key_name(bad[i].k), bad[i].hex);
			CHECK(0);
		}
	}
	CHECK(open_edited(GRID_REC_GRID, EDITS({ GRID_K_VERSION, "02" })) == -EBADMSG);
	CHECK(says("grid: format version 2, not 1"));
	CHECK(open_edited(GRID_REC_GRID, EDITS({ GRID_K_TYPE, "0c" })) == -EBADMSG);
	CHECK(says("unknown record type 12"));
	/* The largest values that are in range. */
	CHECK(open_edited(GRID_REC_CHARTER, EDITS({ GRID_K_POLICY, "01" })) == 0);
	CHECK(open_edited(GRID_REC_INVITATION, EDITS({ GRID_K_ADMIN, "01" })) == 0);
	CHECK(open_edited(GRID_REC_LEASE, EDITS({ GRID_K_LEASE_ID, "1bffffffffffffffff" })) == 0);
	CHECK(open_edited(GRID_REC_GRID, EDITS({ GRID_K_ISSUED, "1bffffffffffffffff" })) == 0);
}

TEST(a_record_of_one_type_with_another_types_number_is_refused)
{
	uint32_t t, other;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		for (other = 1; other <= GRID_REC_MAX; other++) {
			char hex[4];

			if (other == t)
				continue;
			/* An agent and a member grid have the same fields. */
			if ((t == GRID_REC_AGENT && other == GRID_REC_MEMBER_GRID) ||
			    (t == GRID_REC_MEMBER_GRID && other == GRID_REC_AGENT)) {
				snprintf(hex, sizeof(hex), "%02x", other);
				CHECK(open_edited(t, EDITS({ GRID_K_TYPE, hex })) == 0);
				continue;
			}
			snprintf(hex, sizeof(hex), "%02x", other);
			CHECK(open_edited(t, EDITS({ GRID_K_TYPE, hex })) == -EBADMSG);
		}
	}
}

TEST(an_explicit_unlimited_limit_is_refused)
{
	/* Absent means unlimited; 2^64 - 1 written out is a second encoding. */
	static const char *const bad[] = {
		"a5 01 19c350 02 1a000186a0 03 1bffffffffffffffff 04 1a20000000 0a 1a00015180",
		"a4 01 1bffffffffffffffff 02 1a000186a0 04 1a20000000 0a 1a00015180",
		"a5 01 19c350 02 1a000186a0 04 1a20000000 05 1bffffffffffffffff 0a 1a00015180",
		"a5 01 19c350 02 1a000186a0 04 1a20000000 09 1bffffffffffffffff 0a 1a00015180",
	};
	size_t i;

	CHECK(ready());
	/* The sample's own limits map, as written here, opens. */
	CHECK(open_edited(GRID_REC_LEASE, EDITS({ GRID_K_LIMITS,
		"a4 01 19c350 02 1a000186a0 04 1a20000000 0a 1a00015180" })) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(open_edited(GRID_REC_LEASE, EDITS({ GRID_K_LIMITS, bad[i] })) == -EBADMSG);
		CHECK(says("explicit unlimited"));
	}
	/* One less than unlimited is a limit. */
	CHECK(open_edited(GRID_REC_LEASE, EDITS({ GRID_K_LIMITS,
		"a5 01 19c350 02 1a000186a0 03 1bfffffffffffffffe 04 1a20000000 0a 1a00015180" })) == 0);
	CHECK(s.r.limits.cpu_budget_us == GRID_LIMIT_MAX - 1);
}

TEST(limits_out_of_range_or_incomplete_are_refused)
{
	static const char *const bad[] = {
		"a1 02 1a000186a0",			/* no budget period */
		"a1 0a 1a00015180",			/* no cpu period */
		"a0",
		"a2 02 1903e7 0a 1a00015180",		/* period 999 us */
		"a2 02 1a000f4241 0a 1a00015180",	/* period 1000001 us */
		"a2 02 1bffffffffffffffff 0a 1a00015180",
		"a3 01 1903e7 02 1a000186a0 0a 1a00015180",	/* quota 999 us */
		"a2 02 1a000186a0 0a 00",		/* budget period 0 */
		"a2 02 1a000186a0 0a 1b0000000100000000",	/* past 2^32 - 1 */
		"a3 00 00 02 1a000186a0 0a 1a00015180",	/* key 0 */
		"a3 02 1a000186a0 0a 1a00015180 0b 00",	/* key 11 */
		"a3 02 1a000186a0 0a 1a00015180 20 00",	/* key -1 */
		"a3 02 1a000186a0 0a 1a00015180 6161 00",	/* a text key */
		"a3 01 20 02 1a000186a0 0a 1a00015180",	/* a negative limit */
		"a3 01 4100 02 1a000186a0 0a 1a00015180",
		"a2 0a 1a00015180 02 1a000186a0",	/* out of order */
	};
	size_t i;

	CHECK(ready());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (open_edited(GRID_REC_SHARE, EDITS({ GRID_K_LIMITS, bad[i] })) != -EBADMSG) {
			printf("  limits %s\n", bad[i]);
			CHECK(0);
		}
	}
	/* The edges that are fine. */
	CHECK(open_edited(GRID_REC_SHARE, EDITS({ GRID_K_LIMITS,
		"a3 01 1903e8 02 1903e8 0a 1affffffff" })) == 0);
	CHECK(s.r.limits.cpu_quota_us == 1000 && s.r.limits.budget_period_s == UINT32_MAX);
	CHECK(open_edited(GRID_REC_SHARE, EDITS({ GRID_K_LIMITS,
		"a2 02 1a000f4240 0a 01" })) == 0);
	CHECK(s.r.limits.memory_bytes == GRID_LIMIT_MAX);
}

TEST(usage_with_a_field_missing_or_unknown_is_refused)
{
	static const char *const bad[] = {
		"a6 0100 0200 0300 0400 0500 0600",
		"a6 0200 0300 0400 0500 0600 0700",
		"a8 0100 0200 0300 0400 0500 0600 0700 0800",
		"a8 0000 0100 0200 0300 0400 0500 0600 0700",
		"a7 0120 0200 0300 0400 0500 0600 0700",
		"a0", "80",
	};
	size_t i;

	CHECK(ready());
	CHECK(open_edited(GRID_REC_RECEIPT, EDITS({ GRID_K_USAGE,
		"a7 0101 0202 0303 0404 0505 0606 0707" })) == 0);
	CHECK(s.r.usage.cpu_us == 1 && s.r.usage.ended == 7);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(open_edited(GRID_REC_RECEIPT, EDITS({ GRID_K_USAGE, bad[i] })) == -EBADMSG);
}

TEST(names_that_are_not_grid_names_are_refused)
{
	static const char *const bad[] = {
		"60",				/* empty */
		"6448756d65",			/* "Hume" */
		"652f686f6d65",			/* "/home" */
		"612e", "622e2e",		/* "." and ".." */
		"63610062",			/* a NUL inside */
		"6568 6f20 6d65",		/* a space */
		"62c3a9",			/* not ASCII */
		"7820 6161616161616161616161616161616161616161616161616161616161616161",
		"4468 6f6d65",			/* bytes, not text */
	};
	size_t i;

	CHECK(ready());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (open_edited(GRID_REC_GRID, EDITS({ GRID_K_NAME, bad[i] })) != -EBADMSG) {
			printf("  name %s\n", bad[i]);
			CHECK(0);
		}
	}
	/* 31 bytes of every kind of character a name may have. */
	CHECK(open_edited(GRID_REC_GRID, EDITS({ GRID_K_NAME,
		"781f 612d302e395f7a616161616161616161616161616161616161616161616161" })) == 0);
	CHECK(strlen(s.r.name) == 31);
}

TEST(reasons_too_long_or_with_control_characters_are_refused)
{
	static char hex[2 * 210 + 8];
	size_t i;

	CHECK(ready());
	strcpy(hex, "78c8");
	for (i = 0; i < 200; i++)
		strcat(hex, "41");
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_REASON, hex })) == 0);
	CHECK(strlen(s.r.reason) == 200);
	hex[3] = '9';
	strcat(hex, "41");
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_REASON, hex })) == -EBADMSG);
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_REASON, "63610a62" })) == -EBADMSG);
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_REASON, "63617f62" })) == -EBADMSG);
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_REASON, "6109" })) == -EBADMSG);
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_REASON, "63610062" })) == -EBADMSG);
	/* Text that is not ASCII is a reason. */
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_REASON,
		"6a 6ac3a3 c3a3 c3a3 c3a3 2e" })) == 0);
}

TEST(a_revocation_names_exactly_what_its_kind_revokes)
{
	const char *subject;

	CHECK(ready());
	subject = bstr32(K[S_FRIEND].pk);
	/* Of a member: the subject, not a lease id. */
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_SUBJECT, subject },
		{ GRID_K_LEASE_ID, DEL }, { GRID_K_KIND, "01" })) == 0);
	CHECK(s.r.kind == GRID_REVOKE_MEMBER);
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_KIND, "01" })) == -EBADMSG);
	CHECK(says("kind 1 needs exactly one"));
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_SUBJECT, subject },
		{ GRID_K_KIND, "01" })) == -EBADMSG);
	/* Of a lease: the lease id, not a subject. */
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_SUBJECT, subject })) == -EBADMSG);
	CHECK(open_edited(GRID_REC_REVOCATION, EDITS({ GRID_K_LEASE_ID, DEL })) == -EBADMSG);
}

/* ---- keys: critical, extensions ------------------------------------------ */

TEST(unknown_critical_keys_are_refused)
{
	static const uint64_t keys[] = { 0, 24, 25, 40, 62, 63 };
	size_t i;
	char want[64];

	CHECK(ready());
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		CHECK(open_edited(GRID_REC_GRID, EDITS({ keys[i], "00" })) == -EBADMSG);
		snprintf(want, sizeof(want), "unknown critical field %llu",
			 (unsigned long long)keys[i]);
		CHECK(says(want));
	}
}

TEST(extension_keys_are_accepted_kept_and_encoded_again_the_same)
{
	static uint8_t again[GRID_PAYLOAD_MAX];
	static struct grid_signed resigned;
	const uint8_t *p;
	size_t n, len;
	struct cose_sign1 c;

	CHECK(ready());
	CHECK(open_edited(GRID_REC_LEASE, EDITS({ 64, "6568656c6c6f" },
		{ 1000, "a2 01 82 6161 c1 00 02 40" },
		{ UINT64_MAX, "3bffffffffffffffff" })) == 0);
	CHECK(s.r.n_ext == 3);
	CHECK(s.r.ext[0].key == 64 && s.r.ext[0].len == 6);
	CHECK(!memcmp(s.r.ext[0].val, "\x65hello", 6));
	CHECK(s.r.ext[1].key == 1000 && s.r.ext[1].len == 9);
	CHECK(s.r.ext[2].key == UINT64_MAX && s.r.ext[2].len == 9);
	/* ext[] points into the record's own bytes. */
	CHECK(s.r.ext[0].val > s.bytes && s.r.ext[2].val < s.bytes + s.len);
	CHECK(cose_sign1_parse(&c, s.bytes, s.len) == 0);
	p = c.payload;
	n = c.payload_len;
	CHECK(grid_record_encode(&s.r, again, sizeof(again), &len, &why) == 0);
	CHECK(len == n && !memcmp(again, p, n));
	/* Signed again from the struct, it is the same record. */
	CHECK(grid_record_sign(&resigned, &s.r, &K[S_HOME], &why) == 0);
	CHECK(resigned.len == s.len && !memcmp(resigned.bytes, s.bytes, s.len));
	CHECK(!memcmp(resigned.id, s.id, 32));
	CHECK(resigned.r.ext[0].val >= resigned.bytes &&
	      resigned.r.ext[0].val < resigned.bytes + resigned.len);
}

TEST(extension_values_are_still_deterministic_cbor)
{
	CHECK(ready());
	CHECK(open_edited(GRID_REC_GRID, EDITS({ 64, "a2 02 00 01 00" })) == -EBADMSG);
	CHECK(open_edited(GRID_REC_GRID, EDITS({ 64, "1817" })) == -EBADMSG);
	CHECK(open_edited(GRID_REC_GRID, EDITS({ 64, "f93c00" })) == -EBADMSG);
	CHECK(says("float or simple"));
	CHECK(open_edited(GRID_REC_GRID, EDITS({ 64, "9f01ff" })) == -EBADMSG);
}

TEST(at_most_grid_ext_max_extensions_are_accepted)
{
	CHECK(ready());
	CHECK(open_edited(GRID_REC_GRID, EDITS({ 64, "00" }, { 65, "00" }, { 66, "00" },
		{ 67, "00" }, { 68, "00" }, { 69, "00" }, { 70, "00" }, { 71, "00" })) == 0);
	CHECK(s.r.n_ext == GRID_EXT_MAX);
	CHECK(open_edited(GRID_REC_GRID, EDITS({ 64, "00" }, { 65, "00" }, { 66, "00" },
		{ 67, "00" }, { 68, "00" }, { 69, "00" }, { 70, "00" }, { 71, "00" },
		{ 72, "00" })) == -EBADMSG);
	CHECK(says("too many extensions"));
}

TEST(encode_refuses_extensions_below_64_or_out_of_order)
{
	struct grid_record r;
	uint8_t buf[512];
	size_t len;

	CHECK(ready());
	r = S[GRID_REC_GRID].r;
	r.n_ext = 2;
	r.ext[0] = (struct grid_ext){ 70, (const uint8_t *)"\x00", 1 };
	r.ext[1] = (struct grid_ext){ 64, (const uint8_t *)"\x00", 1 };
	CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == -EINVAL);
	r.ext[1].key = 70;
	CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == -EINVAL);
	r.ext[0].key = 63;
	CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == -EINVAL);
	r.ext[0].key = 64;
	CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == 0);
	r.n_ext = GRID_EXT_MAX + 1;
	CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == -EINVAL);
}

TEST(payload_keys_that_are_not_small_unsigned_integers_are_refused)
{
	static const char *const bad[] = {
		"a2 01 01 20 00",			/* -1 */
		"a2 01 01 6161 00",			/* text */
		"a2 01 01 4101 00",			/* bytes */
		"a2 01 01 80 00",			/* an array */
	};
	uint8_t p[64];
	size_t i;
	long n;

	CHECK(ready());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = unhex(p, sizeof(p), bad[i]);
		CHECK(sign_open(p, n, S_HOME) == -EBADMSG);
	}
	CHECK(says("key that is not an unsigned integer"));
	/* Payloads that are not maps. */
	CHECK(sign_open((const uint8_t *)"\x80", 1, S_HOME) == -EBADMSG);
	CHECK(says("payload is not a map"));
	CHECK(sign_open((const uint8_t *)"\x40", 1, S_HOME) == -EBADMSG);
	CHECK(sign_open((const uint8_t *)"", 0, S_HOME) == -EBADMSG);
	CHECK(sign_open((const uint8_t *)"\xa0", 1, S_HOME) == -EBADMSG);
}

/* ---- admins --------------------------------------------------------------- */

/* The hex of an array of the keys at @pk[@order[i]]. */
static const char *admins_hex(uint8_t pk[][32], const int *order, int n)
{
	static char hex[4 + 17 * (4 + 64) + 1];
	int i;

	snprintf(hex, sizeof(hex), n < 24 ? "%02x" : "98%02x", n < 24 ? 0x80 + n : n);
	for (i = 0; i < n; i++)
		strcat(hex, bstr32(pk[order[i]]));
	return hex;
}

/* 17 valid keys in increasing order of their bytes. */
static bool sorted_keys(uint8_t pk[17][32])
{
	struct grid_key k;
	uint8_t seed[32];
	int i, j;

	for (i = 0; i < 17; i++) {
		memset(seed, 0x80 + i, sizeof(seed));
		if (grid_key_from_seed(&k, seed))
			return false;
		memcpy(pk[i], k.pk, 32);
		grid_key_free(&k);
	}
	for (i = 1; i < 17; i++) {
		for (j = i; j && memcmp(pk[j - 1], pk[j], 32) > 0; j--) {
			uint8_t t[32];

			memcpy(t, pk[j], 32);
			memcpy(pk[j], pk[j - 1], 32);
			memcpy(pk[j - 1], t, 32);
		}
	}
	return true;
}

TEST(charter_admins_in_increasing_order_are_accepted_and_in_any_other_refused)
{
	static const int order[17] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				       13, 14, 15, 16 };
	static const int swapped[] = { 1, 0 }, repeated[] = { 0, 0 },
			 last_swapped[] = { 0, 1, 3, 2 };
	uint8_t pk[17][32];

	CHECK(ready());
	CHECK(sorted_keys(pk));
	CHECK(open_edited(GRID_REC_CHARTER, EDITS({ GRID_K_ADMINS, admins_hex(pk, order, 2) })) == 0);
	CHECK(s.r.n_admins == 2 && !memcmp(s.r.admins[1], pk[1], 32));
	CHECK(open_edited(GRID_REC_CHARTER, EDITS({ GRID_K_ADMINS, admins_hex(pk, swapped, 2) })) == -EBADMSG);
	CHECK(says("admins are not in increasing order"));
	CHECK(open_edited(GRID_REC_CHARTER, EDITS({ GRID_K_ADMINS, admins_hex(pk, repeated, 2) })) == -EBADMSG);
	CHECK(open_edited(GRID_REC_CHARTER, EDITS({ GRID_K_ADMINS, admins_hex(pk, last_swapped, 4) })) == -EBADMSG);
	CHECK(open_edited(GRID_REC_CHARTER, EDITS({ GRID_K_ADMINS, admins_hex(pk, order, 16) })) == 0);
	CHECK(s.r.n_admins == 16);
	CHECK(open_edited(GRID_REC_CHARTER, EDITS({ GRID_K_ADMINS, admins_hex(pk, order, 17) })) == -EBADMSG);
	CHECK(says("too many keys"));
}

TEST(encode_refuses_admins_out_of_order_or_of_small_order)
{
	struct grid_record r;
	uint8_t buf[1024], pk[17][32];
	size_t len;

	CHECK(ready());
	CHECK(sorted_keys(pk));
	r = S[GRID_REC_CHARTER].r;
	r.n_admins = 2;
	memcpy(r.admins[0], pk[1], 32);
	memcpy(r.admins[1], pk[0], 32);
	CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == -EINVAL);
	CHECK(says("charter: admins are not in increasing order, or repeat"));
	memcpy(r.admins[0], pk[0], 32);
	memcpy(r.admins[1], pk[1], 32);
	CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == 0);
	memset(r.admins[1], 0, 32);
	r.admins[1][0] = 1;	/* the identity */
	memset(r.admins[0], 0, 32);	/* of order 4, and smaller */
	CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == -EINVAL);
	CHECK(says("admin 1 is not a valid Ed25519 public key"));
	r.n_admins = GRID_ADMINS_MAX + 1;
	CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == -EINVAL);
}

/* ---- keys of small order --------------------------------------------------- */

static const char *const small_order[] = {
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	/* not on the curve, and not canonical */
	"0200000000000000000000000000000000000000000000000000000000000000",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

TEST(a_record_whose_subject_is_a_small_order_key_is_refused_by_encode)
{
	struct grid_record r;
	uint8_t buf[512];
	size_t i, len;

	CHECK(ready());
	for (i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++) {
		r = S[GRID_REC_AGENT].r;
		unhex(r.subject, 32, small_order[i]);
		CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == -EINVAL);
		CHECK(says("agent: subject is not a valid Ed25519 public key"));
		CHECK(grid_record_sign(&s, &r, &K[S_HOME], &why) == -EINVAL);
		r = S[GRID_REC_LEASE].r;
		unhex(r.holder_grid, 32, small_order[i]);
		CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == -EINVAL);
		r = S[GRID_REC_INVITATION].r;
		unhex(r.gridgrid, 32, small_order[i]);
		CHECK(grid_record_encode(&r, buf, sizeof(buf), &len, &why) == -EINVAL);
	}
}

TEST(a_record_whose_subject_or_any_key_is_of_small_order_is_refused_by_open)
{
	char hex[4 + 64 + 1];
	size_t i;

	CHECK(ready());
	for (i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++) {
		snprintf(hex, sizeof(hex), "5820%s", small_order[i]);
		CHECK(open_edited(GRID_REC_AGENT, EDITS({ GRID_K_SUBJECT, hex })) == -EBADMSG);
		CHECK(says("agent: subject is not a valid Ed25519 public key"));
		CHECK(open_edited(GRID_REC_LEASE, EDITS({ GRID_K_SUBJECT, hex })) == -EBADMSG);
		CHECK(open_edited(GRID_REC_LEASE, EDITS({ GRID_K_HOLDER_GRID, hex })) == -EBADMSG);
		CHECK(open_edited(GRID_REC_INVITATION, EDITS({ GRID_K_GRIDGRID, hex })) == -EBADMSG);
		/* An issuer of small order, whatever key signed. */
		CHECK(open_edited(GRID_REC_GRID, EDITS({ GRID_K_ISSUER, hex })) == -EBADMSG);
		CHECK(says("grid: issuer is not a valid Ed25519 public key"));
	}
}

/* ---- signatures and headers ------------------------------------------------- */

TEST(a_payload_signed_by_a_valid_key_that_is_not_its_issuer_is_refused)
{
	const uint8_t *p;
	size_t n;
	uint32_t t;
	int who;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		CHECK(sample_payload(t, &p, &n));
		for (who = 0; who < S_NKEYS; who++) {
			if (who == (int)signer(t))
				continue;
			CHECK(sign_open(p, n, who) == -EBADMSG);
			CHECK(says("the signature does not verify"));
		}
		CHECK(sign_open(p, n, signer(t)) == 0);
	}
}

TEST(a_tampered_payload_signed_by_a_key_other_than_its_issuer_is_refused)
{
	static uint8_t p[GRID_PAYLOAD_MAX];
	const char *alice;
	long n;

	CHECK(ready());
	alice = bstr32(K[S_ALICE].pk);
	/* The lease made longer and signed by its holder, or by the grid-grid. */
	n = edited(p, sizeof(p), GRID_REC_LEASE,
		   EDITS({ GRID_K_NOT_AFTER, "1a6b0d01bf" }));
	CHECK(n > 0);
	CHECK(sign_open(p, n, S_ALICE) == -EBADMSG);
	CHECK(sign_open(p, n, S_CLUB) == -EBADMSG);
	/* Signed by its issuer, it is a good record (of another lease). */
	CHECK(sign_open(p, n, S_HOME) == 0);
	CHECK(s.r.not_after == 0x6b0d01bf);
	/* With the issuer changed to the signer, it is alice's own record. */
	n = edited(p, sizeof(p), GRID_REC_LEASE,
		   EDITS({ GRID_K_NOT_AFTER, "1a6b0d01bf" }, { GRID_K_ISSUER, alice }));
	CHECK(n > 0);
	CHECK(sign_open(p, n, S_HOME) == -EBADMSG);
	CHECK(sign_open(p, n, S_ALICE) == 0);
	CHECK(!memcmp(s.r.issuer, K[S_ALICE].pk, 32));
}

TEST(grid_record_sign_refuses_a_key_that_is_not_the_issuer)
{
	static struct grid_signed out;

	CHECK(ready());
	CHECK(grid_record_sign(&out, &S[GRID_REC_GRID].r, &K[S_PI], &why) == -EINVAL);
	CHECK(says("the issuer is not the signing key"));
}

/* Sample @type's payload in a COSE_Sign1 written here, properly signed. */
static long hand_cose(uint8_t *out, size_t cap, uint32_t type, uint64_t tag,
		      const char *prot, const char *unprot)
{
	static uint8_t tbs[GRID_RECORD_MAX + 64];
	uint8_t ph[32], uh[64], sig[64];
	long pn = unhex(ph, sizeof(ph), prot), un = unhex(uh, sizeof(uh), unprot);
	const uint8_t *p;
	struct cb_buf b;
	size_t n;

	if (pn < 0 || un < 0 || !sample_payload(type, &p, &n))
		return -1;
	cb_init(&b, tbs, sizeof(tbs));
	cb_array(&b, 4);
	cb_text(&b, "Signature1", 10);
	cb_bytes(&b, ph, pn);
	cb_bytes(&b, NULL, 0);
	cb_bytes(&b, p, n);
	if (cb_end(&b) < 0)
		return -1;
	grid_sign(sig, tbs, b.len, &K[signer(type)]);
	cb_init(&b, out, cap);
	cb_tag(&b, tag);
	cb_array(&b, 4);
	cb_bytes(&b, ph, pn);
	cb_raw(&b, uh, un);
	cb_bytes(&b, p, n);
	cb_bytes(&b, sig, 64);
	return cb_end(&b);
}

TEST(alg_minus_19_in_the_protected_header_is_accepted)
{
	static uint8_t buf[GRID_RECORD_MAX];
	uint32_t t;
	long n;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		n = hand_cose(buf, sizeof(buf), t, 18, "a10132", "a0");
		CHECK(n > 0);
		CHECK(grid_record_open(&s, buf, n, &why) == 0);
		CHECK(s.r.type == t);
		/* Another record than the sample: its id is of these bytes. */
		CHECK(memcmp(s.id, S[t].id, 32));
		n = hand_cose(buf, sizeof(buf), t, 18, "a10127", "a0");
		CHECK(n == (long)S[t].len && !memcmp(buf, S[t].bytes, n));
	}
}

TEST(other_algs_in_the_protected_header_are_refused)
{
	static const char *const bad[] = {
		"a10126", "a10128", "a10131", "a10133", "a1013822", "a10108",
		"a10113", "a1016545644453", "a0", "a2012704426b69", "",
	};
	static uint8_t buf[GRID_RECORD_MAX];
	size_t i;
	long n;

	CHECK(ready());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = hand_cose(buf, sizeof(buf), GRID_REC_LEASE, 18, bad[i], "a0");
		CHECK(n > 0);
		CHECK(grid_record_open(&s, buf, n, &why) == -EBADMSG);
		CHECK(says("not a COSE_Sign1"));
	}
}

TEST(a_non_empty_unprotected_header_is_refused)
{
	static const char *const bad[] = { "a10127", "a1044101", "a1 0c 00", "80", "f6" };
	static uint8_t buf[GRID_RECORD_MAX];
	size_t i;
	long n;

	CHECK(ready());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = hand_cose(buf, sizeof(buf), GRID_REC_LEASE, 18, "a10127", bad[i]);
		CHECK(n > 0);
		CHECK(grid_record_open(&s, buf, n, &why) == -EBADMSG);
	}
}

TEST(a_record_under_another_cose_tag_is_refused)
{
	static uint8_t buf[GRID_RECORD_MAX];
	long n;

	CHECK(ready());
	n = hand_cose(buf, sizeof(buf), GRID_REC_GRID, 17, "a10127", "a0");
	CHECK(grid_record_open(&s, buf, n, &why) == -EBADMSG);
	n = hand_cose(buf, sizeof(buf), GRID_REC_GRID, 98, "a10127", "a0");
	CHECK(grid_record_open(&s, buf, n, &why) == -EBADMSG);
	n = hand_cose(buf, sizeof(buf), GRID_REC_GRID, 18, "a10127", "a0");
	CHECK(grid_record_open(&s, buf, n, &why) == 0);
	CHECK(grid_record_open(&s, buf + 1, n - 1, &why) == -EBADMSG);
}

TEST(records_and_payloads_past_their_bounds_are_refused)
{
	static uint8_t big[GRID_RECORD_MAX + 1];
	struct grid_record r;

	CHECK(ready());
	CHECK(grid_record_open(&s, big, sizeof(big), &why) == -EMSGSIZE);
	CHECK(grid_record_decode(&r, big, GRID_PAYLOAD_MAX + 1, &why) == -EBADMSG);
	CHECK(says("more than"));
}

TEST(a_record_too_long_to_sign_is_refused_by_sign)
{
	static struct grid_signed out;
	static uint8_t val[GRID_RECORD_MAX];
	struct grid_record r;

	CHECK(ready());
	r = S[GRID_REC_GRID].r;
	val[0] = 0x59;
	val[1] = (GRID_RECORD_MAX - 3) >> 8;
	val[2] = (GRID_RECORD_MAX - 3) & 0xff;
	r.n_ext = 1;
	r.ext[0] = (struct grid_ext){ 64, val, GRID_RECORD_MAX };
	CHECK(grid_record_sign(&out, &r, &K[S_HOME], &why) == -EMSGSIZE);
}

TEST(a_kept_record_is_read_without_its_signature_but_with_its_schema)
{
	static uint8_t buf[GRID_RECORD_MAX + 1];
	static uint8_t p[GRID_PAYLOAD_MAX];
	size_t len;
	uint32_t t;
	long n;

	CHECK(ready());
	for (t = 1; t <= GRID_REC_MAX; t++) {
		CHECK(grid_record_open_kept(&s, S[t].bytes, S[t].len, &why) == 0);
		CHECK(s.r.type == t && !memcmp(s.id, S[t].id, 32));
	}
	/* Signed by another key: kept bytes are not verified again. */
	n = edited(p, sizeof(p), GRID_REC_LEASE, NULL, 0);
	CHECK(n > 0);
	CHECK(cose_sign1_make(buf, sizeof(buf), &len, p, n, &K[S_ALICE]) == 0);
	CHECK(grid_record_open(&s, buf, len, &why) == -EBADMSG);
	CHECK(grid_record_open_kept(&s, buf, len, &why) == 0);
	/* But the schema and the one encoding still hold. */
	n = edited(p, sizeof(p), GRID_REC_LEASE, EDITS({ GRID_K_LIMITS,
		"a4 01 1bffffffffffffffff 02 1a000186a0 04 1a20000000 0a 1a00015180" }));
	CHECK(n > 0);
	CHECK(cose_sign1_make(buf, sizeof(buf), &len, p, n, &K[S_HOME]) == 0);
	CHECK(grid_record_open_kept(&s, buf, len, &why) == -EBADMSG);
	CHECK(says("explicit unlimited"));
	for (len = 0; len < S[GRID_REC_GRID].len; len++)
		CHECK(grid_record_open_kept(&s, S[GRID_REC_GRID].bytes, len, &why) == -EBADMSG);
	CHECK(grid_record_open_kept(&s, buf, sizeof(buf), &why) == -EMSGSIZE);
}

/* ---- validity in time -------------------------------------------------------- */

TEST(a_lease_is_valid_from_not_before_until_just_before_not_after)
{
	const struct grid_record *r;

	CHECK(ready());
	r = &S[GRID_REC_LEASE].r;
	CHECK(grid_record_valid_at(r, SAMPLE_T0, &why) == 0);
	CHECK(grid_record_valid_at(r, SAMPLE_T0 + 3600, &why) == 0);
	CHECK(grid_record_valid_at(r, SAMPLE_T0 + 7199, &why) == 0);
}

TEST(an_expired_lease_says_how_long_ago_it_expired)
{
	const struct grid_record *r;

	CHECK(ready());
	r = &S[GRID_REC_LEASE].r;
	CHECK(grid_record_valid_at(r, SAMPLE_T0 + 7200, &why) == -EKEYEXPIRED);
	CHECK(says("lease expired 0s ago"));
	CHECK(grid_record_valid_at(r, SAMPLE_T0 + 7200 + 3600, &why) == -EKEYEXPIRED);
	CHECK(!strcmp(why.msg, "lease expired 1h ago"));
	CHECK(grid_record_valid_at(r, SAMPLE_T0 + 7200 + 45, &why) == -EKEYEXPIRED);
	CHECK(says("lease expired 45s ago"));
	CHECK(grid_record_valid_at(r, SAMPLE_T0 + 7200 + 2 * 86400, &why) == -EKEYEXPIRED);
	CHECK(says("lease expired 2d ago"));
	/* The agent's certificate, a year on. */
	CHECK(grid_record_valid_at(&S[GRID_REC_AGENT].r, SAMPLE_T0 + 365 * 86400, &why) == -EKEYEXPIRED);
	CHECK(says("agent expired 0s ago"));
}

TEST(a_lease_not_yet_valid_says_for_how_long)
{
	const struct grid_record *r;

	CHECK(ready());
	r = &S[GRID_REC_LEASE].r;
	CHECK(grid_record_valid_at(r, SAMPLE_T0 - 1, &why) == -EAGAIN);
	CHECK(!strcmp(why.msg, "lease is not valid for another 1s"));
	CHECK(grid_record_valid_at(r, SAMPLE_T0 - 600, &why) == -EAGAIN);
	CHECK(says("lease is not valid for another 10m"));
	CHECK(grid_record_valid_at(r, 0, &why) == -EAGAIN);
}

TEST(records_without_times_are_valid_at_any_time)
{
	CHECK(ready());
	CHECK(grid_record_valid_at(&S[GRID_REC_GRID].r, 0, &why) == 0);
	CHECK(grid_record_valid_at(&S[GRID_REC_GRID].r, UINT64_MAX, &why) == 0);
	CHECK(grid_record_valid_at(&S[GRID_REC_CHARTER].r, UINT64_MAX, &why) == 0);
	/* The agent has no not_before: valid before it was issued, too. */
	CHECK(grid_record_valid_at(&S[GRID_REC_AGENT].r, 0, &why) == 0);
}

/* ---- names and the limits map ------------------------------------------------ */

TEST(type_and_key_names_read_back)
{
	static const char *const names[] = {
		"grid", "agent", "member-grid", "charter", "invitation",
		"membership", "leave", "revocation", "share", "lease", "receipt",
	};
	uint32_t t, got;
	unsigned int k;

	for (t = 1; t <= GRID_REC_MAX; t++) {
		CHECK(!strcmp(grid_record_type_name(t), names[t - 1]));
		CHECK(grid_record_type_parse(names[t - 1], &got) == 0 && got == t);
	}
	CHECK(grid_record_type_name(0) == NULL);
	CHECK(grid_record_type_name(GRID_REC_MAX + 1) == NULL);
	CHECK(grid_record_type_parse("lease ", &got) == -EINVAL);
	CHECK(grid_record_type_parse("", &got) == -EINVAL);
	for (k = 1; k <= GRID_K_MAX; k++)
		CHECK(grid_record_key_name(k) != NULL);
	CHECK(!strcmp(grid_record_key_name(GRID_K_SUBJECT), "subject"));
	CHECK(!strcmp(grid_record_key_name(GRID_K_HOLDER_GRID), "holder_grid"));
	CHECK(grid_record_key_name(0) == NULL);
	CHECK(grid_record_key_name(GRID_K_MAX + 1) == NULL);
}

TEST(limits_written_and_read_again_are_the_same)
{
	struct grid_limits l, back;
	uint8_t buf[256];
	struct cb_buf b;

	CHECK(ready());
	l = S[GRID_REC_SHARE].r.limits;
	cb_init(&b, buf, sizeof(buf));
	grid_limits_write(&b, &l);
	CHECK(cb_end(&b) > 0);
	CHECK(cb_decode(&doc, buf, b.len) == 0);
	CHECK(grid_limits_read(&doc, 0, &back, &why) == 0);
	CHECK(!memcmp(&l, &back, sizeof(l)));
	/* No limits at all: only the two periods are written. */
	grid_limits_none(&l);
	cb_init(&b, buf, sizeof(buf));
	grid_limits_write(&b, &l);
	CHECK(b.len == 1 + 1 + 5 + 1 + 5);
	CHECK(cb_decode(&doc, buf, b.len) == 0);
	CHECK(grid_limits_read(&doc, 0, &back, &why) == 0);
	CHECK(!memcmp(&l, &back, sizeof(l)));
	CHECK(back.pids == GRID_LIMIT_MAX);
}

TEST(limits_read_refuses_what_records_refuse)
{
	static const char *const bad[] = {
		"a0", "a1 02 1a000186a0", "a1 0a 1a00015180", "80",
		"a2 02 1903e7 0a 1a00015180", "a2 02 1a000186a0 0a 00",
		"a3 02 1a000186a0 0a 1a00015180 0b 00",
	};
	struct grid_limits l;
	uint8_t buf[64];
	size_t i;
	long n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = unhex(buf, sizeof(buf), bad[i]);
		CHECK(cb_decode(&doc, buf, n) == 0);
		CHECK(grid_limits_read(&doc, 0, &l, &why) == -EBADMSG);
	}
}
