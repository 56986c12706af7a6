// SPDX-License-Identifier: GPL-2.0
/*
 * A peer session's state machine (PROTOCOL.md §2 to §5). The handshake is
 * three Noise messages; the hello in messages 1 and 2 is checked, binding
 * first, before anything after it is read, and any failure closes the
 * session: a decryption failure, a bad message, a timer. Nothing is
 * tolerated, because TCP has already delivered every byte in order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "frame.h"
#include "session.h"

void peer_timers_default(struct peer_timers *t)
{
	t->handshake = 5000;
	t->keepalive = 10000;
	t->dead = 30000;
	t->rekey = 120000;
	t->reject = 180000;
}

static int closed(struct peer_session *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int closed(struct peer_session *s, int err, const char *fmt, ...)
{
	va_list ap;

	if (s->state != PEER_CLOSED) {
		va_start(ap, fmt);
		vsnprintf(s->why.msg, sizeof(s->why.msg), fmt, ap);
		va_end(ap);
		s->state = PEER_CLOSED;
	}
	noise_handshake_wipe(&s->hs);
	noise_cipher_wipe(&s->rx);
	noise_cipher_wipe(&s->tx);
	return err;
}

/* Room for @n more bytes in the output queue. */
static int out_room(struct peer_session *s, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (s->out_len + n <= s->out_cap)
		return 0;
	if (s->out_len + n > PEER_OUT_MAX)
		return -ENOBUFS;
	cap = s->out_cap ? s->out_cap : 4096;
	while (cap < s->out_len + n)
		cap *= 2;
	p = realloc(s->out, cap);
	if (!p)
		return -ENOMEM;
	s->out = p;
	s->out_cap = cap;
	return 0;
}

/* A frame's header and room for its @len bytes: where they go. */
static uint8_t *frame_room(struct peer_session *s, size_t len, int *err)
{
	uint8_t *p;

	*err = frame_head((uint8_t[FRAME_HDR]){ 0 }, len);
	if (!*err)
		*err = out_room(s, FRAME_HDR + len);
	if (*err)
		return NULL;
	p = s->out + s->out_len;
	frame_head(p, len);
	return p + FRAME_HDR;
}

int peer_session_init(struct peer_session *s, enum noise_role role,
		      const struct noise_keypair *static_kp, const uint8_t *psk,
		      const struct peer_timers *t,
		      const struct peer_session_ops *ops, void *ctx,
		      uint64_t now)
{
	uint8_t *p;
	size_t n;
	int ret;

	memset(s, 0, sizeof(*s));
	s->role = role;
	s->ops = ops;
	s->ctx = ctx;
	s->t = *t;
	s->started = s->last_rx = s->last_tx = now;
	s->state = PEER_HANDSHAKE;
	ret = noise_handshake_init(&s->hs, role, static_kp,
				   (const uint8_t *)PEER_PROLOGUE,
				   sizeof(PEER_PROLOGUE) - 1, psk);
	if (ret || role == NOISE_RESPONDER)
		return ret;
	/* Message 0: our ephemeral key, and an empty payload. */
	p = frame_room(s, NOISE_KEY_LEN + 2 * NOISE_TAG_LEN, &ret);
	if (!p)
		return ret;
	ret = noise_write_message(&s->hs, NULL, 0, p,
				  NOISE_KEY_LEN + 2 * NOISE_TAG_LEN, &n);
	if (ret)
		return ret;
	frame_head(p - FRAME_HDR, n);
	s->out_len += FRAME_HDR + n;
	return 0;
}

void peer_session_free(struct peer_session *s)
{
	noise_handshake_wipe(&s->hs);
	noise_cipher_wipe(&s->tx);
	noise_cipher_wipe(&s->rx);
	if (s->in)
		sodium_memzero(s->in, s->in_cap);
	free(s->in);
	free(s->out);
	s->in = s->out = NULL;
	s->in_len = s->in_cap = s->out_len = s->out_cap = 0;
	s->state = PEER_CLOSED;
}

/* Our hello as a handshake message's payload, written into the queue. */
static int write_hello(struct peer_session *s, const uint8_t *peer)
{
	static uint8_t hello[NOISE_MSG_MAX];
	struct cb_buf b;
	uint8_t *p;
	size_t n;
	long len;
	int ret;

	cb_init(&b, hello, NOISE_MSG_MAX - 2 * NOISE_KEY_LEN - 3 * NOISE_TAG_LEN);
	ret = s->ops->hello(s->ctx, peer, &b);
	len = cb_end(&b);
	if (!ret && len < 0)
		ret = (int)len;
	if (ret)
		return closed(s, ret, "our hello cannot be made (%s)",
			      strerror(-ret));
	p = frame_room(s, len + 2 * NOISE_KEY_LEN + 3 * NOISE_TAG_LEN, &ret);
	if (p)
		ret = noise_write_message(&s->hs, hello, len, p,
					  len + 2 * NOISE_KEY_LEN + 3 * NOISE_TAG_LEN,
					  &n);
	sodium_memzero(hello, len);
	if (ret)
		return closed(s, ret, "a handshake message cannot be written (%s)",
			      strerror(-ret));
	frame_head(p - FRAME_HDR, n);
	s->out_len += FRAME_HDR + n;
	return 0;
}

