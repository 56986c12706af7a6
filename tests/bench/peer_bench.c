// SPDX-License-Identifier: GPL-2.0
/*
 * peer_bench [SECONDS, 20]: what grid's peer protocol (user/peer/PROTOCOL.md)
 * costs beside the libsodium primitives it is made of, side by side in
 * one run, on the host.
 *
 *   raw        crypto_scalarmult (an X25519 DH), crypto_scalarmult_base
 *              (an ephemeral key), crypto_sign_detached and
 *              crypto_sign_verify_detached over the 54-byte binding
 *              statement, crypto_aead_chacha20poly1305_ietf_encrypt of
 *              64 B and 16 KiB, HMAC-SHA256 of 33 bytes under a 32-byte
 *              key (one HKDF step) and SHA-256 of 64 bytes (one MixHash)
 *   bound      the handshakes a second those rates allow on one core,
 *              both sides' primitives and nothing else. Each side of
 *              Noise XX as user/noise does it: 1 ephemeral key, 3 DH,
 *              2 AEAD encryptions and 2 decryptions (s and the hello,
 *              each under 128 bytes, counted at the 64-byte rate),
 *              12 HMACs (4 HKDFs, MixKey's for ee, es and se and Split's,
 *              3 each) and 8 MixHashes; and for the peer's hello
 *              1 Ed25519 verify. A handshake's ratio to it is what all
 *              the rest costs: framing, CBOR, buffers, wiping
 *   mem        full handshakes between two struct peer_session in one
 *              process, each side's output passed to the other's input
 *   tcp        the same between two processes (session.c's buffers are
 *              static, so two sessions cannot run in two threads) over
 *              TCP on 127.0.0.1, a new connection with TCP_NODELAY for
 *              each. The latency is from connect() to the initiator's
 *              session open, its message 2 written; the rate also waits
 *              for the responder's first transport message (a keepalive:
 *              it has read message 2 and the keys agree) and its close,
 *              the same bound beside it (the two sides take turns)
 *   send       transport messages of an open session, 64 B (a ping) and
 *              16 KiB (gossip records) of plaintext, through
 *              peer_session_send() and the other side's
 *              peer_session_input(), which decrypts and checks each
 *              message as gridd's are checked, against raw
 *              crypto_aead_chacha20poly1305_ietf encrypt + decrypt of the
 *              same sizes
 *
 * Each hello is gridd's without proofs. As gridd does, each side signs
 * its binding once, at start, and verifies the peer's once a handshake;
 * the peer's identity is checked against the one expected (a static peer
 * added with its key), and its point check is remembered across
 * handshakes (grid_pk_ok()'s cache), as gridd's is for a known peer.
 *
 * Rounds alternate between all the figures, short ones, so that a
 * neighbour's load or a change of CPU frequency hits them alike; each
 * rate is the median of its rounds, each ratio the median of the
 * rounds' ratios; latencies are over every handshake of every round.
 * Prints "BENCH name value unit" lines.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "session.h"

#define ROUNDS		45
#define BIG		16384
#define SMALL		64
#define PEER_PORT	7470	/* what each hello says */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t now_ms(void)
{
	return (uint64_t)(now() * 1000);
}

static void fail(const char *what, const char *why)
{
	fprintf(stderr, "peer_bench: %s: %s\n", what, why);
	exit(1);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The @q quantile of @v (sorted in place). */
static double quantile(double *v, size_t n, double q)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[(size_t)(q * (n - 1) + 0.5)];
}

/* ---- the two sides ------------------------------------------------------- */

struct side {
	struct grid_key key;
	struct noise_keypair noise;
	uint8_t binding[GRID_SIG_LEN];
	const uint8_t *expect;	/* the peer's identity */
	long messages;
};

static struct side ini, resp;
static struct peer_timers timers;

