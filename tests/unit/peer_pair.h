/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two peer sessions wired together in memory through their byte queues,
 * for the peer tests (peer_handshake_test.c, peer_session_test.c): each
 * side has its own grid identity and a fresh Noise static key, so every
 * handshake is a real one, and its callbacks keep what they were given.
 *
 * Each test program includes this once and uses only some of it, so the
 * functions are static inline: an unused one is no -Wunused-function
 * error under -Werror. The state (t_now, timers, ops) is one copy per
 * program, as when it all lived in one file.
 */
#ifndef GRID_PEER_PAIR_H
#define GRID_PEER_PAIR_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dcbor.h"
#include "keys.h"
#include "noise.h"
#include "session.h"
#include "wire.h"

/* What a side's hello callback writes. */
enum hello_kind {
	HELLO_GOOD,
	HELLO_PROOFS,		/* two proofs */
	HELLO_OTHER_BINDING,	/* signed over another static key */
	HELLO_VERSION_2,
	HELLO_ZERO_IDENTITY,
	HELLO_SMALL_ORDER,	/* the identity point, order 1 */
	HELLO_KEY_0,
	HELLO_KEY_7,
	HELLO_KEY_64,		/* an extension */
	HELLO_LONG_HEAD,	/* version 1 as 0x18 0x01 */
	HELLO_FAILS,		/* the callback fails */
};

struct side {
	struct grid_key id;
	struct noise_keypair kp;
	struct peer_session s;
	enum hello_kind hello;
	int auth_ret;		/* what the authenticated callback returns */
	int msg_ret;		/* what the message callback returns */
	int n_hello, n_auth, n_msgs;
	bool hello_peer_null;
	uint8_t hello_peer[GRID_PK_LEN];
	uint8_t auth_identity[GRID_PK_LEN];
	uint64_t auth_port;
	uint32_t auth_proofs;
	uint32_t last_type;
	uint8_t last[NOISE_MSG_MAX];	/* the last message, re-encoded */
	size_t last_len;
};

struct pair {
	struct side i, r;
};

static const struct peer_timers timers = {
	.handshake = 5000, .keepalive = 10000, .dead = 30000,
	.rekey = 120000, .reject = 180000,
};

/* The clock the callbacks send at; each test moves it. */
static uint64_t t_now;

static inline long ping_write(uint8_t *buf, size_t cap, uint32_t type,
			      const uint8_t *data, size_t n)
{
	struct cb_buf b;

	cb_init(&b, buf, cap);
	cb_map(&b, 2);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, type);
	cb_uint(&b, PK_PING_DATA);
	cb_bytes(&b, data, n);
	return cb_end(&b);
}

/* The hellos a correct side would never write, byte by byte. */
static inline void odd_hello(struct cb_buf *b, const struct peer_hello *h,
			     enum hello_kind k)
{
	cb_map(b, k == HELLO_LONG_HEAD ? 4 : 5);
	if (k == HELLO_KEY_0) {
		cb_uint(b, 0);
		cb_uint(b, 0);
	}
	cb_uint(b, 1);
	if (k == HELLO_LONG_HEAD)
		cb_raw(b, "\x18\x01", 2);
	else
		cb_uint(b, h->version);
	cb_uint(b, 2);
	cb_bytes(b, h->identity, GRID_PK_LEN);
	cb_uint(b, 3);
	cb_bytes(b, h->binding, GRID_SIG_LEN);
	cb_uint(b, 4);
	cb_uint(b, h->port);
	if (k == HELLO_KEY_7) {
		cb_uint(b, 7);
		cb_uint(b, 0);
	} else if (k == HELLO_KEY_64) {
		cb_uint(b, 64);
		cb_text(b, "later", 5);
	}
}

static inline int on_hello(void *ctx, const uint8_t *peer, struct cb_buf *b)
{
	static const uint8_t proof_a[] = "a proof", proof_b[] = "another proof";
	struct side *sd = ctx;
	struct peer_hello h = { .version = PEER_VERSION, .port = 7470 };
	struct noise_keypair other;

	sd->n_hello++;
	sd->hello_peer_null = !peer;
	if (peer)
		memcpy(sd->hello_peer, peer, GRID_PK_LEN);
	memcpy(h.identity, sd->id.pk, GRID_PK_LEN);
	peer_binding_sign(h.binding, sd->kp.pub, &sd->id);
	switch (sd->hello) {
	case HELLO_GOOD:
		break;
	case HELLO_PROOFS:
		h.n_proofs = 2;
		h.proof[0] = proof_a;
		h.proof_len[0] = sizeof(proof_a);
		h.proof[1] = proof_b;
		h.proof_len[1] = sizeof(proof_b);
		break;
	case HELLO_OTHER_BINDING:
		if (noise_keypair_new(&other))
			return -EIO;
		peer_binding_sign(h.binding, other.pub, &sd->id);
		break;
	case HELLO_VERSION_2:
		h.version = 2;
		break;
	case HELLO_ZERO_IDENTITY:
		memset(h.identity, 0, GRID_PK_LEN);
		break;
	case HELLO_SMALL_ORDER:
		memset(h.identity, 0, GRID_PK_LEN);
		h.identity[0] = 1;
		break;
	case HELLO_FAILS:
		return -EIO;
	default:
		odd_hello(b, &h, sd->hello);
		return 0;
	}
	peer_hello_write(b, &h);
	return 0;
}