static int read_hello(struct peer_session *s, const uint8_t *payload,
		      size_t len)
{
	struct peer_hello h;
	int ret;

	ret = peer_hello_read(&h, payload, len, noise_remote_static(&s->hs),
			      &s->why);
	if (!ret)
		ret = s->ops->authenticated(s->ctx, &h, &s->why);
	if (ret) {
		/* @why says it already; closed() keeps the first sentence. */
		s->state = PEER_CLOSED;
		return closed(s, ret, "%s", s->why.msg);
	}
	memcpy(s->identity, h.identity, GRID_PK_LEN);
	s->peer_port = h.port;
	s->authenticated = true;
	return 0;
}

static int open_session(struct peer_session *s, uint64_t now)
{
	int ret = noise_split(&s->hs, &s->tx, &s->rx, s->hash);

	if (ret)
		return closed(s, ret, "the handshake cannot be completed (%s)",
			      strerror(-ret));
	s->state = PEER_OPEN;
	s->opened = now;
	return 0;
}

static int handshake_message(struct peer_session *s, const uint8_t *msg,
			     size_t len, uint64_t now)
{
	static uint8_t payload[NOISE_MSG_MAX];
	int step = s->hs.msg;
	size_t n = 0;
	int ret;

	ret = noise_read_message(&s->hs, msg, len, payload, sizeof(payload), &n);
	if (ret)
		return closed(s, ret, ret == -EINVAL ?
			      "handshake message %d carries a low-order key" :
			      "handshake message %d does not verify (%s)", step,
			      strerror(-ret));
	if (step == 0) {
		/* Responder: message 0 is only the ephemeral key. */
		if (n)
			return closed(s, -EBADMSG,
				      "handshake message 0 has a payload");
		return write_hello(s, NULL);
	}
	ret = read_hello(s, payload, n);
	sodium_memzero(payload, n);
	if (ret)
		return ret;
	if (step == 1) {
		ret = write_hello(s, s->identity);
		if (ret)
			return ret;
	}
	return open_session(s, now);
}

static int transport_message(struct peer_session *s, const uint8_t *msg,
			     size_t len)
{
	static uint8_t plain[NOISE_MSG_MAX];
	static struct cb_doc doc;
	struct peer_msg m = { .doc = &doc };
	int ret;

	if (s->received >= PEER_REJECT_MESSAGES)
		return closed(s, -EOVERFLOW, "too many messages on one session");
	ret = noise_decrypt(&s->rx, NULL, 0, msg, len, plain);
	if (ret)
		return closed(s, ret, "a message does not decrypt");
	s->received++;
	if (len == NOISE_TAG_LEN)
		return 0;	/* a keepalive */
	ret = peer_msg_read(&m, plain, len - NOISE_TAG_LEN, &s->why);
	if (!ret && m.type == PEER_MSG_BYE) {
		size_t n;
		const uint8_t *why = peer_msg_bytes(&m, PK_BYE_WHY, &n);

		ret = closed(s, -ESHUTDOWN, "closed by the peer: %.*s", (int)n,
			     (const char *)why);
	} else if (!ret) {
		ret = s->ops->message(s->ctx, &m, &s->why);
	}
	sodium_memzero(plain, len - NOISE_TAG_LEN);
	if (ret && s->state != PEER_CLOSED) {
		/* The peer is told why (a bye) before the session closes. */
		char why[sizeof(s->why.msg)];

		snprintf(why, sizeof(why), "%s", s->why.msg);
		peer_session_bye(s, why, s->last_rx);
	}
	return ret;
}

/* Grows the input buffer to hold @need bytes. */
static int in_room(struct peer_session *s, size_t need)
{
	size_t cap = s->in_cap ? s->in_cap : 4096;
	uint8_t *p;

	if (need <= s->in_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > FRAME_MAX)
		cap = FRAME_MAX;
	p = malloc(cap);
	if (!p)
		return -ENOMEM;
	if (s->in) {
		memcpy(p, s->in, s->in_len);
		sodium_memzero(s->in, s->in_cap);
		free(s->in);
	}
	s->in = p;
	s->in_cap = cap;
	return 0;
}

