// SPDX-License-Identifier: GPL-2.0
/*
 * The peer protocol's handshake (user/peer/session.c), between two
 * sessions in memory (peer_pair.h): what each side learns of the other,
 * with and without a psk, whole or one byte at a time; and what a side
 * must refuse of the hellos and handshake messages it reads.
 *
 * Its suite, "unit/peer", is shared with peer_session_test.c and
 * peer_wire_test.c: one suite, in three programs only to keep each
 * file small.
 */
#define UNIT_SUITE "unit/peer"
#include <errno.h>
#include <stdint.h>

#include <sodium.h>

#include "unit.h"
#include "frame.h"
#include "noise.h"
#include "peer_pair.h"

/* ---- the handshake ------------------------------------------------------- */

TEST(two_sessions_complete_the_handshake_and_each_knows_the_others_identity)
{
	static struct pair p;
	static const uint8_t zero[NOISE_HASH_LEN];

	CHECK(!pair_new(&p));
	CHECK(!pair_start(&p, 1000));
	CHECK(p.i.s.state == PEER_HANDSHAKE && p.r.s.state == PEER_HANDSHAKE);
	/* Message 0: e and no payload, behind its length. */
	CHECK(queued(&p.i) == FRAME_HDR + NOISE_KEY_LEN);
	CHECK(queued(&p.r) == 0);
	CHECK(!pump(&p, false));
	CHECK(p.i.s.state == PEER_OPEN && p.r.s.state == PEER_OPEN);
	CHECK(p.i.s.authenticated && p.r.s.authenticated);
	CHECK(!memcmp(p.i.s.identity, p.r.id.pk, GRID_PK_LEN));
	CHECK(!memcmp(p.r.s.identity, p.i.id.pk, GRID_PK_LEN));
	CHECK(!memcmp(p.i.s.hash, p.r.s.hash, NOISE_HASH_LEN));
	CHECK(memcmp(p.i.s.hash, zero, NOISE_HASH_LEN));
	CHECK(p.i.s.peer_port == 7470 && p.r.s.peer_port == 7470);
	CHECK(p.i.n_auth == 1 && p.r.n_auth == 1);
	CHECK(!memcmp(p.i.auth_identity, p.r.id.pk, GRID_PK_LEN));
	CHECK(!memcmp(p.r.auth_identity, p.i.id.pk, GRID_PK_LEN));
	CHECK(p.i.s.opened == 1000 && p.r.s.opened == 1000);
	CHECK(p.i.n_msgs == 0 && p.r.n_msgs == 0);
	pair_free(&p);
}

TEST(the_initiators_hello_callback_gets_the_responders_identity_and_the_responders_gets_null)
{
	static struct pair p;

	CHECK(!pair_open(&p, 0));
	CHECK(p.i.n_hello == 1 && p.r.n_hello == 1);
	CHECK(!p.i.hello_peer_null);
	CHECK(!memcmp(p.i.hello_peer, p.r.id.pk, GRID_PK_LEN));
	CHECK(p.r.hello_peer_null);
	pair_free(&p);
}

TEST(sessions_with_one_psk_open_and_with_another_psk_the_responder_refuses_message_0)
{
	static const uint8_t a[NOISE_KEY_LEN] = "grid-grid secret, thirty-two b.";
	static const uint8_t b[NOISE_KEY_LEN] = "grid-grid secret, thirty-two c.";
	static struct pair p, q;

	CHECK(!pair_new(&p));
	CHECK(!pair_start_psk(&p, a, a, 0));
	/* XXpsk0: message 0's empty payload has a tag. */
	CHECK(queued(&p.i) == FRAME_HDR + NOISE_KEY_LEN + NOISE_TAG_LEN);
	CHECK(!pump(&p, false));
	CHECK(p.i.s.state == PEER_OPEN && p.r.s.state == PEER_OPEN);
	CHECK(!memcmp(p.i.s.hash, p.r.s.hash, NOISE_HASH_LEN));
	pair_free(&p);

	CHECK(!pair_new(&q));
	CHECK(!pair_start_psk(&q, a, b, 0));
	CHECK(pump(&q, false) == -EBADMSG);
	CHECK(why_is(&q.r, "handshake message 0 does not verify"));
	CHECK(queued(&q.r) == 0 && q.r.n_hello == 0);
	pair_free(&q);
}

