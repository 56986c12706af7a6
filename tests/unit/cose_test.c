// SPDX-License-Identifier: GPL-2.0
/*
 * Ed25519 keys and COSE_Sign1: RFC 8032's test vectors through grid's own
 * calls, the keys grid refuses (small order, non-canonical, off the curve,
 * outside the prime-order subgroup), the signatures it refuses, the one
 * COSE_Sign1 form it reads, and keys on disk.
 */
#define UNIT_SUITE "unit/cose"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "unit.h"
#include "dcbor.h"
#include "cose.h"
#include "keys.h"

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

/* RFC 8032 section 7.1, typed in as printed there, 16 bytes a line. */
struct vector {
	const char *name, *seed, *pk, *msg, *sig;
	size_t msg_len;
};

static const struct vector rfc8032[] = {
	{ "TEST 1",
	  "9d61b19deffd5a60ba844af492ec2cc4" "4449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a" "0ee172f3daa62325af021a68f707511a",
	  "",
	  "e5564300c360ac729086e2cc806e828a" "84877f1eb8e5d974d873e06522490155"
	  "5fb8821590a33bacc61e39701cf9b46b" "d25bf5f0595bbe24655141438e7a100b",
	  0 },
	{ "TEST 2",
	  "4ccd089b28ff96da9db6c346ec114e0f" "5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc" "9c982ccf2ec4968cc0cd55f12af4660c",
	  "72",
	  "92a009a9f0d4cab8720e820b5f642540" "a2b27b5416503f8fb3762223ebdb69da"
	  "085ac1e43e15996e458f3613d0f11d8c" "387b2eaeb4302aeeb00d291612bb0c00",
	  1 },
	{ "TEST 3",
	  "c5aa8df43f9f837bedb7442f31dcb7b1" "66d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f058" "0816ed13ba3303ac5deb911548908025",
	  "af82",
	  "6291d657deec24024827e69c3abe01a3" "0ce548a284743a445e3680d7db5ac3ac"
	  "18ff9b538d16f290ae67f760984dc659" "4a7c15e9716ed28dc027beceea1ec40a",
	  2 },
	{ "TEST 1024",
	  "f5e5767cf153319517630f226876b86c" "8160cc583bc013744c6bf255f5cc0ee5",
	  "278117fc144c72340f67d0f2316e8386" "ceffbf2b2428c9c51fef7c597f1d426e",
	  "08b8b2b733424243760fe426a4b54908" "632110a66c2f6591eabd3345e3e4eb98"
	  "fa6e264bf09efe12ee50f8f54e9f77b1" "e355f6c50544e23fb1433ddf73be84d8"
	  "79de7c0046dc4996d9e773f4bc9efe57" "38829adb26c81b37c93a1b270b20329d"
	  "658675fc6ea534e0810a4432826bf58c" "941efb65d57a338bbd2e26640f89ffbc"
	  "1a858efcb8550ee3a5e1998bd177e93a" "7363c344fe6b199ee5d02e82d522c4fe"
	  "ba15452f80288a821a579116ec6dad2b" "3b310da903401aa62100ab5d1a36553e"
	  "06203b33890cc9b832f79ef80560ccb9" "a39ce767967ed628c6ad573cb116dbef"
	  "efd75499da96bd68a8a97b928a8bbc10" "3b6621fcde2beca1231d206be6cd9ec7"
	  "aff6f6c94fcd7204ed3455c68c83f4a4" "1da4af2b74ef5c53f1d8ac70bdcb7ed1"
	  "85ce81bd84359d44254d95629e9855a9" "4a7c1958d1f8ada5d0532ed8a5aa3fb2"
	  "d17ba70eb6248e594e1a2297acbbb39d" "502f1a8c6eb6f1ce22b3de1a1f40cc24"
	  "554119a831a9aad6079cad88425de6bd" "e1a9187ebb6092cf67bf2b13fd65f270"
	  "88d78b7e883c8759d2c4f5c65adb7553" "878ad575f9fad878e80a0c9ba63bcbcc"
	  "2732e69485bbc9c90bfbd62481d9089b" "eccf80cfe2df16a2cf65bd92dd597b07"
	  "07e0917af48bbb75fed413d238f5555a" "7a569d80c3414a8d0859dc65a46128ba"
	  "b27af87a71314f318c782b23ebfe808b" "82b0ce26401d2e22f04d83d1255dc51a"
	  "ddd3b75a2b1ae0784504df543af8969b" "e3ea7082ff7fc9888c144da2af58429e"
	  "c96031dbcad3dad9af0dcbaaaf268cb8" "fcffead94f3c7ca495e056a9b47acdb7"
	  "51fb73e666c6c655ade8297297d07ad1" "ba5e43f1bca32301651339e22904cc8c"
	  "42f58c30c04aafdb038dda0847dd988d" "cda6f3bfd15c4b4c4525004aa06eeff8"
	  "ca61783aacec57fb3d1f92b0fe2fd1a8" "5f6724517b65e614ad6808d6f6ee34df"
	  "f7310fdc82aebfd904b01e1dc54b2927" "094b2db68d6f903b68401adebf5a7e08"
	  "d78ff4ef5d63653a65040cf9bfd4aca7" "984a74d37145986780fc0b16ac451649"
	  "de6188a7dbdf191f64b5fc5e2ab47b57" "f7f7276cd419c17a3ca8e1b939ae49e4"
	  "88acba6b965610b5480109c8b17b80e1" "b7b750dfc7598d5d5011fd2dcc5600a3"
	  "2ef5b52a1ecc820e308aa342721aac09" "43bf6686b64b2579376504ccc493d97e"
	  "6aed3fb0f9cd71a43dd497f01f17c0e2" "cb3797aa2a2f256656168e6c496afc5f"
	  "b93246f6b1116398a346f1a641f3b041" "e989f7914f90cc2c7fff357876e506b5"
	  "0d334ba77c225bc307ba537152f3f161" "0e4eafe595f6d9d90d11faa933a15ef1"
	  "369546868a7f3a45a96768d40fd9d034" "12c091c6315cf4fde7cb68606937380d"
	  "b2eaaa707b4c4185c32eddcdd306705e" "4dc1ffc872eeee475a64dfac86aba41c"
	  "0618983f8741c5ef68d3a101e8a3b8ca" "c60c905c15fc910840b94c00a0b9d0",
	  "0aab4c900501b3e24d7cdf4663326a3a" "87df5e4843b2cbdb67cbf6e460fec350"
	  "aa5371b1508f9f4528ecea23c436d94b" "5e8fcd4f681e30a6ac00a9704a188a03",
	  1023 },
	{ "TEST SHA(abc)",
	  "833fe62409237b9d62ec77587520911e" "9a759cec1d19755b7da901b96dca3d42",
	  "ec172b93ad5e563bf4932c70e1245034" "c35467ef2efd4d64ebf819683467e2bf",
	  "ddaf35a193617abacc417349ae204131" "12e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd" "454d4423643ce80e2a9ac94fa54ca49f",
	  "dc2a4459e7369633a52b1bf277839a00" "201009a3efbf3ecb69bea2186c26b589"
	  "09351fc9ac90b3ecfdfbc7c66431e030" "3dca179c138ac17ad9bef1177331a704",
	  64 },
};

