// SPDX-License-Identifier: GPL-2.0
/*
 * Noise_XX and Noise_XXpsk0 (user/noise): every vector of ours in flynn/noise's
 * vectors.txt (Debian's golang-github-flynn-noise-dev), handshakes between
 * two of our own states, what each side refuses (forged, out of turn,
 * low-order, the wrong psk, the reserved nonce, too big), and the framing.
 */
#define UNIT_SUITE "unit/noise"
#include <errno.h>
#include <stdint.h>

#include <sodium.h>

#include "unit.h"
#include "noise.h"
#include "frame.h"

#define VECTORS "/usr/share/gocode/src/github.com/flynn/noise/vectors.txt"
#define NAME_XX "Noise_XX_25519_ChaChaPoly_SHA256"
#define NAME_XXPSK0 "Noise_XXpsk0_25519_ChaChaPoly_SHA256"
#define MAX_MSGS 16

static long unhex(uint8_t *buf, size_t cap, const char *hex)
{
	size_t n = 0;
	unsigned int v;

	while (*hex && *hex != '\n') {
		if (n == cap || !hex[1] || sscanf(hex, "%2x", &v) != 1)
			return -1;
		buf[n++] = v;
		hex += 2;
	}
	return n;
}

/* ---- flynn/noise's vectors.txt ------------------------------------------ */

struct bytes {
	uint8_t b[1024];
	long len;		/* -1: not given */
};

/* One block of vectors.txt: from a handshake= line to the next. */
struct vector {
	int line;
	char name[128];
	struct bytes init_static, resp_static, init_e, resp_e, prologue, psk;
	struct bytes payload[MAX_MSGS], ciphertext[MAX_MSGS];
	int n_msgs;
};

static void vector_reset(struct vector *v, int line, const char *name)
{
	int i;

	memset(v, 0, sizeof(*v));
	v->line = line;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->init_static.len = v->resp_static.len = v->init_e.len = -1;
	v->resp_e.len = v->prologue.len = v->psk.len = -1;
	for (i = 0; i < MAX_MSGS; i++)
		v->payload[i].len = v->ciphertext[i].len = -1;
}

/* Says where a vector went wrong, on a line that tests/run does not count. */
#define VCHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("  vectors.txt:%d %s: %s (%s:%d)\n",	\
			       v->line, v->name, #cond, __FILE__,	\
			       __LINE__);				\
			return -1;					\
		}							\
	} while (0)

static int key_of(struct noise_keypair *kp, const struct bytes *b)
{
	if (b->len != NOISE_KEY_LEN)
		return -EINVAL;
	return noise_keypair_from(kp, b->b);
}

/*
 * Messages 0 to 2 are the handshake, written by the initiator, the
 * responder, the initiator; after it flynn's vectors start again from the
 * initiator: 3 from the initiator, 4 from the responder, and so on.
 */
