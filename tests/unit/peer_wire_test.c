// SPDX-License-Identifier: GPL-2.0
/*
 * The peer protocol's bytes, without a session: the hello alone
 * (user/peer/wire.c), every message type of wire.c's table, and
 * addresses (user/peer/addr.c).
 *
 * Its suite, "unit/peer", is shared with peer_handshake_test.c and
 * peer_session_test.c: one suite, in three programs only to keep each
 * file small.
 */
#define UNIT_SUITE "unit/peer"
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include "unit.h"
#include "addr.h"
#include "dcbor.h"
#include "keys.h"
#include "noise.h"
#include "wire.h"

/* ---- the hello, alone ------------------------------------------------------- */

static void hello_of(struct peer_hello *h, const struct grid_key *id,
		     const uint8_t static_pk[NOISE_KEY_LEN])
{
	memset(h, 0, sizeof(*h));
	h->version = PEER_VERSION;
	memcpy(h->identity, id->pk, GRID_PK_LEN);
	peer_binding_sign(h->binding, static_pk, id);
	h->port = 65535;
}

TEST(a_hello_written_reads_back_field_for_field)
{
	static const uint8_t proof[3][40] = { "first", "second", "third" };
	static uint8_t buf[4096], st[PEER_BINDING_LEN];
	struct noise_keypair kp, other;
	struct peer_hello h, got;
	struct grid_why why = { "" };
	struct grid_key id;
	struct cb_buf b;
	long len;
	int k;

	CHECK(!grid_key_generate(&id));
	CHECK(!noise_keypair_new(&kp) && !noise_keypair_new(&other));
	peer_binding_statement(st, kp.pub);
	CHECK(!memcmp(st, "grid-noise-static-key:", 22));
	CHECK(!memcmp(st + 22, kp.pub, NOISE_KEY_LEN));
	hello_of(&h, &id, kp.pub);
	CHECK(!grid_verify(h.binding, st, sizeof(st), id.pk));
	h.n_proofs = 3;
	for (k = 0; k < 3; k++) {
		h.proof[k] = proof[k];
		h.proof_len[k] = sizeof(proof[k]);
	}
	cb_init(&b, buf, sizeof(buf));
	peer_hello_write(&b, &h);
	len = cb_end(&b);
	CHECK(len > 0);
	CHECK(!peer_hello_read(&got, buf, len, kp.pub, &why));
	CHECK(got.version == 1 && got.port == 65535 && got.n_proofs == 3);
	CHECK(!memcmp(got.identity, id.pk, GRID_PK_LEN));
	CHECK(!memcmp(got.binding, h.binding, GRID_SIG_LEN));
	for (k = 0; k < 3; k++) {
		CHECK(got.proof_len[k] == sizeof(proof[k]));
		CHECK(!memcmp(got.proof[k], proof[k], sizeof(proof[k])));
		/* Into the input, not a copy. */
		CHECK(got.proof[k] > buf && got.proof[k] < buf + len);
	}
	CHECK(peer_hello_read(&got, buf, len, other.pub, &why) == -EKEYREJECTED);
	CHECK(!strcmp(why.msg, "binding does not verify"));
	grid_key_free(&id);
}

/*
 * A hello of @h's keys 1 to 3, port @port, and @n_proofs proofs of
 * @proof_len bytes (-1: no key 5), written as it comes.
 */
static long hello_raw(uint8_t *buf, size_t cap, const struct peer_hello *h,
		      uint64_t port, int n_proofs, size_t proof_len)
{
	static const uint8_t filler[64];
	struct cb_buf b;
	int k;

	cb_init(&b, buf, cap);
	cb_map(&b, n_proofs >= 0 ? 5 : 4);
	cb_uint(&b, 1);
	cb_uint(&b, h->version);
	cb_uint(&b, 2);
	cb_bytes(&b, h->identity, GRID_PK_LEN);
	cb_uint(&b, 3);
	cb_bytes(&b, h->binding, GRID_SIG_LEN);
	cb_uint(&b, 4);
	cb_uint(&b, port);
	if (n_proofs >= 0) {
		cb_uint(&b, 5);
		cb_array(&b, n_proofs);
		for (k = 0; k < n_proofs; k++)
			cb_bytes(&b, filler, proof_len);
	}
	return cb_end(&b);
}