/* One vector, unpacked. */
struct tv {
	uint8_t seed[32], pk[32], sig[64], msg[1024];
	size_t msg_len;
};

static bool load(const struct vector *v, struct tv *t)
{
	long n = unhex(t->msg, sizeof(t->msg), v->msg);

	t->msg_len = n;
	return unhex(t->seed, 32, v->seed) == 32 && unhex(t->pk, 32, v->pk) == 32 &&
	       unhex(t->sig, 64, v->sig) == 64 && n == (long)v->msg_len;
}

/* Seed to key, key to signature, signature verified: as the RFC says. */
static bool vector_holds(const struct vector *v)
{
	static struct tv t;
	struct grid_key k;
	uint8_t sig[GRID_SIG_LEN];
	bool ok;

	if (!load(v, &t) || grid_key_from_seed(&k, t.seed))
		return false;
	grid_sign(sig, t.msg, t.msg_len, &k);
	ok = !memcmp(k.pk, t.pk, 32) && !memcmp(sig, t.sig, 64) &&
	     grid_verify(t.sig, t.msg, t.msg_len, t.pk) == 0 && grid_pk_ok(t.pk);
	if (!ok)
		printf("  %s does not hold\n", v->name);
	grid_key_free(&k);
	return ok;
}

TEST(rfc8032_test_1_with_an_empty_message_holds)
{
	CHECK(vector_holds(&rfc8032[0]));
}

TEST(rfc8032_test_2_with_one_byte_holds)
{
	CHECK(vector_holds(&rfc8032[1]));
}

TEST(rfc8032_test_3_with_two_bytes_holds)
{
	CHECK(vector_holds(&rfc8032[2]));
}

TEST(rfc8032_test_1024_with_1023_bytes_holds)
{
	CHECK(vector_holds(&rfc8032[3]));
}

TEST(rfc8032_test_sha_abc_holds_and_its_message_is_sha512_of_abc)
{
	static struct tv t;
	uint8_t h[crypto_hash_sha512_BYTES];

	CHECK(vector_holds(&rfc8032[4]));
	CHECK(load(&rfc8032[4], &t));
	crypto_hash_sha512(h, (const uint8_t *)"abc", 3);
	CHECK(!memcmp(h, t.msg, sizeof(h)));
}

