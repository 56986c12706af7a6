// SPDX-License-Identifier: GPL-2.0
/* The local API's messages; see proto.h and API.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "dcbor.h"
#include "proto.h"
#include "token.h"

enum vkind { K_U, K_T, K_TOKEN, K_B32, K_BYTES, K_LIM };

static const struct {
	const char *name;
	enum vkind kind;
} keys[GRID_A_MAX + 1] = {
	[GRID_A_NAME] = { "name", K_T },
	[GRID_A_KEY] = { "key", K_B32 },
	[GRID_A_GRIDGRID] = { "gridgrid", K_T },
	[GRID_A_TOKEN] = { "token", K_TOKEN },
	[GRID_A_LIMITS] = { "limits", K_LIM },
	[GRID_A_SECONDS] = { "seconds", K_U },
	[GRID_A_ADMIN] = { "admin", K_U },
	[GRID_A_UID] = { "uid", K_U },
	[GRID_A_LEASE_ID] = { "lease_id", K_U },
	[GRID_A_SERIAL] = { "serial", K_U },
	[GRID_A_HOLDER] = { "holder", K_T },
	[GRID_A_REASON] = { "reason", K_T },
	[GRID_A_ONE_TIME] = { "one_time", K_U },
	[GRID_A_NOT_BEFORE] = { "not_before", K_U },
	[GRID_A_NOT_AFTER] = { "not_after", K_U },
	[GRID_A_OFFSET] = { "offset", K_U },
	[GRID_A_STATE] = { "state", K_T },
	[GRID_A_ISSUED] = { "issued", K_U },
	[GRID_A_ID] = { "id", K_B32 },
	[GRID_A_TYPE] = { "type", K_T },
	[GRID_A_RECORD] = { "record", K_BYTES },
	[GRID_A_ISSUER] = { "issuer", K_B32 },
	[GRID_A_HOLDER_KEY] = { "holder_key", K_B32 },
	[GRID_A_ROLE] = { "role", K_T },
	[GRID_A_COUNT] = { "count", K_U },
	[GRID_A_FOUNDER] = { "founder", K_U },
	[GRID_A_KERNEL] = { "kernel", K_T },
	[GRID_A_POLICY] = { "policy", K_U },
	[GRID_A_HOLDER_GRID] = { "holder_grid", K_B32 },
	[GRID_A_USED] = { "used", K_LIM },
	[GRID_A_ADDR] = { "addr", K_T },
	[GRID_A_PROVIDER] = { "provider", K_T },
	[GRID_A_REQUEST] = { "request", K_BYTES },
	[GRID_A_SINCE] = { "since", K_U },
	[GRID_A_SENT] = { "sent", K_U },
	[GRID_A_RECEIVED] = { "received", K_U },
	[GRID_A_BYTES_SENT] = { "bytes_sent", K_U },
	[GRID_A_BYTES_RECEIVED] = { "bytes_received", K_U },
	[GRID_A_JOB] = { "job", K_BYTES },
	[GRID_A_ARGV] = { "argv", K_BYTES },
	[GRID_A_TTY] = { "tty", K_U },
	[GRID_A_ROWS] = { "rows", K_U },
	[GRID_A_COLS] = { "cols", K_U },
	[GRID_A_NET] = { "net", K_T },
	[GRID_A_OUT] = { "out", K_BYTES },
	[GRID_A_ERR] = { "err", K_BYTES },
	[GRID_A_OUT_OFF] = { "out_off", K_U },
	[GRID_A_ERR_OFF] = { "err_off", K_U },
	[GRID_A_IN] = { "in", K_BYTES },
	[GRID_A_IN_OFF] = { "in_off", K_U },
	[GRID_A_IN_DONE] = { "in_done", K_U },
	[GRID_A_EOF] = { "eof", K_U },
	[GRID_A_SIGNAL] = { "signal", K_U },
	[GRID_A_STATUS] = { "status", K_U },
	[GRID_A_DONE] = { "done", K_U },
	[GRID_A_CPU_US] = { "cpu_us", K_U },
	[GRID_A_MEMORY_PEAK] = { "memory_peak", K_U },
};

/* The longest byte string @key may hold: a record, but a job's words and I/O. */
static uint32_t bytes_max(unsigned int key)
{
	switch (key) {
	case GRID_A_OUT:
	case GRID_A_ERR:
	case GRID_A_IN:
		return GRID_API_JOB_CHUNK;
	case GRID_A_ARGV:
		return 16384;
	}
	return GRID_RECORD_MAX;
}