TEST(pings_and_pongs_arrive_intact_both_ways)
{
	static struct pair p;
	uint8_t data[PEER_PING_MAX], buf[PEER_PING_MAX + 16];
	int k, n_sent = 0;
	long len;

	CHECK(!pair_open(&p, 0));
	for (k = 0; k < 40; k++) {
		struct side *from = k % 2 ? &p.r : &p.i;
		struct side *to = k % 2 ? &p.i : &p.r;
		size_t n = (k * 37) % (PEER_PING_MAX + 1);

		randombytes_buf(data, n);
		len = ping_write(buf, sizeof(buf), PEER_MSG_PING, data, n);
		CHECK(len > 0);
		CHECK(!peer_session_send(&from->s, buf, len, 0));
		n_sent++;
		CHECK(!deliver(from, to, false));
		CHECK(to->last_type == PEER_MSG_PING);
		CHECK(to->last_len == (size_t)len && !memcmp(to->last, buf, len));
		/* The ping's answer, made inside the callback, goes back. */
		CHECK(!deliver(to, from, false));
		len = ping_write(buf, sizeof(buf), PEER_MSG_PONG, data, n);
		CHECK(from->last_type == PEER_MSG_PONG);
		CHECK(from->last_len == (size_t)len &&
		      !memcmp(from->last, buf, len));
	}
	CHECK(p.i.n_msgs == n_sent && p.r.n_msgs == n_sent);
	CHECK(p.i.s.sent == (uint64_t)n_sent && p.i.s.received == (uint64_t)n_sent);
	CHECK(p.i.s.state == PEER_OPEN && p.r.s.state == PEER_OPEN);
	pair_free(&p);
}

TEST(a_handshake_and_messages_fed_one_byte_at_a_time_arrive_the_same)
{
	static struct pair p;
	static const uint8_t data[] = "one byte at a time";
	uint8_t buf[64];
	long len;
	int k;

	CHECK(!pair_new(&p));
	p.i.hello = p.r.hello = HELLO_PROOFS;
	CHECK(!pair_start(&p, 0));
	CHECK(!pump(&p, true));
	CHECK(p.i.s.state == PEER_OPEN && p.r.s.state == PEER_OPEN);
	CHECK(!memcmp(p.i.s.identity, p.r.id.pk, GRID_PK_LEN));
	CHECK(!memcmp(p.r.s.identity, p.i.id.pk, GRID_PK_LEN));
	CHECK(!memcmp(p.i.s.hash, p.r.s.hash, NOISE_HASH_LEN));
	len = ping_write(buf, sizeof(buf), PEER_MSG_PING, data, sizeof(data));
	for (k = 0; k < 3; k++)
		CHECK(!peer_session_send(&p.i.s, buf, len, 0));
	CHECK(!peer_session_send(&p.i.s, NULL, 0, 0));
	CHECK(!pump(&p, true));
	CHECK(p.r.n_msgs == 3 && p.i.n_msgs == 3);
	CHECK(p.r.last_len == (size_t)len && !memcmp(p.r.last, buf, len));
	CHECK(p.r.s.received == 4);
	CHECK(p.i.last_type == PEER_MSG_PONG);
	pair_free(&p);
}

TEST(a_keepalive_is_not_delivered_to_the_message_callback)
{
	static struct pair p;

	CHECK(!pair_open(&p, 0));
	CHECK(!peer_session_send(&p.i.s, NULL, 0, 0));
	CHECK(queued(&p.i) == FRAME_HDR + NOISE_TAG_LEN);
	CHECK(!deliver(&p.i, &p.r, false));
	CHECK(p.r.n_msgs == 0);
	CHECK(p.r.s.received == 1);
	CHECK(p.r.s.state == PEER_OPEN);
	CHECK(queued(&p.r) == 0);
	pair_free(&p);
}

TEST(the_proofs_of_a_hello_reach_the_authenticated_callback)
{
	static struct pair p;

	CHECK(!pair_new(&p));
	p.i.hello = HELLO_PROOFS;
	CHECK(!pair_start(&p, 0));
	CHECK(!pump(&p, false));
	CHECK(p.r.s.state == PEER_OPEN);
	CHECK(p.r.auth_proofs == 2 && p.i.auth_proofs == 0);
	pair_free(&p);
}

/*
 * A pair whose responder (@bad_responder) or initiator writes hello @k:
 * what the other side's input returned. A responder's hello is read by
 * the initiator in message 1, an initiator's by the responder in message 2.
 */
