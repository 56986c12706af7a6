// SPDX-License-Identifier: GPL-2.0
/*
 * Peer sessions (user/peer/PROTOCOL.md): the TCP sockets, listening and
 * accepting, one session per peer, make-before-break rekeys, the
 * timers, and what a session's hello says about this grid. Who is
 * dialed and when is peers_dial.c's; gridctl peer is peers_api.c's.
 *
 * Anyone may connect: a session authenticates a grid, and what a grid
 * may do over it is for gossip.c and negotiate.c to decide.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "gridd.h"
#include "log.h"
#include "jobs.h"
#include "peers.h"
#include "token.h"
#include "units.h"

#define BACKOFF_MAX	60000	/* ms; the default of peers_dial.c's backoff */
#define SIMULTANEOUS	5000	/* two sessions opened this close: both dialed */
#define HANDSHAKING_MAX	64	/* connections not yet authenticated */
#define STRANGER_GRACE	10000	/* a session sharing no grid-grid is closed */
#define HANDSHAKING_PER_HOST 8	/* connections not yet authenticated, one address */

uint64_t gridd_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "pi" if a member's name is known, else the key's first 16 hex digits. */
void gridd_peer_label(struct gridd *g, const uint8_t pk[GRID_PK_LEN],
		      char out[GRID_NAME_LEN + 24])
{
	char hex[2 * GRID_PK_LEN + 1];
	sqlite3_stmt *st;

	sodium_bin2hex(hex, sizeof(hex), pk, GRID_PK_LEN);
	st = store_prep(&g->st, "SELECT name FROM members WHERE pk = ?1"
			" AND name != 'founder' UNION ALL SELECT name FROM peers"
			" WHERE pk = ?1 AND name IS NOT NULL LIMIT 1", "k", pk);
	if (st && store_step(&g->st, st) == 1)
		snprintf(out, GRID_NAME_LEN + 24, "%s (%.16s)",
			 sqlite3_column_text(st, 0), hex);
	else
		snprintf(out, GRID_NAME_LEN + 24, "%.16s", hex);
	store_done(&g->st, st);
}

void gridd_peer_log(int prio, const struct peer_conn *c, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->s.authenticated)
		log_msg(prio, "peer %s %s: %s", c->addr_str, c->label, msg);
	else
		log_msg(prio, "peer %s: %s", c->addr_str, msg);
}

/* ---- the hello ----------------------------------------------------------- */

/*
 * Our proofs of membership for the grid-grids @peer is known to be in:
 * what it needs to know that this grid may speak in them. Nothing for a
 * grid this one knows in no grid-grid, and nothing for a peer not yet
 * authenticated (the responder's hello): a stranger learns no
 * memberships.
 */
static int hello_proofs(struct gridd *g, const uint8_t *peer,
			struct peer_hello *h, uint8_t *buf, size_t cap)
{
	static uint8_t one[GRID_BUNDLE_BYTES_MAX];
	uint8_t gg[16][GRID_PK_LEN];
	sqlite3_stmt *st;
	size_t used = 0, n;
	int k = 0, i;

	if (!peer)
		return 0;
	st = store_prep(&g->st, "SELECT gg.pk FROM gridgrids gg"
			" JOIN members m ON m.gridgrid = gg.pk"
			" WHERE m.pk = ? AND m.ended IS NULL AND gg.left_at IS NULL",
			"k", peer);
	while (st && k < 16 && store_step(&g->st, st) == 1) {
		if (!store_col_key(st, 0, gg[k]))
			k++;
	}
	store_done(&g->st, st);
	for (i = 0; i < k && h->n_proofs < PEER_PROOFS_MAX; i++) {
		/* What does not fit follows in a proofs message. */
		if (gridd_gg_proof(g, gg[i], one, sizeof(one), &n) ||
		    n > cap - used)
			continue;
		memcpy(buf + used, one, n);
		h->proof[h->n_proofs] = buf + used;
		h->proof_len[h->n_proofs++] = n;
		used += n;
	}
	return 0;
}

