// SPDX-License-Identifier: GPL-2.0
/*
 * The local API server: gridctl's requests on a unix socket, served one
 * batch at a time. Every request that is waiting when a batch starts is
 * served inside one transaction, each in a savepoint of its own (so a
 * failed one leaves nothing behind), and the batch is committed once
 * before any of them is answered: group commit, one fsync for them all,
 * and nothing is acknowledged before it is on disk. Work on grid.ko that
 * must follow the commit (a request's @after) runs next, then the answers
 * go out.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "gridd.h"
#include "log.h"
#include "nl.h"
#include "jobs.h"
#include "peers.h"

#define CONNS_MAX	128
#define CONNS_ROOT	8	/* slots only root may take */
#define CONNS_PER_UID	16	/* connections of one other uid at once */
/*
 * A connection that takes IDLE_BUSY seconds to send a request, or to read
 * its answer, is closed, and one that says nothing for IDLE_S: slots are
 * for clients that talk. Counted from the start of each, not from the
 * last byte: a byte every few seconds does not keep a slot.
 * GRIDD_IDLE_TIMEOUT=S in the environment sets both (tests).
 */
#define IDLE_BUSY	30
#define IDLE_S		300
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define ROOT		0x1	/* only root, acting as the grid */
#define GRID		0x2	/* only once the grid exists (gridctl init) */

static const struct {
	gridd_op fn;
	unsigned int flags;
} ops[GRID_OP_MAX + 1] = {
	[GRID_OP_STATUS] = { op_status, 0 },
	[GRID_OP_INIT] = { op_init, ROOT },
	[GRID_OP_AGENT_ADD] = { op_agent_add, ROOT | GRID },
	[GRID_OP_AGENT_LIST] = { op_agent_list, GRID },
	[GRID_OP_AGENT_DEL] = { op_agent_del, ROOT | GRID },
	[GRID_OP_GRID_CERTIFY] = { op_grid_certify, ROOT | GRID },
	[GRID_OP_GRID_LIST] = { op_grid_list, GRID },
	[GRID_OP_GG_CREATE] = { op_gg_create, ROOT | GRID },
	[GRID_OP_GG_INVITE] = { op_gg_invite, ROOT | GRID },
	[GRID_OP_GG_JOIN] = { op_gg_join, ROOT | GRID },
	[GRID_OP_GG_LEAVE] = { op_gg_leave, ROOT | GRID },
	[GRID_OP_GG_LIST] = { op_gg_list, GRID },
	[GRID_OP_GG_REVOKE] = { op_gg_revoke, ROOT | GRID },
	[GRID_OP_GG_PROOF] = { op_gg_proof, GRID },
	[GRID_OP_GG_ADMIT] = { op_gg_admit, ROOT | GRID },
	[GRID_OP_SHARE_SET] = { op_share_set, ROOT | GRID },
	[GRID_OP_SHARE_DEL] = { op_share_del, ROOT | GRID },
	[GRID_OP_SHARE_LIST] = { op_share_list, GRID },
	[GRID_OP_LEASE_ISSUE] = { op_lease_issue, ROOT | GRID },
	/* A lease issued here: root; a lease held: its holder (lease.c). */
	[GRID_OP_LEASE_RENEW] = { op_lease_renew, GRID },
	[GRID_OP_LEASE_REVOKE] = { op_lease_revoke, ROOT | GRID },
	[GRID_OP_LEASE_IMPORT] = { op_lease_import, GRID },
	[GRID_OP_LEASE_LIST] = { op_lease_list, GRID },
	[GRID_OP_RECORD_LIST] = { op_record_list, GRID },
	[GRID_OP_PEER_ADD] = { op_peer_add, ROOT | GRID },
	[GRID_OP_PEER_DEL] = { op_peer_del, ROOT | GRID },
	[GRID_OP_PEER_LIST] = { op_peer_list, GRID },
	[GRID_OP_LEASE_REQUEST] = { op_lease_request, GRID },
	[GRID_OP_JOB_RUN] = { op_job_run, GRID },
	[GRID_OP_JOB_IO] = { op_job_io, GRID },
	[GRID_OP_JOB_LIST] = { op_job_list, GRID },
	[GRID_OP_JOB_SIGNAL] = { op_job_signal, GRID },
	/* Root and the agents, all of it; others refused (ledger.c). */
	[GRID_OP_LEDGER] = { op_ledger, GRID },
	[GRID_OP_SELFTEST] = { op_selftest, ROOT },
};

