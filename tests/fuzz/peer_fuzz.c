// SPDX-License-Identifier: GPL-2.0
/*
 * peer_fuzz: the peer protocol (user/peer) under libFuzzer: its readers,
 * and sessions driven through their byte queues, all in memory. Every key
 * is fixed (the two grid identities from seeds, the Noise static and
 * ephemeral keys), so a run is deterministic and a real handshake in the
 * corpus stays valid.
 *
 * The first byte chooses what the rest is, unlike record_fuzz.c and
 * noise_fuzz.c, because the rest means different things: a hello is
 * checked against the static key it binds, a stream is frames of Noise
 * messages, a pair's input is plaintexts the test encrypts itself. Its
 * low two bits:
 *   0  the rest is a hello (peer_hello_read() over the fixed initiator's
 *      static key). Accepted: version 1, an identity grid_pk_ok() takes,
 *      a binding that verifies on its own, the proofs inside the input;
 *      and peer_hello_write() gives back the input byte for byte, unless
 *      the map has extension keys (64 and above), which are all it may
 *      have besides keys 1 to 5. Refused: one of the three errnos, and why.
 *   1  the rest is a message (peer_msg_read()). Accepted: a known type,
 *      at key 0, and cb_reencode() gives back the input; refused:
 *      -EBADMSG and why.
 *   2  the rest is the stream from an initiator to a responder session
 *      (the fixed responder: its hello, its ephemeral key). It is fed
 *      whole to one session and a byte at a time to another, which must
 *      end alike (state, why, the bytes they wrote). A message reaches
 *      the callback only on an open, authenticated session, and a session
 *      that failed stays closed: it reads, sends and ticks no more.
 *   3  the rest is plaintexts, each behind two bytes of length (big-
 *      endian, cut at the end of the input), encrypted by one side of a
 *      session pair made at startup with a real handshake and fed to the
 *      other side (the responder; with bit 2 of the first byte set, the
 *      initiator), so the parser and the callbacks are reached behind real
 *      decryption. Each plaintext is read on its own as well, and the
 *      session must do what that says: an empty one is a keepalive no
 *      callback sees; one that reads reaches the callback as it was sent
 *      (a bye closes instead); one that does not closes the session with
 *      the same sentence. What the receiving side writes back (pongs, a
 *      bye) decrypts on the sending side and reads.
 * The callbacks answer a ping with a pong, refuse a ping whose data
 * starts with 0xee, close the session with a bye from inside on a proofs
 * message, and (mode 2) refuse a hello that says port 1.
 *
 * PEER_FUZZ_SEEDS=<dir> build/fuzz/peer -runs=0 writes the seeds of
 * corpus/peer/ into <dir> from the code itself: hellos, one message of
 * each type, a real handshake transcript and pair inputs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcbor.h"
#include "frame.h"
#include "keys.h"
#include "noise.h"
#include "session.h"
#include "wire.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(int line, const char *what)
{
	fprintf(stderr, "peer_fuzz.c:%d: invariant broken: %s\n", line, what);
	abort();
}

#define must(cond) do { if (!(cond)) broken(__LINE__, #cond); } while (0)

enum { MODE_HELLO, MODE_MSG, MODE_STREAM, MODE_PAIR };

static const struct peer_timers timers = {
	.handshake = 5000, .keepalive = 10000, .dead = 30000,
	.rekey = 120000, .reject = 180000,
};

static struct grid_key i_id, r_id;
static struct noise_keypair i_static, r_static, i_eph, r_eph;

/* What a session's callbacks saw. */
struct side {
	struct peer_session *s;
	const struct grid_key *id;
	const struct noise_keypair *kp;
	bool responder_of_stream;	/* mode 2: refuses port 1 */
	bool hello_forbidden;		/* mode 3: the handshake is over */
	int n_auth, n_msgs;
	uint32_t last_type;
	size_t last_len;
	uint8_t last[NOISE_MSG_MAX];	/* the last message, re-encoded */
	uint64_t now;
};

static uint8_t *copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	return c;
}

