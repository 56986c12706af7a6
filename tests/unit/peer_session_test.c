// SPDX-License-Identifier: GPL-2.0
/*
 * An open peer session (user/peer/session.c), between two sessions in
 * memory (peer_pair.h): what it must refuse of transport messages, the
 * bye, its timers on a clock the test moves, and the bound on its output
 * queue.
 *
 * Its suite, "unit/peer", is shared with peer_handshake_test.c and
 * peer_wire_test.c: one suite, in three programs only to keep each
 * file small.
 */
#define UNIT_SUITE "unit/peer"
#include <errno.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "dcbor.h"
#include "frame.h"
#include "noise.h"
#include "peer_pair.h"

/* ---- transport messages --------------------------------------------------- */

TEST(a_transport_message_with_one_flipped_bit_does_not_decrypt)
{
	static struct pair p;
	uint8_t buf[64], *out;
	size_t len;
	long n;

	CHECK(!pair_open(&p, 0));
	n = ping_write(buf, sizeof(buf), PEER_MSG_PING, (const uint8_t *)"x", 1);
	CHECK(!peer_session_send(&p.r.s, buf, n, 0));
	out = (uint8_t *)peer_session_output(&p.r.s, &len);
	CHECK(len == FRAME_HDR + (size_t)n + NOISE_TAG_LEN);
	out[len - 1] ^= 0x80;
	CHECK(deliver(&p.r, &p.i, false) == -EBADMSG);
	CHECK(why_is(&p.i, "does not decrypt"));
	CHECK(p.i.n_msgs == 0 && p.i.s.received == 0);
	pair_free(&p);
}

TEST(a_message_of_an_unknown_type_closes_the_session)
{
	static const uint64_t unknown[] = { 0, 5, 9, 14, 19, 24, 1000, UINT64_MAX };
	static struct pair p;
	uint8_t buf[32];
	struct cb_buf b;
	size_t k;

	for (k = 0; k < sizeof(unknown) / sizeof(unknown[0]); k++) {
		CHECK(!pair_open(&p, 0));
		cb_init(&b, buf, sizeof(buf));
		cb_map(&b, 1);
		cb_uint(&b, PK_TYPE);
		cb_uint(&b, unknown[k]);
		CHECK(to_initiator(&p, buf, cb_end(&b)) == -EBADMSG);
		CHECK(why_is(&p.i, "unknown type"));
		CHECK(p.i.n_msgs == 0);
		pair_free(&p);
	}
}

/* A ping wrong in one way (@what), from the responder: the initiator's answer. */
static int odd_ping(struct pair *p, int what)
{
	uint8_t buf[PEER_PING_MAX + 64], data[PEER_PING_MAX + 1] = { 0 };
	struct cb_buf b;

	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, what == 0 ? 1 : what < 4 ? 2 : 3);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_PING);
	switch (what) {
	case 0:		/* no key 1 */
		break;
	case 1:		/* key 1 a text */
		cb_uint(&b, PK_PING_DATA);
		cb_text(&b, "data", 4);
		break;
	case 2:		/* key 1 too long */
		cb_uint(&b, PK_PING_DATA);
		cb_bytes(&b, data, PEER_PING_MAX + 1);
		break;
	case 3:		/* key 1 a uint */
		cb_uint(&b, PK_PING_DATA);
		cb_uint(&b, 1);
		break;
	case 4:		/* an unknown key 2 */
		cb_uint(&b, PK_PING_DATA);
		cb_bytes(&b, data, 1);
		cb_uint(&b, 2);
		cb_uint(&b, 0);
		break;
	case 5:		/* a text key */
		cb_uint(&b, PK_PING_DATA);
		cb_bytes(&b, data, 1);
		cb_text(&b, "a", 1);
		cb_uint(&b, 0);
		break;
	case 6:		/* a negative key */
		cb_uint(&b, PK_PING_DATA);
		cb_bytes(&b, data, 1);
		cb_int(&b, -1);
		cb_uint(&b, 0);
		break;
	case 7:		/* an extension, accepted */
		cb_uint(&b, PK_PING_DATA);
		cb_bytes(&b, data, 1);
		cb_uint(&b, 64);
		cb_uint(&b, 0);
		break;
	}
	return to_initiator(p, buf, cb_end(&b));
}

TEST(a_message_without_a_required_key_closes_the_session)
{
	static struct pair p;

	CHECK(!pair_open(&p, 0));
	CHECK(odd_ping(&p, 0) == -EBADMSG);
	CHECK(why_is(&p.i, "ping lacks key 1"));
	CHECK(p.i.n_msgs == 0);
	pair_free(&p);
}

