// SPDX-License-Identifier: GPL-2.0
/*
 * Noise_XX_25519_ChaChaPoly_SHA256 and Noise_XXpsk0_25519_ChaChaPoly_SHA256
 * (Noise revision 34) from libsodium's primitives. The section numbers are
 * the specification's.
 *
 * The handshake runs the two message patterns as token lists, so that the
 * length a message must have can be worked out from the same list before
 * anything is processed: a write that would not fit and a read that is too
 * short are refused with the state as it was. A failure once tokens have
 * been processed leaves a half-mixed state that must never be used again,
 * so it is wiped on the spot (see noise_handshake_wipe()).
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "noise.h"

#define DH_LEN		NOISE_KEY_LEN
#define NONCE_LEN	crypto_aead_chacha20poly1305_ietf_NPUBBYTES

/* 32 bytes exactly: h starts as the name itself (§5.2). */
static const char name_xx[] = "Noise_XX_25519_ChaChaPoly_SHA256";
/* 36 bytes: h starts as its hash. */
static const char name_xxpsk0[] = "Noise_XXpsk0_25519_ChaChaPoly_SHA256";

enum token { T_END, T_E, T_S, T_EE, T_ES, T_SE, T_PSK };

/* §7.5 XX, and §9.3 XXpsk0: the psk token first in the first message. */
static const unsigned char xx[3][5] = {
	{ T_E },
	{ T_E, T_EE, T_S, T_ES },
	{ T_S, T_SE },
};
static const unsigned char xxpsk0[3][5] = {
	{ T_PSK, T_E },
	{ T_E, T_EE, T_S, T_ES },
	{ T_S, T_SE },
};

static int lib_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

int noise_keypair_from(struct noise_keypair *kp,
		       const uint8_t priv[NOISE_KEY_LEN])
{
	int ret = lib_init();

	if (ret)
		return ret;
	memmove(kp->priv, priv, NOISE_KEY_LEN);
	if (crypto_scalarmult_base(kp->pub, kp->priv)) {
		sodium_memzero(kp, sizeof(*kp));
		return -EINVAL;
	}
	return 0;
}

int noise_keypair_new(struct noise_keypair *kp)
{
	uint8_t priv[NOISE_KEY_LEN];
	int ret = lib_init();

	if (ret)
		return ret;
	randombytes_buf(priv, sizeof(priv));
	ret = noise_keypair_from(kp, priv);
	sodium_memzero(priv, sizeof(priv));
	return ret;
}

/*
 * libsodium refuses an all-zero shared secret, which is what every
 * low-order public key gives: refusing it is what keeps a peer from
 * forcing a known key into the chaining key (§12.1 allows either).
 */
static int dh(uint8_t out[DH_LEN], const uint8_t priv[DH_LEN],
	      const uint8_t pub[DH_LEN])
{
	return crypto_scalarmult(out, priv, pub) ? -EINVAL : 0;
}

/* ---- CipherState, §5.1 --------------------------------------------------- */

/* §12.3: 32 bits of zeros, then n little-endian. */
static void nonce_of(uint8_t npub[NONCE_LEN], uint64_t n)
{
	int i;

	memset(npub, 0, 4);
	for (i = 0; i < 8; i++)
		npub[4 + i] = n >> (8 * i);
}

static void cipher_set(struct noise_cipher *c, const uint8_t k[NOISE_KEY_LEN])
{
	memcpy(c->k, k, NOISE_KEY_LEN);
	c->n = 0;
	c->has_key = true;
}

/* EncryptWithAd() with a key: @out gets @len + NOISE_TAG_LEN bytes. */
static int cipher_seal(struct noise_cipher *c, const uint8_t *ad, size_t ad_len,
		       const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t npub[NONCE_LEN];

	if (c->n == UINT64_MAX)
		return -EOVERFLOW;
	nonce_of(npub, c->n);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, in, len, ad,
						  ad_len, NULL, npub, c->k);
	c->n++;
	return 0;
}

/*
 * DecryptWithAd() with a key. The nonce advances only on success, so a
 * forged message cannot desynchronise the two sides (§5.1).
 */