static int run_vector(const struct vector *v)
{
	struct noise_keypair is, rs, ie, re;
	struct noise_handshake hs[2];
	struct noise_cipher send[2], recv[2];
	uint8_t hash[2][NOISE_HASH_LEN];
	uint8_t out[2048], pt[2048];
	const uint8_t *psk = NULL;
	size_t len, plen;
	int i, w;

	VCHECK(v->n_msgs >= 3);
	VCHECK(!key_of(&is, &v->init_static));
	VCHECK(!key_of(&rs, &v->resp_static));
	VCHECK(!key_of(&ie, &v->init_e));
	VCHECK(!key_of(&re, &v->resp_e));
	if (!strcmp(v->name, NAME_XXPSK0)) {
		VCHECK(v->psk.len == NOISE_KEY_LEN);
		psk = v->psk.b;
	}
	len = v->prologue.len > 0 ? v->prologue.len : 0;
	VCHECK(!noise_handshake_init(&hs[0], NOISE_INITIATOR, &is,
				     v->prologue.b, len, psk));
	VCHECK(!noise_handshake_init(&hs[1], NOISE_RESPONDER, &rs,
				     v->prologue.b, len, psk));
	noise_handshake_set_ephemeral(&hs[0], &ie);
	noise_handshake_set_ephemeral(&hs[1], &re);

	for (i = 0; i < v->n_msgs; i++) {
		const struct bytes *p = &v->payload[i], *c = &v->ciphertext[i];

		VCHECK(p->len >= 0 && c->len >= 0);
		if (i < 3) {
			w = i % 2;
			VCHECK(!noise_write_message(&hs[w], p->b, p->len, out,
						    sizeof(out), &len));
			VCHECK(len == (size_t)c->len);
			VCHECK(!memcmp(out, c->b, len));
			VCHECK(!noise_read_message(&hs[!w], c->b, c->len, pt,
						   sizeof(pt), &plen));
			VCHECK(plen == (size_t)p->len);
			VCHECK(!memcmp(pt, p->b, plen));
		} else {
			w = (i - 3) % 2;
			VCHECK(!noise_encrypt(&send[w], NULL, 0, p->b, p->len,
					      out));
			VCHECK(p->len + NOISE_TAG_LEN == c->len);
			VCHECK(!memcmp(out, c->b, c->len));
			VCHECK(!noise_decrypt(&recv[!w], NULL, 0, c->b, c->len,
					      pt));
			VCHECK(!memcmp(pt, p->b, p->len));
		}
		if (i != 2)
			continue;
		for (w = 0; w < 2; w++) {
			const uint8_t *peer = w ? is.pub : rs.pub;

			VCHECK(noise_handshake_done(&hs[w]));
			VCHECK(noise_remote_static(&hs[w]));
			VCHECK(!memcmp(noise_remote_static(&hs[w]), peer, 32));
			VCHECK(!noise_split(&hs[w], &send[w], &recv[w],
					    hash[w]));
		}
		VCHECK(!memcmp(hash[0], hash[1], NOISE_HASH_LEN));
	}
	return 0;
}

static int vector_field(struct vector *v, const char *key, const char *val)
{
	struct bytes *b = NULL;
	unsigned int i;
	char what[16];

	if (!strcmp(key, "init_static"))
		b = &v->init_static;
	else if (!strcmp(key, "resp_static"))
		b = &v->resp_static;
	else if (!strcmp(key, "gen_init_ephemeral"))
		b = &v->init_e;
	else if (!strcmp(key, "gen_resp_ephemeral"))
		b = &v->resp_e;
	else if (!strcmp(key, "prologue"))
		b = &v->prologue;
	else if (!strcmp(key, "preshared_key"))
		b = &v->psk;
	else if (sscanf(key, "msg_%u_%15s", &i, what) == 2 && i < MAX_MSGS) {
		if (!strcmp(what, "payload"))
			b = &v->payload[i];
		else if (!strcmp(what, "ciphertext"))
			b = &v->ciphertext[i];
		if ((int)i + 1 > v->n_msgs)
			v->n_msgs = i + 1;
	}
	if (!b)
		return 0;	/* a field no vector of ours uses */
	b->len = unhex(b->b, sizeof(b->b), val);
	return b->len < 0 ? -EINVAL : 0;
}

TEST(flynn_vectors_of_xx_and_xxpsk0_match_byte_for_byte)
{
	static struct vector v;
	int n_xx = 0, n_psk = 0, bad = 0, lineno = 0, ours = 0;
	char *line = NULL, *eq;
	size_t cap = 0;
	FILE *f;

	f = fopen(VECTORS, "r");
	if (!f)
		SKIP("flynn/noise's vectors are not there: install "
		     "golang-github-flynn-noise-dev for " VECTORS);
	vector_reset(&v, 0, "");
	for (;;) {
		ssize_t n = getline(&line, &cap, f);

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		eq = n > 0 ? strchr(line, '=') : NULL;
		/* A block ends at the next handshake= line or at the end. */
		if (n < 0 || (eq && !strncmp(line, "handshake=", 10))) {
			if (ours) {
				if (run_vector(&v))
					bad++;
				else if (!strcmp(v.name, NAME_XX))
					n_xx++;
				else
					n_psk++;
			}
			if (n < 0)
				break;
			vector_reset(&v, lineno, eq + 1);
			ours = !strcmp(v.name, NAME_XX) ||
			       !strcmp(v.name, NAME_XXPSK0);
			continue;
		}
		if (!ours || !eq || line[0] == '#')
			continue;
		*eq = '\0';
		if (vector_field(&v, line, eq + 1)) {
			printf("  vectors.txt:%d: cannot read %s\n", lineno,
			       line);
			bad++;
			ours = 0;
		}
	}
	free(line);
	fclose(f);
	printf("  %d %s and %d %s vectors ran, %d failed\n", n_xx, NAME_XX,
	       n_psk, NAME_XXPSK0, bad);
	CHECK(bad == 0);
	CHECK(n_xx > 0);
	CHECK(n_psk > 0);
}