struct conn {
	int fd;
	struct caller who;
	uint8_t *in;		/* GRID_API_MSG_MAX + 4 */
	size_t in_len;
	struct grid_api_out out;
	size_t out_off;		/* sent so far; out.len is the whole */
	bool ready;		/* a whole request is in @in */
	uint64_t since;		/* monotonic ms: when its present wait began */
	/* Parked (struct request's @park): until woken or park_until. */
	bool parked;
	bool late;
	uint64_t park_until;
	uint8_t park_key[16];
};

/*
 * How long a parked request waits for its answer from a peer: a lease
 * request's provider, over a slow link, answers well within it.
 */
#define PARK_MS		30000

static struct conn all_conns[CONNS_MAX];

static uint64_t idle_busy_ms = IDLE_BUSY * 1000, idle_ms = IDLE_S * 1000;

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int gridd_fail(struct request *rq, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rq->why.msg, sizeof(rq->why.msg), fmt, ap);
	va_end(ap);
	return err;
}

uint64_t gridd_now(const struct gridd *g)
{
	if (g->now_override)
		return g->now_override;
	return (uint64_t)time(NULL);
}

static bool in_group(uid_t uid, gid_t gid, gid_t want)
{
	struct passwd *pw;
	gid_t groups[64];
	int n = 64, i;

	if (gid == want)
		return true;
	pw = getpwuid(uid);
	if (!pw || getgrouplist(pw->pw_name, gid, groups, &n) < 0)
		return false;
	for (i = 0; i < n; i++) {
		if (groups[i] == want)
			return true;
	}
	return false;
}

static int listen_on(const struct gridd_config *cfg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(cfg->socket) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, cfg->socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A socket left by a gridd that died is ours to replace. */
	unlink(cfg->socket);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(cfg->socket, cfg->group[0] ? 0660 : 0600) ||
	    (cfg->group[0] && chown(cfg->socket, 0, cfg->gid)) ||
	    listen(fd, 64)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	/*
	 * A join's request and an invitation's answer hold one-time seeds;
	 * grid_api_out_free() wipes the answer's buffers.
	 */
	if (c->in)
		sodium_memzero(c->in, c->in_len);
	free(c->in);
	grid_api_out_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/*
 * Said at most once a second, with how many were not: a client that
 * connects again and again does not fill the log.
 */
static void turned_away(uid_t uid, const char *why)
{
	static uint64_t last;
	static unsigned int unsaid;
	uint64_t now = mono_ms();

	if (last && now - last < 1000) {
		unsaid++;
		return;
	}
	if (unsaid)
		log_warn("api: uid %u turned away: %s (and %u more since the last said)",
			 uid, why, unsaid);
	else
		log_warn("api: uid %u turned away: %s", uid, why);
	last = now;
	unsaid = 0;
}

/* One connection taken from the backlog: false when there is none. */
static bool accept_one(struct gridd *g, int lfd, struct conn *conns)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct conn *c = NULL;
	int fd, i, free_slots = 0, same_uid = 0;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
		log_warn("api: no peer credentials");
		close(fd);
		return true;
	}
	for (i = 0; i < CONNS_MAX; i++) {
		if (conns[i].fd < 0) {
			free_slots++;
			if (!c)
				c = &conns[i];
		} else if (conns[i].who.uid == cr.uid) {
			same_uid++;
		}
	}
	/*
	 * One user cannot hold every slot, and the last few are root's: a
	 * member of the group who opens connections and says nothing does
	 * not lock the owner out.
	 */
	if (!c || (cr.uid != 0 && free_slots <= CONNS_ROOT)) {
		turned_away(cr.uid, c ? "the last free connections are root's" :
			    "no connection is free");
		close(fd);
		return true;
	}
	if (cr.uid != 0 && same_uid >= CONNS_PER_UID) {
		turned_away(cr.uid, "it holds " STR(CONNS_PER_UID)
			    " connections already, the most one user may");
		close(fd);
		return true;
	}
	/* The socket's mode lets the group in; this says so again. */
	if (cr.uid != 0 && (!g->cfg.group[0] ||
			    !in_group(cr.uid, cr.gid, g->cfg.gid))) {
		log_warn("api: uid %u is neither root nor in group '%s'",
			 cr.uid, g->cfg.group);
		close(fd);
		return true;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->who.pid = cr.pid;
	c->who.uid = cr.uid;
	c->who.gid = cr.gid;
	c->who.root = cr.uid == 0;
	c->since = mono_ms();
	c->in = malloc(GRID_API_MSG_MAX + 4);
	if (!c->in || grid_api_out_init(&c->out)) {
		conn_close(c);
		return true;
	}
	return true;
}