TEST(an_rfc8032_signature_with_any_bit_flipped_does_not_verify)
{
	static struct tv t;
	size_t i, v;

	for (v = 0; v < sizeof(rfc8032) / sizeof(rfc8032[0]); v++) {
		CHECK(load(&rfc8032[v], &t));
		for (i = 0; i < 8 * GRID_SIG_LEN; i++) {
			t.sig[i / 8] ^= 1 << (i % 8);
			CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == -EBADMSG);
			t.sig[i / 8] ^= 1 << (i % 8);
		}
		CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == 0);
	}
}

TEST(an_rfc8032_message_with_any_bit_flipped_does_not_verify)
{
	static struct tv t;
	size_t i;

	/* TEST 3's two bytes, and the first 64 bytes of TEST 1024. */
	CHECK(load(&rfc8032[2], &t));
	for (i = 0; i < 8 * t.msg_len; i++) {
		t.msg[i / 8] ^= 1 << (i % 8);
		CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == -EBADMSG);
		t.msg[i / 8] ^= 1 << (i % 8);
	}
	CHECK(load(&rfc8032[3], &t));
	for (i = 0; i < 8 * 64; i++) {
		t.msg[i / 8] ^= 1 << (i % 8);
		CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == -EBADMSG);
		t.msg[i / 8] ^= 1 << (i % 8);
	}
	/* One byte more or less is another message too. */
	CHECK(grid_verify(t.sig, t.msg, t.msg_len - 1, t.pk) == -EBADMSG);
	CHECK(grid_verify(t.sig, t.msg, t.msg_len + 1, t.pk) == -EBADMSG);
}

TEST(an_rfc8032_key_with_any_bit_flipped_does_not_verify)
{
	static struct tv t;
	size_t i;

	CHECK(load(&rfc8032[1], &t));
	for (i = 0; i < 8 * GRID_PK_LEN; i++) {
		t.pk[i / 8] ^= 1 << (i % 8);
		CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == -EBADMSG);
		t.pk[i / 8] ^= 1 << (i % 8);
	}
	CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == 0);
}

/* The group order L, little-endian. */
static const char L_hex[] =
	"edd3f55c1a631258d69cf7a2def9de14" "00000000000000000000000000000010";

/* s += L, little-endian; false if it carries out of 256 bits. */
static bool add_l(uint8_t s[32])
{
	uint8_t l[32];
	unsigned int c = 0, i;

	unhex(l, 32, L_hex);
	for (i = 0; i < 32; i++) {
		c += s[i] + l[i];
		s[i] = c;
		c >>= 8;
	}
	return !c;
}

TEST(a_signature_whose_s_has_l_added_is_refused)
{
	static struct tv t;
	size_t v;

	/* S + L passes the verification equation; only S < L stops it. */
	for (v = 0; v < sizeof(rfc8032) / sizeof(rfc8032[0]); v++) {
		CHECK(load(&rfc8032[v], &t));
		CHECK(add_l(t.sig + 32));
		CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == -EBADMSG);
		CHECK(add_l(t.sig + 32));
		CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == -EBADMSG);
	}
	/* S = L exactly, and S = 2^256 - 1. */
	CHECK(load(&rfc8032[0], &t));
	unhex(t.sig + 32, 32, L_hex);
	CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == -EBADMSG);
	memset(t.sig + 32, 0xff, 32);
	CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == -EBADMSG);
}

/* The eight points of order 1, 2, 4 and 8, in canonical encoding. */
static const char *const small_order[] = {
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
};

TEST(keys_of_small_order_are_refused)
{
	uint8_t pk[32];
	size_t i;

	for (i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++) {
		CHECK(unhex(pk, 32, small_order[i]) == 32);
		CHECK(!grid_pk_ok(pk));
	}
}

TEST(an_identity_key_and_an_identity_signature_do_not_verify_anything)
{
	/*
	 * With A and R the identity and S = 0, [S]B = R + [k]A holds for
	 * every message: only refusing small-order points stops it.
	 */
	uint8_t pk[32], sig[64] = { 0 };
	size_t i;

	for (i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++) {
		unhex(pk, 32, small_order[i]);
		memcpy(sig, pk, 32);
		CHECK(grid_verify(sig, (const uint8_t *)"grid", 4, pk) == -EBADMSG);
		CHECK(grid_verify(sig, NULL, 0, pk) == -EBADMSG);
	}
}

TEST(a_signature_with_a_small_order_r_is_refused)
{
	static struct tv t;
	size_t i;

	CHECK(load(&rfc8032[0], &t));
	for (i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++) {
		unhex(t.sig, 32, small_order[i]);
		CHECK(grid_verify(t.sig, t.msg, t.msg_len, t.pk) == -EBADMSG);
	}
}

TEST(non_canonical_key_encodings_are_refused)
{
	static const char *const bad[] = {
		/* y = p, p + 1, p + 18, 2^255 - 1: y >= p */
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		/* x = 0 with the sign bit set: "-0" of the identity and of -1 */
		"0100000000000000000000000000000000000000000000000000000000000080",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	};
	uint8_t pk[32];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(unhex(pk, 32, bad[i]) == 32);
		CHECK(!grid_pk_ok(pk));
	}
}