static int on_hello(void *ctx, const uint8_t *peer, struct cb_buf *b)
{
	struct side *sd = ctx;
	struct peer_hello h = { .version = PEER_VERSION, .port = PEER_PORT };

	memcpy(h.identity, sd->key.pk, GRID_PK_LEN);
	memcpy(h.binding, sd->binding, GRID_SIG_LEN);
	peer_hello_write(b, &h);
	return 0;
}

static int on_authenticated(void *ctx, const struct peer_hello *h,
			    struct grid_why *why)
{
	struct side *sd = ctx;

	if (sodium_memcmp(h->identity, sd->expect, GRID_PK_LEN))
		return grid_why_set(why, -EKEYREJECTED, "not the expected peer");
	return 0;
}

static int on_message(void *ctx, const struct peer_msg *m,
		      struct grid_why *why)
{
	struct side *sd = ctx;

	sd->messages++;
	return 0;
}

static const struct peer_session_ops session_ops = {
	.hello = on_hello,
	.authenticated = on_authenticated,
	.message = on_message,
};

/* A grid's start: its identity, its Noise static key, the binding. */
static void side_init(struct side *sd, const struct side *peer)
{
	if (grid_key_generate(&sd->key) || noise_keypair_new(&sd->noise))
		fail("keys", "cannot be made");
	peer_binding_sign(sd->binding, sd->noise.pub, &sd->key);
	sd->expect = peer->key.pk;
}

static void start(struct peer_session *s, enum noise_role role, uint64_t t)
{
	struct side *sd = role == NOISE_INITIATOR ? &ini : &resp;

	if (peer_session_init(s, role, &sd->noise, NULL, &timers, &session_ops,
			      sd, t))
		fail("session", "cannot start");
}

/* What @from has queued, into @to. */
static void pump(struct peer_session *from, struct peer_session *to,
		 uint64_t t)
{
	const uint8_t *p;
	size_t n;

	p = peer_session_output(from, &n);
	if (n && peer_session_input(to, p, n, t))
		fail("session", to->why.msg);
	peer_session_wrote(from, n);
}

/* ---- raw primitives ------------------------------------------------------ */

static uint8_t dh_sk[32], dh_pk[32], dh_out[32];
static uint8_t statement[PEER_BINDING_LEN], sig[GRID_SIG_LEN];
static uint8_t aead_k[32], npub[12], plain[BIG], ct[BIG + 16], back[BIG];
static uint8_t hmac_k[32], hmac_in[33], hash_in[64], digest[32];
static uint64_t nonce;

static void op_dh(void)
{
	if (crypto_scalarmult(dh_out, dh_sk, dh_pk))
		fail("crypto_scalarmult", "refused");
}

static void op_keygen(void)
{
	dh_sk[0]++;
	crypto_scalarmult_base(dh_out, dh_sk);
}

static void op_sign(void)
{
	crypto_sign_detached(sig, NULL, statement, sizeof(statement),
			     ini.key.sk);
}

static void op_verify(void)
{
	if (crypto_sign_verify_detached(sig, statement, sizeof(statement),
					ini.key.pk))
		fail("crypto_sign_verify_detached", "refused");
}

static void seal(size_t len)
{
	memcpy(npub + 4, &nonce, sizeof(nonce));
	nonce++;
	crypto_aead_chacha20poly1305_ietf_encrypt(ct, NULL, plain, len, NULL, 0,
						  NULL, npub, aead_k);
}

static void op_enc_small(void)
{
	seal(SMALL);
}

static void op_enc_big(void)
{
	seal(BIG);
}

static void seal_open(size_t len)
{
	seal(len);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(back, NULL, NULL, ct,
						      len + 16, NULL, 0, npub,
						      aead_k))
		fail("crypto_aead_chacha20poly1305_ietf_decrypt", "refused");
}

static void op_aead_small(void)
{
	seal_open(SMALL);
}

static void op_aead_big(void)
{
	seal_open(BIG);
}

static void op_hmac(void)
{
	crypto_auth_hmacsha256(digest, hmac_in, sizeof(hmac_in), hmac_k);
}

static void op_sha(void)
{
	crypto_hash_sha256(digest, hash_in, sizeof(hash_in));
}

