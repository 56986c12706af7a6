// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nl_reply.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* How often a dump interrupted by a change is started again. */
#define DUMP_TRIES 5

_Static_assert(GRID_STATUS_A_MAX < GRID_NL_TB_LEN &&
	       GRID_LIMITS_A_MAX < GRID_NL_TB_LEN &&
	       GRID_GRID_A_MAX < GRID_NL_TB_LEN &&
	       GRID_GRIDGRID_A_MAX < GRID_NL_TB_LEN &&
	       GRID_PEER_A_MAX < GRID_NL_TB_LEN &&
	       GRID_LEASE_A_MAX < GRID_NL_TB_LEN &&
	       GRID_SANDBOX_A_MAX < GRID_NL_TB_LEN &&
	       GRID_EVENT_A_MAX < GRID_NL_TB_LEN, "GRID_NL_TB_LEN too small");

struct grid_nl {
	struct nl_sock *sk;
	int family;
	char extack[256];
};

/* The objects of a dump, kept until the dump is known to be whole. */
struct vec {
	char *buf;
	size_t n, cap, size;
};

/* A request in flight: what the callbacks learn. */
struct req {
	struct grid_nl *nl;
	const struct grid_nl_kind *k;	/* NULL: replies are not read */
	void *one;		/* a get: the object */
	struct vec *v;		/* a dump: the objects */
	bool got;
	bool intr;
	bool done;
	int err;		/* the kernel's answer */
	int perr;		/* a reply we could not read */
};

/* One attribute of a request. */
struct attr {
	int type;
	int len;
	const void *data;
};

/* libnl's own codes hide the kernel's errno; map back what can be mapped. */
static int nlerr_to_errno(int nlerr)
{
	switch (abs(nlerr)) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_NOACCESS:
		return -EACCES;
	default:
		return -EIO;
	}
}

/* Copies the NLMSGERR_ATTR_MSG string of an extended ack, if present. */
static void keep_extack(struct grid_nl *nl, struct nlmsgerr *e)
{
	struct nlmsghdr *outer = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off, end = outer->nlmsg_len;
	struct nlattr *a;

	nl->extack[0] = '\0';
	if (!(outer->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(outer->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	while (off + NLA_HDRLEN <= end) {
		a = (struct nlattr *)((char *)outer + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			return;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			size_t n = a->nla_len - NLA_HDRLEN;

			if (n >= sizeof(nl->extack))
				n = sizeof(nl->extack) - 1;
			memcpy(nl->extack, (char *)a + NLA_HDRLEN, n);
			nl->extack[n] = '\0';
			return;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct req *r = arg;

	(void)who;
	r->err = e->error;
	if (e->error)
		keep_extack(r->nl, e);
	r->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; a dump that failed half-way says why in it. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct req *r = arg;
	int e;

	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		r->intr = true;
	if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(e))) {
		memcpy(&e, nlmsg_data(h), sizeof(e));
		if (e < 0)
			r->err = e;
	}
	r->done = true;
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	(void)msg;
	r->intr = true;
	return NL_OK;
}

static void *vec_slot(struct vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		char *buf = realloc(v->buf, cap * v->size);

		if (!buf)
			return NULL;
		v->buf = buf;
		v->cap = cap;
	}
	return v->buf + v->n * v->size;
}

/*
 * A reply that does not parse is remembered, not fatal at once: the rest of
 * a dump is still read off the socket, so that the next request on it
 * starts clean.
 */
static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[GRID_NL_TB_LEN];
	struct req *r = arg;
	void *obj;
	int ret;

	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		r->intr = true;
	if (!r->k || r->perr)
		return NL_SKIP;
	if (!genlmsg_valid_hdr(h, 0) ||
	    ((struct genlmsghdr *)nlmsg_data(h))->cmd != r->k->cmd) {
		r->perr = -EPROTO;
		return NL_SKIP;
	}
	if (r->v) {
		obj = vec_slot(r->v);
		if (!obj) {
			r->perr = -ENOMEM;
			return NL_SKIP;
		}
	} else if (!r->got) {
		obj = r->one;
	} else {
		return NL_SKIP;
	}
	memset(obj, 0, r->k->size);
	ret = genlmsg_parse(h, 0, tb, r->k->maxtype, r->k->policy);
	if (ret < 0)
		ret = -EPROTO;
	else
		ret = r->k->parse(tb, obj);
	if (ret) {
		r->perr = ret;
		return NL_SKIP;
	}
	if (r->v)
		r->v->n++;
	else
		r->got = true;
	return NL_OK;
}

/*
 * Sends @cmd with @flags (0 or NLM_F_DUMP), the attribute @a if any and
 * @len bytes of @raw payload, and reads the answer into @r.
 */
static int request(struct grid_nl *nl, uint8_t cmd, int flags,
		   const struct attr *a, const void *raw, size_t len,
		   struct req *r)
{
	struct nl_msg *msg = NULL;
	struct nl_cb *cb = NULL;
	int ret;

	nl->extack[0] = '\0';
	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		ret = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, GRID_GENL_VERSION) ||
	    (a && nla_put(msg, a->type, a->len, a->data) < 0) ||
	    (len && nlmsg_append(msg, (void *)raw, len, NLA_ALIGNTO) < 0)) {
		ret = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);

	/* A dump ends with NLMSG_DONE; an ack after it would only linger. */
	nl_complete_msg(nl->sk, msg);
	if (flags & NLM_F_DUMP)
		nlmsg_hdr(msg)->nlmsg_flags &= ~NLM_F_ACK;
	ret = nl_send(nl->sk, msg);
	if (ret < 0) {
		ret = nlerr_to_errno(ret);
		goto out;
	}
	while (!r->done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret == -NLE_DUMP_INTR) {
			r->intr = true;
		} else if (ret < 0 && !r->err) {
			ret = nlerr_to_errno(ret);
			goto out;
		}
	}
	ret = r->err ? r->err : r->perr;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