static void key(struct noise_keypair *kp, uint8_t fill)
{
	uint8_t priv[NOISE_KEY_LEN];

	memset(priv, fill, sizeof(priv));
	must(!noise_keypair_from(kp, priv));
}

/* A side's hello: port 7470, and the proofs it is given (seeds only). */
static void hello_make(struct peer_hello *h, const struct grid_key *id,
		       const struct noise_keypair *kp)
{
	memset(h, 0, sizeof(*h));
	h->version = PEER_VERSION;
	memcpy(h->identity, id->pk, GRID_PK_LEN);
	peer_binding_sign(h->binding, kp->pub, id);
	h->port = 7470;
}

static int on_hello(void *ctx, const uint8_t *peer, struct cb_buf *b)
{
	struct side *sd = ctx;
	struct peer_hello h;

	must(!sd->hello_forbidden);
	/* Only the initiator knows whom it talks to when it says hello. */
	if (sd->s->role == NOISE_RESPONDER)
		must(!peer);
	else
		must(peer && !memcmp(peer, r_id.pk, GRID_PK_LEN));
	hello_make(&h, sd->id, sd->kp);
	peer_hello_write(b, &h);
	return 0;
}

static int on_authenticated(void *ctx, const struct peer_hello *h,
			    struct grid_why *why)
{
	struct side *sd = ctx;
	uint8_t st[PEER_BINDING_LEN];

	must(!sd->hello_forbidden);
	must(sd->s->state == PEER_HANDSHAKE && !sd->s->authenticated);
	must(h->version == PEER_VERSION && grid_pk_ok(h->identity));
	peer_binding_statement(st, noise_remote_static(&sd->s->hs));
	must(!grid_verify(h->binding, st, sizeof(st), h->identity));
	sd->n_auth++;
	if (sd->responder_of_stream && h->port == 1)
		return grid_why_set(why, -EPERM, "port 1 is refused by the fuzzer");
	return 0;
}

