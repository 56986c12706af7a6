/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Noise Protocol Framework (revision 34), exactly the one protocol
 * grid speaks: Noise_XX_25519_ChaChaPoly_SHA256, and its psk0 variant
 * Noise_XXpsk0_25519_ChaChaPoly_SHA256 for grid-grids that require a
 * secret before a provider shows its key. Built only from libsodium's
 * primitives: crypto_scalarmult (X25519), crypto_aead_chacha20poly1305_ietf
 * (nonce = 4 zero bytes || LE64(n)), crypto_auth_hmacsha256 (HKDF, §4.3)
 * and crypto_hash_sha256.
 *
 * Pure code: no I/O, no clock, no allocation. Every function returns 0 or
 * -errno; secrets are wiped when a state is done with them.
 */
#ifndef GRID_NOISE_H
#define GRID_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOISE_KEY_LEN	32
#define NOISE_HASH_LEN	32
#define NOISE_TAG_LEN	16
#define NOISE_MSG_MAX	65535	/* every Noise message, §3 */
/* The largest payload of a transport message. */
#define NOISE_PAYLOAD_MAX (NOISE_MSG_MAX - NOISE_TAG_LEN)

struct noise_keypair {
	uint8_t pub[NOISE_KEY_LEN];
	uint8_t priv[NOISE_KEY_LEN];
};

/* §5.1: a key and its nonce; n = 2^64-1 is never used. */
struct noise_cipher {
	uint8_t k[NOISE_KEY_LEN];
	uint64_t n;
	bool has_key;
};

/* §5.2 */
struct noise_symmetric {
	struct noise_cipher cs;
	uint8_t ck[NOISE_HASH_LEN];
	uint8_t h[NOISE_HASH_LEN];
};

enum noise_role { NOISE_INITIATOR, NOISE_RESPONDER };

/* §5.3, for XX and XXpsk0 only: three messages, 0, 1 and 2. */
struct noise_handshake {
	struct noise_symmetric ss;
	struct noise_keypair s;		/* ours, static */
	struct noise_keypair e;		/* ours, ephemeral */
	uint8_t rs[NOISE_KEY_LEN];	/* theirs, once message 1 or 2 is read */
	uint8_t re[NOISE_KEY_LEN];
	uint8_t psk[NOISE_KEY_LEN];
	bool has_rs, has_re, has_e, has_psk;
	enum noise_role role;
	int msg;			/* the next message: 0, 1, 2; 3 when done */
};

/* A fresh X25519 key pair from libsodium's randombytes. */
int noise_keypair_new(struct noise_keypair *kp);
/* The key pair of @priv (tests and the vectors). */
int noise_keypair_from(struct noise_keypair *kp,
		       const uint8_t priv[NOISE_KEY_LEN]);

/*
 * Initialize(): @prologue may be NULL if @prologue_len is 0; @psk NULL
 * for XX, else 32 bytes for XXpsk0. @s is copied. -EINVAL without @s
 * (XX always sends it) or for an unknown role.
 */
int noise_handshake_init(struct noise_handshake *hs, enum noise_role role,
			 const struct noise_keypair *s,
			 const uint8_t *prologue, size_t prologue_len,
			 const uint8_t *psk);
/* Tests only: the ephemeral key the next 'e' token uses instead of a fresh one. */
void noise_handshake_set_ephemeral(struct noise_handshake *hs,
				   const struct noise_keypair *e);

/*
 * WriteMessage(): the next handshake message, carrying @payload, into
 * @out (@cap bytes); its length in @out_len. -EPROTO if it is not our
 * turn, -EMSGSIZE if it would exceed @cap or NOISE_MSG_MAX, -EINVAL if a
 * DH gives the all-zero result (a low-order key).
 */
int noise_write_message(struct noise_handshake *hs, const uint8_t *payload,
			size_t payload_len, uint8_t *out, size_t cap,
			size_t *out_len);
/*
 * ReadMessage(): @msg in, its payload into @payload (@cap bytes), its
 * length in @payload_len. -EPROTO if it is not the peer's turn, -EBADMSG
 * if the message is short, does not decrypt, or is longer than
 * NOISE_MSG_MAX, -EMSGSIZE if the payload does not fit @cap, -EINVAL for
 * a low-order key. After a failure the handshake state is unusable: the
 * caller drops the session (noise_handshake_wipe()).
 *
 * For both: -EPROTO, -EMSGSIZE, and a message too short or too long are
 * found before anything is processed, and leave @hs as it was; any other
 * failure has already mixed part of the message into @hs, so @hs is wiped
 * there and then, and every later call on it is -EPROTO.
 */
int noise_read_message(struct noise_handshake *hs, const uint8_t *msg,
		       size_t msg_len, uint8_t *payload, size_t cap,
		       size_t *payload_len);
static inline bool noise_handshake_done(const struct noise_handshake *hs)
{
	return hs->msg == 3;
}
/* Once the peer's static key has been read (XX: message 1 or 2). */
const uint8_t *noise_remote_static(const struct noise_handshake *hs);

/*
 * Split(), after the third message: the cipher this side sends with and
 * the one it receives with (the initiator sends with the first), and the
 * handshake hash h (channel binding; @hash may be NULL). Wipes @hs.
 * -EPROTO before the handshake is done.
 */
int noise_split(struct noise_handshake *hs, struct noise_cipher *send,
		struct noise_cipher *recv, uint8_t hash[NOISE_HASH_LEN]);
/* Zeroes @hs and leaves it dead: every later call on it is -EPROTO. */
void noise_handshake_wipe(struct noise_handshake *hs);

/*
 * Transport messages, EncryptWithAd()/DecryptWithAd() of a split cipher:
 * @out holds @len + NOISE_TAG_LEN bytes (encrypt) or @len - NOISE_TAG_LEN
 * (decrypt). -EMSGSIZE over NOISE_MSG_MAX, -EBADMSG if it does not
 * decrypt (the nonce does not advance then), -EOVERFLOW once n is
 * 2^64-1 (the reserved nonce: 2^64-2 is the last one used), -EINVAL for
 * a cipher without a key (wiped, or never split).
 */
int noise_encrypt(struct noise_cipher *c, const uint8_t *ad, size_t ad_len,
		  const uint8_t *in, size_t len, uint8_t *out);
int noise_decrypt(struct noise_cipher *c, const uint8_t *ad, size_t ad_len,
		  const uint8_t *in, size_t len, uint8_t *out);
void noise_cipher_wipe(struct noise_cipher *c);

#endif
