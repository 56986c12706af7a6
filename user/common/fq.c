// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink, through libnl's core only: one dump of the qdiscs to see
 * what is at a device's root, and one RTM_NEWQDISC to put fq there. The
 * kernel loads sch_fq by itself when "fq" is first asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

#include "fq.h"

#define KIND_LEN	16

/* What a request learns from the kernel's answers. */
struct talk {
	int ifindex;
	char kind[KIND_LEN];	/* of the root qdisc of ifindex, if seen */
	bool done;
	int err;
};

static int on_qdisc(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[TCA_MAX + 1];
	struct talk *t = arg;
	struct tcmsg *tcm;

	if (h->nlmsg_type != RTM_NEWQDISC ||
	    !nlmsg_valid_hdr(h, sizeof(*tcm)))
		return NL_OK;
	tcm = nlmsg_data(h);
	if (tcm->tcm_ifindex != t->ifindex || tcm->tcm_parent != TC_H_ROOT)
		return NL_OK;
	if (nlmsg_parse(h, sizeof(*tcm), tb, TCA_MAX, NULL) < 0 ||
	    !tb[TCA_KIND])
		return NL_OK;
	nla_strlcpy(t->kind, tb[TCA_KIND], sizeof(t->kind));
	return NL_OK;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct talk *t = arg;

	(void)who;
	t->err = e->error;
	t->done = true;
	return NL_STOP;
}

static int on_end(struct nl_msg *msg, void *arg)
{
	struct talk *t = arg;

	(void)msg;
	t->done = true;
	return NL_STOP;
}

/* Sends @msg and reads until its ack, error or the end of its dump. */
static int talk(struct nl_sock *sk, struct nl_msg *msg, struct talk *t)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_CUSTOM);
	int ret;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_qdisc, t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_end, t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_end, t);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, t);
	t->done = false;
	t->err = 0;
	ret = nl_send_auto(sk, msg);
	while (ret >= 0 && !t->done)
		ret = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (t->err)
		return t->err;
	/* libnl's own failures (no memory, a broken socket) hide errno. */
	return ret < 0 && !t->done ? -EIO : 0;
}

static int request(struct nl_sock *sk, int type, int flags, struct talk *t,
		   const char *kind)
{
	struct tcmsg tcm = {
		.tcm_family = AF_UNSPEC,
		.tcm_ifindex = t->ifindex,
		.tcm_parent = TC_H_ROOT,
	};
	struct nl_msg *msg;
	int ret = -ENOMEM;

	msg = nlmsg_alloc_simple(type, flags);
	if (!msg)
		return -ENOMEM;
	/* A dump reads every device's qdiscs; on_qdisc picks ours. */
	if (type == RTM_GETQDISC)
		tcm.tcm_ifindex = 0;
	if (nlmsg_append(msg, &tcm, sizeof(tcm), NLMSG_ALIGNTO) < 0)
		goto out;
	if (kind && nla_put_string(msg, TCA_KIND, kind) < 0)
		goto out;
	ret = talk(sk, msg, t);
out:
	nlmsg_free(msg);
	return ret;
}

int grid_fq_ensure(const char *dev, bool *installed)
{
	struct talk t = { 0 };
	struct nl_sock *sk;
	int ret;

	if (installed)
		*installed = false;
	t.ifindex = (int)if_nametoindex(dev);
	if (!t.ifindex)
		return -ENODEV;
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	ret = nl_connect(sk, NETLINK_ROUTE) < 0 ? -EIO : 0;
	if (!ret)
		ret = request(sk, RTM_GETQDISC, NLM_F_DUMP, &t, NULL);
	if (ret || !strcmp(t.kind, "fq"))
		goto out;
	ret = request(sk, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, &t,
		      "fq");
	if (!ret && installed)
		*installed = true;
out:
	nl_socket_free(sk);
	return ret;
}

static bool add_dev(char devs[][IF_NAMESIZE], unsigned int max,
		    unsigned int *n, const char *dev)
{
	unsigned int i;

	if (!strcmp(dev, "lo"))
		return true;
	for (i = 0; i < *n; i++)
		if (!strcmp(devs[i], dev))
			return true;
	if (*n == max)
		return false;
	snprintf(devs[*n], IF_NAMESIZE, "%s", dev);
	++*n;
	return true;
}

#define RTF_UP_		0x0001
#define RTF_REJECT_	0x0200

int grid_fq_parse_routes(FILE *route, FILE *ipv6_route,
			 char devs[][IF_NAMESIZE], unsigned int max,
			 unsigned int *n)
{
	char line[512], dev[IF_NAMESIZE + 1], dst[33];
	unsigned long d, gw, mask;
	unsigned int flags, plen;

	*n = 0;
	/* Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex) */
	while (route && fgets(line, sizeof(line), route)) {
		if (sscanf(line, "%16s %lx %lx %x %*d %*d %*d %lx", dev, &d,
			   &gw, &flags, &mask) != 5)
			continue;	/* the header */
		if (d || mask || !(flags & RTF_UP_) || (flags & RTF_REJECT_))
			continue;
		if (!add_dev(devs, max, n, dev))
			return 0;
	}
	/* dst plen src splen nexthop metric refcnt use flags dev */
	while (ipv6_route && fgets(line, sizeof(line), ipv6_route)) {
		if (sscanf(line, "%32s %x %*s %*x %*s %*x %*x %*x %x %16s",
			   dst, &plen, &flags, dev) != 4)
			continue;
		if (strspn(dst, "0") != 32 || plen ||
		    !(flags & RTF_UP_) || (flags & RTF_REJECT_))
			continue;
		if (!add_dev(devs, max, n, dev))
			return 0;
	}
	return 0;
}

int grid_fq_default_devs(char devs[][IF_NAMESIZE], unsigned int max,
			 unsigned int *n)
{
	FILE *v4 = fopen("/proc/net/route", "re");
	int v4_err = v4 ? 0 : errno;	/* before the next fopen() sets it */
	FILE *v6 = fopen("/proc/net/ipv6_route", "re");
	int ret;

	if (!v4 && v4_err != ENOENT) {
		if (v6)
			fclose(v6);
		return -v4_err;
	}
	ret = grid_fq_parse_routes(v4, v6, devs, max, n);
	if (v4)
		fclose(v4);
	if (v6)
		fclose(v6);
	return ret;
}

int grid_netns_enter(const char *netns, int *back)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	if (strchr(netns, '/'))
		snprintf(path, sizeof(path), "%s", netns);
	else if (snprintf(path, sizeof(path), "/run/netns/%s", netns) >=
		 (int)sizeof(path))
		return -ENAMETOOLONG;
	*back = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*back < 0)
		return -errno;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret) {
		close(*back);
		*back = -1;
	}
	return ret;
}

int grid_netns_leave(int back)
{
	int ret = setns(back, CLONE_NEWNET) < 0 ? -errno : 0;

	close(back);
	return ret;
}