TEST(points_off_the_curve_are_refused)
{
	/* y = 2 has no x on edwards25519, nor has y = 2 with a sign. */
	uint8_t pk[32] = { 2 };

	CHECK(!grid_pk_ok(pk));
	pk[31] = 0x80;
	CHECK(!grid_pk_ok(pk));
}

TEST(points_outside_the_prime_order_subgroup_are_refused)
{
	/* TEST 1's key plus a point of order 8: on the curve, of order 8L. */
	static const char mixed[] =
		"9158312a9a8d6e3b34c891d6d61444f8b8211c5117ebad15bdb0bd68b07e0245";
	uint8_t pk[32];

	CHECK(unhex(pk, 32, mixed) == 32);
	CHECK(!grid_pk_ok(pk));
	CHECK(unhex(pk, 32, rfc8032[0].pk) == 32);
	CHECK(grid_pk_ok(pk));
	/* The base point is a key too. */
	CHECK(unhex(pk, 32, "5866666666666666666666666666666666666666666666666666666666666666") == 32);
	CHECK(grid_pk_ok(pk));
}

TEST(a_key_remembered_as_good_vouches_for_no_other_key)
{
	/*
	 * grid_pk_ok() remembers keys that passed, by their first bytes: a
	 * key that shares them, or is one bit off anywhere, gets the answer
	 * of the full check all the same.
	 */
	uint8_t good[32], pk[32];
	size_t v, i, small;

	CHECK(grid_crypto_init() == 0);
	for (v = 0; v < sizeof(rfc8032) / sizeof(rfc8032[0]); v++) {
		CHECK(unhex(good, 32, rfc8032[v].pk) == 32);
		for (i = 0; i < 8 * 32; i++) {
			CHECK(grid_pk_ok(good));
			memcpy(pk, good, 32);
			pk[i / 8] ^= 1 << (i % 8);
			CHECK(grid_pk_ok(pk) ==
			      (crypto_core_ed25519_is_valid_point(pk) == 1));
			CHECK(grid_pk_ok(pk) ==
			      (crypto_core_ed25519_is_valid_point(pk) == 1));
		}
		/* The small-order points, with the good key's first bytes. */
		for (small = 0; small < sizeof(small_order) / sizeof(small_order[0]); small++) {
			CHECK(grid_pk_ok(good));
			unhex(pk, 32, small_order[small]);
			memcpy(pk, good, 3);
			CHECK(grid_pk_ok(pk) ==
			      (crypto_core_ed25519_is_valid_point(pk) == 1));
			unhex(pk, 32, small_order[small]);
			CHECK(!grid_pk_ok(pk));
		}
	}
}

TEST(fresh_keys_are_valid_different_and_sign)
{
	struct grid_key a, b;
	uint8_t sig[64];

	CHECK(grid_key_generate(&a) == 0);
	CHECK(grid_key_generate(&b) == 0);
	CHECK(grid_pk_ok(a.pk) && grid_pk_ok(b.pk));
	CHECK(memcmp(a.pk, b.pk, 32));
	grid_sign(sig, (const uint8_t *)"hello", 5, &a);
	CHECK(grid_verify(sig, (const uint8_t *)"hello", 5, a.pk) == 0);
	CHECK(grid_verify(sig, (const uint8_t *)"hello", 5, b.pk) == -EBADMSG);
	grid_key_free(&a);
	grid_key_free(&b);
	CHECK(a.sk == NULL && b.sk == NULL);
}

/* ---- COSE_Sign1 ----------------------------------------------------------- */

static struct grid_key test1_key(void)
{
	struct grid_key k = { { 0 }, NULL };
	uint8_t seed[32];

	unhex(seed, 32, rfc8032[0].seed);
	if (grid_key_from_seed(&k, seed))
		k.sk = NULL;
	return k;
}

static const uint8_t payload[] = { 0xa1, 0x01, 0x64, 'g', 'r', 'i', 'd' };

TEST(cose_sign1_make_writes_the_one_form)
{
	struct grid_key k = test1_key();
	uint8_t buf[256], want[32];
	size_t len;
	long n = unhex(want, sizeof(want), "d2 84 43a10127 a0 47a1016467726964 5840");

	CHECK(k.sk);
	CHECK(cose_sign1_make(buf, sizeof(buf), &len, payload, sizeof(payload), &k) == 0);
	CHECK(len == (size_t)n + 64);
	CHECK(!memcmp(buf, want, n));
	grid_key_free(&k);
}