static int on_hello(void *ctx, const uint8_t *peer, struct cb_buf *b)
{
	/* A hello is at most a Noise message, 64 KiB, with its other keys. */
	static uint8_t proofs[48 * 1024];
	struct peer_conn *c = ctx;
	struct gridd *g = c->g;
	struct peer_hello h = { .version = PEER_VERSION };
	int ret;

	static uint8_t grid[GRID_RECORD_MAX];
	sqlite3_stmt *st;

	memcpy(h.identity, g->key.pk, GRID_PK_LEN);
	memcpy(h.binding, g->peers->binding, GRID_SIG_LEN);
	h.port = g->peers->port;
	/* Our grid record: our name, signed, for the peer's logs and lookups. */
	st = store_prep(&g->st, "SELECT r.bytes FROM self s JOIN records r"
			" ON r.id = s.record", "");
	if (st && store_step(&g->st, st) == 1 &&
	    (size_t)sqlite3_column_bytes(st, 0) <= sizeof(grid)) {
		h.grid_len = sqlite3_column_bytes(st, 0);
		memcpy(grid, sqlite3_column_blob(st, 0), h.grid_len);
		h.grid = grid;
	}
	store_done(&g->st, st);
	ret = hello_proofs(g, peer, &h, proofs, sizeof(proofs));
	if (!ret)
		peer_hello_write(b, &h);
	return ret;
}

/* ---- sessions ------------------------------------------------------------ */

static struct peer_conn *open_with(struct gridd *g, const uint8_t pk[GRID_PK_LEN],
				   const struct peer_conn *but)
{
	struct gridd_peers *p = g->peers;
	unsigned int i;

	for (i = 0; i < PEER_CONNS_MAX; i++) {
		struct peer_conn *c = p->conns[i];

		if (c && c != but && c->s.state == PEER_OPEN &&
		    !sodium_memcmp(c->s.identity, pk, GRID_PK_LEN))
			return c;
	}
	return NULL;
}

struct peer_conn *gridd_peer_session(struct gridd *g,
				     const uint8_t pk[GRID_PK_LEN])
{
	return g->peers ? open_with(g, pk, NULL) : NULL;
}

/* Whether @pk is a member of a grid-grid this grid is in. */
bool gridd_fellow(struct gridd *g, const uint8_t pk[GRID_PK_LEN])
{
	int64_t n = 0;

	store_int(&g->st, &n, "SELECT count(*) FROM members m JOIN gridgrids gg"
		  " ON gg.pk = m.gridgrid WHERE m.pk = ? AND m.ended IS NULL"
		  " AND gg.left_at IS NULL", "k", pk);
	return n > 0;
}

static int on_authenticated(void *ctx, const struct peer_hello *h,
			    struct grid_why *why)
{
	struct peer_conn *c = ctx;
	struct gridd *g = c->g;
	char k[2 * GRID_PK_LEN + 1], e[2 * GRID_PK_LEN + 1];

	if (!sodium_memcmp(h->identity, g->key.pk, GRID_PK_LEN))
		return grid_why_set(why, -ELOOP, "is this grid itself");
	if (c->dial && c->dial->has_pk &&
	    sodium_memcmp(h->identity, c->dial->pk, GRID_PK_LEN)) {
		sodium_bin2hex(k, sizeof(k), h->identity, GRID_PK_LEN);
		sodium_bin2hex(e, sizeof(e), c->dial->pk, GRID_PK_LEN);
		return grid_why_set(why, -EKEYREJECTED,
				    "is %.16s..., not the expected %.16s...", k, e);
	}
	if (h->grid) {
		/* Its name, if the record is its own grid record. */
		struct grid_signed *r = malloc(sizeof(*r));
		struct grid_why w;

		if (r && !grid_record_open(r, h->grid, h->grid_len, &w) &&
		    r->r.type == GRID_REC_GRID &&
		    !sodium_memcmp(r->r.issuer, h->identity, GRID_PK_LEN))
			snprintf(c->peer_name, sizeof(c->peer_name), "%s", r->r.name);
		free(r);
	}
	gridd_peer_label(g, h->identity, c->label);
	return gridd_gossip_hello(g, c, h, why);
}