static inline int on_authenticated(void *ctx, const struct peer_hello *h,
				   struct grid_why *why)
{
	struct side *sd = ctx;

	sd->n_auth++;
	memcpy(sd->auth_identity, h->identity, GRID_PK_LEN);
	sd->auth_port = h->port;
	sd->auth_proofs = h->n_proofs;
	if (sd->auth_ret)
		return grid_why_set(why, sd->auth_ret, "is not the grid expected");
	return 0;
}

/* Keeps the message, and answers a ping with a pong, as gridd does. */
static inline int on_message(void *ctx, const struct peer_msg *m,
			     struct grid_why *why)
{
	struct side *sd = ctx;
	uint8_t buf[PEER_PING_MAX + 16];
	const uint8_t *data;
	struct cb_buf b;
	size_t n;
	long len;

	sd->n_msgs++;
	sd->last_type = m->type;
	cb_init(&b, sd->last, sizeof(sd->last));
	cb_reencode(&b, m->doc, 0);
	len = cb_end(&b);
	sd->last_len = len < 0 ? 0 : len;
	if (sd->msg_ret)
		return grid_why_set(why, sd->msg_ret, "the test refuses a %s",
				    peer_msg_type_name(m->type));
	if (m->type != PEER_MSG_PING)
		return 0;
	data = peer_msg_bytes(m, PK_PING_DATA, &n);
	len = ping_write(buf, sizeof(buf), PEER_MSG_PONG, data, n);
	if (len < 0)
		return (int)len;
	return peer_session_send(&sd->s, buf, len, t_now);
}

static const struct peer_session_ops ops = {
	.hello = on_hello,
	.authenticated = on_authenticated,
	.message = on_message,
};

/* Fixed identities (the initiator's and the responder's), fresh static keys. */
static inline int pair_new(struct pair *p)
{
	uint8_t seed[GRID_SEED_LEN];

	memset(p, 0, sizeof(*p));
	memset(seed, 0x11, sizeof(seed));
	if (grid_key_from_seed(&p->i.id, seed))
		return -1;
	memset(seed, 0x22, sizeof(seed));
	if (grid_key_from_seed(&p->r.id, seed))
		return -1;
	if (noise_keypair_new(&p->i.kp) || noise_keypair_new(&p->r.kp))
		return -1;
	return 0;
}

static inline int pair_start_psk(struct pair *p, const uint8_t *ipsk,
				 const uint8_t *rpsk, uint64_t now)
{
	t_now = now;
	if (peer_session_init(&p->i.s, NOISE_INITIATOR, &p->i.kp, ipsk,
			      &timers, &ops, &p->i, now))
		return -1;
	return peer_session_init(&p->r.s, NOISE_RESPONDER, &p->r.kp, rpsk,
				 &timers, &ops, &p->r, now) ? -1 : 0;
}

static inline int pair_start(struct pair *p, uint64_t now)
{
	return pair_start_psk(p, NULL, NULL, now);
}

static inline void pair_free(struct pair *p)
{
	peer_session_free(&p->i.s);
	peer_session_free(&p->r.s);
	grid_key_free(&p->i.id);
	grid_key_free(&p->r.id);
}

static inline size_t queued(const struct side *sd)
{
	size_t len;

	peer_session_output(&sd->s, &len);
	return len;
}

/*
 * What @from has queued, into @to: at once, or one byte at a time; what
 * @to's input said. Nothing moves to a closed side, so what a side wrote
 * after the other closed stays in its queue for the test to see.
 */
static inline int deliver(struct side *from, struct side *to, bool bytewise)
{
	const uint8_t *out;
	size_t len, k;
	int ret = 0;

	out = peer_session_output(&from->s, &len);
	if (!len || to->s.state == PEER_CLOSED)
		return 0;
	if (!bytewise)
		ret = peer_session_input(&to->s, out, len, t_now);
	for (k = 0; bytewise && k < len && !ret; k++)
		ret = peer_session_input(&to->s, out + k, 1, t_now);
	peer_session_wrote(&from->s, len);
	return ret;
}

/* Both ways until nothing moves: 0, or the first input that failed. */
static inline int pump(struct pair *p, bool bytewise)
{
	int k, ret;

	for (k = 0; k < 16; k++) {
		ret = deliver(&p->i, &p->r, bytewise);
		if (!ret)
			ret = deliver(&p->r, &p->i, bytewise);
		if (ret)
			return ret;
		if ((!queued(&p->i) || p->r.s.state == PEER_CLOSED) &&
		    (!queued(&p->r) || p->i.s.state == PEER_CLOSED))
			return 0;
	}
	return -EAGAIN;
}

static inline int pair_open(struct pair *p, uint64_t now)
{
	if (pair_new(p) || pair_start(p, now) || pump(p, false))
		return -1;
	return p->i.s.state == PEER_OPEN && p->r.s.state == PEER_OPEN ? 0 : -1;
}

/* @plain sent by the responder and read by the initiator: its input's answer. */
static inline int to_initiator(struct pair *p, const void *plain, size_t len)
{
	if (peer_session_send(&p->r.s, plain, len, t_now))
		return -ENOTRECOVERABLE;
	return deliver(&p->r, &p->i, false);
}

static inline bool why_is(const struct side *sd, const char *s)
{
	return sd->s.state == PEER_CLOSED && strstr(sd->s.why.msg, s);
}

#endif
