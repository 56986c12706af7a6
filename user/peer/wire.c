// SPDX-License-Identifier: GPL-2.0
/*
 * The hello and the messages of grid's peer protocol (PROTOCOL.md §3,
 * §4). Every reader is strict: what it accepts is what the writers here
 * make, with extensions (keys 64 and above) the only thing it passes
 * over.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "token.h"
#include "wire.h"

void peer_binding_statement(uint8_t out[PEER_BINDING_LEN],
			    const uint8_t static_pk[NOISE_KEY_LEN])
{
	size_t n = sizeof(PEER_BINDING_CONTEXT) - 1;

	memcpy(out, PEER_BINDING_CONTEXT, n);
	memcpy(out + n, static_pk, NOISE_KEY_LEN);
}

void peer_binding_sign(uint8_t sig[GRID_SIG_LEN],
		       const uint8_t static_pk[NOISE_KEY_LEN],
		       const struct grid_key *identity)
{
	uint8_t st[PEER_BINDING_LEN];

	peer_binding_statement(st, static_pk);
	grid_sign(sig, st, sizeof(st), identity);
}

enum {
	HK_VERSION = 1,
	HK_IDENTITY = 2,
	HK_BINDING = 3,
	HK_PORT = 4,
	HK_PROOFS = 5,
	HK_GRID = 6,
};

void peer_hello_write(struct cb_buf *b, const struct peer_hello *h)
{
	uint32_t i;

	cb_map(b, 4 + !!h->n_proofs + !!h->grid_len);
	cb_uint(b, HK_VERSION);
	cb_uint(b, h->version);
	cb_uint(b, HK_IDENTITY);
	cb_bytes(b, h->identity, GRID_PK_LEN);
	cb_uint(b, HK_BINDING);
	cb_bytes(b, h->binding, GRID_SIG_LEN);
	cb_uint(b, HK_PORT);
	cb_uint(b, h->port);
	if (h->n_proofs) {
		cb_uint(b, HK_PROOFS);
		cb_array(b, h->n_proofs);
		for (i = 0; i < h->n_proofs; i++)
			cb_bytes(b, h->proof[i], h->proof_len[i]);
	}
	if (h->grid_len) {
		cb_uint(b, HK_GRID);
		cb_bytes(b, h->grid, h->grid_len);
	}
}

/* What a field may be: its CBOR kind and bounds. */
enum field_kind { F_UINT, F_BYTES, F_TEXT, F_BYTES_ARRAY, F_MAP };

struct field {
	uint8_t key;
	uint8_t kind;
	bool required;
	uint64_t min, max;	/* value (uint), length (bytes, text), count (array) */
	uint32_t elem_max;	/* each member's length (bytes array) */
	uint32_t elem_min;	/* and its least; 0 means 1 */
};

#define END { 0, 0, false, 0, 0, 0, 0 }

static const struct field hello_fields[] = {
	{ HK_VERSION, F_UINT, true, 0, UINT64_MAX, 0, 0 },
	{ HK_IDENTITY, F_BYTES, true, GRID_PK_LEN, GRID_PK_LEN, 0, 0 },
	{ HK_BINDING, F_BYTES, true, GRID_SIG_LEN, GRID_SIG_LEN, 0, 0 },
	{ HK_PORT, F_UINT, true, 0, 65535, 0, 0 },
	{ HK_PROOFS, F_BYTES_ARRAY, false, 1, PEER_PROOFS_MAX, GRID_BUNDLE_BYTES_MAX, 0 },
	{ HK_GRID, F_BYTES, false, 1, GRID_RECORD_MAX, 0, 0 },
	END
};

#define GG(req) { PK_GG, F_BYTES, req, GRID_PK_LEN, GRID_PK_LEN, 0, 0 }
#define REQ_ID { PK_REQ_ID, F_BYTES, true, PEER_REQ_ID_LEN, PEER_REQ_ID_LEN, 0, 0 }