/* Reads what is there; marks the connection ready at a whole frame. */
static void conn_read(struct conn *c)
{
	for (;;) {
		size_t want = 4;
		ssize_t r;

		if (c->in_len >= 4) {
			uint32_t n = (uint32_t)c->in[0] << 24 | c->in[1] << 16 |
				     c->in[2] << 8 | c->in[3];

			if (!n || n > GRID_API_MSG_MAX) {
				log_warn("api: uid %u sent a frame of %u bytes; closed",
					 c->who.uid, n);
				conn_close(c);
				return;
			}
			want = 4 + n;
			if (c->in_len == want) {
				/* The answer's time starts now. */
				c->since = mono_ms();
				c->ready = true;
				return;
			}
		}
		r = read(c->fd, c->in + c->in_len, want - c->in_len);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			conn_close(c);
			return;
		}
		if (!c->in_len)
			c->since = mono_ms();
		c->in_len += r;
	}
}

static void conn_write(struct conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t w = write(c->fd, c->out.buf + c->out_off,
				  c->out.len - c->out_off);

		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (w <= 0) {
			conn_close(c);
			return;
		}
		c->out_off += w;
	}
	/* Answered: ready for the next request on this connection. */
	sodium_memzero(c->in, c->in_len);
	sodium_memzero(c->out.buf, c->out.len);
	sodium_memzero(c->out.items, c->out.items_len);
	c->out_off = c->out.len = 0;
	c->out.items_len = 0;
	c->in_len = 0;
	c->since = mono_ms();
}

/* Parses and runs one request inside its savepoint. */
/* Runs one request, parsed by serve_batch(), inside its savepoint. */
static void serve_one(struct gridd *g, struct conn *c, struct request *rq,
		      struct grid_api_in *in)
{
	unsigned int flags;
	int ret;

	rq->args = &in->args;
	rq->late = c->late;
	c->late = false;
	flags = ops[in->op].flags;
	if (!ops[in->op].fn) {
		rq->status = gridd_fail(rq, -EOPNOTSUPP, "this gridd does not serve %s",
					grid_api_op_name(in->op));
		return;
	}
	if ((flags & ROOT) && !c->who.root) {
		rq->status = gridd_fail(rq, -EPERM,
			"%s is for the grid's owner (root); uid %u may not",
			grid_api_op_name(in->op), c->who.uid);
		return;
	}
	if ((flags & GRID) && !g->has_grid) {
		rq->status = gridd_fail(rq, -ENOENT,
			"this machine has no grid yet: run 'gridctl init NAME' first");
		return;
	}
	if (!c->who.root)
		gridd_agent_of_uid(g, c->who.uid, &c->who);
	ret = store_begin(&g->st);
	if (ret) {
		rq->status = gridd_fail(rq, ret, "the state cannot be written");
		return;
	}
	g->serving = rq;
	ret = ops[in->op].fn(g, rq);
	g->serving = NULL;
	if (ret) {
		store_rollback(&g->st);
		gridd_key_undo(g, rq);
		rq->after = NULL;
		/* What was made for the answer goes with it. */
		sodium_memzero(c->out.items, c->out.items_len);
		c->out.n_items = 0;
		c->out.items_len = 0;
		c->out.nodes = 0;
		c->out.more = false;
	} else {
		ret = store_commit(&g->st);
		if (ret)
			gridd_identity_reload(g);
	}
	rq->status = ret;
}