static const char *const ops[GRID_OP_MAX + 1] = {
	[GRID_OP_STATUS] = "status",
	[GRID_OP_INIT] = "init",
	[GRID_OP_AGENT_ADD] = "agent-add",
	[GRID_OP_AGENT_LIST] = "agent-list",
	[GRID_OP_AGENT_DEL] = "agent-del",
	[GRID_OP_GRID_CERTIFY] = "grid-certify",
	[GRID_OP_GRID_LIST] = "grid-list",
	[GRID_OP_GG_CREATE] = "gridgrid-create",
	[GRID_OP_GG_INVITE] = "gridgrid-invite",
	[GRID_OP_GG_JOIN] = "gridgrid-join",
	[GRID_OP_GG_LEAVE] = "gridgrid-leave",
	[GRID_OP_GG_LIST] = "gridgrid-list",
	[GRID_OP_GG_REVOKE] = "gridgrid-revoke",
	[GRID_OP_GG_PROOF] = "gridgrid-proof",
	[GRID_OP_GG_ADMIT] = "gridgrid-admit",
	[GRID_OP_SHARE_SET] = "share-set",
	[GRID_OP_SHARE_DEL] = "share-del",
	[GRID_OP_SHARE_LIST] = "share-list",
	[GRID_OP_LEASE_ISSUE] = "lease-issue",
	[GRID_OP_LEASE_RENEW] = "lease-renew",
	[GRID_OP_LEASE_REVOKE] = "lease-revoke",
	[GRID_OP_LEASE_IMPORT] = "lease-import",
	[GRID_OP_LEASE_LIST] = "lease-list",
	[GRID_OP_RECORD_LIST] = "record-list",
	[GRID_OP_PEER_ADD] = "peer-add",
	[GRID_OP_PEER_DEL] = "peer-del",
	[GRID_OP_PEER_LIST] = "peer-list",
	[GRID_OP_LEASE_REQUEST] = "lease-request",
	[GRID_OP_JOB_RUN] = "job-run",
	[GRID_OP_JOB_IO] = "job-io",
	[GRID_OP_JOB_LIST] = "job-list",
	[GRID_OP_JOB_SIGNAL] = "job-signal",
	[GRID_OP_LEDGER] = "ledger",
	[GRID_OP_SELFTEST] = "selftest",
};

const char *grid_api_op_name(uint32_t op)
{
	return op && op <= GRID_OP_MAX ? ops[op] : NULL;
}

void grid_api_map_init(struct grid_api_map *m)
{
	m->has = 0;
}

void grid_api_set_u(struct grid_api_map *m, unsigned int k, uint64_t v)
{
	m->has |= 1ULL << k;
	m->u[k] = v;
}

void grid_api_set_t(struct grid_api_map *m, unsigned int k, const char *s)
{
	m->has |= 1ULL << k;
	m->t[k] = s;
	m->tn[k] = strlen(s);
}

void grid_api_set_b(struct grid_api_map *m, unsigned int k, const void *p,
		    size_t n)
{
	m->has |= 1ULL << k;
	m->b[k] = p;
	m->bn[k] = n;
}

void grid_api_set_lim(struct grid_api_map *m, unsigned int k,
		      const struct grid_limits *l)
{
	m->has |= 1ULL << k;
	m->lim[k == GRID_A_USED] = *l;
}

const struct grid_limits *grid_api_lim(const struct grid_api_map *m,
				       unsigned int k)
{
	return &m->lim[k == GRID_A_USED];
}

/* ---- writing ------------------------------------------------------------ */

static void put_map(struct cb_buf *b, const struct grid_api_map *m)
{
	unsigned int k;

	cb_map(b, __builtin_popcountll(m->has));
	for (k = 1; k <= GRID_A_MAX; k++) {
		if (!grid_api_has(m, k))
			continue;
		cb_uint(b, k);
		switch (keys[k].kind) {
		case K_U:
			cb_uint(b, m->u[k]);
			break;
		case K_T:
		case K_TOKEN:
			cb_text(b, m->t[k], m->tn[k]);
			break;
		case K_B32:
		case K_BYTES:
			cb_bytes(b, m->b[k], m->bn[k]);
			break;
		case K_LIM:
			grid_limits_write(b, grid_api_lim(m, k));
			break;
		}
	}
}

