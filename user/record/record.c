// SPDX-License-Identifier: GPL-2.0
/*
 * The record schema and its one encoding. Every key has one value kind
 * (the same in every record type), every type a set of keys it requires
 * and a set it allows; RECORDS.md says the same in prose, and the unit
 * tests hold the two together with a hex example of each type.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dcbor.h"
#include "record.h"
#include "units.h"

enum kind {
	V_UINT,		/* unsigned, at most .max */
	V_PK,		/* 32-byte Ed25519 key, valid point */
	V_ID,		/* 32 bytes */
	V_NONCE,	/* 16 bytes */
	V_SIG,		/* 64 bytes */
	V_NAME,		/* text, a grid name */
	V_REASON,	/* text, up to GRID_REASON_MAX bytes, no control bytes */
	V_PKS,		/* array of V_PK, up to GRID_ADMINS_MAX, increasing */
	V_LIMITS,	/* map, see limits_*() */
	V_USAGE,	/* map, see usage_*() */
};

struct key_info {
	const char *name;
	enum kind kind;
	uint64_t max;
};

#define U64 UINT64_MAX
static const struct key_info keys[GRID_K_MAX + 1] = {
	[GRID_K_TYPE] = { "type", V_UINT, GRID_REC_MAX },
	[GRID_K_VERSION] = { "version", V_UINT, U64 },
	[GRID_K_ISSUER] = { "issuer", V_PK },
	[GRID_K_ISSUED] = { "issued", V_UINT, U64 },
	[GRID_K_NOT_BEFORE] = { "not_before", V_UINT, U64 },
	[GRID_K_NOT_AFTER] = { "not_after", V_UINT, U64 },
	[GRID_K_NAME] = { "name", V_NAME },
	[GRID_K_SUBJECT] = { "subject", V_PK },
	[GRID_K_GRIDGRID] = { "gridgrid", V_PK },
	[GRID_K_ADMINS] = { "admins", V_PKS },
	[GRID_K_POLICY] = { "policy", V_UINT, GRID_POLICY_ALL },
	[GRID_K_INVITE_MAX] = { "invite_max", V_UINT, U64 },
	[GRID_K_ADMIN] = { "admin", V_UINT, 1 },
	[GRID_K_NONCE] = { "nonce", V_NONCE },
	[GRID_K_REF] = { "ref", V_ID },
	[GRID_K_CLAIM] = { "claim", V_SIG },
	[GRID_K_REASON] = { "reason", V_REASON },
	[GRID_K_LIMITS] = { "limits", V_LIMITS },
	[GRID_K_LEASE_ID] = { "lease_id", V_UINT, U64 },
	[GRID_K_SERIAL] = { "serial", V_UINT, U64 },
	[GRID_K_USAGE] = { "usage", V_USAGE },
	[GRID_K_HOLDER_GRID] = { "holder_grid", V_PK },
	[GRID_K_KIND] = { "kind", V_UINT, GRID_REVOKE_LEASE },
};

#define H(k) GRID_HAS(GRID_K_##k)
#define BASE (H(TYPE) | H(VERSION) | H(ISSUER) | H(ISSUED))

struct type_info {
	const char *name;
	uint64_t required;
	uint64_t optional;
};