static int on_message(void *ctx, const struct peer_msg *m,
		      struct grid_why *why)
{
	struct peer_conn *c = ctx;
	uint8_t buf[PEER_PING_MAX + 16];
	const uint8_t *data;
	struct cb_buf b;
	size_t n;

	switch (m->type) {
	case PEER_MSG_PING:
		data = peer_msg_bytes(m, PK_PING_DATA, &n);
		cb_init(&b, buf, sizeof(buf));
		cb_map(&b, 2);
		cb_uint(&b, PK_TYPE);
		cb_uint(&b, PEER_MSG_PONG);
		cb_uint(&b, PK_PING_DATA);
		cb_bytes(&b, data, n);
		return gridd_peer_send(c->g, c, buf, cb_end(&b));
	case PEER_MSG_PONG:
		return 0;
	case PEER_MSG_PROOFS:
	case PEER_MSG_HAVE:
	case PEER_MSG_IDS:
	case PEER_MSG_WANT:
	case PEER_MSG_RECORDS:
		return gridd_gossip_message(c->g, c, m, why);
	case PEER_MSG_LEASE_REQUEST:
	case PEER_MSG_LEASE_GRANT:
	case PEER_MSG_LEASE_REFUSED:
	case PEER_MSG_LEASE_RENEW:
		return gridd_negotiate_message(c->g, c, m, why);
	case PEER_MSG_JOB_SUBMIT:
	case PEER_MSG_JOB_STARTED:
	case PEER_MSG_JOB_REFUSED:
	case PEER_MSG_JOB_INPUT:
	case PEER_MSG_JOB_OUTPUT:
	case PEER_MSG_JOB_ACK:
	case PEER_MSG_JOB_SIGNAL:
	case PEER_MSG_JOB_END:
	case PEER_MSG_JOB_PAUSED:
		return gridd_jobs_message(c->g, c, m, why);
	}
	return grid_why_set(why, -EBADMSG, "sent a %s message, which is not for a peer to send",
			    peer_msg_type_name(m->type));
}

static const struct peer_session_ops session_ops = {
	.hello = on_hello,
	.authenticated = on_authenticated,
	.message = on_message,
};

struct peer_conn *gridd_peer_conn_new(struct gridd *g, int fd,
				      const struct peer_addr *a,
				      enum noise_role role, struct peer_dial *d)
{
	struct gridd_peers *p = g->peers;
	struct peer_conn *c;
	unsigned int i;
	int one = 1;

	for (i = 0; i < PEER_CONNS_MAX && p->conns[i]; i++)
		;
	if (i == PEER_CONNS_MAX)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	c->g = g;
	c->addr = *a;
	c->dial = d;
	c->since = gridd_mono_ms();
	peer_addr_str(a, c->addr_str);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (peer_session_init(&c->s, role, &p->noise, NULL, &p->t,
			      &session_ops, c, c->since)) {
		free(c);
		return NULL;
	}
	p->conns[i] = c;
	if (d)
		d->conn = c;
	return c;
}

static void conn_free(struct gridd *g, struct peer_conn *c)
{
	struct gridd_peers *p = g->peers;
	uint64_t now = gridd_mono_ms();
	unsigned int i;

	for (i = 0; i < PEER_CONNS_MAX; i++) {
		if (p->conns[i] == c)
			p->conns[i] = NULL;
	}
	gridd_gossip_closed(g, c);
	p->total.sent += c->s.sent;
	p->total.received += c->s.received;
	p->total.records_sent += c->gossip.sent_records;
	gridd_peer_dial_closed(g, c, now);
	if (c->fd >= 0)
		close(c->fd);
	peer_session_free(&c->s);
	free(c);
}