int grid_api_out_init(struct grid_api_out *o)
{
	memset(o, 0, sizeof(*o));
	o->buf = malloc(GRID_API_MSG_MAX + 4);
	o->items = malloc(GRID_API_MSG_MAX);
	if (!o->buf || !o->items) {
		grid_api_out_free(o);
		return -ENOMEM;
	}
	return 0;
}

void grid_api_out_free(struct grid_api_out *o)
{
	/*
	 * An invitation's answer holds its one-time seed. All of both, not
	 * what the lengths say: a caller may have reset them to reuse @o.
	 */
	if (o->buf)
		sodium_memzero(o->buf, GRID_API_MSG_MAX + 4);
	if (o->items)
		sodium_memzero(o->items, GRID_API_MSG_MAX);
	free(o->buf);
	free(o->items);
	o->buf = o->items = NULL;
}

int grid_api_add_item(struct grid_api_out *o, const struct grid_api_map *m)
{
	struct cb_buf b;
	long n;

	/*
	 * Room is kept for the response's own header and a message, and the
	 * reader's bound on CBOR items (CB_ITEMS_MAX) holds for the whole
	 * answer: a key and its value are two, a limits map at most 21.
	 */
	uint32_t nodes = 1 + 2 * __builtin_popcountll(m->has) +
			 21 * (grid_api_has(m, GRID_A_LIMITS) + grid_api_has(m, GRID_A_USED));

	if (o->n_items == GRID_API_ITEMS_MAX || o->nodes + nodes > CB_ITEMS_MAX - 16)
		return -ENOSPC;
	cb_init(&b, o->items + o->items_len,
		GRID_API_MSG_MAX - 512 - o->items_len);
	put_map(&b, m);
	n = cb_end(&b);
	if (n < 0)
		return -ENOSPC;
	o->items_len += n;
	o->n_items++;
	o->nodes += nodes;
	return 0;
}

static int frame(struct grid_api_out *o, struct cb_buf *b)
{
	long n = cb_end(b);

	if (n < 0)
		return -EMSGSIZE;
	o->buf[0] = n >> 24;
	o->buf[1] = n >> 16;
	o->buf[2] = n >> 8;
	o->buf[3] = n;
	o->len = n + 4;
	return 0;
}

int grid_api_request(struct grid_api_out *o, uint32_t op,
		     const struct grid_api_map *args)
{
	struct cb_buf b;
	bool with = args && args->has;

	cb_init(&b, o->buf + 4, GRID_API_MSG_MAX);
	cb_map(&b, 2 + with);
	cb_uint(&b, 1);
	cb_uint(&b, GRID_API_VERSION);
	cb_uint(&b, 2);
	cb_uint(&b, op);
	if (with) {
		cb_uint(&b, 3);
		put_map(&b, args);
	}
	return frame(o, &b);
}

int grid_api_response(struct grid_api_out *o, int status, const char *msg)
{
	struct cb_buf b;
	size_t mlen = msg ? strnlen(msg, 255) : 0;

	cb_init(&b, o->buf + 4, GRID_API_MSG_MAX);
	cb_map(&b, 2 + !!mlen + !!o->n_items + o->more);
	cb_uint(&b, 1);
	cb_uint(&b, GRID_API_VERSION);
	cb_uint(&b, 2);
	cb_int(&b, status);
	if (mlen) {
		cb_uint(&b, 3);
		cb_text(&b, msg, mlen);
	}
	if (o->n_items) {
		cb_uint(&b, 4);
		cb_array(&b, o->n_items);
		cb_raw(&b, o->items, o->items_len);
	}
	if (o->more) {
		cb_uint(&b, 5);
		cb_uint(&b, 1);
	}
	return frame(o, &b);
}

/* ---- reading ------------------------------------------------------------ */

/*
 * Text in a message is copied NUL-terminated into @in's own storage; bytes
 * point into the message. The decoder owns one copy buffer per map slot.
 */
struct reader {
	const struct cb_doc *d;
	struct grid_why *why;
	char *text;		/* where texts are copied, NUL-terminated */
	size_t text_len, text_cap;
};

static int bad(struct reader *r, const char *what, const char *how)
{
	return grid_why_set(r->why, -EBADMSG, "%s %s", what, how);
}