static int get(struct grid_nl *nl, const struct grid_nl_kind *k,
	       const struct attr *a, void *out)
{
	struct req r = { .nl = nl, .k = k, .one = out };
	int ret;

	ret = request(nl, k->cmd, 0, a, NULL, 0, &r);
	if (!ret && !r.got)
		ret = -EPROTO;
	return ret;
}

static int dump(struct grid_nl *nl, const struct grid_nl_kind *k,
		const struct attr *a, struct vec *v)
{
	int i, ret;

	v->size = k->size;
	for (i = 0; i < DUMP_TRIES; i++) {
		struct req r = { .nl = nl, .k = k, .v = v };

		v->n = 0;
		ret = request(nl, k->cmd, NLM_F_DUMP, a, NULL, 0, &r);
		if (ret || !r.intr)
			return ret;
	}
	return -EAGAIN;
}

int grid_nl_open(struct grid_nl **out)
{
	struct grid_nl *nl;
	int one = 1;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		ret = -ENOMEM;
		goto err;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		ret = nlerr_to_errno(ret);
		goto err;
	}
	/* Best effort: without it errors only lack their explanation. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	ret = genl_ctrl_resolve(nl->sk, GRID_GENL_NAME);
	if (ret < 0) {
		ret = nlerr_to_errno(ret);
		goto err;
	}
	nl->family = ret;
	*out = nl;
	return 0;
err:
	grid_nl_close(nl);
	return ret;
}

void grid_nl_close(struct grid_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

const char *grid_nl_extack(const struct grid_nl *nl)
{
	return nl->extack;
}

int grid_nl_send_raw(struct grid_nl *nl, uint8_t cmd, const void *payload,
		     size_t len)
{
	struct req r = { .nl = nl };

	return request(nl, cmd, 0, NULL, payload, len, &r);
}

/* ---- dumps and gets --------------------------------------------------- */

int grid_nl_status(struct grid_nl *nl, struct grid_nl_status *st)
{
	return get(nl, &grid_nl_status_kind, NULL, st);
}

static struct attr str_attr(int type, const char *s)
{
	return (struct attr){ type, (int)strlen(s) + 1, s };
}

/* Walks a finished dump; @T is the object type, @fn the caller's callback. */
#define DELIVER(v, T, fn, arg)						\
	({								\
		int __ret = 0;						\
		size_t __i;						\
		for (__i = 0; !__ret && __i < (v).n; __i++)		\
			__ret = fn((const T *)(v).buf + __i, arg);	\
		__ret;							\
	})

int grid_nl_grids(struct grid_nl *nl,
		  int (*fn)(const struct grid_obj_grid *g, void *arg),
		  void *arg)
{
	struct vec v = { 0 };
	int ret = dump(nl, &grid_nl_grid_kind, NULL, &v);

	if (!ret)
		ret = DELIVER(v, struct grid_obj_grid, fn, arg);
	free(v.buf);
	return ret;
}

int grid_nl_gridgrids(struct grid_nl *nl,
		      int (*fn)(const struct grid_obj_gridgrid *gg, void *arg),
		      void *arg)
{
	struct vec v = { 0 };
	int ret = dump(nl, &grid_nl_gridgrid_kind, NULL, &v);

	if (!ret)
		ret = DELIVER(v, struct grid_obj_gridgrid, fn, arg);
	free(v.buf);
	return ret;
}