static const struct field f_ping[] = {
	{ PK_PING_DATA, F_BYTES, true, 0, PEER_PING_MAX, 0, 0 }, END };
static const struct field f_bye[] = {
	{ PK_BYE_WHY, F_TEXT, true, 0, PEER_TEXT_MAX, 0, 0 }, END };
static const struct field f_proofs[] = {
	{ PK_PROOFS, F_BYTES_ARRAY, true, 1, PEER_PROOFS_MAX, GRID_BUNDLE_BYTES_MAX, 0 },
	END };
static const struct field f_have[] = {
	GG(true),
	{ PK_HAVE_COUNT, F_UINT, true, 0, UINT32_MAX, 0, 0 },
	{ PK_HAVE_DIGEST, F_BYTES, true, GRID_ID_LEN, GRID_ID_LEN, 0, 0 },
	END };
static const struct field f_ids[] = {
	GG(true),
	{ PK_IDS, F_BYTES_ARRAY, true, 0, PEER_IDS_MAX, GRID_ID_LEN, GRID_ID_LEN },
	{ PK_IDS_LAST, F_UINT, true, 0, 1, 0, 0 },
	END };
static const struct field f_want[] = {
	GG(true),
	{ PK_IDS, F_BYTES_ARRAY, true, 1, PEER_IDS_MAX, GRID_ID_LEN, GRID_ID_LEN },
	END };
static const struct field f_records[] = {
	GG(true),
	{ PK_RECORDS, F_BYTES_ARRAY, false, 1, PEER_RECORDS_MAX, GRID_RECORD_MAX, 0 },
	{ PK_RECORDS_PROOFS, F_BYTES_ARRAY, false, 1, PEER_PROOFS_MAX,
	  GRID_BUNDLE_BYTES_MAX, 0 },
	END };
static const struct field f_request[] = {
	REQ_ID,
	{ PK_REQ_GG, F_BYTES, true, GRID_PK_LEN, GRID_PK_LEN, 0, 0 },
	{ PK_REQ_HOLDER, F_BYTES, true, GRID_PK_LEN, GRID_PK_LEN, 0, 0 },
	{ PK_REQ_CERT, F_BYTES, false, 1, GRID_RECORD_MAX, 0, 0 },
	{ PK_REQ_LIMITS, F_MAP, true, 0, 32, 0, 0 },
	{ PK_REQ_SECONDS, F_UINT, true, 1, UINT32_MAX, 0, 0 },
	END };
static const struct field f_grant[] = {
	REQ_ID,
	{ PK_GRANT_LEASE, F_BYTES, true, 1, GRID_RECORD_MAX, 0, 0 },
	END };
static const struct field f_refused[] = {
	REQ_ID,
	{ PK_REFUSED_CODE, F_UINT, true, 1, 4095, 0, 0 },
	{ PK_REFUSED_WHY, F_TEXT, true, 1, PEER_TEXT_MAX, 0, 0 },
	END };
static const struct field f_renew[] = {
	REQ_ID,
	{ PK_RENEW_LEASE_ID, F_UINT, true, 1, UINT64_MAX, 0, 0 },
	{ PK_RENEW_SECONDS, F_UINT, true, 1, UINT32_MAX, 0, 0 },
	{ PK_RENEW_LIMITS, F_MAP, false, 0, 32, 0, 0 },
	END };

#define JOB_ID { PK_JOB_ID, F_BYTES, true, PEER_JOB_ID_LEN, PEER_JOB_ID_LEN, 0, 0 }
#define OFF(k) { k, F_UINT, true, 0, (1ULL << 53), 0, 0 }

