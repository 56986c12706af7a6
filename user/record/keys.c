// SPDX-License-Identifier: GPL-2.0
/* Ed25519 keys through libsodium; see keys.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keys.h"

int grid_crypto_init(void)
{
	/* 0 the first time, 1 after: both are fine. */
	return sodium_init() < 0 ? -EIO : 0;
}

static int alloc_sk(struct grid_key *k)
{
	k->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	return k->sk ? 0 : -ENOMEM;
}

int grid_key_from_seed(struct grid_key *k, const uint8_t seed[GRID_SEED_LEN])
{
	int ret = grid_crypto_init();

	if (!ret)
		ret = alloc_sk(k);
	if (ret)
		return ret;
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	return 0;
}

int grid_key_generate(struct grid_key *k)
{
	int ret = grid_crypto_init();

	if (!ret)
		ret = alloc_sk(k);
	if (ret)
		return ret;
	crypto_sign_keypair(k->pk, k->sk);
	return 0;
}

void grid_key_free(struct grid_key *k)
{
	sodium_free(k->sk);	/* wipes it */
	k->sk = NULL;
}

static int fsync_dir(int dirfd, const char *path)
{
	const char *slash = strrchr(path, '/');
	int fd, ret = 0;

	if (slash) {
		char dir[256];
		size_t n = slash - path;

		if (n >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, n);
		dir[n] = '\0';
		fd = openat(dirfd, n ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

int grid_key_save(const struct grid_key *k, int dirfd, const char *path)
{
	const uint8_t *seed = k->sk;	/* libsodium's sk is seed || pk */
	int fd, ret = 0;
	ssize_t w;

	fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* The umask may have taken bits; 0600 is what we mean. */
	if (fchmod(fd, 0600))
		ret = -errno;
	if (!ret) {
		w = write(fd, seed, GRID_SEED_LEN);
		if (w < 0)
			ret = -errno;
		else if (w != GRID_SEED_LEN)
			ret = -EIO;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	if (!ret)
		ret = fsync_dir(dirfd, path);
	if (ret)
		unlinkat(dirfd, path, 0);
	return ret;
}

int grid_key_load(struct grid_key *k, int dirfd, const char *path)
{
	uint8_t *seed = NULL;
	struct stat st;
	int fd, ret = 0;
	ssize_t r;

	/* O_NONBLOCK: a FIFO where the key belongs must not hang the open. */
	fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	/* As ssh does: a key others can read is not a secret any more. */
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) ||
	    st.st_uid != geteuid()) {
		ret = -EACCES;
		goto out;
	}
	if (st.st_size != GRID_SEED_LEN) {
		ret = -EINVAL;
		goto out;
	}
	ret = grid_crypto_init();
	if (ret)
		goto out;
	seed = sodium_malloc(GRID_SEED_LEN + 1);
	if (!seed) {
		ret = -ENOMEM;
		goto out;
	}
	r = read(fd, seed, GRID_SEED_LEN + 1);
	if (r < 0)
		ret = -errno;
	else if (r != GRID_SEED_LEN)
		ret = -EINVAL;
	if (!ret)
		ret = grid_key_from_seed(k, seed);
out:
	sodium_free(seed);
	close(fd);
	return ret;
}

/*
 * The check costs a scalar multiplication (by the group order, for the
 * subgroup), about as much as a verification, and the same few keys come
 * back all the time (this grid's, its grid-grids'): keys that passed are
 * remembered, per thread, in a small table indexed by their first bytes.
 * Only a key that passed is kept, and a hit compares all 32 bytes, so the
 * answer is the check's.
 */
#define OK_KEYS 64

bool grid_pk_ok(const uint8_t pk[GRID_PK_LEN])
{
	static __thread uint8_t seen[OK_KEYS][GRID_PK_LEN];
	static __thread bool used[OK_KEYS];
	unsigned int slot = (pk[0] ^ pk[1] << 3 ^ pk[2] << 5) % OK_KEYS;

	if (used[slot] && !memcmp(seen[slot], pk, GRID_PK_LEN))
		return true;
	if (grid_crypto_init() || crypto_core_ed25519_is_valid_point(pk) != 1)
		return false;
	memcpy(seen[slot], pk, GRID_PK_LEN);
	used[slot] = true;
	return true;
}

void grid_sign(uint8_t sig[GRID_SIG_LEN], const uint8_t *m, size_t n,
	       const struct grid_key *k)
{
	crypto_sign_detached(sig, NULL, m, n, k->sk);
}

int grid_verify(const uint8_t sig[GRID_SIG_LEN], const uint8_t *m, size_t n,
		const uint8_t pk[GRID_PK_LEN])
{
	if (!grid_pk_ok(pk))
		return -EBADMSG;
	return crypto_sign_verify_detached(sig, m, n, pk) ? -EBADMSG : 0;
}