TEST(the_signature_is_over_rfc9052s_sig_structure)
{
	/* ["Signature1", h'a10127', h'', payload], signed by anyone's COSE. */
	struct grid_key k = test1_key();
	uint8_t buf[256], tbs[64], sig[64];
	struct cb_buf b;
	size_t len;

	CHECK(k.sk);
	CHECK(cose_sign1_make(buf, sizeof(buf), &len, payload, sizeof(payload), &k) == 0);
	cb_init(&b, tbs, sizeof(tbs));
	cb_array(&b, 4);
	cb_text(&b, "Signature1", 10);
	cb_bytes(&b, "\xa1\x01\x27", 3);
	cb_bytes(&b, NULL, 0);
	cb_bytes(&b, payload, sizeof(payload));
	CHECK(cb_end(&b) > 0);
	grid_sign(sig, tbs, b.len, &k);
	CHECK(!memcmp(buf + len - 64, sig, 64));
	CHECK(grid_verify(buf + len - 64, tbs, b.len, k.pk) == 0);
	grid_key_free(&k);
}

TEST(a_made_cose_sign1_parses_and_verifies)
{
	struct grid_key k = test1_key(), other;
	uint8_t buf[256];
	struct cose_sign1 s;
	size_t len;

	CHECK(k.sk);
	CHECK(grid_key_generate(&other) == 0);
	CHECK(cose_sign1_make(buf, sizeof(buf), &len, payload, sizeof(payload), &k) == 0);
	CHECK(cose_sign1_parse(&s, buf, len) == 0);
	CHECK(s.alg == COSE_ALG_EDDSA);
	CHECK(s.payload_len == sizeof(payload) && !memcmp(s.payload, payload, sizeof(payload)));
	CHECK(s.protected_len == 3 && !memcmp(s.protected_hdr, "\xa1\x01\x27", 3));
	CHECK(s.sig == buf + len - 64);
	CHECK(cose_sign1_verify(&s, k.pk) == 0);
	CHECK(cose_sign1_verify(&s, other.pk) == -EBADMSG);
	grid_key_free(&k);
	grid_key_free(&other);
}

/*
 * A COSE_Sign1 by hand: tag 18 unless @tag is other, protected header
 * @prot, unprotected @unprot (encoded map), signed properly by @k over
 * the Sig_structure of @prot.
 */
static long hand_sign1(uint8_t *out, size_t cap, uint64_t tag, const char *prot,
		       const char *unprot, const struct grid_key *k)
{
	uint8_t p[32], u[32], tbs[128], sig[64];
	long pn = unhex(p, sizeof(p), prot), un = unhex(u, sizeof(u), unprot);
	struct cb_buf b;

	cb_init(&b, tbs, sizeof(tbs));
	cb_array(&b, 4);
	cb_text(&b, "Signature1", 10);
	cb_bytes(&b, p, pn);
	cb_bytes(&b, NULL, 0);
	cb_bytes(&b, payload, sizeof(payload));
	if (cb_end(&b) < 0)
		return -1;
	grid_sign(sig, tbs, b.len, k);
	cb_init(&b, out, cap);
	cb_tag(&b, tag);
	cb_array(&b, 4);
	cb_bytes(&b, p, pn);
	cb_raw(&b, u, un);
	cb_bytes(&b, payload, sizeof(payload));
	cb_bytes(&b, sig, 64);
	return cb_end(&b);
}

TEST(alg_minus_19_in_the_protected_header_is_accepted_as_ed25519)
{
	struct grid_key k = test1_key();
	uint8_t buf[256];
	struct cose_sign1 s;
	long n;

	CHECK(k.sk);
	n = hand_sign1(buf, sizeof(buf), 18, "a10132", "a0", &k);
	CHECK(n > 0);
	CHECK(cose_sign1_parse(&s, buf, n) == 0);
	CHECK(s.alg == COSE_ALG_ED25519);
	CHECK(cose_sign1_verify(&s, k.pk) == 0);
	n = hand_sign1(buf, sizeof(buf), 18, "a10127", "a0", &k);
	CHECK(cose_sign1_parse(&s, buf, n) == 0 && cose_sign1_verify(&s, k.pk) == 0);
	grid_key_free(&k);
}

TEST(protected_headers_other_than_alg_eddsa_or_ed25519_are_refused)
{
	static const char *const bad[] = {
		"a10126",		/* ES256 */
		"a10128",		/* -9 */
		"a10131",		/* -18 */
		"a10133",		/* -20 */
		"a1013822",		/* PS256, -35 */
		"a10108",		/* +8 */
		"a10113",		/* +19 */
		"a1016545644453",	/* "EdDSA" as text */
		"a1013b0000000000000007",	/* -8, not in shortest form */
		"a1013bfffffffffffffff7",	/* -2^64 + 8 */
		"a2012704426b69",	/* a key id beside alg */
		"a20127a0 00",		/* a stray key */
		"a0",			/* no alg */
		"",			/* no header at all */
		"a10227",		/* crit where alg belongs */
		"8201 27",		/* not a map */
		"a1012700",		/* trailing byte */
		"a1 01 f93c00",		/* a float */
	};
	struct grid_key k = test1_key();
	uint8_t buf[256];
	struct cose_sign1 s;
	size_t i;
	long n;

	CHECK(k.sk);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = hand_sign1(buf, sizeof(buf), 18, bad[i], "a0", &k);
		CHECK(n > 0);
		if (cose_sign1_parse(&s, buf, n) != -EBADMSG) {
			printf("  protected %s\n", bad[i]);
			CHECK(0);
		}
	}
	grid_key_free(&k);
}