/* When @c is closed if nothing changes; 0 for one being served. */
static uint64_t conn_deadline(const struct conn *c)
{
	if (c->fd < 0 || c->ready)
		return 0;
	if (c->parked)
		return c->park_until;
	return c->since + (c->in_len || c->out.len ? idle_busy_ms : idle_ms);
}

static void close_idle(struct conn *conns)
{
	uint64_t now = mono_ms(), end;
	int i;

	for (i = 0; i < CONNS_MAX; i++) {
		struct conn *c = &conns[i];

		end = conn_deadline(c);
		if (!end || now < end)
			continue;
		if (c->parked) {
			/* Served again, to say that no answer came in time. */
			c->parked = false;
			c->late = true;
			c->ready = true;
			continue;
		}
		log_warn("api: uid %u's connection %s for %llu s; closed",
			 c->who.uid, c->out.len ? "did not read its answer" :
			 c->in_len ? "did not finish its request" : "said nothing",
			 (unsigned long long)((now - c->since) / 1000));
		conn_close(c);
	}
}

/* Milliseconds poll() may sleep: until the first connection is due. */
static int poll_timeout(const struct conn *conns)
{
	uint64_t now = mono_ms(), first = now + 5000, end;
	int i;

	for (i = 0; i < CONNS_MAX; i++) {
		end = conn_deadline(&conns[i]);
		if (end && end < first)
			first = end;
	}
	return first > now ? (int)(first - now) : 0;
}

/*
 * The object a request changes that a later request could build on in
 * the same batch: a lease (renew, revoke) or a grid-grid's share (set,
 * del, leave); "" for the others. Each request's after step and its undo
 * work on the state as its own request left it, so two requests on one
 * object never share a batch: the second waits for the next.
 */
static void object_of(const struct grid_api_in *in, char *key, size_t n)
{
	key[0] = '\0';
	switch (in->op) {
	case GRID_OP_LEASE_RENEW:
	case GRID_OP_LEASE_REVOKE:
		if (grid_api_has(&in->args, GRID_A_LEASE_ID))
			snprintf(key, n, "lease %llu",
				 (unsigned long long)in->args.u[GRID_A_LEASE_ID]);
		break;
	case GRID_OP_LEASE_REQUEST:
		if (grid_api_has(&in->args, GRID_A_REQUEST) &&
		    in->args.bn[GRID_A_REQUEST] == 16)
			snprintf(key, n, "request %02x%02x%02x%02x%02x%02x%02x%02x",
				 in->args.b[GRID_A_REQUEST][0], in->args.b[GRID_A_REQUEST][1],
				 in->args.b[GRID_A_REQUEST][2], in->args.b[GRID_A_REQUEST][3],
				 in->args.b[GRID_A_REQUEST][4], in->args.b[GRID_A_REQUEST][5],
				 in->args.b[GRID_A_REQUEST][6], in->args.b[GRID_A_REQUEST][7]);
		break;
	case GRID_OP_SHARE_SET:
	case GRID_OP_SHARE_DEL:
	case GRID_OP_GG_LEAVE:
		if (grid_api_has(&in->args, GRID_A_GRIDGRID))
			snprintf(key, n, "share %s", in->args.t[GRID_A_GRIDGRID]);
		break;
	}
}