static const struct type_info types[GRID_REC_MAX + 1] = {
	[GRID_REC_GRID] = { "grid", BASE | H(NAME) },
	[GRID_REC_AGENT] = { "agent", BASE | H(NAME) | H(SUBJECT),
			     H(NOT_BEFORE) | H(NOT_AFTER) },
	[GRID_REC_MEMBER_GRID] = { "member-grid", BASE | H(NAME) | H(SUBJECT),
				   H(NOT_BEFORE) | H(NOT_AFTER) },
	[GRID_REC_CHARTER] = { "charter", BASE | H(NAME) | H(SUBJECT) |
			       H(ADMINS) | H(POLICY) | H(INVITE_MAX) | H(SERIAL) },
	[GRID_REC_INVITATION] = { "invitation", BASE | H(NOT_AFTER) | H(NAME) |
				  H(SUBJECT) | H(GRIDGRID) | H(ADMIN) | H(NONCE),
				  H(NOT_BEFORE) },
	[GRID_REC_MEMBERSHIP] = { "membership", BASE | H(NAME) | H(GRIDGRID) |
				  H(ADMIN) | H(REF), H(CLAIM) },
	[GRID_REC_LEAVE] = { "leave", BASE | H(GRIDGRID) | H(REF) },
	[GRID_REC_REVOCATION] = { "revocation", BASE | H(GRIDGRID) | H(KIND),
				  H(SUBJECT) | H(LEASE_ID) | H(REASON) },
	[GRID_REC_SHARE] = { "share", BASE | H(NAME) | H(GRIDGRID) | H(LIMITS) |
			     H(SERIAL) },
	[GRID_REC_LEASE] = { "lease", BASE | H(NOT_BEFORE) | H(NOT_AFTER) |
			     H(NAME) | H(SUBJECT) | H(GRIDGRID) | H(LIMITS) |
			     H(LEASE_ID) | H(SERIAL) | H(HOLDER_GRID) },
	[GRID_REC_RECEIPT] = { "receipt", BASE | H(SUBJECT) | H(GRIDGRID) |
			       H(REF) | H(LEASE_ID) | H(USAGE) },
};

int grid_why_set(struct grid_why *why, int err, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why->msg, sizeof(why->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *grid_record_type_name(uint32_t type)
{
	return type && type <= GRID_REC_MAX ? types[type].name : NULL;
}

int grid_record_type_parse(const char *s, uint32_t *type)
{
	uint32_t t;

	for (t = 1; t <= GRID_REC_MAX; t++) {
		if (!strcmp(types[t].name, s)) {
			*type = t;
			return 0;
		}
	}
	return -EINVAL;
}

const char *grid_record_key_name(uint32_t key)
{
	return key && key <= GRID_K_MAX ? keys[key].name : NULL;
}

void grid_record_init(struct grid_record *r, uint32_t type,
		      const uint8_t issuer[GRID_PK_LEN], uint64_t issued)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->version = GRID_RECORD_VERSION;
	memcpy(r->issuer, issuer, GRID_PK_LEN);
	r->issued = issued;
	r->has = BASE;
	grid_limits_none(&r->limits);
}

void grid_limits_none(struct grid_limits *l)
{
	*l = (struct grid_limits){
		GRID_LIMIT_MAX, GRID_CPU_PERIOD_DEFAULT, GRID_LIMIT_MAX,
		GRID_LIMIT_MAX, GRID_LIMIT_MAX, GRID_LIMIT_MAX, GRID_LIMIT_MAX,
		GRID_LIMIT_MAX, GRID_LIMIT_MAX, GRID_BUDGET_PERIOD_DEFAULT, 0 };
}

void grid_record_id(uint8_t id[GRID_ID_LEN], const uint8_t *buf, size_t len)
{
	crypto_hash_sha256(id, buf, len);
}

/* ---- limits and usage: maps of small keys to unsigned values ---------- */

#define N_LIMITS 10
#define N_USAGE 7

static __u64 *limit_field(struct grid_limits *l, unsigned int k)
{
	__u64 *f[N_LIMITS + 1] = {
		NULL, &l->cpu_quota_us, &l->cpu_period_us, &l->cpu_budget_us,
		&l->memory_bytes, &l->pids, &l->net_egress_rate,
		&l->net_ingress_rate, &l->net_egress_budget,
		&l->net_ingress_budget, NULL,
	};

	return f[k];
}

static uint64_t limit_get(const struct grid_limits *l, unsigned int k)
{
	if (k == N_LIMITS)
		return l->budget_period_s;
	return *limit_field((struct grid_limits *)l, k);
}

/* The period keys (2, 10) are always written, the others when finite. */
static bool limit_written(const struct grid_limits *l, unsigned int k)
{
	return k == 2 || k == N_LIMITS || limit_get(l, k) != GRID_LIMIT_MAX;
}

static int limits_check(const struct grid_limits *l, struct grid_why *why)
{
	if (l->cpu_period_us < 1000 || l->cpu_period_us > 1000000)
		return grid_why_set(why, -EINVAL,
			"limits: cpu period %llu us is outside 1000..1000000",
			(unsigned long long)l->cpu_period_us);
	if (l->cpu_quota_us != GRID_LIMIT_MAX && l->cpu_quota_us < 1000)
		return grid_why_set(why, -EINVAL,
			"limits: cpu quota %llu us is below 1000",
			(unsigned long long)l->cpu_quota_us);
	if (!l->budget_period_s)
		return grid_why_set(why, -EINVAL,
				    "limits: the budget period is 0");
	if (l->reserved)
		return grid_why_set(why, -EINVAL, "limits: reserved is set");
	return 0;
}

static uint64_t *usage_field(struct grid_rec_usage *u, unsigned int k)
{
	uint64_t *f[N_USAGE + 1] = {
		NULL, &u->cpu_us, &u->memory_peak, &u->bytes_out, &u->bytes_in,
		&u->exit_status, &u->started, &u->ended,
	};

	return f[k];
}

/* ---- encoding ------------------------------------------------------------ */

static bool text_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	}
	return true;
}