TEST(a_hello_out_of_its_bounds_is_refused)
{
	static uint8_t buf[4096];
	struct noise_keypair kp;
	struct peer_hello h, got;
	struct grid_why why;
	struct grid_key id;
	long len;

	CHECK(!grid_key_generate(&id));
	CHECK(!noise_keypair_new(&kp));
	hello_of(&h, &id, kp.pub);
	len = hello_raw(buf, sizeof(buf), &h, 65535, PEER_PROOFS_MAX, 1);
	CHECK(!peer_hello_read(&got, buf, len, kp.pub, &why));
	CHECK(got.n_proofs == PEER_PROOFS_MAX);
	len = hello_raw(buf, sizeof(buf), &h, 0, -1, 0);
	CHECK(!peer_hello_read(&got, buf, len, kp.pub, &why));
	CHECK(got.port == 0 && got.n_proofs == 0);
	len = hello_raw(buf, sizeof(buf), &h, 65536, -1, 0);
	CHECK(peer_hello_read(&got, buf, len, kp.pub, &why) == -EBADMSG);
	len = hello_raw(buf, sizeof(buf), &h, 1, PEER_PROOFS_MAX + 1, 1);
	CHECK(peer_hello_read(&got, buf, len, kp.pub, &why) == -EBADMSG);
	len = hello_raw(buf, sizeof(buf), &h, 1, 0, 0);
	CHECK(peer_hello_read(&got, buf, len, kp.pub, &why) == -EBADMSG);
	len = hello_raw(buf, sizeof(buf), &h, 1, 1, 0);
	CHECK(peer_hello_read(&got, buf, len, kp.pub, &why) == -EBADMSG);
	CHECK(strstr(why.msg, "key 5"));
	/* Each required key missing: a map of four without it. */
	len = hello_raw(buf, sizeof(buf), &h, 1, -1, 0);
	buf[0] = 0xa3;
	CHECK(peer_hello_read(&got, buf, len - 2, kp.pub, &why) == -EBADMSG);
	CHECK(strstr(why.msg, "lacks key 4"));
	CHECK(peer_hello_read(&got, buf, 0, kp.pub, &why) == -EBADMSG);
	CHECK(peer_hello_read(&got, (const uint8_t *)"\x80", 1, kp.pub, &why) == -EBADMSG);
	CHECK(strstr(why.msg, "not a map"));
	grid_key_free(&id);
}

/* ---- every message type of wire.c's table --------------------------------- */

enum { X_UINT, X_BYTES, X_TEXT, X_ARRAY, X_MAP };

/* A field of an example: a uint @v; @n bytes; @v members of @n bytes; @v pairs. */
struct xfield {
	uint8_t key, kind;
	bool required;
	uint64_t v;
	uint32_t n;
};

struct example {
	uint32_t type;
	struct xfield f[9];	/* up to a key 0 */
};

#define ID32 { 1, X_BYTES, true, 0, 32 }
#define REQ16 { 1, X_BYTES, true, 0, 16 }