/* Writes what the session has queued, as much as the socket takes. */
void gridd_peer_flush(struct peer_conn *c)
{
	const uint8_t *out;
	size_t len;
	ssize_t n;

	while (!c->connecting && c->fd >= 0) {
		out = peer_session_output(&c->s, &len);
		if (!len)
			return;
		n = send(c->fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			if (c->s.state != PEER_CLOSED)
				snprintf(c->s.why.msg, sizeof(c->s.why.msg),
					 "cannot send: %s", strerror(errno));
			c->s.state = PEER_CLOSED;
			peer_session_wrote(&c->s, len);
			return;
		}
		peer_session_wrote(&c->s, n);
		c->g->peers->total.bytes_sent += n;
	}
}

int gridd_peer_send(struct gridd *g, struct peer_conn *c, const uint8_t *msg,
		    long len)
{
	int ret;

	if (len < 0)
		return (int)len;
	ret = peer_session_send(&c->s, msg, len, gridd_mono_ms());
	if (!ret)
		gridd_peer_flush(c);
	return ret;
}

/*
 * One session per peer (PROTOCOL.md §6): the newer, unless both sides
 * dialed at once, then the one the lower identity dialed.
 */
static void settle(struct gridd *g, struct peer_conn *c)
{
	struct peer_conn *old = open_with(g, c->s.identity, c);
	const uint8_t *ours, *theirs;
	struct peer_conn *lose = old;

	if (!old)
		return;
	if (old->s.role != c->s.role && c->s.opened < old->s.opened + SIMULTANEOUS) {
		/* The initiator of c and of old: one is us, one is them. */
		ours = c->s.role == NOISE_INITIATOR ? g->key.pk : c->s.identity;
		theirs = old->s.role == NOISE_INITIATOR ? g->key.pk : c->s.identity;
		if (memcmp(ours, theirs, GRID_PK_LEN) > 0)
			lose = c;
	}
	gridd_peer_log(LOG_DEBUG, lose, "replaced by another session");
	peer_session_bye(&lose->s, "replaced by another session", gridd_mono_ms());
	gridd_peer_flush(lose);
	if (lose->dial)
		lose->dial->backoff = 0;
	if (lose == old && old->dial && !c->dial) {
		/* The dial target is served by the session that stays. */
		old->dial->conn = NULL;
	}
}

static void conn_opened(struct gridd *g, struct peer_conn *c)
{
	char h[17];

	sodium_bin2hex(h, sizeof(h), c->s.hash, 8);
	gridd_peer_log(LOG_INFO, c, "session open (%s, h %s)",
		 c->s.role == NOISE_INITIATOR ? "dialed" : "accepted", h);
	if (c->dial) {
		memcpy(c->dial->pk, c->s.identity, GRID_PK_LEN);
		c->dial->known_pk = true;
		c->dial->last_error[0] = '\0';
	}
	g->peers->total.sessions++;
	/* Only grids that matter here are kept: a stranger costs no write. */
	c->vetted = c->dial || gridd_fellow(g, c->s.identity);
	if (c->vetted)
		gridd_peer_remember(g, c);
	gridd_peer_label(g, c->s.identity, c->label);
	settle(g, c);
	if (c->s.state == PEER_OPEN)
		gridd_gossip_opened(g, c);
	if (c->s.state == PEER_OPEN)
		gridd_negotiate_opened(g, c);
	if (c->s.state == PEER_OPEN)
		gridd_jobs_opened(g, c);
}

static void conn_input(struct gridd *g, struct peer_conn *c)
{
	static uint8_t buf[65536];
	bool was_open = c->s.state == PEER_OPEN;
	ssize_t n;
	int rounds;

	for (rounds = 0; rounds < 4 && c->s.state != PEER_CLOSED; rounds++) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			if (c->s.state != PEER_CLOSED)
				snprintf(c->s.why.msg, sizeof(c->s.why.msg), "%s",
					 n ? strerror(errno) :
					 "the connection was closed");
			c->s.state = PEER_CLOSED;
			break;
		}
		g->peers->total.bytes_received += n;
		peer_session_input(&c->s, buf, n, gridd_mono_ms());
		if (!was_open && c->s.state == PEER_OPEN) {
			was_open = true;
			conn_opened(g, c);
		}
		if ((size_t)n < sizeof(buf))
			break;
	}
	sodium_memzero(buf, sizeof(buf));
	gridd_peer_flush(c);
}