static long ping_write(uint8_t *buf, size_t cap, uint32_t type,
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

static int on_message(void *ctx, const struct peer_msg *m,
		      struct grid_why *why)
{
	struct side *sd = ctx;
	uint8_t buf[PEER_PING_MAX + 16];
	const uint8_t *data;
	struct cb_buf b;
	size_t n;
	long len;

	must(sd->s->state == PEER_OPEN && sd->s->authenticated);
	must(m->type != PEER_MSG_BYE && peer_msg_type_name(m->type));
	must(peer_msg_uint(m, PK_TYPE) == m->type);
	sd->n_msgs++;
	sd->last_type = m->type;
	cb_init(&b, sd->last, sizeof(sd->last));
	cb_reencode(&b, m->doc, 0);
	len = cb_end(&b);
	must(len > 0);
	sd->last_len = len;
	if (m->type == PEER_MSG_PROOFS) {
		peer_session_bye(sd->s, "a bye from the callback", sd->now);
		return 0;
	}
	if (m->type != PEER_MSG_PING)
		return 0;
	data = peer_msg_bytes(m, PK_PING_DATA, &n);
	must(data && n <= PEER_PING_MAX);
	if (n && data[0] == 0xee)
		return grid_why_set(why, -EPERM, "refused by the fuzzer");
	len = ping_write(buf, sizeof(buf), PEER_MSG_PONG, data, n);
	must(len > 0);
	return peer_session_send(sd->s, buf, len, sd->now);
}

static const struct peer_session_ops ops = {
	.hello = on_hello,
	.authenticated = on_authenticated,
	.message = on_message,
};

static void responder_init(struct peer_session *s, struct side *sd)
{
	memset(sd, 0, offsetof(struct side, last));
	sd->s = s;
	sd->id = &r_id;
	sd->kp = &r_static;
	must(!peer_session_init(s, NOISE_RESPONDER, &r_static, NULL, &timers,
				&ops, sd, 0));
	noise_handshake_set_ephemeral(&s->hs, &r_eph);
}

/*
 * peer_session_init() has written message 0 with a fresh ephemeral key:
 * the handshake is started again with the fixed one, and message 0
 * rewritten in its place, so that a pair is the same in every run.
 */
static void initiator_init(struct peer_session *s, struct side *sd)
{
	size_t n;

	memset(sd, 0, offsetof(struct side, last));
	sd->s = s;
	sd->id = &i_id;
	sd->kp = &i_static;
	must(!peer_session_init(s, NOISE_INITIATOR, &i_static, NULL, &timers,
				&ops, sd, 0));
	must(s->out_len == FRAME_HDR + NOISE_KEY_LEN);
	must(!noise_handshake_init(&s->hs, NOISE_INITIATOR, &i_static,
				   (const uint8_t *)PEER_PROLOGUE,
				   strlen(PEER_PROLOGUE), NULL));
	noise_handshake_set_ephemeral(&s->hs, &i_eph);
	must(!noise_write_message(&s->hs, NULL, 0, s->out + FRAME_HDR,
				  NOISE_KEY_LEN, &n));
	must(n == NOISE_KEY_LEN);
}

/* What @from queued into @to, all of it; @to's input. */
static int deliver(struct peer_session *from, struct peer_session *to,
		   uint64_t now)
{
	const uint8_t *out;
	size_t len;
	int ret;

	out = peer_session_output(from, &len);
	if (!len)
		return 0;
	ret = peer_session_input(to, out, len, now);
	peer_session_wrote(from, len);
	return ret;
}

/* A session that has failed: nothing more goes in or out. */
static void stays_closed(struct peer_session *s, const uint8_t *data,
			 size_t size)
{
	char why[sizeof(s->why.msg)];
	uint64_t next;
	size_t out;

	must(s->state == PEER_CLOSED && s->why.msg[0]);
	memcpy(why, s->why.msg, sizeof(why));
	peer_session_output(s, &out);
	must(peer_session_input(s, data, size, 1) == -ESHUTDOWN);
	must(peer_session_send(s, NULL, 0, 1) == -ENOTCONN);
	must(peer_session_tick(s, 1000000, &next) == -ESHUTDOWN);
	must(s->out_len == out && s->state == PEER_CLOSED);
	must(!memcmp(why, s->why.msg, sizeof(why)));
}

/* ---- mode 0: the hello --------------------------------------------------- */

static void fuzz_hello(const uint8_t *data, size_t size)
{
	static struct cb_doc doc;
	static uint8_t again[NOISE_MSG_MAX];
	uint8_t *buf = copy(data, size), st[PEER_BINDING_LEN];
	struct grid_why why = { "" };
	struct peer_hello h;
	struct cb_buf b;
	uint32_t i, own = 0, k;
	int ret;

	ret = peer_hello_read(&h, buf, size, i_static.pub, &why);
	if (ret) {
		must(ret == -EBADMSG || ret == -EPROTONOSUPPORT ||
		     ret == -EKEYREJECTED);
		must(why.msg[0]);
		free(buf);
		return;
	}
	must(h.version == PEER_VERSION && h.port <= 65535);
	must(grid_pk_ok(h.identity));
	peer_binding_statement(st, i_static.pub);
	must(!grid_verify(h.binding, st, sizeof(st), h.identity));
	must(h.n_proofs <= PEER_PROOFS_MAX);
	for (k = 0; k < h.n_proofs; k++) {
		must(h.proof_len[k] > 0);
		must(h.proof[k] >= buf && h.proof[k] + h.proof_len[k] <= buf + size);
	}
	must(!cb_decode(&doc, buf, size) && doc.it[0].kind == CB_MAP);
	for (i = 1; i < doc.n; i = cb_next(&doc, cb_next(&doc, i))) {
		must(doc.it[i].kind == CB_UINT);
		must((doc.it[i].v >= 1 && doc.it[i].v <= 5) || doc.it[i].v >= 64);
		own += doc.it[i].v < 64;
	}
	must(own == 4 + !!h.n_proofs);
	if (doc.it[0].n == own) {
		cb_init(&b, again, sizeof(again));
		peer_hello_write(&b, &h);
		must(cb_end(&b) == (long)size && !memcmp(again, buf, size));
	}
	free(buf);
}

/* ---- mode 1: a message ----------------------------------------------------- */

static void fuzz_msg(const uint8_t *data, size_t size)
{
	static struct cb_doc doc;
	static uint8_t again[NOISE_MSG_MAX];
	struct peer_msg m = { .doc = &doc };
	struct grid_why why = { "" };
	uint8_t *buf = copy(data, size);
	struct cb_buf b;
	int ret;

	ret = peer_msg_read(&m, buf, size, &why);
	if (ret) {
		must(ret == -EBADMSG && why.msg[0]);
	} else {
		must(m.type < __PEER_MSG_LAST && peer_msg_type_name(m.type));
		must(peer_msg_get(&m, PK_TYPE));
		must(peer_msg_uint(&m, PK_TYPE) == m.type);
		cb_init(&b, again, sizeof(again));
		cb_reencode(&b, &doc, 0);
		must(cb_end(&b) == (long)size && !memcmp(again, buf, size));
	}
	free(buf);
}

/* ---- mode 2: a responder and a raw stream ------------------------------------ */

static void fuzz_stream(const uint8_t *data, size_t size)
{
	static struct side a, b;
	struct peer_session sa, sb;
	uint8_t *buf = copy(data, size);
	const uint8_t *oa, *ob;
	size_t la, lb, k;
	uint64_t next;
	int ra, rb = 0;

	responder_init(&sa, &a);
	responder_init(&sb, &b);
	a.responder_of_stream = b.responder_of_stream = true;
	ra = peer_session_input(&sa, buf, size, 0);
	for (k = 0; k < size && !rb; k++)
		rb = peer_session_input(&sb, buf + k, 1, 0);
	must(ra == rb);
	must(sa.state == sb.state);
	must(!strcmp(sa.why.msg, sb.why.msg));
	must(sa.received == sb.received && sa.sent == sb.sent);
	must(sa.authenticated == sb.authenticated);
	must(a.n_auth == b.n_auth && a.n_msgs == b.n_msgs);
	oa = peer_session_output(&sa, &la);
	ob = peer_session_output(&sb, &lb);
	must(la == lb && (!la || !memcmp(oa, ob, la)));
	if (sa.state == PEER_OPEN) {
		must(!ra && sa.authenticated && a.n_auth == 1);
		must(grid_pk_ok(sa.identity));
		must(peer_session_tick(&sa, 1, &next) == 0);
	} else if (sa.state == PEER_HANDSHAKE) {
		must(!ra && !a.n_msgs && !sa.authenticated);
		must(peer_session_tick(&sa, timers.handshake - 1, &next) == 0);
		must(next == timers.handshake);
		must(peer_session_tick(&sa, timers.handshake, &next) == -ETIMEDOUT);
		stays_closed(&sa, buf, size);
	} else {
		must(ra < 0);
		stays_closed(&sa, buf, size);
	}
	peer_session_free(&sa);
	peer_session_free(&sb);
	free(buf);
}

/* ---- mode 3: an established pair ---------------------------------------------- */

/* The pair after its handshake, both queues empty: [0] initiator, [1] responder. */
static struct peer_session pair[2];

/* What @recv wrote back: each frame decrypts with @c and reads. */
static void written_back(struct peer_session *recv, struct noise_cipher *c)
{
	static uint8_t plain[NOISE_MSG_MAX];
	static struct cb_doc doc;
	struct peer_msg m = { .doc = &doc };
	struct grid_why why;
	const uint8_t *out, *msg;
	size_t len, mlen;
	long used;

	out = peer_session_output(recv, &len);
	while (len) {
		used = frame_next(out, len, &msg, &mlen);
		must(used > 0);
		must(!noise_decrypt(c, NULL, 0, msg, mlen, plain));
		if (mlen > NOISE_TAG_LEN) {
			must(!peer_msg_read(&m, plain, mlen - NOISE_TAG_LEN, &why));
			must(m.type == PEER_MSG_PONG || m.type == PEER_MSG_BYE);
		}
		out += used;
		len -= used;
	}
	/* Not with 0 on an empty queue: memmove(NULL, ...), reported. */
	if (recv->out_len)
		peer_session_wrote(recv, recv->out_len);
}

/* Whether on_message() refuses @m. */
static bool refused_ping(const struct peer_msg *m)
{
	const uint8_t *data;
	size_t n;

	if (m->type != PEER_MSG_PING)
		return false;
	data = peer_msg_bytes(m, PK_PING_DATA, &n);
	return n && data[0] == 0xee;
}

static void fuzz_pair(int to_initiator, const uint8_t *data, size_t size)
{
	static struct side sd;
	static struct cb_doc doc;
	static uint8_t frame[FRAME_MAX];
	struct peer_msg m = { .doc = &doc };
	struct peer_session recv = pair[!to_initiator];
	struct noise_cipher send = pair[to_initiator].tx;
	struct noise_cipher back = pair[to_initiator].rx;
	struct grid_why why;
	size_t off = 0, n;
	uint64_t now = 1000;
	int ret, ref, msgs;
	uint8_t *plain;

	/* The copy gets queues of its own; the keys and counters are the pair's. */
	recv.in = recv.out = NULL;
	recv.in_len = recv.in_cap = recv.out_len = recv.out_cap = 0;
	memset(&sd, 0, offsetof(struct side, last));
	sd.s = &recv;
	sd.hello_forbidden = true;
	recv.ctx = &sd;
	must(recv.state == PEER_OPEN);
	while (size - off >= 2) {
		n = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (n > size - off)
			n = size - off;
		if (n > NOISE_PAYLOAD_MAX)
			n = NOISE_PAYLOAD_MAX;
		plain = copy(data + off, n);
		off += n;
		sd.now = ++now;
		msgs = sd.n_msgs;
		ref = n ? peer_msg_read(&m, plain, n, &why) : 0;
		must(!frame_head(frame, n + NOISE_TAG_LEN));
		must(!noise_encrypt(&send, NULL, 0, plain, n, frame + FRAME_HDR));
		ret = peer_session_input(&recv, frame, FRAME_HDR + n + NOISE_TAG_LEN, now);
		must(recv.last_rx == now);
		if (!n) {
			must(!ret && sd.n_msgs == msgs);
		} else if (ref) {
			must(ret == ref && recv.state == PEER_CLOSED);
			must(sd.n_msgs == msgs && !strcmp(recv.why.msg, why.msg));
		} else if (m.type == PEER_MSG_BYE) {
			must(ret == -ESHUTDOWN && sd.n_msgs == msgs);
			must(!strncmp(recv.why.msg, "closed by the peer: ", 20));
		} else {
			must(sd.n_msgs == msgs + 1 && sd.last_type == m.type);
			must(sd.last_len == n && !memcmp(sd.last, plain, n));
			if (m.type == PEER_MSG_PROOFS)
				must(ret == -ESHUTDOWN &&
				     !strcmp(recv.why.msg, "a bye from the callback"));
			else if (refused_ping(&m))
				must(ret == -EPERM &&
				     !strcmp(recv.why.msg, "refused by the fuzzer"));
			else
				must(!ret && recv.state == PEER_OPEN);
		}
		written_back(&recv, &back);
		if (recv.state == PEER_CLOSED) {
			stays_closed(&recv, frame, FRAME_HDR + n + NOISE_TAG_LEN);
			free(plain);
			break;
		}
		free(plain);
	}
	peer_session_free(&recv);
	noise_cipher_wipe(&send);
	noise_cipher_wipe(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] & 3) {
	case MODE_HELLO:
		fuzz_hello(data + 1, size - 1);
		break;
	case MODE_MSG:
		fuzz_msg(data + 1, size - 1);
		break;
	case MODE_STREAM:
		fuzz_stream(data + 1, size - 1);
		break;
	case MODE_PAIR:
		fuzz_pair(data[0] >> 2 & 1, data + 1, size - 1);
		break;
	}
	return 0;
}

