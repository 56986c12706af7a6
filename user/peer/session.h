/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One peer session: the Noise_XX handshake that authenticates the peer's
 * identity through its hello, then transport messages, and the timers of
 * PROTOCOL.md §5. No I/O here: bytes read from the connection go in by
 * peer_session_input(), bytes to write come out of peer_session_output(),
 * and the clock is the caller's (milliseconds, monotonic), so a test or a
 * fuzzer can drive a session entirely in memory.
 */
#ifndef GRID_PEER_SESSION_H
#define GRID_PEER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "noise.h"
#include "wire.h"

/* Milliseconds; peer_timers_default() has PROTOCOL.md's. */
struct peer_timers {
	uint64_t handshake;	/* 5 s from the connection */
	uint64_t keepalive;	/* 10 s without sending */
	uint64_t dead;		/* 30 s without receiving */
	uint64_t rekey;		/* 120 s: the initiator dials again */
	uint64_t reject;	/* 180 s: closed */
};
void peer_timers_default(struct peer_timers *t);

#define PEER_REKEY_MESSAGES	(1ULL << 60)
#define PEER_REJECT_MESSAGES	(PEER_REKEY_MESSAGES + (1ULL << 13))
#define PEER_OUT_MAX		(4u << 20)	/* bytes queued for a slow reader */

struct peer_session_ops {
	/*
	 * Our hello into @b. @peer is the peer's identity when it is known
	 * (the initiator has read the responder's), NULL for the responder,
	 * whose hello goes to a peer not yet authenticated.
	 */
	int (*hello)(void *ctx, const uint8_t *peer, struct cb_buf *b);
	/*
	 * The peer's hello has verified: its identity is bound to the
	 * static key it proved in the handshake. 0 goes on; -errno with
	 * @why closes the session (an identity not the one expected).
	 */
	int (*authenticated)(void *ctx, const struct peer_hello *h,
			     struct grid_why *why);
	/* A message: 0, or -errno with @why to end the session. */
	int (*message)(void *ctx, const struct peer_msg *m,
		       struct grid_why *why);
};

enum peer_state { PEER_HANDSHAKE, PEER_OPEN, PEER_CLOSED };

struct peer_session {
	enum peer_state state;
	enum noise_role role;
	struct noise_handshake hs;
	struct noise_cipher tx, rx;
	uint8_t hash[NOISE_HASH_LEN];	/* the handshake's, once open */
	uint8_t identity[GRID_PK_LEN];	/* the peer's, once authenticated */
	bool authenticated;
	bool heard;			/* a whole frame came from it */
	uint64_t peer_port;		/* from its hello */
	const struct peer_session_ops *ops;
	void *ctx;
	struct peer_timers t;
	uint8_t *in;
	size_t in_len, in_cap;
	uint8_t *out;
	size_t out_len, out_cap;
	uint64_t started, opened, last_rx, last_tx;
	uint64_t sent, received;	/* transport messages */
	struct grid_why why;		/* why it closed */
};

/*
 * A session on a new connection, as the side that connected (initiator:
 * its first message is queued) or the side that accepted. @psk is NULL
 * (XX) or 32 bytes (XXpsk0). 0 or -errno.
 */
int peer_session_init(struct peer_session *s, enum noise_role role,
		      const struct noise_keypair *static_kp, const uint8_t *psk,
		      const struct peer_timers *t,
		      const struct peer_session_ops *ops, void *ctx,
		      uint64_t now);
void peer_session_free(struct peer_session *s);

/*
 * Bytes read from the connection. 0, or -errno when the session is over
 * (closed: s->why says why, and nothing more is read or written but what
 * is queued).
 */
int peer_session_input(struct peer_session *s, const uint8_t *buf,
		       size_t len, uint64_t now);
/* One message (or a keepalive, @len 0) encrypted and queued. */
int peer_session_send(struct peer_session *s, const uint8_t *plain,
		      size_t len, uint64_t now);
/* A bye with @why, queued, and the session closed. */
void peer_session_bye(struct peer_session *s, const char *why, uint64_t now);

/* What is queued to write; peer_session_wrote() takes off what was. */
static inline const uint8_t *peer_session_output(const struct peer_session *s,
						 size_t *len)
{
	*len = s->out_len;
	return s->out;
}
void peer_session_wrote(struct peer_session *s, size_t n);

/*
 * The timers at @now: a keepalive queued when due; -ETIMEDOUT (with
 * s->why) when the session must end, or the error of a keepalive that
 * cannot be queued (-ENOBUFS: the peer reads nothing). *@next: when to
 * call again.
 */
int peer_session_tick(struct peer_session *s, uint64_t now, uint64_t *next);
/* Whether the initiator should dial a new session to replace this one. */
bool peer_session_wants_rekey(const struct peer_session *s, uint64_t now);

#endif
