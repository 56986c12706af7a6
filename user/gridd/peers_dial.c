// SPDX-License-Identifier: GPL-2.0
/*
 * Who gridd dials, and when (user/peer/PROTOCOL.md): the peers of
 * gridd.conf and of gridctl peer add, always (a session with each is
 * kept up, again and again with backoff and jitter after failures); a
 * known grid with a learnt address when something must be said to it
 * (gridd_peer_want()), until it has been said.
 *
 * A peer is its identity key, not an address: an address is learnt only
 * from an authenticated session (gridd_peer_remember()) or heard from a
 * beacon on this link, and a grid that moves simply dials again from
 * where it is now. The sessions the dials make are peers.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "gridd.h"
#include "log.h"
#include "peers.h"

#define BACKOFF_MIN	1000	/* ms */
#define BACKOFF_RESET	30000	/* a session this long resets the backoff */
#define WANT_IDLE	60000	/* an on-demand dial is given up after this */

/* ---- addresses learnt --------------------------------------------------- */

/* Learnt from an authenticated session: where the peer is now. */
void gridd_peer_remember(struct gridd *g, struct peer_conn *c)
{
	char addr[PEER_ADDR_STR] = "";
	struct peer_addr a = c->addr;
	uint64_t now = gridd_now(g);
	int ret;

	/*
	 * Dialed, it answered where it was dialed: that address, whatever
	 * port its hello names (a forwarded port, say). Accepted, the source
	 * port is the peer's own passing one: the port its hello says it
	 * listens on, or no address at all.
	 */
	if (c->s.role == NOISE_INITIATOR) {
		peer_addr_str(&a, addr);
	} else if (c->s.peer_port) {
		peer_addr_set_port(&a, c->s.peer_port);
		peer_addr_str(&a, addr);
	}
	gridd_answers_commit(g);
	ret = store_begin(&g->st);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT INTO peers (pk, addr, first_seen, last_seen)"
			" VALUES (?1, ?2, ?3, ?3) ON CONFLICT (pk) DO UPDATE SET"
			" addr = coalesce(?2, addr), last_seen = ?3", *addr ? "kti" : "kni",
			c->s.identity, *addr ? addr : NULL, (int64_t)now));
	/* A founder known from a charter only, by its name now. */
	if (!ret && c->peer_name[0])
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE peers SET name = ? WHERE pk = ?", "tk",
			c->peer_name, c->s.identity));
	if (!ret && c->peer_name[0])
		ret = store_exec(&g->st, store_prep(&g->st,
			"UPDATE members SET name = ? WHERE pk = ? AND name = 'founder'",
			"tk", c->peer_name, c->s.identity));
	if (!ret)
		ret = store_commit(&g->st);
	else
		store_rollback(&g->st);
	if (ret)
		gridd_peer_log(LOG_WARNING, c, "its address cannot be kept: %s",
			 strerror(-ret));
}

/* ---- backoff ------------------------------------------------------------ */

static void dial_failed(struct gridd *g, struct peer_dial *d, uint64_t now,
			const char *why)
{
	uint64_t jitter;

	snprintf(d->last_error, sizeof(d->last_error), "%s", why);
	if (!d->backoff)
		d->backoff = BACKOFF_MIN;
	/* ±25 %, so that grids cut off together do not come back together. */
	jitter = d->backoff / 2 ? randombytes_uniform(d->backoff / 2) : 0;
	d->next_try = now + d->backoff - d->backoff / 4 + jitter;
	d->backoff *= 2;
	if (d->backoff > g->peers->backoff_max)
		d->backoff = g->peers->backoff_max;
}

/* @c is closing: if it was its dial target's session, when to dial again. */
void gridd_peer_dial_closed(struct gridd *g, struct peer_conn *c, uint64_t now)
{
	struct peer_dial *d = c->dial;

	if (!d || d->conn != c)
		return;
	d->conn = NULL;
	if (c->s.opened && now - c->s.opened >= BACKOFF_RESET)
		d->backoff = 0;
	dial_failed(g, d, now, c->s.why.msg[0] ? c->s.why.msg : "closed");
}