static int cipher_open(struct noise_cipher *c, const uint8_t *ad, size_t ad_len,
		       const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t npub[NONCE_LEN];

	if (c->n == UINT64_MAX)
		return -EOVERFLOW;
	if (len < NOISE_TAG_LEN)
		return -EBADMSG;
	nonce_of(npub, c->n);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, in, len,
						      ad, ad_len, npub, c->k))
		return -EBADMSG;
	c->n++;
	return 0;
}

int noise_encrypt(struct noise_cipher *c, const uint8_t *ad, size_t ad_len,
		  const uint8_t *in, size_t len, uint8_t *out)
{
	/* A keyless cipher would send plaintext: never for transport. */
	if (!c->has_key)
		return -EINVAL;
	if (len > NOISE_PAYLOAD_MAX)
		return -EMSGSIZE;
	return cipher_seal(c, ad, ad_len, in, len, out);
}

int noise_decrypt(struct noise_cipher *c, const uint8_t *ad, size_t ad_len,
		  const uint8_t *in, size_t len, uint8_t *out)
{
	if (!c->has_key)
		return -EINVAL;
	if (len > NOISE_MSG_MAX)
		return -EMSGSIZE;
	return cipher_open(c, ad, ad_len, in, len, out);
}

void noise_cipher_wipe(struct noise_cipher *c)
{
	sodium_memzero(c, sizeof(*c));
}

/* ---- SymmetricState, §5.2 ------------------------------------------------ */

static void hmac(uint8_t out[NOISE_HASH_LEN], const uint8_t key[NOISE_HASH_LEN],
		 const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, NOISE_HASH_LEN);
	crypto_auth_hmacsha256_update(&st, a, a_len);
	crypto_auth_hmacsha256_update(&st, b, b_len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

/*
 * HKDF(ck, ikm) with two outputs, or three if @o3 (§4.3). @o1 may be
 * @ck itself: ck is only read before o1 is written.
 */
static void hkdf(const uint8_t ck[NOISE_HASH_LEN], const uint8_t *ikm,
		 size_t ikm_len, uint8_t o1[NOISE_HASH_LEN],
		 uint8_t o2[NOISE_HASH_LEN], uint8_t *o3)
{
	static const uint8_t one = 1, two = 2, three = 3;
	uint8_t tk[NOISE_HASH_LEN];

	hmac(tk, ck, ikm, ikm_len, NULL, 0);
	hmac(o1, tk, &one, 1, NULL, 0);
	hmac(o2, tk, o1, NOISE_HASH_LEN, &two, 1);
	if (o3)
		hmac(o3, tk, o2, NOISE_HASH_LEN, &three, 1);
	sodium_memzero(tk, sizeof(tk));
}

static void mix_hash(struct noise_symmetric *ss, const uint8_t *data,
		     size_t len)
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, ss->h, NOISE_HASH_LEN);
	crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, ss->h);
}

static void mix_key(struct noise_symmetric *ss, const uint8_t *ikm, size_t len)
{
	uint8_t k[NOISE_KEY_LEN];

	hkdf(ss->ck, ikm, len, ss->ck, k, NULL);
	cipher_set(&ss->cs, k);
	sodium_memzero(k, sizeof(k));
}

static void mix_key_and_hash(struct noise_symmetric *ss, const uint8_t *ikm,
			     size_t len)
{
	uint8_t th[NOISE_HASH_LEN], k[NOISE_KEY_LEN];

	hkdf(ss->ck, ikm, len, ss->ck, th, k);
	mix_hash(ss, th, sizeof(th));
	cipher_set(&ss->cs, k);
	sodium_memzero(th, sizeof(th));
	sodium_memzero(k, sizeof(k));
}

/* Without a key yet, the plaintext goes as it is (§5.2). */
static int encrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in,
			    size_t len, uint8_t *out)
{
	int ret;

	if (!ss->cs.has_key) {
		if (len)
			memmove(out, in, len);
	} else {
		ret = cipher_seal(&ss->cs, ss->h, NOISE_HASH_LEN, in, len, out);
		if (ret)
			return ret;
		len += NOISE_TAG_LEN;
	}
	mix_hash(ss, out, len);
	return 0;
}