static void serve_batch(struct gridd *g, struct conn *conns)
{
	static struct request rqs[CONNS_MAX];
	static struct grid_api_in ins[CONNS_MAX];
	static char keys[CONNS_MAX][GRID_API_TEXT_MAX + 8];
	static bool waits[CONNS_MAX];
	bool any, committed, deferred;
	int i, j, ret, parsed;

again:
	any = false;
	committed = true;
	deferred = false;
	for (i = 0; i < CONNS_MAX; i++) {
		if (conns[i].fd >= 0 && conns[i].ready)
			any = true;
	}
	if (!any)
		return;
	ret = store_begin(&g->st);
	if (ret)
		committed = false;
	for (i = 0; i < CONNS_MAX; i++) {
		struct conn *c = &conns[i];

		memset(&rqs[i], 0, sizeof(rqs[i]));
		memset(&ins[i], 0, sizeof(ins[i]));
		keys[i][0] = '\0';
		waits[i] = false;
		if (c->fd < 0 || !c->ready)
			continue;
		/* Parsed once, here: its object decides whether it waits. */
		parsed = grid_api_parse_request(&ins[i], c->in + 4, c->in_len - 4,
						&rqs[i].why);
		if (!parsed)
			object_of(&ins[i], keys[i], sizeof(keys[i]));
		for (j = 0; keys[i][0] && j < i; j++) {
			if (!waits[j] && !strcmp(keys[i], keys[j]))
				break;
		}
		if (keys[i][0] && j < i) {
			/* Still ready: parsed and served in the next batch. */
			grid_api_in_free(&ins[i]);
			waits[i] = deferred = true;
			continue;
		}
		rqs[i].who = &c->who;
		rqs[i].out = &c->out;
		c->out.n_items = 0;
		c->out.items_len = 0;
		c->out.nodes = 0;
		c->out.more = false;
		if (parsed) {
			rqs[i].status = parsed;
			continue;
		}
		if (!committed) {
			rqs[i].status = gridd_fail(&rqs[i], -EIO,
						   "the state cannot be written");
			continue;
		}
		serve_one(g, c, &rqs[i], &ins[i]);
	}
	if (committed && store_commit(&g->st)) {
		log_err("api: a batch of requests could not be committed");
		committed = false;
	}
	if (!committed)
		gridd_identity_reload(g);
	for (i = 0; i < CONNS_MAX; i++) {
		struct conn *c = &conns[i];
		struct request *rq = &rqs[i];

		if (c->fd < 0 || !c->ready || waits[i])
			continue;
		c->ready = false;
		if (!committed && !rq->status) {
			rq->status = gridd_fail(rq, -EIO,
						"the state could not be written to disk");
			rq->after = NULL;
			gridd_key_undo(g, rq);
		}
		if (!rq->status && rq->after)
			rq->status = rq->after(g, rq);
		if (!rq->status && rq->park) {
			if (!c->parked && !c->park_until)
				c->park_until = mono_ms() + (rq->park_ms ? rq->park_ms : PARK_MS);
			c->parked = true;
			memcpy(c->park_key, rq->after_rec, sizeof(c->park_key));
			grid_api_in_free(&ins[i]);
			continue;
		}
		c->park_until = 0;
		if (rq->status) {
			c->out.n_items = 0;
			c->out.items_len = 0;
			c->out.nodes = 0;
			c->out.more = false;
			if (!rq->why.msg[0])
				snprintf(rq->why.msg, sizeof(rq->why.msg), "%s",
					 strerror(-rq->status));
		}
		if (grid_api_response(&c->out, rq->status,
				      rq->status ? rq->why.msg : NULL))
			grid_api_response(&c->out, -EMSGSIZE,
					  "the answer is too long");
		grid_api_in_free(&ins[i]);
		c->out_off = 0;
		conn_write(c);
	}
	if (deferred)
		goto again;
}