TEST(a_non_empty_unprotected_header_is_refused)
{
	static const char *const bad[] = {
		"a10127", "a1044101", "a10126", "a1 0c 00", "80", "40", "f6",
	};
	struct grid_key k = test1_key();
	uint8_t buf[256];
	struct cose_sign1 s;
	size_t i;
	long n;

	CHECK(k.sk);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = hand_sign1(buf, sizeof(buf), 18, "a10127", bad[i], &k);
		CHECK(n > 0);
		CHECK(cose_sign1_parse(&s, buf, n) < 0);
	}
	grid_key_free(&k);
}

TEST(other_tags_are_refused)
{
	static const uint64_t tags[] = { 17, 19, 98, 16, 61, 0, 1018 };
	struct grid_key k = test1_key();
	uint8_t buf[256];
	struct cose_sign1 s;
	size_t i;
	long n;

	CHECK(k.sk);
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		n = hand_sign1(buf, sizeof(buf), tags[i], "a10127", "a0", &k);
		CHECK(cose_sign1_parse(&s, buf, n) == -EBADMSG);
	}
	/* Untagged, as RFC 9052 allows where the context says: not here. */
	n = hand_sign1(buf, sizeof(buf), 18, "a10127", "a0", &k);
	CHECK(cose_sign1_parse(&s, buf + 1, n - 1) == -EBADMSG);
	/* Tag 18 twice. */
	memmove(buf + 1, buf, n);
	CHECK(cose_sign1_parse(&s, buf, n + 1) == -EBADMSG);
	grid_key_free(&k);
}

TEST(other_shapes_of_the_array_are_refused)
{
	static const char *const bad[] = {
		"d2 83 43a10127 a0 40",
		"d2 85 43a10127 a0 40 5840" "00000000000000000000000000000000"
		"00000000000000000000000000000000" "00000000000000000000000000000000"
		"00000000000000000000000000000000" " 00",
		"d2 84 a10127 a0 40 5840" "00000000000000000000000000000000"
		"00000000000000000000000000000000" "00000000000000000000000000000000"
		"00000000000000000000000000000000",
		"d2 84 43a10127 a0 6161 5840" "00000000000000000000000000000000"
		"00000000000000000000000000000000" "00000000000000000000000000000000"
		"00000000000000000000000000000000",
		"d2 84 43a10127 a0 f6 5840" "00000000000000000000000000000000"
		"00000000000000000000000000000000" "00000000000000000000000000000000"
		"00000000000000000000000000000000",
		"d2 84 43a10127 a0 40 583f" "00000000000000000000000000000000"
		"00000000000000000000000000000000" "00000000000000000000000000000000"
		"000000000000000000000000000000",
		"d2 84 43a10127 a0 40 5841" "00000000000000000000000000000000"
		"00000000000000000000000000000000" "00000000000000000000000000000000"
		"00000000000000000000000000000000" "00",
		"d2 a0",
		"d2 84 43a10127 a0 40 5840" "00000000000000000000000000000000"
		"00000000000000000000000000000000" "00000000000000000000000000000000"
		"00000000000000000000000000000000" "00",
	};
	uint8_t buf[256], pk[32];
	struct cose_sign1 s;
	size_t i;
	long n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = unhex(buf, sizeof(buf), bad[i]);
		CHECK(n > 0);
		if (cose_sign1_parse(&s, buf, n) != -EBADMSG) {
			printf("  shape %zu\n", i);
			CHECK(0);
		}
	}
	/* The shape itself, with a zero signature, parses (and will not verify). */
	n = unhex(buf, sizeof(buf), "d2 84 43a10127 a0 40 5840"
		  "00000000000000000000000000000000" "00000000000000000000000000000000"
		  "00000000000000000000000000000000" "00000000000000000000000000000000");
	CHECK(cose_sign1_parse(&s, buf, n) == 0);
	CHECK(unhex(pk, 32, rfc8032[0].pk) == 32);
	CHECK(cose_sign1_verify(&s, pk) == -EBADMSG);
}