/* ---- the pair, and the seeds ---------------------------------------------------- */

static struct side pair_side[2];

static void pair_make(struct peer_session s[2], struct side sd[2])
{
	int k, ret = 0;

	initiator_init(&s[0], &sd[0]);
	responder_init(&s[1], &sd[1]);
	for (k = 0; k < 4 && !ret; k++) {
		ret = deliver(&s[0], &s[1], 0);
		if (!ret)
			ret = deliver(&s[1], &s[0], 0);
	}
	must(!ret && s[0].state == PEER_OPEN && s[1].state == PEER_OPEN);
	must(!s[0].out_len && !s[1].out_len && !s[0].in_len && !s[1].in_len);
	must(!memcmp(s[0].hash, s[1].hash, NOISE_HASH_LEN));
}

/* One message of each type, valid, into @b. */
static void example(struct cb_buf *b, uint32_t type)
{
	static const uint8_t z[64];
	static const char text[] = "a sentence for the fuzzer";

	switch (type) {
	case PEER_MSG_PING:
	case PEER_MSG_PONG:
		cb_map(b, 2);
		cb_uint(b, PK_TYPE);
		cb_uint(b, type);
		cb_uint(b, PK_PING_DATA);
		cb_bytes(b, "ping data", 9);
		return;
	case PEER_MSG_BYE:
		cb_map(b, 2);
		cb_uint(b, PK_TYPE);
		cb_uint(b, type);
		cb_uint(b, PK_BYE_WHY);
		cb_text(b, text, strlen(text));
		return;
	case PEER_MSG_PROOFS:
		cb_map(b, 2);
		cb_uint(b, PK_TYPE);
		cb_uint(b, type);
		cb_uint(b, PK_PROOFS);
		cb_array(b, 1);
		cb_bytes(b, z, 40);
		return;
	case PEER_MSG_HAVE:
		cb_map(b, 4);
		cb_uint(b, PK_TYPE);
		cb_uint(b, type);
		cb_uint(b, PK_GG);
		cb_bytes(b, z, GRID_PK_LEN);
		cb_uint(b, PK_HAVE_COUNT);
		cb_uint(b, 3);
		cb_uint(b, PK_HAVE_DIGEST);
		cb_bytes(b, z, GRID_ID_LEN);
		return;
	case PEER_MSG_IDS:
	case PEER_MSG_WANT:
		cb_map(b, type == PEER_MSG_IDS ? 4 : 3);
		cb_uint(b, PK_TYPE);
		cb_uint(b, type);
		cb_uint(b, PK_GG);
		cb_bytes(b, z, GRID_PK_LEN);
		cb_uint(b, PK_IDS);
		cb_array(b, 2);
		cb_bytes(b, z, GRID_ID_LEN);
		cb_bytes(b, z + 1, GRID_ID_LEN);
		if (type == PEER_MSG_IDS) {
			cb_uint(b, PK_IDS_LAST);
			cb_uint(b, 1);
		}
		return;
	case PEER_MSG_RECORDS:
		cb_map(b, 4);
		cb_uint(b, PK_TYPE);
		cb_uint(b, type);
		cb_uint(b, PK_GG);
		cb_bytes(b, z, GRID_PK_LEN);
		cb_uint(b, PK_RECORDS);
		cb_array(b, 1);
		cb_bytes(b, z, 50);
		cb_uint(b, PK_RECORDS_PROOFS);
		cb_array(b, 1);
		cb_bytes(b, z, 60);
		return;
	case PEER_MSG_LEASE_REQUEST:
		cb_map(b, 7);
		cb_uint(b, PK_TYPE);
		cb_uint(b, type);
		cb_uint(b, PK_REQ_ID);
		cb_bytes(b, z, PEER_REQ_ID_LEN);
		cb_uint(b, PK_REQ_GG);
		cb_bytes(b, z, GRID_PK_LEN);
		cb_uint(b, PK_REQ_HOLDER);
		cb_bytes(b, z, GRID_PK_LEN);
		cb_uint(b, PK_REQ_CERT);
		cb_bytes(b, z, 30);
		cb_uint(b, PK_REQ_LIMITS);
		cb_map(b, 1);
		cb_uint(b, 1);
		cb_uint(b, 500);
		cb_uint(b, PK_REQ_SECONDS);
		cb_uint(b, 3600);
		return;
	case PEER_MSG_LEASE_GRANT:
		cb_map(b, 3);
		cb_uint(b, PK_TYPE);
		cb_uint(b, type);
		cb_uint(b, PK_REQ_ID);
		cb_bytes(b, z, PEER_REQ_ID_LEN);
		cb_uint(b, PK_GRANT_LEASE);
		cb_bytes(b, z, 60);
		return;
	case PEER_MSG_LEASE_REFUSED:
		cb_map(b, 4);
		cb_uint(b, PK_TYPE);
		cb_uint(b, type);
		cb_uint(b, PK_REQ_ID);
		cb_bytes(b, z, PEER_REQ_ID_LEN);
		cb_uint(b, PK_REFUSED_CODE);
		cb_uint(b, 16);
		cb_uint(b, PK_REFUSED_WHY);
		cb_text(b, text, strlen(text));
		return;
	case PEER_MSG_LEASE_RENEW:
		cb_map(b, 5);
		cb_uint(b, PK_TYPE);
		cb_uint(b, type);
		cb_uint(b, PK_REQ_ID);
		cb_bytes(b, z, PEER_REQ_ID_LEN);
		cb_uint(b, PK_RENEW_LEASE_ID);
		cb_uint(b, 77);
		cb_uint(b, PK_RENEW_SECONDS);
		cb_uint(b, 600);
		cb_uint(b, PK_RENEW_LIMITS);
		cb_map(b, 0);
		return;
	}
	broken(__LINE__, "no example of this type");
}

