// SPDX-License-Identifier: GPL-2.0
/*
 * api_load SOCKET OP CLIENTS SECONDS [ARG]: how many requests a second
 * gridd answers through its local API, each durable before its answer,
 * with CLIENTS connections each keeping one request in flight (so that
 * gridd's batches can group them: one commit, one fsync, for all that
 * wait). OP:
 *   issue GRIDGRID   lease-issue of 1M for 1h to the agent ARG
 *   request GRIDGRID lease-request of 1M for 1h from the member grid ARG
 *                    (over the network: answered when the provider grants)
 *   invite GRIDGRID  gridgrid-invite of a one-time invitation
 *   status           status (no write: the API's own cost)
 * Prints "api: OP clients N: R/s (p50 X us, p99 Y us), F failed".
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "proto.h"
#include "record.h"

#define CLIENTS_MAX 256

struct client {
	int fd;
	uint8_t in[GRID_API_MSG_MAX + 4];
	size_t have;
	double sent;
};

/* A lease request is one request each: a new id every time. */
static int fresh(struct grid_api_out *req, uint32_t op, struct grid_api_map *a,
		 uint8_t reqid[16])
{
	if (op != GRID_OP_LEASE_REQUEST)
		return 0;
	randombytes_buf(reqid, 16);
	return grid_api_request(req, op, a);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static struct client cl[CLIENTS_MAX];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd pfd[CLIENTS_MAX];
	struct grid_api_out req;
	struct grid_api_map a;
	struct grid_limits lim;
	uint32_t op;
	double start, end, *lat;
	size_t nlat = 0, cap = 1 << 22;
	uint8_t reqid[16] = { 0 };
	long done = 0, failed = 0;
	int n, secs, i;

	if (argc < 5) {
		fprintf(stderr, "usage: api_load SOCKET {issue GG AGENT | request GG GRID | invite GG | status} CLIENTS SECONDS\n");
		return 2;
	}
	grid_api_map_init(&a);
	if (!strcmp(argv[2], "issue") && argc >= 7) {
		op = GRID_OP_LEASE_ISSUE;
		grid_api_set_t(&a, GRID_A_GRIDGRID, argv[3]);
		grid_api_set_t(&a, GRID_A_HOLDER, argv[4]);
		grid_limits_none(&lim);
		lim.memory_bytes = 1 << 20;
		grid_api_set_lim(&a, GRID_A_LIMITS, &lim);
		grid_api_set_u(&a, GRID_A_SECONDS, 3600);
		n = atoi(argv[5]);
		secs = atoi(argv[6]);
	} else if (!strcmp(argv[2], "request") && argc >= 7) {
		op = GRID_OP_LEASE_REQUEST;
		grid_api_set_t(&a, GRID_A_GRIDGRID, argv[3]);
		grid_api_set_t(&a, GRID_A_PROVIDER, argv[4]);
		grid_limits_none(&lim);
		lim.memory_bytes = 1 << 20;
		grid_api_set_lim(&a, GRID_A_LIMITS, &lim);
		grid_api_set_u(&a, GRID_A_SECONDS, 3600);
		grid_api_set_b(&a, GRID_A_REQUEST, reqid, sizeof(reqid));
		n = atoi(argv[5]);
		secs = atoi(argv[6]);
	} else if (!strcmp(argv[2], "invite") && argc >= 6) {
		op = GRID_OP_GG_INVITE;
		grid_api_set_t(&a, GRID_A_GRIDGRID, argv[3]);
		grid_api_set_u(&a, GRID_A_ONE_TIME, 1);
		n = atoi(argv[4]);
		secs = atoi(argv[5]);
	} else if (!strcmp(argv[2], "status")) {
		op = GRID_OP_STATUS;
		n = atoi(argv[3]);
		secs = atoi(argv[4]);
	} else {
		fprintf(stderr, "api_load: unknown op '%s'\n", argv[2]);
		return 2;
	}
	if (n < 1 || n > CLIENTS_MAX || secs < 1 || grid_api_out_init(&req) ||
	    grid_api_request(&req, op, &a))
		return 2;
	lat = malloc(cap * sizeof(*lat));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	for (i = 0; i < n; i++) {
		cl[i].fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (cl[i].fd < 0 || connect(cl[i].fd, (struct sockaddr *)&sa, sizeof(sa))) {
			perror("api_load: connect");
			return 1;
		}
	}
	start = now();
	end = start + secs;
	for (i = 0; i < n; i++) {
		cl[i].sent = now();
		if (fresh(&req, op, &a, reqid) ||
		    write(cl[i].fd, req.buf, req.len) != (ssize_t)req.len)
			return 1;
	}
	while (now() < end) {
		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = cl[i].fd, .events = POLLIN };
		if (poll(pfd, n, 1000) < 0)
			return 1;
		for (i = 0; i < n; i++) {
			struct client *c = &cl[i];
			ssize_t r;

			if (!pfd[i].revents)
				continue;
			r = read(c->fd, c->in + c->have, sizeof(c->in) - c->have);
			if (r <= 0) {
				fprintf(stderr, "api_load: gridd closed a connection\n");
				return 1;
			}
			c->have += r;
			while (c->have >= 4) {
				uint32_t len = (uint32_t)c->in[0] << 24 | c->in[1] << 16 |
					       c->in[2] << 8 | c->in[3];
				struct grid_api_in in;
				struct grid_why why;

				if (c->have < 4 + len)
					break;
				if (grid_api_parse_response(&in, c->in + 4, len, &why) ||
				    in.status) {
					if (!failed)
						fprintf(stderr, "api_load: refused: %s\n", in.msg);
					failed++;
				} else {
					done++;
				}
				grid_api_in_free(&in);
				if (nlat < cap)
					lat[nlat++] = now() - c->sent;
				memmove(c->in, c->in + 4 + len, c->have - 4 - len);
				c->have -= 4 + len;
				c->sent = now();
				if (fresh(&req, op, &a, reqid) ||
				    write(c->fd, req.buf, req.len) != (ssize_t)req.len)
					return 1;
			}
		}
	}
	end = now();
	qsort(lat, nlat, sizeof(*lat), cmp);
	printf("api: %s clients %d: %.0f/s (p50 %.0f us, p99 %.0f us), %ld failed\n",
	       argv[2], n, done / (end - start),
	       nlat ? lat[nlat / 2] * 1e6 : 0, nlat ? lat[nlat * 99 / 100] * 1e6 : 0,
	       failed);
	return failed ? 1 : 0;
}