/* ---- our own handshakes ------------------------------------------------- */

struct pair {
	struct noise_keypair is, rs;
	struct noise_handshake i, r;
	struct noise_cipher i_send, i_recv, r_send, r_recv;
	uint8_t i_hash[NOISE_HASH_LEN], r_hash[NOISE_HASH_LEN];
	uint8_t msg[3][256];
	size_t len[3];
};

static const uint8_t psk_a[NOISE_KEY_LEN] = "grid-grid secret, thirty-two b.";
static const uint8_t psk_b[NOISE_KEY_LEN] = "grid-grid secret, thirty-two c.";

static int pair_init(struct pair *p, const uint8_t *ipsk, const uint8_t *rpsk)
{
	static const uint8_t prologue[] = "grid test";

	memset(p, 0, sizeof(*p));
	if (noise_keypair_new(&p->is) || noise_keypair_new(&p->rs))
		return -1;
	if (noise_handshake_init(&p->i, NOISE_INITIATOR, &p->is, prologue,
				 sizeof(prologue), ipsk) ||
	    noise_handshake_init(&p->r, NOISE_RESPONDER, &p->rs, prologue,
				 sizeof(prologue), rpsk))
		return -1;
	return 0;
}

/*
 * Message @k of the handshake: written by its side, then read by the
 * other after @flip (a bit number, or -1) has been flipped in it. Returns
 * the first error.
 */
static int step(struct pair *p, int k, long flip)
{
	struct noise_handshake *w = k % 2 ? &p->r : &p->i;
	struct noise_handshake *r = k % 2 ? &p->i : &p->r;
	char payload[32];
	uint8_t got[256];
	size_t n;
	int ret;

	n = snprintf(payload, sizeof(payload), "payload of message %d", k);
	ret = noise_write_message(w, (const uint8_t *)payload, n, p->msg[k],
				  sizeof(p->msg[k]), &p->len[k]);
	if (ret)
		return ret;
	if (flip >= 0)
		p->msg[k][flip / 8] ^= 1 << (flip % 8);
	ret = noise_read_message(r, p->msg[k], p->len[k], got, sizeof(got), &n);
	if (ret)
		return ret;
	/*
	 * A flip in XX's message 0 reads, payload and all (nothing in it is
	 * authenticated yet): it is the next message that must fail.
	 */
	if (flip < 0 && (n != strlen(payload) || memcmp(got, payload, n)))
		return -EILSEQ;
	return 0;
}

/* The whole handshake and the split; the message that failed in @at. */
static int pair_handshake_at(struct pair *p, int flip_msg, long flip, int *at)
{
	int k, ret;

	for (k = 0; k < 3; k++) {
		*at = k;
		ret = step(p, k, k == flip_msg ? flip : -1);
		if (ret)
			return ret;
	}
	*at = 3;
	if (noise_split(&p->i, &p->i_send, &p->i_recv, p->i_hash) ||
	    noise_split(&p->r, &p->r_send, &p->r_recv, p->r_hash))
		return -EPROTO;
	return 0;
}

static int pair_handshake(struct pair *p, int flip_msg, long flip)
{
	int at;

	return pair_handshake_at(p, flip_msg, flip, &at);
}