static bool pks_increasing(const struct grid_record *r)
{
	uint32_t i;

	for (i = 1; i < r->n_admins; i++) {
		if (memcmp(r->admins[i - 1], r->admins[i], GRID_PK_LEN) >= 0)
			return false;
	}
	return true;
}

/* Checks @r against its type's schema and every value against its key's. */
static int check(const struct grid_record *r, struct grid_why *why)
{
	const struct type_info *t;
	unsigned int k;
	uint64_t extra, missing;
	uint32_t i;
	char name[GRID_NAME_LEN];
	int ret;

	if (!grid_record_type_name(r->type))
		return grid_why_set(why, -EINVAL, "unknown record type %u",
				    r->type);
	t = &types[r->type];
	if (r->version != GRID_RECORD_VERSION)
		return grid_why_set(why, -EINVAL,
				    "%s: format version %u, not %u", t->name,
				    r->version, GRID_RECORD_VERSION);
	missing = t->required & ~r->has;
	extra = r->has & ~(t->required | t->optional);
	for (k = 1; k <= GRID_K_MAX; k++) {
		if (missing & GRID_HAS(k))
			return grid_why_set(why, -EINVAL, "%s: no %s", t->name,
					    keys[k].name);
		if (extra & GRID_HAS(k))
			return grid_why_set(why, -EINVAL,
					    "%s: a %s has no field %s", t->name,
					    t->name, keys[k].name);
	}
	if (r->has & ~(GRID_HAS(GRID_K_MAX + 1) - 2))
		return grid_why_set(why, -EINVAL, "%s: unknown fields",
				    t->name);
	for (k = 1; k <= GRID_K_MAX; k++) {
		const struct key_info *ki = &keys[k];
		const uint8_t *pk = NULL;
		uint64_t v = 0;

		if (!(r->has & GRID_HAS(k)))
			continue;
		switch (k) {
		case GRID_K_TYPE: v = r->type; break;
		case GRID_K_VERSION: v = r->version; break;
		case GRID_K_ISSUED: v = r->issued; break;
		case GRID_K_NOT_BEFORE: v = r->not_before; break;
		case GRID_K_NOT_AFTER: v = r->not_after; break;
		case GRID_K_POLICY: v = r->policy; break;
		case GRID_K_INVITE_MAX: v = r->invite_max; break;
		case GRID_K_ADMIN: v = r->admin; break;
		case GRID_K_LEASE_ID: v = r->lease_id; break;
		case GRID_K_SERIAL: v = r->serial; break;
		case GRID_K_KIND: v = r->kind; break;
		case GRID_K_ISSUER: pk = r->issuer; break;
		case GRID_K_SUBJECT: pk = r->subject; break;
		case GRID_K_GRIDGRID: pk = r->gridgrid; break;
		case GRID_K_HOLDER_GRID: pk = r->holder_grid; break;
		}
		if (ki->kind == V_UINT && v > ki->max)
			return grid_why_set(why, -EINVAL,
					    "%s: %s %llu is above %llu", t->name,
					    ki->name, (unsigned long long)v,
					    (unsigned long long)ki->max);
		if (pk && !grid_pk_ok(pk))
			return grid_why_set(why, -EINVAL,
				"%s: %s is not a valid Ed25519 public key",
				t->name, ki->name);
	}
	if ((r->has & H(NAME)) &&
	    (memchr(r->name, 0, GRID_NAME_LEN) == NULL ||
	     grid_parse_name(r->name, name)))
		return grid_why_set(why, -EINVAL,
			"%s: name '%.31s' is not 1 to 31 of a-z 0-9 . _ -",
			t->name, r->name);
	if (r->has & H(REASON)) {
		size_t n = strnlen(r->reason, sizeof(r->reason));

		if (n > GRID_REASON_MAX || !text_ok(r->reason, n))
			return grid_why_set(why, -EINVAL,
				"%s: the reason is longer than %d bytes or has control characters",
				t->name, GRID_REASON_MAX);
	}
	if (r->has & H(ADMINS)) {
		if (r->n_admins > GRID_ADMINS_MAX)
			return grid_why_set(why, -EINVAL,
					    "%s: more than %d admins", t->name,
					    GRID_ADMINS_MAX);
		for (i = 0; i < r->n_admins; i++) {
			if (!grid_pk_ok(r->admins[i]))
				return grid_why_set(why, -EINVAL,
					"%s: admin %u is not a valid Ed25519 public key",
					t->name, i + 1);
		}
		/* One order, so that one set of admins has one encoding. */
		if (!pks_increasing(r))
			return grid_why_set(why, -EINVAL,
				"%s: admins are not in increasing order, or repeat",
				t->name);
	}
	if (r->has & H(LIMITS)) {
		ret = limits_check(&r->limits, why);
		if (ret)
			return ret;
	}
	if ((r->has & H(NOT_BEFORE)) && (r->has & H(NOT_AFTER)) &&
	    r->not_after <= r->not_before)
		return grid_why_set(why, -EINVAL,
				    "%s: not_after is not after not_before",
				    t->name);
	if ((r->has & H(LEASE_ID)) && !r->lease_id)
		return grid_why_set(why, -EINVAL, "%s: lease_id is 0", t->name);
	if (r->type == GRID_REC_REVOCATION) {
		uint64_t want = r->kind == GRID_REVOKE_MEMBER ? H(SUBJECT) :
				r->kind == GRID_REVOKE_LEASE ? H(LEASE_ID) : 0;
		uint64_t other = H(SUBJECT) | H(LEASE_ID);

		if (!want || (r->has & other) != want)
			return grid_why_set(why, -EINVAL,
				"revocation: kind %llu needs exactly one of subject (member) or lease_id (lease)",
				(unsigned long long)r->kind);
	}
	if (r->n_ext > GRID_EXT_MAX)
		return grid_why_set(why, -EINVAL, "%s: too many extensions",
				    t->name);
	for (i = 0; i < r->n_ext; i++) {
		if (r->ext[i].key < GRID_KEY_EXT_MIN ||
		    (i && r->ext[i].key <= r->ext[i - 1].key))
			return grid_why_set(why, -EINVAL,
				"%s: extension keys below %d or out of order",
				t->name, GRID_KEY_EXT_MIN);
	}
	return 0;
}