static int decrypt_and_hash(struct noise_symmetric *ss, const uint8_t *in,
			    size_t len, uint8_t *out)
{
	int ret;

	if (!ss->cs.has_key) {
		if (len)
			memmove(out, in, len);
	} else {
		ret = cipher_open(&ss->cs, ss->h, NOISE_HASH_LEN, in, len, out);
		if (ret)
			return ret;
	}
	mix_hash(ss, in, len);
	return 0;
}

/* ---- HandshakeState, §5.3 ------------------------------------------------ */

static const unsigned char *tokens(const struct noise_handshake *hs)
{
	return hs->has_psk ? xxpsk0[hs->msg] : xx[hs->msg];
}

/* Whose turn message @hs->msg is; false once done or wiped. */
static bool our_turn(const struct noise_handshake *hs, bool writing)
{
	enum noise_role writer;

	if (hs->msg < 0 || hs->msg > 2)
		return false;
	writer = hs->msg % 2 ? NOISE_RESPONDER : NOISE_INITIATOR;
	return (hs->role == writer) == writing;
}

/* The bytes message @hs->msg has besides its payload. */
static size_t overhead(const struct noise_handshake *hs)
{
	const unsigned char *t = tokens(hs);
	bool keyed = hs->ss.cs.has_key;
	size_t n = 0;

	for (; *t != T_END; t++) {
		if (*t == T_E)
			n += DH_LEN;
		else if (*t == T_S)
			n += DH_LEN + (keyed ? NOISE_TAG_LEN : 0);
		else
			keyed = true;
	}
	return n + (keyed ? NOISE_TAG_LEN : 0);
}

/* ee, es, se and psk, the tokens that are the same to write and to read. */
static int mix_token(struct noise_handshake *hs, enum token t)
{
	bool ini = hs->role == NOISE_INITIATOR;
	uint8_t shared[DH_LEN];
	int ret;

	switch (t) {
	case T_EE:
		ret = dh(shared, hs->e.priv, hs->re);
		break;
	case T_ES:
		ret = ini ? dh(shared, hs->e.priv, hs->rs) :
			    dh(shared, hs->s.priv, hs->re);
		break;
	case T_SE:
		ret = ini ? dh(shared, hs->s.priv, hs->re) :
			    dh(shared, hs->e.priv, hs->rs);
		break;
	case T_PSK:
		mix_key_and_hash(&hs->ss, hs->psk, NOISE_KEY_LEN);
		return 0;
	default:
		return -EINVAL;
	}
	if (!ret)
		mix_key(&hs->ss, shared, DH_LEN);
	sodium_memzero(shared, sizeof(shared));
	return ret;
}

int noise_handshake_init(struct noise_handshake *hs, enum noise_role role,
			 const struct noise_keypair *s,
			 const uint8_t *prologue, size_t prologue_len,
			 const uint8_t *psk)
{
	const char *name = psk ? name_xxpsk0 : name_xx;
	size_t name_len = strlen(name);
	int ret = lib_init();

	if (ret)
		return ret;
	if ((role != NOISE_INITIATOR && role != NOISE_RESPONDER) || !s ||
	    (prologue_len && !prologue))
		return -EINVAL;
	sodium_memzero(hs, sizeof(*hs));
	if (name_len <= NOISE_HASH_LEN)
		memcpy(hs->ss.h, name, name_len);
	else
		crypto_hash_sha256(hs->ss.h, (const uint8_t *)name, name_len);
	memcpy(hs->ss.ck, hs->ss.h, NOISE_HASH_LEN);
	mix_hash(&hs->ss, prologue, prologue_len);
	hs->s = *s;
	if (psk) {
		memcpy(hs->psk, psk, NOISE_KEY_LEN);
		hs->has_psk = true;
	}
	hs->role = role;
	hs->msg = 0;
	return 0;
}

void noise_handshake_set_ephemeral(struct noise_handshake *hs,
				   const struct noise_keypair *e)
{
	hs->e = *e;
	hs->has_e = true;
}