static int thousand_each_way(struct pair *p)
{
	uint8_t pt[200], ct[200 + NOISE_TAG_LEN], back[200];
	int i;

	for (i = 0; i < 2000; i++) {
		struct noise_cipher *s = i % 2 ? &p->r_send : &p->i_send;
		struct noise_cipher *r = i % 2 ? &p->i_recv : &p->r_recv;
		size_t len = i % sizeof(pt);

		randombytes_buf(pt, len);
		if (noise_encrypt(s, NULL, 0, pt, len, ct) ||
		    noise_decrypt(r, NULL, 0, ct, len + NOISE_TAG_LEN, back) ||
		    memcmp(pt, back, len))
			return -1;
	}
	return 0;
}

TEST(two_of_our_states_agree_and_carry_1000_messages_each_way)
{
	static struct pair p;

	CHECK(!pair_init(&p, NULL, NULL));
	CHECK(!noise_remote_static(&p.i) && !noise_remote_static(&p.r));
	CHECK(!pair_handshake(&p, -1, -1));
	CHECK(!memcmp(p.i_hash, p.r_hash, NOISE_HASH_LEN));
	/* e; e, s, tag, tag; s, tag, tag: and each 20 bytes of payload. */
	CHECK(p.len[0] == 32 + 20);
	CHECK(p.len[1] == 96 + 20);
	CHECK(p.len[2] == 64 + 20);
	CHECK(!thousand_each_way(&p));
	CHECK(p.i_send.n == 1000 && p.r_recv.n == 1000);
	CHECK(p.r_send.n == 1000 && p.i_recv.n == 1000);
}

TEST(two_of_our_states_with_one_psk_agree_and_carry_1000_messages_each_way)
{
	static struct pair p;

	CHECK(!pair_init(&p, psk_a, psk_a));
	CHECK(!pair_handshake(&p, -1, -1));
	CHECK(!memcmp(p.i_hash, p.r_hash, NOISE_HASH_LEN));
	/* With the psk, message 0's payload is encrypted too. */
	CHECK(p.len[0] == 32 + 20 + 16);
	CHECK(!thousand_each_way(&p));
}

TEST(the_remote_static_key_is_known_once_its_message_is_read)
{
	static struct pair p;

	CHECK(!pair_init(&p, NULL, NULL));
	CHECK(!step(&p, 0, -1));
	CHECK(!noise_remote_static(&p.i) && !noise_remote_static(&p.r));
	CHECK(!step(&p, 1, -1));
	CHECK(noise_remote_static(&p.i));
	CHECK(!memcmp(noise_remote_static(&p.i), p.rs.pub, NOISE_KEY_LEN));
	CHECK(!noise_remote_static(&p.r));
	CHECK(!step(&p, 2, -1));
	CHECK(!memcmp(noise_remote_static(&p.r), p.is.pub, NOISE_KEY_LEN));
}

TEST(split_wipes_the_handshake_and_gives_each_side_the_others_keys)
{
	static struct pair p;
	static const uint8_t zero[sizeof(p.i.ss)];

	CHECK(!pair_init(&p, NULL, NULL));
	CHECK(!pair_handshake(&p, -1, -1));
	CHECK(!memcmp(p.i_send.k, p.r_recv.k, NOISE_KEY_LEN));
	CHECK(!memcmp(p.r_send.k, p.i_recv.k, NOISE_KEY_LEN));
	CHECK(memcmp(p.i_send.k, p.i_recv.k, NOISE_KEY_LEN));
	CHECK(!memcmp(&p.i.ss, zero, sizeof(zero)));
	CHECK(!memcmp(p.i.s.priv, zero, NOISE_KEY_LEN));
	CHECK(!memcmp(p.r.e.priv, zero, NOISE_KEY_LEN));
	CHECK(!noise_handshake_done(&p.i));
	CHECK(noise_split(&p.i, &p.i_send, &p.i_recv, NULL) == -EPROTO);
	noise_cipher_wipe(&p.i_send);
	CHECK(!p.i_send.has_key && !p.i_send.n);
	CHECK(noise_encrypt(&p.i_send, NULL, 0, zero, 1, p.msg[0]) == -EINVAL);
}