void grid_limits_write(struct cb_buf *b, const struct grid_limits *l)
{
	unsigned int k, n = 0;

	for (k = 1; k <= N_LIMITS; k++)
		n += limit_written(l, k);
	cb_map(b, n);
	for (k = 1; k <= N_LIMITS; k++) {
		if (limit_written(l, k)) {
			cb_uint(b, k);
			cb_uint(b, limit_get(l, k));
		}
	}
}

static void put_usage(struct cb_buf *b, const struct grid_rec_usage *u)
{
	unsigned int k;

	cb_map(b, N_USAGE);
	for (k = 1; k <= N_USAGE; k++) {
		cb_uint(b, k);
		cb_uint(b, *usage_field((struct grid_rec_usage *)u, k));
	}
}

/* The payload of a record check() has passed. */
static int write_payload(const struct grid_record *r, uint8_t *out, size_t cap,
			 size_t *len, struct grid_why *why)
{
	struct cb_buf b;
	unsigned int k;
	uint32_t i;
	long n;

	cb_init(&b, out, cap);
	cb_map(&b, __builtin_popcountll(r->has) + r->n_ext);
	/* Keys 1..63 encode in one byte each, so numeric order is bytewise. */
	for (k = 1; k <= GRID_K_MAX; k++) {
		if (!(r->has & GRID_HAS(k)))
			continue;
		cb_uint(&b, k);
		switch (k) {
		case GRID_K_TYPE: cb_uint(&b, r->type); break;
		case GRID_K_VERSION: cb_uint(&b, r->version); break;
		case GRID_K_ISSUER: cb_bytes(&b, r->issuer, GRID_PK_LEN); break;
		case GRID_K_ISSUED: cb_uint(&b, r->issued); break;
		case GRID_K_NOT_BEFORE: cb_uint(&b, r->not_before); break;
		case GRID_K_NOT_AFTER: cb_uint(&b, r->not_after); break;
		case GRID_K_NAME: cb_text(&b, r->name, strlen(r->name)); break;
		case GRID_K_SUBJECT: cb_bytes(&b, r->subject, GRID_PK_LEN); break;
		case GRID_K_GRIDGRID: cb_bytes(&b, r->gridgrid, GRID_PK_LEN); break;
		case GRID_K_ADMINS:
			cb_array(&b, r->n_admins);
			for (i = 0; i < r->n_admins; i++)
				cb_bytes(&b, r->admins[i], GRID_PK_LEN);
			break;
		case GRID_K_POLICY: cb_uint(&b, r->policy); break;
		case GRID_K_INVITE_MAX: cb_uint(&b, r->invite_max); break;
		case GRID_K_ADMIN: cb_uint(&b, r->admin); break;
		case GRID_K_NONCE: cb_bytes(&b, r->nonce, GRID_NONCE_LEN); break;
		case GRID_K_REF: cb_bytes(&b, r->ref, GRID_ID_LEN); break;
		case GRID_K_CLAIM: cb_bytes(&b, r->claim, GRID_SIG_LEN); break;
		case GRID_K_REASON: cb_text(&b, r->reason, strlen(r->reason)); break;
		case GRID_K_LIMITS: grid_limits_write(&b, &r->limits); break;
		case GRID_K_LEASE_ID: cb_uint(&b, r->lease_id); break;
		case GRID_K_SERIAL: cb_uint(&b, r->serial); break;
		case GRID_K_USAGE: put_usage(&b, &r->usage); break;
		case GRID_K_HOLDER_GRID: cb_bytes(&b, r->holder_grid, GRID_PK_LEN); break;
		case GRID_K_KIND: cb_uint(&b, r->kind); break;
		}
	}
	for (i = 0; i < r->n_ext; i++) {
		cb_uint(&b, r->ext[i].key);
		cb_raw(&b, r->ext[i].val, r->ext[i].len);
	}
	n = cb_end(&b);
	if (n < 0)
		return grid_why_set(why, -EMSGSIZE,
				    "%s: longer than %zu bytes",
				    types[r->type].name, cap);
	*len = n;
	return 0;
}