/* ---- listening and accepting ------------------------------------------ */

static unsigned int handshaking(struct gridd_peers *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < PEER_CONNS_MAX; i++) {
		if (p->conns[i] && p->conns[i]->s.state == PEER_HANDSHAKE)
			n++;
	}
	return n;
}

/* The same host, whatever the port. */
static bool same_host(const struct peer_addr *a, const struct peer_addr *b)
{
	struct peer_addr x = *a, y = *b;

	peer_addr_set_port(&x, 0);
	peer_addr_set_port(&y, 0);
	return peer_addr_eq(&x, &y);
}

static unsigned int handshaking_from(struct gridd_peers *p, const struct peer_addr *a)
{
	unsigned int i, n = 0;

	for (i = 0; i < PEER_CONNS_MAX; i++) {
		if (p->conns[i] && p->conns[i]->s.state == PEER_HANDSHAKE &&
		    same_host(&p->conns[i]->addr, a))
			n++;
	}
	return n;
}

static void accept_all(struct gridd *g, int lfd)
{
	struct peer_addr a;
	int fd, i;

	struct gridd_peers *p = g->peers;
	uint64_t now = gridd_mono_ms();

	for (i = 0; i < 16; i++) {
		a.len = sizeof(a.ss);
		fd = accept4(lfd, (struct sockaddr *)&a.ss, &a.len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			/*
			 * Out of descriptors, the connection stays queued and
			 * the listener readable: polled, it would wake the
			 * loop at once, again and again. It rests a second.
			 */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				if (now >= p->accept_rest_until)
					log_warn("peers: cannot accept: %s; listening again in 1 s",
						 strerror(errno));
				p->accept_rest_until = now + 1000;
			}
			return;
		}
		if (handshaking(p) >= HANDSHAKING_MAX ||
		    handshaking_from(p, &a) >= HANDSHAKING_PER_HOST ||
		    !gridd_peer_conn_new(g, fd, &a, NOISE_RESPONDER, NULL)) {
			char s[PEER_ADDR_STR];

			/* A flood's log: a line a minute with the count. */
			p->turned_away++;
			if (now >= p->turned_away_logged + 60000) {
				peer_addr_str(&a, s);
				log_warn("peer %s: turned away: too many connections (%" PRIu64 " since gridd started)",
					 s, p->turned_away);
				p->turned_away_logged = now;
			}
			close(fd);
		}
	}
}

static int listen_one(const struct peer_addr *a)
{
	int fd, one = 1, zero = 0;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::] takes IPv4 too, unless the system says otherwise. */
	if (a->ss.ss_family == AF_INET6 && peer_addr_any(a))
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) ||
	    listen(fd, 64)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

static void timers_from_env(struct peer_timers *t, uint64_t *backoff_max)
{
	const char *env = getenv("GRIDD_PEER_TIMERS");
	unsigned long long v[6];

	peer_timers_default(t);
	*backoff_max = BACKOFF_MAX;
	/* Tests: "handshake,keepalive,dead,rekey,reject,backoff_max" in ms. */
	if (env && sscanf(env, "%llu,%llu,%llu,%llu,%llu,%llu", &v[0], &v[1],
			  &v[2], &v[3], &v[4], &v[5]) == 6) {
		t->handshake = v[0];
		t->keepalive = v[1];
		t->dead = v[2];
		t->rekey = v[3];
		t->reject = v[4];
		*backoff_max = v[5];
		log_info("peers: timers from GRIDD_PEER_TIMERS: %s", env);
	}
}

/* When gridd_peers_run() may try gridd_peers_start() again, after a failure. */
static uint64_t start_again;