TEST(a_flipped_bit_in_a_transport_message_does_not_decrypt_nor_move_the_nonce)
{
	static struct pair p;
	uint8_t ct[3][40], pt[24];
	int b;

	CHECK(!pair_init(&p, NULL, NULL));
	CHECK(!pair_handshake(&p, -1, -1));
	CHECK(!noise_encrypt(&p.i_send, NULL, 0, (const uint8_t *)"first", 5,
			     ct[0]));
	CHECK(!noise_encrypt(&p.i_send, NULL, 0, (const uint8_t *)"second", 6,
			     ct[1]));
	for (b = 0; b < (5 + NOISE_TAG_LEN) * 8; b++) {
		memcpy(ct[2], ct[0], 5 + NOISE_TAG_LEN);
		ct[2][b / 8] ^= 1 << (b % 8);
		CHECK(noise_decrypt(&p.r_recv, NULL, 0, ct[2],
				    5 + NOISE_TAG_LEN, pt) == -EBADMSG);
		CHECK(p.r_recv.n == 0);
	}
	/* Short of a tag, or with the wrong associated data. */
	CHECK(noise_decrypt(&p.r_recv, NULL, 0, ct[0], 15, pt) == -EBADMSG);
	CHECK(noise_decrypt(&p.r_recv, (const uint8_t *)"ad", 2, ct[0],
			    5 + NOISE_TAG_LEN, pt) == -EBADMSG);
	CHECK(p.r_recv.n == 0);
	CHECK(!noise_decrypt(&p.r_recv, NULL, 0, ct[0], 5 + NOISE_TAG_LEN, pt));
	CHECK(!memcmp(pt, "first", 5) && p.r_recv.n == 1);
	/* The same message again is a replay: the nonce has moved on. */
	CHECK(noise_decrypt(&p.r_recv, NULL, 0, ct[0], 5 + NOISE_TAG_LEN,
			    pt) == -EBADMSG);
	CHECK(!noise_decrypt(&p.r_recv, NULL, 0, ct[1], 6 + NOISE_TAG_LEN, pt));
	CHECK(!memcmp(pt, "second", 6) && p.r_recv.n == 2);
}

/*
 * Each bit of each message flipped in turn, in a handshake with the same
 * keys each time: the handshake fails at the message flipped, but for
 * XX's message 0, which nothing authenticates yet, and fails at message 1
 * (the responder has mixed what it read into h and ck).
 */
static int flip_every_bit(const uint8_t *psk, int *runs)
{
	static struct pair p;
	struct noise_keypair is, rs, ie, re;
	size_t len[3] = { 0 };
	long b;
	int k, at, ret;

	if (noise_keypair_new(&is) || noise_keypair_new(&rs) ||
	    noise_keypair_new(&ie) || noise_keypair_new(&re))
		return -1;
	/* The message lengths: a clean run first. */
	for (k = -1; k < 3; k++) {
		for (b = 0; b < (k < 0 ? 1 : (long)len[k] * 8); b++) {
			if (pair_init(&p, psk, psk))
				return -1;
			p.is = is;
			p.rs = rs;
			p.i.s = is;
			p.r.s = rs;
			noise_handshake_set_ephemeral(&p.i, &ie);
			noise_handshake_set_ephemeral(&p.r, &re);
			ret = pair_handshake_at(&p, k, k < 0 ? -1 : b, &at);
			if (k < 0) {
				if (ret)
					return -1;
				memcpy(len, p.len, sizeof(len));
				continue;
			}
			if ((ret != -EBADMSG && ret != -EINVAL) ||
			    at != (k == 0 && !psk ? 1 : k)) {
				printf("  message %d, bit %ld: %d at %d\n", k,
				       b, ret, at);
				return -1;
			}
			(*runs)++;
		}
	}
	return 0;
}

TEST(a_flipped_bit_anywhere_in_any_handshake_message_fails_the_handshake)
{
	int runs = 0;

	CHECK(!flip_every_bit(NULL, &runs));
	CHECK(runs == (52 + 116 + 84) * 8);
}