/* ---- the dial list ------------------------------------------------------ */

static int dial(struct gridd *g, struct peer_dial *d, uint64_t now)
{
	struct peer_conn *c;
	int fd, ret;

	fd = socket(d->addr.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		dial_failed(g, d, now, strerror(errno));
		return -errno;
	}
	ret = connect(fd, (struct sockaddr *)&d->addr.ss, d->addr.len);
	if (ret && errno != EINPROGRESS) {
		ret = -errno;
		close(fd);
		dial_failed(g, d, now, strerror(-ret));
		return ret;
	}
	d->rekey = false;
	c = gridd_peer_conn_new(g, fd, &d->addr, NOISE_INITIATOR, d);
	if (!c) {
		close(fd);
		dial_failed(g, d, now, "too many connections");
		return -EMFILE;
	}
	c->connecting = ret != 0;
	if (!c->connecting)
		gridd_peer_flush(c);
	log_debug("peer %s: dialing", c->addr_str);
	return 0;
}

/* A dial target for @a (and @pk if known): found, or made. */
struct peer_dial *gridd_peer_dial_add(struct gridd *g, const struct peer_addr *a,
				      const uint8_t *pk, enum peer_source src)
{
	struct gridd_peers *p = g->peers;
	struct peer_dial *d, *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < PEER_DIALS_MAX; i++) {
		d = &p->dials[i];
		if (!d->used) {
			if (!free_slot)
				free_slot = d;
			continue;
		}
		if (peer_addr_eq(&d->addr, a)) {
			/*
			 * A key given now is expected from now on; but not
			 * one a want brings to an address the owner gave
			 * with no key: whoever answers there may change.
			 */
			if (pk && src == PEER_SRC_WANT && d->source != PEER_SRC_WANT)
				pk = NULL;
			/* Nor the other way: the owner's address, the owner's key. */
			if (src != PEER_SRC_WANT && d->source == PEER_SRC_WANT)
				d->has_pk = d->known_pk = false;
			if (src < d->source)
				d->source = src;
			if (pk) {
				memcpy(d->pk, pk, GRID_PK_LEN);
				d->has_pk = d->known_pk = true;
			}
			return d;
		}
	}
	if (!free_slot)
		return NULL;
	d = free_slot;
	memset(d, 0, sizeof(*d));
	d->used = true;
	d->addr = *a;
	d->source = src;
	if (pk) {
		memcpy(d->pk, pk, GRID_PK_LEN);
		d->has_pk = d->known_pk = true;
	}
	return d;
}

void gridd_peer_dial_del(struct gridd *g, struct peer_dial *d)
{
	unsigned int i;

	for (i = 0; i < PEER_CONNS_MAX; i++) {
		struct peer_conn *c = g->peers->conns[i];

		if (c && c->dial == d)
			c->dial = NULL;
	}
	memset(d, 0, sizeof(*d));
}

/* gridd.conf's peers, and those gridctl peer add keeps in the store. */
void gridd_peer_dials_load(struct gridd *g)
{
	struct gridd_static_peer *sp;
	struct peer_addr a;
	sqlite3_stmt *st;
	uint8_t pk[GRID_PK_LEN];
	unsigned int i;

	for (i = 0; i < g->cfg.n_peers; i++) {
		sp = &g->cfg.peers[i];
		gridd_peer_dial_add(g, &sp->addr, sp->has_pk ? sp->pk : NULL,
				    PEER_SRC_CONFIG);
	}
	st = store_prep(&g->st, "SELECT addr, pk FROM dials", "");
	while (st && store_step(&g->st, st) == 1) {
		bool has = !store_col_key(st, 1, pk);

		if (peer_addr_parse(&a, (const char *)sqlite3_column_text(st, 0),
				    PEER_PORT))
			continue;
		gridd_peer_dial_add(g, &a, has ? pk : NULL, PEER_SRC_GRIDCTL);
	}
	store_done(&g->st, st);
}