TEST(a_message_with_a_value_of_the_wrong_type_closes_the_session)
{
	static struct pair p;
	int what;

	for (what = 1; what <= 3; what += 2) {
		CHECK(!pair_open(&p, 0));
		CHECK(odd_ping(&p, what) == -EBADMSG);
		CHECK(why_is(&p.i, "key 1 is not of its type"));
		CHECK(p.i.n_msgs == 0);
		pair_free(&p);
	}
}

TEST(a_ping_of_257_bytes_closes_the_session)
{
	static struct pair p;

	CHECK(!pair_open(&p, 0));
	CHECK(odd_ping(&p, 2) == -EBADMSG);
	CHECK(why_is(&p.i, "out of its bounds"));
	pair_free(&p);
}

TEST(a_message_with_an_unknown_key_closes_the_session_and_an_extension_does_not)
{
	static struct pair p;

	CHECK(!pair_open(&p, 0));
	CHECK(odd_ping(&p, 4) == -EBADMSG);
	CHECK(why_is(&p.i, "ping has an unknown key 2"));
	pair_free(&p);
	CHECK(!pair_open(&p, 0));
	CHECK(odd_ping(&p, 7) == 0);
	CHECK(p.i.n_msgs == 1 && p.i.last_type == PEER_MSG_PING);
	CHECK(p.i.s.state == PEER_OPEN);
	pair_free(&p);
}

TEST(a_message_whose_map_key_is_not_an_unsigned_integer_closes_the_session)
{
	static struct pair p;
	int what;

	for (what = 5; what <= 6; what++) {
		CHECK(!pair_open(&p, 0));
		CHECK(odd_ping(&p, what) == -EBADMSG);
		CHECK(why_is(&p.i, "not a small integer"));
		pair_free(&p);
	}
}

TEST(a_message_that_is_not_a_deterministic_map_closes_the_session)
{
	static const struct { const char *bytes; size_t len; } bad[] = {
		{ "\x01", 1 },				/* not a map */
		{ "\xa1\x01\x01", 3 },			/* no type */
		{ "\xa1\x00\x61\x31", 4 },		/* a text type */
		{ "\xa2\x00\x18\x01\x01\x40", 6 },	/* a long head */
		{ "\xa2\x01\x40\x00\x01", 5 },		/* keys out of order */
		{ "\xbf\x00\x01\x01\x40\xff", 6 },	/* indefinite */
		{ "\xa2\x00\x01\x01\x40\x00", 6 },	/* a byte after it */
	};
	static struct pair p;
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		CHECK(!pair_open(&p, 0));
		CHECK(to_initiator(&p, bad[k].bytes, bad[k].len) == -EBADMSG);
		CHECK(p.i.s.state == PEER_CLOSED && p.i.n_msgs == 0);
		pair_free(&p);
	}
}

TEST(a_bye_closes_the_session_with_the_peers_sentence)
{
	static struct pair p;

	CHECK(!pair_open(&p, 0));
	peer_session_bye(&p.r.s, "a newer session replaces this one", 0);
	CHECK(!strcmp(p.r.s.why.msg, "a newer session replaces this one"));
	CHECK(p.r.s.state == PEER_CLOSED);
	CHECK(queued(&p.r) > 0);
	CHECK(deliver(&p.r, &p.i, false) == -ESHUTDOWN);
	CHECK(!strcmp(p.i.s.why.msg,
		      "closed by the peer: a newer session replaces this one"));
	CHECK(p.i.s.state == PEER_CLOSED);
	/* A bye is the session's business, not the message callback's. */
	CHECK(p.i.n_msgs == 0);
	pair_free(&p);
}

TEST(a_bye_before_the_handshake_is_done_closes_and_sends_nothing)
{
	static struct pair p;

	CHECK(!pair_new(&p));
	CHECK(!pair_start(&p, 0));
	peer_session_wrote(&p.i.s, queued(&p.i));
	peer_session_bye(&p.i.s, "shutting down", 0);
	CHECK(why_is(&p.i, "shutting down"));
	CHECK(queued(&p.i) == 0);
	pair_free(&p);
}

TEST(a_refusal_by_the_message_callback_closes_the_session_with_its_sentence)
{
	static struct pair p;
	uint8_t buf[32];
	long len;

	CHECK(!pair_open(&p, 0));
	p.i.msg_ret = -EPERM;
	len = ping_write(buf, sizeof(buf), PEER_MSG_PING, (const uint8_t *)"x", 1);
	CHECK(to_initiator(&p, buf, len) == -EPERM);
	CHECK(!strcmp(p.i.s.why.msg, "the test refuses a ping"));
	CHECK(p.i.s.state == PEER_CLOSED && p.i.n_msgs == 1);
	/* Told why: one bye, which the responder reads as its close. */
	CHECK(queued(&p.i) > 0);
	CHECK(deliver(&p.i, &p.r, false) == -ESHUTDOWN);
	CHECK(why_is(&p.r, "closed by the peer: the test refuses a ping"));
	pair_free(&p);
}