static const struct field f_job_submit[] = {
	JOB_ID,
	{ PK_SUBMIT_LEASE, F_UINT, true, 1, UINT64_MAX, 0, 0 },
	{ PK_SUBMIT_ARGV, F_BYTES, true, 2, PEER_ARGV_MAX, 0, 0 },
	{ PK_SUBMIT_TTY, F_UINT, false, 0, 1, 0, 0 },
	{ PK_SUBMIT_ROWS, F_UINT, false, 1, 0xffff, 0, 0 },
	{ PK_SUBMIT_COLS, F_UINT, false, 1, 0xffff, 0, 0 },
	{ PK_SUBMIT_NET, F_UINT, false, 0, 1, 0, 0 },
	END };
static const struct field f_job_started[] = { JOB_ID, END };
static const struct field f_job_refused[] = {
	JOB_ID,
	{ PK_REFUSED_CODE, F_UINT, true, 1, 4095, 0, 0 },
	{ PK_REFUSED_WHY, F_TEXT, true, 1, PEER_TEXT_MAX, 0, 0 },
	END };
static const struct field f_job_input[] = {
	JOB_ID, OFF(PK_IO_OFF),
	{ PK_IO_DATA, F_BYTES, true, 0, PEER_JOB_DATA_MAX, 0, 0 },
	{ PK_INPUT_EOF, F_UINT, false, 0, 1, 0, 0 },
	END };
static const struct field f_job_output[] = {
	JOB_ID, OFF(PK_IO_OFF),
	{ PK_IO_DATA, F_BYTES, true, 0, PEER_JOB_DATA_MAX, 0, 0 },
	{ PK_OUTPUT_STREAM, F_UINT, true, 1, 2, 0, 0 },
	OFF(PK_OUTPUT_IN_DONE),
	END };
static const struct field f_job_ack[] = {
	JOB_ID, OFF(PK_ACK_OUT), OFF(PK_ACK_ERR),
	{ PK_ACK_DONE, F_UINT, false, 0, 1, 0, 0 },
	END };
static const struct field f_job_signal[] = {
	JOB_ID,
	{ PK_SIGNAL_SIG, F_UINT, false, 1, 64, 0, 0 },
	{ PK_SIGNAL_ROWS, F_UINT, false, 1, 0xffff, 0, 0 },
	{ PK_SIGNAL_COLS, F_UINT, false, 1, 0xffff, 0, 0 },
	END };
static const struct field f_job_end[] = {
	JOB_ID,
	{ PK_END_STATUS, F_UINT, true, 0, 0xffff, 0, 0 },
	{ PK_END_WHY, F_TEXT, false, 1, PEER_TEXT_MAX, 0, 0 },
	OFF(PK_END_OUT), OFF(PK_END_ERR),
	{ PK_END_CPU_US, F_UINT, true, 0, UINT64_MAX, 0, 0 },
	{ PK_END_MEM_PEAK, F_UINT, true, 0, UINT64_MAX, 0, 0 },
	{ PK_END_RECEIPT, F_BYTES, false, 1, GRID_RECORD_MAX, 0, 0 },
	END };

static const struct field f_job_paused[] = {
	JOB_ID,
	{ PK_PAUSED, F_UINT, true, 0, 1, 0, 0 },
	{ PK_PAUSED_WHY, F_TEXT, false, 1, PEER_TEXT_MAX, 0, 0 },
	END };