int grid_record_encode(const struct grid_record *r, uint8_t *out, size_t cap,
		       size_t *len, struct grid_why *why)
{
	int ret = check(r, why);

	return ret ? ret : write_payload(r, out, cap, len, why);
}

/* ---- decoding ------------------------------------------------------------ */

struct dec {
	const struct cb_doc *d;
	struct grid_why *why;
	const char *type;	/* for messages */
};

static int bad(struct dec *x, const char *what, const char *how)
{
	return grid_why_set(x->why, -EBADMSG, "%s: %s %s", x->type, what, how);
}

static int get_uint(struct dec *x, uint32_t v, const char *what,
		    uint64_t *out)
{
	if (x->d->it[v].kind != CB_UINT)
		return bad(x, what, "is not an unsigned integer");
	*out = x->d->it[v].v;
	return 0;
}

static int get_fixed(struct dec *x, uint32_t v, const char *what, void *out,
		     size_t n)
{
	const struct cb_item *it = &x->d->it[v];

	if (it->kind != CB_BYTES || it->n != n) {
		char how[48];

		snprintf(how, sizeof(how), "is not a byte string of %zu", n);
		return bad(x, what, how);
	}
	memcpy(out, it->p, n);
	return 0;
}

static int get_text(struct dec *x, uint32_t v, const char *what, char *out,
		    size_t cap)
{
	const struct cb_item *it = &x->d->it[v];

	if (it->kind != CB_TEXT)
		return bad(x, what, "is not a text string");
	if (it->n >= cap || memchr(it->p, 0, it->n))
		return bad(x, what, "is too long or holds a NUL");
	memcpy(out, it->p, it->n);
	out[it->n] = '\0';
	return 0;
}