static FILE *seed_open(const char *dir, const char *name, uint8_t mode)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	must(fp);
	must(fputc(mode, fp) == mode);
	return fp;
}

static void seed(const char *dir, const char *name, uint8_t mode,
		 const uint8_t *p, size_t n)
{
	FILE *fp = seed_open(dir, name, mode);

	must(fwrite(p, 1, n, fp) == n);
	fclose(fp);
}

static long example_len(uint8_t *buf, size_t cap, uint32_t type)
{
	struct cb_buf b;
	long len;

	cb_init(&b, buf, cap);
	example(&b, type);
	len = cb_end(&b);
	must(len > 0);
	return len;
}

static void write_hello_seeds(const char *dir)
{
	static const uint8_t proof[2][24] = { "a proof", "another proof" };
	uint8_t buf[1024];
	struct peer_hello h;
	struct cb_buf b;
	long len;

	hello_make(&h, &i_id, &i_static);
	cb_init(&b, buf, sizeof(buf));
	peer_hello_write(&b, &h);
	seed(dir, "hello", MODE_HELLO, buf, cb_end(&b));
	h.n_proofs = 2;
	h.proof[0] = proof[0];
	h.proof_len[0] = sizeof(proof[0]);
	h.proof[1] = proof[1];
	h.proof_len[1] = sizeof(proof[1]);
	cb_init(&b, buf, sizeof(buf));
	peer_hello_write(&b, &h);
	seed(dir, "hello-proofs", MODE_HELLO, buf, cb_end(&b));
	/* An extension: the map of five, and key 64 after the four. */
	h.n_proofs = 0;
	cb_init(&b, buf, sizeof(buf));
	peer_hello_write(&b, &h);
	len = cb_end(&b);
	must(len > 0 && buf[0] == 0xa4);
	buf[0] = 0xa5;
	memcpy(buf + len, "\x18\x40\x65later", 8);
	seed(dir, "hello-extension", MODE_HELLO, buf, len + 8);
}