TEST(a_closed_session_reads_sends_and_ticks_no_more)
{
	static struct pair p;
	const uint8_t *out;
	uint8_t buf[32];
	uint64_t next;
	size_t len;
	long n;

	CHECK(!pair_open(&p, 0));
	n = ping_write(buf, sizeof(buf), PEER_MSG_PING, (const uint8_t *)"x", 1);
	CHECK(!peer_session_send(&p.r.s, buf, n, 0));
	CHECK(!peer_session_send(&p.r.s, buf, n, 0));
	peer_session_bye(&p.i.s, "done", 0);
	CHECK(!strcmp(p.i.s.why.msg, "done"));
	peer_session_wrote(&p.i.s, queued(&p.i));
	out = peer_session_output(&p.r.s, &len);
	CHECK(len > 0);
	CHECK(peer_session_input(&p.i.s, out, len, 0) == -ESHUTDOWN);
	CHECK(p.i.n_msgs == 0 && p.i.s.received == 0);
	CHECK(peer_session_send(&p.i.s, buf, n, 0) == -ENOTCONN);
	CHECK(peer_session_tick(&p.i.s, 1000000, &next) == -ESHUTDOWN);
	CHECK(next == UINT64_MAX);
	CHECK(queued(&p.i) == 0);
	CHECK(!strcmp(p.i.s.why.msg, "done"));
	pair_free(&p);
}

TEST(a_session_past_the_reject_count_of_messages_is_closed)
{
	static struct pair p;
	uint8_t buf[32];
	long len;

	CHECK(!pair_open(&p, 0));
	p.i.s.received = PEER_REJECT_MESSAGES;
	len = ping_write(buf, sizeof(buf), PEER_MSG_PING, (const uint8_t *)"x", 1);
	CHECK(to_initiator(&p, buf, len) == -EOVERFLOW);
	CHECK(why_is(&p.i, "too many messages"));
	p.r.s.sent = PEER_REJECT_MESSAGES;
	CHECK(peer_session_send(&p.r.s, buf, len, 0) == -EOVERFLOW);
	CHECK(why_is(&p.r, "too many messages"));
	pair_free(&p);
}

/* ---- timers ---------------------------------------------------------------- */

TEST(a_handshake_not_done_in_time_ends_with_etimedout)
{
	static struct pair p;
	uint64_t next;

	CHECK(!pair_new(&p));
	CHECK(!pair_start(&p, 1000));
	CHECK(!deliver(&p.i, &p.r, false));
	CHECK(peer_session_tick(&p.i.s, 1000 + timers.handshake - 1, &next) == 0);
	CHECK(next == 1000 + timers.handshake);
	CHECK(peer_session_tick(&p.i.s, 1000 + timers.handshake, &next) == -ETIMEDOUT);
	CHECK(why_is(&p.i, "the handshake took over 5000 ms"));
	CHECK(peer_session_tick(&p.r.s, 1000 + timers.handshake, &next) == -ETIMEDOUT);
	CHECK(p.r.s.state == PEER_CLOSED);
	pair_free(&p);
}

TEST(a_keepalive_is_sent_after_the_keepalive_time_of_silence)
{
	static struct pair p;
	uint64_t t0 = 5000, next;

	CHECK(!pair_open(&p, t0));
	CHECK(queued(&p.i) == 0);
	CHECK(peer_session_tick(&p.i.s, t0 + timers.keepalive - 1, &next) == 0);
	CHECK(queued(&p.i) == 0);
	CHECK(next == t0 + timers.keepalive);
	CHECK(peer_session_tick(&p.i.s, t0 + timers.keepalive, &next) == 0);
	CHECK(queued(&p.i) == FRAME_HDR + NOISE_TAG_LEN);
	CHECK(p.i.s.last_tx == t0 + timers.keepalive);
	CHECK(next == t0 + 2 * timers.keepalive);
	/* Not again until another keepalive time has passed. */
	CHECK(peer_session_tick(&p.i.s, t0 + timers.keepalive + 1, &next) == 0);
	CHECK(queued(&p.i) == FRAME_HDR + NOISE_TAG_LEN);
	t_now = t0 + timers.keepalive;
	CHECK(!deliver(&p.i, &p.r, false));
	CHECK(p.r.n_msgs == 0 && p.r.s.received == 1);
	CHECK(p.r.s.last_rx == t0 + timers.keepalive);
	pair_free(&p);
}

TEST(a_session_that_hears_nothing_for_the_dead_time_ends)
{
	static struct pair p;
	uint64_t t0 = 7, next;

	CHECK(!pair_open(&p, t0));
	CHECK(peer_session_tick(&p.i.s, t0 + timers.dead - 1, &next) == 0);
	CHECK(p.i.s.state == PEER_OPEN);
	CHECK(peer_session_tick(&p.i.s, t0 + timers.dead, &next) == -ETIMEDOUT);
	CHECK(why_is(&p.i, "nothing heard for 30 s"));
	pair_free(&p);
}