int gridd_peers_start(struct gridd *g)
{
	struct gridd_peers *p;
	struct peer_addr any;
	unsigned int i;
	char s[PEER_ADDR_STR];
	int fd;

	if (g->peers || !g->has_grid)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (noise_keypair_new(&p->noise)) {
		free(p);
		return -EIO;
	}
	sodium_mlock(&p->noise, sizeof(p->noise));
	peer_binding_sign(p->binding, p->noise.pub, &g->key);
	timers_from_env(&p->t, &p->backoff_max);
	g->peers = p;
	if (!g->cfg.listen_none && !g->cfg.n_listen) {
		peer_addr_parse(&any, "[::]", PEER_PORT);
		g->cfg.listen[g->cfg.n_listen++] = any;
	}
	for (i = 0; !g->cfg.listen_none && i < g->cfg.n_listen; i++) {
		peer_addr_str(&g->cfg.listen[i], s);
		fd = listen_one(&g->cfg.listen[i]);
		if (fd < 0) {
			log_err("peers: cannot listen on %s: %s", s, strerror(-fd));
			continue;
		}
		p->lfd[p->n_lfd++] = fd;
		if (!p->port)
			p->port = peer_addr_port(&g->cfg.listen[i]);
		log_info("peers: listening on %s", s);
	}
	if (g->cfg.listen_none)
		log_info("peers: not listening (listen none): this grid dials only");
	gridd_peer_dials_load(g);
	fd = gridd_beacon_start(g);
	if (fd)
		log_warn("beacon: cannot start: %s; peers on this link are not found by themselves",
			 strerror(-fd));
	return 0;
}

void gridd_peers_stop(struct gridd *g)
{
	struct gridd_peers *p = g->peers;
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < PEER_CONNS_MAX; i++) {
		if (p->conns[i]) {
			peer_session_bye(&p->conns[i]->s, "gridd is stopping",
					 gridd_mono_ms());
			gridd_peer_flush(p->conns[i]);
			conn_free(g, p->conns[i]);
		}
	}
	for (i = 0; i < p->n_lfd; i++)
		close(p->lfd[i]);
	gridd_beacon_stop(g);
	sodium_munlock(&p->noise, sizeof(p->noise));
	free(p);
	g->peers = NULL;
}

/* ---- the loop's side ---------------------------------------------------- */

int gridd_peers_pollfds(struct gridd *g, struct pollfd *pfd, int max)
{
	struct gridd_peers *p = g->peers;
	unsigned int i;
	int n = 0;

	if (!p)
		return 0;
	for (i = 0; i < p->n_lfd && n < max &&
		    gridd_mono_ms() >= p->accept_rest_until; i++)
		pfd[n++] = (struct pollfd){ .fd = p->lfd[i], .events = POLLIN };
	if (p->beacon.fd >= 0 && n < max)
		pfd[n++] = (struct pollfd){ .fd = p->beacon.fd, .events = POLLIN };
	for (i = 0; i < PEER_CONNS_MAX && n < max; i++) {
		struct peer_conn *c = p->conns[i];
		size_t out;

		if (!c)
			continue;
		peer_session_output(&c->s, &out);
		pfd[n++] = (struct pollfd){
			.fd = c->fd,
			.events = c->connecting ? POLLOUT :
				  POLLIN | (out ? POLLOUT : 0) };
	}
	return n;
}

static struct peer_conn *conn_of_fd(struct gridd_peers *p, int fd)
{
	unsigned int i;

	for (i = 0; i < PEER_CONNS_MAX; i++) {
		if (p->conns[i] && p->conns[i]->fd == fd)
			return p->conns[i];
	}
	return NULL;
}

static void connected(struct peer_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	c->connecting = false;
	if (err) {
		snprintf(c->s.why.msg, sizeof(c->s.why.msg), "cannot connect: %s",
			 strerror(err));
		c->s.state = PEER_CLOSED;
		return;
	}
	gridd_peer_flush(c);
}

