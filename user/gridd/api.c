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

#define CONNS_MAX	128
#define CONNS_ROOT	8	/* slots only root may take */
#define CONNS_PER_UID	16	/* connections of one other uid at once */
/*
 * A connection that holds half a request, or an answer it does not read,
 * for IDLE_BUSY seconds is closed, and one that says nothing for IDLE_S:
 * slots are for clients that talk.
 */
#define IDLE_BUSY	30
#define IDLE_S		300
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
	[GRID_OP_LEASE_RENEW] = { op_lease_renew, ROOT | GRID },
	[GRID_OP_LEASE_REVOKE] = { op_lease_revoke, ROOT | GRID },
	[GRID_OP_LEASE_IMPORT] = { op_lease_import, GRID },
	[GRID_OP_LEASE_LIST] = { op_lease_list, GRID },
	[GRID_OP_RECORD_LIST] = { op_record_list, GRID },
};

struct conn {
	int fd;
	struct caller who;
	uint8_t *in;		/* GRID_API_MSG_MAX + 4 */
	size_t in_len;
	struct grid_api_out out;
	size_t out_off;		/* sent so far; out.len is the whole */
	bool ready;		/* a whole request is in @in */
	uint64_t last;		/* monotonic s of the last progress */
};

static uint64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
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
	/* A join's request and an invitation's answer hold one-time seeds. */
	if (c->in)
		sodium_memzero(c->in, c->in_len);
	if (c->out.buf)
		sodium_memzero(c->out.buf, c->out.len);
	free(c->in);
	grid_api_out_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void accept_one(struct gridd *g, int lfd, struct conn *conns)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct conn *c = NULL;
	int fd, i;

	int free_slots = 0, same_uid = 0;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
		log_warn("api: no peer credentials");
		close(fd);
		return;
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
	if (!c || (cr.uid != 0 && (free_slots <= CONNS_ROOT ||
				   same_uid >= CONNS_PER_UID))) {
		log_warn("api: too many clients%s; uid %u turned away",
			 c ? " of that user" : "", cr.uid);
		close(fd);
		return;
	}
	/* The socket's mode lets the group in; this says so again. */
	if (cr.uid != 0 && (!g->cfg.group[0] ||
			    !in_group(cr.uid, cr.gid, g->cfg.gid))) {
		log_warn("api: uid %u is neither root nor in group '%s'",
			 cr.uid, g->cfg.group);
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->who.pid = cr.pid;
	c->who.uid = cr.uid;
	c->who.gid = cr.gid;
	c->who.root = cr.uid == 0;
	c->last = mono_s();
	c->in = malloc(GRID_API_MSG_MAX + 4);
	if (!c->in || grid_api_out_init(&c->out)) {
		conn_close(c);
		return;
	}
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
		c->in_len += r;
		c->last = mono_s();
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
		c->last = mono_s();
	}
	/* Answered: ready for the next request on this connection. */
	sodium_memzero(c->in, c->in_len);
	sodium_memzero(c->out.buf, c->out.len);
	c->out_off = c->out.len = 0;
	c->in_len = 0;
}

/* Parses and runs one request inside its savepoint. */
static void serve_one(struct gridd *g, struct conn *c, struct request *rq,
		      struct grid_api_in *in)
{
	unsigned int flags;
	int ret;

	ret = grid_api_parse_request(in, c->in + 4, c->in_len - 4, &rq->why);
	if (ret) {
		rq->status = ret;
		return;
	}
	rq->args = &in->args;
	flags = ops[in->op].flags;
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
	ret = ops[in->op].fn(g, rq);
	if (ret) {
		store_rollback(&g->st);
		rq->after = NULL;
		/* What was made for the answer goes with it. */
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

static void close_idle(struct conn *conns)
{
	uint64_t now = mono_s();
	int i;

	for (i = 0; i < CONNS_MAX; i++) {
		struct conn *c = &conns[i];
		bool busy;

		if (c->fd < 0 || c->ready)
			continue;
		busy = c->in_len || c->out.len;
		if (now - c->last < (busy ? IDLE_BUSY : IDLE_S))
			continue;
		log_warn("api: uid %u's connection %s for %llu s; closed",
			 c->who.uid, busy ? "stalled" : "was silent",
			 (unsigned long long)(now - c->last));
		conn_close(c);
	}
}

static void serve_batch(struct gridd *g, struct conn *conns)
{
	static struct request rqs[CONNS_MAX];
	static struct grid_api_in ins[CONNS_MAX];
	bool any = false, committed = true;
	int i, ret;

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
		if (c->fd < 0 || !c->ready)
			continue;
		rqs[i].who = &c->who;
		rqs[i].out = &c->out;
		c->out.n_items = 0;
		c->out.items_len = 0;
		c->out.nodes = 0;
		c->out.more = false;
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

		if (c->fd < 0 || !c->ready)
			continue;
		c->ready = false;
		if (!committed && !rq->status) {
			rq->status = gridd_fail(rq, -EIO,
						"the state could not be written to disk");
			rq->after = NULL;
		}
		if (!rq->status && rq->after)
			rq->status = rq->after(g, rq);
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
}

int gridd_api_serve(struct gridd *g, int sigfd, struct grid_nl *events)
{
	static struct conn conns[CONNS_MAX];
	struct pollfd pfd[CONNS_MAX + 3];
	int lfd, i, ret = 0;

	lfd = listen_on(&g->cfg);
	if (lfd < 0) {
		log_err("api: cannot listen on %s: %s", g->cfg.socket,
			strerror(-lfd));
		return lfd;
	}
	for (i = 0; i < CONNS_MAX; i++)
		conns[i].fd = -1;
	log_info("api: listening on %s", g->cfg.socket);
	log_info("ready");
	for (;;) {
		int n = 0;

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
					  c->ready ? 0 : POLLIN };
		}
		if (poll(pfd, n, 5000) < 0) {
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
			accept_one(g, lfd, conns);
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
		serve_batch(g, conns);
		close_idle(conns);
	}
	for (i = 0; i < CONNS_MAX; i++) {
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
	}
	close(lfd);
	unlink(g->cfg.socket);
	return ret;
}
