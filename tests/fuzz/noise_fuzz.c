// SPDX-License-Identifier: GPL-2.0
/*
 * noise_fuzz: the Noise handshake and transport readers (user/noise) under
 * libFuzzer. Every key is fixed (static and ephemeral, and the psk), so a
 * run is deterministic: a real message in the corpus stays valid, and the
 * fuzzer gets past the MACs by starting from one.
 *
 * The input is a stream of frames (frame_next(); it stops at the first
 * frame that is short, refused or incomplete), and every frame sequence
 * goes to every reader, as in record_fuzz.c, rather than behind a
 * selector byte:
 *   - a responder at message 0, XX and XXpsk0: frame 0 is message 0; if it
 *     reads, the responder writes message 1 and frame 1 is message 2; if
 *     that reads too, the following frames are transport messages from
 *     the initiator;
 *   - an initiator at message 1, prepared by a real message 0, XX and
 *     XXpsk0: frame 0 is message 1; if it reads, the initiator writes
 *     message 2 and the following frames are transport messages from the
 *     responder;
 *   - every frame as a transport message to each cipher of a fixed split.
 * Each message is a heap copy of exactly its bytes, and each payload
 * buffer exactly the size the message allows, so AddressSanitizer sees a
 * read or write one byte out. What must hold:
 *   - a handshake read gives its payload of the message's length less
 *     what its tokens and tags take, or fails with -EBADMSG or -EINVAL
 *     and leaves a wiped state that refuses anything more (-EPROTO);
 *   - a transport message that decrypts is 16 bytes more than its
 *     plaintext, advances the nonce by one, and is what the sender's
 *     cipher at that nonce makes of the plaintext, byte for byte; one
 *     that does not decrypt fails with -EBADMSG (or -EMSGSIZE, too long)
 *     and leaves the nonce where it was.
 *
 * NOISE_FUZZ_SEEDS=<dir> build/fuzz/noise -runs=0 writes the seeds of
 * corpus/noise/ into <dir> from the code itself: each reader's real
 * messages, framed, and a truncated message 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "noise.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(int line, const char *what)
{
	fprintf(stderr, "noise_fuzz.c:%d: invariant broken: %s\n", line, what);
	abort();
}

#define must(cond) do { if (!(cond)) broken(__LINE__, #cond); } while (0)

#define MAX_FRAMES 8

static const uint8_t psk[NOISE_KEY_LEN] = "grid fuzz psk, thirty-two bytes";
static const uint8_t prologue[] = "grid noise fuzz";

static struct noise_keypair is, rs, ie, re;
/* Ready states, copied for each input: [0] XX, [1] XXpsk0. */
static struct noise_handshake resp0[2], init1[2];
/* A fixed split: the initiator's send and recv, and the responder's. */
static struct noise_cipher i_send, i_recv, r_send, r_recv;

static void key(struct noise_keypair *kp, uint8_t fill)
{
	uint8_t priv[NOISE_KEY_LEN];

	memset(priv, fill, sizeof(priv));
	must(!noise_keypair_from(kp, priv));
}

static void handshake_init(struct noise_handshake *hs, enum noise_role role,
			   int with_psk)
{
	bool ini = role == NOISE_INITIATOR;

	must(!noise_handshake_init(hs, role, ini ? &is : &rs, prologue,
				   sizeof(prologue), with_psk ? psk : NULL));
	noise_handshake_set_ephemeral(hs, ini ? &ie : &re);
}

static uint8_t *copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	return c;
}

/* What a message of @hs's next turn takes besides its payload. */
static size_t overhead(const struct noise_handshake *hs)
{
	static const size_t xx[3] = { 32, 96, 64 }, psk0[3] = { 48, 96, 64 };

	return hs->has_psk ? psk0[hs->msg] : xx[hs->msg];
}

/* Reads @msg as the next handshake message of @hs; 0 if it read. */
static int hs_read(struct noise_handshake *hs, const uint8_t *msg, size_t len)
{
	size_t need = overhead(hs), plen = 0;
	size_t cap = len >= need ? len - need : 0;
	uint8_t *m = copy(msg, len), *p = malloc(cap ? cap : 1);
	uint8_t out[256];
	int turn = hs->msg, ret;

	if (!p)
		abort();
	ret = noise_read_message(hs, m, len, p, cap, &plen);
	if (ret && (len < need || len > NOISE_MSG_MAX)) {
		/* Refused before anything was processed: the state is kept. */
		must(ret == -EBADMSG && hs->msg == turn);
	} else if (ret) {
		must(ret == -EBADMSG || ret == -EINVAL);
		must(hs->msg == -1);
		must(noise_write_message(hs, NULL, 0, out, sizeof(out),
					 &plen) == -EPROTO);
		must(noise_read_message(hs, m, len, p, cap, &plen) == -EPROTO);
	} else {
		must(plen == len - need && hs->msg == turn + 1);
	}
	free(m);
	free(p);
	return ret;
}