void gridd_api_wake(struct gridd *g, const uint8_t *key)
{
	int i;

	for (i = 0; i < CONNS_MAX; i++) {
		struct conn *c = &all_conns[i];

		if (c->fd >= 0 && c->parked &&
		    !memcmp(c->park_key, key, sizeof(c->park_key))) {
			c->parked = false;
			c->ready = true;
		}
	}
}

int gridd_api_serve(struct gridd *g, int sigfd, struct grid_nl *events)
{
	struct conn *conns = all_conns;
	static struct pollfd pfd[CONNS_MAX + 3 + PEER_POLL_MAX + GRIDD_JOBS_MAX];
	const char *env;
	int lfd, i, ret = 0;

	lfd = listen_on(&g->cfg);
	if (lfd < 0) {
		log_err("api: cannot listen on %s: %s", g->cfg.socket,
			strerror(-lfd));
		return lfd;
	}
	for (i = 0; i < CONNS_MAX; i++)
		conns[i].fd = -1;
	env = getenv("GRIDD_IDLE_TIMEOUT");
	if (env && strtoul(env, NULL, 10))
		idle_busy_ms = idle_ms = strtoul(env, NULL, 10) * 1000;
	log_info("api: listening on %s", g->cfg.socket);
	log_info("ready");
	for (;;) {
		int n = 0, np, nj, timeout, pt;

		pfd[n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){
			.fd = events ? grid_nl_fd(events) : -1,
			.events = POLLIN };
		for (i = 0; i < CONNS_MAX; i++) {
			struct conn *c = &conns[i];

			pfd[n++] = (struct pollfd){
				.fd = c->fd,
				.events = c->out.len ? POLLOUT :
					  c->ready || c->parked ? 0 : POLLIN };
		}
		np = n;
		n += gridd_peers_pollfds(g, pfd + np, PEER_POLL_MAX);
		nj = n;
		n += gridd_jobs_pollfds(g, pfd + nj, GRIDD_JOBS_MAX);
		timeout = poll_timeout(conns);
		pt = gridd_peers_timeout(g);
		if (pt < timeout)
			timeout = pt;
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si) &&
			    si.ssi_signo == SIGHUP) {
				/*
				 * Not a reload: the socket, the state and the
				 * group are taken at start. Said, not obeyed.
				 */
				log_warn("SIGHUP: the configuration is read at start only; restart gridd to apply a change");
				continue;
			}
			log_info("signal %u: stopping", si.ssi_signo);
			break;
		}
		if (pfd[1].revents)
			/* All that wait, so that their requests share a batch. */
			for (i = 0; i < 32 && accept_one(g, lfd, conns); i++)
				;
		if (pfd[2].revents && events) {
			ret = grid_nl_read_events(events, gridd_on_event, g);
			if (ret == -ENOBUFS)
				log_warn("events were lost: the socket's buffer overflowed");
			else if (ret)
				log_warn("reading events: %s", strerror(-ret));
			ret = 0;
		}
		for (i = 0; i < CONNS_MAX; i++) {
			struct conn *c = &conns[i];
			short re = pfd[3 + i].revents;

			if (c->fd < 0 || !re || pfd[3 + i].fd != c->fd)
				continue;
			if (re & (POLLERR | POLLNVAL)) {
				conn_close(c);
				continue;
			}
			if ((re & POLLOUT) && c->out.len)
				conn_write(c);
			else if (re & (POLLIN | POLLHUP))
				conn_read(c);
		}
		gridd_peers_poll(g, pfd + np, nj - np);
		gridd_jobs_poll(g, pfd + nj, n - nj);
		gridd_negotiate_serve(g);
		serve_batch(g, conns);
		gridd_gossip_flush(g);
		close_idle(conns);
		gridd_peers_run(g);
		gridd_jobs_run(g);
	}
	gridd_peers_stop(g);
	for (i = 0; i < CONNS_MAX; i++) {
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
	}
	close(lfd);
	unlink(g->cfg.socket);
	return ret;
}