TEST(the_protected_header_is_signed_so_changing_its_alg_breaks_the_signature)
{
	struct grid_key k = test1_key();
	uint8_t buf[256];
	struct cose_sign1 s;
	size_t len;

	CHECK(k.sk);
	CHECK(cose_sign1_make(buf, sizeof(buf), &len, payload, sizeof(payload), &k) == 0);
	CHECK(buf[5] == 0x27);
	buf[5] = 0x32;		/* -8 to -19: a header that parses */
	CHECK(cose_sign1_parse(&s, buf, len) == 0);
	CHECK(s.alg == COSE_ALG_ED25519);
	CHECK(cose_sign1_verify(&s, k.pk) == -EBADMSG);
	grid_key_free(&k);
}

TEST(every_single_byte_change_of_a_cose_sign1_is_refused)
{
	struct grid_key k = test1_key();
	uint8_t buf[256], orig[256];
	struct cose_sign1 s;
	size_t len, i;
	unsigned int v;

	CHECK(k.sk);
	CHECK(cose_sign1_make(orig, sizeof(orig), &len, payload, sizeof(payload), &k) == 0);
	for (i = 0; i < len; i++) {
		for (v = 1; v < 256; v++) {
			memcpy(buf, orig, len);
			buf[i] ^= v;
			CHECK(cose_sign1_parse(&s, buf, len) != 0 ||
			      cose_sign1_verify(&s, k.pk) != 0);
		}
	}
	for (i = 0; i < len; i++)
		CHECK(cose_sign1_parse(&s, orig, i) != 0);
	grid_key_free(&k);
}

TEST(payloads_and_buffers_too_big_are_refused_with_emsgsize)
{
	static uint8_t big[GRID_PAYLOAD_MAX + 1], buf[GRID_RECORD_MAX + 64];
	struct grid_key k = test1_key();
	struct cose_sign1 s;
	size_t len;

	CHECK(k.sk);
	CHECK(cose_sign1_make(buf, sizeof(buf), &len, big, GRID_PAYLOAD_MAX, &k) == 0);
	CHECK(len <= GRID_RECORD_MAX);
	CHECK(cose_sign1_parse(&s, buf, len) == 0);
	CHECK(cose_sign1_verify(&s, k.pk) == 0);
	CHECK(cose_sign1_make(buf, sizeof(buf), &len, big, GRID_PAYLOAD_MAX + 1, &k) == -EMSGSIZE);
	CHECK(cose_sign1_make(buf, 100, &len, big, 100, &k) == -EMSGSIZE);
	CHECK(cose_sign1_make(buf, 100, &len, payload, sizeof(payload), &k) == 0);
	CHECK(cose_sign1_parse(&s, buf, GRID_RECORD_MAX + 1) == -EMSGSIZE);
	grid_key_free(&k);
}

/* ---- keys on disk ---------------------------------------------------------- */

static char dir[64];
static int dirfd_ = -1;

static bool tmpdir_open(void)
{
	strcpy(dir, "/tmp/grid-cose-test.XXXXXX");
	if (!mkdtemp(dir))
		return false;
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dirfd_ >= 0;
}

/* Removes the files the tests made, then the directory. */
static void tmpdir_close(void)
{
	static const char *const names[] = {
		"key", "loose", "short", "long", "empty", "link", "sub/key", "sub",
		"group", "dir", "fifo",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (unlinkat(dirfd_, names[i], 0))
			unlinkat(dirfd_, names[i], AT_REMOVEDIR);
	}
	close(dirfd_);
	rmdir(dir);
}

static int write_file(const char *name, const void *p, size_t n, mode_t mode)
{
	int fd = openat(dirfd_, name, O_WRONLY | O_CREAT | O_EXCL, mode);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, p, n);
	fchmod(fd, mode);
	close(fd);
	return w == (ssize_t)n ? 0 : -EIO;
}

TEST(a_saved_key_is_mode_0600_and_loads_back_as_the_same_key)
{
	struct grid_key k = test1_key(), l = { { 0 }, NULL };
	struct stat st;
	uint8_t seed[33];
	mode_t old = umask(0);
	int fd, ok;

	CHECK(k.sk);
	CHECK(tmpdir_open());
	/* With umask 0 the file would be 0666 if grid did not say 0600. */
	ok = grid_key_save(&k, dirfd_, "key") == 0;
	umask(old);
	if (ok)
		ok = fstatat(dirfd_, "key", &st, 0) == 0 &&
		     (st.st_mode & 07777) == 0600 && st.st_size == 32 &&
		     S_ISREG(st.st_mode);
	if (ok) {
		fd = openat(dirfd_, "key", O_RDONLY);
		ok = fd >= 0 && read(fd, seed, sizeof(seed)) == 32;
		close(fd);
		ok = ok && !memcmp(seed, k.sk, 32);
	}
	ok = ok && grid_key_load(&l, dirfd_, "key") == 0 && l.sk &&
	     !memcmp(l.pk, k.pk, 32) && !memcmp(l.sk, k.sk, 64);
	/* Into a folder below, which is fsync()ed instead. */
	ok = ok && mkdirat(dirfd_, "sub", 0700) == 0 &&
	     grid_key_save(&k, dirfd_, "sub/key") == 0;
	if (l.sk)
		grid_key_free(&l);
	ok = ok && grid_key_load(&l, dirfd_, "sub/key") == 0 &&
	     !memcmp(l.pk, k.pk, 32);
	if (l.sk)
		grid_key_free(&l);
	tmpdir_close();
	grid_key_free(&k);
	CHECK(ok);
}