/* Whether @d needs a connection now: kept, or wanted, and none is there. */
static bool dial_due(struct gridd *g, struct peer_dial *d, uint64_t now)
{
	if (!d->used || d->conn || now < d->next_try)
		return false;
	/*
	 * A lapsed want is not rekeyed: its session runs out at the reject
	 * time (180 s), rather than being kept up for ever by its rekeys.
	 */
	if (d->source == PEER_SRC_WANT && now >= d->want_until)
		return false;
	if (d->rekey)
		return true;
	/* A session with that grid, whoever dialed it, will do. */
	return !(d->known_pk && gridd_peer_session(g, d->pk));
}

/* Dials what is due, drops lapsed wants, and wakes the loop for the next. */
void gridd_peer_dials_run(struct gridd *g, uint64_t now)
{
	struct gridd_peers *p = g->peers;
	unsigned int i;

	for (i = 0; i < PEER_DIALS_MAX; i++) {
		struct peer_dial *d = &p->dials[i];

		if (dial_due(g, d, now))
			dial(g, d, now);
		if (d->used && !d->conn && d->next_try > now &&
		    d->next_try < p->next_tick)
			p->next_tick = d->next_try;
		if (d->used && d->source == PEER_SRC_WANT && !d->conn &&
		    now >= d->want_until)
			gridd_peer_dial_del(g, d);
	}
}

/* ---- on-demand dials ---------------------------------------------------- */

/*
 * Something must be said to @pk: a session with it, now or soon. The
 * address is the one its last session taught; without one, nothing can
 * be done until it dials this grid. 0, or -EHOSTUNREACH.
 */
int gridd_peer_want(struct gridd *g, const uint8_t pk[GRID_PK_LEN])
{
	struct peer_addr a;
	struct peer_dial *d;
	sqlite3_stmt *st;
	unsigned int i;
	int ret;

	if (!g->peers)
		return -EHOSTUNREACH;
	if (gridd_peer_session(g, pk))
		return 0;
	for (i = 0; i < PEER_DIALS_MAX; i++) {
		d = &g->peers->dials[i];
		if (d->used && d->known_pk && !sodium_memcmp(d->pk, pk, GRID_PK_LEN)) {
			if (d->source != PEER_SRC_WANT)
				return 0;
			d->want_until = gridd_mono_ms() + WANT_IDLE;
			/* Where it is now, a beacon says: not where it was. */
			if (!d->conn && !gridd_beacon_heard(g, pk, &a) &&
			    !peer_addr_eq(&a, &d->addr)) {
				d->addr = a;
				d->backoff = 0;
				d->next_try = 0;
			}
			if (!d->conn && d->next_try > gridd_mono_ms() + 1000)
				d->next_try = 0;
			return 0;
		}
	}
	st = store_prep(&g->st, "SELECT addr FROM peers WHERE pk = ? AND addr IS NOT NULL",
			"k", pk);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1)
		ret = peer_addr_parse(&a, (const char *)sqlite3_column_text(st, 0),
				      PEER_PORT) ? -EHOSTUNREACH : 0;
	else
		ret = -EHOSTUNREACH;	/* no address learnt */
	store_done(&g->st, st);
	/* On this link now, a beacon says: closer than where it was. */
	if (!gridd_beacon_heard(g, pk, &a))
		ret = 0;
	if (ret)
		return -EHOSTUNREACH;
	d = gridd_peer_dial_add(g, &a, pk, PEER_SRC_WANT);
	if (!d)
		return -EHOSTUNREACH;
	d->want_until = gridd_mono_ms() + WANT_IDLE;
	return 0;
}
