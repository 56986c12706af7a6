// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct grid_nl {
	struct nl_sock *sk;
	int family;
	char extack[256];
};

/* A request in flight: what the callbacks learn. */
struct req {
	struct grid_nl *nl;
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	int err;
	bool done;
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

static const struct nla_policy status_policy[GRID_STATUS_A_MAX + 1] = {
	[GRID_STATUS_A_RELEASE] = { .type = NLA_STRING, .maxlen = GRID_RELEASE_LEN },
	[GRID_STATUS_A_ABI] = { .type = NLA_U32 },
	[GRID_STATUS_A_GRIDS] = { .type = NLA_U64 },
	[GRID_STATUS_A_GRIDGRIDS] = { .type = NLA_U64 },
	[GRID_STATUS_A_PEERS] = { .type = NLA_U64 },
	[GRID_STATUS_A_LEASES] = { .type = NLA_U64 },
	[GRID_STATUS_A_SANDBOXES] = { .type = NLA_U64 },
	[GRID_STATUS_A_HANDLES] = { .type = NLA_U64 },
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[GRID_STATUS_A_MAX + 1];
	struct req *r = arg;
	int ret;

	if (!r->parse)
		return NL_OK;
	/* Every reply so far is a status; later commands bring their own. */
	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, GRID_STATUS_A_MAX,
			    (struct nla_policy *)status_policy);
	if (ret < 0) {
		r->err = -EPROTO;
		return NL_STOP;
	}
	ret = r->parse(tb, r->arg);
	if (ret) {
		r->err = ret;
		return NL_STOP;
	}
	return NL_OK;
}

/*
 * Sends @cmd with @payload (attributes already encoded, may be empty) and
 * feeds each reply to @parse, if given.
 */
static int request(struct grid_nl *nl, uint8_t cmd, const void *payload,
		   size_t len, int (*parse)(struct nlattr **tb, void *arg),
		   void *arg)
{
	struct req r = { .nl = nl, .parse = parse, .arg = arg };
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
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0,
			 cmd, GRID_GENL_VERSION) ||
	    (len && nlmsg_append(msg, (void *)payload, len, NLA_ALIGNTO) < 0)) {
		ret = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);

	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		ret = nlerr_to_errno(ret);
		goto out;
	}
	while (!r.done && !r.err) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !r.err) {
			ret = nlerr_to_errno(ret);
			goto out;
		}
	}
	ret = r.err;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
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

static int parse_status(struct nlattr **tb, void *arg)
{
	struct grid_nl_status *st = arg;
	static const int need[] = {
		GRID_STATUS_A_RELEASE, GRID_STATUS_A_ABI,
		GRID_STATUS_A_GRIDS, GRID_STATUS_A_GRIDGRIDS,
		GRID_STATUS_A_PEERS, GRID_STATUS_A_LEASES,
		GRID_STATUS_A_SANDBOXES, GRID_STATUS_A_HANDLES,
	};
	size_t i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!tb[need[i]])
			return -EPROTO;
	nla_strlcpy(st->release, tb[GRID_STATUS_A_RELEASE],
		    sizeof(st->release));
	st->abi = nla_get_u32(tb[GRID_STATUS_A_ABI]);
	st->counts.grids = nla_get_u64(tb[GRID_STATUS_A_GRIDS]);
	st->counts.gridgrids = nla_get_u64(tb[GRID_STATUS_A_GRIDGRIDS]);
	st->counts.peers = nla_get_u64(tb[GRID_STATUS_A_PEERS]);
	st->counts.leases = nla_get_u64(tb[GRID_STATUS_A_LEASES]);
	st->counts.sandboxes = nla_get_u64(tb[GRID_STATUS_A_SANDBOXES]);
	st->counts.handles = nla_get_u64(tb[GRID_STATUS_A_HANDLES]);
	return 0;
}

int grid_nl_status(struct grid_nl *nl, struct grid_nl_status *st)
{
	memset(st, 0, sizeof(*st));
	return request(nl, GRID_CMD_GET_STATUS, NULL, 0, parse_status, st);
}

int grid_nl_send_raw(struct grid_nl *nl, uint8_t cmd, const void *payload,
		     size_t len)
{
	return request(nl, cmd, payload, len, NULL, NULL);
}

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
	void (*fn)(uint8_t cmd, void *arg);
	void *arg;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct event_sink *s = arg;

	s->fn(g->cmd, s->arg);
	return NL_OK;
}

static int any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int grid_nl_read_events(struct grid_nl *nl,
			void (*fn)(uint8_t cmd, void *arg), void *arg)
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
	ret = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (ret == -NLE_AGAIN)
		return 0;
	return ret < 0 ? nlerr_to_errno(ret) : 0;
}