static const struct example examples[] = {
	{ PEER_MSG_PING, { { 1, X_BYTES, true, 0, 8 } } },
	{ PEER_MSG_PONG, { { 1, X_BYTES, true, 0, 4 } } },
	{ PEER_MSG_BYE, { { 1, X_TEXT, true, 0, 20 } } },
	{ PEER_MSG_PROOFS, { { 1, X_ARRAY, true, 2, 100 } } },
	{ PEER_MSG_HAVE, { ID32, { 2, X_UINT, true, 7, 0 },
			   { 3, X_BYTES, true, 0, 32 } } },
	{ PEER_MSG_IDS, { ID32, { 2, X_ARRAY, true, 3, 32 },
			  { 3, X_UINT, true, 1, 0 } } },
	{ PEER_MSG_WANT, { ID32, { 2, X_ARRAY, true, 2, 32 } } },
	{ PEER_MSG_RECORDS, { ID32, { 2, X_ARRAY, false, 2, 200 },
			      { 3, X_ARRAY, false, 1, 300 } } },
	{ PEER_MSG_LEASE_REQUEST, { REQ16, { 2, X_BYTES, true, 0, 32 },
				    { 3, X_BYTES, true, 0, 32 },
				    { 4, X_BYTES, false, 0, 300 },
				    { 5, X_MAP, true, 2, 0 },
				    { 6, X_UINT, true, 3600, 0 } } },
	{ PEER_MSG_LEASE_GRANT, { REQ16, { 2, X_BYTES, true, 0, 400 } } },
	{ PEER_MSG_LEASE_REFUSED, { REQ16, { 2, X_UINT, true, 403, 0 },
				    { 3, X_TEXT, true, 0, 30 } } },
	{ PEER_MSG_LEASE_RENEW, { REQ16, { 2, X_UINT, true, 42, 0 },
				  { 3, X_UINT, true, 600, 0 },
				  { 4, X_MAP, false, 1, 0 } } },
	{ PEER_MSG_JOB_SUBMIT, { REQ16, { 2, X_UINT, true, 42, 0 },
				 { 3, X_BYTES, true, 0, 12 },
				 { 4, X_UINT, false, 1, 0 },
				 { 5, X_UINT, false, 24, 0 },
				 { 6, X_UINT, false, 80, 0 },
				 { 7, X_UINT, false, 1, 0 } } },
	{ PEER_MSG_JOB_STARTED, { REQ16 } },
	{ PEER_MSG_JOB_REFUSED, { REQ16, { 2, X_UINT, true, 13, 0 },
				  { 3, X_TEXT, true, 0, 30 } } },
	{ PEER_MSG_JOB_INPUT, { REQ16, { 2, X_UINT, true, 4096, 0 },
				{ 3, X_BYTES, true, 0, 100 },
				{ 4, X_UINT, false, 1, 0 } } },
	{ PEER_MSG_JOB_OUTPUT, { REQ16, { 2, X_UINT, true, 5, 0 },
				 { 3, X_BYTES, true, 0, 100 },
				 { 4, X_UINT, true, 2, 0 },
				 { 5, X_UINT, true, 7, 0 } } },
	{ PEER_MSG_JOB_ACK, { REQ16, { 2, X_UINT, true, 100, 0 },
			      { 3, X_UINT, true, 0, 0 },
			      { 4, X_UINT, false, 1, 0 } } },
	{ PEER_MSG_JOB_SIGNAL, { REQ16, { 2, X_UINT, false, 2, 0 },
				 { 3, X_UINT, false, 24, 0 },
				 { 4, X_UINT, false, 80, 0 } } },
	{ PEER_MSG_JOB_END, { REQ16, { 2, X_UINT, true, 256, 0 },
			      { 3, X_TEXT, false, 0, 30 },
			      { 4, X_UINT, true, 100, 0 },
			      { 5, X_UINT, true, 0, 0 },
			      { 6, X_UINT, true, 1500, 0 },
			      { 7, X_UINT, true, 1048576, 0 },
			      { 8, X_BYTES, false, 0, 300 } } },
	{ PEER_MSG_JOB_PAUSED, { REQ16, { 2, X_UINT, true, 1, 0 },
				 { 3, X_TEXT, false, 0, 30 } } },
};
#define N_EXAMPLES (sizeof(examples) / sizeof(examples[0]))

static void xfield_write(struct cb_buf *b, const struct xfield *f, int kind)
{
	static const uint8_t filler[512];
	static const char text[] = "a sentence, thirty or more bytes long";
	uint64_t k;

	switch (kind) {
	case X_UINT:
		cb_uint(b, f->v);
		break;
	case X_BYTES:
		cb_bytes(b, filler, f->n);
		break;
	case X_TEXT:
		cb_text(b, text, f->n);
		break;
	case X_ARRAY:
		cb_array(b, f->v);
		for (k = 0; k < f->v; k++)
			cb_bytes(b, filler, f->n);
		break;
	case X_MAP:
		cb_map(b, f->v);
		for (k = 1; k <= f->v; k++) {
			cb_uint(b, k);
			cb_uint(b, k);
		}
		break;
	}
}

