// SPDX-License-Identifier: GPL-2.0
/*
 * The local API's side of peers: gridctl peer add, del and list. A peer
 * added is kept in the store's dials and dialed from then on; the dial
 * targets themselves are peers_dial.c's, the sessions peers.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "gridd.h"
#include "peers.h"

static int peer_add_after(struct gridd *g, struct request *rq)
{
	struct peer_addr a;
	struct peer_dial *d;
	bool has_pk = !!rq->after_id;

	if (!g->peers || peer_addr_parse(&a, rq->after_addr, PEER_PORT))
		return 0;
	d = gridd_peer_dial_add(g, &a, has_pk ? rq->after_key : NULL,
				PEER_SRC_GRIDCTL);
	if (!d)
		return gridd_fail(rq, -ENOSPC, "kept, but gridd dials %d peers at most; it is dialed after a restart if one goes",
				  PEER_DIALS_MAX);
	d->next_try = 0;
	d->backoff = 0;
	return 0;
}

int op_peer_add(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	char s[PEER_ADDR_STR];
	struct peer_addr addr;
	unsigned int i;
	int ret;

	if (!grid_api_has(a, GRID_A_ADDR) ||
	    peer_addr_parse(&addr, a->t[GRID_A_ADDR], PEER_PORT))
		return gridd_fail(rq, -EINVAL,
				  "a peer's address is [IPv6]:PORT or IPv4:PORT, numeric");
	if (peer_addr_any(&addr))
		return gridd_fail(rq, -EINVAL, "%s is no address to dial",
				  a->t[GRID_A_ADDR]);
	if (grid_api_has(a, GRID_A_KEY) && !grid_pk_ok(a->b[GRID_A_KEY]))
		return gridd_fail(rq, -EINVAL, "the key is not a valid Ed25519 public key");
	if (grid_api_has(a, GRID_A_KEY) &&
	    !sodium_memcmp(a->b[GRID_A_KEY], g->key.pk, GRID_PK_LEN))
		return gridd_fail(rq, -EINVAL, "that key is this grid's own");
	peer_addr_str(&addr, s);
	for (i = 0; i < g->cfg.n_peers; i++) {
		if (peer_addr_eq(&g->cfg.peers[i].addr, &addr))
			return gridd_fail(rq, -EEXIST,
					  "%s is a peer of gridd.conf already: change its line there", s);
	}
	ret = store_exec(&g->st, store_prep(&g->st,
		grid_api_has(a, GRID_A_KEY) ?
		"INSERT INTO dials (addr, pk, added) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (addr) DO UPDATE SET pk = ?2" :
		"INSERT INTO dials (addr, pk, added) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (addr) DO NOTHING",
		grid_api_has(a, GRID_A_KEY) ? "tki" : "tni", s,
		grid_api_has(a, GRID_A_KEY) ? a->b[GRID_A_KEY] : NULL,
		(int64_t)gridd_now(g)));
	if (ret)
		return ret;
	snprintf(rq->after_addr, sizeof(rq->after_addr), "%s", s);
	rq->after_id = grid_api_has(a, GRID_A_KEY);
	if (rq->after_id)
		memcpy(rq->after_key, a->b[GRID_A_KEY], GRID_PK_LEN);
	rq->after = peer_add_after;
	{
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_ADDR, s);
		ret = grid_api_add_item(rq->out, &m);
	}
	return ret;
}

static int peer_del_after(struct gridd *g, struct request *rq)
{
	struct peer_addr a;
	unsigned int i;

	if (!g->peers || peer_addr_parse(&a, rq->after_addr, PEER_PORT))
		return 0;
	for (i = 0; i < PEER_DIALS_MAX; i++) {
		struct peer_dial *d = &g->peers->dials[i];

		if (d->used && d->source == PEER_SRC_GRIDCTL &&
		    peer_addr_eq(&d->addr, &a)) {
			if (d->conn) {
				peer_session_bye(&d->conn->s, "no longer a peer of this grid",
						 gridd_mono_ms());
			}
			gridd_peer_dial_del(g, d);
		}
	}
	return 0;
}

int op_peer_del(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	char s[PEER_ADDR_STR];
	struct peer_addr addr;
	int64_t n = 0;
	unsigned int i;

	if (!grid_api_has(a, GRID_A_ADDR) ||
	    peer_addr_parse(&addr, a->t[GRID_A_ADDR], PEER_PORT))
		return gridd_fail(rq, -EINVAL,
				  "a peer's address is [IPv6]:PORT or IPv4:PORT, numeric");
	peer_addr_str(&addr, s);
	for (i = 0; i < g->cfg.n_peers; i++) {
		if (peer_addr_eq(&g->cfg.peers[i].addr, &addr))
			return gridd_fail(rq, -EPERM,
					  "%s is a peer of gridd.conf: remove its line there", s);
	}
	store_int(&g->st, &n, "SELECT count(*) FROM dials WHERE addr = ?", "t", s);
	if (!n)
		return gridd_fail(rq, -ENOENT, "no peer %s was added", s);
	snprintf(rq->after_addr, sizeof(rq->after_addr), "%s", s);
	rq->after = peer_del_after;
	return store_exec(&g->st, store_prep(&g->st,
		"DELETE FROM dials WHERE addr = ?", "t", s));
}

static const char *source_name(enum peer_source s)
{
	return s == PEER_SRC_CONFIG ? "config" : s == PEER_SRC_GRIDCTL ?
	       "added" : "wanted";
}

int op_peer_list(struct gridd *g, struct request *rq)
{
	struct gridd_peers *p = g->peers;
	uint64_t now = gridd_mono_ms(), wall = gridd_now(g);
	struct grid_api_map m;
	sqlite3_stmt *st;
	unsigned int i;
	int ret = 0;

	/* First, so that a long list never cuts it off. */
	if (p) {
		/* What every session since the start has carried, the open ones too. */
		uint64_t sent = p->total.sent, received = p->total.received;
		uint64_t records = p->total.records_sent;

		for (i = 0; i < PEER_CONNS_MAX; i++) {
			if (p->conns[i]) {
				sent += p->conns[i]->s.sent;
				received += p->conns[i]->s.received;
				records += p->conns[i]->gossip.sent_records;
			}
		}
		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_TYPE, "totals");
		grid_api_set_u(&m, GRID_A_COUNT, p->total.sessions);
		grid_api_set_u(&m, GRID_A_SENT, sent);
		grid_api_set_u(&m, GRID_A_RECEIVED, received);
		grid_api_set_u(&m, GRID_A_BYTES_SENT, p->total.bytes_sent);
		grid_api_set_u(&m, GRID_A_BYTES_RECEIVED, p->total.bytes_received);
		grid_api_set_u(&m, GRID_A_SERIAL, records);
		ret = grid_api_add_item(rq->out, &m);
	}
	for (i = 0; p && i < PEER_CONNS_MAX && !ret; i++) {
		struct peer_conn *c = p->conns[i];

		if (!c)
			continue;
		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_TYPE, "session");
		grid_api_set_t(&m, GRID_A_ADDR, c->addr_str);
		grid_api_set_t(&m, GRID_A_STATE, c->connecting ? "connecting" :
			       c->s.state == PEER_OPEN ? "open" :
			       c->s.state == PEER_HANDSHAKE ? "handshake" : "closing");
		grid_api_set_t(&m, GRID_A_ROLE, c->s.role == NOISE_INITIATOR ?
			       "dialed" : "accepted");
		if (c->s.authenticated) {
			grid_api_set_b(&m, GRID_A_KEY, c->s.identity, GRID_PK_LEN);
			grid_api_set_t(&m, GRID_A_NAME, c->label);
		}
		grid_api_set_u(&m, GRID_A_SINCE, wall - (now - c->since) / 1000);
		grid_api_set_u(&m, GRID_A_SENT, c->s.sent);
		grid_api_set_u(&m, GRID_A_RECEIVED, c->s.received);
		grid_api_set_u(&m, GRID_A_COUNT, c->gossip.sent_records);
		ret = grid_api_add_item(rq->out, &m);
	}
	for (i = 0; p && i < PEER_DIALS_MAX && !ret; i++) {
		struct peer_dial *d = &p->dials[i];
		char s[PEER_ADDR_STR];

		if (!d->used)
			continue;
		peer_addr_str(&d->addr, s);
		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_TYPE, "dial");
		grid_api_set_t(&m, GRID_A_ADDR, s);
		grid_api_set_t(&m, GRID_A_ROLE, source_name(d->source));
		if (d->known_pk)
			grid_api_set_b(&m, GRID_A_KEY, d->pk, GRID_PK_LEN);
		grid_api_set_t(&m, GRID_A_STATE, d->conn ? "connected" :
			       d->known_pk && gridd_peer_session(g, d->pk) ? "connected" :
			       d->last_error[0] ? d->last_error : "waiting");
		if (!d->conn && d->next_try > now)
			grid_api_set_u(&m, GRID_A_SECONDS, (d->next_try - now + 999) / 1000);
		ret = grid_api_add_item(rq->out, &m);
	}
	st = store_prep(&g->st, "SELECT pk, addr, last_seen FROM peers ORDER BY last_seen DESC",
			"");
	while (!ret && st && store_step(&g->st, st) == 1) {
		uint8_t pk[GRID_PK_LEN];
		char label[GRID_NAME_LEN + 24];

		if (store_col_key(st, 0, pk))
			continue;
		gridd_peer_label(g, pk, label);
		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_TYPE, "known");
		grid_api_set_b(&m, GRID_A_KEY, pk, GRID_PK_LEN);
		grid_api_set_t(&m, GRID_A_NAME, label);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			grid_api_set_t(&m, GRID_A_ADDR, (const char *)sqlite3_column_text(st, 1));
		grid_api_set_u(&m, GRID_A_ISSUED, sqlite3_column_int64(st, 2));
		ret = grid_api_add_item(rq->out, &m);
	}
	store_done(&g->st, st);
	/* A list longer than an answer holds is cut short, and says so. */
	if (ret == -ENOSPC) {
		rq->out->more = true;
		ret = 0;
	}
	return ret;
}