/* A map of keys 1..@nk to unsigned values, through @field. */
static int get_umap(struct dec *x, uint32_t m, const char *what,
		    unsigned int nk, void (*put)(void *, unsigned int, uint64_t),
		    void *obj, uint32_t *seen)
{
	const struct cb_doc *d = x->d;
	uint32_t k = m + 1, i;

	if (d->it[m].kind != CB_MAP)
		return bad(x, what, "is not a map");
	*seen = 0;
	for (i = 0; i < d->it[m].n; i++) {
		uint32_t v = d->it[k].end;
		uint64_t key = d->it[k].v;

		if (d->it[k].kind != CB_UINT || key < 1 || key > nk)
			return bad(x, what, "has an unknown key");
		if (d->it[v].kind != CB_UINT)
			return bad(x, what, "has a value that is not an unsigned integer");
		put(obj, key, d->it[v].v);
		*seen |= 1u << key;
		k = d->it[v].end;
	}
	return 0;
}

/* The budget period is 32 bits in grid_limits: read into 64 first. */
struct limits_dec {
	struct grid_limits *l;
	uint64_t budget_period_s;
};

static void limits_put(void *obj, unsigned int k, uint64_t v)
{
	struct limits_dec *ld = obj;

	if (k == N_LIMITS)
		ld->budget_period_s = v;
	else
		*limit_field(ld->l, k) = v;
}

static void usage_put(void *obj, unsigned int k, uint64_t v)
{
	*usage_field(obj, k) = v;
}

static int get_limits(struct dec *x, uint32_t v, struct grid_limits *l)
{
	struct limits_dec ld = { l, 0 };
	uint32_t seen;
	int ret;

	ret = get_umap(x, v, "limits", N_LIMITS, limits_put, &ld, &seen);
	if (ret)
		return ret;
	if (!(seen & (1u << 2)) || !(seen & (1u << N_LIMITS)))
		return bad(x, "limits", "lack the cpu period or the budget period");
	if (ld.budget_period_s > UINT32_MAX)
		return bad(x, "limits", "have a budget period past 2^32-1");
	l->budget_period_s = ld.budget_period_s;
	return 0;
}

int grid_limits_read(const struct cb_doc *d, uint32_t i, struct grid_limits *l,
		    struct grid_why *why)
{
	struct dec x = { .d = d, .why = why, .type = "request" };
	int ret;

	grid_limits_none(l);
	l->cpu_period_us = 0;
	l->budget_period_s = 0;
	ret = get_limits(&x, i, l);
	if (!ret)
		ret = limits_check(l, why);
	if (ret)
		return -EBADMSG;
	return 0;
}