/*
 * @e as a message into @buf: without key @drop (0: none), key @retype
 * written of another kind (0: none), and with key @extra, greater than
 * all of @e's, holding a uint (0: none).
 */
static long example_write(uint8_t *buf, size_t cap, const struct example *e,
			  unsigned int drop, unsigned int retype,
			  unsigned int extra)
{
	const struct xfield *f;
	struct cb_buf b;
	size_t n = 1;

	for (f = e->f; f->key; f++)
		n += f->key != drop;
	cb_init(&b, buf, cap);
	cb_map(&b, n + !!extra);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, e->type);
	for (f = e->f; f->key; f++) {
		if (f->key == drop)
			continue;
		cb_uint(&b, f->key);
		if (f->key != retype)
			xfield_write(&b, f, f->kind);
		else
			xfield_write(&b, f, f->kind == X_UINT ? X_BYTES : X_UINT);
	}
	if (extra) {
		cb_uint(&b, extra);
		cb_uint(&b, 0);
	}
	return cb_end(&b);
}

static int example_read(const struct example *e, unsigned int drop,
			unsigned int retype, unsigned int extra,
			struct peer_msg *m, struct grid_why *why)
{
	static uint8_t buf[4096];
	long len = example_write(buf, sizeof(buf), e, drop, retype, extra);

	if (len < 0)
		return -ENOTRECOVERABLE;
	return peer_msg_read(m, buf, len, why);
}

TEST(every_type_of_the_table_has_an_example_here)
{
	uint32_t t;
	size_t k, named = 0;

	for (t = 0; t < 256; t++) {
		if (!peer_msg_type_name(t))
			continue;
		named++;
		for (k = 0; k < N_EXAMPLES && examples[k].type != t; k++)
			;
		CHECK(k < N_EXAMPLES);
	}
	CHECK(named == N_EXAMPLES);
	CHECK(!peer_msg_type_name(0) && !peer_msg_type_name(__PEER_MSG_LAST));
	CHECK(!strcmp(peer_msg_type_name(PEER_MSG_LEASE_RENEW), "lease renew"));
}

TEST(every_type_of_the_table_reads_its_valid_example)
{
	static struct cb_doc doc;
	struct peer_msg m = { .doc = &doc };
	struct grid_why why = { "" };
	const struct xfield *f;
	const uint8_t *p;
	size_t k, n;

	for (k = 0; k < N_EXAMPLES; k++) {
		const struct example *e = &examples[k];

		CHECK(example_read(e, 0, 0, 0, &m, &why) == 0);
		CHECK(m.type == e->type);
		for (f = e->f; f->key; f++) {
			CHECK(peer_msg_get(&m, f->key));
			if (f->kind == X_UINT)
				CHECK(peer_msg_uint(&m, f->key) == f->v);
			p = peer_msg_bytes(&m, f->key, &n);
			if (f->kind == X_BYTES || f->kind == X_TEXT)
				CHECK(p && n == f->n);
			else
				CHECK(!p && n == 0);
		}
		CHECK(!peer_msg_get(&m, 9) && !peer_msg_uint(&m, 9));
		/* The optional keys may go. */
		for (f = e->f; f->key; f++)
			if (!f->required)
				CHECK(example_read(e, f->key, 0, 0, &m, &why) == 0);
	}
}

TEST(every_required_key_of_every_type_is_required)
{
	static struct cb_doc doc;
	struct peer_msg m = { .doc = &doc };
	struct grid_why why;
	const struct xfield *f;
	char lacks[32];
	size_t k;

	for (k = 0; k < N_EXAMPLES; k++) {
		for (f = examples[k].f; f->key; f++) {
			if (!f->required)
				continue;
			CHECK(example_read(&examples[k], f->key, 0, 0, &m, &why) == -EBADMSG);
			snprintf(lacks, sizeof(lacks), "lacks key %u", f->key);
			CHECK(strstr(why.msg, lacks));
		}
	}
}