/* ---- handshakes ---------------------------------------------------------- */

struct samples {
	double *v;
	size_t n, cap;
	bool on;
};

static struct samples lat_mem, lat_tcp;

static void record(struct samples *s, double x)
{
	if (!s->on)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4096;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			fail("samples", "out of memory");
	}
	s->v[s->n++] = x;
}

static void op_handshake_mem(void)
{
	struct peer_session a, b;
	uint64_t t = now_ms();
	double t0 = now();

	start(&a, NOISE_INITIATOR, t);
	start(&b, NOISE_RESPONDER, t);
	pump(&a, &b, t);	/* -> e */
	pump(&b, &a, t);	/* <- e, ee, s, es, hello */
	pump(&a, &b, t);	/* -> s, se, hello */
	if (a.state != PEER_OPEN || b.state != PEER_OPEN)
		fail("handshake", "a session did not open");
	record(&lat_mem, now() - t0);
	peer_session_free(&a);
	peer_session_free(&b);
}

static struct sockaddr_in listen_addr;
static pid_t responder;

static int flush(int fd, struct peer_session *s)
{
	const uint8_t *p;
	size_t len;
	ssize_t n;

	for (p = peer_session_output(s, &len); len;
	     p = peer_session_output(s, &len)) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		peer_session_wrote(s, n);
	}
	return 0;
}

/* Reads once into @s: the bytes read, 0 at the end, -errno. */
static ssize_t input(int fd, struct peer_session *s)
{
	static uint8_t buf[65536];	/* gridd's read size */
	ssize_t n;

	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		peer_session_input(s, buf, n, now_ms());
	return n < 0 ? -errno : n;
}

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		fail("TCP_NODELAY", strerror(errno));
}

/*
 * The responder, a process of its own: one connection at a time, its
 * handshake, a keepalive once open, then it closes first, so that
 * TIME_WAIT stays on its side and the dialer's ports are free at once.
 */
static void serve(int lfd)
{
	struct peer_session s;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fail("accept", strerror(errno));
		}
		nodelay(fd);
		start(&s, NOISE_RESPONDER, now_ms());
		while (s.state == PEER_HANDSHAKE && input(fd, &s) > 0 &&
		       !flush(fd, &s))
			;
		if (s.state == PEER_OPEN)
			peer_session_send(&s, NULL, 0, now_ms());
		if (s.state != PEER_OPEN || flush(fd, &s))
			fprintf(stderr, "peer_bench: responder: %s\n",
				*s.why.msg ? s.why.msg : "connection lost");
		peer_session_free(&s);
		close(fd);
	}
}

static void responder_start(void)
{
	socklen_t alen = sizeof(listen_addr);
	int lfd, one = 1;

	listen_addr.sin_family = AF_INET;
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) ||
	    listen(lfd, 128) ||
	    getsockname(lfd, (struct sockaddr *)&listen_addr, &alen))
		fail("listen", strerror(errno));
	fflush(NULL);
	responder = fork();
	if (responder < 0)
		fail("fork", strerror(errno));
	if (!responder) {
		serve(lfd);
		_exit(1);
	}
	close(lfd);
}

static void op_handshake_tcp(void)
{
	struct peer_session s;
	double t0;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket", strerror(errno));
	nodelay(fd);
	t0 = now();
	if (connect(fd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)))
		fail("connect", strerror(errno));
	start(&s, NOISE_INITIATOR, now_ms());
	if (flush(fd, &s))
		fail("send", strerror(errno));
	while (s.state == PEER_HANDSHAKE && input(fd, &s) > 0)
		;
	if (s.state != PEER_OPEN || flush(fd, &s))
		fail("handshake", *s.why.msg ? s.why.msg : "connection lost");
	record(&lat_tcp, now() - t0);
	while (s.state == PEER_OPEN && !s.received && input(fd, &s) > 0)
		;
	if (s.state != PEER_OPEN || s.received != 1)
		fail("handshake", "the responder did not open its session");
	while (input(fd, &s) > 0)
		;
	peer_session_free(&s);
	close(fd);
}