static int get_value(struct dec *x, struct grid_record *r, unsigned int k,
		     uint32_t v)
{
	const struct cb_doc *d = x->d;
	const char *what = keys[k].name;
	uint64_t u = 0;
	uint32_t i, seen;
	int ret;

	switch (keys[k].kind) {
	case V_UINT:
		ret = get_uint(x, v, what, &u);
		if (ret)
			return ret;
		switch (k) {
		case GRID_K_TYPE:
		case GRID_K_VERSION:
			if (u > UINT32_MAX)
				return bad(x, what, "is too large");
			if (k == GRID_K_TYPE)
				r->type = u;
			else
				r->version = u;
			break;
		case GRID_K_ISSUED: r->issued = u; break;
		case GRID_K_NOT_BEFORE: r->not_before = u; break;
		case GRID_K_NOT_AFTER: r->not_after = u; break;
		case GRID_K_POLICY: r->policy = u; break;
		case GRID_K_INVITE_MAX: r->invite_max = u; break;
		case GRID_K_ADMIN: r->admin = u; break;
		case GRID_K_LEASE_ID: r->lease_id = u; break;
		case GRID_K_SERIAL: r->serial = u; break;
		case GRID_K_KIND: r->kind = u; break;
		}
		return 0;
	case V_PK:
		return get_fixed(x, v, what,
				 k == GRID_K_ISSUER ? r->issuer :
				 k == GRID_K_SUBJECT ? r->subject :
				 k == GRID_K_GRIDGRID ? r->gridgrid :
				 r->holder_grid, GRID_PK_LEN);
	case V_ID:
		return get_fixed(x, v, what, r->ref, GRID_ID_LEN);
	case V_NONCE:
		return get_fixed(x, v, what, r->nonce, GRID_NONCE_LEN);
	case V_SIG:
		return get_fixed(x, v, what, r->claim, GRID_SIG_LEN);
	case V_NAME:
		return get_text(x, v, what, r->name, sizeof(r->name));
	case V_REASON:
		return get_text(x, v, what, r->reason, sizeof(r->reason));
	case V_PKS:
		if (d->it[v].kind != CB_ARRAY)
			return bad(x, what, "is not an array");
		if (d->it[v].n > GRID_ADMINS_MAX)
			return bad(x, what, "has too many keys");
		r->n_admins = d->it[v].n;
		for (i = 0; i < r->n_admins; i++) {
			ret = get_fixed(x, v + 1 + i, what, r->admins[i],
					GRID_PK_LEN);
			if (ret)
				return ret;
		}
		return 0;
	case V_LIMITS:
		return get_limits(x, v, &r->limits);
	case V_USAGE:
		ret = get_umap(x, v, what, N_USAGE, usage_put, &r->usage, &seen);
		if (!ret && seen != ((1u << (N_USAGE + 1)) - 2))
			return bad(x, what, "lacks a field");
		return ret;
	}
	return bad(x, what, "has no reader");
}

int grid_record_decode(struct grid_record *r, const uint8_t *p, size_t n,
		       struct grid_why *why)
{
	static const uint8_t none[GRID_PK_LEN];
	struct dec x = { .why = why, .type = "record" };
	uint8_t *again = NULL;
	struct cb_doc *d;
	uint32_t k, i;
	size_t len;
	int ret;

	if (n > GRID_PAYLOAD_MAX)
		return grid_why_set(why, -EBADMSG,
				    "record: payload of %zu bytes, more than %d",
				    n, GRID_PAYLOAD_MAX);
	d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	x.d = d;
	ret = cb_decode(d, p, n);
	if (ret) {
		ret = grid_why_set(why, -EBADMSG, "record: %s",
			ret == -EMSGSIZE ? "too large or too deep" :
			ret == -EPROTONOSUPPORT ? "holds a float or simple value" :
			"payload is not CBOR in deterministic encoding");
		goto out;
	}
	ret = -EBADMSG;
	if (d->it[0].kind != CB_MAP) {
		ret = bad(&x, "payload", "is not a map");
		goto out;
	}
	grid_record_init(r, 0, none, 0);
	r->has = 0;
	r->version = 0;
	k = 1;
	for (i = 0; i < d->it[0].n; i++) {
		uint32_t v = d->it[k].end;
		uint64_t key = d->it[k].v;

		if (d->it[k].kind != CB_UINT) {
			ret = bad(&x, "payload", "has a key that is not an unsigned integer");
			goto out;
		}
		if (key >= GRID_KEY_EXT_MIN) {
			if (r->n_ext == GRID_EXT_MAX) {
				ret = bad(&x, "payload", "has too many extensions");
				goto out;
			}
			r->ext[r->n_ext++] = (struct grid_ext){
				key, p + d->it[v].off, d->it[v].len };
		} else if (key == 0 || key > GRID_K_MAX) {
			ret = grid_why_set(why, -EBADMSG,
				"%s: unknown critical field %llu", x.type,
				(unsigned long long)key);
			goto out;
		} else {
			ret = get_value(&x, r, key, v);
			if (ret)
				goto out;
			r->has |= GRID_HAS(key);
			if (key == GRID_K_TYPE && grid_record_type_name(r->type))
				x.type = grid_record_type_name(r->type);
		}
		k = d->it[v].end;
	}
	ret = check(r, why);
	if (ret) {
		ret = -EBADMSG;
		goto out;
	}
	/* The one encoding: what we would write must be what we read. */
	again = malloc(n ? n : 1);
	if (!again) {
		ret = -ENOMEM;
		goto out;
	}
	/* check() has passed: what is left to compare is the bytes. */
	if (write_payload(r, again, n, &len, NULL) || len != n ||
	    memcmp(again, p, n))
		ret = grid_why_set(why, -EBADMSG,
			"%s: a field is written in a form grid never writes (an explicit unlimited limit?)",
			x.type);
	else
		ret = 0;
out:
	free(again);
	free(d);
	return ret;
}