void gridd_peers_poll(struct gridd *g, const struct pollfd *pfd, int n)
{
	struct gridd_peers *p = g->peers;
	struct peer_conn *c;
	unsigned int j;
	int i;

	if (!p)
		return;
	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		for (j = 0; j < p->n_lfd && p->lfd[j] != pfd[i].fd; j++)
			;
		if (j < p->n_lfd) {
			accept_all(g, pfd[i].fd);
			continue;
		}
		if (pfd[i].fd == p->beacon.fd) {
			gridd_beacon_input(g);
			continue;
		}
		c = conn_of_fd(p, pfd[i].fd);
		if (!c)
			continue;
		if (c->connecting) {
			connected(c);
			continue;
		}
		if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			conn_input(g, c);
		else if (pfd[i].revents & POLLOUT)
			gridd_peer_flush(c);
	}
}

void gridd_peers_run(struct gridd *g)
{
	struct gridd_peers *p = g->peers;
	uint64_t now = gridd_mono_ms(), next;
	unsigned int i;

	if (!p) {
		if (g->has_grid && now >= start_again && gridd_peers_start(g)) {
			/* Tried again in 5 s, not at once: no busy loop. */
			log_err("peers: cannot start; trying again in 5 s");
			start_again = now + 5000;
		}
		return;
	}
	p->next_tick = now + 5000;
	gridd_beacon_run(g, now, &p->next_tick);
	for (i = 0; i < PEER_CONNS_MAX; i++) {
		struct peer_conn *c = p->conns[i];

		if (!c)
			continue;
		if (c->s.state != PEER_CLOSED && !c->connecting &&
		    peer_session_tick(&c->s, now, &next) == 0) {
			gridd_peer_flush(c);
			if (next < p->next_tick)
				p->next_tick = next;
			/*
			 * A grid that shares nothing with this one, that it
			 * did not dial, has had its time: the slots are for
			 * members (a joiner's proof comes in its hello).
			 */
			if (!c->vetted && c->s.state == PEER_OPEN &&
			    now >= c->s.opened + STRANGER_GRACE) {
				c->vetted = gridd_fellow(g, c->s.identity);
				if (!c->vetted) {
					peer_session_bye(&c->s, "this grid shares no grid-grid with yours",
							 now);
					gridd_peer_flush(c);
				}
			}
			if (peer_session_wants_rekey(&c->s, now) && c->dial &&
			    c->dial->conn == c && !c->rekeying) {
				/* Make before break: the new one replaces this one. */
				c->rekeying = true;
				c->dial->conn = NULL;
				c->dial->next_try = 0;
				c->dial->rekey = true;
			}
		} else if (c->connecting && now >= c->since + p->t.handshake) {
			snprintf(c->s.why.msg, sizeof(c->s.why.msg),
				 "cannot connect: no answer in %llu ms",
				 (unsigned long long)p->t.handshake);
			c->s.state = PEER_CLOSED;
		} else if (c->connecting && c->since + p->t.handshake < p->next_tick) {
			p->next_tick = c->since + p->t.handshake;
		}
		if (c->s.state == PEER_CLOSED) {
			if (c->s.authenticated)
				gridd_peer_log(LOG_INFO, c, "session closed: %s", c->s.why.msg);
			else
				/*
				 * Closed before a word was said (a peer that
				 * gave up, a port scan) is no cause for alarm;
				 * a handshake that failed is.
				 */
				gridd_peer_log(c->dial || !c->s.heard ?
					       LOG_INFO : LOG_WARNING, c, "%s",
					       c->s.why.msg);
			gridd_peer_flush(c);
			conn_free(g, c);
		}
	}
	gridd_peer_dials_run(g, now);
}

int gridd_peers_timeout(struct gridd *g)
{
	uint64_t now = gridd_mono_ms();

	uint64_t next;

	if (!g->peers)
		return g->has_grid && now >= start_again ? 0 : 5000;
	next = g->peers->next_tick;
	if (g->peers->accept_rest_until > now && g->peers->accept_rest_until < next)
		next = g->peers->accept_rest_until;
	return next > now ? (int)(next - now) : 0;
}