TEST(every_key_of_every_type_refuses_a_value_of_another_kind)
{
	static struct cb_doc doc;
	struct peer_msg m = { .doc = &doc };
	struct grid_why why;
	const struct xfield *f;
	size_t k;

	for (k = 0; k < N_EXAMPLES; k++) {
		for (f = examples[k].f; f->key; f++) {
			CHECK(example_read(&examples[k], 0, f->key, 0, &m, &why) == -EBADMSG);
			CHECK(strstr(why.msg, "not of its type"));
		}
	}
}

TEST(every_type_takes_an_extension_key_and_refuses_an_unknown_one)
{
	static struct cb_doc doc;
	struct peer_msg m = { .doc = &doc };
	struct grid_why why;
	size_t k;

	for (k = 0; k < N_EXAMPLES; k++) {
		CHECK(example_read(&examples[k], 0, 0, 64, &m, &why) == 0);
		CHECK(example_read(&examples[k], 0, 0, 100000, &m, &why) == 0);
		CHECK(example_read(&examples[k], 0, 0, 9, &m, &why) == -EBADMSG);
		CHECK(strstr(why.msg, "unknown key 9"));
		CHECK(example_read(&examples[k], 0, 0, 63, &m, &why) == -EBADMSG);
	}
}

/* A field of @type's example changed to @f; what peer_msg_read says. */
static int with_field(uint32_t type, struct xfield f)
{
	static struct cb_doc doc;
	struct peer_msg m = { .doc = &doc };
	struct example e;
	struct grid_why why;
	size_t k, j;

	for (k = 0; k < N_EXAMPLES && examples[k].type != type; k++)
		;
	if (k == N_EXAMPLES)
		return -ENOTRECOVERABLE;
	e = examples[k];
	for (j = 0; e.f[j].key && e.f[j].key != f.key; j++)
		;
	if (!e.f[j].key)
		return -ENOTRECOVERABLE;
	e.f[j] = f;
	return example_read(&e, 0, 0, 0, &m, &why);
}