int grid_nl_peers(struct grid_nl *nl,
		  int (*fn)(const struct grid_obj_peer *p, void *arg),
		  void *arg)
{
	struct vec v = { 0 };
	int ret = dump(nl, &grid_nl_peer_kind, NULL, &v);

	if (!ret)
		ret = DELIVER(v, struct grid_obj_peer, fn, arg);
	free(v.buf);
	return ret;
}

int grid_nl_leases(struct grid_nl *nl, const char *gridgrid,
		   int (*fn)(const struct grid_obj_lease *l, void *arg),
		   void *arg)
{
	struct attr a;
	struct vec v = { 0 };
	int ret;

	if (gridgrid)
		a = str_attr(GRID_LEASE_A_GRIDGRID, gridgrid);
	ret = dump(nl, &grid_nl_lease_kind, gridgrid ? &a : NULL, &v);
	if (!ret)
		ret = DELIVER(v, struct grid_obj_lease, fn, arg);
	free(v.buf);
	return ret;
}

int grid_nl_sandboxes(struct grid_nl *nl, const char *gridgrid,
		      int (*fn)(const struct grid_obj_sandbox *sb, void *arg),
		      void *arg)
{
	struct attr a;
	struct vec v = { 0 };
	int ret;

	if (gridgrid)
		a = str_attr(GRID_SANDBOX_A_GRIDGRID, gridgrid);
	ret = dump(nl, &grid_nl_sandbox_kind, gridgrid ? &a : NULL, &v);
	if (!ret)
		ret = DELIVER(v, struct grid_obj_sandbox, fn, arg);
	free(v.buf);
	return ret;
}

int grid_nl_grid_get(struct grid_nl *nl, const char *name,
		     struct grid_obj_grid *out)
{
	struct attr a = str_attr(GRID_GRID_A_NAME, name);

	return get(nl, &grid_nl_grid_kind, &a, out);
}

int grid_nl_gridgrid_get(struct grid_nl *nl, const char *name,
			 struct grid_obj_gridgrid *out)
{
	struct attr a = str_attr(GRID_GRIDGRID_A_NAME, name);

	return get(nl, &grid_nl_gridgrid_kind, &a, out);
}

int grid_nl_peer_get(struct grid_nl *nl, const uint8_t key[GRID_KEY_LEN],
		     struct grid_obj_peer *out)
{
	struct attr a = { GRID_PEER_A_KEY, GRID_KEY_LEN, key };

	return get(nl, &grid_nl_peer_kind, &a, out);
}

int grid_nl_lease_get(struct grid_nl *nl, uint64_t id,
		      struct grid_obj_lease *out)
{
	struct attr a = { GRID_LEASE_A_ID, sizeof(id), &id };

	return get(nl, &grid_nl_lease_kind, &a, out);
}

int grid_nl_sandbox_get(struct grid_nl *nl, uint64_t cgroup_id,
			struct grid_obj_sandbox *out)
{
	struct attr a = { GRID_SANDBOX_A_CGROUP_ID, sizeof(cgroup_id),
			  &cgroup_id };

	return get(nl, &grid_nl_sandbox_kind, &a, out);
}

/* ---- events ----------------------------------------------------------- */

int grid_nl_subscribe(struct grid_nl *nl)
{
	int grp, ret;

	nl_socket_disable_seq_check(nl->sk);
	grp = genl_ctrl_resolve_grp(nl->sk, GRID_GENL_NAME,
				    GRID_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return nlerr_to_errno(grp);
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret < 0)
		return nlerr_to_errno(ret);
	ret = nl_socket_set_nonblocking(nl->sk);
	if (ret < 0)
		return nlerr_to_errno(ret);
	return 0;
}

int grid_nl_fd(const struct grid_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

struct event_sink {
	void (*fn)(const struct grid_obj_event *ev, void *arg);
	void *arg;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct event_sink *s = arg;
	struct grid_obj_event ev;

	if (!grid_nl_parse_event(nlmsg_hdr(msg), &ev))
		s->fn(&ev, s->arg);
	return NL_OK;
}

static int any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int grid_nl_read_events(struct grid_nl *nl,
			void (*fn)(const struct grid_obj_event *ev, void *arg),
			void *arg)
{
	struct event_sink s = { .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &s);
	/* Multicast events carry sequence number 0. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
	errno = 0;
	ret = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (ret == -NLE_AGAIN)
		return 0;
	/* libnl folds ENOBUFS, a socket that overflowed, into "no memory". */
	if (ret == -NLE_NOMEM && errno == ENOBUFS)
		return -ENOBUFS;
	return ret < 0 ? nlerr_to_errno(ret) : 0;
}