/* ---- transport ----------------------------------------------------------- */

static struct peer_session ta, tb;
static uint8_t msg_small[SMALL], msg_big[BIG + 16];	/* room to overshoot */

/* A ping of exactly SMALL bytes. */
static void make_ping(void)
{
	struct cb_buf b;

	cb_init(&b, msg_small, sizeof(msg_small));
	cb_map(&b, 2);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, PEER_MSG_PING);
	cb_uint(&b, PK_PING_DATA);
	cb_bytes(&b, plain, SMALL - 6);
	if (cb_end(&b) != SMALL)
		fail("ping", "not of its size");
}

/* Gossip records of exactly BIG bytes: 4 records, the last one filling. */
static void make_records(void)
{
	struct cb_buf b;
	long last = 1, len = 0;
	int i, tries;

	/* The last record's head grows with it: a few tries settle it. */
	for (tries = 0; tries < 4; tries++) {
		cb_init(&b, msg_big, sizeof(msg_big));
		cb_map(&b, 3);
		cb_uint(&b, PK_TYPE);
		cb_uint(&b, PEER_MSG_RECORDS);
		cb_uint(&b, PK_GG);
		cb_bytes(&b, ini.key.pk, GRID_PK_LEN);
		cb_uint(&b, PK_RECORDS);
		cb_array(&b, 4);
		for (i = 0; i < 3; i++)
			cb_bytes(&b, plain, GRID_RECORD_MAX);
		cb_bytes(&b, plain, last);
		len = cb_end(&b);
		if (len == BIG || len < 0)
			break;
		last += BIG - len;
		if (last < 1 || last > GRID_RECORD_MAX)
			break;
	}
	if (len != BIG)
		fail("records", "not of their size");
}

static void transport_start(void)
{
	start(&ta, NOISE_INITIATOR, 0);
	start(&tb, NOISE_RESPONDER, 0);
	pump(&ta, &tb, 0);
	pump(&tb, &ta, 0);
	pump(&ta, &tb, 0);
	if (ta.state != PEER_OPEN || tb.state != PEER_OPEN)
		fail("transport", "the sessions did not open");
	make_ping();
	make_records();
}

static void send_one(const uint8_t *m, size_t len)
{
	if (peer_session_send(&ta, m, len, 0))
		fail("send", ta.why.msg);
	pump(&ta, &tb, 0);
}

static void op_send_small(void)
{
	send_one(msg_small, SMALL);
}

static void op_send_big(void)
{
	send_one(msg_big, BIG);
}

/* ---- rounds -------------------------------------------------------------- */

enum {
	F_DH, F_KEYGEN, F_SIGN, F_VERIFY, F_ENC_SMALL, F_ENC_BIG, F_HMAC,
	F_SHA, F_MEM, F_TCP, F_SEND_SMALL, F_AEAD_SMALL, F_SEND_BIG,
	F_AEAD_BIG, F__N
};

/* In the order of a round; a weight is its share of the round's time. */
static const struct figure {
	const char *name;
	void (*op)(void);
	int batch, weight;
} figs[F__N] = {
	[F_DH] = { "raw_x25519", op_dh, 16, 1 },
	[F_KEYGEN] = { "raw_x25519_base", op_keygen, 16, 1 },
	[F_SIGN] = { "raw_ed25519_sign", op_sign, 16, 1 },
	[F_VERIFY] = { "raw_ed25519_verify", op_verify, 16, 1 },
	[F_ENC_SMALL] = { "raw_aead_encrypt_64", op_enc_small, 256, 1 },
	[F_ENC_BIG] = { "raw_aead_encrypt_16k", op_enc_big, 16, 1 },
	[F_HMAC] = { "raw_hmac_sha256", op_hmac, 256, 1 },
	[F_SHA] = { "raw_sha256_64", op_sha, 256, 1 },
	[F_MEM] = { "peer_handshake_mem", op_handshake_mem, 1, 3 },
	[F_TCP] = { "peer_handshake_tcp", op_handshake_tcp, 1, 3 },
	[F_SEND_SMALL] = { "peer_send_64", op_send_small, 256, 1 },
	[F_AEAD_SMALL] = { "raw_aead_64", op_aead_small, 256, 1 },
	[F_SEND_BIG] = { "peer_send_16k", op_send_big, 16, 1 },
	[F_AEAD_BIG] = { "raw_aead_16k", op_aead_big, 16, 1 },
};