TEST(values_at_and_past_their_bounds_are_taken_and_refused)
{
	CHECK(with_field(PEER_MSG_PING, (struct xfield){ 1, X_BYTES, 1, 0, 256 }) == 0);
	CHECK(with_field(PEER_MSG_PING, (struct xfield){ 1, X_BYTES, 1, 0, 257 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_BYE, (struct xfield){ 1, X_TEXT, 1, 0, 0 }) == 0);
	CHECK(with_field(PEER_MSG_PROOFS, (struct xfield){ 1, X_ARRAY, 1, 8, 1 }) == 0);
	CHECK(with_field(PEER_MSG_PROOFS, (struct xfield){ 1, X_ARRAY, 1, 9, 1 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_PROOFS, (struct xfield){ 1, X_ARRAY, 1, 0, 1 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_PROOFS, (struct xfield){ 1, X_ARRAY, 1, 1, 0 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_HAVE, (struct xfield){ 1, X_BYTES, 1, 0, 31 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_HAVE, (struct xfield){ 3, X_BYTES, 1, 0, 33 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_IDS, (struct xfield){ 2, X_ARRAY, 1, 0, 32 }) == 0);
	CHECK(with_field(PEER_MSG_IDS, (struct xfield){ 3, X_UINT, 1, 2, 0 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_WANT, (struct xfield){ 2, X_ARRAY, 1, 0, 32 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_WANT, (struct xfield){ 2, X_ARRAY, 1, 1, 33 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_LEASE_REQUEST, (struct xfield){ 1, X_BYTES, 1, 0, 15 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_LEASE_REQUEST, (struct xfield){ 4, X_BYTES, 0, 0, 0 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_LEASE_REQUEST, (struct xfield){ 5, X_MAP, 1, 32, 0 }) == 0);
	CHECK(with_field(PEER_MSG_LEASE_REQUEST, (struct xfield){ 5, X_MAP, 1, 33, 0 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_LEASE_REQUEST, (struct xfield){ 6, X_UINT, 1, 0, 0 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_LEASE_REQUEST, (struct xfield){ 6, X_UINT, 1, 1ULL << 32, 0 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_LEASE_GRANT, (struct xfield){ 2, X_BYTES, 1, 0, 0 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_LEASE_REFUSED, (struct xfield){ 2, X_UINT, 1, 4095, 0 }) == 0);
	CHECK(with_field(PEER_MSG_LEASE_REFUSED, (struct xfield){ 2, X_UINT, 1, 4096, 0 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_LEASE_REFUSED, (struct xfield){ 3, X_TEXT, 1, 0, 0 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_LEASE_RENEW, (struct xfield){ 2, X_UINT, 1, UINT64_MAX, 0 }) == 0);
	CHECK(with_field(PEER_MSG_LEASE_RENEW, (struct xfield){ 2, X_UINT, 1, 0, 0 }) == -EBADMSG);
}

/*
 * A record id is exactly GRID_ID_LEN bytes, and gossip.c's on_want()
 * copies GRID_ID_LEN bytes from each member: wire.c's table refuses a
 * shorter one (it once bounded them by "1 to 32 bytes" only).
 */
TEST(an_id_shorter_than_32_bytes_in_ids_or_want_is_refused)
{
	CHECK(with_field(PEER_MSG_WANT, (struct xfield){ 2, X_ARRAY, 1, 1, 32 }) == 0);
	CHECK(with_field(PEER_MSG_WANT, (struct xfield){ 2, X_ARRAY, 1, 1, 1 }) == -EBADMSG);
	CHECK(with_field(PEER_MSG_IDS, (struct xfield){ 2, X_ARRAY, 1, 2, 31 }) == -EBADMSG);
}

/* ---- addresses ---------------------------------------------------------------- */

TEST(addresses_print_as_they_parse)
{
	static const char *const same[] = {
		"[2001:db8::1]:7470", "192.0.2.1:80", "[200:1234::1]:1",
		"[::1]:65535", "0.0.0.0:1", "[::]:7470",
	};
	struct peer_addr a;
	char out[PEER_ADDR_STR];
	size_t k;

	for (k = 0; k < sizeof(same) / sizeof(same[0]); k++) {
		CHECK(peer_addr_parse(&a, same[k], PEER_PORT) == 0);
		peer_addr_str(&a, out);
		CHECK(!strcmp(out, same[k]));
	}
	CHECK(!peer_addr_parse(&a, "[2001:db8::1]:7470", PEER_PORT));
	CHECK(a.ss.ss_family == AF_INET6 && a.len == sizeof(struct sockaddr_in6));
	CHECK(peer_addr_port(&a) == 7470);
	peer_addr_set_port(&a, 9);
	peer_addr_str(&a, out);
	CHECK(!strcmp(out, "[2001:db8::1]:9"));
	CHECK(!peer_addr_parse(&a, "192.0.2.1:80", PEER_PORT));
	CHECK(a.ss.ss_family == AF_INET && a.len == sizeof(struct sockaddr_in));
	peer_addr_set_port(&a, 81);
	CHECK(peer_addr_port(&a) == 81);
	/* Printed shortest, as inet_ntop does. */
	CHECK(!peer_addr_parse(&a, "[2001:0db8:0000::0001]:7", PEER_PORT));
	peer_addr_str(&a, out);
	CHECK(!strcmp(out, "[2001:db8::1]:7"));
}

TEST(an_address_without_a_port_takes_the_default)
{
	struct peer_addr a;
	char out[PEER_ADDR_STR];

	CHECK(!peer_addr_parse(&a, "[200:1234::1]", PEER_PORT));
	peer_addr_str(&a, out);
	CHECK(!strcmp(out, "[200:1234::1]:7470"));
	CHECK(!peer_addr_parse(&a, "192.0.2.7", 99));
	peer_addr_str(&a, out);
	CHECK(!strcmp(out, "192.0.2.7:99"));
}

TEST(an_ipv4_mapped_address_prints_and_compares_as_ipv4)
{
	struct peer_addr a, b, c;
	char out[PEER_ADDR_STR];

	CHECK(!peer_addr_parse(&a, "[::ffff:192.0.2.1]:7", PEER_PORT));
	CHECK(a.ss.ss_family == AF_INET6);
	peer_addr_str(&a, out);
	CHECK(!strcmp(out, "192.0.2.1:7"));
	CHECK(!peer_addr_parse(&b, "192.0.2.1:7", PEER_PORT));
	CHECK(peer_addr_eq(&a, &b) && peer_addr_eq(&b, &a));
	CHECK(!peer_addr_parse(&c, "192.0.2.1:8", PEER_PORT));
	CHECK(!peer_addr_eq(&a, &c));
	CHECK(!peer_addr_parse(&c, "192.0.2.2:7", PEER_PORT));
	CHECK(!peer_addr_eq(&b, &c));
	CHECK(!peer_addr_parse(&c, "[2001:db8::1]:7", PEER_PORT));
	CHECK(!peer_addr_eq(&a, &c));
}

TEST(malformed_addresses_are_refused)
{
	static const char *const bad[] = {
		"2001:db8::1", "[::1]:0", "[::1]:65536", "1.2.3.4:", "host:80",
		"[::1", "[::1]x", "[::1]:", "[::1]:+1", "[::1]:-1",
		"[::1]:1x", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:80:1",
		"1.2.3", "1.2.3.4.5", "[1.2.3.4]:1", "", "[]:1", ":80",
		"[2001:db8::g]:1", "1.2.3.4:99999999999999999999",
		"[0000000000000000000000000000000000000000000000000000000000000000000000000000000::1]:1",
	};
	struct peer_addr a;
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		if (peer_addr_parse(&a, bad[k], PEER_PORT) != -EINVAL) {
			printf("  accepted: \"%s\"\n", bad[k]);
			CHECK(0);
		}
	}
}

/*
 * parse_port() once refused a sign but let strtoul() skip leading white
 * space, so "[::1]: 1" was taken as port 1.
 */
TEST(a_port_after_white_space_is_refused)
{
	struct peer_addr a;

	CHECK(peer_addr_parse(&a, "[::1]: 1", PEER_PORT) == -EINVAL);
	CHECK(peer_addr_parse(&a, "192.0.2.1:\t80", PEER_PORT) == -EINVAL);
	CHECK(peer_addr_parse(&a, "192.0.2.1:\n80", PEER_PORT) == -EINVAL);
}

TEST(a_scope_is_taken_for_link_local_addresses_only)
{
	struct peer_addr a;
	char out[PEER_ADDR_STR];

	CHECK(peer_addr_parse(&a, "[fe80::1%nosuchif]:1", PEER_PORT) == -ENODEV);
	CHECK(peer_addr_parse(&a, "[2001:db8::1%lo]:1", PEER_PORT) == -EINVAL);
	CHECK(peer_addr_parse(&a, "[fe80::1%]:1", PEER_PORT) != 0);
	if (!if_nametoindex("lo"))
		SKIP("no interface lo here");
	CHECK(!peer_addr_parse(&a, "[fe80::1%lo]:1", PEER_PORT));
	CHECK(((struct sockaddr_in6 *)&a.ss)->sin6_scope_id == if_nametoindex("lo"));
	peer_addr_str(&a, out);
	CHECK(!strcmp(out, "[fe80::1%lo]:1"));
}

TEST(only_wildcards_are_any)
{
	struct peer_addr a;

	CHECK(!peer_addr_parse(&a, "[::]:1", PEER_PORT) && peer_addr_any(&a));
	CHECK(!peer_addr_parse(&a, "0.0.0.0:1", PEER_PORT) && peer_addr_any(&a));
	CHECK(!peer_addr_parse(&a, "[::1]:1", PEER_PORT) && !peer_addr_any(&a));
	CHECK(!peer_addr_parse(&a, "127.0.0.1:1", PEER_PORT) && !peer_addr_any(&a));
}