int peer_session_input(struct peer_session *s, const uint8_t *buf,
		       size_t len, uint64_t now)
{
	const uint8_t *msg;
	size_t mlen, take;
	long used;
	int ret;

	while (len && s->state != PEER_CLOSED) {
		/* As much as the frame in progress can use, at most. */
		take = FRAME_MAX - s->in_len;
		if (take > len)
			take = len;
		ret = in_room(s, s->in_len + take);
		if (ret)
			return closed(s, ret, "out of memory");
		memcpy(s->in + s->in_len, buf, take);
		s->in_len += take;
		buf += take;
		len -= take;
		for (;;) {
			used = frame_next(s->in, s->in_len, &msg, &mlen);
			if (used < 0)
				return closed(s, (int)used, "a frame is shorter than any message");
			if (!used)
				break;
			s->last_rx = now;
			s->heard = true;
			if (s->state == PEER_HANDSHAKE)
				ret = handshake_message(s, msg, mlen, now);
			else
				ret = transport_message(s, msg, mlen);
			memmove(s->in, s->in + used, s->in_len - used);
			s->in_len -= used;
			if (ret)
				return ret;
			if (s->state == PEER_CLOSED)
				return -ESHUTDOWN;
		}
	}
	return s->state == PEER_CLOSED ? -ESHUTDOWN : 0;
}

int peer_session_send(struct peer_session *s, const uint8_t *plain,
		      size_t len, uint64_t now)
{
	uint8_t *p;
	int ret;

	if (s->state != PEER_OPEN)
		return -ENOTCONN;
	if (s->sent >= PEER_REJECT_MESSAGES)
		return closed(s, -EOVERFLOW, "too many messages on one session");
	if (len > NOISE_PAYLOAD_MAX)
		return -EMSGSIZE;
	p = frame_room(s, len + NOISE_TAG_LEN, &ret);
	if (!p)
		return closed(s, ret, ret == -ENOBUFS ?
			      "the peer does not read what is sent to it" :
			      "out of memory");
	ret = noise_encrypt(&s->tx, NULL, 0, plain, len, p);
	if (ret)
		return closed(s, ret, "a message cannot be encrypted (%s)",
			      strerror(-ret));
	s->out_len += FRAME_HDR + len + NOISE_TAG_LEN;
	s->sent++;
	s->last_tx = now;
	return 0;
}

void peer_session_bye(struct peer_session *s, const char *why, uint64_t now)
{
	uint8_t buf[PEER_TEXT_MAX + 16];
	struct cb_buf b;
	size_t n = strnlen(why, PEER_TEXT_MAX);
	long len;

	if (s->state == PEER_OPEN) {
		cb_init(&b, buf, sizeof(buf));
		cb_map(&b, 2);
		cb_uint(&b, PK_TYPE);
		cb_uint(&b, PEER_MSG_BYE);
		cb_uint(&b, PK_BYE_WHY);
		cb_text(&b, why, n);
		len = cb_end(&b);
		if (len > 0)
			peer_session_send(s, buf, len, now);
	}
	closed(s, -ESHUTDOWN, "%s", why);
}

void peer_session_wrote(struct peer_session *s, size_t n)
{
	if (!n)
		return;
	if (n > s->out_len)
		n = s->out_len;
	memmove(s->out, s->out + n, s->out_len - n);
	s->out_len -= n;
}

static void next_at(uint64_t *next, uint64_t when)
{
	if (when < *next)
		*next = when;
}

int peer_session_tick(struct peer_session *s, uint64_t now, uint64_t *next)
{
	const struct peer_timers *t = &s->t;

	*next = UINT64_MAX;
	if (s->state == PEER_CLOSED)
		return -ESHUTDOWN;
	if (s->state == PEER_HANDSHAKE) {
		if (now >= s->started + t->handshake)
			return closed(s, -ETIMEDOUT, "the handshake took over %llu ms",
				      (unsigned long long)t->handshake);
		next_at(next, s->started + t->handshake);
		return 0;
	}
	if (now >= s->last_rx + t->dead)
		return closed(s, -ETIMEDOUT, "nothing heard for %llu s",
			      (unsigned long long)(now - s->last_rx) / 1000);
	if (now >= s->opened + t->reject)
		return closed(s, -ETIMEDOUT, "the session is %llu s old",
			      (unsigned long long)(now - s->opened) / 1000);
	if (now >= s->last_tx + t->keepalive) {
		int ret = peer_session_send(s, NULL, 0, now);

		if (ret)
			return ret;
	}
	next_at(next, s->last_rx + t->dead);
	next_at(next, s->opened + t->reject);
	next_at(next, s->last_tx + t->keepalive);
	if (s->role == NOISE_INITIATOR && now < s->opened + t->rekey)
		next_at(next, s->opened + t->rekey);
	return 0;
}

bool peer_session_wants_rekey(const struct peer_session *s, uint64_t now)
{
	return s->state == PEER_OPEN && s->role == NOISE_INITIATOR &&
	       (now >= s->opened + s->t.rekey || s->sent >= PEER_REKEY_MESSAGES);
}
