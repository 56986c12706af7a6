/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake grid.ko for the netlink door's tests: a NETLINK_USERSOCK socket in
 * a thread that reads each request and answers with scripted messages, as
 * the genl family would. Include it once, after nl.c (whose insides the
 * tests look at) and unit.h.
 */
#ifndef GRID_FAKE_GENL_H
#define GRID_FAKE_GENL_H

#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define FAMILY 0x42
#define NO_FAKE "cannot open NETLINK_USERSOCK sockets for the fake kernel"

struct fake;
typedef void (*answer_fn)(struct fake *f, struct nlmsghdr *req, int n);

struct fake {
	int fd;
	uint32_t port;
	pthread_t thread;
	answer_fn answer;
	int expect;		/* requests to answer before the thread ends */
	int requests;		/* requests seen */
	/* The last request, for the tests to look at. */
	uint16_t flags;
	uint8_t cmd;
	char attrs[512] __attribute__((aligned(8)));
	int attrlen;
};

static const uint8_t key_a[GRID_KEY_LEN] = { 1, 2, 3, [31] = 0xaa };

static void put_raw(struct fake *f, struct nlmsghdr *req, const void *buf,
		    size_t len)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK,
				  .nl_pid = req->nlmsg_pid };

	sendto(f->fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to));
}

static struct nl_msg *reply(struct nlmsghdr *req, uint8_t cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, req->nlmsg_pid, req->nlmsg_seq, FAMILY, 0, flags, cmd,
		    GRID_GENL_VERSION);
	return m;
}

static void send_msg(struct fake *f, struct nlmsghdr *req, struct nl_msg *m)
{
	put_raw(f, req, nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len);
	nlmsg_free(m);
}

static void send_done(struct fake *f, struct nlmsghdr *req, int err,
		      int flags)
{
	struct {
		struct nlmsghdr h;
		int err;
	} d = {
		.h = { .nlmsg_len = sizeof(d), .nlmsg_type = NLMSG_DONE,
		       .nlmsg_flags = NLM_F_MULTI | flags,
		       .nlmsg_seq = req->nlmsg_seq,
		       .nlmsg_pid = req->nlmsg_pid },
		.err = err,
	};

	put_raw(f, req, &d, sizeof(d));
}

/* An ack (@err 0) or an error, with @msg as extended ack if given. */
static void send_ack(struct fake *f, struct nlmsghdr *req, int err,
		     const char *msg)
{
	char buf[256];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = NLMSG_DATA(h);
	struct nlattr *a;
	size_t len = NLMSG_LENGTH(sizeof(*e));

	memset(buf, 0, sizeof(buf));
	e->error = err;
	e->msg = *req;
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_seq = req->nlmsg_seq;
	h->nlmsg_pid = req->nlmsg_pid;
	if (msg) {
		h->nlmsg_flags = NLM_F_ACK_TLVS | NLM_F_CAPPED;
		a = (struct nlattr *)(buf + NLMSG_ALIGN(len));
		a->nla_type = NLMSGERR_ATTR_MSG;
		a->nla_len = NLA_HDRLEN + strlen(msg) + 1;
		memcpy((char *)a + NLA_HDRLEN, msg, strlen(msg) + 1);
		len = NLMSG_ALIGN(len) + NLA_ALIGN(a->nla_len);
	}
	h->nlmsg_len = len;
	put_raw(f, req, buf, len);
}

static void *serve(void *arg)
{
	struct fake *f = arg;
	char buf[8192];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct genlmsghdr *g;
	ssize_t n;

	while (f->requests < f->expect) {
		n = recv(f->fd, buf, sizeof(buf), 0);
		if (n < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN))
			break;
		g = NLMSG_DATA(h);
		f->flags = h->nlmsg_flags;
		f->cmd = g->cmd;
		f->attrlen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
		if (f->attrlen > (int)sizeof(f->attrs))
			f->attrlen = sizeof(f->attrs);
		memcpy(f->attrs, (char *)g + GENL_HDRLEN, f->attrlen);
		f->answer(f, h, f->requests++);
	}
	return NULL;
}

static struct fake fake;

/* Starts the fake kernel for @expect requests; returns our side of it. */
static struct grid_nl *start(answer_fn answer, int expect)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };
	socklen_t alen = sizeof(a);
	struct grid_nl *nl;

	memset(&fake, 0, sizeof(fake));
	fake.answer = answer;
	fake.expect = expect;
	fake.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);
	if (fake.fd < 0 || bind(fake.fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fake.fd, (struct sockaddr *)&a, &alen))
		return NULL;
	setsockopt(fake.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	fake.port = a.nl_pid;

	nl = calloc(1, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (nl_connect(nl->sk, NETLINK_USERSOCK) < 0)
		return NULL;
	nl_socket_set_peer_port(nl->sk, fake.port);
	nl->family = FAMILY;
	pthread_create(&fake.thread, NULL, serve, &fake);
	return nl;
}

static void stop(struct grid_nl *nl)
{
	pthread_join(fake.thread, NULL);
	close(fake.fd);
	grid_nl_close(nl);
}

/* The first attribute of the last request, or NULL. */
static __attribute__((unused)) struct nlattr *first_attr(void)
{
	struct nlattr *a = (struct nlattr *)fake.attrs;

	return fake.attrlen >= NLA_HDRLEN ? a : NULL;
}

static __attribute__((unused)) void put_grid(struct nl_msg *m,
					     const char *name,
					     const char *parent)
{
	nla_put_string(m, GRID_GRID_A_NAME, name);
	nla_put(m, GRID_GRID_A_KEY, GRID_KEY_LEN, key_a);
	if (parent)
		nla_put_string(m, GRID_GRID_A_PARENT, parent);
}

#endif