TEST(a_flipped_bit_anywhere_in_any_xxpsk0_message_fails_the_handshake)
{
	int runs = 0;

	CHECK(!flip_every_bit(psk_a, &runs));
	CHECK(runs == (68 + 116 + 84) * 8);
}

/* An empty message from @hs, or its error. */
static int write_empty(struct noise_handshake *hs)
{
	uint8_t buf[256];
	size_t n;

	return noise_write_message(hs, NULL, 0, buf, sizeof(buf), &n);
}

static int read_one(struct noise_handshake *hs, const uint8_t *msg, size_t len)
{
	uint8_t buf[256];
	size_t n;

	return noise_read_message(hs, msg, len, buf, sizeof(buf), &n);
}

TEST(a_message_out_of_turn_is_refused_with_eproto)
{
	static struct pair p;

	CHECK(!pair_init(&p, NULL, NULL));
	CHECK(write_empty(&p.r) == -EPROTO);
	CHECK(read_one(&p.i, p.msg[0], 64) == -EPROTO);
	CHECK(noise_split(&p.i, &p.i_send, &p.i_recv, NULL) == -EPROTO);
	CHECK(!step(&p, 0, -1));
	CHECK(write_empty(&p.i) == -EPROTO);
	CHECK(read_one(&p.r, p.msg[0], p.len[0]) == -EPROTO);
	/* A refusal out of turn leaves the state usable. */
	CHECK(!step(&p, 1, -1));
	CHECK(read_one(&p.i, p.msg[1], p.len[1]) == -EPROTO);
	CHECK(!step(&p, 2, -1));
	CHECK(noise_handshake_done(&p.i) && noise_handshake_done(&p.r));
	CHECK(write_empty(&p.i) == -EPROTO);
	CHECK(write_empty(&p.r) == -EPROTO);
	CHECK(read_one(&p.r, p.msg[2], p.len[2]) == -EPROTO);
}

TEST(a_failed_read_wipes_the_state_so_that_it_cannot_go_on)
{
	static struct pair p;

	CHECK(!pair_init(&p, NULL, NULL));
	CHECK(!step(&p, 0, -1));
	CHECK(step(&p, 1, 800) == -EBADMSG);
	CHECK(p.i.msg == -1 && !p.i.has_e && !p.i.has_rs);
	CHECK(write_empty(&p.i) == -EPROTO);
	CHECK(read_one(&p.i, p.msg[1], p.len[1]) == -EPROTO);
}

TEST(a_low_order_remote_ephemeral_is_refused_with_einval)
{
	static const uint8_t low[2][NOISE_KEY_LEN] = { { 0 }, { 1 } };
	static struct pair p;
	uint8_t buf[256];
	size_t n;
	int i;

	for (i = 0; i < 2; i++) {
		/* The initiator, at ee in message 1. */
		CHECK(!pair_init(&p, NULL, NULL));
		CHECK(!step(&p, 0, -1));
		CHECK(!noise_write_message(&p.r, NULL, 0, p.msg[1],
					   sizeof(p.msg[1]), &p.len[1]));
		memcpy(p.msg[1], low[i], NOISE_KEY_LEN);
		CHECK(noise_read_message(&p.i, p.msg[1], p.len[1], buf,
					 sizeof(buf), &n) == -EINVAL);
		/* The responder: message 0 has no DH, message 1's ee fails. */
		CHECK(!pair_init(&p, NULL, NULL));
		CHECK(!noise_write_message(&p.i, NULL, 0, p.msg[0],
					   sizeof(p.msg[0]), &p.len[0]));
		memcpy(p.msg[0], low[i], NOISE_KEY_LEN);
		CHECK(!noise_read_message(&p.r, p.msg[0], p.len[0], buf,
					  sizeof(buf), &n));
		CHECK(write_empty(&p.r) == -EINVAL);
		CHECK(p.r.msg == -1);
	}
}