int noise_write_message(struct noise_handshake *hs, const uint8_t *payload,
			size_t payload_len, uint8_t *out, size_t cap,
			size_t *out_len)
{
	const unsigned char *t;
	size_t need, off = 0;
	int ret = 0;

	if (!our_turn(hs, true))
		return -EPROTO;
	need = overhead(hs);
	if (payload_len > NOISE_MSG_MAX - need || need + payload_len > cap)
		return -EMSGSIZE;
	for (t = tokens(hs); *t != T_END && !ret; t++) {
		switch (*t) {
		case T_E:
			/* A test may have set it; XX has one e a side. */
			if (!hs->has_e)
				ret = noise_keypair_new(&hs->e);
			if (ret)
				break;
			hs->has_e = true;
			memcpy(out + off, hs->e.pub, DH_LEN);
			mix_hash(&hs->ss, hs->e.pub, DH_LEN);
			/* §9.2: with a psk, e is also a key input. */
			if (hs->has_psk)
				mix_key(&hs->ss, hs->e.pub, DH_LEN);
			off += DH_LEN;
			break;
		case T_S:
			ret = encrypt_and_hash(&hs->ss, hs->s.pub, DH_LEN,
					       out + off);
			off += DH_LEN + (hs->ss.cs.has_key ? NOISE_TAG_LEN : 0);
			break;
		default:
			ret = mix_token(hs, *t);
		}
	}
	if (!ret)
		ret = encrypt_and_hash(&hs->ss, payload, payload_len,
				       out + off);
	if (ret) {
		noise_handshake_wipe(hs);
		return ret;
	}
	*out_len = need + payload_len;
	hs->msg++;
	return 0;
}

int noise_read_message(struct noise_handshake *hs, const uint8_t *msg,
		       size_t msg_len, uint8_t *payload, size_t cap,
		       size_t *payload_len)
{
	const unsigned char *t;
	size_t need, n, off = 0;
	uint8_t rs[DH_LEN];
	int ret = 0;

	if (!our_turn(hs, false))
		return -EPROTO;
	need = overhead(hs);
	if (msg_len > NOISE_MSG_MAX || msg_len < need)
		return -EBADMSG;
	if (msg_len - need > cap)
		return -EMSGSIZE;
	for (t = tokens(hs); *t != T_END && !ret; t++) {
		switch (*t) {
		case T_E:
			memcpy(hs->re, msg + off, DH_LEN);
			hs->has_re = true;
			mix_hash(&hs->ss, hs->re, DH_LEN);
			if (hs->has_psk)
				mix_key(&hs->ss, hs->re, DH_LEN);
			off += DH_LEN;
			break;
		case T_S:
			n = DH_LEN + (hs->ss.cs.has_key ? NOISE_TAG_LEN : 0);
			ret = decrypt_and_hash(&hs->ss, msg + off, n, rs);
			if (ret)
				break;
			memcpy(hs->rs, rs, DH_LEN);
			hs->has_rs = true;
			off += n;
			break;
		default:
			ret = mix_token(hs, *t);
		}
	}
	if (!ret)
		ret = decrypt_and_hash(&hs->ss, msg + off, msg_len - off,
				       payload);
	if (ret) {
		noise_handshake_wipe(hs);
		return ret;
	}
	*payload_len = msg_len - need;
	hs->msg++;
	return 0;
}

const uint8_t *noise_remote_static(const struct noise_handshake *hs)
{
	return hs->has_rs ? hs->rs : NULL;
}

int noise_split(struct noise_handshake *hs, struct noise_cipher *send,
		struct noise_cipher *recv, uint8_t hash[NOISE_HASH_LEN])
{
	uint8_t k1[NOISE_KEY_LEN], k2[NOISE_KEY_LEN];
	bool ini = hs->role == NOISE_INITIATOR;

	if (!noise_handshake_done(hs))
		return -EPROTO;
	hkdf(hs->ss.ck, (const uint8_t *)"", 0, k1, k2, NULL);
	cipher_set(send, ini ? k1 : k2);
	cipher_set(recv, ini ? k2 : k1);
	if (hash)
		memcpy(hash, hs->ss.h, NOISE_HASH_LEN);
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
	noise_handshake_wipe(hs);
	return 0;
}

/* Wiped, a state is also dead: every later call on it is -EPROTO. */
void noise_handshake_wipe(struct noise_handshake *hs)
{
	sodium_memzero(hs, sizeof(*hs));
	hs->msg = -1;
}