static int refused_hello(struct pair *p, bool bad_responder,
			 enum hello_kind k)
{
	if (pair_new(p))
		return -ENOTRECOVERABLE;
	if (bad_responder)
		p->r.hello = k;
	else
		p->i.hello = k;
	if (pair_start(p, 0))
		return -ENOTRECOVERABLE;
	return pump(p, false);
}

/* The side that read the bad hello: closed, and nothing authenticated. */
static bool reader_refused(const struct pair *p, bool bad_responder,
			   const char *why)
{
	const struct side *reader = bad_responder ? &p->i : &p->r;

	return why_is(reader, why) && !reader->s.authenticated &&
	       reader->n_auth == 0;
}

TEST(a_hello_bound_to_another_static_key_does_not_verify_on_either_side)
{
	static struct pair p;
	int bad;

	for (bad = 0; bad < 2; bad++) {
		CHECK(refused_hello(&p, bad, HELLO_OTHER_BINDING) == -EKEYREJECTED);
		CHECK(reader_refused(&p, bad, "binding does not verify"));
		pair_free(&p);
	}
}

TEST(a_hello_of_version_2_is_refused)
{
	static struct pair p;
	int bad;

	for (bad = 0; bad < 2; bad++) {
		CHECK(refused_hello(&p, bad, HELLO_VERSION_2) == -EPROTONOSUPPORT);
		CHECK(reader_refused(&p, bad, "version 2"));
		pair_free(&p);
	}
}

TEST(a_hello_whose_identity_is_all_zero_or_of_small_order_is_refused)
{
	static struct pair p;
	int bad;

	for (bad = 0; bad < 2; bad++) {
		CHECK(refused_hello(&p, bad, HELLO_ZERO_IDENTITY) == -EKEYREJECTED);
		CHECK(reader_refused(&p, bad, "not a valid Ed25519 key"));
		pair_free(&p);
		CHECK(refused_hello(&p, bad, HELLO_SMALL_ORDER) == -EKEYREJECTED);
		CHECK(reader_refused(&p, bad, "not a valid Ed25519 key"));
		pair_free(&p);
	}
}

TEST(a_hello_with_key_0_or_key_7_is_refused)
{
	static struct pair p;
	int bad;

	for (bad = 0; bad < 2; bad++) {
		CHECK(refused_hello(&p, bad, HELLO_KEY_7) == -EBADMSG);
		CHECK(reader_refused(&p, bad, "unknown key 7"));
		pair_free(&p);
		CHECK(refused_hello(&p, bad, HELLO_KEY_0) == -EBADMSG);
		CHECK(reader_refused(&p, bad, "unknown key 0"));
		pair_free(&p);
	}
}

TEST(a_hello_with_the_extension_key_64_is_accepted)
{
	static struct pair p;

	CHECK(!pair_new(&p));
	p.i.hello = p.r.hello = HELLO_KEY_64;
	CHECK(!pair_start(&p, 0));
	CHECK(!pump(&p, false));
	CHECK(p.i.s.state == PEER_OPEN && p.r.s.state == PEER_OPEN);
	CHECK(p.i.s.authenticated && p.r.s.authenticated);
	pair_free(&p);
}

TEST(a_hello_with_a_long_head_is_refused_as_not_deterministic)
{
	static struct pair p;
	int bad;

	for (bad = 0; bad < 2; bad++) {
		CHECK(refused_hello(&p, bad, HELLO_LONG_HEAD) == -EBADMSG);
		CHECK(reader_refused(&p, bad, "not deterministic"));
		pair_free(&p);
	}
}

TEST(a_refusal_by_the_initiators_authenticated_callback_closes_it_before_its_hello)
{
	static struct pair p;

	CHECK(!pair_new(&p));
	p.i.auth_ret = -EKEYREJECTED;
	CHECK(!pair_start(&p, 0));
	CHECK(pump(&p, false) == -EKEYREJECTED);
	CHECK(p.i.n_auth == 1);
	CHECK(why_is(&p.i, "is not the grid expected"));
	CHECK(!strcmp(p.i.s.why.msg, "is not the grid expected"));
	CHECK(!p.i.s.authenticated);
	/* Message 0 was taken; message 2, with our hello, never made. */
	CHECK(p.i.n_hello == 0);
	CHECK(queued(&p.i) == 0);
	CHECK(p.r.s.state == PEER_HANDSHAKE && p.r.n_auth == 0);
	pair_free(&p);
}