static const struct {
	const char *name;
	const struct field *fields;
} types[__PEER_MSG_LAST] = {
	[PEER_MSG_PING] = { "ping", f_ping },
	[PEER_MSG_PONG] = { "pong", f_ping },
	[PEER_MSG_BYE] = { "bye", f_bye },
	[PEER_MSG_PROOFS] = { "proofs", f_proofs },
	[PEER_MSG_HAVE] = { "have", f_have },
	[PEER_MSG_IDS] = { "ids", f_ids },
	[PEER_MSG_WANT] = { "want", f_want },
	[PEER_MSG_RECORDS] = { "records", f_records },
	[PEER_MSG_LEASE_REQUEST] = { "lease request", f_request },
	[PEER_MSG_LEASE_GRANT] = { "lease grant", f_grant },
	[PEER_MSG_LEASE_REFUSED] = { "lease refused", f_refused },
	[PEER_MSG_LEASE_RENEW] = { "lease renew", f_renew },
	[PEER_MSG_JOB_SUBMIT] = { "job submit", f_job_submit },
	[PEER_MSG_JOB_STARTED] = { "job started", f_job_started },
	[PEER_MSG_JOB_REFUSED] = { "job refused", f_job_refused },
	[PEER_MSG_JOB_INPUT] = { "job input", f_job_input },
	[PEER_MSG_JOB_OUTPUT] = { "job output", f_job_output },
	[PEER_MSG_JOB_ACK] = { "job ack", f_job_ack },
	[PEER_MSG_JOB_SIGNAL] = { "job signal", f_job_signal },
	[PEER_MSG_JOB_END] = { "job end", f_job_end },
	[PEER_MSG_JOB_PAUSED] = { "job paused", f_job_paused },
};

const char *peer_msg_type_name(uint32_t type)
{
	return type < __PEER_MSG_LAST ? types[type].name : NULL;
}

static int check_field(const struct cb_doc *d, uint32_t v,
		       const struct field *f, const char *what,
		       struct grid_why *why)
{
	const struct cb_item *it = &d->it[v];
	uint32_t i;

	switch (f->kind) {
	case F_UINT:
		if (it->kind != CB_UINT || it->v < f->min || it->v > f->max)
			goto bad;
		return 0;
	case F_BYTES:
	case F_TEXT:
		if (it->kind != (f->kind == F_BYTES ? CB_BYTES : CB_TEXT) ||
		    it->n < f->min || it->n > f->max)
			goto bad;
		return 0;
	case F_MAP:
		if (it->kind != CB_MAP || it->n > f->max)
			goto bad;
		return 0;
	case F_BYTES_ARRAY:
		if (it->kind != CB_ARRAY || it->n < f->min || it->n > f->max)
			goto bad;
		for (i = v + 1; i < it->end; i = cb_next(d, i)) {
			if (d->it[i].kind != CB_BYTES || !d->it[i].n ||
			    d->it[i].n < f->elem_min || d->it[i].n > f->elem_max)
				goto bad;
		}
		return 0;
	}
bad:
	return grid_why_set(why, -EBADMSG, "%s: key %u is not of its type or out of its bounds",
			    what, f->key);
}

/*
 * The map at item 0 of @d against @fields: every key known or an
 * extension, every known key of its kind and bounds, every required one
 * there. Key 0 (a message's type) is @skip's to check.
 */
static int check_map(const struct cb_doc *d, const struct field *fields,
		     bool skip0, const char *what, struct grid_why *why)
{
	const struct field *f;
	uint32_t i, k;
	int ret;

	if (!d->n || d->it[0].kind != CB_MAP)
		return grid_why_set(why, -EBADMSG, "%s is not a map", what);
	for (i = 1; i < d->n; i = cb_next(d, cb_next(d, i))) {
		if (d->it[i].kind != CB_UINT)
			return grid_why_set(why, -EBADMSG, "%s has a key that is not a small integer",
					    what);
		if (d->it[i].v >= GRID_KEY_EXT_MIN || (skip0 && !d->it[i].v))
			continue;
		for (f = fields; f->key && f->key != d->it[i].v; f++)
			;
		if (!f->key)
			return grid_why_set(why, -EBADMSG, "%s has an unknown key %llu",
					    what, (unsigned long long)d->it[i].v);
		ret = check_field(d, cb_next(d, i), f, what, why);
		if (ret)
			return ret;
	}
	for (f = fields; f->key; f++) {
		k = cb_map_get(d, 0, f->key);
		if (f->required && !k)
			return grid_why_set(why, -EBADMSG, "%s lacks key %u", what,
					    f->key);
	}
	return 0;
}