/* ---- signed records ----------------------------------------------------- */

static int open_bytes(struct grid_signed *s, bool verify, struct grid_why *why);

int grid_record_sign(struct grid_signed *s, const struct grid_record *r,
		     const struct grid_key *key, struct grid_why *why)
{
	uint8_t payload[GRID_PAYLOAD_MAX];
	size_t plen;
	int ret;

	if (memcmp(r->issuer, key->pk, GRID_PK_LEN))
		return grid_why_set(why, -EINVAL,
				    "%s: the issuer is not the signing key",
				    grid_record_type_name(r->type) ?: "record");
	ret = grid_record_encode(r, payload, sizeof(payload), &plen, why);
	if (ret)
		return ret;
	ret = cose_sign1_make(s->bytes, sizeof(s->bytes), &s->len, payload,
			      plen, key);
	if (ret)
		return grid_why_set(why, ret, "%s: the signed record is too long",
				    grid_record_type_name(r->type));
	grid_record_id(s->id, s->bytes, s->len);
	/*
	 * The record is the one just encoded. With extensions it is decoded
	 * again from its own bytes, so that ext[] points into s; without,
	 * decoding would give back @r (encode wrote every field @r has and
	 * nothing else), at a cost near a tenth of the signature's.
	 */
	if (r->n_ext)
		return open_bytes(s, false, why);
	s->r = *r;
	return 0;
}

/* s->bytes as a record, its signature checked if @verify. */
static int open_bytes(struct grid_signed *s, bool verify, struct grid_why *why)
{
	struct cose_sign1 c;
	size_t len = s->len;
	int ret;

	ret = cose_sign1_parse(&c, s->bytes, len);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return grid_why_set(why, -EBADMSG,
				    "record: not a COSE_Sign1 with an Ed25519 signature");
	ret = grid_record_decode(&s->r, c.payload, c.payload_len, why);
	if (ret)
		return ret;
	if (verify && cose_sign1_verify(&c, s->r.issuer))
		return grid_why_set(why, -EBADMSG,
				    "%s: the signature does not verify",
				    grid_record_type_name(s->r.type));
	grid_record_id(s->id, s->bytes, len);
	return 0;
}

int grid_record_open_kept(struct grid_signed *s, const uint8_t *buf,
			  size_t len, struct grid_why *why)
{
	if (len > sizeof(s->bytes))
		return grid_why_set(why, -EMSGSIZE,
				    "record: %zu bytes, more than %d", len,
				    GRID_RECORD_MAX);
	if (buf != s->bytes)
		memcpy(s->bytes, buf, len);
	s->len = len;
	return open_bytes(s, false, why);
}

int grid_record_open(struct grid_signed *s, const uint8_t *buf, size_t len,
		     struct grid_why *why)
{
	if (len > sizeof(s->bytes))
		return grid_why_set(why, -EMSGSIZE,
				    "record: %zu bytes, more than %d", len,
				    GRID_RECORD_MAX);
	if (buf != s->bytes)
		memcpy(s->bytes, buf, len);
	s->len = len;
	return open_bytes(s, true, why);
}

int grid_record_valid_at(const struct grid_record *r, uint64_t now,
			 struct grid_why *why)
{
	const char *t = grid_record_type_name(r->type) ?: "record";
	char d[GRID_FMT_LEN];

	if ((r->has & H(NOT_AFTER)) && now >= r->not_after) {
		grid_format_duration(d, sizeof(d),
				     (now - r->not_after) * GRID_NSEC_PER_SEC);
		return grid_why_set(why, -EKEYEXPIRED, "%s expired %s ago", t,
				    now == r->not_after ? "0s" : d);
	}
	if ((r->has & H(NOT_BEFORE)) && now < r->not_before) {
		grid_format_duration(d, sizeof(d),
				     (r->not_before - now) * GRID_NSEC_PER_SEC);
		return grid_why_set(why, -EAGAIN,
				    "%s is not valid for another %s", t, d);
	}
	return 0;
}