static int get_map(struct reader *r, uint32_t i, struct grid_api_map *m)
{
	const struct cb_doc *d = r->d;
	uint32_t k = i + 1, j;

	grid_api_map_init(m);
	if (d->it[i].kind != CB_MAP)
		return grid_why_set(r->why, -EBADMSG,
				    "arguments are not a map");
	for (j = 0; j < d->it[i].n; j++) {
		uint32_t v = d->it[k].end;
		const struct cb_item *val = &d->it[v];
		uint64_t key = d->it[k].v;
		const char *name;

		if (d->it[k].kind != CB_UINT || !key || key > GRID_A_MAX)
			return grid_why_set(r->why, -EBADMSG,
					    "unknown argument %llu",
					    (unsigned long long)key);
		name = keys[key].name;
		switch (keys[key].kind) {
		case K_U:
			if (val->kind != CB_UINT)
				return bad(r, name, "is not an unsigned integer");
			m->u[key] = val->v;
			break;
		case K_T:
		case K_TOKEN:
			if (val->kind != CB_TEXT)
				return bad(r, name, "is not text");
			if ((keys[key].kind == K_T && val->n > GRID_API_TEXT_MAX) ||
			    val->n > GRID_TOKEN_MAX || memchr(val->p, 0, val->n))
				return bad(r, name, "is too long or holds a NUL");
			if (r->text_cap - r->text_len < val->n + 1)
				return bad(r, name, "makes too much text");
			memcpy(r->text + r->text_len, val->p, val->n);
			r->text[r->text_len + val->n] = '\0';
			m->t[key] = r->text + r->text_len;
			m->tn[key] = val->n;
			r->text_len += val->n + 1;
			break;
		case K_B32:
		case K_BYTES:
			if (val->kind != CB_BYTES ||
			    (keys[key].kind == K_B32 && val->n != 32) ||
			    val->n > bytes_max(key))
				return bad(r, name,
					   "is not a byte string of the right size");
			m->b[key] = val->p;
			m->bn[key] = val->n;
			break;
		case K_LIM:
			if (grid_limits_read(d, v, &m->lim[key == GRID_A_USED],
					    r->why))
				return -EBADMSG;
			break;
		}
		m->has |= 1ULL << key;
		k = val->end;
	}
	return 0;
}

static int parse(struct grid_api_in *in, const uint8_t *buf, size_t len,
		 bool request, struct grid_why *why)
{
	struct reader r = { .why = why };
	struct cb_doc *d;
	uint32_t v, i;
	int ret = -EBADMSG;

	memset(in, 0, sizeof(*in));
	if (len > GRID_API_MSG_MAX)
		return grid_why_set(why, -EMSGSIZE, "message too long");
	d = malloc(sizeof(*d));
	r.text_cap = len + GRID_API_ITEMS_MAX * GRID_A_MAX + 64;
	r.text = malloc(r.text_cap);
	if (!d || !r.text) {
		ret = -ENOMEM;
		goto out;
	}
	r.d = d;
	if (cb_decode(d, buf, len) || d->it[0].kind != CB_MAP) {
		ret = grid_why_set(why, -EBADMSG,
				   "the message is not a map in deterministic CBOR");
		goto out;
	}
	v = cb_map_get(d, 0, 1);
	if (!v || d->it[v].kind != CB_UINT) {
		ret = grid_why_set(why, -EBADMSG, "the message has no version");
		goto out;
	}
	if (d->it[v].v != GRID_API_VERSION) {
		ret = grid_why_set(why, -EPROTO,
				   "API version %llu; this side speaks %d",
				   (unsigned long long)d->it[v].v,
				   GRID_API_VERSION);
		goto out;
	}
	/* Keys 1..3 in requests, 1..5 in responses, nothing else. */
	for (i = 0, v = 1; i < d->it[0].n; i++) {
		uint64_t key = d->it[v].v;

		if (d->it[v].kind != CB_UINT || !key || key > (request ? 3 : 5)) {
			ret = grid_why_set(why, -EBADMSG,
					   "unknown member %llu in the message",
					   (unsigned long long)key);
			goto out;
		}
		v = d->it[d->it[v].end].end;
	}
	v = cb_map_get(d, 0, 2);
	if (request) {
		if (!v || d->it[v].kind != CB_UINT) {
			ret = grid_why_set(why, -EBADMSG, "the request has no op");
			goto out;
		}
		if (!grid_api_op_name(d->it[v].v)) {
			ret = grid_why_set(why, -EOPNOTSUPP, "unknown op %llu",
					   (unsigned long long)d->it[v].v);
			goto out;
		}
		in->op = d->it[v].v;
		v = cb_map_get(d, 0, 3);
		grid_api_map_init(&in->args);
		if (v) {
			ret = get_map(&r, v, &in->args);
			if (ret)
				goto out;
		}
		ret = 0;
		goto out;
	}
	if (!v || (d->it[v].kind != CB_UINT && d->it[v].kind != CB_NINT) ||
	    d->it[v].v > 4095) {
		ret = grid_why_set(why, -EBADMSG, "the response has no status");
		goto out;
	}
	in->status = d->it[v].kind == CB_UINT ? (int)d->it[v].v :
		     -1 - (int)d->it[v].v;
	v = cb_map_get(d, 0, 3);
	if (v) {
		if (d->it[v].kind != CB_TEXT || d->it[v].n >= sizeof(in->msg)) {
			ret = grid_why_set(why, -EBADMSG, "the message is not text");
			goto out;
		}
		memcpy(in->msg, d->it[v].p, d->it[v].n);
		in->msg[d->it[v].n] = '\0';
	}
	v = cb_map_get(d, 0, 5);
	in->more = v && d->it[v].kind == CB_UINT && d->it[v].v;
	v = cb_map_get(d, 0, 4);
	if (v) {
		if (d->it[v].kind != CB_ARRAY ||
		    d->it[v].n > GRID_API_ITEMS_MAX) {
			ret = grid_why_set(why, -EBADMSG, "the items are not a list");
			goto out;
		}
		in->items = calloc(d->it[v].n ? d->it[v].n : 1,
				   sizeof(*in->items));
		if (!in->items) {
			ret = -ENOMEM;
			goto out;
		}
		in->n_items = d->it[v].n;
		for (i = 0, v = v + 1; i < in->n_items; i++) {
			ret = get_map(&r, v, &in->items[i]);
			if (ret)
				goto out;
			v = d->it[v].end;
		}
	}
	ret = 0;
out:
	free(d);
	if (ret) {
		if (r.text)
			sodium_memzero(r.text, r.text_len);
		free(r.text);
		free(in->items);
		in->items = NULL;
	} else {
		/* The texts stay with @in until grid_api_in_free(). */
		in->text = r.text;
	}
	return ret;
}