int peer_hello_read(struct peer_hello *h, const uint8_t *buf, size_t len,
		    const uint8_t static_pk[NOISE_KEY_LEN],
		    struct grid_why *why)
{
	static struct cb_doc d;
	uint8_t st[PEER_BINDING_LEN];
	uint32_t v, i;
	int ret;

	memset(h, 0, sizeof(*h));
	ret = cb_decode(&d, buf, len);
	if (ret)
		return grid_why_set(why, -EBADMSG, "the hello is not deterministic CBOR (%s)",
				    strerror(-ret));
	ret = check_map(&d, hello_fields, false, "the hello", why);
	if (ret)
		return ret;
	h->version = d.it[cb_map_get(&d, 0, HK_VERSION)].v;
	if (h->version != PEER_VERSION)
		return grid_why_set(why, -EPROTONOSUPPORT,
				    "speaks version %llu of the peer protocol, not %d",
				    (unsigned long long)h->version, PEER_VERSION);
	memcpy(h->identity, d.it[cb_map_get(&d, 0, HK_IDENTITY)].p, GRID_PK_LEN);
	memcpy(h->binding, d.it[cb_map_get(&d, 0, HK_BINDING)].p, GRID_SIG_LEN);
	h->port = d.it[cb_map_get(&d, 0, HK_PORT)].v;
	v = cb_map_get(&d, 0, HK_PROOFS);
	for (i = v ? v + 1 : d.n; v && i < d.it[v].end; i = cb_next(&d, i)) {
		h->proof[h->n_proofs] = d.it[i].p;
		h->proof_len[h->n_proofs++] = d.it[i].n;
	}
	v = cb_map_get(&d, 0, HK_GRID);
	if (v) {
		h->grid = d.it[v].p;
		h->grid_len = d.it[v].n;
	}
	if (!grid_pk_ok(h->identity))
		return grid_why_set(why, -EKEYREJECTED,
				    "its identity is not a valid Ed25519 key");
	peer_binding_statement(st, static_pk);
	if (grid_verify(h->binding, st, sizeof(st), h->identity))
		return grid_why_set(why, -EKEYREJECTED,
				    "binding does not verify");
	return 0;
}

int peer_msg_read(struct peer_msg *m, const uint8_t *buf, size_t len,
		  struct grid_why *why)
{
	uint32_t t;
	int ret;

	ret = cb_decode(m->doc, buf, len);
	if (ret)
		return grid_why_set(why, -EBADMSG, "a message is not deterministic CBOR (%s)",
				    strerror(-ret));
	if (m->doc->it[0].kind != CB_MAP)
		return grid_why_set(why, -EBADMSG, "a message is not a map");
	t = cb_map_get(m->doc, 0, PK_TYPE);
	if (!t || m->doc->it[t].kind != CB_UINT)
		return grid_why_set(why, -EBADMSG, "a message has no type");
	if (m->doc->it[t].v >= __PEER_MSG_LAST || !types[m->doc->it[t].v].name)
		return grid_why_set(why, -EBADMSG, "a message of unknown type %llu",
				    (unsigned long long)m->doc->it[t].v);
	m->type = m->doc->it[t].v;
	return check_map(m->doc, types[m->type].fields, true,
			 types[m->type].name, why);
}

uint32_t peer_msg_get(const struct peer_msg *m, uint64_t key)
{
	return cb_map_get(m->doc, 0, key);
}

uint64_t peer_msg_uint(const struct peer_msg *m, uint64_t key)
{
	uint32_t i = peer_msg_get(m, key);

	return i && m->doc->it[i].kind == CB_UINT ? m->doc->it[i].v : 0;
}

const uint8_t *peer_msg_bytes(const struct peer_msg *m, uint64_t key,
			      size_t *len)
{
	uint32_t i = peer_msg_get(m, key);

	if (!i || (m->doc->it[i].kind != CB_BYTES &&
		   m->doc->it[i].kind != CB_TEXT)) {
		*len = 0;
		return NULL;
	}
	*len = m->doc->it[i].n;
	return m->doc->it[i].p;
}