/* The initiator's side of a real handshake with mode 2's responder, and after. */
static void write_stream_seeds(const char *dir)
{
	static struct side sd[2];
	static uint8_t buf[1024];
	struct peer_session s[2];
	const uint8_t *out;
	size_t len;
	FILE *fp, *trunc;
	uint32_t t;
	long n;

	initiator_init(&s[0], &sd[0]);
	responder_init(&s[1], &sd[1]);
	sd[1].responder_of_stream = true;
	fp = seed_open(dir, "stream-handshake", MODE_STREAM);
	trunc = seed_open(dir, "stream-message-0", MODE_STREAM);
	out = peer_session_output(&s[0], &len);
	must(fwrite(out, 1, len, fp) == len && fwrite(out, 1, len, trunc) == len);
	fclose(trunc);
	must(!deliver(&s[0], &s[1], 0));
	must(!deliver(&s[1], &s[0], 0));
	out = peer_session_output(&s[0], &len);
	must(s[0].state == PEER_OPEN && len);
	for (t = PEER_MSG_PING; t < __PEER_MSG_LAST; t++) {
		if (!peer_msg_type_name(t) || t == PEER_MSG_BYE ||
		    t == PEER_MSG_PROOFS)
			continue;
		n = example_len(buf, sizeof(buf), t);
		must(!peer_session_send(&s[0], buf, n, 0));
	}
	must(!peer_session_send(&s[0], NULL, 0, 0));
	peer_session_bye(&s[0], "the end of the seed", 0);
	out = peer_session_output(&s[0], &len);
	must(fwrite(out, 1, len, fp) == len);
	fclose(fp);
	must(deliver(&s[0], &s[1], 0) == -ESHUTDOWN);
	must(!strcmp(s[1].why.msg, "closed by the peer: the end of the seed"));
	peer_session_free(&s[0]);
	peer_session_free(&s[1]);
}

