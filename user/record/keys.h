/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ed25519 keys, all of it libsodium's: the secret half lives in
 * sodium_malloc()ed, locked memory that is wiped when freed, and on disk
 * only as a 32-byte seed in a file of mode 0600. Nothing here prints or
 * logs a secret.
 */
#ifndef GRID_KEYS_H
#define GRID_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRID_PK_LEN	32
#define GRID_SEED_LEN	32
#define GRID_SIG_LEN	64

struct grid_key {
	uint8_t pk[GRID_PK_LEN];
	uint8_t *sk;	/* crypto_sign_SECRETKEYBYTES, sodium_malloc()ed */
};

/* sodium_init() once; -EIO if libsodium cannot start. */
int grid_crypto_init(void);

/* A fresh key from the system's randomness. */
int grid_key_generate(struct grid_key *k);
int grid_key_from_seed(struct grid_key *k, const uint8_t seed[GRID_SEED_LEN]);
void grid_key_free(struct grid_key *k);

/*
 * The seed of @k into @path (relative to @dirfd): made new (-EEXIST if it
 * is there), mode 0600, written, fsync()ed, then the folder fsync()ed.
 */
int grid_key_save(const struct grid_key *k, int dirfd, const char *path);
/*
 * Reads a key saved by grid_key_save(). -EACCES if the file is readable by
 * anyone but its owner or not owned by us, -EINVAL if it is not 32 bytes.
 */
int grid_key_load(struct grid_key *k, int dirfd, const char *path);

/*
 * A public key that grid accepts anywhere: a canonical encoding of a point
 * on the curve, in the prime-order subgroup, not of small order.
 */
bool grid_pk_ok(const uint8_t pk[GRID_PK_LEN]);

void grid_sign(uint8_t sig[GRID_SIG_LEN], const uint8_t *m, size_t n,
	       const struct grid_key *k);
/*
 * 0 or -EBADMSG. libsodium refuses a non-canonical S, a small-order R and
 * a non-canonical or small-order key; grid_pk_ok() is checked here too.
 */
int grid_verify(const uint8_t sig[GRID_SIG_LEN], const uint8_t *m, size_t n,
		const uint8_t pk[GRID_PK_LEN]);

#endif