/*
 * @msg to @recv; @send is the cipher at the other end, at the same nonce,
 * to check a message that decrypts against, or NULL.
 */
static void transport(struct noise_cipher *recv, struct noise_cipher *send,
		      const uint8_t *msg, size_t len)
{
	uint8_t *m = copy(msg, len), *p, *again;
	uint64_t n = recv->n;
	size_t plen = len - NOISE_TAG_LEN;
	int ret;

	/* frame_next gives nothing shorter than a tag. */
	must(len >= NOISE_TAG_LEN);
	p = malloc(plen ? plen : 1);
	if (!p)
		abort();
	ret = noise_decrypt(recv, NULL, 0, m, len, p);
	if (ret) {
		must(ret == -EBADMSG || ret == -EMSGSIZE);
		must(recv->n == n);
	} else {
		must(recv->n == n + 1);
		if (send) {
			struct noise_cipher s = *send;

			s.n = n;
			again = malloc(len);
			if (!again)
				abort();
			must(!noise_encrypt(&s, NULL, 0, p, plen, again));
			must(!memcmp(again, msg, len));
			free(again);
		}
	}
	free(p);
	free(m);
}

static void split(struct noise_handshake *hs, struct noise_cipher *send,
		  struct noise_cipher *recv)
{
	must(noise_handshake_done(hs));
	must(!noise_split(hs, send, recv, NULL));
}

static void fuzz_responder(int with_psk, const uint8_t **f, size_t *fl, int nf)
{
	struct noise_handshake hs = resp0[with_psk];
	struct noise_cipher send, recv;
	uint8_t out[256];
	size_t len;
	int k;

	if (nf < 1 || hs_read(&hs, f[0], fl[0]))
		return;
	/* XX: the initiator's static key comes only in message 2. */
	must(!noise_remote_static(&hs));
	/* The initiator's e is taken as it is: a low-order one fails here. */
	if (noise_write_message(&hs, NULL, 0, out, sizeof(out), &len)) {
		must(hs.msg == -1);
		return;
	}
	if (nf < 2 || hs_read(&hs, f[1], fl[1]))
		return;
	split(&hs, &send, &recv);
	for (k = 2; k < nf; k++)
		transport(&recv, NULL, f[k], fl[k]);
	noise_cipher_wipe(&send);
	noise_cipher_wipe(&recv);
}