static void put_chunk(FILE *fp, const uint8_t *p, size_t n)
{
	must(fputc(n >> 8, fp) != EOF && fputc(n & 0xff, fp) != EOF);
	must(fwrite(p, 1, n, fp) == n);
}

static void write_msg_and_pair_seeds(const char *dir)
{
	uint8_t buf[1024];
	char name[64];
	FILE *fp[2];
	uint32_t t;
	long n;
	int k;

	for (t = 0; t < __PEER_MSG_LAST; t++) {
		if (!peer_msg_type_name(t))
			continue;
		n = example_len(buf, sizeof(buf), t);
		snprintf(name, sizeof(name), "msg-%u", t);
		seed(dir, name, MODE_MSG, buf, n);
		snprintf(name, sizeof(name), "pair-%u", t);
		fp[0] = seed_open(dir, name, MODE_PAIR);
		put_chunk(fp[0], buf, n);
		fclose(fp[0]);
	}
	/* Everything but a bye, twice, and a keepalive between, each way. */
	fp[0] = seed_open(dir, "pair-all-to-responder", MODE_PAIR);
	fp[1] = seed_open(dir, "pair-all-to-initiator", MODE_PAIR | 4);
	for (k = 0; k < 2; k++) {
		for (t = 0; t < __PEER_MSG_LAST; t++) {
			if (!peer_msg_type_name(t) || t == PEER_MSG_BYE ||
			    t == PEER_MSG_PROOFS)
				continue;
			n = example_len(buf, sizeof(buf), t);
			put_chunk(fp[k], buf, n);
			put_chunk(fp[k], NULL, 0);
			put_chunk(fp[k], buf, n);
		}
		fclose(fp[k]);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("PEER_FUZZ_SEEDS");
	uint8_t seed_[GRID_SEED_LEN];

	memset(seed_, 0x11, sizeof(seed_));
	must(!grid_key_from_seed(&i_id, seed_));
	memset(seed_, 0x22, sizeof(seed_));
	must(!grid_key_from_seed(&r_id, seed_));
	key(&i_static, 0x33);
	key(&r_static, 0x44);
	key(&i_eph, 0x55);
	key(&r_eph, 0x66);
	pair_make(pair, pair_side);
	/* Once made, the pair's callbacks are those of each run's copy. */
	pair_side[0].hello_forbidden = pair_side[1].hello_forbidden = true;
	if (dir) {
		write_hello_seeds(dir);
		write_stream_seeds(dir);
		write_msg_and_pair_seeds(dir);
	}
	return 0;
}