TEST(xxpsk0_with_another_psk_fails_at_message_0_on_the_responder)
{
	static struct pair p;

	CHECK(!pair_init(&p, psk_a, psk_b));
	CHECK(step(&p, 0, -1) == -EBADMSG);
	/* Without one, a responder that requires one refuses just the same. */
	CHECK(!pair_init(&p, NULL, psk_a));
	CHECK(step(&p, 0, -1) == -EBADMSG);
}

TEST(the_reserved_nonce_2_64_minus_1_is_never_used)
{
	static struct pair p;
	uint8_t ct[NOISE_TAG_LEN + 4], pt[4];

	CHECK(!pair_init(&p, NULL, NULL));
	CHECK(!pair_handshake(&p, -1, -1));
	p.i_send.n = UINT64_MAX - 1;
	p.r_recv.n = UINT64_MAX - 1;
	CHECK(!noise_encrypt(&p.i_send, NULL, 0, (const uint8_t *)"last", 4,
			     ct));
	CHECK(p.i_send.n == UINT64_MAX);
	CHECK(noise_encrypt(&p.i_send, NULL, 0, (const uint8_t *)"over", 4,
			    ct) == -EOVERFLOW);
	CHECK(p.i_send.n == UINT64_MAX);
	CHECK(!noise_decrypt(&p.r_recv, NULL, 0, ct, sizeof(ct), pt));
	CHECK(!memcmp(pt, "last", 4) && p.r_recv.n == UINT64_MAX);
	CHECK(noise_decrypt(&p.r_recv, NULL, 0, ct, sizeof(ct),
			    pt) == -EOVERFLOW);
}

TEST(a_payload_too_big_is_refused_with_emsgsize)
{
	static struct pair p;
	static uint8_t big[NOISE_MSG_MAX + 2], out[NOISE_MSG_MAX + 2];
	size_t n;

	CHECK(!pair_init(&p, NULL, NULL));
	/* Message 0 of XX is e (32 bytes) and the payload in the clear. */
	CHECK(noise_write_message(&p.i, big, NOISE_MSG_MAX - 31, out,
				  sizeof(out), &n) == -EMSGSIZE);
	CHECK(noise_write_message(&p.i, big, 10, out, 41, &n) == -EMSGSIZE);
	CHECK(p.i.msg == 0);
	CHECK(!noise_write_message(&p.i, big, NOISE_MSG_MAX - 32, out,
				   NOISE_MSG_MAX, &n));
	CHECK(n == NOISE_MSG_MAX);
	/* Read: too long, too short, and a payload the buffer cannot hold. */
	CHECK(noise_read_message(&p.r, out, NOISE_MSG_MAX + 1, big, sizeof(big),
				 &n) == -EBADMSG);
	CHECK(noise_read_message(&p.r, out, 31, big, sizeof(big),
				 &n) == -EBADMSG);
	CHECK(noise_read_message(&p.r, out, NOISE_MSG_MAX, big,
				 NOISE_MSG_MAX - 33, &n) == -EMSGSIZE);
	CHECK(p.r.msg == 0);
	CHECK(!noise_read_message(&p.r, out, NOISE_MSG_MAX, big,
				  NOISE_MSG_MAX - 32, &n));
	CHECK(n == NOISE_MSG_MAX - 32);
	/* Message 1: e, s and its tag, the payload's tag. */
	CHECK(noise_write_message(&p.r, big, NOISE_MSG_MAX - 95, out,
				  sizeof(out), &n) == -EMSGSIZE);

	CHECK(!pair_init(&p, NULL, NULL));
	CHECK(!pair_handshake(&p, -1, -1));
	CHECK(noise_encrypt(&p.i_send, NULL, 0, big, NOISE_PAYLOAD_MAX + 1,
			    out) == -EMSGSIZE);
	CHECK(p.i_send.n == 0);
	CHECK(!noise_encrypt(&p.i_send, NULL, 0, big, NOISE_PAYLOAD_MAX, out));
	CHECK(noise_decrypt(&p.r_recv, NULL, 0, out, NOISE_MSG_MAX + 1,
			    big) == -EMSGSIZE);
	CHECK(!noise_decrypt(&p.r_recv, NULL, 0, out, NOISE_MSG_MAX, big));
}