TEST(a_refusal_by_the_responders_authenticated_callback_closes_it_with_its_sentence)
{
	static struct pair p;

	CHECK(!pair_new(&p));
	p.r.auth_ret = -EPERM;
	CHECK(!pair_start(&p, 0));
	CHECK(pump(&p, false) == -EPERM);
	CHECK(!strcmp(p.r.s.why.msg, "is not the grid expected"));
	CHECK(p.r.s.state == PEER_CLOSED && !p.r.s.authenticated);
	/* The initiator had sent message 2 and split: it is open. */
	CHECK(p.i.s.state == PEER_OPEN);
	pair_free(&p);
}

TEST(a_hello_that_cannot_be_made_closes_the_session_and_writes_nothing)
{
	static struct pair p;

	CHECK(!pair_new(&p));
	p.r.hello = HELLO_FAILS;
	CHECK(!pair_start(&p, 0));
	CHECK(pump(&p, false) == -EIO);
	CHECK(why_is(&p.r, "our hello cannot be made"));
	CHECK(queued(&p.r) == 0);
	pair_free(&p);
}

/* Frames @msg into @out: its length. */
static size_t framed(uint8_t *out, const uint8_t *msg, size_t len)
{
	frame_head(out, len);
	memcpy(out + FRAME_HDR, msg, len);
	return FRAME_HDR + len;
}

TEST(a_message_0_with_a_payload_is_refused_by_the_responder)
{
	static struct pair p;
	struct noise_handshake hs;
	uint8_t msg[128], frame[130];
	size_t len;

	CHECK(!pair_new(&p));
	CHECK(!pair_start(&p, 0));
	CHECK(!noise_handshake_init(&hs, NOISE_INITIATOR, &p.i.kp,
				    (const uint8_t *)PEER_PROLOGUE,
				    strlen(PEER_PROLOGUE), NULL));
	CHECK(!noise_write_message(&hs, (const uint8_t *)"x", 1, msg,
				   sizeof(msg), &len));
	CHECK(len == NOISE_KEY_LEN + 1);
	len = framed(frame, msg, len);
	CHECK(peer_session_input(&p.r.s, frame, len, 0) == -EBADMSG);
	CHECK(!strcmp(p.r.s.why.msg, "handshake message 0 has a payload"));
	CHECK(queued(&p.r) == 0 && p.r.n_hello == 0);
	noise_handshake_wipe(&hs);
	pair_free(&p);
}

TEST(a_handshake_message_with_a_flipped_bit_is_refused)
{
	static struct pair p;
	uint8_t *out;
	size_t len;

	CHECK(!pair_new(&p));
	CHECK(!pair_start(&p, 0));
	CHECK(!deliver(&p.i, &p.r, false));
	out = (uint8_t *)peer_session_output(&p.r.s, &len);
	CHECK(len > FRAME_HDR + 64);
	/* In the encrypted static key of message 1. */
	out[FRAME_HDR + 40] ^= 0x04;
	CHECK(deliver(&p.r, &p.i, false) == -EBADMSG);
	CHECK(why_is(&p.i, "handshake message 1 does not verify"));
	CHECK(queued(&p.i) == 0 && p.i.n_hello == 0);
	pair_free(&p);
}

TEST(a_frame_shorter_than_16_bytes_closes_the_session_in_the_handshake_and_after)
{
	static struct pair p, q;
	static const uint8_t short15[] = { 0x00, 0x0f }, zero[] = { 0, 0 };

	CHECK(!pair_new(&p));
	CHECK(!pair_start(&p, 0));
	CHECK(peer_session_input(&p.r.s, short15, sizeof(short15), 0) == -EBADMSG);
	CHECK(why_is(&p.r, "shorter than any message"));
	pair_free(&p);

	CHECK(!pair_open(&q, 0));
	/* A header alone says it: no need to wait for its bytes. */
	CHECK(peer_session_input(&q.i.s, zero, 1, 0) == 0);
	CHECK(q.i.s.state == PEER_OPEN);
	CHECK(peer_session_input(&q.i.s, zero + 1, 1, 0) == -EBADMSG);
	CHECK(why_is(&q.i, "shorter than any message"));
	pair_free(&q);
}