TEST(saving_over_an_existing_path_is_refused_and_leaves_it_alone)
{
	struct grid_key k = test1_key(), l = { { 0 }, NULL };
	uint8_t other[32];
	int ret1, ret2, ret3;

	CHECK(k.sk);
	CHECK(tmpdir_open());
	memset(other, 0x42, sizeof(other));
	ret1 = write_file("key", other, 32, 0600);
	ret2 = grid_key_save(&k, dirfd_, "key");
	ret3 = grid_key_load(&l, dirfd_, "key");
	tmpdir_close();
	CHECK(ret1 == 0 && ret2 == -EEXIST && ret3 == 0);
	CHECK(memcmp(l.pk, k.pk, 32) && !memcmp(l.sk, other, 32));
	grid_key_free(&l);
	grid_key_free(&k);
}

TEST(a_key_file_others_may_read_is_refused_with_eacces)
{
	static const mode_t modes[] = { 0640, 0604, 0644, 0660, 0602, 0610, 0601, 0700 };
	struct grid_key k = test1_key(), l = { { 0 }, NULL };
	int ret[8], i, ok = 1, loose;

	CHECK(k.sk);
	CHECK(tmpdir_open());
	for (i = 0; i < 8; i++) {
		unlinkat(dirfd_, "loose", 0);
		ret[i] = write_file("loose", k.sk, 32, modes[i]);
		if (!ret[i])
			ret[i] = grid_key_load(&l, dirfd_, "loose");
		/* 0700 is the owner's alone: readable by no one else. */
		loose = modes[i] & 077;
		ok &= loose ? ret[i] == -EACCES : ret[i] == 0;
		if (!ret[i])
			grid_key_free(&l);
	}
	/* A folder where the key belongs. */
	ok &= mkdirat(dirfd_, "dir", 0700) == 0;
	ok &= grid_key_load(&l, dirfd_, "dir") == -EACCES;
	tmpdir_close();
	grid_key_free(&k);
	CHECK(ok);
}

TEST(a_key_file_of_the_wrong_size_is_refused_with_einval)
{
	static const uint8_t bytes[64] = { 1 };
	struct grid_key l = { { 0 }, NULL };
	int a, b, c;

	CHECK(tmpdir_open());
	write_file("short", bytes, 31, 0600);
	write_file("long", bytes, 33, 0600);
	write_file("empty", bytes, 0, 0600);
	a = grid_key_load(&l, dirfd_, "short");
	b = grid_key_load(&l, dirfd_, "long");
	c = grid_key_load(&l, dirfd_, "empty");
	tmpdir_close();
	CHECK(a == -EINVAL && b == -EINVAL && c == -EINVAL);
}

TEST(a_missing_key_or_a_symlink_to_one_is_refused)
{
	struct grid_key k = test1_key(), l = { { 0 }, NULL };
	int a, b, c, d;

	CHECK(k.sk);
	CHECK(tmpdir_open());
	a = grid_key_load(&l, dirfd_, "key");
	b = grid_key_save(&k, dirfd_, "key");
	c = symlinkat("key", dirfd_, "link") ? -errno :
	    grid_key_load(&l, dirfd_, "link");
	if (!c)
		grid_key_free(&l);
	/* Nor is a key saved through one. */
	unlinkat(dirfd_, "key", 0);
	d = grid_key_save(&k, dirfd_, "link");
	tmpdir_close();
	grid_key_free(&k);
	CHECK(a == -ENOENT && b == 0 && c == -ELOOP);
	CHECK(d == -EEXIST || d == -ELOOP);
}

TEST(a_key_path_that_is_a_fifo_is_refused_without_hanging)
{
	/*
	 * Only regular files are keys; the check must come before anything
	 * that waits, or a FIFO where the key belongs stops gridd at start.
	 * The load runs in a child so that this test fails rather than hangs.
	 */
	struct grid_key l = { { 0 }, NULL };
	int status = 0, i, ok = 0;
	pid_t pid;

	CHECK(tmpdir_open());
	if (mkfifoat(dirfd_, "fifo", 0600)) {
		tmpdir_close();
		SKIP("no mkfifo here");
	}
	pid = fork();
	if (pid == 0)
		_exit(grid_key_load(&l, dirfd_, "fifo") == -EACCES ? 0 : 1);
	for (i = 0; pid > 0 && i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			pid = 0;
			break;
		}
		usleep(10000);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		printf("  grid_key_load() of a FIFO still waits after 2 s\n");
	}
	tmpdir_close();
	CHECK(ok);
}