int grid_api_parse_request(struct grid_api_in *in, const uint8_t *buf,
			   size_t len, struct grid_why *why)
{
	return parse(in, buf, len, true, why);
}

int grid_api_parse_response(struct grid_api_in *in, const uint8_t *buf,
			    size_t len, struct grid_why *why)
{
	return parse(in, buf, len, false, why);
}

/* Past @end: where the texts the reader copied for @m end in @in->text. */
static size_t texts_end(const struct grid_api_in *in,
			const struct grid_api_map *m, size_t end)
{
	unsigned int k;

	for (k = 1; k <= GRID_A_MAX; k++) {
		size_t e;

		if (!grid_api_has(m, k) || !m->t[k] || m->t[k] < in->text ||
		    (keys[k].kind != K_T && keys[k].kind != K_TOKEN))
			continue;
		e = (size_t)(m->t[k] - in->text) + m->tn[k] + 1;
		if (e > end)
			end = e;
	}
	return end;
}

void grid_api_in_free(struct grid_api_in *in)
{
	/*
	 * A join's token (its one-time seed) is one of the texts, copied
	 * one after another from the start of @in->text: wiped up to the
	 * end of the last.
	 */
	if (in->text) {
		size_t end = texts_end(in, &in->args, 0);
		uint32_t i;

		for (i = 0; in->items && i < in->n_items; i++)
			end = texts_end(in, &in->items[i], end);
		sodium_memzero(in->text, end);
	}
	free(in->text);
	in->text = NULL;
	free(in->raw);
	in->raw = NULL;
	free(in->items);
	in->items = NULL;
}

/* ---- frames ------------------------------------------------------------- */

static int read_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EPIPE;
		p += r;
		n -= r;
	}
	return 0;
}

int grid_api_read(int fd, uint8_t *buf, size_t *len)
{
	uint8_t h[4];
	uint32_t n;
	int ret;

	ret = read_all(fd, h, 4);
	if (ret)
		return ret;
	n = (uint32_t)h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];
	if (!n || n > GRID_API_MSG_MAX)
		return -EMSGSIZE;
	ret = read_all(fd, buf, n);
	if (ret)
		return ret;
	*len = n;
	return 0;
}

int grid_api_write(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		len -= w;
	}
	return 0;
}