static double rate(const struct figure *f, double secs)
{
	double t = now(), end = t + secs;
	long n = 0;
	int i;

	do {
		for (i = 0; i < f->batch; i++)
			f->op();
		n += f->batch;
	} while (now() < end);
	return n / (now() - t);
}

/* The handshakes a second the primitives of @r allow, both sides on one core. */
static double bound(const double *r)
{
	double side = 1 / r[F_KEYGEN] + 3 / r[F_DH] + 1 / r[F_VERIFY] +
		      4 / r[F_ENC_SMALL] + 12 / r[F_HMAC] + 8 / r[F_SHA];

	return 1 / (2 * side);
}

#define F_BOUND -1

/* The median of the rounds' @num / @den (F_BOUND: bound()). */
static double ratio(double r[ROUNDS][F__N], int num, int den)
{
	double v[ROUNDS];
	int i;

	for (i = 0; i < ROUNDS; i++)
		v[i] = r[i][num] / (den == F_BOUND ? bound(r[i]) : r[i][den]);
	return quantile(v, ROUNDS, 0.5);
}

static void round_run(double *r, double q)
{
	int i;

	for (i = 0; i < F__N; i++)
		r[i] = rate(&figs[i], q * figs[i].weight);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 20;
	double r[ROUNDS][F__N], v[ROUNDS], med[F__N], q, b;
	double mem_ratio, tcp_ratio, small_ratio, big_ratio;
	double mem_p50, mem_p99, tcp_p50, tcp_p99;
	int i, j, w = 0;

	if (secs <= 0 || grid_crypto_init())
		return 2;
	for (i = 0; i < F__N; i++)
		w += figs[i].weight;
	q = secs / ((ROUNDS + 0.5) * w);
	peer_timers_default(&timers);
	side_init(&ini, &resp);
	side_init(&resp, &ini);
	randombytes_buf(dh_sk, sizeof(dh_sk));
	memcpy(dh_pk, resp.noise.pub, sizeof(dh_pk));
	randombytes_buf(plain, sizeof(plain));
	randombytes_buf(aead_k, sizeof(aead_k));
	randombytes_buf(hmac_k, sizeof(hmac_k));
	randombytes_buf(hmac_in, sizeof(hmac_in));
	randombytes_buf(hash_in, sizeof(hash_in));
	peer_binding_statement(statement, ini.noise.pub);
	crypto_sign_detached(sig, NULL, statement, sizeof(statement), ini.key.sk);
	responder_start();
	transport_start();

	/* Warm-up: caches, the CPU's clock, the key checks remembered. */
	round_run(r[0], q / 2);
	lat_mem.on = lat_tcp.on = true;
	for (i = 0; i < ROUNDS; i++)
		round_run(r[i], q);

	kill(responder, SIGTERM);
	waitpid(responder, NULL, 0);
	if (tb.received != ta.sent || resp.messages != (long)tb.received)
		fail("transport", "messages lost");

	for (j = 0; j < F__N; j++) {
		for (i = 0; i < ROUNDS; i++)
			v[i] = r[i][j];
		med[j] = quantile(v, ROUNDS, 0.5);
	}
	for (i = 0; i < ROUNDS; i++)
		v[i] = bound(r[i]);
	b = quantile(v, ROUNDS, 0.5);
	mem_ratio = ratio(r, F_MEM, F_BOUND);
	tcp_ratio = ratio(r, F_TCP, F_BOUND);
	small_ratio = ratio(r, F_SEND_SMALL, F_AEAD_SMALL);
	big_ratio = ratio(r, F_SEND_BIG, F_AEAD_BIG);
	mem_p50 = quantile(lat_mem.v, lat_mem.n, 0.5) * 1e6;
	mem_p99 = quantile(lat_mem.v, lat_mem.n, 0.99) * 1e6;
	tcp_p50 = quantile(lat_tcp.v, lat_tcp.n, 0.5) * 1e6;
	tcp_p99 = quantile(lat_tcp.v, lat_tcp.n, 0.99) * 1e6;

	for (j = F_DH; j <= F_SHA; j++)
		printf("BENCH %s %.0f /s\n", figs[j].name, med[j]);
	printf("BENCH raw_handshake_bound %.0f /s\n", b);
	printf("BENCH peer_handshake_mem %.0f /s\n", med[F_MEM]);
	printf("BENCH peer_handshake_mem_p50 %.1f us\n", mem_p50);
	printf("BENCH peer_handshake_mem_p99 %.1f us\n", mem_p99);
	printf("BENCH peer_handshake_tcp %.0f /s\n", med[F_TCP]);
	printf("BENCH peer_handshake_tcp_p50 %.1f us\n", tcp_p50);
	printf("BENCH peer_handshake_tcp_p99 %.1f us\n", tcp_p99);
	for (j = F_SEND_SMALL; j <= F_AEAD_BIG; j++)
		printf("BENCH %s %.0f /s\n", figs[j].name, med[j]);
	printf("BENCH peer_handshake_mem_ratio %.3f x\n", mem_ratio);
	printf("BENCH peer_handshake_tcp_ratio %.3f x\n", tcp_ratio);
	printf("BENCH peer_send_64_ratio %.3f x\n", small_ratio);
	printf("BENCH peer_send_16k_ratio %.3f x\n", big_ratio);
	printf("peer: raw libsodium: X25519 %.0f/s (keygen %.0f/s), Ed25519 sign %.0f/s, verify %.0f/s, ChaCha20-Poly1305 64 B %.0f/s, 16 KiB %.0f/s (%.0f MB/s), HMAC-SHA256 %.0f/s, SHA-256 %.0f/s\n",
	       med[F_DH], med[F_KEYGEN], med[F_SIGN], med[F_VERIFY],
	       med[F_ENC_SMALL], med[F_ENC_BIG], med[F_ENC_BIG] * BIG / 1e6,
	       med[F_HMAC], med[F_SHA]);
	printf("peer: a handshake's primitives, each side 1 X25519 keygen, 3 X25519, 1 Ed25519 verify, 4 AEAD, 12 HMAC, 8 SHA-256, both sides on one core: %.0f/s (%.1f us)\n",
	       b, 1e6 / b);
	printf("peer: handshakes (Noise XX, hellos with bindings each signed once a run, the peer's verified once a handshake on each side): in memory %.0f/s, %.3f of that bound, %.0f us median, %.0f us p99 (%zu); over TCP on loopback %.0f/s, %.3f of it, connect to open %.0f us median, %.0f us p99 (%zu)\n",
	       med[F_MEM], mem_ratio, mem_p50, mem_p99, lat_mem.n,
	       med[F_TCP], tcp_ratio, tcp_p50, tcp_p99, lat_tcp.n);
	printf("peer: transport, send + input of a checked message: 64 B %.0f/s, %.3f of raw AEAD encrypt + decrypt (%.0f/s); 16 KiB %.0f/s (%.0f MB/s), %.3f of raw (%.0f/s)\n",
	       med[F_SEND_SMALL], small_ratio, med[F_AEAD_SMALL],
	       med[F_SEND_BIG], med[F_SEND_BIG] * BIG / 1e6, big_ratio,
	       med[F_AEAD_BIG]);
	peer_session_free(&ta);
	peer_session_free(&tb);
	grid_key_free(&ini.key);
	grid_key_free(&resp.key);
	free(lat_mem.v);
	free(lat_tcp.v);
	return 0;
}