TEST(keypairs_are_x25519_and_of_their_private_key)
{
	/* RFC 7748 section 6.1, Alice. */
	static const char *priv_hex =
		"77076d0a7318a57d3c16c17251b26645"
		"df4c2f87ebc0992ab177fba51db92c2a";
	static const char *pub_hex =
		"8520f0098930a754748b7ddcb43ef75a"
		"0dbf3a0d26381af4eba4a98eaa9b4e6a";
	uint8_t priv[32], pub[32];
	struct noise_keypair a, b;

	CHECK(unhex(priv, 32, priv_hex) == 32 && unhex(pub, 32, pub_hex) == 32);
	CHECK(!noise_keypair_from(&a, priv));
	CHECK(!memcmp(a.pub, pub, 32) && !memcmp(a.priv, priv, 32));
	CHECK(!noise_keypair_new(&a) && !noise_keypair_new(&b));
	CHECK(memcmp(a.priv, b.priv, 32) && memcmp(a.pub, b.pub, 32));
	CHECK(!noise_keypair_from(&b, a.priv));
	CHECK(!memcmp(a.pub, b.pub, 32));
}

/* ---- frames -------------------------------------------------------------- */

TEST(a_frame_is_taken_only_once_it_is_all_there)
{
	uint8_t buf[2 + 40];
	const uint8_t *msg = NULL;
	size_t len = 0, i;

	CHECK(!frame_head(buf, 40));
	CHECK(buf[0] == 0 && buf[1] == 40);
	for (i = 0; i < sizeof(buf); i++)
		buf[2 + i % 40] = i;
	for (i = 0; i < sizeof(buf); i++)
		CHECK(frame_next(buf, i, &msg, &len) == 0);
	CHECK(frame_next(buf, sizeof(buf), &msg, &len) == (long)sizeof(buf));
	CHECK(msg == buf + 2 && len == 40);
}

TEST(two_frames_back_to_back_are_read_one_after_the_other)
{
	uint8_t buf[2 + 16 + 2 + 300 + 1];
	const uint8_t *msg;
	size_t len, off;
	long n;

	memset(buf, 0xaa, sizeof(buf));
	CHECK(!frame_head(buf, 16));
	CHECK(!frame_head(buf + 18, 300));
	CHECK(buf[18] == 1 && buf[19] == 44);
	n = frame_next(buf, sizeof(buf), &msg, &len);
	CHECK(n == 18 && msg == buf + 2 && len == 16);
	off = n;
	n = frame_next(buf + off, sizeof(buf) - off, &msg, &len);
	CHECK(n == 302 && msg == buf + 20 && len == 300);
	off += n;
	CHECK(frame_next(buf + off, sizeof(buf) - off, &msg, &len) == 0);
}

TEST(a_frame_shorter_than_any_message_is_refused_at_once)
{
	uint8_t buf[2 + 16] = { 0 };
	const uint8_t *msg;
	size_t len;

	CHECK(frame_next(buf, 2, &msg, &len) == -EBADMSG);
	buf[1] = FRAME_MIN - 1;
	CHECK(frame_next(buf, 2, &msg, &len) == -EBADMSG);
	CHECK(frame_next(buf, sizeof(buf), &msg, &len) == -EBADMSG);
	buf[1] = FRAME_MIN;
	CHECK(frame_next(buf, sizeof(buf), &msg, &len) == (long)sizeof(buf));
}

TEST(a_frame_head_past_65535_is_refused_with_emsgsize)
{
	uint8_t hdr[FRAME_HDR] = { 0x12, 0x34 };

	CHECK(frame_head(hdr, 65536) == -EMSGSIZE);
	CHECK(hdr[0] == 0x12 && hdr[1] == 0x34);
	CHECK(frame_head(hdr, SIZE_MAX) == -EMSGSIZE);
	CHECK(!frame_head(hdr, 65535));
	CHECK(hdr[0] == 0xff && hdr[1] == 0xff);
}