TEST(a_session_kept_alive_is_closed_at_the_reject_age)
{
	static struct pair p;
	uint64_t t0 = 1000, next, now;

	CHECK(!pair_open(&p, t0));
	for (now = t0; now < t0 + timers.reject; now += timers.keepalive / 2) {
		t_now = now;
		CHECK(peer_session_tick(&p.i.s, now, &next) == 0);
		CHECK(peer_session_tick(&p.r.s, now, &next) == 0);
		CHECK(!pump(&p, false));
	}
	CHECK(p.i.s.received > 10 && p.r.s.received > 10);
	CHECK(p.i.n_msgs == 0 && p.r.n_msgs == 0);
	CHECK(peer_session_tick(&p.i.s, t0 + timers.reject - 1, &next) == 0);
	CHECK(next == t0 + timers.reject);
	CHECK(peer_session_tick(&p.i.s, t0 + timers.reject, &next) == -ETIMEDOUT);
	CHECK(why_is(&p.i, "the session is 180 s old"));
	CHECK(peer_session_tick(&p.r.s, t0 + timers.reject, &next) == -ETIMEDOUT);
	pair_free(&p);
}

TEST(only_the_initiator_wants_a_rekey_after_the_rekey_time_or_count)
{
	static struct pair p;
	uint64_t t0 = 100, next;

	CHECK(!pair_open(&p, t0));
	CHECK(!peer_session_wants_rekey(&p.i.s, t0 + timers.rekey - 1));
	CHECK(peer_session_wants_rekey(&p.i.s, t0 + timers.rekey));
	CHECK(!peer_session_wants_rekey(&p.r.s, t0 + timers.rekey));
	CHECK(!peer_session_wants_rekey(&p.r.s, t0 + timers.reject - 1));
	/* The initiator's next tick is at the rekey time, if nothing is before. */
	p.i.s.last_rx = p.i.s.last_tx = t0 + timers.rekey;
	CHECK(peer_session_tick(&p.i.s, t0 + timers.rekey - 1, &next) == 0);
	CHECK(next == t0 + timers.rekey);
	p.i.s.sent = p.r.s.sent = PEER_REKEY_MESSAGES;
	CHECK(peer_session_wants_rekey(&p.i.s, t0));
	CHECK(!peer_session_wants_rekey(&p.r.s, t0));
	pair_free(&p);
}

/* ---- the output queue -------------------------------------------------------- */

TEST(a_peer_that_never_reads_ends_the_session_with_enobufs)
{
	static struct pair p;
	static uint8_t big[60000];
	size_t n = 0, frame = FRAME_HDR + sizeof(big) + NOISE_TAG_LEN;
	int ret;

	CHECK(!pair_open(&p, 0));
	while (!(ret = peer_session_send(&p.r.s, big, sizeof(big), 0)))
		n++;
	CHECK(ret == -ENOBUFS);
	CHECK(n == PEER_OUT_MAX / frame);
	CHECK(queued(&p.r) == n * frame && queued(&p.r) <= PEER_OUT_MAX);
	CHECK(why_is(&p.r, "does not read"));
	CHECK(peer_session_send(&p.r.s, NULL, 0, 0) == -ENOTCONN);
	pair_free(&p);
}

TEST(a_message_over_the_noise_payload_maximum_is_refused_without_closing)
{
	static struct pair p;
	static uint8_t big[NOISE_PAYLOAD_MAX + 1];

	CHECK(!pair_open(&p, 0));
	CHECK(peer_session_send(&p.r.s, big, sizeof(big), 0) == -EMSGSIZE);
	CHECK(p.r.s.state == PEER_OPEN && queued(&p.r) == 0);
	CHECK(!peer_session_send(&p.r.s, big, NOISE_PAYLOAD_MAX, 0));
	CHECK(queued(&p.r) == FRAME_MAX);
	pair_free(&p);
}

/*
 * peer_session_wrote(s, 0) on a session that has queued nothing yet (a
 * responder before message 0) once called memmove(NULL, NULL + 0, 0),
 * undefined behaviour that stops the process under UBSan. It runs in a
 * child, so that the other tests go on if it comes back.
 */
TEST(taking_nothing_off_an_empty_queue_is_defined)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct noise_keypair kp;
		struct peer_session s;

		if (noise_keypair_new(&kp) ||
		    peer_session_init(&s, NOISE_RESPONDER, &kp, NULL, &timers,
				      &ops, NULL, 0))
			_exit(2);
		peer_session_wrote(&s, 0);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