static void fuzz_initiator(int with_psk, const uint8_t **f, size_t *fl, int nf)
{
	struct noise_handshake hs = init1[with_psk];
	struct noise_cipher send, recv;
	uint8_t out[256];
	size_t len;
	int k;

	if (nf < 1 || hs_read(&hs, f[0], fl[0]))
		return;
	must(noise_remote_static(&hs));
	must(!noise_write_message(&hs, NULL, 0, out, sizeof(out), &len));
	split(&hs, &send, &recv);
	for (k = 1; k < nf; k++)
		transport(&recv, NULL, f[k], fl[k]);
	noise_cipher_wipe(&send);
	noise_cipher_wipe(&recv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *f[MAX_FRAMES];
	size_t fl[MAX_FRAMES], off = 0;
	struct noise_cipher ir, rr;
	int nf = 0, k;
	long n;

	if (!size)
		return 0;
	while (nf < MAX_FRAMES) {
		n = frame_next(data + off, size - off, &f[nf], &fl[nf]);
		if (n <= 0) {
			must(n == 0 || n == -EBADMSG);
			break;
		}
		must(n == (long)(fl[nf] + FRAME_HDR) && fl[nf] >= FRAME_MIN);
		must(f[nf] == data + off + FRAME_HDR);
		must((size_t)n <= size - off);
		off += n;
		nf++;
	}
	for (k = 0; k < 2; k++) {
		fuzz_responder(k, f, fl, nf);
		fuzz_initiator(k, f, fl, nf);
	}
	ir = i_recv;
	rr = r_recv;
	for (k = 0; k < nf; k++) {
		transport(&rr, &i_send, f[k], fl[k]);
		transport(&ir, &r_send, f[k], fl[k]);
	}
	return 0;
}

/* ---- the seeds ---------------------------------------------------------- */

static void put_frame(FILE *fp, const uint8_t *msg, size_t len)
{
	uint8_t hdr[FRAME_HDR];

	must(!frame_head(hdr, len));
	must(fwrite(hdr, 1, FRAME_HDR, fp) == FRAME_HDR);
	must(fwrite(msg, 1, len, fp) == len);
}

static FILE *seed_open(const char *dir, const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	must(fp);
	return fp;
}

/* One handshake message, empty, from @w to @r; it is kept in @m. */
static void exchange(struct noise_handshake *w, struct noise_handshake *r,
		     uint8_t m[256], size_t *len)
{
	uint8_t p[256];
	size_t plen;

	must(!noise_write_message(w, NULL, 0, m, 256, len));
	must(!noise_read_message(r, m, *len, p, sizeof(p), &plen));
	must(plen == 0);
}

/* A whole handshake with the fixed keys, written out as the readers take it. */
static void write_seeds(const char *dir, int with_psk)
{
	static const char *const text[] = { "hello", "", "a longer line" };
	const char *tag = with_psk ? "xxpsk0" : "xx";
	struct noise_handshake i, r;
	struct noise_cipher is_, ir_, rs_, rr_;
	uint8_t m[3][256], t[64];
	size_t len[3];
	char name[64];
	FILE *fp;
	int k;

	handshake_init(&i, NOISE_INITIATOR, with_psk);
	handshake_init(&r, NOISE_RESPONDER, with_psk);
	for (k = 0; k < 3; k++)
		exchange(k % 2 ? &r : &i, k % 2 ? &i : &r, m[k], &len[k]);
	split(&i, &is_, &ir_);
	split(&r, &rs_, &rr_);

	snprintf(name, sizeof(name), "responder-%s", tag);
	fp = seed_open(dir, name);
	put_frame(fp, m[0], len[0]);
	put_frame(fp, m[2], len[2]);
	for (k = 0; k < 3; k++) {
		must(!noise_encrypt(&is_, NULL, 0, (const uint8_t *)text[k],
				    strlen(text[k]), t));
		put_frame(fp, t, strlen(text[k]) + NOISE_TAG_LEN);
	}
	fclose(fp);

	snprintf(name, sizeof(name), "initiator-%s", tag);
	fp = seed_open(dir, name);
	put_frame(fp, m[1], len[1]);
	for (k = 0; k < 3; k++) {
		must(!noise_encrypt(&rs_, NULL, 0, (const uint8_t *)text[k],
				    strlen(text[k]), t));
		put_frame(fp, t, strlen(text[k]) + NOISE_TAG_LEN);
	}
	fclose(fp);

	snprintf(name, sizeof(name), "truncated-%s", tag);
	fp = seed_open(dir, name);
	put_frame(fp, m[1], len[1] - 1);
	fclose(fp);
}

/* Messages of the fixed split, both ways, for the transport readers. */
static void write_transport_seed(const char *dir)
{
	struct noise_cipher a = i_send, b = r_send;
	uint8_t t[64];
	FILE *fp = seed_open(dir, "transport");

	must(!noise_encrypt(&a, NULL, 0, (const uint8_t *)"ping", 4, t));
	put_frame(fp, t, 4 + NOISE_TAG_LEN);
	must(!noise_encrypt(&b, NULL, 0, (const uint8_t *)"pong", 4, t));
	put_frame(fp, t, 4 + NOISE_TAG_LEN);
	must(!noise_encrypt(&a, NULL, 0, NULL, 0, t));
	put_frame(fp, t, NOISE_TAG_LEN);
	fclose(fp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct noise_handshake i, r;
	const char *dir = getenv("NOISE_FUZZ_SEEDS");
	uint8_t m[256];
	size_t len;
	int k;

	key(&is, 0x11);
	key(&rs, 0x22);
	key(&ie, 0x33);
	key(&re, 0x44);
	for (k = 0; k < 2; k++) {
		handshake_init(&resp0[k], NOISE_RESPONDER, k);
		handshake_init(&init1[k], NOISE_INITIATOR, k);
		must(!noise_write_message(&init1[k], NULL, 0, m, sizeof(m),
					  &len));
	}
	/* The fixed split: a real XX handshake. */
	handshake_init(&i, NOISE_INITIATOR, 0);
	handshake_init(&r, NOISE_RESPONDER, 0);
	for (k = 0; k < 3; k++)
		exchange(k % 2 ? &r : &i, k % 2 ? &i : &r, m, &len);
	split(&i, &i_send, &i_recv);
	split(&r, &r_send, &r_recv);
	if (dir) {
		write_seeds(dir, 0);
		write_seeds(dir, 1);
		write_transport_seed(dir);
	}
	return 0;
}
